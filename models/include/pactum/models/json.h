// JSON forms of the record types and of errors, exactly as the HTTP contract
// (shared/spec/API.md) spells them.
#pragma once

#include <nlohmann/json.hpp>

#include "pactum/models/record.h"
#include "pactum/models/status.h"

namespace pactum {

nlohmann::ordered_json ToJson(const Evidence& e);
nlohmann::ordered_json ToJson(const Agreement& a);
nlohmann::ordered_json ToJson(const AgreementRecord& r);
nlohmann::ordered_json ToJson(const SignatureReport& s);
nlohmann::ordered_json ToJson(const VerifyReport& r);
// {"error": {"code": "...", "message": "..."}}
nlohmann::ordered_json ToJson(const Error& e);

// The inverses of ToJson, for typed values that cross a process boundary: a
// worker process sends ToJson(v).dump(), the parent parses that and decodes
// it once into the typed value.
//
// Strict, since a malformed message is a bug of its sender. Each fails unless
//  - every member ToJson writes is present with its JSON type; a member that
//    ToJson writes as null when unset may be null, and one that it leaves out
//    when unset (evidence.bbox and .confidence, document.file_name,
//    document.text, page_info[].ocr_mean_confidence) may also be absent; a record's partial
//    and missing_pages are both absent, or partial is true and
//    missing_pages lists 1..document.pages ascending, at least one;
//  - every number is in range: integers are integral (not 1.0) and fit their
//    field, pages, counts, years and category numbers are >= 0, confidences in
//    0..1, certification 1..3, every number finite;
//  - no object has a member ToJson does not write (it would be dropped
//    silently otherwise);
//  - every member of an enum type (statuses, kinds, text sources) spells one
//    of its values exactly as Name does (enums.h). Free-form strings (reason
//    codes, warnings, page reasons) are not checked against a vocabulary.
// A failure is Error::Internal naming the JSON path of the offending value
// and what is wrong with it, e.g. "malformed agreement record JSON:
// $.document.page_info[2].page: expected an integer in [0, 2147483647], got
// -1". Never throws, whatever `j` holds (std::bad_alloc aside).
//
// For every value v, ToJson(XFromJson(ToJson(v)).value()) == ToJson(v); the
// decoded value equals v up to ToJson's rounding of boxes and confidences to
// two decimals.
Result<AgreementRecord> AgreementRecordFromJson(const nlohmann::ordered_json& j);
Result<VerifyReport> VerifyReportFromJson(const nlohmann::ordered_json& j);
Result<SignatureReport> SignatureReportFromJson(const nlohmann::ordered_json& j);
// The error of an error body, {"error": {"code": "...", "message": "..."}};
// fails on a code ErrorCodeName does not name (it does not become kInternal).
Result<Error> ErrorFromJson(const nlohmann::ordered_json& j);

// `j` as JSON text, on one line (indent -1) or indented. Text that is not
// UTF-8 is written with U+FFFD in its place, so this never throws: the one
// way pactum writes JSON it did not check byte for byte.
std::string DumpJson(const nlohmann::ordered_json& j, int indent = -1);
std::string DumpJson(const nlohmann::json& j, int indent = -1);

}  // namespace pactum
