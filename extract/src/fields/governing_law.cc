// The governing law: the place whose law a clause chooses for the agreement.
//
//   This Agreement shall be governed by the laws of the State of New York, without
//   regard to its conflict of laws principles.               -> New York
//   ... construed in accordance with Ohio law / English law  -> Ohio / England
//   Dieser Vertrag unterliegt dem Recht des Landes Hessen.   -> Hessen
//   Es gilt deutsches Recht.                                 -> Deutschland
//
// A sentence of the clauses (fields::ClausePasses: the body, then the
// annexes, then what the zoning may have cut off the body) that holds a cue
// (law.cues) and a place after "laws of" (law.law_of) or an adjective or
// place before "law" (law.law_words). The place drops the prefixes "the
// State of", "des Landes" (law.place_prefixes), is read as its capitalised
// words up to the first stop word or punctuation, and known names are
// normalised (law.place_aliases: PRC -> China); of "the United States and
// the State of Texas" the state is taken (law.federations). A sentence
// counts when it is about the agreement (law.agreement_words), states the
// law on its own ("Es gilt ...") or stands under a governing-law heading
// (law.headings). The one under such a heading wins, else the last: the
// governing-law clause stands among the final provisions, after clauses
// that apply some law to one matter.
#include <algorithm>
#include <optional>

#include "fields/clauses.h"
#include "fields/common.h"
#include "fields/extractors.h"

namespace pactum::extract {
namespace {

using fields::Span;
using fields::ZoneText;

bool SameWord(std::string_view a, std::string_view b) { return fields::Lower(a) == fields::Lower(b); }

std::vector<std::string> Keys(const Table& table) {
  std::vector<std::string> keys;
  keys.reserve(table.size());
  for (const auto& [k, v] : table) keys.push_back(k);
  return keys;
}

const std::string* Lookup(const Table& table, std::string_view key) {
  for (const auto& [k, v] : table) {
    if (SameWord(k, key)) return &v;
  }
  return nullptr;
}

struct Place {
  std::string name;
  Span span;  // of the place as printed
};

class LawReader {
 public:
  explicit LawReader(const Reading& reading)
      : r_(reading),
        aliases_(reading.TableOf("law.place_aliases")),
        alias_keys_(Keys(aliases_)),
        adjectives_(reading.TableOf("law.adjectives")) {}

  // The place written from `at` on ("the State of New York, ..." -> New York).
  std::optional<Place> PlaceAt(std::string_view text, size_t at, size_t limit) const {
    while (at < limit && text[at] == ' ') ++at;
    const size_t start = at;
    for (int guard = 0; guard < 6 && at < limit; ++guard) {
      const std::string_view rest = text.substr(at, limit - at);
      if (auto alias = StartsWithPhrase(rest, alias_keys_)) {
        const std::string* name = Lookup(aliases_, alias->phrase);
        if (name != nullptr) return Place{*name, {start, at + alias->end}};
      }
      auto prefix = StartsWithPhrase(rest, r_.Words("law.place_prefixes"));
      if (!prefix) break;
      at += prefix->end;
      while (at < limit && text[at] == ' ') ++at;
    }
    return CapitalisedPlace(text, at, limit, start);
  }

  // The place named by capitalised words from `at` on.
  std::optional<Place> CapitalisedPlace(std::string_view text, size_t at, size_t limit, size_t start) const {
    const std::vector<Span> words = fields::Words(text, at, limit);
    std::vector<std::string_view> parts;
    size_t end = at;
    for (size_t k = 0; k < words.size() && parts.size() < 6; ++k) {
      const Span w = fields::TrimPunctuation(text, words[k]);
      if (w.size() == 0) break;
      const std::string_view word = text.substr(w.begin, w.size());
      const bool open = w.begin > words[k].begin && text[words[k].begin] != '"' && text[words[k].begin] != '\'';
      if (open) break;  // "(" before the word: a defined term or a remark
      if (!parts.empty() && HasWord(r_.Words("law.connectors"), word) && w.end == words[k].end && k + 1 < words.size()) {
        const Span next = fields::TrimPunctuation(text, words[k + 1]);
        const std::string_view nw = text.substr(next.begin, next.size());
        if (next.size() > 0 && next.begin == words[k + 1].begin && fields::StartsUpper(nw) &&
            !HasWord(r_.Words("law.place_stops"), nw)) {
          parts.push_back(word);
          continue;
        }
        break;
      }
      if (word.find('*') != std::string_view::npos || word.find('_') != std::string_view::npos) return std::nullopt;
      if (!fields::StartsUpper(word) || HasWord(r_.Words("law.place_stops"), word)) break;
      parts.push_back(word);
      end = w.end;
      if (w.end < words[k].end) break;  // "York," "York." "York)"
    }
    while (!parts.empty() && HasWord(r_.Words("law.connectors"), parts.back())) parts.pop_back();
    if (parts.size() > 1 && HasWord(r_.Words("law.place_suffixes"), parts.back())) parts.pop_back();
    if (parts.empty()) return std::nullopt;
    std::string name;
    for (std::string_view p : parts) {
      if (!name.empty()) name += ' ';
      name += p;
    }
    if (const std::string* alias = Lookup(aliases_, name)) return Place{*alias, {start, end}};
    if (fields::IsAllCaps(name) && name.size() > 3) name = fields::TitleCase(name);
    return Place{name, {start, end}};
  }

  // The place of "<adjective> law" / "<Place> law" ending at `law_begin`
  // ("English law", "deutsches Recht", "New York law").
  std::optional<Place> PlaceBefore(std::string_view text, size_t from, size_t law_begin, bool place_allowed) const {
    std::vector<Span> words = fields::Words(text, from, law_begin);
    if (words.empty()) return std::nullopt;
    const Span last = fields::TrimPunctuation(text, words.back());
    if (last.size() == 0 || last.end != words.back().end) return std::nullopt;
    const std::string_view adjective = text.substr(last.begin, last.size());
    if (const std::string* place = Adjective(adjective)) return Place{*place, last};
    // Capitalised words before "law": "New York law", "Delaware law" (not in German,
    // where every noun is capitalised).
    if (!place_allowed) return std::nullopt;
    std::vector<Span> run;
    for (size_t k = words.size(); k-- > 0;) {
      const Span w = fields::TrimPunctuation(text, words[k]);
      const std::string_view word = text.substr(w.begin, w.size());
      if (w.size() == 0 || w.end != words[k].end) break;
      if (!run.empty() && HasWord(r_.Words("law.connectors"), word) && !fields::StartsUpper(word)) {
        run.insert(run.begin(), w);
        continue;
      }
      if (!fields::StartsUpper(word) || HasWord(r_.Words("law.place_stops"), word) ||
          HasWord(r_.Words("law.place_prefixes"), word) || HasWord(r_.Words("law.agreement_words"), word)) {
        break;
      }
      // Four capitalised words before "Law": the name of a statute, not a place.
      if (run.size() == 3) return std::nullopt;
      if (w.begin != words[k].begin) {  // "(Delaware" opens a remark
        break;
      }
      run.insert(run.begin(), w);
    }
    while (!run.empty() && HasWord(r_.Words("law.connectors"), text.substr(run.front().begin, run.front().size()))) {
      run.erase(run.begin());
    }
    if (run.empty()) return std::nullopt;
    const Span span{run.front().begin, run.back().end};
    std::string name(text.substr(span.begin, span.size()));
    if (const std::string* alias = Lookup(aliases_, name)) return Place{*alias, span};
    if (fields::IsAllCaps(name) && name.size() > 3) name = fields::TitleCase(name);
    return Place{name, span};
  }

 private:
  const std::string* Adjective(std::string_view word) const {
    if (const std::string* p = Lookup(adjectives_, word)) return p;
    const std::string lower = fields::Lower(word);
    for (const std::string& ending : r_.Words("law.adjective_endings")) {
      if (lower.size() > ending.size() + 3 && fields::EndsWith(lower, ending)) {
        if (const std::string* p = Lookup(adjectives_, lower.substr(0, lower.size() - ending.size()))) return p;
      }
    }
    return nullptr;
  }

  const Reading& r_;
  const Table& aliases_;
  std::vector<std::string> alias_keys_;
  const Table& adjectives_;
};

struct Candidate {
  Place place;
  Span text;
  int score = 0;
};

// Whether the sentence `k` stands under a governing-law heading: one
// names it right before the sentence or at its start.
bool UnderHeading(const Reading& reading, const ZoneText& zt, size_t k) {
  const Span s = zt.sentences[k];
  const size_t from = s.begin > 120 ? s.begin - 120 : 0;
  const size_t to = std::min(s.end, s.begin + 24);
  const std::string_view window = std::string_view(zt.text).substr(from, to - from);
  return FindPhrase(window, reading.Words("law.headings")).has_value();
}

std::optional<Candidate> InSentence(const Reading& reading, const LawReader& law, const ZoneText& zt, size_t k) {
  const Span s = zt.sentences[k];
  const std::string_view sentence = zt.Text(s);
  const auto cue = FindPhrase(sentence, reading.Words("law.cues"));
  if (!cue) return std::nullopt;
  // Places after "laws of" and before "law", in the sentence.
  std::vector<std::pair<Span, Place>> places;  // the law phrase, the place
  for (size_t from = 0; from < sentence.size();) {
    auto hit = FindPhrase(sentence, reading.Words("law.law_of"), from);
    if (!hit) break;
    if (auto p = law.PlaceAt(zt.text, s.begin + hit->end, s.end)) {
      places.push_back({{s.begin + hit->begin, p->span.end}, *p});
    }
    from = hit->end;
  }
  for (size_t from = 0; from < sentence.size();) {
    auto hit = FindPhrase(sentence, reading.Words("law.law_words"), from);
    if (!hit) break;
    from = hit->end;
    // Not "law of" (read above) nor the heading "Governing Law".
    if (StartsWithPhrase(sentence.substr(hit->begin), reading.Words("law.law_of"))) continue;
    const bool place_allowed = HasWord(reading.Words("law.place_law_words"), hit->phrase);
    if (auto p = law.PlaceBefore(zt.text, s.begin, s.begin + hit->begin, place_allowed)) {
      places.push_back({{p->span.begin, s.begin + hit->end}, *p});
    }
  }
  if (places.empty()) return std::nullopt;
  // The place the cue governs: the first after the cue, else the last before it.
  const size_t cue_at = s.begin + cue->begin;
  std::sort(places.begin(), places.end(), [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });
  const auto after = std::find_if(places.begin(), places.end(), [&](const auto& p) { return p.first.begin >= cue_at; });
  auto chosen = after != places.end() ? *after : places.back();
  // "the laws of the United States of America and of the State of Texas": the state.
  if (HasWord(reading.Words("law.federations"), chosen.second.name)) {
    size_t at = chosen.second.span.end;
    for (int step = 0; step < 2; ++step) {
      at = std::min<size_t>(at, s.end);
      while (at < s.end && zt.text[at] == ' ') ++at;
      auto connector = StartsWithPhrase(std::string_view(zt.text).substr(at, s.end - at), reading.Words("law.connectors"));
      if (!connector) break;
      at += connector->end;
    }
    if (at > chosen.second.span.end) {
      if (auto state = law.PlaceAt(zt.text, at, s.end)) {
        chosen.first.end = state->span.end;
        chosen.second = {state->name, {chosen.second.span.begin, state->span.end}};
      }
    }
  }
  Candidate c;
  c.place = chosen.second;
  // The text: from the last cue before the place that is not a heading ("governed by the
  // laws of ..."), else from the place's law phrase.
  size_t text_begin = chosen.first.begin;
  for (size_t from = 0; from < sentence.size();) {
    auto hit = FindPhrase(sentence, reading.Words("law.cues"), from);
    if (!hit || s.begin + hit->begin >= chosen.first.begin) break;
    if (!StartsWithPhrase(sentence.substr(hit->begin), reading.Words("law.headings"))) {
      text_begin = s.begin + hit->begin;
    }
    from = hit->end;
  }
  c.text = {text_begin, chosen.first.end};
  if (c.text.size() > 240) c.text = chosen.first;
  if (UnderHeading(reading, zt, k)) c.score += 2;
  // About the agreement, or a statement of its own ("Es gilt deutsches Recht.").
  if (FindPhrase(sentence, reading.Words("law.agreement_words")) ||
      StartsWithPhrase(sentence.substr(fields::AfterNumbering(reading, sentence)), reading.Words("law.cues"))) {
    c.score += 1;
  }
  return c;
}

std::optional<GoverningLaw> InZones(const Reading& reading, const LawReader& law, const std::vector<Zone>& zones) {
  const ZoneText zt = fields::TextOf(reading, zones);
  if (zt.empty()) return std::nullopt;
  std::optional<Candidate> best;
  for (size_t k = 0; k < zt.sentences.size(); ++k) {
    auto c = InSentence(reading, law, zt, k);
    if (!c || c->score < 1) continue;
    if (!best || c->score >= best->score) best = std::move(c);
  }
  if (!best) return std::nullopt;
  GoverningLaw out;
  out.jurisdiction = best->place.name;
  out.text = std::string(zt.Text(best->text));
  out.evidence = zt.EvidenceOf(reading, best->text, best->score >= 3 ? 0.95 : best->score == 2 ? 0.85 : 0.7);
  return out;
}

}  // namespace

void ExtractGoverningLaw(const Reading& reading, Agreement* out) {
  const LawReader law(reading);
  out->governing_law =
      fields::FirstInClausePasses(reading, [&](const std::vector<Zone>& zones) { return InZones(reading, law, zones); });
}

}  // namespace pactum::extract
