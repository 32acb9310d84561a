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

}  // namespace pactum
