#include "fields/common.h"

namespace pactum::extract {

void ExtractDates(const DocumentText&, Agreement*) {}

}  // namespace pactum::extract
namespace pactum::extract {
std::vector<ParsedDate> FindDates(const std::string&) { return {}; }
}
