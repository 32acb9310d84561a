#include "fields/common.h"

namespace pactum::extract {

void ExtractSignatories(const DocumentText&, Agreement*) {}

}  // namespace pactum::extract
