// Fuzzes every field extractor (title, parties, amounts, dates, projects,
// signatories), the language guess and the zoning on the input read as a document
// (text_input.h): the stage of the pipeline after the page text, without
// the cost of a PDF parser on every run.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pactum/extract/fields.h"
#include "text_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const pactum::extract::DocumentText doc = pactum::fuzz::DocumentFromText(text);
  pactum::Agreement agreement;
  pactum::extract::ExtractFields(doc, &agreement);
  return 0;
}
