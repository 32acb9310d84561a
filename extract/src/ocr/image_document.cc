// Image documents (PNG, JPEG, TIFF). Placeholder until the OCR work lands.
#include "pactum/extract/document.h"

namespace pactum::extract {

Result<std::unique_ptr<Document>> OpenImageDocument(std::string_view, MediaType, const Limits&) {
  return Error::Unprocessable("image documents are not supported by this build yet");
}

}  // namespace pactum::extract
