#include "visual_diff.h"

#include <poppler-document.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>

namespace pactum::signing {
namespace {

constexpr double kDpi = 36.0;
constexpr int kChangedLevel = 40;     // grey difference that counts as a change
constexpr int kInkLevel = 160;        // darker than this is content, not background
constexpr int kMinChangedPixels = 3;  // rendering noise allowance per page
constexpr double kOverlayShare = 0.02;  // share of a widget's pixels that may cover content
// A new widget may not be placed over signed content: over a signature line
// is fine, over a paragraph is not.
constexpr double kContentShare = 0.06;
// Signed ink changed under a widget, in pixels at 36 dpi, that counts as
// hiding content whatever the widget's size.
constexpr long kMinCoveredPixels = 40;

std::unique_ptr<poppler::document> Load(std::string_view bytes) {
  // Poppler takes the length as an int (as in extract's OpenPdfDocument).
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return nullptr;
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc || doc->is_locked()) return nullptr;
  return doc;
}

struct Pixels {
  poppler::image image;
  poppler::rectf box;  // the rendered box, PDF points
};

bool Render(poppler::document& doc, int index, Pixels* out) {
  std::unique_ptr<poppler::page> page(doc.create_page(index));
  if (!page) return false;
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_gray8);
  out->image = renderer.render_page(page.get(), kDpi, kDpi);
  out->box = page->page_rect(poppler::crop_box);
  // A row shorter than the width would be read past its end.
  const poppler::image& img = out->image;
  return img.is_valid() && img.width() >= 0 && img.height() >= 0 && img.bytes_per_row() >= img.width();
}

}  // namespace

VisualDiff CompareRenderings(std::string_view signed_rev, std::string_view final_doc,
                             const std::vector<ChangedArea>& areas, const std::vector<int>& pages, int max_pages) {
  VisualDiff diff;
  auto before = Load(signed_rev);
  auto after = Load(final_doc);
  if (!before || !after || before->pages() != after->pages()) return diff;
  std::vector<int> todo = pages;
  if (todo.empty()) {
    for (int i = 0; i < after->pages(); ++i) todo.push_back(i);
  }
  if (static_cast<int>(todo.size()) > max_pages) return diff;
  for (int i : todo) {
    if (i < 0 || i >= after->pages()) continue;
    Pixels a, b;
    if (!Render(*before, i, &a) || !Render(*after, i, &b)) return diff;
    if (a.image.width() != b.image.width() || a.image.height() != b.image.height()) {
      diff.changed_pages.push_back(i + 1);
      continue;
    }
    const int w = a.image.width(), h = a.image.height();
    // Area rectangles in pixels (unrotated pages; a rotated page gets no allowance).
    std::vector<std::array<int, 4>> rects;
    std::vector<AreaKind> kinds;
    std::unique_ptr<poppler::page> page(after->create_page(i));
    const bool upright = page && page->orientation() == poppler::page::portrait;
    for (const ChangedArea& r : areas) {
      if (r.page != i || !upright) continue;
      const double s = kDpi / 72.0;
      const double top = a.box.y() + a.box.height();
      // Clipped to the page: an oversized rectangle must not dilute the shares below.
      auto clip = [](double v, int hi) { return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(hi))); };
      rects.push_back({clip(std::floor((r.x0 - a.box.x()) * s) - 1, w), clip(std::floor((top - r.y1) * s) - 1, h),
                       clip(std::ceil((r.x1 - a.box.x()) * s) + 1, w), clip(std::ceil((top - r.y0) * s) + 1, h)});
      kinds.push_back(r.kind);
    }
    long changed = 0;
    std::vector<long> covered(rects.size(), 0), ink(rects.size(), 0), touched(rects.size(), 0);
    const char* pa = a.image.const_data();
    const char* pb = b.image.const_data();
    // Not negative and at least the width: checked by Render.
    const size_t stride_a = static_cast<size_t>(a.image.bytes_per_row());
    const size_t stride_b = static_cast<size_t>(b.image.bytes_per_row());
    for (int y = 0; y < h; ++y) {
      const auto* ra = reinterpret_cast<const unsigned char*>(pa + static_cast<size_t>(y) * stride_a);
      const auto* rb = reinterpret_cast<const unsigned char*>(pb + static_cast<size_t>(y) * stride_b);
      for (int x = 0; x < w; ++x) {
        const bool differs = std::abs(static_cast<int>(ra[x]) - static_cast<int>(rb[x])) >= kChangedLevel;
        bool in_widget = false;
        for (size_t k = 0; k < rects.size(); ++k) {
          const auto& r = rects[k];
          if (x >= r[0] && x < r[2] && y >= r[1] && y < r[3]) {
            in_widget = true;
            if (ra[x] < kInkLevel) ++ink[k];
            if (differs) ++touched[k];
            if (differs && ra[x] < kInkLevel) ++covered[k];
          }
        }
        if (differs && !in_widget) ++changed;
      }
    }
    if (changed >= kMinChangedPixels) diff.changed_pages.push_back(i + 1);
    for (size_t k = 0; k < rects.size(); ++k) {
      const auto& r = rects[k];
      const double area = std::max(1, (r[2] - r[0]) * (r[3] - r[1]));
      // Pixel counts of one page: far below 2^53, exact as doubles.
      const double covered_px = static_cast<double>(covered[k]), ink_px = static_cast<double>(ink[k]);
      const bool hides =
          covered[k] >= kMinCoveredPixels || (covered[k] >= kMinChangedPixels && covered_px > kOverlayShare * area);
      const bool over_content = touched[k] >= kMinChangedPixels && ink_px > kContentShare * area;
      if (hides || over_content) {
        if (diff.overlay_pages.empty() || diff.overlay_pages.back() != i + 1) diff.overlay_pages.push_back(i + 1);
        if (std::find(diff.overlay_kinds.begin(), diff.overlay_kinds.end(), kinds[k]) == diff.overlay_kinds.end()) {
          diff.overlay_kinds.push_back(kinds[k]);
        }
      }
    }
  }
  diff.compared = true;
  return diff;
}

}  // namespace pactum::signing
