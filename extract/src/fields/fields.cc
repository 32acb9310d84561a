// One reading, then every extractor over it, then what needs several of
// their results (the year the agreement was concluded).
#include <algorithm>

#include "fields/common.h"
#include "fields/extractors.h"
#include "pactum/extract/fields.h"

namespace pactum::extract {
namespace {

std::optional<int> YearOf(const std::string& iso) {
  if (iso.size() < 4) return std::nullopt;
  return std::stoi(iso.substr(0, 4));
}

// The first date printed in the lines of `zone`, at most `limit` lines in.
std::optional<int> FirstDateYear(const Reading& reading, Zone zone, size_t limit) {
  const auto lines = reading.LinesIn(zone);
  for (size_t k = 0; k < lines.size() && k < limit; ++k) {
    const auto dates = FindDates(reading.line(lines[k]).text);
    if (!dates.empty()) return YearOf(dates.front().iso);
  }
  return std::nullopt;
}

// A year of its own in the title ("Zielvereinbarung 2025").
std::optional<int> TitleYear(const std::string& title) {
  for (size_t i = 0; i + 4 <= title.size(); ++i) {
    // Standing alone: not part of a reference ("HSF-2026-017") or a date.
    auto apart = [](char c) { return c == ' ' || c == '(' || c == ')' || c == ','; };
    const bool boundary_before = i == 0 || apart(title[i - 1]);
    const bool boundary_after = i + 4 == title.size() || apart(title[i + 4]);
    if (!boundary_before || !boundary_after) continue;
    if (!std::all_of(title.begin() + static_cast<long>(i), title.begin() + static_cast<long>(i) + 4,
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
      continue;
    }
    const int y = std::stoi(title.substr(i, 4));
    if (y >= 1900 && y <= 2200) return y;
  }
  return std::nullopt;
}

// The year the agreement was concluded: a date in the title block ("Vom 3.
// Oktober 1990") or a year of its own there ("Zielvereinbarung 2025"), else
// the agreement's own date in the preamble ("made as of March 20, 2020"),
// else the last signature date, else the year it takes effect.
std::optional<int> ConcludedYear(const Reading& reading, const Agreement& a) {
  if (auto y = FirstDateYear(reading, Zone::kTitle, 8)) return y;
  if (a.title) {
    if (auto y = TitleYear(*a.title)) return y;
  }
  if (auto y = FirstDateYear(reading, Zone::kParties, 12)) return y;
  std::optional<int> last_signature;
  for (const auto& d : a.dates) {
    if (d.kind == DateKind::kSignature) last_signature = std::max(last_signature.value_or(0), YearOf(d.date).value_or(0));
  }
  for (const auto& s : a.signatories) {
    if (s.date) last_signature = std::max(last_signature.value_or(0), YearOf(*s.date).value_or(0));
  }
  if (last_signature && *last_signature > 0) return last_signature;
  for (const auto& d : a.dates) {
    if (d.kind == DateKind::kEffective) return YearOf(d.date);
  }
  return std::nullopt;
}

}  // namespace

std::string ExtractFields(const DocumentText& doc, Agreement* out) {
  const Reading reading = Reading::Of(doc);
  for (auto* extractor : {&ExtractTitle, &ExtractParties, &ExtractAmounts, &ExtractDates, &ExtractProjects,
                          &ExtractSignatories, &ExtractGoverningLaw, &ExtractTerm}) {
    extractor(reading, out);
  }
  out->year = ConcludedYear(reading, *out);
  return reading.language();
}

}  // namespace pactum::extract
