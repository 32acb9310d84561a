// Text input for the field-level fuzz targets, read the way `pdftotext
// -layout` prints a document: '\f' starts a page, '\n' ends a line, a blank
// line ends a block, and a run of three or more spaces separates columns.
// Each column of a block becomes a block of its own, as the layout stage
// keeps side-by-side signature blocks apart. Boxes follow the character
// grid (about 5 pt a column, 14 pt a line), so that column tests see
// plausible geometry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pactum/extract/fields.h"

namespace pactum::fuzz {

inline extract::DocumentText DocumentFromText(std::string_view text) {
  extract::DocumentText doc;
  int page = 1;
  int block = 0;  // next block index on the page
  int row = 0;    // line index on the page
  std::vector<std::vector<extract::TextLine>> columns;  // of the current block
  auto flush = [&] {
    for (auto& column : columns) {
      if (column.empty()) continue;
      for (auto& line : column) {
        line.block = block;
        doc.lines.push_back(std::move(line));
      }
      ++block;
    }
    columns.clear();
  };
  auto add_line = [&](std::string_view line) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      flush();
      ++row;
      return;
    }
    size_t column = 0;
    size_t pos = 0;
    while (pos < line.size()) {
      const size_t start = line.find_first_not_of(' ', pos);
      if (start == std::string_view::npos) break;
      size_t end = line.find("   ", start);
      if (end == std::string_view::npos) end = line.size();
      extract::TextLine t;
      t.page = page;
      t.text = std::string(line.substr(start, end - start));
      t.box.x0 = 72 + 5.0 * static_cast<double>(start);
      t.box.x1 = 72 + 5.0 * static_cast<double>(end);
      t.box.y0 = 60 + 14.0 * row;
      t.box.y1 = t.box.y0 + 10;
      if (columns.size() <= column) columns.resize(column + 1);
      columns[column].push_back(std::move(t));
      ++column;
      pos = end;
    }
    ++row;
  };
  size_t begin = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\n' && text[i] != '\f') continue;
    add_line(text.substr(begin, i - begin));
    if (i < text.size() && text[i] == '\f') {
      flush();
      ++page;
      block = 0;
      row = 0;
    }
    begin = i + 1;
  }
  flush();
  return doc;
}

}  // namespace pactum::fuzz
