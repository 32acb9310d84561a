// Parties: the names after "zwischen"/"between" and "und"/"and" in the
// heading area, in the nominative without article, with the short name the
// text defines for them ("… (HMSI)", "nachstehend „HMSI“ genannt").
#include <regex>

#include "fields/common.h"
#include "fields/header.h"
#include "fields/names.h"

namespace pactum::extract {
namespace {

using fields::Lower;
using fields::Trim;

// Lines that describe a party but are not its name: addresses,
// representation, role definitions.
bool IsPartyDetail(const std::string& text) {
  static const std::regex re(
      R"((\b\d{4,5}\s+[A-ZÄÖÜ])|(straße|strasse|str\.|platz|weg|allee|street|road|avenue|postfach|p\.o\. box|\bbox\b)|^\s*(vertreten durch|represented by|nachstehend|im folgenden|hereinafter|\(|–|-|,)|\bgenannt\b|referred to as)",
      std::regex::icase | std::regex::optimize);
  return std::regex_search(text, re);
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

// A defined short name: "(HMSI)" or "nachstehend „HMSI“ genannt" /
// 'hereinafter "EFVL"' when it is an acronym (roles like "the Grantor" are not).
std::optional<std::string> ShortNameIn(const std::string& text) {
  static const std::regex paren(R"(\(([A-ZÄÖÜ][A-Za-zÄÖÜäöü0-9&-]{1,11})\))");
  static const std::regex quoted(R"((?:nachstehend|im folgenden|hereinafter|referred to as)[^„"“]*[„"“]([^“”"]{2,12})[“”"])",
                                 std::regex::icase);
  std::smatch m;
  if (std::regex_search(text, m, paren) && IsAcronym(m[1])) return m[1].str();
  if (std::regex_search(text, m, quoted) && IsAcronym(m[1])) return m[1].str();
  return std::nullopt;
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
  static const std::regex paren(R"(([^()]{3,80})\(([A-ZÄÖÜ][A-Za-zÄÖÜäöü0-9&-]{1,11})\))");
  const std::string tail = fields::names::StemTail(name, 2);
  if (tail.empty()) return std::nullopt;
  std::string prev;
  for (const auto& line : doc.lines) {
    const std::string text = fields::JoinLines(prev, line.text);
    prev = line.text;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), paren); it != std::sregex_iterator(); ++it) {
      if (!IsAcronym((*it)[2])) continue;
      if (fields::names::StemTail((*it)[1].str(), 2) == tail) return (*it)[2].str();
    }
  }
  return std::nullopt;
}

void AddParty(const DocumentText& doc, std::string raw, const TextLine& where, Agreement* out) {
  std::optional<std::string> short_name = ShortNameIn(raw);
  // Cut role definitions that share the name's line.
  for (const char* cut : {" nachstehend", " im Folgenden", " hereinafter", " – ", " vertreten durch", " represented by"}) {
    const size_t p = raw.find(cut);
    if (p != std::string::npos && p > 0) raw = raw.substr(0, p);
  }
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

}  // namespace

void ExtractParties(const DocumentText& doc, Agreement* out) {
  const fields::Header h = fields::FindHeader(doc);
  for (const auto& group : h.party_lines) {
    std::string raw;
    std::optional<int> first;
    std::string extra;  // role definitions etc. on detail lines
    for (int li : group) {
      std::string text = Trim(doc.lines[li].text);
      const std::string lower = Lower(text);
      for (const char* lead : {"zwischen ", "between ", "und ", "and "}) {
        if (fields::StartsWith(lower, lead)) text = Trim(text.substr(std::string_view(lead).size()));
      }
      if (IsPartyDetail(text) && first) {
        extra += " " + text;
        continue;
      }
      if (!first) first = li;
      raw = raw.empty() ? text : fields::JoinLines(raw, text);
    }
    if (!first) continue;
    if (!ShortNameIn(raw) && ShortNameIn(extra)) raw += " (" + *ShortNameIn(extra) + ")";
    AddParty(doc, raw, doc.lines[*first], out);
  }
}

}  // namespace pactum::extract
