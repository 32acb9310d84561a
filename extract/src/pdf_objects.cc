#include "pactum/extract/pdf_objects.h"

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <exception>
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

namespace {

// The offset after the last "startxref" of the file: where its newest
// cross-reference section starts.
std::optional<long long> LastStartXref(std::string_view b) {
  const size_t at = b.rfind("startxref");
  if (at == std::string_view::npos) return std::nullopt;
  size_t pos = at + 9;
  return ReadInt(b, pos);
}

}  // namespace

std::optional<std::string> WithoutOutputIntents(std::string_view pdf) {
  // The catalogue names its intents in the clear, or sits in an object stream.
  if (pdf.find("/OutputIntents") == std::string_view::npos && pdf.find("/ObjStm") == std::string_view::npos) {
    return std::nullopt;
  }
  const std::optional<long long> prev = LastStartXref(pdf);
  if (!prev) return std::nullopt;
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    q.setAttemptRecovery(false);
    q.processMemoryFile("upload", pdf.data(), pdf.size());
    if (q.isEncrypted()) return std::nullopt;
    QPDFObjectHandle root = q.getRoot();
    if (!root.isIndirect() || !root.isDictionary() || !root.hasKey("/OutputIntents")) return std::nullopt;
    QPDFObjectHandle catalog = root.shallowCopy();
    catalog.removeKey("/OutputIntents");
    const std::string body = catalog.unparse();
    QPDFObjectHandle trailer = q.getTrailer();
    if (q.anyWarnings()) return std::nullopt;
    const int num = root.getObjGen().getObj(), gen = root.getObjGen().getGen();
    long long size = num + 1;
    if (QPDFObjectHandle s = trailer.getKey("/Size"); s.isInteger()) size = std::max(size, s.getIntValue());

    std::string out;
    out.reserve(pdf.size() + body.size() + 256);
    out.append(pdf);
    if (out.back() != '\n' && out.back() != '\r') out += '\n';
    const size_t obj_at = out.size();
    out += std::to_string(num) + " " + std::to_string(gen) + " obj\n" + body + "\nendobj\n";
    const size_t xref_at = out.size();
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu %05d n \n", obj_at, gen);
    out += "xref\n" + std::to_string(num) + " 1\n" + entry;
    out += "trailer\n<< /Size " + std::to_string(size) + " /Root " + std::to_string(num) + " " + std::to_string(gen) +
           " R /Prev " + std::to_string(*prev);
    for (const char* key : {"/Info", "/ID"}) {
      if (trailer.hasKey(key)) out += std::string(" ") + key + " " + trailer.getKey(key).unparse();
    }
    out += " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
    return out;
  } catch (const std::exception&) {
    return std::nullopt;  // not ours to judge: Poppler opens the file as it is
  }
}

}  // namespace pactum::extract
