// Line kinds the zoner and the extractors share: page numbers and headings.
#pragma once

#include <string>
#include <vector>

#include "pactum/extract/fields.h"

namespace pactum::extract::fields {

// True for lines that are page furniture: "Seite 2", "- 2 -", "Page 2 of 3".
bool IsPageNumberLine(const std::string& text);
// "§ 3 Gegenstand der Förderung", "Article 4 – Work packages", "Präambel".
bool IsSectionHeading(const std::string& text);
// The words that number a section, as printed: "Article", "Artikel", "Section" (document.section_words).
const std::vector<std::string>& SectionWords();
// A short numbered clause heading: "1. Services", "2 Term".
bool IsNumberedClauseHeading(const std::string& text);

}  // namespace pactum::extract::fields
