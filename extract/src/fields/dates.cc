// Dates and their kind, with every word from the language data
// (data/<lang>/dates.json): month names, ordinal words and suffixes, kind
// cues, labels.
//
//   2.8.2025  2. August 2025  1 March 2025  March 1, 2025  2025-03-01
//   4/1/2018 (month or day first)  the 1st day of April, 2018
//   this twenty-first day of May 2019  8/4/10 (in a signature block)
//
// Reading: dates are read per paragraph (the lines of one layout block), in
// every zone but the furniture (filing stamps, running heads). A slashed
// date whose numbers do not decide its order follows the document: a date
// such as 4/23/2018 anywhere in it proves month first, 23/4/2018 day first;
// without such evidence the document's language decides (numeric_order).
// A two-digit year is read only in a signature block or right after a
// label or cue ("Date: 8/4/10", "effective 7/1/98").
//
// Kind, first that applies:
//   signature  a place-and-date line (a date alone on its line only in the
//              signature area), a "Date:" line of a signature block, the
//              title's "Vom <date>" line (title_signature);
//   a definition after the date: "(the "Effective Date")" (annotations);
//   a cue right after it: "tritt am … in Kraft" (effective_after);
//   the cue nearest before it in its clause. Cues that name the kind
//   (*_explicit: "Effective Date:", "made effective") count anywhere; the
//   others ("commence", "until", "bis zum", "Geschehen zu … am") only where
//   the sentence is about the agreement itself: the title, the preamble
//   sentence naming the parties, a self reference ("this Agreement", "Der
//   Vertrag": self_determiners, definite_articles and
//   document.designations) or a term word ("the Term", "Laufzeit") in it,
//   in the sentence before when it opens with a pronoun ("It expires on"),
//   or in the clause heading; closing formulas also in the signature area.
//   A weak deadline cue right before the date ("by", "bis zum") makes a
//   deadline where the sentence states a duty (duty words, a party, a
//   zu-infinitive); ranges ("from … to …", "vom … bis …"): effective and
//   expiry; any other date of the signature area is a signature's.
// "tritt mit Unterzeichnung in Kraft" / "effective upon execution" makes the
// latest signature date the effective date (effective_on_signature).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "fields/amounts.h"
#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/regex.h"
#include "utf8.h"

namespace pactum::extract {
namespace {

using fields::Lower;
constexpr size_t kNpos = std::string::npos;

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

int ToInt(std::string_view s) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && ptr == s.data() + s.size() ? v : 0;
}


// Lowercase without spaces and hyphens: "Twenty-First" and "twenty first"
// are one key.
std::string WordKey(std::string_view s) {
  std::string out;
  for (char c : Lower(s)) {
    if (c != ' ' && c != '-' && c != '\t' && c != '\n') out += c;
  }
  return out;
}

// The date patterns, built from the language data of every language.
class DateGrammar {
 public:
  // The grammar of the built-in data, made once.
  static const DateGrammar& Builtin() {
    static const DateGrammar grammar(LanguageData::Get());
    return grammar;
  }
  // That of `data`: the built-in one, or one made for other data.
  static std::shared_ptr<const DateGrammar> For(const LanguageData& data) {
    if (&data == &LanguageData::Get()) return std::shared_ptr<const DateGrammar>(&Builtin(), [](const DateGrammar*) {});
    return std::shared_ptr<const DateGrammar>(new DateGrammar(data));
  }

  struct Raw {
    size_t begin = 0, end = 0;
    int y = 0, m = 0, d = 0;
    bool short_year = false;
  };

  // Every date in `text`, left to right, not overlapping.
  std::vector<Raw> Scan(const std::string& text, DateOrder order, bool short_years) const {
    std::vector<Raw> found;
    size_t run = 0, best = 0;
    for (char c : text) {
      run = c >= '0' && c <= '9' ? run + 1 : 0;
      best = std::max(best, run);
    }
    // Without four digits (two with short years) only a year in words may make a date.
    const bool digits = best >= (short_years ? 2u : 4u);
    auto add = [&](const fields::Match& m, int y, int mo, int d, bool short_year) {
      if (!ValidDate(y, mo, d)) return;
      found.push_back({m.position(0), m.end(0), y, mo, d, short_year});
    };
    // Patterns that cannot match are not run: each needs its separator, the
    // ones with a month name a month name.
    const bool dot = text.find('.') != kNpos, dash = text.find('-') != kNpos, slash = text.find('/') != kNpos;
    const bool month = MayNameAMonth(text);
    auto each = [&](const fields::Regex& re, bool may_match, const auto& read) {
      if (!digits || !may_match) return;
      for (const auto& m : re.FindAll(text)) read(m);
    };
    each(*dot_, dot, [&](const fields::Match& m) { add(m, ToInt(m.str(3)), ToInt(m.str(2)), ToInt(m.str(1)), false); });
    each(*iso_, dash, [&](const fields::Match& m) { add(m, ToInt(m.str(1)), ToInt(m.str(2)), ToInt(m.str(3)), false); });
    each(*slash_, dash || slash, [&](const fields::Match& m) {
      const std::string year = m.str(4);
      const bool short_year = year.size() == 2;
      if (short_year && !short_years) return;
      int y = ToInt(year);
      if (short_year) y += y < 70 ? 2000 : 1900;
      int a = ToInt(m.str(1)), b = ToInt(m.str(3));
      // a/b: month first when only that reads ("12/31/2026") or the order says so.
      const bool month_first = (a <= 12 && b > 12) || (order == DateOrder::kMonthFirst && !(a > 12 && b <= 12));
      if (month_first) std::swap(a, b);
      add(m, y, b, a, short_year);
    });
    each(*dmy_, month, [&](const fields::Match& m) {
      add(m, ToInt(m.str(4)), Month(m.str(3)), m.matched(1) ? ToInt(m.str(1)) : DayWord(m.str(2)), false);
    });
    each(*mdy_, month, [&](const fields::Match& m) { add(m, ToInt(m.str(3)), Month(m.str(1)), ToInt(m.str(2)), false); });
    // The year in words: "am achtzehnten Mai neunzehnhundertneunzig".
    std::string lower;
    for (const auto& m : month ? dm_words_->FindAll(text) : std::vector<fields::Match>{}) {
      if (lower.empty()) lower = Lower(text);
      const auto year = numbers_.Read(lower, m.end(0));
      if (!year || year->value < 1900 || year->value > 2200) continue;
      const int d = m.matched(1) ? ToInt(m.str(1)) : DayWord(m.str(2));
      const int y = static_cast<int>(year->value), mo = Month(m.str(3));
      if (ValidDate(y, mo, d)) found.push_back({m.position(0), year->end, y, mo, d, false});
    }
    // Earliest first; of two that overlap the earlier (then the longer) stays.
    std::sort(found.begin(), found.end(), [](const Raw& a, const Raw& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
    });
    std::vector<Raw> out;
    for (const Raw& r : found) {
      if (!out.empty() && r.begin < out.back().end) continue;
      // Not inside a longer number or reference: "1.2.2026.7", "3/4/2026/1".
      if (r.begin > 0) {
        const char c = text[r.begin - 1];
        if ((c >= '0' && c <= '9') || c == '.' || c == '/') continue;
      }
      out.push_back(r);
    }
    return out;
  }

  // Numeric slashed / dashed dates (with a year of two or four digits): the
  // evidence for their order.
  void CountOrder(const std::string& text, int* day_first, int* month_first) const {
    if (text.find_first_of("/-") == kNpos) return;
    for (const auto& m : slash_->FindAll(text)) {
      const int a = ToInt(m.str(1)), b = ToInt(m.str(3));
      if (a > 12 && a <= 31 && b >= 1 && b <= 12) ++*day_first;
      if (b > 12 && b <= 31 && a >= 1 && a <= 12) ++*month_first;
    }
  }

 private:
  explicit DateGrammar(const LanguageData& data) : numbers_(data) {
    std::vector<std::string> months, day_words;
    for (const auto& [name, number] : data.TableOf("", "dates.months")) {
      months_[WordKey(name)] = ToInt(number);
      months.push_back(name);
      const std::string first = Lower(name.substr(0, name.find(' ')));
      if (std::find(month_first_words_.begin(), month_first_words_.end(), first) == month_first_words_.end()) {
        month_first_words_.push_back(first);
      }
    }
    for (const auto& [word, number] : data.TableOf("", "dates.day_words")) {
      day_words_[WordKey(word)] = ToInt(number);
      day_words.push_back(word);
    }
    const std::string month = "(?<![\\p{L}])(" + fields::RegexAlternation(months, "\\s+") + ")(?![\\p{L}])\\.?";
    const auto& suffix_list = data.List("", "dates.ordinal_suffixes");
    const std::string suffix =
        suffix_list.empty() ? std::string() : "(?:" + fields::RegexAlternation(suffix_list, "\\s?") + ")?(?![\\p{L}])";
    std::string day_word = "((?!)x)";  // keeps the group numbers without day words
    if (!day_words.empty()) {
      std::string alt = fields::RegexAlternation(day_words, "[\\s-]+");
      for (size_t p = alt.find("\\-"); p != kNpos; p = alt.find("\\-", p + 6)) alt.replace(p, 2, "[\\s-]?");
      day_word = "(?<![\\p{L}])(" + alt + ")(?![\\p{L}])(?:\\s*\\(\\s*[0-9]{1,2}" + suffix + "\\s*\\))?";
    }
    const auto& day_of_list = data.List("", "dates.day_of");
    const std::string day_of = day_of_list.empty() ? "" : "(?:(?:" + fields::RegexAlternation(day_of_list, "\\s+") + ")\\s+)?";
    // 1: day number  2: day word  3: month  4: year
    dmy_ = std::make_unique<fields::Regex>("(?:(?<![0-9])([0-9]{1,2})" + suffix + "|" + day_word +
                                               ")(?:\\s*\\.\\s*|\\s*,\\s*|\\s+)" + day_of + month +
                                               "(?:\\s*[,.]\\s*|\\s+)([0-9]{4})(?![0-9])",
                                           fields::Regex::kIgnoreCase);
    // 1: day number  2: day word  3: month; the year in words follows.
    const auto& intro = data.List("", "dates.year_intro");
    dm_words_ = std::make_unique<fields::Regex>(
        "(?:(?<![0-9])([0-9]{1,2})" + suffix + "|" + day_word + ")(?:\\s*\\.\\s*|\\s*,\\s*|\\s+)" + day_of + month +
            "(?:\\s*,\\s*|\\s+)" + (intro.empty() ? "" : "(?:(?:" + fields::RegexAlternation(intro, "\\s+") + ")\\s+)?") +
            "(?=\\p{L})",
        fields::Regex::kIgnoreCase);
    // 1: month  2: day  3: year
    mdy_ = std::make_unique<fields::Regex>(month + "\\s*([0-9]{1,2})(?![0-9])" + suffix +
                                               "(?:\\s*,\\s*|\\s+)([0-9]{4})(?![0-9])",
                                           fields::Regex::kIgnoreCase);
    dot_ = std::make_unique<fields::Regex>("(?<![0-9])([0-9]{1,2})\\.\\s?([0-9]{1,2})\\.\\s?([0-9]{4})(?![0-9])");
    iso_ = std::make_unique<fields::Regex>("(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])");
    // 1, 3: day and month in either order  2: the separator  4: year
    slash_ = std::make_unique<fields::Regex>(
        "(?<![0-9./-])([0-9]{1,2})([/-])([0-9]{1,2})\\2([0-9]{4}|[0-9]{2})(?![0-9]|[/-][0-9]|[.,][0-9])");
  }

  // False only when `text` holds no month name as the month patterns match
  // it (case-insensitively): its lowered text lacks the first word of every
  // month name. Text with other non-ASCII letters than those of Latin-1 is
  // not judged (true), as a few letters elsewhere match ASCII ones without
  // regard to case (U+212A KELVIN SIGN is a "k" to the patterns).
  bool MayNameAMonth(std::string_view text) const {
    for (size_t i = 0; i < text.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c < 0x80) continue;
      if (c != 0xC3 || i + 1 >= text.size() || (static_cast<unsigned char>(text[i + 1]) & 0xC0) != 0x80) return true;
      ++i;
    }
    const std::string lower = Lower(text);
    for (const auto& word : month_first_words_) {
      if (lower.find(word) != kNpos) return true;
    }
    return false;
  }

  int Month(const std::string& name) const {
    std::string key = WordKey(name);
    if (!key.empty() && key.back() == '.') key.pop_back();
    auto it = months_.find(key);
    return it == months_.end() ? 0 : it->second;
  }
  int DayWord(const std::string& word) const {
    auto it = day_words_.find(WordKey(word));
    return it == day_words_.end() ? 0 : it->second;
  }

  std::map<std::string, int> months_, day_words_;
  std::vector<std::string> month_first_words_;  // lowered, up to the first space
  fields::NumberWords numbers_;
  std::unique_ptr<fields::Regex> dmy_, mdy_, dot_, iso_, slash_, dm_words_;
};

std::vector<ParsedDate> ToParsed(const std::vector<DateGrammar::Raw>& raw) {
  std::vector<ParsedDate> out;
  for (const auto& r : raw) out.push_back({Iso(r.y, r.m, r.d), r.begin, r.end});
  return out;
}

DateOrder OrderFromEvidence(int day_first, int month_first, DateOrder fallback) {
  if (day_first > month_first) return DateOrder::kDayFirst;
  if (month_first > day_first) return DateOrder::kMonthFirst;
  return fallback;
}

}  // namespace

namespace fields {
std::optional<std::string> IsoDate(int y, int m, int d) {
  if (!ValidDate(y, m, d)) return std::nullopt;
  return Iso(y, m, d);
}
}  // namespace fields

std::vector<ParsedDate> FindDates(const std::string& text, DateOrder order, bool short_years) {
  return ToParsed(DateGrammar::Builtin().Scan(text, order, short_years));
}

std::vector<ParsedDate> FindDates(const std::string& text) {
  const DateGrammar& g = DateGrammar::Builtin();
  int day_first = 0, month_first = 0;
  g.CountOrder(text, &day_first, &month_first);
  return ToParsed(g.Scan(text, OrderFromEvidence(day_first, month_first, DateOrder::kUnknown), false));
}

namespace {

bool IsWordByte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) & 0x80); }

bool WordAt(std::string_view s, size_t i) {
  if (i >= s.size()) return false;
  if (!(static_cast<unsigned char>(s[i]) & 0x80)) return IsWordByte(s[i]);
  return utf8::IsWordCodePoint(utf8::Next(s, &i));
}

bool WordBefore(std::string_view s, size_t at) {
  if (at == 0) return false;
  size_t j = at - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  return WordAt(s, j);
}

size_t NextCodePoint(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// The end of the word (letters, digits, inner hyphens) that starts at `pos`.
size_t WordEnd(std::string_view s, size_t pos, size_t to) {
  while (pos < to && (WordAt(s, pos) || s[pos] == '-')) pos = NextCodePoint(s, pos);
  return std::min(pos, to);
}

// Lowercased phrases of a list (fields::Lower keeps byte offsets).
std::vector<std::string> Lowered(const std::vector<std::string>& list) {
  std::vector<std::string> out;
  for (const auto& w : list) {
    if (!w.empty()) out.push_back(Lower(w));
  }
  return out;
}

bool BoundaryOk(std::string_view lower, std::string_view phrase, size_t at) {
  const size_t end = at + phrase.size();
  const bool left = !IsWordByte(phrase.front()) || !WordBefore(lower, at);
  const bool right = !IsWordByte(phrase.back()) || !WordAt(lower, end);
  return left && right;
}

struct Hit {
  size_t begin = kNpos, end = 0;
};

// The occurrence of one of `phrases` inside lower[from, to) that ends last
// (then the longest). Only the window is searched; the boundary check still
// sees the characters around it.
std::optional<Hit> LastPhrase(std::string_view lower, const std::vector<std::string>& phrases, size_t from, size_t to) {
  std::optional<Hit> best;
  to = std::min(to, lower.size());
  if (from >= to) return best;
  const std::string_view window = lower.substr(from, to - from);
  for (const auto& p : phrases) {
    for (size_t at = window.rfind(p); at != kNpos; at = at == 0 ? kNpos : window.rfind(p, at - 1)) {
      if (BoundaryOk(lower, p, from + at)) {
        const size_t begin = from + at, end = begin + p.size();
        if (!best || end > best->end || (end == best->end && begin < best->begin)) best = Hit{begin, end};
        break;
      }
    }
  }
  return best;
}

// The first occurrence of one of `phrases` inside lower[from, to). Only the
// window is searched, and once a phrase is found only up to where a later
// phrase could still start at or before it.
std::optional<Hit> FirstPhrase(std::string_view lower, const std::vector<std::string>& phrases, size_t from, size_t to) {
  std::optional<Hit> best;
  to = std::min(to, lower.size());
  if (from >= to) return best;
  for (const auto& p : phrases) {
    const size_t limit = best ? std::min(to, best->begin + p.size()) : to;
    if (limit <= from) continue;
    const std::string_view window = lower.substr(from, limit - from);
    for (size_t at = window.find(p); at != kNpos; at = window.find(p, at + 1)) {
      if (BoundaryOk(lower, p, from + at)) {
        const size_t begin = from + at, end = begin + p.size();
        if (!best || begin < best->begin || (begin == best->begin && end > best->end)) best = Hit{begin, end};
        break;
      }
    }
  }
  return best;
}

bool Contains(const std::vector<std::string>& list, std::string_view phrase) {
  return std::find(list.begin(), list.end(), phrase) != list.end();
}

// The cue lists of one document, lowercased once.
struct Cues {
  explicit Cues(const Reading& r) {
    auto words = [&](const char* key) { return Lowered(r.Words(key)); };
    effective_explicit = words("dates.effective_explicit");
    effective = words("dates.effective");
    expiry_explicit = words("dates.expiry_explicit");
    expiry = words("dates.expiry");
    deadline = words("dates.deadline");
    deadline_weak = words("dates.deadline_weak");
    duty = words("dates.duty");
    party_words = words("dates.party_words");
    particles = words("dates.infinitive_particles");
    infinitive_endings = words("dates.infinitive_endings");
    signature = words("dates.signature");
    for (const auto& w : words("signatures.closing")) signature.push_back(w);
    signature_labels = words("dates.signature_labels");
    block_cues = words("signatures.block");
    title_signature = words("dates.title_signature");
    on_signature = words("dates.effective_on_signature");
    effective_after = words("dates.effective_after");
    expiry_after = words("dates.expiry_after");
    range_links = words("dates.range_links");
    term_words = words("dates.term_words");
    markers = words("dates.definition_markers");
    for (const auto& [phrase, kind] : r.TableOf("dates.annotations")) {
      annotations.push_back(Lower(phrase));
      annotation_kinds.push_back(kind);
    }
    determiners = words("dates.self_determiners");
    for (const auto& w : words("dates.definite_articles")) determiners.push_back(w);
    designations = words("document.designations");
    other_references = words("dates.other_references");
    naming = words("dates.naming_determiners");
    party_intro = words("parties.intro");
    pronouns = words("dates.pronouns");
    all_cues = effective_explicit;
    for (const auto* list : {&effective, &expiry_explicit, &expiry, &deadline, &deadline_weak, &signature}) {
      all_cues.insert(all_cues.end(), list->begin(), list->end());
    }
  }
  std::vector<std::string> effective_explicit, effective, expiry_explicit, expiry, deadline, deadline_weak, duty,
      party_words, particles, infinitive_endings, signature, signature_labels, block_cues, title_signature, on_signature,
      effective_after, expiry_after, range_links, term_words, markers, annotations, annotation_kinds, determiners,
      designations, other_references, naming, party_intro, pronouns, all_cues;
};

// A paragraph: consecutive lines of one block, joined by spaces.
struct Paragraph {
  std::string text, lower;
  std::vector<size_t> lines;   // reading line indices
  std::vector<size_t> starts;  // byte offset of each line in `text`
  std::string heading;         // lowercase: a short first sentence or the short line above
  size_t LineAt(size_t pos) const {
    size_t k = 0;
    while (k + 1 < starts.size() && starts[k + 1] <= pos) ++k;
    return k;
  }
};

// "-----", "______", "* * *": a rule drawn with characters, not text.
bool IsRule(std::string_view s) {
  bool any = false;
  for (char c : s) {
    if (c == ' ') continue;
    if (c != '-' && c != '_' && c != '=' && c != '*' && c != '.') return false;
    any = true;
  }
  return any;
}

std::vector<Paragraph> Paragraphs(const Reading& reading) {
  std::vector<Paragraph> out;
  const auto& lines = reading.lines();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (reading.zone(i) == Zone::kFurniture || IsRule(lines[i].text)) continue;
    // Rules and furniture between two lines of a block do not split it.
    const bool join = !out.empty() && lines[out.back().lines.back()].page == lines[i].page &&
                      lines[out.back().lines.back()].block == lines[i].block;
    if (!join) out.emplace_back();
    Paragraph& p = out.back();
    if (!p.text.empty()) p.text += ' ';
    p.starts.push_back(p.text.size());
    p.lines.push_back(i);
    p.text += lines[i].text;
  }
  for (auto& p : out) p.lower = Lower(p.text);
  return out;
}

// Words separated by spaces; with `with_letters_only`, only those holding an
// ASCII letter (not a lone quote mark or dash).
size_t WordCount(std::string_view s, bool with_letters_only = false) {
  size_t n = 0;
  bool in = false, letter = false;
  for (size_t i = 0; i <= s.size(); ++i) {
    const bool space = i == s.size() || s[i] == ' ' || s[i] == '\t';
    if (space) {
      if (in && (letter || !with_letters_only)) ++n;
      in = letter = false;
    } else {
      in = true;
      letter |= std::isalpha(static_cast<unsigned char>(s[i])) != 0;
    }
  }
  return n;
}

// A full stop that ends a sentence: ';', '!', '?', or '.' after a closing
// parenthesis or quote, or after a word of four or more letters that is not
// all capitals (not "Abs.", "Inc.", "U.S."), before a space or the end.
bool IsStop(std::string_view text, size_t i) {
  const char c = text[i];
  if (c == ';' || c == '!' || c == '?') return true;
  if (c != '.') return false;
  if (i + 1 < text.size()) {
    const std::string_view next = text.substr(i + 1);
    const bool closing = next[0] == ' ' || next[0] == '"' || next[0] == '\'' || next[0] == ')' ||
                         next.starts_with("\xe2\x80\x9d") || next.starts_with("\xe2\x80\x9c") ||
                         next.starts_with("\xc2\xbb");
    if (!closing) return false;
  }
  // After a closing parenthesis or quote: "(the "Agreement").".
  if (i > 0 && (text[i - 1] == ')' || text[i - 1] == '"' || (i >= 3 && text.substr(i - 3, 3) == "\xe2\x80\x9d"))) {
    return true;
  }
  size_t b = i, letters = 0;
  bool lower = false;
  while (b > 0 && (std::isalpha(static_cast<unsigned char>(text[b - 1])) || (static_cast<unsigned char>(text[b - 1]) & 0x80))) {
    lower |= std::islower(static_cast<unsigned char>(text[b - 1])) != 0;
    --b;
    ++letters;
  }
  return letters >= 4 && lower;
}

size_t SentenceStart(std::string_view text, size_t pos) {
  while (pos > 0) {
    if (IsStop(text, pos - 1)) return pos;
    --pos;
  }
  return 0;
}

size_t SentenceEnd(std::string_view text, size_t pos) {
  for (; pos < text.size(); ++pos) {
    if (IsStop(text, pos)) return pos;
  }
  return text.size();
}

bool StartsLowerLetter(std::string_view w) {
  const unsigned char c = static_cast<unsigned char>(w[0]);
  if (std::islower(c)) return true;
  return c == 0xC3 && w.size() > 1 && static_cast<unsigned char>(w[1]) >= 0x9F;
}

// A zu-infinitive ("vorzulegen", "zu zahlen"): a lowercase verb form built
// with an infinitive particle and ending of the data, the mark of a duty in
// German.
bool HasInfinitiveDuty(std::string_view text, const std::vector<std::string>& particles,
                       const std::vector<std::string>& endings) {
  if (particles.empty()) return false;
  std::vector<std::string_view> words;
  for (size_t i = 0; i < text.size();) {
    if (!IsWordByte(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && IsWordByte(text[j])) ++j;
    words.push_back(text.substr(i, j - i));
    i = j;
  }
  auto verb_ending = [&](std::string_view w) {
    return std::any_of(endings.begin(), endings.end(), [&](const std::string& e) { return fields::EndsWith(w, e); });
  };
  for (size_t k = 0; k < words.size(); ++k) {
    const std::string_view w = words[k];
    if (!StartsLowerLetter(w)) continue;
    for (const auto& p : particles) {
      if (w == p && k + 1 < words.size() && words[k + 1].size() >= 5 && StartsLowerLetter(words[k + 1]) &&
          verb_ending(words[k + 1])) {
        return true;
      }
      const size_t at = w.find(p, 2);
      if (at != std::string_view::npos && w.size() >= at + p.size() + 3 && verb_ending(w)) return true;
    }
  }
  return false;
}

class DateReader {
 public:
  DateReader(const Reading& reading, Agreement* out)
      : reading_(reading), cues_(reading), grammar_ptr_(DateGrammar::For(reading.data())), grammar_(*grammar_ptr_),
        out_(out) {}

  void Run() {
    std::vector<Paragraph> paragraphs = Paragraphs(reading_);
    const DateOrder order = DocumentOrder(paragraphs);
    bool effective_on_signature = false;
    std::optional<size_t> on_signature_line;
    for (Paragraph& p : paragraphs) {
      p.heading = Heading(p);
      std::vector<DateGrammar::Raw> dates = grammar_.Scan(p.text, order, /*short_years=*/true);
      std::erase_if(dates, [&](const DateGrammar::Raw& d) { return d.short_year && !ShortYearAllowed(p, d); });
      for (size_t k = 0; k < dates.size(); ++k) {
        Add(p, dates[k], Kind(p, dates, k));
      }
      // A place-and-date line with a two-digit year ("Kassel, 12.03.26").
      for (size_t l = 0; l < p.lines.size(); ++l) {
        const size_t from = p.starts[l], to = from + reading_.line(p.lines[l]).text.size();
        if (std::any_of(dates.begin(), dates.end(), [&](const auto& d) { return d.begin < to && d.end > from; })) continue;
        if (auto pd = fields::ParsePlaceDateLine(reading_.line(p.lines[l]).text)) {
          AddItem(pd->date.iso, reading_.line(p.lines[l]).text.substr(pd->date.begin, pd->date.end - pd->date.begin),
                  DateKind::kSignature, p.lines[l]);
        }
      }
      if (!effective_on_signature) {
        if (auto at = OnSignature(p)) {
          effective_on_signature = true;
          on_signature_line = p.lines[p.LineAt(*at)];
        }
      }
    }
    // "tritt mit Unterzeichnung in Kraft": the last signature's date.
    if (effective_on_signature) {
      const DateItem* last = nullptr;
      for (const DateItem& d : out_->dates) {
        if (d.kind == DateKind::kSignature && (!last || d.date > last->date)) last = &d;
      }
      if (last) {
        DateItem item = *last;
        item.kind = DateKind::kEffective;
        item.evidence = fields::EvidenceOf(reading_.line(*on_signature_line));
        bool seen = false;
        for (const DateItem& have : out_->dates) seen |= have.date == item.date && have.kind == item.kind;
        if (!seen) out_->dates.push_back(std::move(item));
      }
    }
  }

 private:
  // The order of ambiguous slashed dates: the document's evidence, else its language.
  DateOrder DocumentOrder(const std::vector<Paragraph>& paragraphs) const {
    int day_first = 0, month_first = 0;
    for (const Paragraph& p : paragraphs) grammar_.CountOrder(p.text, &day_first, &month_first);
    DateOrder fallback = DateOrder::kUnknown;
    const auto& order = reading_.LanguageWords("dates.numeric_order");
    if (order.size() == 1) {
      if (order[0] == "month-day") fallback = DateOrder::kMonthFirst;
      if (order[0] == "day-month") fallback = DateOrder::kDayFirst;
    }
    return OrderFromEvidence(day_first, month_first, fallback);
  }

  Zone ZoneAt(const Paragraph& p, size_t pos) const { return reading_.zone(p.lines[p.LineAt(pos)]); }

  // The line above the paragraph on its page, lowercase, if it is short.
  std::string LineAbove(const Paragraph& p) const {
    const size_t first = p.lines.front();
    if (first == 0) return "";
    const TextLine& line = reading_.line(first - 1);
    if (line.page != reading_.line(first).page || reading_.zone(first - 1) == Zone::kFurniture ||
        WordCount(line.text) > 8) {
      return "";
    }
    return Lower(fields::Trim(line.text));
  }

  // What the paragraph is under: its first sentence if that is a short
  // heading ("8. Term of Joint Venture."), else the line above it on the
  // page if that is short ("2. TERM", "EFFECTIVE DATE").
  std::string Heading(const Paragraph& p) const {
    const size_t first_end = SentenceEnd(p.text, 0);
    if (first_end < p.text.size() && WordCount(std::string_view(p.text).substr(0, first_end)) <= 8) {
      return p.lower.substr(0, first_end);
    }
    return LineAbove(p);
  }

  // "8/4/10" only in a signature area or right after a label or cue.
  bool ShortYearAllowed(const Paragraph& p, const DateGrammar::Raw& d) const {
    if (ZoneAt(p, d.begin) == Zone::kSignature) return true;
    const size_t from = d.begin > 30 ? d.begin - 30 : 0;
    auto hit = LastPhrase(p.lower, cues_.signature_labels, from, d.begin);
    if (!hit) hit = LastPhrase(p.lower, cues_.all_cues, from, d.begin);
    if (!hit) return false;
    // Right after it: nothing but a colon or spaces between.
    const std::string gap = fields::Trim(std::string_view(p.lower).substr(hit->end, d.begin - hit->end));
    return gap.empty() || gap == ":";
  }

  // A self reference in lower[from, to): a determiner and, at most three
  // words on, a designation ("this Agreement", "This Promotion Agreement",
  // "Dieser Staatsvertrag", "Der vorliegende Vertrag", "the Agreement").
  bool SelfReference(std::string_view lower, size_t from, size_t to) const {
    to = std::min(to, lower.size());
    for (size_t at = from; at < to;) {
      const auto det = FirstPhrase(lower, cues_.determiners, at, to);
      if (!det) return false;
      size_t pos = det->end;
      for (int word = 0; word < 4 && pos < to; ++word) {
        // Over spaces and quote marks, not over a comma or parenthesis.
        while (pos < to && !WordAt(lower, pos) && lower[pos] != ',' && lower[pos] != ';' && lower[pos] != '(') {
          pos = NextCodePoint(lower, pos);
        }
        if (pos >= to || !WordAt(lower, pos)) break;
        const size_t end = WordEnd(lower, pos, to);
        if (Contains(cues_.designations, lower.substr(pos, end - pos))) return true;
        pos = end;
      }
      at = det->end;
    }
    return false;
  }

  // True if the sentence [from, to) speaks of the agreement itself: a self
  // reference or a term word in it or in the paragraph's heading, the title,
  // or in the preamble the sentence that names the parties.
  bool AboutAgreement(const Paragraph& p, size_t from, size_t to, size_t date_pos) const {
    const Zone z = ZoneAt(p, date_pos);
    if (z == Zone::kTitle) return true;
    // The preamble's sentence that names the parties: "… dated as of …, by and between".
    if (z == Zone::kParties && FirstPhrase(p.lower, cues_.party_intro, from, to)) return true;
    if (SelfReference(p.lower, from, to) || FirstPhrase(p.lower, cues_.term_words, from, to)) return true;
    // "This Agreement commences on … . It expires on …": a sentence that
    // opens with a pronoun speaks of the one before.
    size_t lead = from;
    while (lead < to && p.lower[lead] == ' ') ++lead;
    const auto pronoun = FirstPhrase(p.lower, cues_.pronouns, lead, to);
    if (pronoun && pronoun->begin == lead && lead > 0) {
      const size_t prev = SentenceStart(p.text, from - 1);
      if (SelfReference(p.lower, prev, from) || FirstPhrase(p.lower, cues_.term_words, prev, from)) return true;
    }
    return SelfReference(p.heading, 0, p.heading.size()) || FirstPhrase(p.heading, cues_.term_words, 0, kNpos);
  }

  // A date that names another document: "the July 8, 2002, Negotiated Rate
  // Agreement" (a naming determiner before, capitalised words and a
  // designation after).
  bool NamesADocument(const Paragraph& p, const DateGrammar::Raw& d) const {
    const std::string before = fields::Trim(std::string_view(p.lower).substr(d.begin > 8 ? d.begin - 8 : 0,
                                                                           std::min<size_t>(d.begin, 8)));
    const auto det = LastPhrase(before, cues_.naming, 0, before.size());
    if (!det || det->end != before.size()) return false;
    size_t pos = d.end;
    for (int word = 0; word < 6 && pos < p.text.size(); ++word) {
      while (pos < p.text.size() && (p.text[pos] == ' ' || p.text[pos] == ',')) ++pos;
      if (pos >= p.text.size() || !std::isupper(static_cast<unsigned char>(p.text[pos]))) return false;
      const size_t end = WordEnd(p.lower, pos, p.lower.size());
      if (Contains(cues_.designations, std::string_view(p.lower).substr(pos, end - pos))) return true;
      pos = end;
    }
    return false;
  }

  bool StatesDuty(const Paragraph& p, size_t from, size_t to) const {
    return FirstPhrase(p.lower, cues_.duty, from, to) || FirstPhrase(p.lower, cues_.party_words, from, to) ||
           HasInfinitiveDuty(std::string_view(p.text).substr(from, to - from), cues_.particles,
                             cues_.infinitive_endings);
  }

  // A labelled date line of a signature block ("Date: 4 November 2023").
  bool LabelledSignatureDate(const Paragraph& p, size_t pos) const {
    const size_t line = p.lines[p.LineAt(pos)];
    const std::string lower = Lower(reading_.line(line).text);
    const auto label = StartsWithPhrase(lower, cues_.signature_labels);
    if (!label) return false;
    if (reading_.zone(line) == Zone::kSignature) return true;
    // Elsewhere only a "Date:" label beside the lines of a block ("Name:", "By:").
    if (label->phrase.empty() || label->phrase.back() != ':') return false;
    const size_t from = line >= 5 ? line - 5 : 0, to = std::min(reading_.size(), line + 6);
    for (size_t k = from; k < to; ++k) {
      if (k == line || reading_.line(k).page != reading_.line(line).page) continue;
      if (StartsWithPhrase(Lower(reading_.line(k).text), cues_.block_cues)) return true;
    }
    return false;
  }

  // The title's "Vom 17. Dezember 1992" line.
  bool TitleSignatureLine(const Paragraph& p, const DateGrammar::Raw& d) const {
    const size_t l = p.LineAt(d.begin);
    const Zone z = reading_.zone(p.lines[l]);
    if (z != Zone::kTitle && z != Zone::kParties) return false;
    const size_t line_end = p.starts[l] + reading_.line(p.lines[l]).text.size();
    if (d.end > line_end || !fields::Trim(std::string_view(p.text).substr(d.end, line_end - d.end)).empty()) {
      return false;
    }
    const std::string head = fields::Trim(std::string_view(p.lower).substr(p.starts[l], d.begin - p.starts[l]));
    return !head.empty() && Contains(cues_.title_signature, head);
  }

  DateKind KindName(std::string_view name) const {
    if (name == "effective") return DateKind::kEffective;
    if (name == "expiry") return DateKind::kExpiry;
    if (name == "deadline") return DateKind::kDeadline;
    if (name == "signature") return DateKind::kSignature;
    return DateKind::kOther;
  }

  // "(the "Effective Date")", "hereinafter called the Effective Date".
  std::optional<DateKind> Annotation(const Paragraph& p, size_t from, size_t to) const {
    to = std::min(to, from + 90);
    const auto hit = FirstPhrase(p.lower, cues_.annotations, from, to);
    if (!hit) return std::nullopt;
    const std::string_view between = std::string_view(p.lower).substr(from, hit->begin - from);
    const size_t open = between.rfind('(');
    const bool in_parens = open != std::string_view::npos && between.find(')', open) == std::string_view::npos;
    const auto marker = FirstPhrase(p.lower, cues_.markers, from, hit->begin);
    if (!in_parens && !marker) return std::nullopt;
    // A definition names the date ("(the "Effective Date")", "(such date,
    // the Effective Date)"); "(6 months from the Effective Date)" does not.
    const size_t lead = in_parens ? from + open + 1 : marker->end;
    const std::string_view lead_text = std::string_view(p.lower).substr(lead, hit->begin - lead);
    if (WordCount(lead_text, /*with_letters_only=*/true) > 3 ||
        lead_text.find_first_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    for (size_t k = 0; k < cues_.annotations.size(); ++k) {
      if (cues_.annotations[k].size() == hit->end - hit->begin &&
          p.lower.compare(hit->begin, hit->end - hit->begin, cues_.annotations[k]) == 0) {
        return KindName(cues_.annotation_kinds[k]);
      }
    }
    return std::nullopt;
  }

  bool IsRangeLink(std::string_view between) const {
    std::string b;
    int depth = 0;
    for (char c : between) {
      if (c == '(') ++depth;
      else if (c == ')') depth = std::max(0, depth - 1);
      else if (depth == 0) b += c;
    }
    return Contains(cues_.range_links, Lower(fields::CollapseSpaces(b)));
  }

  DateKind Kind(const Paragraph& p, const std::vector<DateGrammar::Raw>& dates, size_t k) const {
    const DateGrammar::Raw& d = dates[k];
    const size_t l = p.LineAt(d.begin);
    const std::string& line_text = reading_.line(p.lines[l]).text;
    const size_t line_end = p.starts[l] + line_text.size();
    // A date that opens its paragraph under a label line: "EFFECTIVE DATE" / "June 1, 1998".
    if (fields::Trim(std::string_view(p.text).substr(0, d.begin)).empty()) {
      const std::string above = LineAbove(p);
      for (const auto& [list, kind] : {std::pair{&cues_.effective_explicit, DateKind::kEffective},
                                       std::pair{&cues_.expiry_explicit, DateKind::kExpiry}}) {
        const auto hit = LastPhrase(above, *list, 0, above.size());
        if (hit && fields::Trim(std::string_view(above).substr(hit->end)).size() <= 1) return kind;
      }
    }
    // Layout: a place-and-date line, a labelled date in a block, the title's date line.
    if (d.end <= line_end) {
      std::vector<ParsedDate> on_line;
      for (const auto& o : dates) {
        if (o.begin >= p.starts[l] && o.end <= line_end) {
          on_line.push_back({Iso(o.y, o.m, o.d), o.begin - p.starts[l], o.end - p.starts[l]});
        }
      }
      // A date alone on its line is a signature's in the signature area
      // (elsewhere a table cell or the title's date), and not where a
      // sentence wrapped onto that line ("… shall end as of" / "December 31, 2000.").
      if (const auto pd = fields::ParsePlaceDateLine(line_text, on_line)) {
        const std::string before = fields::Trim(std::string_view(p.text).substr(0, p.starts[l]));
        const bool wrapped = pd->place.empty() && !before.empty() && !IsStop(before, before.size() - 1) &&
                             before.back() != ':';
        const bool alone_elsewhere = pd->place.empty() && reading_.zone(p.lines[l]) != Zone::kSignature;
        if (!wrapped && !alone_elsewhere) return DateKind::kSignature;
      }
    }
    if (LabelledSignatureDate(p, d.begin) || TitleSignatureLine(p, d)) return DateKind::kSignature;

    if (NamesADocument(p, d)) return DateKind::kOther;
    const size_t s0 = SentenceStart(p.text, d.begin), s1 = SentenceEnd(p.text, d.end);
    const size_t prev_end = k > 0 ? dates[k - 1].end : 0;
    const size_t next_begin = k + 1 < dates.size() ? dates[k + 1].begin : p.text.size();
    if (auto a = Annotation(p, d.end, std::min(next_begin, s1))) return *a;

    // "that certain Agreement dated as of …": the date of another agreement.
    const bool other_agreement = FirstPhrase(p.lower, cues_.other_references, std::max(s0, prev_end), d.begin).has_value();
    const bool about = !other_agreement && AboutAgreement(p, s0, s1, d.begin);
    // A cue right after the date: "tritt am 1. April 2024 in Kraft".
    const size_t after_to = std::min({next_begin, s1, d.end + 24});
    if (about && FirstPhrase(p.lower, cues_.expiry_after, d.end, after_to)) return DateKind::kExpiry;
    if (about && FirstPhrase(p.lower, cues_.effective_after, d.end, after_to)) return DateKind::kEffective;

    DateKind kind = DateKind::kOther;
    bool cued = false;
    size_t from = std::max(s0, prev_end);
    // A parenthetical after the previous date annotates that date.
    if (const size_t close = std::string_view(p.text).substr(0, d.begin).rfind(')');
        close != kNpos && close >= from && k > 0) {
      from = close + 1;
    }
    const size_t window = d.begin > 60 ? std::max(from, d.begin - 60) : from;
    struct Candidate {
      const std::vector<std::string>* list;
      DateKind kind;
      bool contextual;
    };
    const Candidate candidates[] = {
        {&cues_.effective_explicit, DateKind::kEffective, false}, {&cues_.expiry_explicit, DateKind::kExpiry, false},
        {&cues_.deadline, DateKind::kDeadline, false},           {&cues_.signature, DateKind::kSignature, true},
        {&cues_.effective, DateKind::kEffective, true},          {&cues_.expiry, DateKind::kExpiry, true},
    };
    std::optional<Hit> best;
    const Candidate* best_c = nullptr;
    for (const Candidate& c : candidates) {
      auto hit = LastPhrase(p.lower, *c.list, window, d.begin);
      if (hit && (!best || hit->end > best->end || (hit->end == best->end && hit->begin < best->begin))) {
        best = hit;
        best_c = &c;
      }
    }
    // A weak deadline cue right before the date ("by", "bis zum").
    const auto weak = LastPhrase(p.lower, cues_.deadline_weak, std::max(from, d.begin > 12 ? d.begin - 12 : 0), d.begin);
    const bool weak_deadline = weak && fields::Trim(std::string_view(p.text).substr(weak->end, d.begin - weak->end)).size() <= 3 &&
                               StatesDuty(p, s0, s1);
    // A closing formula ("Geschehen zu … am", "signed at … on") is the
    // agreement's in the signature area; elsewhere ("the Convention signed in
    // Paris on …") only about the agreement.
    const bool signing_area = ZoneAt(p, d.begin) == Zone::kSignature;
    if (best_c) {
      cued = true;
      if (!best_c->contextual || about || (best_c->kind == DateKind::kSignature && signing_area)) {
        kind = best_c->kind;
      } else if (weak_deadline) {
        kind = DateKind::kDeadline;
      } else {
        cued = false;
      }
    } else if (weak_deadline) {
      kind = DateKind::kDeadline;
      cued = true;
    }
    // Ranges: "vom 1. Januar 2024 bis 31. Dezember 2025", "from X to Y".
    if (kind == DateKind::kOther && k + 1 < dates.size() &&
        IsRangeLink(std::string_view(p.text).substr(d.end, dates[k + 1].begin - d.end))) {
      kind = DateKind::kEffective;
      cued = true;
    }
    if (k > 0 && (kind == DateKind::kOther || kind == DateKind::kDeadline) &&
        IsRangeLink(std::string_view(p.text).substr(dates[k - 1].end, d.begin - dates[k - 1].end))) {
      kind = DateKind::kExpiry;
      cued = true;
    }
    // Any other date of the signature area is a signature's.
    if (!cued && ZoneAt(p, d.begin) == Zone::kSignature) kind = DateKind::kSignature;
    return kind;
  }

  // The position of "tritt mit Unterzeichnung in Kraft" / "effective upon
  // execution" in a sentence about the agreement, if the paragraph has one.
  std::optional<size_t> OnSignature(const Paragraph& p) const {
    const auto hit = FirstPhrase(p.lower, cues_.on_signature, 0, p.lower.size());
    if (!hit) return std::nullopt;
    const size_t s0 = SentenceStart(p.text, hit->begin), s1 = SentenceEnd(p.text, hit->end);
    if (!AboutAgreement(p, s0, s1, hit->begin)) return std::nullopt;
    const bool effective = FirstPhrase(p.lower, cues_.effective, s0, s1) ||
                           FirstPhrase(p.lower, cues_.effective_explicit, s0, s1) ||
                           FirstPhrase(p.lower, cues_.effective_after, s0, s1);
    if (!effective) return std::nullopt;
    return hit->begin;
  }

  void Add(const Paragraph& p, const DateGrammar::Raw& d, DateKind kind) {
    AddItem(Iso(d.y, d.m, d.d), p.text.substr(d.begin, d.end - d.begin), kind, p.lines[p.LineAt(d.begin)]);
  }

  void AddItem(const std::string& iso, const std::string& text, DateKind kind, size_t line) {
    for (const DateItem& have : out_->dates) {
      if (have.date == iso && have.kind == kind) return;
    }
    DateItem item;
    item.date = iso;
    item.text = text;
    item.kind = kind;
    item.evidence = fields::EvidenceOf(reading_.line(line));
    out_->dates.push_back(std::move(item));
  }

  const Reading& reading_;
  const Cues cues_;
  const std::shared_ptr<const DateGrammar> grammar_ptr_;
  const DateGrammar& grammar_;
  Agreement* out_;
};

}  // namespace

void ExtractDates(const Reading& reading, Agreement* out) { DateReader(reading, out).Run(); }

}  // namespace pactum::extract
