// What signature verification reports, per signature and per document: the
// objects of POST /v1/verify, also the `signatures` of an agreement record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pactum {

struct CertificateSummary {
  std::string subject;     // "CN=...,O=...,C=DE"
  std::string issuer;
  std::string serial;      // lowercase hex
  std::string not_before;  // RFC 3339
  std::string not_after;
};

struct TimestampSummary {
  std::string time;    // RFC 3339 genTime of the token
  std::string tsa;     // subject of the time-stamp authority
  std::string status;  // "valid" | "invalid" | "untrusted"
};

struct SignatureReport {
  std::string field;                 // full field name ("Signature1", "parent.child")
  std::string status;                // "valid" | "invalid" | "indeterminate"
  std::vector<std::string> reasons;  // machine-readable, see the OpenAPI document
  std::string sub_filter;            // "ETSI.CAdES.detached", ...; "" when absent
  std::string digest_algorithm;      // "sha256"; "" -> null
  std::optional<CertificateSummary> signer;
  std::optional<std::string> signing_time;  // RFC 3339: signingTime attribute, else /M
  std::optional<TimestampSummary> timestamp;
  std::vector<int64_t> byte_range;   // as written in /ByteRange (empty when unreadable)
  bool covers_whole_revision = false;
  bool modified_after_signing = false;
  std::string integrity = "failed";  // "ok" | "failed"
  std::string trust = "untrusted";   // "trusted" | "untrusted"

  // Extensions of the contract (documented in openapi.json).
  std::string type = "signature";    // "signature" | "document_timestamp"
  int revision = 0;                  // 1-based revision the signature ends; 0 when none
  std::optional<int> certification;  // DocMDP permission level /P (1, 2, 3) of a certifying signature
  std::string revocation = "not_checked";  // "good" | "revoked" | "unknown" | "not_checked"
  std::optional<std::string> name, reason, location, contact_info;  // from the dictionary
  std::vector<int> changed_pages;    // 1-based pages whose rendering changed after signing
  std::vector<std::string> warnings; // e.g. "weak_digest"
};

struct VerifyReport {
  std::string id;        // sha256 of the bytes, lowercase hex
  std::string status;    // "valid" | "invalid" | "indeterminate" | "unsigned"
  int revisions = 0;     // incremental revisions of the file
  std::vector<SignatureReport> signatures;
};

}  // namespace pactum
