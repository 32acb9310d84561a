#include "pactum/extract/pdf_objects.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>

namespace pactum::extract {
namespace {

constexpr long long kSaturated = 1'000'000'000'000'000'000LL;

bool IsWhite(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsDelimiter(char c) {
  return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' ||
         c == '%';
}
// Whether a token ends before `at`: the end of the bytes, white space or a delimiter.
bool EndsToken(std::string_view b, size_t at) { return at >= b.size() || IsWhite(b[at]) || IsDelimiter(b[at]); }

// The unsigned integer after white space from `pos`; `pos` moves past it.
std::optional<long long> ReadInt(std::string_view b, size_t& pos) {
  while (pos < b.size() && IsWhite(b[pos])) ++pos;
  const size_t start = pos;
  long long v = 0;
  for (; pos < b.size() && IsDigit(b[pos]); ++pos) v = v >= kSaturated / 10 ? kSaturated : v * 10 + (b[pos] - '0');
  if (pos == start) return std::nullopt;
  return v;
}

// The unsigned integer that ends before `end` after white space; `end` moves
// to its first digit.
std::optional<long long> ReadIntBefore(std::string_view b, size_t& end) {
  size_t last = end;
  while (last > 0 && IsWhite(b[last - 1])) --last;
  size_t first = last;
  while (first > 0 && IsDigit(b[first - 1])) --first;
  if (first == last) return std::nullopt;
  end = first;
  size_t pos = first;
  return ReadInt(b, pos);
}

// Every occurrence of `keyword` that is a token of its own (not part of
// "endobj", "startxref" or "/SizeX"), with the offset just past it.
template <typename Visit>
void ForEachKeyword(std::string_view b, std::string_view keyword, bool name, Visit visit) {
  for (size_t at = b.find(keyword); at != std::string_view::npos; at = b.find(keyword, at + 1)) {
    const bool starts_token = name || at == 0 || IsWhite(b[at - 1]) || IsDelimiter(b[at - 1]);
    if (starts_token && EndsToken(b, at + keyword.size())) visit(at, at + keyword.size());
  }
}

}  // namespace

long long DeclaredPdfObjects(std::string_view b) {
  long long declared = 0;
  auto note = [&](long long n) { declared = std::max(declared, std::min(n, kSaturated)); };

  ForEachKeyword(b, "/Size", true, [&](size_t, size_t after) {
    if (auto v = ReadInt(b, after)) note(*v);
  });
  ForEachKeyword(b, "obj", false, [&](size_t at, size_t) {
    size_t end = at;
    if (ReadIntBefore(b, end)) {  // the generation
      if (auto num = ReadIntBefore(b, end)) note(*num + 1);
    }
  });
  ForEachKeyword(b, "xref", false, [&](size_t, size_t pos) {
    // Subsection headers "first count", each followed by its entries
    // "offset generation n|f"; anything else ends the section.
    for (;;) {
      auto first = ReadInt(b, pos);
      auto count = first ? ReadInt(b, pos) : std::nullopt;
      if (!count) break;
      size_t next = pos;
      while (next < b.size() && IsWhite(b[next])) ++next;
      if (next < b.size() && (b[next] == 'n' || b[next] == 'f') && EndsToken(b, next + 1)) {
        pos = next + 1;  // an entry
      } else {
        note(*first + *count);
      }
    }
  });
  return declared;
}

std::optional<Error> CheckDeclaredPdfObjects(std::string_view pdf, long long max_objects) {
  if (const long long declared = DeclaredPdfObjects(pdf); declared > max_objects) {
    return Error::Unprocessable("the PDF declares " + std::to_string(declared) + " objects, more than the limit of " +
                                std::to_string(max_objects) + "; the file is damaged or made to exhaust memory");
  }
  return std::nullopt;
}

}  // namespace pactum::extract
