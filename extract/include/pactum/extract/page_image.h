// A raster page: 8-bit greyscale pixels, row-major, no padding.
#pragma once

#include <cstdint>
#include <vector>

namespace pactum::extract {

struct PageImage {
  int page = 0;            // 1-based
  int width = 0;           // pixels
  int height = 0;          // pixels
  int dpi_x = 300;
  int dpi_y = 300;
  bool bilevel = false;    // source was 1 bit per pixel (fax, G4 scan)
  std::vector<std::uint8_t> gray;  // width * height bytes, 0 = black

  // Conversions between pixel and PDF point coordinates.
  double PointsPerPixelX() const { return 72.0 / dpi_x; }
  double PointsPerPixelY() const { return 72.0 / dpi_y; }
};

}  // namespace pactum::extract
