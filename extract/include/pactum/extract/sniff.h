// Identifies a document's format from its first bytes (never from a header
// or a file name).
#pragma once

#include <string_view>

namespace pactum::extract {

enum class MediaType { kUnknown, kPdf, kPng, kJpeg, kTiff };

MediaType Sniff(std::string_view bytes);
// "application/pdf", "image/png", ...; "application/octet-stream" for kUnknown.
std::string_view MediaTypeName(MediaType t);

}  // namespace pactum::extract
