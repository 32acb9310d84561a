// Dates in German and English, numeric and spelled out, and their kind.
//
//   2.8.2025  02.08.2025  2. August 2025  1 March 2025  March 1, 2025  2025-03-01
//
// The kind comes from the words nearest before the date in its sentence
// ("tritt am … in Kraft" effective, "endet mit Ablauf des" expiry, "bis zum
// … vorzulegen" / "no later than" deadline), from a following "in Kraft",
// from ranges ("vom … bis …", "from … to …": effective, expiry) and from the
// place-and-date line of a signature block (signature). A year alone is not
// a date.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/regex.h"

namespace pactum::extract {
namespace {

using fields::Lower;

int MonthNumber(const std::string& name_in) {
  std::string n = Lower(name_in);
  if (!n.empty() && n.back() == '.') n.pop_back();
  static const std::array<std::pair<const char*, int>, 32> kMonths = {{
      {"januar", 1},    {"jänner", 1},   {"january", 1},  {"jan", 1},      {"februar", 2},  {"february", 2},
      {"feb", 2},       {"märz", 3},     {"march", 3},    {"mär", 3},      {"mar", 3},      {"april", 4},
      {"apr", 4},       {"mai", 5},      {"may", 5},      {"juni", 6},     {"june", 6},     {"jun", 6},
      {"juli", 7},      {"july", 7},     {"jul", 7},      {"august", 8},   {"aug", 8},      {"september", 9},
      {"sept", 9},      {"sep", 9},      {"oktober", 10}, {"october", 10}, {"okt", 10},     {"oct", 10},
      {"november", 11}, {"nov", 11},
  }};
  for (const auto& [k, v] : kMonths) {
    if (n == k) return v;
  }
  if (n == "dezember" || n == "december" || n == "dez" || n == "dec") return 12;
  return 0;
}

bool ValidDate(int y, int m, int d) {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > kDays[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

std::string Iso(int y, int m, int d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

const fields::Regex& DateRegex() {
  static const std::string kMonth =
      "(Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|"
      "January|February|March|May|June|July|October|December|"
      "Jan\\.|Feb\\.|Mär\\.|Mar\\.|Apr\\.|Jun\\.|Jul\\.|Aug\\.|Sept\\.|Sep\\.|Okt\\.|Oct\\.|Nov\\.|Dez\\.|Dec\\.|"
      // Abbreviations without their dot ("2 Feb 2026", "Feb 3, 2026"), as whole words.
      "(?:Jan|Feb|Mär|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Okt|Oct|Nov|Dez|Dec)(?![\\p{L}]))";
  // 1-3: d.m.yyyy   4-6: d. Month yyyy   7-9: Month d, yyyy   10-12: yyyy-mm-dd   13-15: d/m/yyyy
  static const fields::Regex re("([0-9]{1,2})\\.\\s?([0-9]{1,2})\\.\\s?([0-9]{4})(?![0-9])"
                             "|([0-9]{1,2})(?:\\.\\s*|(?:st|nd|rd|th)?\\s+)" + kMonth + "\\s+([0-9]{4})(?![0-9])"
                             "|" + kMonth + "\\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\\s+([0-9]{4})(?![0-9])"
                             "|([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])"
                             "|([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?![0-9/])");
  return re;
}

}  // namespace

namespace fields {
std::optional<std::string> IsoDate(int y, int m, int d) {
  if (!ValidDate(y, m, d)) return std::nullopt;
  return Iso(y, m, d);
}
}  // namespace fields

namespace {

bool DigitBefore(const std::string& s, size_t pos) {
  return pos > 0 && (std::isdigit(static_cast<unsigned char>(s[pos - 1])) || s[pos - 1] == '.' || s[pos - 1] == '/');
}

}  // namespace

std::vector<ParsedDate> FindDates(const std::string& text) {
  std::vector<ParsedDate> out;
  // Every date form holds a four-digit year.
  size_t run = 0, best = 0;
  for (char c : text) {
    run = std::isdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
    best = std::max(best, run);
  }
  if (best < 4) return out;
  for (const fields::Match& m : DateRegex().FindAll(text)) {
    const size_t begin = m.position(0);
    if (DigitBefore(text, begin)) continue;
    int y = 0, mo = 0, d = 0;
    if (m.matched(1)) {
      d = std::stoi(m.str(1)), mo = std::stoi(m.str(2)), y = std::stoi(m.str(3));
    } else if (m.matched(4)) {
      d = std::stoi(m.str(4)), mo = MonthNumber(m.str(5)), y = std::stoi(m.str(6));
    } else if (m.matched(7)) {
      mo = MonthNumber(m.str(7)), d = std::stoi(m.str(8)), y = std::stoi(m.str(9));
    } else if (m.matched(10)) {
      y = std::stoi(m.str(10)), mo = std::stoi(m.str(11)), d = std::stoi(m.str(12));
    } else {
      // Day first, as in German and British use; unless only the other
      // order makes a date ("12/31/2026").
      d = std::stoi(m.str(13)), mo = std::stoi(m.str(14)), y = std::stoi(m.str(15));
      if (mo > 12 && d <= 12) std::swap(d, mo);
    }
    if (!ValidDate(y, mo, d)) continue;
    out.push_back({Iso(y, mo, d), begin, m.end(0)});
  }
  return out;
}

namespace {

struct Cue {
  const char* words;  // lowercase, matched as a substring
  DateKind kind;
};

// Cues before a date; the one nearest to the date wins.
constexpr Cue kBefore[] = {
    {"tritt am", DateKind::kEffective}, {"in kraft", DateKind::kEffective}, {"beginnt am", DateKind::kEffective},
    {"beginnt mit dem", DateKind::kEffective}, {"mit wirkung vom", DateKind::kEffective},
    {"mit wirkung zum", DateKind::kEffective}, {"wirksam ab", DateKind::kEffective},
    {"gilt ab", DateKind::kEffective}, {"beginn", DateKind::kEffective}, {"ab dem", DateKind::kEffective},
    {"into force on", DateKind::kEffective}, {"effective", DateKind::kEffective}, {"commence", DateKind::kEffective},
    {"starting on", DateKind::kEffective}, {"start on", DateKind::kEffective}, {"takes effect", DateKind::kEffective},
    {"starts on", DateKind::kEffective}, {"commencing", DateKind::kEffective}, {"beginning on", DateKind::kEffective},
    {"endet", DateKind::kExpiry}, {"ablauf des", DateKind::kExpiry}, {"außer kraft", DateKind::kExpiry},
    {"läuft bis", DateKind::kExpiry}, {"gilt bis", DateKind::kExpiry}, {"befristet bis", DateKind::kExpiry},
    {"laufzeit bis", DateKind::kExpiry}, {"in force until", DateKind::kExpiry}, {"expire", DateKind::kExpiry},
    {"terminate", DateKind::kExpiry}, {"ends on", DateKind::kExpiry}, {"end on", DateKind::kExpiry},
    {"valid until", DateKind::kExpiry}, {"until", DateKind::kExpiry}, {"ending on", DateKind::kExpiry},
    {"spätestens", DateKind::kDeadline}, {"bis zum", DateKind::kDeadline}, {"bis spätestens", DateKind::kDeadline},
    {"no later than", DateKind::kDeadline}, {"not later than", DateKind::kDeadline},
    {"deadline", DateKind::kDeadline}, {"frist", DateKind::kDeadline}, {"by no later", DateKind::kDeadline},
    {"einzureichen bis", DateKind::kDeadline}, {"due by", DateKind::kDeadline}, {"due on", DateKind::kDeadline},
};

// "bis zum <date>" is an expiry when the sentence is about the term.
bool AboutTerm(const std::string& sentence) {
  for (const char* w : {"laufzeit", "vertrag läuft", "läuft", "gilt", "befristet", "term of", "duration"}) {
    if (sentence.find(w) != std::string::npos) return true;
  }
  return false;
}

std::string WithoutParentheticals(const std::string& s) {
  std::string out;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    else if (c == ')') depth = std::max(0, depth - 1);
    else if (depth == 0) out += c;
  }
  return out;
}

DateKind KindFromContext(const std::string& before_in, const std::string& after_in) {
  const std::string before = Lower(before_in), after = Lower(after_in);
  // A following "in Kraft" / "außer Kraft" decides ("tritt am … in Kraft").
  const std::string head = after.substr(0, 24);
  if (head.find("außer kraft") != std::string::npos) return DateKind::kExpiry;
  if (head.find("in kraft") != std::string::npos) return DateKind::kEffective;
  // An explicit annotation: "January 1, 2024 (effective date)".
  const std::string paren = head.substr(0, head.find(')') == std::string::npos ? 0 : head.find(')'));
  if (paren.find('(') != std::string::npos) {
    if (paren.find("effective") != std::string::npos || paren.find("beginn") != std::string::npos) {
      return DateKind::kEffective;
    }
    if (paren.find("expir") != std::string::npos || paren.find("end date") != std::string::npos ||
        paren.find("ende") != std::string::npos) {
      return DateKind::kExpiry;
    }
    if (paren.find("deadline") != std::string::npos || paren.find("frist") != std::string::npos) {
      return DateKind::kDeadline;
    }
  }
  size_t best_pos = std::string::npos;
  DateKind kind = DateKind::kOther;
  for (const Cue& c : kBefore) {
    const size_t p = before.rfind(c.words);
    if (p == std::string::npos) continue;
    const size_t end = p + std::string_view(c.words).size();
    // Only cues near the date (within ~6 words).
    if (before.size() - end > 48) continue;
    if (best_pos == std::string::npos || end > best_pos || (end == best_pos && std::string_view(c.words).size() > 5)) {
      best_pos = end;
      kind = c.kind;
    }
  }
  if (kind == DateKind::kDeadline && before.rfind("bis zum") != std::string::npos && AboutTerm(before)) {
    kind = DateKind::kExpiry;
  }
  // "… the final report by 31 January 2027": "by" right before the date.
  if (kind == DateKind::kOther) {
    const std::string tail = fields::Trim(before);
    if (tail == "by" || fields::EndsWith(tail, " by")) kind = DateKind::kDeadline;
  }
  return kind;
}


// The words between the two dates of a range, parentheticals removed:
// "bis", "bis zum", "to", "until", "–".
bool IsRangeLink(const std::string& between) {
  const std::string b = Lower(fields::CollapseSpaces(WithoutParentheticals(between)));
  for (const char* link : {"bis", "bis zum", "bis einschließlich", "to", "until", "through", "-", "\xe2\x80\x93"}) {
    if (b == link) return true;
  }
  return false;
}

// "Date: 4 November 2023" / "Datum: 6.6.2024" next to "Name:" / "Place:"
// lines: the date of a labelled signature block.
bool IsLabelledSignatureDate(const DocumentText& doc, size_t i) {
  const std::string lower = Lower(fields::Trim(doc.lines[i].text));
  if (!fields::StartsWith(lower, "date:") && !fields::StartsWith(lower, "datum:") &&
      !fields::StartsWith(lower, "ort, datum:") && !fields::StartsWith(lower, "place, date:")) {
    return false;
  }
  const size_t from = i >= 5 ? i - 5 : 0, to = std::min(doc.lines.size(), i + 6);
  for (size_t k = from; k < to; ++k) {
    if (k == i || doc.lines[k].page != doc.lines[i].page) continue;
    const std::string l = Lower(fields::Trim(doc.lines[k].text));
    if (fields::StartsWith(l, "name:") || fields::StartsWith(l, "place:") || fields::StartsWith(l, "ort:")) return true;
  }
  return false;
}

}  // namespace

void ExtractDates(const Reading& reading, Agreement* out) {
  const DocumentText& doc = reading.text();
  for (size_t i = 0; i < doc.lines.size(); ++i) {
    const TextLine& line = doc.lines[i];
    // Sentence context may start on the previous line of the same block.
    std::string prev;
    if (i > 0 && doc.lines[i - 1].page == line.page && doc.lines[i - 1].block == line.block) {
      prev = doc.lines[i - 1].text + " ";
    }
    // The line with the next one of its block joined on: a date may be
    // broken across the two ("until 28th February" / "2027"). Dates that
    // start on this line are this line's.
    std::string text = line.text;
    if (i + 1 < doc.lines.size() && doc.lines[i + 1].page == line.page && doc.lines[i + 1].block == line.block) {
      text += " " + doc.lines[i + 1].text;
    }
    std::vector<ParsedDate> found = FindDates(text);
    std::erase_if(found, [&](const ParsedDate& d) { return d.begin >= line.text.size(); });
    std::vector<ParsedDate> on_line = found;
    std::erase_if(on_line, [&](const ParsedDate& d) { return d.end > line.text.size(); });
    // "Kassel, 12.03.26": a two-digit year, read only on a place-and-date line.
    bool short_year = false;
    if (found.empty()) {
      if (auto pd = fields::ParsePlaceDateLine(line.text)) {
        found = on_line = {pd->date};
        short_year = true;
      }
    }
    for (size_t k = 0; k < found.size(); ++k) {
      const ParsedDate& d = found[k];
      DateKind kind = DateKind::kOther;
      if (short_year || (d.end <= line.text.size() && fields::ParsePlaceDateLine(line.text, on_line)) ||
          IsLabelledSignatureDate(doc, i)) {
        kind = DateKind::kSignature;
      } else {
        // Text between the previous date (or the sentence start) and this one.
        const size_t from = k > 0 ? found[k - 1].end : 0;
        // A parenthetical after the previous date annotates that date.
        std::string before = k > 0 ? WithoutParentheticals(text.substr(from, d.begin - from))
                                   : prev + text.substr(from, d.begin - from);
        const auto stop = before.find_last_of(".;:!?");
        if (stop != std::string::npos && stop + 2 < before.size()) before = before.substr(stop + 1);
        const size_t to = k + 1 < found.size() ? found[k + 1].begin : text.size();
        kind = KindFromContext(before, text.substr(d.end, to - d.end));
        // Ranges: "vom X bis Y", "from X (effective date) to Y", "X – Y".
        if (kind == DateKind::kOther && k + 1 < found.size() &&
            IsRangeLink(text.substr(d.end, found[k + 1].begin - d.end))) {
          kind = DateKind::kEffective;
        }
        if (k > 0 && IsRangeLink(text.substr(found[k - 1].end, d.begin - found[k - 1].end)) &&
            (kind == DateKind::kOther || kind == DateKind::kDeadline)) {
          kind = DateKind::kExpiry;
        }
      }
      bool seen = false;
      for (const DateItem& have : out->dates) seen |= have.date == d.iso && have.kind == kind;
      if (seen) continue;
      DateItem item;
      item.date = d.iso;
      item.text = text.substr(d.begin, d.end - d.begin);
      item.kind = kind;
      item.evidence = fields::EvidenceOf(line);
      out->dates.push_back(std::move(item));
    }
  }
}

}  // namespace pactum::extract
