// Funded projects: the items of bulleted lists under a numbered category
// ("1. Ausbildungsvorbereitung" / "– A.N.K.E.R.") or, for unnumbered lists,
// under the heading of their section ("§ 3 Gegenstand der Förderung").
//
// Categories may wrap over several lines (continuation lines are indented to
// the category's text) and lists may run across page breaks; page furniture
// such as "Seite 2" is skipped. A list counts as a project list only when its
// category or its lead-in speaks of projects, measures or funding, so other
// enumerations (obligations, annexes) are not reported as projects.

#include <algorithm>
#include <cmath>
#include <map>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/header.h"
#include "fields/regex.h"

namespace pactum::extract {
namespace {

using fields::Lower;
using fields::Trim;

// A list item: "– Name", "• Name", "▪ Name", "- Name", "(a) Name", "b) Name".
// With `indented` (the line stands right of the list's lead-in) a single
// stray glyph before a capitalised name also counts: OCR reads small bullets
// as "a", "w", "e" or "«".
bool BulletText(const std::string& text, bool indented, std::string* item) {
  static const char* const kBullets[] = {"\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\xa2", "\xe2\x96\xaa", "\xe2\x97\xa6",
                                         "\xc2\xb7",     "\xe2\x96\xa0", "\xe2\x96\xa1", "\xe2\x80\xa3", "\xe2\x97\x8f",
                                         "\xef\x82\xb7", "-",            "*",            "o"};
  const std::string t = Trim(text);
  for (const char* b : kBullets) {
    const std::string_view bv(b);
    if (fields::StartsWith(t, bv) && t.size() > bv.size() + 1 && t[bv.size()] == ' ') {
      *item = Trim(t.substr(bv.size()));
      return true;
    }
  }
  static const fields::Regex enumerated(R"(\(?(?:[a-z]|i{1,3}|iv|v|vi{1,3})\)\s+(\S.*))");
  fields::Match m;
  if (enumerated.FullMatch(t, &m)) {
    *item = Trim(m.str(1));
    return true;
  }
  if (indented) {
    static const fields::Regex stray(R"((?:[^\p{L}\p{N}\s(]{1,2}|\p{Ll})\s+([\p{Lu}„“"»].*))");
    if (stray.FullMatch(t, &m)) {
      *item = Trim(m.str(1));
      return true;
    }
  }
  return false;
}

// "1. Ausbildungsvorbereitung", "2) Outreach", and a named category with
// its number: "Maßnahmenbereich 1: Digitale Lehre", "Work Package 2 – Outreach".
bool NumberedText(const std::string& text, int* number, std::string* rest) {
  static const fields::Regex numbered(R"(\s*([0-9]{1,2})[.)]\s+(\S.*))");
  static const fields::Regex named(
      R"(\s*\p{Lu}[\p{L}-]+(?:\s+\p{Lu}[\p{L}-]+)?\s+([0-9]{1,2})\s*(?::|\.|–|—|-)\s+(\p{Lu}.*))");
  fields::Match m;
  if (!numbered.FullMatch(text, &m) && !named.FullMatch(text, &m)) return false;
  *number = std::stoi(m.str(1));
  *rest = m.str(2);
  return true;
}

// Hierarchical numbering: "1.1 Talentscouting" under "1 Berufsorientierung".
bool SubNumberedText(const std::string& text, int* parent, std::string* rest) {
  static const fields::Regex re(R"(\s*([0-9]{1,2})\.[0-9]{1,2}\.?\s+(\S.*))");
  fields::Match m;
  if (!re.FullMatch(text, &m)) return false;
  *parent = std::stoi(m.str(1));
  *rest = m.str(2);
  return true;
}

// "1 Berufsorientierung" followed by "1.1 …": a category numbered without a dot.
bool BareNumberedHeading(const std::string& text, const std::string& next, int* number, std::string* rest) {
  static const fields::Regex re(R"(\s*([0-9]{1,2})\s+(\p{Lu}.*))");
  fields::Match m;
  int parent = 0;
  std::string sub;
  if (!re.FullMatch(text, &m) || !SubNumberedText(next, &parent, &sub)) return false;
  *number = std::stoi(m.str(1));
  *rest = m.str(2);
  return parent == *number;
}

// True when the text announces funded projects: a projects.list_cues stem
// ("Projekt", "gefördert", "work package") occurs in it.
bool SpeaksOfProjects(const Reading& reading, const std::string& text) {
  const std::string lower = fields::Lower(text);
  const auto& cues = reading.Words("projects.list_cues");
  return std::any_of(cues.begin(), cues.end(), [&](const std::string& c) { return lower.find(c) != std::string::npos; });
}

std::string CleanName(std::string s) {
  s = Trim(s);
  // OCR specks after the name: "Berufliche Sprachförderung Plus ©".
  for (;;) {
    const size_t sp = s.rfind(' ');
    if (sp == std::string::npos) break;
    const std::string last = s.substr(sp + 1);
    bool symbol = last.size() <= 3;
    for (char c : last) symbol &= !std::isalnum(static_cast<unsigned char>(c)) && c != '"' && c != ')' && c != '.';
    if (!symbol || last.rfind("\xe2\x80\x9c", 0) == 0) break;
    s = Trim(s.substr(0, sp));
  }
  while (!s.empty() && (s.back() == ';' || s.back() == ',')) s.pop_back();
  // Quotes around the whole name: „Azubi-Lotsen“, "Name", “Name”.
  static const char* const kOpen[] = {"\xe2\x80\x9e", "\xe2\x80\x9c", "\"", "\xc2\xbb", "\xe2\x80\x9a"};
  static const char* const kClose[] = {"\xe2\x80\x9c", "\xe2\x80\x9d", "\"", "\xc2\xab", "\xe2\x80\x98"};
  for (const char* o : kOpen) {
    if (fields::StartsWith(s, o)) {
      for (const char* c : kClose) {
        if (fields::EndsWith(s, c) && s.size() > std::string_view(o).size() + std::string_view(c).size()) {
          s = s.substr(std::string_view(o).size(), s.size() - std::string_view(o).size() - std::string_view(c).size());
          break;
        }
      }
    }
  }
  // Dotted acronyms are letters: OCR's "K.0.M.P.A.S.S." is "K.O.M.P.A.S.S.".
  static const fields::Regex dotted(R"((?:\b[\p{Lu}0158]\.){3,})");
  fields::Match m;
  for (size_t at = 0; dotted.Search(s, &m, at); at = m.end(0)) {
    std::string run = m.str(0);
    bool has_letter = false;
    for (char c : run) has_letter |= std::isalpha(static_cast<unsigned char>(c)) != 0;
    if (!has_letter) continue;
    for (char& c : run) {
      if (c == '0') c = 'O';
      else if (c == '1') c = 'I';
      else if (c == '5') c = 'S';
      else if (c == '8') c = 'B';
    }
    s.replace(m.position(0), run.size(), run);
  }
  // A dot OCR lost inside such an acronym: "QU.A.L.I.-Netz" is "Q.U.A.L.I.-Netz".
  static const fields::Regex merged(R"(\b(\p{Lu})(\p{Lu})\.(?=(?:\p{Lu}\.){2,}))");
  if (merged.Search(s, &m)) s.replace(m.position(0), m.length(0), m.str(1) + "." + m.str(2) + ".");
  return Trim(s);
}

// A line of a table, not a list item: it states an amount ("EUR 300.000"),
// or another line stands beside it on the same row ("Partner" | "Beitrag").
bool IsTableRow(const std::vector<TextLine>& lines, const TextLine& line) {
  if (!FindAmounts(line.text).empty()) return true;
  const double h = std::max(6.0, line.box.height());
  for (const auto& other : lines) {
    if (&other == &line || other.page != line.page) continue;
    if (std::abs(other.box.y0 - line.box.y0) < 0.5 * h && (other.box.x0 > line.box.x1 || other.box.x1 < line.box.x0)) {
      return true;
    }
  }
  return false;
}

// A note in the list rather than a project: "(Im Jahr 2025 keine Projekte …)".
bool IsNote(const std::string& text) {
  const std::string t = Trim(text);
  return t.size() > 2 && t.front() == '(' && t.back() == ')';
}

std::string HeadingTitle(const std::string& heading) {
  static const fields::Regex re(R"(\s*(?:[§$&]\s*[0-9]+[a-z]?|[IVXLl]{1,5}\.|(?:)" + fields::RegexAlternation(fields::SectionWords()) +
                                R"()\s+[0-9]+)\s*(?:[–—:.~-]\s*)?(.*))");
  fields::Match m;
  if (re.FullMatch(heading, &m)) return Trim(m.str(1));
  return Trim(heading);
}

}  // namespace

void ExtractProjects(const Reading& reading, Agreement* out) {
  const DocumentText& doc = reading.text();
  const auto& L = doc.lines;
  // Right edge of the text per page: a line reaching it may wrap.
  std::map<int, double> page_right;
  for (const auto& l : L) page_right[l.page] = std::max(page_right[l.page], l.box.x1);
  auto wraps_into = [&](const TextLine& prev, const std::string& next) {
    return fields::StartsLower(next) || fields::EndsWith(Trim(prev.text), "-") ||
           prev.box.x1 > page_right[prev.page] - 60;
  };

  std::string section;     // title of the current section heading
  std::string lead_in;     // the last ordinary line before a list
  double lead_in_x = 1e9;  // its left edge
  std::optional<int> cat_number;
  std::string category;
  double cat_text_x = 0;   // x where the category's text starts
  double item_text_x = 0;  // x where the current item's text starts
  bool in_category = false, category_open = false, in_item = false;
  // A lead-in ending in ":" that announces projects opens a list whose
  // items may come without bullets (or with bullets OCR lost).
  bool plain_list = false;
  const TextLine* prev = nullptr;  // the list's previous line
  Project* last = nullptr;

  auto listed = [&] {
    return in_category ? SpeaksOfProjects(reading, category + " " + lead_in + " " + section)
                       : SpeaksOfProjects(reading, lead_in + " " + section);
  };
  auto add = [&](const std::string& name, const TextLine& line, double text_x) {
    if (IsNote(name)) return;
    Project p;
    p.category_number = in_category ? cat_number : std::nullopt;
    p.category = in_category ? category : section;
    p.name = CleanName(name);
    p.evidence = fields::EvidenceOf(line);
    out->projects.push_back(std::move(p));
    last = &out->projects.back();
    in_item = true;
    category_open = false;
    item_text_x = text_x;
  };
  auto end_list = [&] {
    in_category = category_open = in_item = plain_list = false;
    last = nullptr;
    prev = nullptr;
    cat_number.reset();
    category.clear();
  };

  for (size_t i = 0; i < L.size(); ++i) {
    const TextLine& line = L[i];
    const std::string text = Trim(line.text);
    // Lists of projects stand in the clauses and annexes, never in page
    // furniture, the title, the preamble or the signature area.
    const Zone zone = reading.zone(i);
    if (zone == Zone::kFurniture || zone == Zone::kSignature || zone == Zone::kTitle) continue;
    if (text.empty() || fields::IsPageNumberLine(text)) continue;
    std::string item;
    int number = 0;
    std::string rest;
    if (fields::IsSectionHeading(text)) {
      section = HeadingTitle(text);
      // A heading alone on its line ("§ 1") takes its title from the next line.
      if (section.empty() && i + 1 < L.size()) section = Trim(L[i + 1].text);
      end_list();
      lead_in.clear();
      lead_in_x = line.box.x0;
      continue;
    }
    const double list_x = in_category ? cat_text_x - 8 : lead_in_x;
    if (BulletText(text, line.box.x0 > list_x + 4, &item)) {
      if (!listed()) {
        in_item = category_open = false;
        last = nullptr;
        continue;
      }
      // Where the item's text starts: the bullet plus its gap.
      add(item, line, line.box.x0 + 8);
      prev = &line;
      continue;
    }
    if (in_category && SubNumberedText(text, &number, &item) && cat_number == number && listed()) {
      add(item, line, line.box.x0 + 16);
      prev = &line;
      continue;
    }
    if (NumberedText(text, &number, &rest) ||
        (i + 1 < L.size() && BareNumberedHeading(text, Trim(L[i + 1].text), &number, &rest))) {
      end_list();
      in_category = category_open = true;
      cat_number = number;
      category = rest;
      cat_text_x = line.box.x0 + 8;
      prev = &line;
      continue;
    }
    if (category_open && prev && line.box.x0 >= cat_text_x - 2) {
      if (wraps_into(*prev, text)) {  // "… Fachkräfte-" / "sicherung"
        category = fields::JoinLines(category, text);
        prev = &line;
        continue;
      }
      if (line.box.x0 > cat_text_x + 2 && listed()) {  // an item whose bullet OCR lost
        add(text, line, line.box.x0);
        prev = &line;
        continue;
      }
    }
    if (in_item && last && prev && line.box.x0 >= item_text_x - 4) {
      if (wraps_into(*prev, text)) {
        last->name = CleanName(fields::JoinLines(last->name, text));
      } else {
        add(text, line, line.box.x0);  // the next item, bullet lost
      }
      prev = &line;
      continue;
    }
    if (plain_list && line.box.x0 > lead_in_x + 8 && (fields::StartsUpper(text) || !fields::StartsLower(text)) &&
        !IsTableRow(L, line)) {
      add(text, line, line.box.x0);
      prev = &line;
      continue;
    }
    // An ordinary line ends any list and becomes the next list's lead-in.
    end_list();
    lead_in = text;
    lead_in_x = line.box.x0;
    plain_list = fields::EndsWith(text, ":") && SpeaksOfProjects(reading, lead_in + " " + section);
  }
}

}  // namespace pactum::extract
