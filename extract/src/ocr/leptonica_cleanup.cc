// Page clean-up before OCR. Steps, in order:
//   1. square pixels (fax "normal" mode has half the vertical resolution);
//   2. low resolution (< 250 dpi) and bilevel sources are upsampled to 300 dpi
//      with linear interpolation, which turns jagged 1-bit strokes into smooth
//      grey edges that threshold cleanly;
//   3. background normalisation (grey sources): uneven paper becomes white;
//   4. binarisation: global Otsu on the normalised image (threshold 128 for
//      interpolated bilevel sources);
//   5. orientation: pages Leptonica finds clearly upright stay as they are;
//      for the others the engine says how far to turn (quarter turns), from
//      a half-resolution copy;
//   6. deskew: Leptonica's skew search on the binary image, then the grey
//      image is rotated (area mapping) and binarised again;
//   7. speckle removal: tiny components with no other ink nearby go.
#include "ocr/leptonica_cleanup.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "ocr/pix.h"

namespace pactum::extract::ocr {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr int kTargetDpi = 300;
constexpr int kLowDpi = 250;
constexpr int kMinUpsampleDpi = 100;
constexpr int kMinOsdDpi = 150;
// Leptonica's own thresholds for a sure up/down decision (makeOrientDecision).
constexpr l_float32 kUprightConfidence = 7.0f;
constexpr l_float32 kUprightRatio = 2.5f;
// Upsampling stops short of images larger than this (A3 at 300 dpi is 17).
constexpr double kMaxUpsampledMegapixels = 40.0;

Error OutOfMemory(const char* step) {
  return Error::Unprocessable(std::string("page image could not be cleaned up (") + step +
                              "); the page is too large for the memory available");
}

// Global Otsu threshold of an 8 bpp image (one tile covering the page).
PixPtr OtsuBinarize(PIX* gray) {
  PIX* bin = nullptr;
  const l_int32 w = pixGetWidth(gray), h = pixGetHeight(gray);
  if (w < 16 || h < 16 || pixOtsuAdaptiveThreshold(gray, w, h, 0, 0, 0.1f, nullptr, &bin) != 0 || bin == nullptr) {
    if (bin != nullptr) pixDestroy(&bin);
    return PixPtr(pixThresholdToBinary(gray, 128));  // too small for Otsu: mid-grey
  }
  return PixPtr(bin);
}

PixPtr Binarize(PIX* gray, bool from_bilevel) {
  if (from_bilevel) return PixPtr(pixThresholdToBinary(gray, 128));
  return OtsuBinarize(gray);
}

// Removes connected components no larger than `max_size` in both dimensions
// that have no other ink within `radius` pixels. Dots next to letters (i, ä,
// periods, decimal commas) are kept.
PixPtr Despeckle(PIX* bin, int max_size, int radius, int* removed) {
  *removed = 0;
  PixPtr small(pixSelectBySize(bin, max_size, max_size, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE, nullptr));
  if (!small) return nullptr;
  l_int32 nsmall = 0;
  pixCountConnComp(small.get(), 8, &nsmall);
  if (nsmall == 0) return PixPtr(pixCopy(nullptr, bin));
  PixPtr big(pixSubtract(nullptr, bin, small.get()));
  if (!big) return nullptr;
  PixPtr near(pixDilateBrick(nullptr, big.get(), 2 * radius + 1, 2 * radius + 1));
  if (!near) return nullptr;
  PixPtr seed(pixAnd(nullptr, small.get(), near.get()));
  if (!seed) return nullptr;
  // Grow the seeds to whole components of `small`: those touching other ink.
  PixPtr kept(pixSeedfillBinary(nullptr, seed.get(), small.get(), 8));
  if (!kept) return nullptr;
  l_int32 nkept = 0;
  pixCountConnComp(kept.get(), 8, &nkept);
  *removed = nsmall - nkept;
  return PixPtr(pixOr(nullptr, big.get(), kept.get()));
}

}  // namespace

Result<CleanedPage> CleanUpForOcr(const PageImage& raw, OcrEngine* orientation, const CleanupOptions& options) {
  InstallLeptonicaLogging();
  CleanedPage out;
  const int dpi_x = raw.dpi_x > 0 ? raw.dpi_x : kTargetDpi;
  const int dpi_y = raw.dpi_y > 0 ? raw.dpi_y : dpi_x;
  out.geometry.width_pt = raw.width * 72.0 / dpi_x;
  out.geometry.height_pt = raw.height * 72.0 / dpi_y;

  PixPtr gray = PixFromPageImage(raw);
  if (!gray) return OutOfMemory("conversion");
  std::string& log = out.summary;

  // 1. Square pixels.
  if (dpi_x != dpi_y) {
    gray.reset(pixScaleGrayLI(gray.get(), 1.0f, static_cast<l_float32>(dpi_x) / static_cast<l_float32>(dpi_y)));
    if (!gray) return OutOfMemory("square pixels");
    log += "square-pixels ";
  }
  int dpi = dpi_x;

  // 2. Low resolution / bilevel: interpolate up to 300 dpi.
  const double up = static_cast<double>(kTargetDpi) / dpi;
  if (options.binarize && dpi < kLowDpi && dpi >= kMinUpsampleDpi &&
      pixGetWidth(gray.get()) * up * pixGetHeight(gray.get()) * up / 1e6 <= kMaxUpsampledMegapixels) {
    const auto f = static_cast<l_float32>(up);
    gray.reset(pixScaleGrayLI(gray.get(), f, f));
    if (!gray) return OutOfMemory("upsampling");
    log += "upsample=" + std::to_string(dpi) + "->" + std::to_string(kTargetDpi) + " ";
    dpi = kTargetDpi;
  }

  // 3. Background normalisation (pointless on a bilevel source).
  if (options.background && !raw.bilevel) {
    // Fails only on images smaller than its tiles: then there is no
    // background to flatten.
    PixPtr norm(pixBackgroundNormSimple(gray.get(), nullptr, nullptr));
    if (norm) {
      gray = std::move(norm);
      log += "background ";
    }
  }

  // 4. Binarisation.
  PixPtr bin = Binarize(gray.get(), raw.bilevel);
  if (!bin) return OutOfMemory("binarisation");

  // 5. Orientation.
  if (options.orientation && orientation != nullptr) {
    // Orientation detection reads the layout of the whole page; at half
    // resolution it is as reliable (150 dpi letters are still 15 px tall)
    // and takes about half the time. A further halving gets it wrong.
    PixPtr half;
    if (dpi >= 2 * kMinOsdDpi) half.reset(pixReduceRankBinary2(bin.get(), 1, nullptr));
    const PageImage probe = half ? PageImageFromPix(half.get(), raw.page, dpi / 2, dpi / 2)
                                 : PageImageFromPix(bin.get(), raw.page, dpi, dpi);
    // Fast path: Leptonica's ascender/descender test settles most upright
    // pages in a fraction of the engine's detection time; anything it is
    // not sure about goes to the engine.
    l_float32 upconf = 0, leftconf = 0;
    PIX* probe_pix = half ? half.get() : bin.get();
    const bool upright = pixOrientDetect(probe_pix, &upconf, &leftconf, 0, 0) == 0 &&
                         upconf >= kUprightConfidence && upconf >= kUprightRatio * std::abs(leftconf);
    const int turn = upright ? 0 : ((orientation->DetectOrientation(probe) % 360) + 360) % 360;
    if (upright) log += "upright ";
    if (turn != 0) {
      const int quads = turn / 90;
      gray.reset(pixRotateOrth(gray.get(), quads));
      bin.reset(pixRotateOrth(bin.get(), quads));
      if (!gray || !bin) return OutOfMemory("orientation");
      out.geometry.quarter_turns = quads;
      out.orientation_deg = turn;
    }
    log += "orientation=" + std::to_string(turn) + " ";
  }

  // 6. Deskew.
  if (options.deskew) {
    l_float32 angle = 0, conf = 0;
    if (pixFindSkew(bin.get(), &angle, &conf) == 0 && conf >= 2.5f && std::abs(angle) >= 0.1f) {
      PixPtr rotated(pixRotate(gray.get(), static_cast<l_float32>(angle * kDegToRad), L_ROTATE_AREA_MAP,
                               L_BRING_IN_WHITE, 0, 0));
      if (!rotated) return OutOfMemory("deskew");
      gray = std::move(rotated);
      bin = Binarize(gray.get(), raw.bilevel);
      if (!bin) return OutOfMemory("binarisation after deskew");
      out.geometry.deskew_deg = angle;
      out.skew_deg = angle;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "deskew=%.2f(conf %.1f) ", static_cast<double>(angle), static_cast<double>(conf));
    log += buf;
  }

  if (!options.binarize) {
    log += "grey";
    out.image = PageImageFromPix(gray.get(), raw.page, dpi, dpi);
    return out;
  }

  // 7. Speckle removal: at 300 dpi, specks up to 3 px with no ink within 6 px
  // (an i-dot sits 3-4 px above its stem; wider radii keep most dust).
  if (options.despeckle) {
    const int max_size = std::max(1, dpi / 100);
    const int radius = std::max(2, dpi / 50);
    int removed = 0;
    PixPtr clean = Despeckle(bin.get(), max_size, radius, &removed);
    if (!clean) return OutOfMemory("speckle removal");
    bin = std::move(clean);
    out.speckles_removed = removed;
    log += "despeckle=" + std::to_string(removed) + " ";
  }
  log += "binary";
  out.image = PageImageFromPix(bin.get(), raw.page, dpi, dpi);
  return out;
}

}  // namespace pactum::extract::ocr
