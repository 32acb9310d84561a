// A raster page: 8-bit greyscale pixels, row-major, no padding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pactum::extract {

struct PageImage {
  int page = 0;            // 1-based
  int width = 0;           // pixels
  int height = 0;          // pixels
  int dpi_x = 300;
  int dpi_y = 300;
  bool bilevel = false;    // source was 1 bit per pixel (fax, G4 scan)
  // Where pixel (0, 0) lies on the page, in points from its top-left corner:
  // not 0 for a part of the page (Document::RenderRegion).
  double origin_x_pt = 0;
  double origin_y_pt = 0;
  std::vector<std::uint8_t> gray;  // width * height bytes, 0 = black

  // Conversions between pixel and PDF point coordinates.
  double PointsPerPixelX() const { return 72.0 / dpi_x; }
  double PointsPerPixelY() const { return 72.0 / dpi_y; }
};

// A page of an image document as the data of a PDF image XObject: the
// original JPEG bytes (DCTDecode) where the file is a greyscale or RGB JPEG,
// else the decoded pixels, Flate-compressed: 1 bit per pixel for bilevel
// pages (0 = black), 8 for grey, 8 per component for colour (colour maps
// and alpha removed, alpha over white).
struct EncodedImage {
  int width = 0;          // pixels
  int height = 0;
  int dpi_x = 300;        // as Document::Render reports it for the page
  int dpi_y = 300;
  int components = 1;     // 1 DeviceGray, 3 DeviceRGB
  int bits = 8;           // per component: 1 or 8
  bool dct = false;       // data is a JPEG file (DCTDecode), else zlib (FlateDecode)
  std::string data;
};

}  // namespace pactum::extract
