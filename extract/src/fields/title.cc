#include "fields/common.h"

namespace pactum::extract {

void ExtractTitle(const DocumentText&, Agreement*) {}

}  // namespace pactum::extract
namespace pactum::extract {
std::string DetectLanguage(const DocumentText&) { return {}; }
}
