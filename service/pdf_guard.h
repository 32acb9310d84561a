// A look at a PDF's streams before Poppler parses it: refuses decompression
// bombs and absurd images without ever holding their decoded bytes.
//
// qpdf decodes each stream that uses a generic filter (FlateDecode, LZW,
// RunLength, ASCII85/Hex) into a counting sink that stops at the limit; image
// dictionaries are checked for their declared size. A file qpdf cannot open
// is let through: the real parser decides what it is (and answers 422).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "pactum/models/status.h"
#include "worker_protocol.h"

namespace pactum::service {

struct PdfGuardLimits {
  std::uint64_t max_stream_bytes = std::uint64_t{256} << 20;  // decoded bytes of any one stream
  long long max_image_pixels = 100'000'000;                   // /Width x /Height of any image
};

// nullopt when the document is within the limits (or unreadable to qpdf);
// else kUnprocessable naming the object and the limit, or kTimeout when
// `deadline` passes first.
std::optional<Error> CheckPdfStreams(std::string_view pdf, const PdfGuardLimits& limits, Deadline deadline);

}  // namespace pactum::service
