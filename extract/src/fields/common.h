// Shared text helpers for the field extractors.
#pragma once

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
Evidence EvidenceOf(const TextLine& line);

}  // namespace pactum::extract::fields
