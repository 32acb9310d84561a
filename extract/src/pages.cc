// The page stage: text layer per page. (OCR of pages without a usable text
// layer is added by the OCR work; until then such pages are reported.)
#include "pactum/extract/pages.h"

namespace pactum::extract {

Result<PagesResult> ReadPages(Document& doc, const ExtractOptions& options) {
  PagesResult out;
  for (int i = 1; i <= doc.page_count(); ++i) {
    auto text = doc.TextLayer(i);
    if (!text.ok()) return text.error();
    std::string reason;
    const bool usable = HasUsableTextLayer(*text, &reason);
    if (options.ocr != OcrMode::kNever && !usable) {
      return Error::Unprocessable("page " + std::to_string(i) + " has no usable text layer (" + reason +
                                  ") and OCR is not available in this build");
    }
    BuildLayout(&*text);
    out.page_info.push_back({i, "pdf-text", reason, std::nullopt});
    out.pages.push_back(std::move(*text));
  }
  return out;
}

}  // namespace pactum::extract
