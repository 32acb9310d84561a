#include "fields/common.h"

#include <algorithm>
#include <cctype>

#include "fields/regex.h"
#include "reading/language_data.h"
#include "utf8.h"

namespace pactum::extract::fields {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  // In place on a copy: A-Z as the "C" locale's tolower (the process never
  // sets another), and the German capitals.
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + ('a' - 'A'));
    } else if (c == 0xC3 && i + 1 < out.size()) {
      const unsigned char d = static_cast<unsigned char>(out[i + 1]);
      // Ä Ö Ü (C3 84/96/9C) -> ä ö ü (C3 A4/B6/BC)
      if (d == 0x84 || d == 0x96 || d == 0x9C) {
        out[i + 1] = static_cast<char>(d + 0x20);
        ++i;
      }
    }
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string CollapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool StartsUpper(std::string_view s) {
  if (s.empty()) return false;
  const unsigned char c = static_cast<unsigned char>(s[0]);
  if (std::isupper(c)) return true;
  if (c == 0xC3 && s.size() > 1) {
    const unsigned char d = static_cast<unsigned char>(s[1]);
    return d >= 0x80 && d <= 0x9E;
  }
  return false;
}

bool StartsLower(std::string_view s) {
  if (s.empty()) return false;
  const unsigned char c = static_cast<unsigned char>(s[0]);
  if (std::islower(c)) return true;
  if (c == 0xC3 && s.size() > 1) {
    const unsigned char d = static_cast<unsigned char>(s[1]);
    return d >= 0x9F && d <= 0xBF;
  }
  return false;
}

bool IsWebDomain(std::string_view t) {
  const size_t dot = t.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || t.size() - dot < 3) return false;
  if (std::isalpha(static_cast<unsigned char>(t[dot - 1])) == 0) return false;
  return std::all_of(t.begin() + static_cast<std::ptrdiff_t>(dot) + 1, t.end(),
                     [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}

bool OpensName(std::string_view word) {
  if (StartsUpper(word)) return true;
  if (!StartsLower(word)) return false;
  // A capital after the first letter, before any punctuation: "eFashion", "iShip.com" (not "e-mail").
  for (size_t i = 1; i < word.size() && std::isalpha(static_cast<unsigned char>(word[i])) != 0; ++i) {
    if (std::isupper(static_cast<unsigned char>(word[i])) != 0) return true;
  }
  return IsWebDomain(word);
}

bool IsAllCaps(std::string_view s) {
  bool letters = false;
  for (size_t i = 0; i < s.size();) {
    const utf8proc_int32_t c = utf8::Next(s, &i);
    if (utf8proc_islower(c)) return false;
    letters |= utf8proc_isupper(c);
  }
  return letters;
}

std::string TitleCase(std::string_view s) {
  // Words of every language written in lower case inside a title.
  static const std::vector<std::string>& small_words = LanguageData::Get().List("", "grammar.title_small_words");
  std::string out, word;
  bool first_word = true;
  auto flush = [&] {
    if (word.empty()) return;
    // Lowercase the word by code point, then capitalise its first letter
    // unless it is a small word after the first.
    std::string lower;
    bool small = false;
    for (size_t i = 0; i < word.size();) utf8::Append(utf8proc_tolower(utf8::Next(word, &i)), &lower);
    for (const std::string& w : small_words) small |= lower == w;
    if (!small || first_word) {
      size_t first_end = 0;
      const utf8proc_int32_t c = utf8::Next(lower, &first_end);
      std::string upper;
      utf8::Append(utf8proc_toupper(c), &upper);
      lower.replace(0, first_end, upper);
    }
    out += lower;
    word.clear();
    first_word = false;
  };
  for (char c : s) {
    if (c == ' ' || c == '-') {
      flush();
      out += c;
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

std::string JoinLines(std::string_view a_in, std::string_view b_in) {
  const std::string a = Trim(a_in), b = Trim(b_in);
  if (a.empty()) return b;
  if (b.empty()) return a;
  if (a.back() == '-' && a.size() >= 2 && !std::isspace(static_cast<unsigned char>(a[a.size() - 2]))) {
    const std::string first = Lower(b.substr(0, b.find(' ')));
    // "Ausbildungs- und …": the hyphen stands for a word the conjunction's other side completes.
    static const std::vector<std::string>& conjunctions = LanguageData::Get().List("", "grammar.list_conjunctions");
    const bool conj = std::find(conjunctions.begin(), conjunctions.end(), first) != conjunctions.end();
    if (conj) return a + " " + b;                         // "Ausbildungs- und"
    if (StartsLower(b)) return a.substr(0, a.size() - 1) + b;  // "Fachkräfte-" "sicherung"
    return a + b;                                          // "Schule-" "Beruf"
  }
  return a + " " + b;
}

std::optional<PlaceDateLine> ParsePlaceDateLine(const std::string& line) {
  std::vector<ParsedDate> dates = FindDates(line);
  if (!dates.empty()) return ParsePlaceDateLine(line, dates);
  // A two-digit year, usual in a place-and-date line written by hand or
  // typed in a hurry ("Kassel, 12.03.26"); only there, after a place: in
  // running text "1.2.26" may be a version or a clause.
  // The pattern ends in ".DD" and white space: lines that do not (after
  // dropping trailing ASCII space and, as white space may be any Unicode
  // space, every non-ASCII byte) are left without running it.
  size_t n = line.size();
  while (n > 0 && (std::isspace(static_cast<unsigned char>(line[n - 1])) || static_cast<unsigned char>(line[n - 1]) >= 0x80)) {
    --n;
  }
  auto digit = [&](size_t i) { return line[i] >= '0' && line[i] <= '9'; };
  if (n < 5 || !digit(n - 1) || !digit(n - 2) || line[n - 3] != '.') return std::nullopt;
  static const Regex short_year(R"(.*\D(([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{2}))\s*)");
  Match m;
  if (!short_year.FullMatch(line, &m)) return std::nullopt;
  const int d = std::stoi(m.str(2)), mo = std::stoi(m.str(3)), yy = std::stoi(m.str(4));
  const std::optional<std::string> iso = IsoDate(yy < 70 ? 2000 + yy : 1900 + yy, mo, d);
  if (!iso) return std::nullopt;
  dates.push_back({*iso, m.position(1), m.end(1)});
  auto pd = ParsePlaceDateLine(line, dates);
  if (!pd || pd->place.empty()) return std::nullopt;
  return pd;
}

std::optional<PlaceDateLine> ParsePlaceDateLine(const std::string& line, const std::vector<ParsedDate>& dates) {
  if (dates.size() != 1) return std::nullopt;
  const ParsedDate& d = dates[0];
  if (Trim(line.substr(d.end)).size() > 2) return std::nullopt;
  const std::string head = Trim(line.substr(0, d.begin));
  if (head.empty()) return PlaceDateLine{"", d};
  // [caption] [intro] Place, [link] | Place link: signatures.place_date_captions,
  // place_intro, place_date_comma_links and place_date_links of the language data.
  static const Regex re = [] {
    const LanguageData& data = LanguageData::Get();
    auto optional = [&](const char* key, const char* after) {
      const std::string alt = RegexAlternation(data.List("", key), "\\s+");
      return alt.empty() ? std::string() : "(?:(?:" + alt + ")" + after + ")?";
    };
    const std::string links = RegexAlternation(data.List("", "signatures.place_date_links"));
    return Regex(optional("signatures.place_date_captions", "\\s*[:/]?\\s*") +
                 optional("signatures.place_intro", "\\s+") + "(\\p{Lu}[^,;:0-9]{1,40}?)\\s*(?:,\\s*" +
                 optional("signatures.place_date_comma_links", "") + (links.empty() ? "" : "|\\s+(?:" + links + ")") +
                 ")");
  }();
  Match m;
  if (!re.FullMatch(head, &m)) return std::nullopt;
  return PlaceDateLine{Trim(m.str(1)), d};
}

Evidence EvidenceOf(const TextLine& line) {
  Evidence e;
  e.page = line.page;
  e.bbox = line.box;
  e.confidence = line.confidence;
  return e;
}

}  // namespace pactum::extract::fields
