#include "fields/common.h"

namespace pactum::extract {

void ExtractParties(const DocumentText&, Agreement*) {}

}  // namespace pactum::extract
