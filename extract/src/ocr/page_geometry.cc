// Box mapping between a submitted page and its cleaned (turned, deskewed)
// image. Plain geometry: used by the page stage and by the OCR module.
#include <algorithm>
#include <cmath>

#include "ocr/leptonica_cleanup.h"

namespace pactum::extract::ocr {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

// Rotates (x, y) about (cx, cy) clockwise by `deg` on a y-down page.
void RotatePoint(double deg, double cx, double cy, double* x, double* y) {
  const double a = deg * kDegToRad, c = std::cos(a), s = std::sin(a);
  const double dx = *x - cx, dy = *y - cy;
  *x = cx + dx * c - dy * s;
  *y = cy + dx * s + dy * c;
}

// Bounding box of `b` rotated clockwise by `deg` about (cx, cy).
Box RotateBox(const Box& b, double deg, double cx, double cy) {
  if (deg == 0) return b;
  double xs[4] = {b.x0, b.x1, b.x1, b.x0}, ys[4] = {b.y0, b.y0, b.y1, b.y1};
  Box out{1e300, 1e300, -1e300, -1e300};
  for (int i = 0; i < 4; ++i) {
    RotatePoint(deg, cx, cy, &xs[i], &ys[i]);
    out.x0 = std::min(out.x0, xs[i]);
    out.y0 = std::min(out.y0, ys[i]);
    out.x1 = std::max(out.x1, xs[i]);
    out.y1 = std::max(out.y1, ys[i]);
  }
  return out;
}

Box Clip(Box b, double w, double h) {
  b.x0 = std::clamp(b.x0, 0.0, w);
  b.x1 = std::clamp(b.x1, 0.0, w);
  b.y0 = std::clamp(b.y0, 0.0, h);
  b.y1 = std::clamp(b.y1, 0.0, h);
  return b;
}

}  // namespace

Box PageGeometry::ToOriginal(const Box& cleaned) const {
  const double tw = TurnedWidth(), th = TurnedHeight();
  // Undo the deskew rotation.
  const Box b = RotateBox(cleaned, -deskew_deg, tw / 2, th / 2);
  // Undo the quarter turns: a point of the turned frame back onto the page.
  const double W = width_pt, H = height_pt;
  auto back = [&](double x, double y, double* ox, double* oy) {
    switch (((quarter_turns % 4) + 4) % 4) {
      case 1: *ox = y; *oy = H - x; break;
      case 2: *ox = W - x; *oy = H - y; break;
      case 3: *ox = W - y; *oy = x; break;
      default: *ox = x; *oy = y; break;
    }
  };
  double ax, ay, bx, by;
  back(b.x0, b.y0, &ax, &ay);
  back(b.x1, b.y1, &bx, &by);
  return Clip({std::min(ax, bx), std::min(ay, by), std::max(ax, bx), std::max(ay, by)}, W, H);
}

Box PageGeometry::ToCleaned(const Box& original) const {
  const double W = width_pt, H = height_pt;
  auto fwd = [&](double x, double y, double* ox, double* oy) {
    switch (((quarter_turns % 4) + 4) % 4) {
      case 1: *ox = H - y; *oy = x; break;
      case 2: *ox = W - x; *oy = H - y; break;
      case 3: *ox = y; *oy = W - x; break;
      default: *ox = x; *oy = y; break;
    }
  };
  double ax, ay, bx, by;
  fwd(original.x0, original.y0, &ax, &ay);
  fwd(original.x1, original.y1, &bx, &by);
  const Box turned{std::min(ax, bx), std::min(ay, by), std::max(ax, bx), std::max(ay, by)};
  return RotateBox(turned, deskew_deg, TurnedWidth() / 2, TurnedHeight() / 2);
}

}  // namespace pactum::extract::ocr
