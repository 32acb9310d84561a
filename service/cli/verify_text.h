// `pactum verify --format text`: the verification report as a person reads
// it (in the manner of `pyhanko sign validate --pretty-print`): per
// signature the signer, the signing time and what proves it, integrity,
// trust, what changed after signing, and why the status is what it is, in
// sentences.
//
// It renders the JSON report (models/json.h ToJson), not the C++ struct, so
// that the text and `--format json` never disagree and a field the report
// gains (e.g. `modification_level`) is shown when it is there. Reason and
// warning codes it has no sentence for are printed as codes.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace pactum::service::cli {

// The text of `report` (the JSON of POST /v1/verify) for the file `label`.
// Ends with a newline. Never throws on a well-formed report; members that
// are missing or null are left out.
std::string VerifyReportText(const nlohmann::ordered_json& report, const std::string& label);

}  // namespace pactum::service::cli
