#include "fields/clauses.h"

#include <algorithm>
#include <cctype>

#include "fields/common.h"

namespace pactum::extract::fields {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Bytes of the longest sentence read as one (a long clause has 1000).
constexpr size_t kMaxSentence = 2000;

// A sentence starts after ". " when what follows opens one: a capital, a
// digit, a bracket, a quote or a section sign.
bool OpensSentence(std::string_view text, size_t at) {
  if (at >= text.size()) return true;
  const unsigned char c = static_cast<unsigned char>(text[at]);
  if (std::isdigit(c) || c == '(' || c == '[' || c == '"' || c == '\'') return true;
  // "ix) ", "b) ": a list item
  size_t i = at;
  while (i < text.size() && i - at < 4 && std::islower(static_cast<unsigned char>(text[i]))) ++i;
  if (i > at && i < text.size() && text[i] == ')') return true;
  if (StartsUpper(text.substr(at))) return true;
  // “ ” „ ‘ § (UTF-8 lead bytes E2 / C2)
  return c == 0xE2 || (c == 0xC2 && at + 1 < text.size() && static_cast<unsigned char>(text[at + 1]) == 0xA7);
}

// The dot at `dot` ends an abbreviation ("Inc.", "No.", "U.S.", "Abs.",
// clauses.abbreviations) or a single letter ("C."), not a sentence.
bool AfterAbbreviation(const Reading& reading, std::string_view text, size_t dot) {
  size_t b = dot;
  while (b > 0 && !IsSpace(text[b - 1]) && text[b - 1] != '(') --b;
  const std::string word = Lower(text.substr(b, dot - b));
  if (word.empty()) return false;
  if (word.size() == 1) return std::isalpha(static_cast<unsigned char>(word[0])) != 0;
  const auto& list = reading.Words("clauses.abbreviations");
  return std::find(list.begin(), list.end(), word) != list.end();
}

}  // namespace

size_t ZoneText::LineAt(size_t offset) const {
  const auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  return it == starts.begin() ? 0 : static_cast<size_t>(it - starts.begin()) - 1;
}

Evidence ZoneText::EvidenceOf(const Reading& reading, Span span, double confidence) const {
  Evidence e;
  if (lines.empty()) return e;
  const size_t first = LineAt(span.begin);
  const size_t last = LineAt(span.end > span.begin ? span.end - 1 : span.begin);
  const TextLine& head = reading.line(lines[first]);
  e.page = head.page;
  Box box = head.box;
  for (size_t i = first + 1; i <= last && i < lines.size(); ++i) {
    const TextLine& l = reading.line(lines[i]);
    if (l.page == head.page) box = box.Union(l.box);
  }
  e.bbox = box;
  e.confidence = std::clamp(confidence * head.confidence, 0.0, 1.0);
  return e;
}

std::vector<std::vector<Zone>> ClausePasses(const Reading& reading) {
  size_t body = 0, other = 0;
  for (size_t i = 0; i < reading.size(); ++i) {
    const Zone z = reading.zone(i);
    if (z == Zone::kBody) ++body;
    if (z == Zone::kRecitals || z == Zone::kSignature) ++other;
  }
  if (body < other) return {{Zone::kParties, Zone::kBody, Zone::kRecitals, Zone::kSignature}, {Zone::kAnnex}};
  return {{Zone::kParties, Zone::kBody}, {Zone::kAnnex}, {Zone::kRecitals, Zone::kSignature}};
}

ZoneText TextOf(const Reading& reading, const std::vector<Zone>& zones) {
  ZoneText out;
  std::vector<size_t> breaks;  // forced sentence boundaries
  const std::vector<std::string>& conjunctions = reading.Words("grammar.list_conjunctions");
  for (size_t i = 0; i < reading.size(); ++i) {
    if (std::find(zones.begin(), zones.end(), reading.zone(i)) == zones.end()) continue;
    const std::string line = Trim(reading.line(i).text);
    if (line.empty()) continue;
    const LineFeatures& f = reading.features(i);
    // A heading line: in capitals, or numbered, short and ending well before the margin
    // ("§ 9 Schlussbestimmungen", "12. Term").
    const bool heading = (f.all_caps && f.words <= 10) ||
                         (f.numbered_heading && f.words <= 6 && !f.ends_sentence && f.right < 0.6);
    if (!out.text.empty()) {
      // "Fachkräfte-" + "sicherung", "termi-" + "nation": the hyphen of a
      // broken word goes; "Ausbildungs-" + "und" keeps it.
      const std::string& t = out.text;
      if (t.size() >= 2 && t.back() == '-' && std::isalpha(static_cast<unsigned char>(t[t.size() - 2])) &&
          StartsLower(line) && !HasWord(conjunctions, line.substr(0, line.find(' ')))) {
        out.text.pop_back();
      } else {
        out.text += ' ';
      }
    }
    if (heading || f.numbered_heading) breaks.push_back(out.text.size());
    out.starts.push_back(out.text.size());
    out.lines.push_back(i);
    out.text += line;
    if (heading) breaks.push_back(out.text.size());
  }
  // Sentence ends: ". " before a sentence opener, unless after an abbreviation;
  // "; " and ": " before a sentence opener or a numbered list end a clause, which is read as one.
  const std::string& t = out.text;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i] != '.' && t[i] != '!' && t[i] != '?' && t[i] != ';' && t[i] != ':') continue;
    if (!IsSpace(t[i + 1])) continue;
    size_t next = i + 1;
    while (next < t.size() && IsSpace(t[next])) ++next;
    // A semicolon ends a clause; a colon ends one before a list or a sentence ("events: 9.1.1 ...",
    // "as follows: The Initial Term ...").
    if (t[i] == ';' || (t[i] == ':' && OpensSentence(t, next))) {
      breaks.push_back(i + 1);
      continue;
    }
    if (t[i] == ':') continue;
    if (!OpensSentence(t, next)) continue;
    if (t[i] == '.' && AfterAbbreviation(reading, t, i)) continue;
    breaks.push_back(i + 1);
  }
  breaks.push_back(0);
  breaks.push_back(t.size());
  std::sort(breaks.begin(), breaks.end());
  breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
  for (size_t k = 0; k + 1 < breaks.size(); ++k) {
    Span s{breaks[k], breaks[k + 1]};
    while (s.begin < s.end && IsSpace(t[s.begin])) ++s.begin;
    while (s.end > s.begin && IsSpace(t[s.end - 1])) --s.end;
    // A "sentence" longer than any clause is text without punctuation (a table, a list):
    // read in pieces, so that the work per sentence stays bounded.
    while (s.size() > kMaxSentence) {
      size_t cut = s.begin + kMaxSentence;
      while (cut > s.begin + kMaxSentence / 2 && !IsSpace(t[cut])) --cut;
      out.sentences.push_back({s.begin, cut});
      s.begin = cut;
      while (s.begin < s.end && IsSpace(t[s.begin])) ++s.begin;
    }
    if (s.begin < s.end) out.sentences.push_back(s);
  }
  return out;
}

size_t SentenceAt(const ZoneText& text, size_t offset) {
  const auto it = std::upper_bound(text.sentences.begin(), text.sentences.end(), offset,
                                   [](size_t o, const Span& s) { return o < s.begin; });
  return it == text.sentences.begin() ? 0 : static_cast<size_t>(it - text.sentences.begin()) - 1;
}

std::vector<Span> Words(std::string_view text, size_t from, size_t to) {
  std::vector<Span> out;
  to = std::min(to, text.size());
  size_t i = from;
  while (i < to) {
    while (i < to && IsSpace(text[i])) ++i;
    if (i >= to) break;
    const size_t b = i;
    while (i < to && !IsSpace(text[i])) ++i;
    out.push_back({b, i});
  }
  return out;
}

bool NumberingWord(const Reading& reading, std::string_view word) {
  if (std::any_of(word.begin(), word.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    return true;
  }
  std::string w = Lower(word);
  while (!w.empty() && (w.back() == '.' || w.back() == ')' || w.back() == ':')) w.pop_back();
  if (!w.empty() && w.front() == '(') w.erase(w.begin());
  if (w.empty() || w == "-" || w == "\xe2\x80\x93") return true;                          // - –
  if (w.size() == 1 && std::isalpha(static_cast<unsigned char>(w[0]))) return true;       // "A." "(b)"
  if (w.size() <= 4 && w.find_first_not_of("ivxl") == std::string::npos) return true;    // roman
  const auto& names = reading.Words("document.clause_numbers");
  return std::find(names.begin(), names.end(), w) != names.end();
}

size_t AfterNumbering(const Reading& reading, std::string_view text) {
  for (const Span& w : Words(text)) {
    if (!NumberingWord(reading, text.substr(w.begin, w.size()))) return w.begin;
  }
  return text.size();
}

Span TrimPunctuation(std::string_view text, Span word) {
  auto punct = [](unsigned char c) {
    return c == ',' || c == ';' || c == ':' || c == '.' || c == '(' || c == ')' || c == '[' || c == ']' ||
           c == '"' || c == '\'';
  };
  // Curly quotes are three bytes: E2 80 9C / 9D / 98 / 99 and „ E2 80 9E.
  auto curly = [&](size_t at) {
    return at + 2 < text.size() && static_cast<unsigned char>(text[at]) == 0xE2 &&
           static_cast<unsigned char>(text[at + 1]) == 0x80;
  };
  while (word.begin < word.end) {
    if (punct(static_cast<unsigned char>(text[word.begin]))) {
      ++word.begin;
    } else if (word.end - word.begin >= 3 && curly(word.begin)) {
      word.begin += 3;
    } else {
      break;
    }
  }
  while (word.end > word.begin) {
    if (punct(static_cast<unsigned char>(text[word.end - 1]))) {
      --word.end;
    } else if (word.end - word.begin >= 3 && curly(word.end - 3)) {
      word.end -= 3;
    } else {
      break;
    }
  }
  return word;
}

}  // namespace pactum::extract::fields
