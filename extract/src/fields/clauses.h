// The running text of the clauses, for extractors that read sentences
// (governing law, term): the lines of one zone joined into one string, the
// line each byte came from, and the sentences of that string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pactum/models/record.h"
#include "reading/reading.h"

namespace pactum::extract::fields {

struct Span {
  size_t begin = 0, end = 0;
  size_t size() const { return end - begin; }
};

struct ZoneText {
  std::string text;            // the lines joined by single spaces (a hyphen at a line break before
                               // a lowercase word removed)
  std::vector<size_t> starts;  // byte offset in `text` where each of `lines` begins, ascending
  std::vector<size_t> lines;   // indices of the reading's lines
  std::vector<Span> sentences; // in order, covering the text; a heading line is its own sentence

  bool empty() const { return lines.empty(); }
  // Index into `lines` of the line that holds byte `offset`.
  size_t LineAt(size_t offset) const;
  // Page of the line holding `begin`; box around the lines of [begin, end)
  // on that page.
  Evidence EvidenceOf(const Reading& reading, Span span, double confidence) const;
  std::string_view Text(Span span) const { return std::string_view(text).substr(span.begin, span.size()); }
};

// The lines of `zones` in reading order, joined.
ZoneText TextOf(const Reading& reading, const std::vector<Zone>& zones);

// Where to look for a clause, pass after pass until one finds it: the
// parties and the body (the parties zone runs on into the clauses of short
// agreements whose preamble has no party cue); then the annexes; then the
// recitals and the signature area, which hold clauses where the zoning
// ended the body too early. When the body is thinner than recitals and
// signature area together (the zoning failed), the first pass reads them
// all but the annexes.
std::vector<std::vector<Zone>> ClausePasses(const Reading& reading);

// The first value `find(zones)` gives over ClausePasses(reading), pass after
// pass; nullopt when no pass has one.
template <typename Find>
auto FirstInClausePasses(const Reading& reading, Find find) -> decltype(find(std::vector<Zone>{})) {
  for (const std::vector<Zone>& zones : ClausePasses(reading)) {
    if (auto found = find(zones)) return found;
  }
  return std::nullopt;
}

// The index of the sentence that holds `offset`.
size_t SentenceAt(const ZoneText& text, size_t offset);

// The words of `text` from `from` on: [begin, end) of each run of
// characters between spaces.
std::vector<Span> Words(std::string_view text, size_t from = 0, size_t to = std::string_view::npos);

// A word that numbers a clause: "12.1", "8.", "(b)", "IV.", "Article", "§", "-".
bool NumberingWord(const Reading& reading, std::string_view word);
// The offset in `text` after its leading numbering words.
size_t AfterNumbering(const Reading& reading, std::string_view text);

// `word` without the punctuation around it (quotes, brackets, , ; : .).
Span TrimPunctuation(std::string_view text, Span word);

}  // namespace pactum::extract::fields
