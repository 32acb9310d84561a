#include "fields/common.h"

namespace pactum::extract {

void ExtractAmounts(const DocumentText&, Agreement*) {}

}  // namespace pactum::extract
namespace pactum::extract {
std::vector<ParsedAmount> FindAmounts(const std::string&) { return {}; }
}
