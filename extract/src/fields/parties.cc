// Parties: the names the party labeller (reading/party_labeller.h) marks in
// the title and parties zones, in document order, each once, in the
// nominative without a leading article, with the short name the text
// defines right after it ("(the "Company")", "– nachstehend „HMSI“ –").

#include <algorithm>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/names.h"
#include "reading/party_labeller.h"

namespace pactum::extract {
namespace {


bool IsNamePunctuation(const std::string& t) { return t == "," || t == ";" || t == ":" || t == "-" || t == "\xe2\x80\x93"; }

// The defined term in tokens [from, to): the first quoted run of at most six
// tokens ("(the "Company")", "„HMSI“"), else a parenthesised acronym
// ("(HMSI)"), else a term that a definition cue opens in parentheses, without
// its article ("(im folgenden: der Freistaat)", "(im folgenden Bund
// genannt)": parties.definition_cues, parties.articles), before a line that
// opens another name.
std::optional<std::string> DefinedTerm(const Reading& reading, const Tokens& tokens, size_t from, size_t to) {
  const auto& t = tokens.tokens;
  to = std::min({to, t.size(), from + 40});
  for (size_t i = from; i < to; ++i) {
    if (!IsQuoteMark(t[i].text)) continue;
    for (size_t j = i + 1; j < to && j <= i + 7; ++j) {
      if (IsQuoteMark(t[j].text)) {
        if (j == i + 1) break;
        std::string term = tokens.Span(i + 1, j - 1);
        if (!fields::StartsUpper(term)) break;
        return term;
      }
    }
  }
  for (size_t i = from; i + 2 < to; ++i) {
    if (t[i].text == "(" && t[i + 2].text == ")") {
      const std::string& w = t[i + 1].text;
      const bool acronym = w.size() >= 2 && w.size() <= 12 && fields::IsAllCaps(w);
      if (acronym) return w;
    }
  }
  const auto& cues = reading.Words("parties.definition_cues");
  const auto& articles = reading.Words("parties.articles");
  for (size_t i = from; i + 2 < to; ++i) {
    // Not past a line that opens another name ("Der Freistaat Sachsen").
    if (t[i].line_start && HasWord(articles, t[i].text) && fields::StartsUpper(t[i + 1].text)) break;
    if (t[i].text != "(") continue;
    const auto cue = StartsWithPhrase(std::string_view(tokens.text).substr(t[i + 1].begin), cues);
    if (!cue) continue;
    size_t k = i + 1;
    while (k < to && t[k].begin < t[i + 1].begin + cue->end) ++k;
    if (k < to && t[k].text == ":") ++k;
    if (k < to && HasWord(articles, t[k].text)) ++k;
    size_t end = k;
    while (end < to && end < k + 3 && fields::StartsUpper(t[end].text)) ++end;
    const bool closed = end < to && (t[end].text == ")" || HasWord(cues, t[end].text));
    if (end > k && closed) return tokens.Span(k, end - 1);
  }
  return std::nullopt;
}

bool IsCapitalisedWord(const Token& t) { return fields::OpensName(t.text); }

// Names go on over a connector or a comma when a capitalised word follows
// ("European Foundation | for Vocational Learning", "Ministerium für Arbeit,
// Integration | , Jugend und Soziales"): extends a labelled span that way,
// within its line, up to the next span, never past a legal
// form (after "Corp." the name is complete) or into parentheses.
size_t ExtendName(const Reading& reading, const Tokens& tokens, size_t last, size_t next_span) {
  const auto& t = tokens.tokens;
  const auto& connectors = reading.Words("parties.name_connectors");
  const auto& articles = reading.Words("parties.articles");
  const auto& legal_forms = reading.Words("parties.legal_forms");
  const auto& details = reading.Words("parties.detail_cues");
  if (HasWord(legal_forms, t[last - 1].text)) return last;
  size_t end = last;
  while (end + 1 < next_span && end + 1 < t.size() && t[end + 1].line == t[last - 1].line) {
    const std::string& link = t[end].text;
    const bool joins = link == "," || HasWord(connectors, link);
    if (!joins || !IsCapitalisedWord(t[end + 1]) || HasWord(articles, t[end + 1].text)) break;
    if (StartsWithPhrase(tokens.text.substr(t[end].begin), details)) break;
    size_t k = end + 1;
    while (k < next_span && k < t.size() && t[k].line == t[last - 1].line && IsCapitalisedWord(t[k]) &&
           !HasWord(articles, t[k].text)) {
      ++k;
    }
    end = k;
    if (HasWord(legal_forms, t[end - 1].text)) break;
  }
  return end;
}

// Where a labelled name runs on into what is not its name: an address after
// a comma (a house number, a postcode, a street word), a detail ("d/b/a …",
// "with its principal office …"), or a new line that starts with an article
// ("Landkreis Kassel" / "Der Kreisausschuss"). A legal form after the comma
// is the name's ("Example Systems, Inc. of 12 Main Street").
size_t CutName(const Reading& reading, const Tokens& tokens, size_t first, size_t last) {
  const auto& t = tokens.tokens;
  const auto& articles = reading.Words("parties.articles");
  const auto& streets = reading.Words("parties.address_words");
  const auto& details = reading.Words("parties.detail_cues");
  const auto& legal_forms = reading.Words("parties.legal_forms");
  for (size_t k = first + 1; k < last; ++k) {
    if (t[k].line != t[k - 1].line && HasWord(articles, t[k].text)) return k;
    const std::string_view text(tokens.text);
    if (StartsWithPhrase(text.substr(t[k].begin), details)) return k;
    if (t[k].text != "," || k + 1 >= last) continue;
    if (auto form = StartsWithPhrase(text.substr(t[k + 1].begin), legal_forms)) {
      const size_t form_end = t[k + 1].begin + form->end;
      while (k + 1 < last && t[k + 1].begin < form_end) ++k;
      continue;
    }
    // The part after the comma, up to the next comma.
    size_t e = k + 1;
    while (e < t.size() && t[e].line == t[k + 1].line && t[e].text != "," && t[e].text != "(") ++e;
    if (e == k + 1) continue;
    const std::string part = tokens.text.substr(t[k + 1].begin, t[e - 1].end - t[k + 1].begin);
    const bool digits = part.find_first_of("0123456789") != std::string::npos;
    bool street = false;
    for (size_t w = k + 1; w < e && !street; ++w) {
      const std::string word = fields::Lower(t[w].text);
      for (const auto& s : streets) street = street || fields::EndsWith(word, fields::Lower(s));
    }
    if (digits || street) return k;
  }
  return last;
}

// A legal form printed in several tokens ("e. V.", "Pty. Ltd.") that the
// span ends inside is part of the name.
size_t CompleteLegalForm(const Reading& reading, const Tokens& tokens, size_t first, size_t last) {
  const auto& t = tokens.tokens;
  const size_t from = t[first].begin, to = t[last - 1].end;
  for (const auto& hit : FindAllPhrases(tokens.text.substr(0, std::min(tokens.text.size(), to + 40)),
                                        reading.Words("parties.legal_forms"))) {
    if (hit.begin < to && hit.end > to && hit.begin >= from) {
      while (last < t.size() && t[last].begin < hit.end) ++last;
    }
  }
  return last;
}

// The name may start before the labelled span, over capitalised words joined
// by a connector on the same line ("Bildungswerk der | Hessischen Wirtschaft"),
// never back past another span, a legal form, an article that starts the
// name, or a party cue.
size_t ExtendNameBack(const Reading& reading, const Tokens& tokens, size_t first, size_t previous_end) {
  const auto& t = tokens.tokens;
  const auto& connectors = reading.Words("parties.name_connectors");
  const auto& articles = reading.Words("parties.articles");
  const auto& legal_forms = reading.Words("parties.legal_forms");
  const auto& conjunctions = reading.Words("parties.conjunctions");
  size_t begin = first;
  while (begin >= previous_end + 2 && t[begin - 1].line == t[first].line) {
    const Token& link = t[begin - 1];
    const Token& word = t[begin - 2];
    if (!HasWord(connectors, link.text) || HasWord(conjunctions, link.text)) break;
    if (!IsCapitalisedWord(word) || HasWord(articles, word.text) || HasWord(legal_forms, word.text)) break;
    begin -= 2;
    while (begin > previous_end && t[begin - 1].line == t[first].line && IsCapitalisedWord(t[begin - 1]) &&
           !HasWord(articles, t[begin - 1].text) && !HasWord(legal_forms, t[begin - 1].text)) {
      --begin;
    }
  }
  return begin;
}

std::string StripArticle(std::string name, const std::vector<std::string>& articles) {
  if (auto hit = StartsWithPhrase(name, articles); hit && hit->end < name.size() && name[hit->end] == ' ') {
    name = fields::Trim(name.substr(hit->end));
  }
  return name;
}

// Whether `name` can be a party's name: its parentheses closed, and its first
// word one that opens a name (fields::OpensName), or a number when the name
// ends in a legal form ("2205925 Ontario Limited", a company registered by
// number).
bool MayBeName(const Reading& reading, const std::string& name) {
  // A piece of a name cut inside parentheses ("PTY) LIMITED") is none.
  int depth = 0;
  for (char c : name) {
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (depth < 0) return false;
  }
  if (depth != 0) return false;
  const std::string first = name.substr(0, name.find(' '));
  if (fields::OpensName(first)) return true;
  if (std::isdigit(static_cast<unsigned char>(name[0])) == 0 || first.size() == name.size()) return false;
  return HasWord(reading.Words("parties.legal_forms"), name.substr(name.rfind(' ') + 1));
}

// A name for comparing: without a leading article, lowered, commas as
// spaces and full stops dropped ("ScanSource,Inc." = "ScanSource, Inc.",
// "U.S." = "US"), the stems of its last words.
std::string NameKey(const std::string& name, const std::vector<std::string>& articles) {
  std::string plain;
  for (char c : StripArticle(name, articles)) {
    if (c == ',' || c == ';') plain += ' ';
    else if (c != '.') plain += c;
  }
  return fields::names::StemTail(fields::CollapseSpaces(plain), 8);
}

// `key` without the legal form words at its end ("netgear inc" -> "netgear").
std::string WithoutLegalForm(const Reading& reading, std::string key) {
  const auto& forms = reading.Words("parties.legal_forms");
  for (size_t space = key.rfind(' '); space != std::string::npos && HasWord(forms, key.substr(space + 1));
       space = key.rfind(' ')) {
    key.resize(space);
  }
  return key;
}

// Whether key `part`, a company's name (two words at least, ending in a
// legal form), is the end of key `whole` by words ("data services corp" of
// "first data services corp"), not one it names after a connector ("Mark der
// Deutschen Demokratischen Republik" is not the republic).
bool EndsWithWords(const Reading& reading, const std::string& whole, const std::string& part) {
  if (part.find(' ') == std::string::npos || whole.size() <= part.size() + 1 || !fields::EndsWith(whole, part) ||
      whole[whole.size() - part.size() - 1] != ' ' || WithoutLegalForm(reading, part) == part) {
    return false;
  }
  const std::string before = whole.substr(0, whole.size() - part.size() - 1);
  const std::string last = before.substr(before.rfind(' ') == std::string::npos ? 0 : before.rfind(' ') + 1);
  return !HasWord(reading.Words("parties.name_connectors"), last) && !HasWord(reading.Words("parties.articles"), last);
}

// Adds `party` to `out` unless it is one of its parties again: the same name
// (NameKey), the end of one's name (a span that lost its first words) or one
// without its legal form. A fuller name replaces the shorter one found first
// ("Security Technology Co., Ltd." by "Example Internet Security Technology
// Co., Ltd."; "NETGEAR" by "NETGEAR, Inc.").
void AddParty(const Reading& reading, Party party, Agreement* out) {
  const auto& articles = reading.Words("parties.articles");
  const std::string key = NameKey(party.name, articles);
  const std::string bare = WithoutLegalForm(reading, key);
  for (Party& have : out->parties) {
    const std::string other = NameKey(have.name, articles);
    if (other == key || EndsWithWords(reading, other, key) || (other != key && WithoutLegalForm(reading, other) == key)) return;
    if (EndsWithWords(reading, key, other) || (bare != key && bare == other)) {
      have.name = party.name;
      if (!have.short_name) have.short_name = party.short_name;
      return;
    }
  }
  out->parties.push_back(std::move(party));
}

// Whether `name` is a role rather than a name: a role word alone or with a
// letter or number ("Company", "Party C", "Partner 2").
bool IsRoleLabel(const Reading& reading, const std::string& name) {
  const auto& roles = reading.Words("parties.roles");
  const size_t space = name.find(' ');
  if (space == std::string::npos) return HasWord(roles, name);
  const std::string rest = name.substr(space + 1);
  const bool mark = rest.size() == 1 || std::all_of(rest.begin(), rest.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  return mark && HasWord(roles, name.substr(0, space));
}

}  // namespace

// Block layouts set each party on lines of its own between lines that hold
// only the cue and the conjunction ("between" / X / "and" / Y). Where the
// labeller marked none of the line after such a conjunction line, that line
// (up to a comma, parenthesis or detail cue) is taken as a span too.
std::vector<std::pair<size_t, size_t>> AddBlockLayoutParties(const Reading& reading, const Tokens& tokens,
                                                             std::vector<std::pair<size_t, size_t>> spans) {
  const auto& t = tokens.tokens;
  const auto& conjunctions = reading.Words("parties.conjunctions");
  const auto& articles = reading.Words("parties.articles");
  const auto& details = reading.Words("parties.detail_cues");
  auto covered = [&](size_t line) {
    return std::any_of(spans.begin(), spans.end(), [&](const auto& sp) { return t[sp.first].line == line; });
  };
  if (spans.empty()) return spans;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    const bool alone = t[i].line_start && (i + 1 == t.size() || t[i + 1].line != t[i].line);
    if (!alone || !HasWord(conjunctions, t[i].text)) continue;
    size_t first = i + 1;
    const size_t line = t[first].line;
    if (covered(line)) continue;
    if (HasWord(articles, t[first].text) && first + 1 < t.size() && t[first + 1].line == line) ++first;
    size_t last = first;
    while (last < t.size() && t[last].line == line && t[last].text != "," && t[last].text != "(" &&
           !StartsWithPhrase(tokens.text.substr(t[last].begin), details)) {
      ++last;
    }
    if (last > first && IsCapitalisedWord(t[first])) spans.emplace_back(first, last);
  }
  std::sort(spans.begin(), spans.end());
  return spans;
}

// A cover page above the title that names the parties on lines of their
// own, joined by a conjunction alone on the line between them ("EXAMPLE
// INC." / "and" / "SAMPLE LIMITED"): the two lines as names, each set apart
// as a heading is (centred or in capitals) or ending in a legal form.
// "Die Länder Brandenburg, Mecklenburg-Vorpommern, der Freistaat Sachsen
// und ...": a plural head opening a sentence (parties.plural_heads, with its singular) before
// a list of names makes each of them a party under the singular ("Land
// Brandenburg", "Land Mecklenburg-Vorpommern"). The list ends before an
// article (the next party has its own head) or after the name that follows
// a conjunction.
std::vector<std::pair<std::string, size_t>> PluralHeadParties(const Reading& reading, const Tokens& tokens) {
  std::vector<std::pair<std::string, size_t>> out;
  const auto& t = tokens.tokens;
  const auto& articles = reading.Words("parties.articles");
  const auto& conjunctions = reading.Words("parties.conjunctions");
  for (const auto& [plural, singular] : reading.TableOf("parties.plural_heads")) {
    for (const auto& hit : FindAllPhrases(tokens.text, std::vector<std::string>{plural})) {
      // Opening the sentence that names the parties ("Die Länder ..."), not
      // in a clause ("... werden die Länder Brandenburg, ... Länder der").
      if (!fields::StartsUpper(std::string_view(tokens.text).substr(hit.begin))) continue;
      size_t k = 0;
      while (k < t.size() && t[k].begin < hit.end) ++k;
      // Names separated by commas, the last after a conjunction.
      for (bool last = false; k < t.size() && fields::StartsUpper(t[k].text) && !HasWord(articles, t[k].text); k += 2) {
        out.emplace_back(singular + " " + t[k].text, t[k].line);
        if (last || k + 1 >= t.size()) break;
        last = HasWord(conjunctions, t[k + 1].text);
        if (!last && t[k + 1].text != ",") break;
      }
    }
  }
  return out;
}

std::vector<std::pair<std::string, size_t>> CoverPageParties(const Reading& reading) {
  std::vector<std::pair<std::string, size_t>> out;
  const auto& conjunctions = reading.Words("parties.conjunctions");
  const auto& legal_forms = reading.Words("parties.legal_forms");
  size_t title = 0;
  while (title < reading.size() && reading.zone(title) != Zone::kTitle) ++title;
  if (title == reading.size()) return out;
  auto name_line = [&](size_t i) {
    const LineFeatures& f = reading.features(i);
    const std::string text = fields::Trim(reading.line(i).text);
    if (f.words == 0 || f.words > 10 || f.party_cue || !fields::OpensName(text.substr(0, text.find(' ')))) return false;
    if (text.find_first_of("0123456789") != std::string::npos && !HasWord(legal_forms, text.substr(text.rfind(' ') + 1))) {
      return false;
    }
    const auto form = FindAllPhrases(text, legal_forms);
    const bool ends_in_form = !form.empty() && form.back().end + 1 >= text.size();
    return f.centred || f.all_caps || ends_in_form;
  };
  for (size_t i = 1; i + 1 < title; ++i) {
    if (reading.line(i).page != reading.line(title).page) continue;
    if (!HasWord(conjunctions, fields::Trim(reading.line(i).text))) continue;
    if (!name_line(i - 1) || !name_line(i + 1)) continue;
    out.emplace_back(fields::Trim(reading.line(i - 1).text), i - 1);
    out.emplace_back(fields::Trim(reading.line(i + 1).text), i + 1);
  }
  return out;
}

void ExtractParties(const Reading& reading, Agreement* out) {
  const Tokens tokens = PartyTokens(reading);
  const auto spans = AddBlockLayoutParties(reading, tokens, LabelPartyNames(PartyFeatures(reading, tokens)));
  const auto& articles = reading.Words("parties.articles");
  const auto& not_parties = reading.Words("parties.not_parties");
  const auto& conjunctions = reading.Words("parties.conjunctions");
  for (size_t s = 0; s < spans.size(); ++s) {
    auto [first, last] = spans[s];
    const size_t next_span = s + 1 < spans.size() ? spans[s + 1].first : tokens.tokens.size();
    const size_t previous_end = s > 0 ? spans[s - 1].second : 0;
    // A name that follows a subject lead (parties.subject_leads) in the
    // sentence that named a party before it is the subject's
    // ("Staatsvertrag zwischen X und Y über die Zusammenarbeit ... im Raum
    // Halle-Leipzig").
    if (s > 0) {
      const size_t from = tokens.tokens[previous_end - 1].end, to = tokens.tokens[first].begin;
      const std::string_view between = std::string_view(tokens.text).substr(from, to > from ? to - from : 0);
      const bool new_sentence = between.find(". ") != std::string_view::npos || between.find(':') != std::string_view::npos;
      if (!new_sentence && FindPhrase(between, reading.Words("parties.subject_leads"))) continue;
    }
    // German capitalises every noun: in running text "des Beitritts der Deutschen
    // Demokratischen Republik" would read as one name. There the labeller's span
    // stands; a line of its own ("dem Bildungswerk der Hessischen Wirtschaft
    // e. V.") is a name throughout.
    if (reading.language() != "de" || reading.features(tokens.tokens[first].line).words <= 10) {
      first = ExtendNameBack(reading, tokens, first, previous_end);
      last = ExtendName(reading, tokens, last, next_span);
    }
    // A kind of agreement is no party's name: "Vertrag des Freistaates
    // Sachsen" names the Freistaat (its article tells the case, below).
    while (first + 2 < last && !reading.Designations(tokens.tokens[first].text).empty() &&
           HasWord(articles, tokens.tokens[first + 1].text)) {
      first += 2;
    }
    last = CompleteLegalForm(reading, tokens, first, last);
    last = CutName(reading, tokens, first, last);
    // "City of Example, Texas and": a conjunction or punctuation at the end is not the name's.
    while (last > first + 1 &&
           (IsNamePunctuation(tokens.tokens[last - 1].text) || HasWord(conjunctions, tokens.tokens[last - 1].text))) {
      --last;
    }
    std::string name = fields::Trim(tokens.Span(first, last - 1));
    // The article before the name tells its case ("dem Hessischen Ministerium").
    if (first > 0 && HasWord(articles, tokens.tokens[first - 1].text)) name = tokens.tokens[first - 1].text + " " + name;
    name = StripArticle(fields::names::Nominative(name), articles);
    if (name.size() < 2 || name.size() > 200 || !MayBeName(reading, name)) continue;
    if (auto hit = StartsWithPhrase(name, not_parties); hit && hit->end == name.size()) continue;
    if (IsRoleLabel(reading, name)) continue;
    Party party;
    party.name = name;
    party.short_name = DefinedTerm(reading, tokens, last, next_span);
    if (party.short_name && *party.short_name == name) party.short_name.reset();
    party.evidence = fields::EvidenceOf(reading.line(tokens.tokens[first].line));
    AddParty(reading, std::move(party), out);
  }
  // Names found outside the preamble: on the cover page or where the parties sign.
  auto add_found = [&](const std::string& found, size_t line) {
    std::string name = StripArticle(found, articles);
    while (!name.empty() && (name.back() == ',' || name.back() == ';')) name.pop_back();
    if (name.size() < 2 || name.size() > 200 || !MayBeName(reading, name) || IsRoleLabel(reading, name)) return;
    if (auto hit = StartsWithPhrase(name, not_parties); hit && hit->end == name.size()) return;
    Party party;
    party.name = std::move(name);
    party.evidence = fields::EvidenceOf(reading.line(line));
    AddParty(reading, std::move(party), out);
  };
  for (const auto& cover : CoverPageParties(reading)) add_found(cover.first, cover.second);
  for (const auto& listed : PluralHeadParties(reading, tokens)) add_found(listed.first, listed.second);
  // "The undersigned hereby agree …", "each of the persons set forth on the
  // signature page": the parties are (also) the organisations that sign; so
  // they are where no preamble or cover page names any (a preamble the zoner
  // missed, an excerpt that starts after it).
  if (out->parties.empty() || FindPhrase(tokens.text, reading.Words("parties.signature_referrals"))) {
    for (const auto& org : SigningOrganisations(reading)) add_found(org.name, org.line);
  }
  // A party's defined short name found as a name of its own ("PSS" after
  // "Physician Example Services, Inc. ("PSS")") is that party.
  std::vector<Party> kept;
  for (const Party& p : out->parties) {
    const bool short_name = std::any_of(out->parties.begin(), out->parties.end(), [&](const Party& q) {
      return &q != &p && q.short_name && fields::Lower(*q.short_name) == fields::Lower(p.name);
    });
    if (!short_name) kept.push_back(p);
  }
  out->parties = std::move(kept);
}

}  // namespace pactum::extract
