// Clean-up of a page image before OCR (internal): orientation, deskew,
// background normalisation, binarisation and speckle removal, with Leptonica.
//
// The clean-up may turn, rotate and rescale the image. PageGeometry records
// how, so that boxes found on the cleaned image can be mapped back onto the
// page as it was submitted.
#pragma once

#include <string>

#include "pactum/extract/ocr_engine.h"
#include "pactum/extract/page_image.h"
#include "pactum/models/record.h"
#include "pactum/models/status.h"

namespace pactum::extract::ocr {

// Each step can be switched off (the tests measure what each one brings).
struct CleanupOptions {
  bool orientation = true;  // turn by 90/180/270 degrees as the engine's orientation detection says
  bool deskew = true;       // rotate by the skew angle Leptonica finds (|angle| <= 7 degrees)
  bool background = true;   // flatten uneven paper (shadows, gradients) to a uniform white
  // Binarise with a method suited to the source: grey scans are thresholded
  // after background normalisation; low-resolution and bilevel scans (200 dpi
  // faxes) are first upsampled with interpolation to smooth jagged strokes.
  // Off: the engine gets the grey image at the source resolution.
  bool binarize = true;
  bool despeckle = true;    // drop isolated specks (never dots next to letters)
};

// cleaned = scale(deskew(turn(original))). Boxes in PDF points.
struct PageGeometry {
  double width_pt = 0;      // the original page
  double height_pt = 0;
  int quarter_turns = 0;    // clockwise quarter turns applied to the original
  double deskew_deg = 0;    // then rotated clockwise by this much about the centre

  // Size in points of the cleaned image's frame (the turned page).
  double TurnedWidth() const { return quarter_turns % 2 ? height_pt : width_pt; }
  double TurnedHeight() const { return quarter_turns % 2 ? width_pt : height_pt; }
  // The smallest box on the original page that holds `cleaned` (a box on the
  // cleaned image, in points), clipped to the page.
  Box ToOriginal(const Box& cleaned) const;
  // The inverse, for tests: a box on the original page onto the cleaned image.
  Box ToCleaned(const Box& original) const;
};

struct CleanedPage {
  PageImage image;          // binarised (bilevel) unless binarize is off
  PageGeometry geometry;
  int orientation_deg = 0;  // clockwise turn applied
  double skew_deg = 0;      // rotation applied
  int speckles_removed = 0;
  std::string summary;      // the steps taken, for the log
};

// Cleans `raw` for OCR. `orientation` may be null (no orientation step).
// Fails with kUnprocessable when the image cannot be processed (out of memory).
Result<CleanedPage> CleanUpForOcr(const PageImage& raw, OcrEngine* orientation, const CleanupOptions& options);

}  // namespace pactum::extract::ocr
