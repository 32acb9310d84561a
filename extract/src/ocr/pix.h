// Ownership and conversion helpers for Leptonica images (internal).
//
// Every PIX made here is owned by a PixPtr, which frees it with pixDestroy:
// no Leptonica image outlives the scope that made it.
#pragma once

#include <leptonica/allheaders.h>

#include <memory>

#include "pactum/extract/page_image.h"

namespace pactum::extract::ocr {

struct PixDeleter {
  void operator()(PIX* p) const {
    if (p != nullptr) pixDestroy(&p);
  }
};
using PixPtr = std::unique_ptr<PIX, PixDeleter>;

struct BoxDeleter {
  void operator()(BOX* b) const {
    if (b != nullptr) boxDestroy(&b);
  }
};
using BoxPtr = std::unique_ptr<BOX, BoxDeleter>;

// An 8 bpp greyscale copy of `image` (null when out of memory). When
// `as_binary` is set the result is 1 bpp instead (pixels < 128 become black).
PixPtr PixFromPageImage(const PageImage& image, bool as_binary = false);

// `pix` (1 or 8 bpp, or anything pixConvertTo8 accepts) as a PageImage with
// the given resolution. 1 bpp input sets PageImage::bilevel.
PageImage PageImageFromPix(PIX* pix, int page, int dpi_x, int dpi_y);

// Fills `out`'s pixel format, size and Flate-compressed data from `pix`
// (EncodedImage, page_image.h): 1 bpp stays bilevel, grey becomes 8 bpp,
// colour 8 bits per component; colour maps and alpha are removed. False
// when out of memory.
bool EncodeForPdf(PIX* pix, EncodedImage* out);

// Routes Leptonica's messages to the log (once per process).
void InstallLeptonicaLogging();

}  // namespace pactum::extract::ocr
