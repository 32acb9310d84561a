// Tokens of a run of lines: words and punctuation with where they came from,
// for the token-level labellers (parties, and what reads a sentence).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "reading/reading.h"

namespace pactum::extract {

struct Token {
  std::string text;        // as printed
  size_t line = 0;         // index into Reading::lines()
  size_t begin = 0;        // byte offset in Tokens::text
  size_t end = 0;
  bool line_start = false; // first token of its line
};

struct Tokens {
  std::string text;        // the lines joined by single spaces (line-end hyphens kept)
  std::vector<Token> tokens;
  // The text from token `first` to token `last` (inclusive), as printed.
  std::string Span(size_t first, size_t last) const { return text.substr(tokens[first].begin, tokens[last].end - tokens[first].begin); }
};

// Splits lines into tokens: runs of letters/digits (with inner . ' - & /
// as in "Inc.", "L.L.C.", "Baden-Württemberg", "AT&T") and single
// punctuation marks. A word's final "." stays on it when the word is an
// abbreviation (one letter, or listed in `abbreviations`), else it is a
// token of its own. At most `max_tokens` tokens.
Tokens Tokenize(const Reading& reading, const std::vector<size_t>& lines, const std::vector<std::string>& abbreviations,
                size_t max_tokens = 1500);
// True for a quotation mark token: " ' “ ” „ « » ‘ ’ ‚
bool IsQuoteMark(std::string_view token);

// The same for one string (every token's line is 0).
Tokens TokenizeText(const std::string& text, const std::vector<std::string>& abbreviations);

}  // namespace pactum::extract
