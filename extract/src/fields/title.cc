// Type, title, year and subject from the heading area; document language.

#include <algorithm>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/header.h"
#include "fields/regex.h"

namespace pactum::extract {
namespace fields {
namespace {

const Regex& YearRegex() {
  static const Regex re(R"((?:^|\s)((?:19|20)[0-9]{2})(?:\s|$))");
  return re;
}

bool IsBetween(const std::string& lower) {
  return lower == "zwischen" || lower == "between" || lower == "by and between" || StartsWith(lower, "zwischen ") ||
         StartsWith(lower, "between ") || lower == "entered into between" || lower == "abgeschlossen zwischen";
}

bool IsAnd(const std::string& lower) {
  return lower == "und" || lower == "and" || StartsWith(lower, "und ") || StartsWith(lower, "and ");
}

const char* const kSubjectLeads[] = {"über die ", "über das ", "über den ", "über ", "zur ", "zum ", "betreffend ",
                                     "bezüglich ", "on the ", "for the ", "regarding the ", "regarding ", "concerning the ",
                                     "concerning ", "relating to the ", "relating to ", "on "};

}  // namespace

bool IsPageNumberLine(const std::string& text) {
  if (text.size() > 24 || text.find_first_of("0123456789") == std::string::npos) return false;
  static const Regex re(R"(^\s*(?:(?:Seite|Page|S\.)\s*[0-9]+(?:\s*(?:von|of|/)\s*[0-9]+)?|[-–]\s*[0-9]+\s*[-–]|[0-9]+\s*/\s*[0-9]+|[0-9]{1,3})\s*$)",
                        Regex::kIgnoreCase);
  return re.Search(text);
}

bool IsSectionHeading(const std::string& text) {
  const std::string t = Trim(text);
  // OCR reads "§" as "$" or "&" at times.
  bool candidate = StartsWith(t, "\xc2\xa7") || StartsWith(t, "$ ") || StartsWith(t, "& ");
  // Roman-numbered headings: "I. Purpose", "IV. Funding" (OCR: "li. Duration").
  static const Regex roman(R"([IVXLl]{1,5}\.\s+\p{Lu}\p{L}+.*)");
  if (roman.FullMatch(t)) return true;
  for (const char* w : {"Article", "Artikel", "Art.", "Section", "Clause", "Ziffer", "Präambel", "Preamble",
                        "Vorbemerkung", "Recitals"}) {
    candidate = candidate || StartsWith(t, w);
  }
  if (!candidate) return false;
  static const Regex re(
      R"(^\s*(?:[§$&]\s*[0-9]+[a-z]?\b.*|(?:Article|Artikel|Art\.|Section|Clause|Ziffer)\s+[0-9]+\b.*|Präambel|Preamble|Vorbemerkung|Recitals)\s*$)",
      Regex::kNone);
  return re.Search(text);
}

bool IsNumberedClauseHeading(const std::string& text) {
  static const Regex clause(R"(\s*[0-9]{1,2}\.?\s+\p{Lu}[\p{L}-]*(?:\s+\S+){0,4}\s*)");
  return clause.FullMatch(text);
}

std::string SubjectFromLine(const std::string& text) {
  const std::string lower = Lower(text);
  for (const char* lead : kSubjectLeads) {
    if (StartsWith(lower, lead)) return Trim(text.substr(std::string_view(lead).size()));
  }
  return {};
}

Header FindHeader(const DocumentText& doc) {
  Header h;
  // The heading area: page 1 until the first section heading.
  std::vector<size_t> area;
  for (size_t i = 0; i < doc.lines.size() && doc.lines[i].page == 1; ++i) {
    if (IsSectionHeading(doc.lines[i].text)) break;
    if (IsPageNumberLine(doc.lines[i].text)) continue;
    area.push_back(i);
  }
  size_t k = 0;
  bool body = false;  // a numbered clause heading ("1. Services") starts the body
  for (; k < area.size(); ++k) {
    const std::string lower = Lower(Trim(doc.lines[area[k]].text));
    if (IsBetween(lower)) {
      h.between_line = area[k];
      break;
    }
    body = body || IsNumberedClauseHeading(doc.lines[area[k]].text);
    // The subject is a line of the heading, near its top ("On or before …"
    // further down is a clause).
    if (!body && k < 10 && !SubjectFromLine(doc.lines[area[k]].text).empty() && !h.title_lines.empty()) {
      h.subject_line = area[k];
      continue;
    }
    // Title lines are short; a sentence ("This Agreement is entered into as
    // of 1 March 2026 by and between …") is not one.
    const bool short_line = std::count(doc.lines[area[k]].text.begin(), doc.lines[area[k]].text.end(), ' ') < 12;
    if (h.title_lines.size() < 3 && !h.subject_line && short_line) h.title_lines.push_back(area[k]);
  }
  if (!h.between_line) return h;
  // Parties: from "zwischen" to the subject line, split at "und"/"and".
  std::vector<size_t> current;
  auto flush = [&] {
    if (!current.empty()) h.party_lines.push_back(current);
    current.clear();
  };
  const std::string between_text = Trim(doc.lines[*h.between_line].text);
  const size_t sp = between_text.find(' ');
  bool inline_first = sp != std::string::npos;  // "zwischen dem Land Hessen"
  if (inline_first) current.push_back(*h.between_line);
  for (++k; k < area.size(); ++k) {
    const size_t li = area[k];
    const std::string text = Trim(doc.lines[li].text);
    const std::string lower = Lower(text);
    if (!SubjectFromLine(text).empty() && h.party_lines.size() + (current.empty() ? 0 : 1) >= 2) {
      h.subject_line = li;
      break;
    }
    if (IsAnd(lower)) {
      flush();
      if (lower.size() > 4) current.push_back(li);  // "und dem Landkreis …"
      continue;
    }
    current.push_back(li);
  }
  flush();
  return h;
}

}  // namespace fields

void ExtractTitle(const Reading& reading, Agreement* out) {
  const DocumentText& doc = reading.text();
  const fields::Header h = fields::FindHeader(doc);
  std::string type;
  std::string reference;  // "Nr. RV-2026/04", "No. HSF-2026-017"
  std::optional<int> year;
  for (size_t li : h.title_lines) {
    std::string text = fields::Trim(doc.lines[li].text);
    fields::Match m;
    // A year of its own, not one inside a date ("as of 1 March 2026").
    if (fields::YearRegex().Search(text, &m) && FindDates(text).empty()) {
      if (!year) year = std::stoi(m.str(1));
      text = fields::Trim(m.prefix() + " " + m.suffix());
    }
    // A reference number after the kind of agreement is not part of it.
    static const fields::Regex ref(R"((.*?\S)\s+((?:Nr\.|No\.|Nummer|Number|Az\.|Ref\.|Reference)\s*:?\s*\S*[0-9]\S*)\s*)",
                                   fields::Regex::kIgnoreCase);
    if (type.empty() && ref.FullMatch(text, &m)) {
      reference = m.str(2);
      text = m.str(1);
    }
    if (!text.empty() && type.empty() && fields::SubjectFromLine(text).empty()) {
      // "Vertrag über die Förderung …", "Agreement on the implementation …":
      // the type, then its subject on the same line.
      static const fields::Regex inline_subject(R"((\p{Lu}[\p{L}-]+(?:\s+(?:of|de|zur|zum)?\s*\p{Lu}[\p{L}-]+)*)\s+((?:über|zur|zum|betreffend|on|for|regarding|concerning)\s+.+))");
      fields::Match sm;
      if (inline_subject.FullMatch(text, &sm) && !out->subject) {
        type = fields::CollapseSpaces(sm.str(1));
        out->subject = fields::SubjectFromLine(sm.str(2));
      } else {
        type = fields::CollapseSpaces(text);
      }
    }
  }
  if (!type.empty()) {
    if (fields::IsAllCaps(type)) type = fields::TitleCase(type);
    out->type = type;
    std::string title = reference.empty() ? type : type + " " + reference;
    out->title = year ? title + " " + std::to_string(*year) : title;
  }
  out->year = year;
  if (h.subject_line) {
    std::string subject = fields::SubjectFromLine(doc.lines[*h.subject_line].text);
    // A subject may wrap onto the next line of its block.
    const size_t next = *h.subject_line + 1;
    if (next < doc.lines.size() && doc.lines[next].page == 1 &&
        doc.lines[next].block == doc.lines[*h.subject_line].block && fields::StartsLower(doc.lines[next].text)) {
      subject = fields::JoinLines(subject, doc.lines[next].text);
    }
    if (!subject.empty()) out->subject = subject;
  }
}

}  // namespace pactum::extract
