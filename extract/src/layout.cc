// Lines, blocks and reading order from words with boxes.
//
// 1. Rows: words whose vertical centres lie within half a word height of a
//    row's centre belong to that row.
// 2. Fragments: a row is cut where the horizontal gap between two words is
//    much wider than any inter-word space (side-by-side columns, such as two
//    signature blocks with a place/date line each).
// 3. Blocks: a fragment continues the block directly above it when the
//    vertical gap is at most about one line and their x-ranges overlap.
// 4. Reading order: blocks are grouped into bands of vertically overlapping
//    blocks; bands run top to bottom, blocks within a band left to right.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "pactum/extract/page_text.h"

namespace pactum::extract {
namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

struct Fragment {
  std::vector<int> words;
  Box box;
};

bool XOverlap(const Box& a, const Box& b) { return a.x0 < b.x1 && b.x0 < a.x1; }

double YOverlap(const Box& a, const Box& b) { return std::min(a.y1, b.y1) - std::max(a.y0, b.y0); }

}  // namespace

void BuildLayout(PageText* page) {
  page->lines.clear();
  page->blocks.clear();
  const auto& words = page->words;
  if (words.empty()) return;
  // Line::words and Block::lines hold int indices. Fragments, blocks and
  // lines are never more than the words, so this one bound keeps every index
  // below in range of an int (no page comes near it: the words alone would
  // take hundreds of gigabytes).
  if (words.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return;
  // Word indices are the page model's ints, 0 <= i < words.size().
  auto word = [&](int i) -> const Word& { return words[static_cast<size_t>(i)]; };

  std::vector<double> heights;
  for (const auto& w : words) heights.push_back(w.box.height());
  const double h = std::max(1.0, Median(heights));

  // 1. Rows.
  std::vector<int> order(words.size());
  std::iota(order.begin(), order.end(), 0);
  auto cy = [&](int i) { return (word(i).box.y0 + word(i).box.y1) / 2; };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return cy(a) < cy(b); });
  std::vector<std::vector<int>> rows;
  std::vector<double> row_cy;
  for (int i : order) {
    if (!rows.empty() && std::abs(cy(i) - row_cy.back()) <= 0.5 * std::max(h, word(i).box.height() * 0.8)) {
      rows.back().push_back(i);
      const double n = static_cast<double>(rows.back().size());
      row_cy.back() += (cy(i) - row_cy.back()) / n;
    } else {
      rows.push_back({i});
      row_cy.push_back(cy(i));
    }
  }

  // 2. Fragments. A gap cuts a row when it is wide in absolute terms and an
  // outlier among the row's gaps (a justified line spreads its spaces evenly,
  // two columns leave one gap far wider than the rest), or when it is wider
  // than any space of running text.
  std::vector<Fragment> frags;
  const double gap_floor = std::max(3.0 * h, 28.0);
  for (auto& row : rows) {
    std::sort(row.begin(), row.end(), [&](int a, int b) { return word(a).box.x0 < word(b).box.x0; });
    std::vector<double> gaps;
    for (size_t k = 1; k < row.size(); ++k) gaps.push_back(word(row[k]).box.x0 - word(row[k - 1]).box.x1);
    // The median of the row's other gaps, for each gap, from one sorted copy:
    // removing an element below the middle shifts the median up by one place.
    std::vector<double> sorted = gaps;
    std::sort(sorted.begin(), sorted.end());
    auto median_of_others = [&](double g) {
      const size_t n = sorted.size() - 1;  // size without g
      const size_t mid = n / 2;
      const size_t pos = static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), g) - sorted.begin());
      return pos > mid ? sorted[mid] : sorted[mid + 1];
    };
    Fragment cur;
    for (size_t k = 0; k < row.size(); ++k) {
      const int i = row[k];
      if (k > 0) {
        const double g = gaps[k - 1];
        const bool outlier = sorted.size() < 2 || g > 2.5 * std::max(median_of_others(g), 0.3 * h);
        // Far wider than any justified space: three or more columns whose
        // gaps are all alike ("Oberbürgermeisterin  Landrat  Präsident").
        const bool column_gap = g > std::max(6.0 * h, 60.0);
        if ((g > gap_floor && outlier) || column_gap) {
          frags.push_back(std::move(cur));
          cur = {};
        }
      }
      cur.box = cur.words.empty() ? word(i).box : cur.box.Union(word(i).box);
      cur.words.push_back(i);
    }
    if (!cur.words.empty()) frags.push_back(std::move(cur));
  }

  // 3. Blocks: fragments are in top-to-bottom order; attach each to the
  // nearest open block above it in the same column.
  struct OpenBlock {
    std::vector<size_t> frags;
    Box box;
    Box last;  // box of its last fragment
  };
  std::vector<OpenBlock> blocks;
  std::vector<size_t> open;  // blocks whose last line may still be continued
  for (size_t f = 0; f < frags.size(); ++f) {
    const Box& fb = frags[f].box;
    // Blocks that ended more than a line above can take no more lines: drop
    // them, so that each fragment looks at a handful of columns only.
    std::erase_if(open, [&](size_t b) { return fb.y0 - blocks[b].last.y1 > 1.1 * h; });
    std::optional<size_t> best;
    double best_gap = 1e9;
    for (size_t b : open) {
      const Box& last = blocks[b].last;
      const double gap = fb.y0 - last.y1;
      if (gap < -0.5 * h || gap > 1.1 * h) continue;
      if (!XOverlap(fb, last) && !XOverlap(fb, blocks[b].box)) continue;
      // A fragment beside another fragment of the same row is a new column.
      if (YOverlap(fb, last) > 0.3 * h) continue;
      if (gap < best_gap) {
        best_gap = gap;
        best = b;
      }
    }
    if (!best) {
      open.push_back(blocks.size());
      blocks.push_back({{f}, fb, fb});
    } else {
      OpenBlock& into = blocks[*best];
      into.frags.push_back(f);
      into.box = into.box.Union(fb);
      into.last = fb;
    }
  }

  // 4. Bands of vertically overlapping blocks, then left to right.
  std::vector<size_t> border(blocks.size());
  std::iota(border.begin(), border.end(), size_t{0});
  std::sort(border.begin(), border.end(), [&](size_t a, size_t b) { return blocks[a].box.y0 < blocks[b].box.y0; });
  std::vector<std::vector<size_t>> bands;
  double band_bottom = -1e9;
  for (size_t b : border) {
    if (bands.empty() || blocks[b].box.y0 >= band_bottom - 0.25 * h) {
      bands.push_back({b});
      band_bottom = blocks[b].box.y1;
    } else {
      bands.back().push_back(b);
      band_bottom = std::max(band_bottom, blocks[b].box.y1);
    }
  }
  for (auto& band : bands) {
    std::stable_sort(band.begin(), band.end(), [&](size_t a, size_t b) {
      if (XOverlap(blocks[a].box, blocks[b].box)) return blocks[a].box.y0 < blocks[b].box.y0;
      return blocks[a].box.x0 < blocks[b].box.x0;
    });
    for (size_t b : band) {
      Block block;
      block.box = blocks[b].box;
      for (size_t f : blocks[b].frags) {
        Line line;
        line.words = frags[f].words;
        line.box = frags[f].box;
        for (size_t k = 0; k < line.words.size(); ++k) {
          const Word& w = word(line.words[k]);
          if (k > 0) {
            const Word& prev = word(line.words[k - 1]);
            const bool glued = !prev.space_after && w.box.x0 - prev.box.x1 < 0.15 * h;
            if (!glued) line.text += ' ';
          }
          line.text += w.text;
        }
        block.lines.push_back(static_cast<int>(page->lines.size()));  // < words.size(): bounded above
        page->lines.push_back(std::move(line));
      }
      page->blocks.push_back(std::move(block));
    }
  }
}

bool HasUsableTextLayer(const PageText& page, std::string* reason) {
  auto say = [&](const char* r) {
    if (reason) *reason = r;
  };
  size_t chars = 0, good = 0, invisible = 0;
  for (const auto& w : page.words) {
    invisible += w.invisible;
    for (const char ch : w.text) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
      // Rules to sign or fill in ("________") are neither text nor garbage:
      // a signature page is mostly rules around a few names.
      if (c == '_') continue;
      ++chars;
      // Letters/digits (ASCII or any non-ASCII lead byte except U+FFFD's) and
      // ordinary punctuation count as good text.
      if (std::isalnum(c) || c >= 0xC0 || std::string_view(".,;:-()/%§&'\"").find(static_cast<char>(c)) != std::string_view::npos) {
        ++good;
      }
    }
    if (w.text.find("\xEF\xBF\xBD") != std::string::npos) good = good > 0 ? good - 1 : 0;  // U+FFFD
  }
  if (chars == 0) {
    say("no-text-layer");
    return false;
  }
  if (chars < 20) {
    say("too-little-text");
    return false;
  }
  if (static_cast<double>(good) < 0.8 * static_cast<double>(chars)) {
    say("garbage-text-layer");
    return false;
  }
  if (static_cast<double>(invisible) > 0.9 * static_cast<double>(page.words.size())) {
    say("invisible-text-layer");
    return false;
  }
  say("text-layer");
  return true;
}

}  // namespace pactum::extract
