// Shared text helpers for the field extractors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/extract/fields.h"

namespace pactum::extract::fields {

std::string Trim(std::string_view s);
std::string Lower(std::string_view s);           // ASCII + German umlauts
bool StartsWith(std::string_view s, std::string_view p);
bool EndsWith(std::string_view s, std::string_view p);
std::string CollapseSpaces(std::string_view s);
// Joins two lines, repairing a hyphenated line break ("Fachkräfte-" +
// "sicherung" -> "Fachkräftesicherung"; "Ausbildungs-" + "und" keeps the hyphen).
std::string JoinLines(std::string_view a, std::string_view b);
// True if the first character (UTF-8) is an uppercase letter (incl. ÄÖÜ).
bool StartsUpper(std::string_view s);
bool StartsLower(std::string_view s);
// True when `s` has letters and none of them is lowercase (any script).
bool IsAllCaps(std::string_view s);
// Letters, a period, then two or more letters to the end: a web domain used
// as a name ("deltathree.com", "About.com").
bool IsWebDomain(std::string_view word);
// A word a proper name may begin with: capitalised, a brand led by a small
// letter ("eFashion", "iShip.com", "mPhase") or a web domain.
bool OpensName(std::string_view word);
// "VEREINBARUNG ÜBER DIE FÖRDERUNG" -> "Vereinbarung über die Förderung",
// "GRANT AGREEMENT" -> "Grant Agreement": words capitalised by code point,
// articles, prepositions and conjunctions after the first word in lowercase.
std::string TitleCase(std::string_view s);
Evidence EvidenceOf(const TextLine& line);

// A signature block's place-and-date line: "Wiesbaden, den 2.8.2025",
// "Frankfurt am Main, 4. März 2024", "Signed in Brussels on 14 January 2026",
// "Ort, Datum: Kassel, 6.6.2024". Exactly one date, at the end of the line.
// "YYYY-MM-DD" of a calendar date in 1900..2200, or nullopt when there is
// no such day (31.02., 29.02. of a common year).
std::optional<std::string> IsoDate(int y, int m, int d);

struct PlaceDateLine {
  std::string place;  // empty when the line holds only the date
  ParsedDate date;
};
std::optional<PlaceDateLine> ParsePlaceDateLine(const std::string& line);
// The same, for a line whose dates (FindDates) are already known.
std::optional<PlaceDateLine> ParsePlaceDateLine(const std::string& line, const std::vector<ParsedDate>& dates);

}  // namespace pactum::extract::fields
