// Documents built line by line for the extractor tests: {page, x0, y0,
// text}, each line its own block unless `block` is given; a line is 11 pt
// high and `char_width` points wide per byte.
#pragma once

#include <string>
#include <vector>

#include "pactum/extract/fields.h"

namespace pactum::extract::testing {

struct L {
  int page;
  double x;
  double y;
  std::string text;
  int block = -1;
};

inline DocumentText DocWith(const std::vector<L>& lines, double char_width) {
  DocumentText d;
  int n = 0;
  for (const auto& l : lines) {
    TextLine t;
    t.page = l.page;
    t.text = l.text;
    t.box = {l.x, l.y, l.x + char_width * static_cast<double>(l.text.size()), l.y + 11};
    t.block = l.block >= 0 ? l.block : n;
    ++n;
    d.lines.push_back(t);
  }
  return d;
}

}  // namespace pactum::extract::testing
