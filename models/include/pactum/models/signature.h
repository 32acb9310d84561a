// What signature verification reports, per signature and per document: the
// objects of POST /v1/verify, also the `signatures` of an agreement record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pactum/models/enums.h"

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
  TimestampStatus status = TimestampStatus::kInvalid;  // of the token (enums.h spells each value)
};

struct SignatureReport {
  std::string field;                 // full field name ("Signature1", "parent.child")
  SignatureStatus status = SignatureStatus::kIndeterminate;  // from reasons and integrity
  std::vector<std::string> reasons;  // machine-readable, see the OpenAPI document
  std::string sub_filter;            // "ETSI.CAdES.detached", ...; "" when absent
  std::string digest_algorithm;      // "sha256"; "" -> null
  std::optional<CertificateSummary> signer;
  std::optional<std::string> signing_time;  // RFC 3339: signingTime attribute, else /M
  std::optional<TimestampSummary> timestamp;
  std::vector<int64_t> byte_range;   // as written in /ByteRange (empty when unreadable)
  bool covers_whole_revision = false;
  bool modified_after_signing = false;
  Integrity integrity = Integrity::kFailed;
  Trust trust = Trust::kUntrusted;

  // Extensions of the contract (documented in openapi.json).
  SignatureType type = SignatureType::kSignature;
  int revision = 0;                  // 1-based revision the signature ends; 0 when none
  std::optional<int> certification;  // DocMDP permission level /P (1, 2, 3) of a certifying signature
  Revocation revocation = Revocation::kNotChecked;
  // The time the signer's chain and its revocation were validated at: the
  // earliest time a valid timestamp proves the signature existed, else the
  // current time; both unset when the cryptography was not checked.
  std::optional<std::string> validation_time;  // RFC 3339
  std::optional<ValidationTimeSource> validation_time_source;
  // The document carries what validation at a later date needs: a valid
  // timestamp proving the validation time and "good" revocation data for
  // every certificate of the chain below the trust anchor.
  bool ltv = false;
  std::optional<std::string> name, reason, location, contact_info;  // from the dictionary
  std::vector<int> changed_pages;    // 1-based pages whose rendering changed after signing
  // What the revisions after the signed one change, at worst (enums.h);
  // kNone when the signature covers the final revision; nullopt when the
  // signed revision could not be determined (a broken /ByteRange).
  std::optional<ModificationLevel> modification_level;
  std::vector<std::string> warnings; // e.g. "weak_digest"
};

struct VerifyReport {
  std::string id;        // sha256 of the bytes, lowercase hex
  DocumentStatus status = DocumentStatus::kUnsigned;  // from the signatures' statuses
  int revisions = 0;     // incremental revisions of the file
  std::vector<SignatureReport> signatures;
};

}  // namespace pactum
