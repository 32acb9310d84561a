// The page images of the web app (GET /v1/documents/{id}/pages/{n}.png):
// 8-bit greyscale PNG written by libpng, and the shrinking of image pages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pactum/models/status.h"

namespace pactum::service {

// The PNG file of a `width` x `height` greyscale image (`gray` row-major,
// width * height bytes, 0 black); kInternal when libpng fails.
// REQUIRES: width, height > 0 and gray.size() == width * height.
Result<std::string> EncodeGrayPng(int width, int height, const std::vector<std::uint8_t>& gray);

// `gray` (width x height) shrunk by area averaging to `new_width` x
// `new_height` (each at most the old one and at least 1).
std::vector<std::uint8_t> ShrinkGray(const std::vector<std::uint8_t>& gray, int width, int height, int new_width,
                                     int new_height);

}  // namespace pactum::service
