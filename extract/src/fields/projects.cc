#include "fields/common.h"

namespace pactum::extract {

void ExtractProjects(const DocumentText&, Agreement*) {}

}  // namespace pactum::extract
