// The term: how long the agreement runs from its effective or agreement
// date, as an ISO 8601 duration; for an agreement that renews itself, the
// initial term.
//
//   This Agreement shall commence on the Effective Date and continue for a
//   period of five (5) years, and shall renew for successive one-year periods.  -> P5Y
//   The Initial Term is the Effective Date through the second anniversary of
//   the Effective Date.                                                         -> P2Y
//   Der Vertrag wird für die Dauer von zwei Jahren geschlossen.                 -> P2Y
//
// Durations are read from the words of term.json (numbers as words, digits
// or both: "twelve (12) months", "5-year", "zwei Jahre"). A duration counts
// when its sentence (fields::ClausePasses: the body, then the annexes, then
// what the zoning may have cut off the body) holds a term cue before it or
// stands under a term heading, and it is none of: a renewal or extension
// (term.renewal before it in its sentence), a notice, payment, cure or
// survival period (term.reject_sentence before it in its sentence,
// term.reject_before in its clause, term.reject_just_before in the three
// words before it, term.reject_after right after it), a term computed from
// several (term.computed before it, term.computed_after after it), a period counted from another event ("from",
// "after" ... not followed by the effective or agreement date or a date,
// term.anchors). Without an anchor or a heading its clause must name the
// term (term.nouns). A sentence under a term heading wins, then one that
// names the anchor, else the first.
#include <algorithm>
#include <cctype>
#include <optional>

#include "fields/clauses.h"
#include "fields/common.h"
#include "fields/extractors.h"

namespace pactum::extract {
namespace {

using fields::Span;
using fields::ZoneText;

std::vector<std::string> Keys(const Table& table) {
  std::vector<std::string> keys;
  keys.reserve(table.size());
  for (const auto& [k, v] : table) keys.push_back(k);
  return keys;
}

const std::string* Lookup(const Table& table, std::string_view key) {
  const std::string lower = fields::Lower(key);
  for (const auto& [k, v] : table) {
    if (fields::Lower(k) == lower) return &v;
  }
  return nullptr;
}

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80; }

// The words of a duration are short: `text` from `at`, at most 48 bytes (to `limit`).
std::string_view Window(std::string_view text, size_t at, size_t limit) {
  return text.substr(at, std::min<size_t>(limit - std::min(at, limit), 48));
}

size_t SkipSpaces(std::string_view text, size_t at, size_t limit) {
  while (at < limit && text[at] == ' ') ++at;
  return at;
}

// "(12)" at `at`: its value and the end.
std::optional<std::pair<int, size_t>> Bracketed(std::string_view text, size_t at, size_t limit) {
  if (at >= limit || text[at] != '(') return std::nullopt;
  size_t i = at + 1;
  int value = 0;
  while (i < limit && IsDigit(text[i]) && i - at <= 4) value = value * 10 + (text[i++] - '0');
  if (i == at + 1 || i >= limit || text[i] != ')') return std::nullopt;
  return std::make_pair(value, i + 1);
}

// "P" + count + unit letter: P5Y, P18M.
std::string Iso(std::string_view count, std::string_view unit) {
  std::string iso = "P";
  iso.append(count);
  iso.append(unit);
  return iso;
}

struct Duration {
  Span span;         // the number through the unit
  std::string iso;   // "P5Y"
  bool anniversary = false;
};

class DurationReader {
 public:
  explicit DurationReader(const Reading& reading)
      : r_(reading),
        numbers_(reading.TableOf("term.numbers")),
        number_keys_(Keys(numbers_)),
        ordinals_(reading.TableOf("term.ordinals")),
        ordinal_keys_(Keys(ordinals_)),
        units_(reading.TableOf("term.units")),
        unit_keys_(Keys(units_)) {}

  // A duration that starts at `at`: "five (5) years", "5-year", "(12) months",
  // "a period of one year" (at "one"), "the second anniversary".
  std::optional<Duration> At(std::string_view text, size_t at, size_t limit) const {
    int value = 0;
    size_t i = at;
    if (IsDigit(text[at])) {
      while (i < limit && IsDigit(text[i]) && i - at < 4) value = value * 10 + (text[i++] - '0');
      if (i < limit && IsAlnum(text[i])) return Ordinal(text, at, limit);  // "5th anniversary"
      // "1,000", "2.5": not a count of units
      if (i + 1 < limit && (text[i] == ',' || text[i] == '.') && IsDigit(text[i + 1])) return std::nullopt;
    } else if (auto b = Bracketed(text, at, limit)) {
      value = b->first;
      i = b->second;
    } else if (auto word = StartsWithPhrase(Window(text, at, limit), number_keys_)) {
      const std::string* v = Lookup(numbers_, word->phrase);
      if (v == nullptr) return std::nullopt;
      value = std::stoi(*v);
      i = at + word->end;
      // "five (5)": the figure in brackets rules.
      if (auto figure = Bracketed(text, SkipSpaces(text, i, limit), limit)) {
        value = figure->first;
        i = figure->second;
      }
    } else {
      return Ordinal(text, at, limit);
    }
    if (value <= 0 || value > 400) return std::nullopt;
    // Between number and unit: a space or a hyphen, and filler words.
    i = Separator(text, i, limit);
    for (int k = 0; k < 2; ++k) {
      auto filler = StartsWithPhrase(Window(text, i, limit), r_.Words("term.fillers"));
      if (!filler) break;
      i = Separator(text, i + filler->end, limit);
    }
    auto unit = StartsWithPhrase(Window(text, i, limit), unit_keys_);
    if (!unit) return std::nullopt;
    const std::string* letter = Lookup(units_, unit->phrase);
    if (letter == nullptr) return std::nullopt;
    size_t end = i + unit->end;
    // "two years (2)"
    if (auto b = Bracketed(text, SkipSpaces(text, end, limit), limit); b && b->first == value) end = b->second;
    return Duration{{at, end}, Iso(std::to_string(value), *letter), false};
  }

 private:
  size_t Separator(std::string_view text, size_t i, size_t limit) const {
    i = SkipSpaces(text, i, limit);
    if (i < limit && text[i] == '-') i = SkipSpaces(text, i + 1, limit);
    return i;
  }

  // "the second anniversary", "5th anniversary": years.
  std::optional<Duration> Ordinal(std::string_view text, size_t at, size_t limit) const {
    auto word = StartsWithPhrase(Window(text, at, limit), ordinal_keys_);
    if (!word) return std::nullopt;
    const std::string* v = Lookup(ordinals_, word->phrase);
    if (v == nullptr) return std::nullopt;
    const size_t i = SkipSpaces(text, at + word->end, limit);
    auto anniversary = StartsWithPhrase(Window(text, i, limit), r_.Words("term.anniversary"));
    if (!anniversary) return std::nullopt;
    return Duration{{at, i + anniversary->end}, Iso(*v, "Y"), true};
  }

  const Reading& r_;
  const Table& numbers_;
  std::vector<std::string> number_keys_;
  const Table& ordinals_;
  std::vector<std::string> ordinal_keys_;
  const Table& units_;
  std::vector<std::string> unit_keys_;
};

struct Candidate {
  Duration duration;
  Span text;
  int score = 0;
};

// Whether `text` names the date a term is counted from ("the Effective Date",
// "the date first written above"), not "the effective date of termination"
// nor "the Promotion Commencement Date".
bool HasAnchor(const Reading& reading, std::string_view text) {
  for (size_t from = 0; from < text.size();) {
    auto hit = FindPhrase(text, reading.Words("term.anchors"), from);
    if (!hit) return false;
    const size_t next = SkipSpaces(text, hit->end, text.size());
    // Part of another defined date ("the Promotion Commencement Date") when a capitalised
    // word stands before the capitalised anchor.
    size_t prev = hit->begin;
    while (prev > 0 && text[prev - 1] == ' ') --prev;
    size_t word = prev;
    while (word > 0 && text[word - 1] != ' ') --word;
    const bool longer_name = fields::StartsUpper(text.substr(hit->begin)) && word < prev &&
                             fields::StartsUpper(text.substr(word, prev - word)) &&
                             !HasWord(reading.Words("term.determiners"), text.substr(word, prev - word));
    if (!longer_name && !StartsWithPhrase(text.substr(next), reading.Words("term.not_anchors"))) return true;
    from = hit->end;
  }
  return false;
}

// A term heading ("Term", "TERM AND TERMINATION", "Laufzeit") that opens
// `text` after its clause number: the end of the heading, or 0.
size_t HeadingAt(const Reading& reading, std::string_view text) {
  const std::vector<Span> words = fields::Words(text);
  for (size_t w = 0; w < words.size() && w < 4; ++w) {
    if (auto hit = StartsWithPhrase(text.substr(words[w].begin), reading.Words("term.headings"))) {
      return words[w].begin + hit->end;
    }
    if (!fields::NumberingWord(reading, text.substr(words[w].begin, words[w].size()))) return 0;
  }
  return 0;
}

// The end of a term heading that opens `sentence` and is set off from its
// text ("3. Term and Renewal The term of ...", "Term. This Agreement"), or 0.
size_t HeadingEnd(const Reading& reading, std::string_view sentence) {
  const size_t end = HeadingAt(reading, sentence);
  if (end == 0) return 0;
  const size_t next = SkipSpaces(sentence, end, sentence.size());
  if (next >= sentence.size() || sentence[end] == '.' || sentence[end] == ':' ||
      fields::StartsUpper(sentence.substr(next))) {
    return end;
  }
  return 0;
}

// Whether sentence `k` stands under a term heading: one opens it, or the
// sentence before is a heading ("2. Term.", "ARTICLE 8 - TERM OF AGREEMENT",
// "12. TERM AND TERMINATION 12.1 Term.").
bool UnderHeading(const Reading& reading, const ZoneText& zt, size_t k) {
  if (HeadingEnd(reading, zt.Text(zt.sentences[k])) > 0) return true;
  if (k == 0) return false;
  const std::string_view prev = zt.Text(zt.sentences[k - 1]);
  const size_t end = HeadingAt(reading, prev);
  if (end == 0) return false;
  return fields::Words(prev).size() <= 8 && fields::Words(prev.substr(end)).size() <= 3;
}

// Whether duration `d` of sentence `s` is the agreement's term; `content`
// is where the sentence's text begins after a heading, `heading` whether
// it stands under a term heading. Sets `*stop` when no later duration of
// the sentence can be the term either.
std::optional<Candidate> Judge(const Reading& reading, const ZoneText& zt, Span s, size_t content, bool heading,
                               const Duration& d, bool* stop) {
  const std::string_view text = zt.text;
  const auto list = [&](std::string_view key) -> const std::vector<std::string>& { return reading.Words(key); };
  // A cue before the duration, in its sentence.
  const std::string_view before = text.substr(s.begin, d.span.begin - s.begin);
  const std::string_view content_text = text.substr(content, d.span.begin - std::min(content, d.span.begin));
  if (!heading && !FindPhrase(before, list("term.cues"))) return std::nullopt;
  // Not a cure, notice or survival period ("breach ... that remains uncured 30 days"), nor a
  // term computed from several ("the later of (i) ... and (ii) two years"), nor a renewal.
  if (FindPhrase(content_text, list("term.reject_sentence")) || FindPhrase(before, list("term.computed")) ||
      FindPhrase(content_text, list("term.renewal"))) {
    return std::nullopt;
  }
  // Its clause: from the last , ; : before it.
  size_t clause = d.span.begin;
  while (clause > content && text[clause - 1] != ',' && text[clause - 1] != ';' && text[clause - 1] != ':') --clause;
  const std::string_view clause_text = text.substr(clause, d.span.begin - clause);
  if (FindPhrase(clause_text, list("term.reject_before"))) return std::nullopt;
  // The three words before it: "upon thirty (30) days", "within", "at least", "each".
  // ("the day prior to the second anniversary" ends a term.)
  const std::vector<Span> words_before = fields::Words(text, clause, d.span.begin);
  const size_t near = words_before.size() > 3 ? words_before[words_before.size() - 3].begin : clause;
  if (!d.anniversary && FindPhrase(text.substr(near, d.span.begin - near), list("term.reject_just_before"))) {
    return std::nullopt;
  }
  // What follows: skip "'", "’s", "(the "Term")", commas and a noun ("a five (5) year term
  // ("Initial Term") from the date signed").
  size_t after = d.span.end;
  auto skip = [&] {
    for (;;) {
      after = SkipSpaces(text, after, s.end);
      if (after < s.end && (text[after] == '\'' || text[after] == ',')) {
        ++after;
      } else if (after + 2 < s.end && static_cast<unsigned char>(text[after]) == 0xE2 &&
                 static_cast<unsigned char>(text[after + 1]) == 0x80 &&
                 static_cast<unsigned char>(text[after + 2]) == 0x99) {  // ’
        after += 3;
      } else if (after < s.end && text[after] == '(') {
        const size_t close = text.find(')', after);
        if (close == std::string_view::npos || close >= s.end || close - after > 40) break;
        after = close + 1;
      } else {
        break;
      }
    }
  };
  skip();
  if (after < s.end && (text[after] == 's' || text[after] == 'S') && after > d.span.end &&
      (after + 1 == s.end || !IsAlnum(text[after + 1]))) {
    ++after;  // the "s" of "year’s"
    skip();
  }
  if (auto noun = StartsWithPhrase(text.substr(after, s.end - after), list("term.unit_nouns"))) {
    after += noun->end;
    skip();
  }
  const std::string_view rest = text.substr(after, s.end - after);
  if (!d.anniversary && StartsWithPhrase(rest, list("term.reject_after"))) return std::nullopt;
  // "five (5) years following the Effective Date or until the Studies are completed, whichever is later"
  if (FindPhrase(rest, list("term.computed_after"))) return std::nullopt;
  bool anchored = false;
  if (StartsWithPhrase(rest, list("term.relative"))) {
    // "commence on the Effective Date and continue for three years thereafter"; not
    // "during the Term and for two years thereafter".
    if (!HasAnchor(reading, before)) return std::nullopt;
    anchored = true;
  } else if (d.anniversary) {
    // "the second anniversary of the Effective Date"
    if (!HasAnchor(reading, rest.substr(0, std::min<size_t>(rest.size(), 90)))) return std::nullopt;
    anchored = true;
  } else if (auto counted = StartsWithPhrase(rest, list("term.counted"))) {
    // Counted from the effective or agreement date, or a date; not from another event (and
    // then neither is the rest of the sentence: "three years from the Launch Date, divided
    // into three one-year periods").
    const std::string_view from = rest.substr(counted->end, std::min<size_t>(rest.size() - counted->end, 70));
    if (!HasAnchor(reading, from) && FindDates(std::string(from)).empty()) {
      *stop = true;
      return std::nullopt;
    }
    anchored = true;
  }
  // "commence on the Effective Date and continue for", "come into force on 1 January 2013 and
  // remain valid for"
  if (!anchored && (HasAnchor(reading, before) || !FindDates(std::string(before)).empty())) anchored = true;
  // Without an anchor or a heading, the clause must speak of the term ("The term of this
  // Agreement shall be five years"), or the sentence open with a cue ("The term of this
  // Agreement, unless terminated earlier, shall be five years").
  if (!anchored && !heading && !FindPhrase(clause_text, list("term.nouns")) &&
      !StartsWithPhrase(content_text, list("term.cues"))) {
    return std::nullopt;
  }
  Candidate c;
  c.duration = d;
  // The text: a lead phrase ("for a period of") right before the duration, then the duration.
  size_t text_begin = d.span.begin;
  const size_t lead_from = d.span.begin > s.begin + 40 ? d.span.begin - 40 : s.begin;
  for (size_t from = lead_from; from < d.span.begin;) {
    auto lead = FindPhrase(text.substr(from, d.span.begin - from), list("term.leads"));
    if (!lead) break;
    if (SkipSpaces(text, from + lead->end, d.span.begin) == d.span.begin) {
      text_begin = from + lead->begin;
      break;
    }
    from += lead->begin + 1;
  }
  c.text = {text_begin, d.span.end};
  if (heading) c.score += 2;
  if (anchored) c.score += 1;
  return c;
}

// The first duration of sentence `k` that is the agreement's term.
std::optional<Candidate> InSentence(const Reading& reading, const DurationReader& durations, const ZoneText& zt,
                                    size_t k) {
  const Span s = zt.sentences[k];
  const std::string_view text = zt.text;
  const std::string_view sentence = zt.Text(s);
  // Under a term heading every sentence speaks of the term; elsewhere one with a cue.
  const bool heading = UnderHeading(reading, zt, k);
  const auto first_cue = FindPhrase(sentence, reading.Words("term.cues"));
  if (!first_cue && !heading) return std::nullopt;
  const size_t content = s.begin + HeadingEnd(reading, sentence);
  for (size_t i = first_cue ? s.begin + first_cue->begin : content; i < s.end; ++i) {
    if (i > s.begin && IsAlnum(text[i - 1])) continue;
    if (!IsAlnum(text[i]) && text[i] != '(') continue;
    const auto d = durations.At(text, i, s.end);
    if (!d) continue;
    bool stop = false;
    if (auto c = Judge(reading, zt, s, content, heading, *d, &stop)) return c;
    if (stop) break;
    i = d->span.end;
  }
  return std::nullopt;
}

std::optional<Term> InZones(const Reading& reading, const DurationReader& durations, const std::vector<Zone>& zones) {
  const ZoneText zt = fields::TextOf(reading, zones);
  if (zt.empty()) return std::nullopt;
  std::optional<Candidate> best;
  for (size_t k = 0; k < zt.sentences.size(); ++k) {
    auto c = InSentence(reading, durations, zt, k);
    if (!c) continue;
    if (!best || c->score > best->score) best = std::move(c);
  }
  if (!best) return std::nullopt;
  Term out;
  out.duration = best->duration.iso;
  out.text = std::string(zt.Text(best->text));
  out.evidence = zt.EvidenceOf(reading, best->text, best->score >= 3 ? 0.9 : best->score == 2 ? 0.8 : 0.6);
  return out;
}

}  // namespace

void ExtractTerm(const Reading& reading, Agreement* out) {
  const DurationReader durations(reading);
  out->term = fields::FirstInClausePasses(
      reading, [&](const std::vector<Zone>& zones) { return InZones(reading, durations, zones); });
}

}  // namespace pactum::extract
