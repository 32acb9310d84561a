// Parties: the names after "zwischen"/"between" and "und"/"and" in the
// heading area, in the nominative without article, with the short name the
// text defines for them ("… (HMSI)", "nachstehend „HMSI“ genannt").

#include <algorithm>
#include <initializer_list>

#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/header.h"
#include "fields/names.h"
#include "fields/regex.h"

namespace pactum::extract {
namespace {

using fields::Lower;
using fields::Trim;

// Lines that describe a party but are not its name: addresses,
// representation, role definitions.
bool IsPartyDetail(const std::string& text) {
  static const fields::Regex re(
      R"((\b[0-9]{4,5}\s+[A-ZÄÖÜ])|([0-9].*,.*\p{Lu})|(straße|strasse|str\.|platz|weg|allee|street|road|avenue|postfach|p\.o\. box|\bbox\b)|^\s*(vertreten durch|represented by|nachstehend|im folgenden|hereinafter|\(|–|-|,)|\bgenannt\b|referred to as)",
      fields::Regex::kIgnoreCase);
  return re.Search(text);
}

bool IsAcronym(const std::string& s) {
  if (s.size() < 2 || s.size() > 12) return false;
  int upper = 0;
  for (char c : s) {
    if (std::isupper(static_cast<unsigned char>(c))) ++upper;
    else if (!std::isdigit(static_cast<unsigned char>(c)) && c != '-' && c != '&' && !std::islower(static_cast<unsigned char>(c))) return false;
  }
  return upper >= 2;
}

// The label a definition gives a party: 'nachstehend „Auftraggeber“ genannt',
// 'hereinafter "EFVL"'; empty when there is none.
std::string DefinedLabel(const std::string& text) {
  const std::string lower = Lower(text);
  size_t at = std::string::npos;
  for (const char* cue : {"nachstehend", "im folgenden", "hereinafter", "referred to as"}) {
    at = std::min(at, lower.find(cue));
  }
  if (at == std::string::npos) return {};
  static const char* const kOpen[] = {"\xe2\x80\x9e", "\xe2\x80\x9c", "\xc2\xbb", "\""};   // „ “ » "
  static const char* const kClose[] = {"\xe2\x80\x9c", "\xe2\x80\x9d", "\xc2\xab", "\""};  // “ ” « "
  size_t open = std::string::npos, open_len = 0;
  for (const char* o : kOpen) {
    const size_t p = text.find(o, at);
    if (p < open) open = p, open_len = std::string_view(o).size();
  }
  if (open == std::string::npos) return {};
  size_t close = std::string::npos;
  for (const char* c : kClose) close = std::min(close, text.find(c, open + open_len));
  if (close == std::string::npos || close - open - open_len > 40) return {};
  return Trim(text.substr(open + open_len, close - open - open_len));
}

// A defined short name: "(HMSI)", or a defined label that is a name rather
// than a role phrase with an article ("the Grantor", "der Zuwendungsgeber").
std::optional<std::string> ShortNameIn(const std::string& text) {
  static const fields::Regex paren(R"(\([„“"»]?(\p{Lu}[\p{L}0-9&-]{1,11})[“”"«]?\))");
  fields::Match m;
  if (paren.Search(text, &m) && IsAcronym(m.str(1))) return m.str(1);
  const std::string label = DefinedLabel(text);
  if (label.empty() || label.find(' ') != std::string::npos) return std::nullopt;
  return label;
}

std::string StripParenthetical(std::string s) {
  for (size_t p; (p = s.find('(')) != std::string::npos;) {
    const size_t q = s.find(')', p);
    s.erase(p, q == std::string::npos ? std::string::npos : q - p + 1);
  }
  while (!s.empty() && (s.back() == ',' || s.back() == ' ' || s.back() == ';')) s.pop_back();
  return Trim(s);
}

// Looks for "<last words of name> (ACRONYM)" anywhere in the document.
std::optional<std::string> ShortNameInDocument(const DocumentText& doc, const std::string& name) {
  const std::string tail = fields::names::StemTail(name, 2);
  if (tail.empty()) return std::nullopt;
  std::string prev;
  for (const auto& line : doc.lines) {
    const bool has_paren = line.text.find('(') != std::string::npos;
    if (has_paren) {
      const std::string text = fields::JoinLines(prev, line.text);
      for (size_t open = text.find('('); open != std::string::npos; open = text.find('(', open + 1)) {
        const size_t close = text.find(')', open);
        if (close == std::string::npos) break;
        const std::string inner = text.substr(open + 1, close - open - 1);
        if (!IsAcronym(inner)) continue;
        if (fields::names::StemTail(text.substr(0, open), 2) == tail) return inner;
      }
    }
    prev = line.text;
  }
  return std::nullopt;
}

// `raw` up to the first ", " that starts an address: a street, a postcode
// or a house number ("Müller GmbH, Industriestraße 5, 34123 Kassel").
std::string WithoutAddress(const std::string& raw) {
  static const fields::Regex address(
      R"(^(?:[^,]*[0-9]|[^,]*(?:straße|strasse|str\.|platz|weg|allee|street|road|avenue|postfach|p\.o\. box)))",
      fields::Regex::kIgnoreCase);
  for (size_t comma = raw.find(", "); comma != std::string::npos; comma = raw.find(", ", comma + 2)) {
    if (address.Search(raw.substr(comma + 2))) return Trim(raw.substr(0, comma));
  }
  return raw;
}

void AddParty(const DocumentText& doc, std::string raw, std::optional<std::string> short_name, const TextLine& where,
              Agreement* out) {
  if (!short_name) short_name = ShortNameIn(raw);
  // Cut role definitions and the sentence's verb that share the name's line.
  for (const char* cut : {" nachstehend", " im Folgenden", " hereinafter", " – ", " vertreten durch", " represented by",
                          " wird folgende", " wird die", " wird der", " wird das", " schließen", " geschlossen"}) {
    const size_t p = raw.find(cut);
    if (p != std::string::npos && p > 0) raw = raw.substr(0, p);
  }
  raw = WithoutAddress(raw);
  std::string name = fields::names::Nominative(StripParenthetical(raw));
  if (name.empty() || name.size() > 200) return;
  for (const Party& p : out->parties) {
    if (fields::names::StemTail(p.name, 8) == fields::names::StemTail(name, 8)) return;  // each party once
  }
  if (!short_name) short_name = ShortNameInDocument(doc, name);
  Party party;
  party.name = name;
  party.short_name = short_name;
  party.evidence = fields::EvidenceOf(where);
  out->parties.push_back(std::move(party));
}

// The text up to the first of `stops` (or all of it).
std::string CutAtFirst(const std::string& s, std::initializer_list<const char*> stops) {
  size_t end = s.size();
  for (const char* stop : stops) end = std::min(end, s.find(stop));
  return Trim(s.substr(0, end));
}

// Parties named inside a sentence: "Diese Vereinbarung wird zwischen dem Land
// Hessen, vertreten durch …, und der Stadt Kassel geschlossen", "This Agreement
// is entered into by and between X and Y". Used when the heading area has no
// "zwischen"/"between" line of its own.
void ExtractInlineParties(const DocumentText& doc, Agreement* out) {
  std::string text;
  const TextLine* where = nullptr;
  for (const auto& line : doc.lines) {
    if (line.page != 1 || fields::IsSectionHeading(line.text) || fields::IsNumberedClauseHeading(line.text)) break;
    text = text.empty() ? line.text : fields::JoinLines(text, line.text);
    if (!where) where = &line;
  }
  static const fields::Regex between(R"(\b(?:zwischen|between)\s+(.+))", fields::Regex::kIgnoreCase);
  fields::Match m;
  if (!where || !between.Search(text, &m)) return;
  const std::string rest = m.str(1);
  // Split at the "und"/"and" that introduces the second party: preferably one
  // followed by an article ("und der Stadt …"), since names contain "und".
  static const fields::Regex split_article(R"(,?\s+(?:und|and)\s+(?=(?:dem|der|den|die|das|the)\s))");
  static const fields::Regex split_plain(R"(,?\s+(?:und|and)\s+)");
  fields::Match s;
  if (!split_article.Search(rest, &s) && !split_plain.Search(rest, &s)) return;
  const std::string first = CutAtFirst(rest.substr(0, s.position(0)), {",", " (", " vertreten", " represented", " –", " -"});
  const std::string second =
      CutAtFirst(rest.substr(s.end(0)), {",", " (", ".", ";", " –", " - ", " vertreten", " represented", " zur ", " zum ",
                                         " über ", " on ", " for ", " regarding ", " nachstehend", " hereinafter",
                                         " geschlossen", " wird ", " werden ", " is ", " are "});
  for (const std::string& name : {first, second}) {
    if (!name.empty()) AddParty(doc, name, std::nullopt, *where, out);
  }
}

// Parties listed with numbers under "PARTIES" or "… made between:":
// "(1) Leeds City Council, Civic Hall, … (“LCC”); and" / "(2) …". True when
// such a list of two or more was found.
bool ExtractNumberedParties(const DocumentText& doc, Agreement* out) {
  static const fields::Regex item(R"(\s*\(([1-9])\)\s+(\S.*))");
  static const fields::Regex intro(R"(\b(?:between|zwischen|parties|parteien|vertragsparteien)\b\s*:?\s*$)",
                                   fields::Regex::kIgnoreCase);
  const auto& L = doc.lines;
  for (size_t i = 0; i + 1 < L.size() && L[i].page == 1; ++i) {
    if (fields::IsSectionHeading(L[i].text) || fields::IsNumberedClauseHeading(L[i].text)) break;
    if (!intro.Search(fields::Trim(L[i].text))) continue;
    std::vector<std::pair<std::string, size_t>> listed;  // raw name, line
    for (size_t k = i + 1; k < L.size() && k <= i + 12 && L[k].page == 1; ++k) {
      fields::Match m;
      if (!item.FullMatch(L[k].text, &m)) continue;
      if (std::stoi(m.str(1)) != static_cast<int>(listed.size()) + 1) break;
      listed.emplace_back(m.str(2), k);
    }
    if (listed.size() < 2) continue;
    for (const auto& [raw, k] : listed) {
      std::string name = CutAtFirst(raw, {",", " (", ";", " of ", " whose ", " incorporated", " a company", " vertreten",
                                          " represented"});
      if (fields::IsAllCaps(name)) name = fields::TitleCase(name);
      AddParty(doc, name, ShortNameIn(raw), L[k], out);
    }
    return true;
  }
  return false;
}

}  // namespace

void ExtractParties(const Reading& reading, Agreement* out) {
  const DocumentText& doc = reading.text();
  const size_t before = out->parties.size();
  if (ExtractNumberedParties(doc, out)) return;
  out->parties.resize(before);
  const fields::Header h = fields::FindHeader(doc);
  if (h.party_lines.empty()) {
    ExtractInlineParties(doc, out);
    return;
  }
  for (const auto& group : h.party_lines) {
    std::string raw;
    std::optional<size_t> first;
    std::string extra;  // role definitions etc. on detail lines
    for (size_t li : group) {
      std::string text = Trim(doc.lines[li].text);
      const std::string lower = Lower(text);
      for (const char* lead : {"zwischen ", "between ", "und ", "and "}) {
        if (fields::StartsWith(lower, lead)) text = Trim(text.substr(std::string_view(lead).size()));
      }
      // A further line that starts with an article begins a description
      // ("Landkreis Kassel" / "Der Kreisausschuss"), not the name's rest.
      const bool new_phrase = first && (fields::StartsWith(text, "Der ") || fields::StartsWith(text, "Die ") ||
                                        fields::StartsWith(text, "Das ") || fields::StartsWith(text, "The "));
      if ((IsPartyDetail(text) || new_phrase) && first) {
        extra += " " + text;
        continue;
      }
      if (!first) first = li;
      raw = raw.empty() ? text : fields::JoinLines(raw, text);
    }
    if (!first) continue;
    std::optional<std::string> short_name = ShortNameIn(raw);
    if (!short_name) short_name = ShortNameIn(extra);
    AddParty(doc, raw, short_name, doc.lines[*first], out);
  }
}

}  // namespace pactum::extract
