// The document's heading area on page 1: title lines, the "zwischen … und …"
// / "between … and …" party lines and the subject line, located once and
// shared by the title and party extractors.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "pactum/extract/fields.h"

namespace pactum::extract::fields {

struct Header {
  std::vector<size_t> title_lines;               // indices into DocumentText::lines
  std::optional<size_t> between_line;            // "zwischen" / "between"
  std::vector<std::vector<size_t>> party_lines;  // lines of each party, in order
  std::optional<size_t> subject_line;            // "zur Umsetzung …" / "on the …"
};

Header FindHeader(const DocumentText& doc);

// True for lines that are page furniture: "Seite 2", "- 2 -", "Page 2 of 3".
bool IsPageNumberLine(const std::string& text);
// "§ 3 Gegenstand der Förderung", "Article 4 – Work packages", "Präambel".
bool IsSectionHeading(const std::string& text);
// A short numbered clause heading: "1. Services", "2 Term".
bool IsNumberedClauseHeading(const std::string& text);
// Strips a leading "über die", "zur", "on the", ... from a subject line.
std::string SubjectFromLine(const std::string& text);

}  // namespace pactum::extract::fields
