#include "page_png.h"

#include <png.h>

#include <algorithm>
#include <cstddef>

namespace pactum::service {

Result<std::string> EncodeGrayPng(int width, int height, const std::vector<std::uint8_t>& gray) {
  // libpng's simplified API: errors are return values, not longjmp.
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (png_image_write_to_memory(&image, nullptr, &size, 0, gray.data(), 0, nullptr) == 0) {
    return Error::Internal(std::string("libpng cannot encode a page image: ") + image.message);
  }
  std::string out(size, '\0');
  if (png_image_write_to_memory(&image, out.data(), &size, 0, gray.data(), 0, nullptr) == 0) {
    return Error::Internal(std::string("libpng cannot encode a page image: ") + image.message);
  }
  out.resize(size);
  return out;
}

std::vector<std::uint8_t> ShrinkGray(const std::vector<std::uint8_t>& gray, int width, int height, int new_width,
                                     int new_height) {
  const auto w = static_cast<std::size_t>(width), nw = static_cast<std::size_t>(new_width);
  const auto nh = static_cast<std::size_t>(new_height);
  std::vector<std::uint8_t> out(nw * nh);
  for (std::size_t ny = 0; ny < nh; ++ny) {
    const std::size_t y0 = ny * static_cast<std::size_t>(height) / nh;
    const std::size_t y1 = std::max(y0 + 1, (ny + 1) * static_cast<std::size_t>(height) / nh);
    for (std::size_t nx = 0; nx < nw; ++nx) {
      const std::size_t x0 = nx * w / nw;
      const std::size_t x1 = std::max(x0 + 1, (nx + 1) * w / nw);
      std::size_t sum = 0;
      for (std::size_t y = y0; y < y1; ++y) {
        for (std::size_t x = x0; x < x1; ++x) sum += gray[y * w + x];
      }
      out[ny * nw + nx] = static_cast<std::uint8_t>(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return out;
}

}  // namespace pactum::service
