// The signature area's start: a pass over the cue lines from the end.
#include "reading/signature_area.h"

#include <algorithm>
#include <cctype>

#include "fields/common.h"
#include "fields/regex.h"
#include "reading/reading.h"

namespace pactum::extract {
namespace {

constexpr int kMaxOpenerWords = 10;  // "Signed for and on behalf of Blue Harbour Consulting Ltd."
constexpr int kProseWords = 8;       // a line of running text has at least this many words
constexpr int kMaxProseBetween = 10;  // running-text lines allowed between two cues of one area
constexpr size_t kMaxLinesBetween = 40;

bool StartsUpperOrSymbol(std::string_view text) {
  const std::string t = fields::Trim(text);
  if (t.empty()) return false;
  const unsigned char c = static_cast<unsigned char>(t[0]);
  if (c < 0x80 && !std::isalpha(c)) return true;  // "/s/", "(", digits
  return fields::StartsUpper(t);
}

// A line that is running text: long, or the first line of a paragraph that
// runs on (wide and not ending its sentence).
bool IsProse(const LineFeatures& f) { return f.words >= kProseWords; }

}  // namespace

std::optional<SignatureLabel> SignatureLabelOf(std::string_view text,
                                               const std::vector<std::pair<std::string, std::string>>& labels) {
  const std::string t = fields::Trim(text);
  const std::string lower = fields::Lower(t);
  std::optional<SignatureLabel> best;
  size_t best_len = 0;
  for (const auto& [key, field] : labels) {
    const std::string k = fields::Lower(key);
    if (k.size() <= best_len || lower.compare(0, k.size(), k) != 0) continue;
    size_t at = k.size();
    while (at < t.size() && t[at] == ' ') ++at;
    const bool colon = at < t.size() && t[at] == ':';
    const bool rule_after = at == k.size() && at < t.size() && (t[at] == '_' || t[at] == '.');  // "Date_______"
    if (colon) {
      ++at;
    } else if (rule_after && IsSignatureRule(t.substr(at))) {
      at = t.size();
    } else {
      // "Name Keith M. Schappert", "By /s/ Jane Doe": only these two, and only
      // with a value of several capitalised words or a conformed signature.
      if (k != "name" && k != "by") continue;
      if (at == k.size() || at >= t.size()) continue;
      const std::string rest = fields::Trim(t.substr(at));
      int words = 0;
      bool capitalised = true;
      for (size_t p = 0; p < rest.size(); ++p) {
        if (p == 0 || rest[p - 1] == ' ') {
          ++words;
          capitalised = capitalised && (fields::StartsUpper(rest.substr(p)) || rest[p] == '/');
        }
      }
      const bool name_like = words >= 2 && words <= 5 && capitalised && !fields::IsAllCaps(rest);
      if (rest.rfind("/s/", 0) != 0 && !name_like) continue;
    }
    // The label must end at a word boundary: "Dated" is not "Date" + "d".
    if (!colon && !rule_after && at == k.size()) continue;
    if (k.size() < t.size() && std::isalnum(static_cast<unsigned char>(t[k.size()])) != 0) continue;
    std::string value = at < t.size() ? fields::Trim(t.substr(at)) : std::string();
    if (IsSignatureRule(value)) value.clear();
    // A rule before the value: "By: ______ /s/ Jane Doe" keeps the value.
    size_t lead = 0;
    while (lead < value.size() && (value[lead] == '_' || value[lead] == '.' || value[lead] == ' ')) ++lead;
    value = fields::Trim(value.substr(lead));
    best = SignatureLabel{field, value};
    best_len = k.size();
  }
  return best;
}

std::optional<std::string> SignatureBlankDatePlace(std::string_view text) {
  // "Bonn, den ______": signatures.place_date_comma_links between the place and the blank.
  static const fields::Regex blank(
      "\\s*(\\p{Lu}[^,;:0-9_]{1,40}?)\\s*,\\s*(?:" +
      fields::RegexAlternation(LanguageData::Get().List("", "signatures.place_date_comma_links")) +
      ")?\\s*[_.…]{4,}\\s*");
  const std::string t(text);  // the match points into it
  fields::Match m;
  if (blank.FullMatch(t, &m)) return fields::Trim(m.str(1));
  return std::nullopt;
}

bool IsSignatureRule(std::string_view text) {
  size_t rule = 0, other = 0, run = 0, best_run = 0;
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '(') ++depth;
    if (c == ')') depth = std::max(0, depth - 1);
    const bool ellipsis = c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                          static_cast<unsigned char>(text[i + 2]) == 0xA6;  // "…"
    if (c == '_' || c == '-' || c == '.' || c == '=' || ellipsis) {
      ++rule;
      best_run = std::max(best_run, ++run);
      if (ellipsis) i += 2;
      continue;
    }
    run = 0;
    if (c == ' ' || depth > 0 || c == ')' || (c & 0xC0) == 0x80) continue;
    ++other;
  }
  return best_run >= 4 && rule >= 5 && other <= 1;
}

SignatureCue SignatureCueOf(const Reading& reading, size_t i) {
  return static_cast<SignatureCue>(reading.signature_cue(i));
}

SignatureCue ComputeSignatureCue(const Reading& reading, size_t i) {
  const TextLine& line = reading.line(i);
  const LineFeatures& f = reading.features(i);
  const std::string text = fields::Trim(line.text);
  if (text.empty()) return SignatureCue::kNone;
  if (StartsWithPhrase(text, reading.Words("signatures.closing"))) return SignatureCue::kClosing;
  if (IsSignatureRule(text)) return SignatureCue::kRule;
  if (f.words <= 12) {
    // A date alone ("January 1, 2004") is weak evidence: tables hold many.
    // Every date it reads has digits (a year at least).
    const bool digits = text.find_first_of("0123456789") != std::string::npos;
    if (auto pd = digits ? fields::ParsePlaceDateLine(text) : std::nullopt) {
      if (!pd->place.empty()) return SignatureCue::kPlaceDate;
      if (f.words <= 6) return SignatureCue::kBlock;
    }
    if (SignatureBlankDatePlace(text)) return SignatureCue::kPlaceDate;
  }
  if (f.words > kMaxOpenerWords || !StartsUpperOrSymbol(text)) return SignatureCue::kNone;
  if (auto label = SignatureLabelOf(text, reading.TableOf("signatures.labels"))) {
    if (label->field != "organization") return SignatureCue::kLabel;
  }
  if (!StartsWithPhrase(text, reading.Words("signatures.block"))) return SignatureCue::kNone;
  // A paragraph's first line that happens to open like a block ("Für die
  // Haushaltsführung der Stiftung gelten …"): running text follows right
  // under it.
  if (i + 1 < reading.size() && reading.line(i + 1).page == line.page && f.words >= 6 && text.back() != ':' &&
      reading.features(i + 1).words >= kProseWords && reading.features(i + 1).gap_above < 1.0) {
    return SignatureCue::kNone;
  }
  // A line continuing a sentence ("… neue Impulse" / "für die regionale
  // Ausbildungspolitik") is running text.
  if (i > 0 && reading.line(i - 1).page == line.page && reading.features(i - 1).words >= kProseWords &&
      !reading.features(i - 1).ends_sentence && reading.line(i - 1).block == line.block) {
    return SignatureCue::kNone;
  }
  return SignatureCue::kBlock;
}

size_t FindSignatureStart(const Reading& reading, const std::vector<bool>& furniture, size_t from) {
  const size_t n = reading.size();
  struct Cue {
    size_t line;
    SignatureCue kind;
  };
  std::vector<Cue> cues;
  for (size_t i = from; i < n; ++i) {
    if (furniture[i]) continue;
    const SignatureCue c = SignatureCueOf(reading, i);
    if (c != SignatureCue::kNone) cues.push_back({i, c});
  }
  if (cues.empty()) return n;

  // Runs of cues: a run ends where more than a few lines of running text
  // (or very many lines) separate two cues.
  struct Run {
    size_t first, last;  // indices into cues
    bool strong = false;
    bool filled = false;  // a signed block: a label with its value, "/s/ …", a place with its date
    bool opener = false;  // a block opener that is not a date alone ("Für den Freistaat Sachsen")
  };
  std::vector<Run> runs;
  for (size_t c = 0; c < cues.size(); ++c) {
    bool fresh = runs.empty();
    if (!fresh) {
      const size_t a = cues[c - 1].line, b = cues[c].line;
      int prose = 0;
      for (size_t k = a + 1; k < b; ++k) {
        if (!furniture[k] && IsProse(reading.features(k))) ++prose;
      }
      fresh = prose > kMaxProseBetween || b - a > kMaxLinesBetween;
    }
    if (fresh) runs.push_back({c, c, false});
    runs.back().last = c;
    // A rule or a lone opener is no evidence; a closing formula, a place and
    // date, or a block label is.
    runs.back().strong = runs.back().strong || IsStrongSignatureCue(cues[c].kind);
    runs.back().opener = runs.back().opener ||
                         (cues[c].kind == SignatureCue::kBlock &&
                          !fields::ParsePlaceDateLine(fields::Trim(reading.line(cues[c].line).text)).has_value());
    if (!runs.back().filled) {
      const std::string t = fields::Trim(reading.line(cues[c].line).text);
      if (cues[c].kind == SignatureCue::kLabel) {
        const auto label = SignatureLabelOf(t, reading.TableOf("signatures.labels"));
        runs.back().filled = label && !label->value.empty();
      } else if (cues[c].kind == SignatureCue::kPlaceDate) {
        runs.back().filled = !SignatureBlankDatePlace(t).has_value();
      } else if (cues[c].kind == SignatureCue::kClosing) {
        runs.back().filled = fields::ParsePlaceDateLine(t).has_value();
      }
    }
  }
  // The last run with strong evidence, and of those the last signed one
  // (blank forms in the exhibits follow the signed agreement); not one at
  // the very start (a signed cover sheet) or, unless signed, in the first
  // part of the document while later runs exist.
  const Run* chosen = &runs.back();
  auto after = [&](size_t r, size_t fifths) {
    return cues[runs[r].first].line * 10 >= n * fifths || r + 1 == runs.size();
  };
  auto late = [&](size_t r) { return after(r, 4); };
  bool found = false;
  for (size_t r = runs.size(); r-- > 0 && !found;) {
    if (runs[r].strong && runs[r].filled && after(r, 1)) chosen = &runs[r], found = true;
  }
  for (size_t r = runs.size(); r-- > 0 && !found;) {
    if (!runs[r].strong) continue;
    if (late(r)) chosen = &runs[r];
    found = true;
  }
  // Without strong evidence the last run stands only if it opens a block
  // ("Für den Freistaat Sachsen"): dates alone in a table of the clauses are
  // no signature area.
  if (!found && !chosen->opener) return n;
  size_t start = cues[chosen->first].line;
  // Company lines above a "By:" block ("ACME HOLDINGS, INC." / "By: ____").
  if (cues[chosen->first].kind == SignatureCue::kLabel) {
    for (int k = 0; k < 3 && start > from; ++k) {
      const size_t p = start - 1;
      if (furniture[p] || reading.line(p).page != reading.line(start).page) break;
      const LineFeatures& f = reading.features(p);
      const std::string t = fields::Trim(reading.line(p).text);
      // A company line may end with the full stop of "Inc."; a sentence is longer.
      if (t.empty() || f.words > 6 || f.numbered_heading) break;
      if (reading.features(start).gap_above > 3.0) break;
      start = p;
    }
  }
  return start;
}

}  // namespace pactum::extract
