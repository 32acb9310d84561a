// Documents built line by line for the extractor tests: {page, x0, y0,
// text}, each line its own block unless `block` is given; a line is 11 pt
// high and `char_width` points wide per byte. And the amounts and dates the
// field finders see in a string, shared by the fields, amounts and dates
// tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "fields/extractors.h"
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

// The amounts FindAmounts sees in `s`: {value, currency}.
inline std::vector<std::pair<std::string, std::string>> Amounts(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& a : FindAmounts(s)) out.emplace_back(a.value, a.currency);
  return out;
}

// The dates FindDates sees in `s`, as ISO dates.
inline std::vector<std::string> Dates(const std::string& s) {
  std::vector<std::string> out;
  for (const auto& d : FindDates(s)) out.push_back(d.iso);
  return out;
}

inline std::vector<std::string> Dates(const std::string& s, DateOrder order, bool short_years = false) {
  std::vector<std::string> out;
  for (const auto& d : FindDates(s, order, short_years)) out.push_back(d.iso);
  return out;
}

// The dates ExtractDates finds in `doc`, each with its kind.
inline std::vector<std::pair<std::string, DateKind>> DateKindsIn(const DocumentText& doc) {
  const Reading reading = Reading::Of(doc);
  Agreement a;
  ExtractDates(reading, &a);
  std::vector<std::pair<std::string, DateKind>> out;
  for (const auto& d : a.dates) out.emplace_back(d.date, d.kind);
  return out;
}

}  // namespace pactum::extract::testing
