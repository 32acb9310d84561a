// A minimal PNG writer for the page images of the web app: 8-bit greyscale,
// no interlacing, each row filtered with "Up" (the filter that suits
// rendered text and scans best of the five at this cost), deflated with
// zlib. Only what GET /v1/documents/{id}/pages/{n}.png needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pactum::service {

// The PNG file of a `width` x `height` greyscale image (`gray` row-major,
// width * height bytes, 0 black) with its resolution in a pHYs chunk.
// REQUIRES: width, height > 0 and gray.size() == width * height.
std::string EncodeGrayPng(int width, int height, const std::vector<std::uint8_t>& gray, int dpi);

// `gray` (width x height) shrunk by area averaging to `new_width` x
// `new_height` (each at most the old one and at least 1).
std::vector<std::uint8_t> ShrinkGray(const std::vector<std::uint8_t>& gray, int width, int height, int new_width,
                                     int new_height);

}  // namespace pactum::service
