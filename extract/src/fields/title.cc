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

// Whether `text` ends with a word that cannot end a name ("of", "and", "to
// the": grammar.title_small_words) or a comma: a name running on.
bool RunsOn(const Reading& reading, std::string_view text) {
  if (!text.empty() && text.back() == ',') return true;
  const size_t space = text.find_last_of(' ');
  const std::string_view last = space == std::string_view::npos ? text : text.substr(space + 1);
  return HasWord(reading.Words("grammar.title_small_words"), last);
}

// Whether the line `above` the one that names the kind is the first part of
// the name ("COLLABORATIVE RESEARCH, DEVELOPMENT AND COMMERCIALIZATION /
// AGREEMENT"): a line that ends no sentence and runs on into the next
// ("EXCLUSIVE AGENCY AND / MARKETING AGREEMENT"), or one in capitals that
// stands apart from the line above it. A line in capitals set as close to
// the line above it as to the kind's line ends a paragraph ("... COMPETITIVE
// HARM TO THE / COMPANY IF PUBLICLY DISCLOSED", "EXECUTION / VERSION").
bool StartsName(const Reading& reading, size_t above, size_t line) {
  const LineFeatures& f = reading.features(above);
  const std::string text = fields::Trim(reading.line(above).text);
  if (f.stamp || text.empty() || f.ends_sentence || reading.line(above).page != reading.line(line).page) return false;
  if (f.words > 8 || text.find_first_of("0123456789") != std::string::npos) return false;
  const bool runs_on = RunsOn(reading, text);
  if (!f.all_caps && !runs_on) return false;
  const bool paragraph = above > 0 && reading.line(above - 1).page == reading.line(above).page &&
                         f.gap_above <= reading.features(line).gap_above;
  return runs_on || !paragraph;
}

// `head` as printed from its first token on, without dashes and quotes that
// stand alone ("ODM - SUPPLY AGREEMENT"), spaces kept only where printed
// ("Amendment No. 3").
std::string WithoutLoneMarks(const std::string& head) {
  std::string out;
  size_t last_end = 0;
  for (const auto& t : TokenizeText(head, {}).tokens) {
    const bool lone = t.text == "-" || t.text == "\xe2\x80\x93" || IsQuoteMark(t.text);
    if (!lone) {
      if (!out.empty() && t.begin > last_end) out += ' ';
      out += t.text;
    }
    last_end = t.end;
  }
  return out;
}

// The kind of agreement in the title block: the first line that names one
// (joined with the next line when the name runs on, "AMENDMENT NO. 3 TO THE /
// DISTRIBUTOR AGREEMENT", or with the line above when the name starts there,
// StartsName), up to its last designation before a title stop ("between",
// "zwischen", "über", "dated"), and after whatever printed before it is not
// part of a name: a sentence, a stamp, a note in brackets, a number, a date,
// a party's legal form ("ACME, LLC MANUFACTURING AGREEMENT"), a lead-in
// ("Form of", "This": document.type_lead_ins, document.preamble_determiners).
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
  } else {
    // Up over the lines where the name begins (three at most).
    for (size_t k = i; k > 0 && i - k < 3 && lines[k - 1] + 1 == lines[k] && StartsName(reading, lines[k - 1], lines[k]);
         --k) {
      head = text_of(k - 1) + " " + head;
    }
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
  const std::string before = head.substr(0, first_hit);
  const Tokens tokens = TokenizeText(before, reading.Words("parties.legal_forms"));
  for (const auto& hit : FindAllPhrases(before, reading.Words("parties.legal_forms"))) start = std::max(start, hit.end);
  for (const auto& hit : FindAllPhrases(before, reading.Words("document.furniture"))) start = std::max(start, hit.end);
  for (const auto& t : tokens.tokens) {
    const bool number = t.text.find_first_of("0123456789") != std::string::npos;
    const bool closes = t.text == "." || t.text == ")" || t.text == "]" || t.text == ":" || t.text == ";";
    if (number || closes) start = std::max(start, t.end);
  }
  head = fields::Trim(head.substr(start));
  for (const char* key : {"document.type_lead_ins", "document.preamble_determiners"}) {
    if (auto lead = StartsWithPhrase(head, reading.Words(key))) {
      std::string rest = fields::Trim(head.substr(lead->end));
      if (!reading.Designations(rest).empty()) head = std::move(rest);
    }
  }
  return WithoutLoneMarks(head);
}

// A word that may stand inside a kind's name: capitalised, "&", or a small
// word of titles ("and", "of", "über").
bool InKindName(const Reading& reading, std::string_view word) {
  return fields::StartsUpper(word) || word == "&" || HasWord(reading.Words("grammar.title_small_words"), word);
}

// A line that is nothing but the name of a kind ("EXCLUSIVE LICENSE AND
// PRODUCT DEVELOPMENT AGREEMENT", "Promotion Agreement between"): a
// designation at its end or before a title stop, and every word before it
// capitalised, a small word of titles or "&".
bool IsKindLine(const Reading& reading, size_t line) {
  std::string text = fields::Trim(reading.line(line).text);
  if (auto stop = FindPhrase(text, reading.Words("document.title_stops")); stop && stop->begin > 0) {
    text = fields::Trim(text.substr(0, stop->begin));
  }
  const auto hits = reading.Designations(text);
  if (hits.empty() || hits.back().end != text.size() || reading.features(line).stamp) return false;
  size_t words = 0;
  for (const auto& t : TokenizeText(text, {}).tokens) {
    if (!InKindName(reading, t.text) && t.text != "-" && t.text != ",") return false;
    words += t.text == "&" || t.text == "-" || t.text == "," || fields::StartsUpper(t.text);
  }
  return words <= 12;
}

// Whether `word` closes what is before it: a sentence, a clause, a note.
bool Closes(std::string_view word) {
  return !word.empty() && std::string_view(".,:;)]").find(word.back()) != std::string_view::npos;
}

// "This Co-Branding Agreement (the "Agreement") is made …": the kind named
// by the preamble, when the document has no title block: a line of the
// preamble that is nothing but the kind's name (a title the zones did not
// set apart), else the first designation of its first sentence with the
// capitalised words around it ("THIS LICENSE AND RESELLER AGREEMENT dated").
std::string TypeFromPreamble(const Reading& reading) {
  const auto lines = reading.LinesIn(Zone::kParties);
  for (size_t k = 0; k < lines.size() && k < 6; ++k) {
    if (!IsKindLine(reading, lines[k])) continue;
    // With the line above, where the name may begin.
    if (k > 0) {
      const std::string above = fields::Trim(reading.line(lines[k - 1]).text);
      if (reading.Designations(above).empty() || RunsOn(reading, above)) return TypeOf(reading, {lines[k - 1], lines[k]});
    }
    return TypeOf(reading, {lines[k]});
  }
  std::string text;
  for (size_t k = 0; k < lines.size() && k < 4; ++k) text += " " + reading.line(lines[k]).text;
  const auto hits = reading.Designations(text);
  // The first designation near the start that is no label ("NOTE: ...").
  const auto hit = std::find_if(hits.begin(), hits.end(), [&](const PhraseHit& h) {
    return h.begin > 300 || h.end >= text.size() || text[h.end] != ':';
  });
  if (hit == hits.end() || hit->begin > 300) return {};
  // Back over capitalised words to the first that is not.
  size_t begin = hit->begin;
  while (begin > 0) {
    size_t p = begin;
    while (p > 0 && text[p - 1] == ' ') --p;
    size_t q = p;
    while (q > 0 && text[q - 1] != ' ') --q;
    if (q == p) break;
    const std::string word = text.substr(q, p - q);
    if (Closes(word) || (!fields::StartsUpper(word) && word.find('-') == std::string::npos)) break;
    if (StartsWithPhrase(word, reading.Words("document.title_stops")) ||
        HasWord(reading.Words("document.preamble_determiners"), word)) {
      break;
    }
    begin = q;
  }
  // On over capitalised and small words to the last designation among them
  // ("LICENSE AND RESELLER AGREEMENT").
  size_t end = hit->end;
  for (auto next = hit + 1; next != hits.end(); ++next) {
    const auto between = TokenizeText(text.substr(end, next->begin - end), {}).tokens;
    const bool name = std::all_of(between.begin(), between.end(),
                                  [&](const Token& t) { return InKindName(reading, t.text); });
    if (!name) break;
    end = next->end;
  }
  return fields::Trim(text.substr(begin, end - begin));
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
