// Request parameters of the service and the CLI, validated in one place.
// Plain values, no HTTP types: the routes pass the query string's pairs in.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pactum/extract/options.h"
#include "pactum/models/status.h"
#include "pactum/signing/sign.h"
#include "pactum/store/store.h"

namespace pactum::service {

// Query parameters as (name, value) pairs, in any order.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Longest accepted `lang` value.
inline constexpr std::size_t kMaxLangLength = 64;

// True for a Tesseract language list such as "deu", "deu+eng" or "chi_sim":
// one or more names made of ASCII letters, digits and '_', joined by '+',
// at most kMaxLangLength characters in all.
bool IsValidLanguageList(std::string_view lang);

// The query of POST /v1/extract.
struct ExtractParams {
  extract::OcrMode ocr = extract::OcrMode::kAuto;  // ocr=auto|always|never
  std::string lang = "deu+eng";                    // lang=
  bool store = false;                              // store=true also archives record and original
  // text=true: the record carries document.text (the full text). On the
  // worker channel: the worker fills it (also asked when storing, as the
  // archive keeps the text).
  bool text = false;
  // The uploaded file's name (filename=, or the multipart part's filename),
  // kept in the record; its last path component only.
  std::optional<std::string> file_name;
};

// Longest accepted file name, in bytes.
inline constexpr std::size_t kMaxFileNameLength = 255;

// The name to keep for an uploaded file called `name` by its client: its
// last path component ('/' or '\\'). Errors (kBadRequest): not UTF-8,
// control characters, longer than kMaxFileNameLength, empty after the cut.
Result<std::string> CleanFileName(std::string_view name);

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates).
bool IsValidUtf8(std::string_view s);

// The query of POST /v1/sign: text entries of the signature dictionary, the
// field to sign, an optional visible appearance, the PAdES level, and
// whether to extend the signatures already there instead of signing.
struct SignParams {
  std::string reason, location, contact, field;  // reason=, location=, contact=, field=
  std::optional<int> page;                       // page= (1-based), with rect=
  std::optional<std::array<double, 4>> rect;     // rect=x0,y0,x1,y1 (points, top-left origin)
  int certify = 0;                               // certify=1|2|3: DocMDP level; 0 approval
  std::optional<signing::PadesLevel> level;      // level=b-b|b-t|b-lt|b-lta; unset: the default
  bool extend = false;                           // extend=true: validation data, no new signature
};

// Validates the query of POST /v1/sign (and the CLI's sign options). Errors
// (kBadRequest): unknown or repeated names, a text over 256 bytes or with
// control characters, a field name with '.', page without rect, a rect that
// is not four numbers with x0 < x1 and y0 < y1, a level other than b-b,
// b-t, b-lt, b-lta, extend other than true or false, extend=true with
// level b-b or b-t or with any parameter of a new signature.
Result<SignParams> ParseSignParams(const QueryParams& query);

// Every Parse* below and RejectAnyParams first refuse (kBadRequest) a name
// or value that is not well-formed UTF-8.
//
// Validates the query of POST /v1/extract. In `lang`, spaces count as '+'
// (a literal '+' in a query string decodes to a space). Errors (kBadRequest): a name other
// than ocr, lang, store, filename, text; a name given twice; a bad value.
Result<ExtractParams> ParseExtractParams(const QueryParams& query);

// The query of POST /v1/documents: that of POST /v1/extract without store,
// which is always true there (ocr, lang, filename, text).
Result<ExtractParams> ParseStoreParams(const QueryParams& query);

// Longest accepted q= and party= of GET /v1/documents, in bytes.
inline constexpr std::size_t kMaxSearchLength = 256;

// The query of GET /v1/documents: q, party, year, limit (1..100, default
// 20) and cursor (a next_cursor this service gave). Errors (kBadRequest):
// unknown or repeated names, bad values.
Result<store::Query> ParseFindParams(const QueryParams& query);

// GET /v1/documents/{id}/pages/{n}.png: the page (1-based) and the
// resolution of the image.
struct RenderParams {
  int page = 1;
  int dpi = 96;
};

// The resolutions a page image may be asked for (dpi=), and the default.
inline constexpr int kMinPageDpi = 36;
inline constexpr int kMaxPageDpi = 300;
inline constexpr int kDefaultPageDpi = 96;

// The query of GET /v1/documents/{id}/pages/{n}.png: dpi (kMinPageDpi to
// kMaxPageDpi, default kDefaultPageDpi); `page` is the path's n. Errors
// (kBadRequest): unknown or repeated names, a dpi out of range; kNotFound:
// a page number below 1 or not a number (no such page).
Result<RenderParams> ParseRenderParams(const QueryParams& query, std::string_view page);

// The query of POST /v1/verify: format=json (the default) or format=text
// (the report in the words of `pactum verify --format text`). Errors
// (kBadRequest): unknown or repeated names, another format.
enum class ReportFormat { kJson, kText };
Result<ReportFormat> ParseVerifyParams(const QueryParams& query);

// The query of GET /v1/documents/{id}: text=true|false (document.text, the
// full text) and version=N (1 or more; unset: the latest). Errors
// (kBadRequest): other or repeated names, bad values.
struct RecordParams {
  bool text = false;
  std::optional<int> version;
};
Result<RecordParams> ParseRecordParams(const QueryParams& query);

// For endpoints without parameters: a kBadRequest naming the first
// parameter, or nullopt when `query` is empty.
std::optional<Error> RejectAnyParams(const QueryParams& query, std::string_view endpoint);

// `s` made safe for a message or a log line: control characters and bytes
// outside printable ASCII become \xNN, and the result is cut at `max_len`
// characters (with "..." appended).
std::string Printable(std::string_view s, std::size_t max_len = 64);

}  // namespace pactum::service
