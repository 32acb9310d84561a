// One reading, then every extractor over it.
#include "fields/extractors.h"
#include "pactum/extract/fields.h"

namespace pactum::extract {

std::string ExtractFields(const DocumentText& doc, Agreement* out) {
  const Reading reading = Reading::Of(doc);
  for (auto* extractor : {&ExtractTitle, &ExtractParties, &ExtractAmounts, &ExtractDates, &ExtractProjects,
                          &ExtractSignatories,
                          &ExtractGoverningLaw, &ExtractTerm}) {
    extractor(reading, out);
  }
  return reading.language();
}

}  // namespace pactum::extract
