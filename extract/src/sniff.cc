#include "pactum/extract/sniff.h"

namespace pactum::extract {

MediaType Sniff(std::string_view b) {
  auto starts = [&](std::string_view magic) { return b.substr(0, magic.size()) == magic; };
  if (starts("\x89PNG\r\n\x1a\n")) return MediaType::kPng;
  if (starts("\xff\xd8\xff")) return MediaType::kJpeg;
  // Four bytes each: a literal with a NUL would end at the NUL ("MM").
  if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4))) return MediaType::kTiff;
  // PDF readers accept "%PDF-" anywhere in the first 1024 bytes (junk before
  // the header is common from mail gateways); so do we.
  if (b.substr(0, 1024).find("%PDF-") != std::string_view::npos) return MediaType::kPdf;
  return MediaType::kUnknown;
}

std::string_view MediaTypeName(MediaType t) {
  switch (t) {
    case MediaType::kPdf: return "application/pdf";
    case MediaType::kPng: return "image/png";
    case MediaType::kJpeg: return "image/jpeg";
    case MediaType::kTiff: return "image/tiff";
    case MediaType::kUnknown: break;
  }
  return "application/octet-stream";
}

}  // namespace pactum::extract
