// Type, title and subject from the title zone (or the preamble's first
// sentence); the line kinds of header.h.

#include <algorithm>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/header.h"
#include "fields/regex.h"
#include "reading/language_data.h"
#include "reading/tokens.h"

namespace pactum::extract {
namespace fields {

bool IsPageNumberLine(const std::string& text) {
  if (text.size() > 24 || text.find_first_of("0123456789") == std::string::npos) return false;
  // "Page 2 of 7" (document.page_words, document.page_of), "- 3 -", "3/7", "3".
  static const Regex re(
      "^\\s*(?:(?:" + RegexAlternation(LanguageData::Get().List("", "document.page_words")) +
          ")\\s*[0-9]+(?:\\s*(?:" + RegexAlternation(LanguageData::Get().List("", "document.page_of")) +
          "|/)\\s*[0-9]+)?|[-–]\\s*[0-9]+\\s*[-–]|[0-9]+\\s*/\\s*[0-9]+|[0-9]{1,3})\\s*$",
      Regex::kIgnoreCase);
  return re.Search(text);
}

const std::vector<std::string>& SectionWords() {
  static const std::vector<std::string> words = LanguageData::Get().List("", "document.section_words");
  return words;
}

bool IsSectionHeading(const std::string& text) {
  const std::string t = Trim(text);
  // OCR reads "§" as "$" or "&" at times.
  bool candidate = StartsWith(t, "\xc2\xa7") || StartsWith(t, "$ ") || StartsWith(t, "& ");
  // Roman-numbered headings: "I. Purpose", "IV. Funding" (OCR: "li. Duration").
  static const Regex roman(R"([IVXLl]{1,5}\.\s+\p{Lu}\p{L}+.*)");
  if (roman.FullMatch(t)) return true;
  // "Article 4 …", "§ 3 …", or a heading alone: "Präambel", "Recitals" (document.section_words,
  // document.section_headings; written as printed, capitalised).
  static const std::vector<std::string> headings = LanguageData::Get().List("", "document.section_headings");
  for (const auto* list : {&SectionWords(), &headings}) {
    for (const auto& w : *list) candidate = candidate || StartsWith(t, w);
  }
  if (!candidate) return false;
  static const Regex re("^\\s*(?:[§$&]\\s*[0-9]+[a-z]?\\b.*|(?:" + RegexAlternation(SectionWords()) +
                            ")\\s+[0-9]+\\b.*|" + RegexAlternation(headings) + ")\\s*$",
                        Regex::kNone);
  return re.Search(text);
}

bool IsNumberedClauseHeading(const std::string& text) {
  static const Regex clause(R"(\s*[0-9]{1,2}\.?\s+\p{Lu}[\p{L}-]*(?:\s+\S+){0,4}\s*)");
  return clause.FullMatch(text);
}

}  // namespace fields

namespace {

// Joined title lines, a hyphen at a line end repaired.
std::string JoinedText(const Reading& reading, const std::vector<size_t>& lines) {
  std::string text;
  for (size_t li : lines) text = text.empty() ? fields::Trim(reading.line(li).text) : fields::JoinLines(text, fields::Trim(reading.line(li).text));
  return fields::CollapseSpaces(text);
}

// The kind of agreement in the title block: the first line that names one
// (joined with the next line when the name runs on, "AMENDMENT NO. 3 TO THE /
// DISTRIBUTOR AGREEMENT", or with a short line above it, "MOBILE NETWORK /
// HOSTING AGREEMENT"), up to its last designation before a title stop
// ("between", "zwischen", "über", "dated"), and after whatever printed
// before it is not part of a name: a sentence, a stamp, a number, a date,
// a party's legal form ("ACME, LLC MANUFACTURING AGREEMENT").
std::string TypeOf(const Reading& reading, const std::vector<size_t>& lines) {
  auto text_of = [&](size_t k) { return fields::Trim(reading.line(lines[k]).text); };
  size_t i = 0;
  while (i < lines.size() && reading.Designations(text_of(i)).empty()) ++i;
  if (i == lines.size()) return {};
  std::string head = text_of(i);
  const auto hits = reading.Designations(head);
  if (hits.back().end < head.size() && i + 1 < lines.size() && !reading.Designations(text_of(i + 1)).empty() &&
      !FindPhrase(head.substr(hits.back().end), reading.Words("document.title_stops"))) {
    head = fields::JoinLines(head, text_of(i + 1));
  } else if (i > 0 && reading.features(lines[i - 1]).words <= 4 && reading.features(lines[i - 1]).all_caps &&
             !reading.features(lines[i - 1]).stamp && text_of(i - 1).find_first_of("0123456789.,") == std::string::npos) {
    head = text_of(i - 1) + " " + head;
  }
  if (auto stop = FindPhrase(head, reading.Words("document.title_stops")); stop && stop->begin > 0) {
    head = fields::Trim(head.substr(0, stop->begin));
  }
  const auto in_head = reading.Designations(head);
  if (in_head.empty()) return {};
  const size_t first_hit = in_head.front().begin;
  head = head.substr(0, in_head.back().end);
  // The last place before the first designation where a name cannot go on.
  size_t start = 0;
  const Tokens tokens = TokenizeText(head.substr(0, first_hit), reading.Words("parties.legal_forms"));
  for (const auto& hit : FindAllPhrases(head.substr(0, first_hit), reading.Words("parties.legal_forms"))) start = std::max(start, hit.end);
  for (const auto& hit : FindAllPhrases(head.substr(0, first_hit), reading.Words("document.furniture"))) start = std::max(start, hit.end);
  for (const auto& t : tokens.tokens) {
    const bool number = t.text.find_first_of("0123456789") != std::string::npos;
    const bool closes = t.text == "." || t.text == ")" || t.text == ":" || t.text == ";";
    if (number || closes) start = std::max(start, t.end);
  }
  head = fields::Trim(head.substr(start));
  // Dashes and quotes standing alone are not part of the kind ("ODM - SUPPLY AGREEMENT").
  std::string out;
  for (const auto& t : TokenizeText(head, {}).tokens) {
    if (t.text == "-" || t.text == "\xe2\x80\x93" || IsQuoteMark(t.text) || t.text == ",") {
      if (t.text == ",") out += ",";
      continue;
    }
    if (!out.empty() && out.back() != '-') out += ' ';
    out += t.text;
  }
  return out;
}

// "This Co-Branding Agreement (the "Agreement") is made …": the kind named
// by the preamble's first sentence, when the document has no title block.
std::string TypeFromPreamble(const Reading& reading) {
  const auto lines = reading.LinesIn(Zone::kParties);
  std::string text;
  for (size_t k = 0; k < lines.size() && k < 4; ++k) text += " " + reading.line(lines[k]).text;
  const auto hits = reading.Designations(text);
  if (hits.empty() || hits.front().begin > 300) return {};
  const PhraseHit* hit = &hits.front();
  // Back over capitalised words to the first that is not.
  size_t begin = hit->begin;
  while (begin > 0) {
    size_t p = begin;
    while (p > 0 && text[p - 1] == ' ') --p;
    size_t q = p;
    while (q > 0 && text[q - 1] != ' ') --q;
    if (q == p) break;
    const std::string word = text.substr(q, p - q);
    if (!fields::StartsUpper(word) && word.find('-') == std::string::npos) break;
    if (StartsWithPhrase(word, reading.Words("document.title_stops")) || word == "This" || word == "THIS" ||
        word == "Dieser" || word == "Diese" || word == "DIESE" || word == "DIESER") {
      break;
    }
    begin = q;
  }
  return fields::Trim(text.substr(begin, hit->end - begin));
}

}  // namespace

void ExtractTitle(const Reading& reading, Agreement* out) {
  const auto lines = reading.LinesIn(Zone::kTitle);
  const std::string title = JoinedText(reading, lines);
  std::string type = lines.empty() ? std::string() : TypeOf(reading, lines);
  if (type.empty()) type = TypeFromPreamble(reading);
  if (type.empty()) return;
  if (fields::IsAllCaps(type)) type = fields::TitleCase(type);
  out->type = type;
  out->title = title.empty() ? type : title;
  // The subject: what the title says after the kind ("über die Förderung …").
  if (!title.empty()) {
    if (auto stop = FindPhrase(title, reading.Words("document.subject_leads")); stop) {
      std::string subject = fields::Trim(title.substr(stop->end));
      // A year of its own on the next title line belongs to the title, not the subject.
      if (subject.size() > 5 && subject[subject.size() - 5] == ' ' &&
          std::all_of(subject.end() - 4, subject.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
        subject = fields::Trim(subject.substr(0, subject.size() - 5));
      }
      if (!subject.empty()) out->subject = fields::IsAllCaps(subject) ? fields::TitleCase(subject) : subject;
    }
  }
}

}  // namespace pactum::extract
