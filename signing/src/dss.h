// The validation data of PAdES B-LT (ETSI EN 319 142-1, 5.4): what goes
// into a document security store (/DSS) so that the document's signatures
// can be validated later without asking anyone. For each signature and
// document timestamp of a PDF: the certificates of the signer's and the
// time-stamp authorities' chains, and for each certificate below a root the
// CRLs of its issuer and OCSP responses about it, from
//  - the signatures themselves (certificates in the CMS and tokens),
//  - the signing key's chain, the trust context's intermediates and anchors
//    (to complete chains) and its CRL files,
//  - the key's OCSP response files, and its OCSP responder when one is
//    configured (the only network access here),
//  - what the document's /DSS already holds (kept, and reused).
#pragma once

#include <qpdf/QPDF.hh>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pactum/models/status.h"

namespace pactum::signing {

class SigningKey;
class TrustContext;

// One certificate, CRL or OCSP response (DER), and the object that already
// holds it in the document's /DSS, if any.
struct DssItem {
  std::string der;
  std::optional<QPDFObjGen> existing;
};

// The /VRI entry of one signature: which items it needs.
struct VriEntry {
  std::string key;  // upper-case hex SHA-1 of the signature's /Contents string
  std::vector<size_t> certs, crls, ocsps;  // indexes into ValidationData's lists
};

struct ValidationData {
  std::vector<DssItem> certs, crls, ocsps;  // each once, existing ones first
  std::vector<VriEntry> vri;                // one per signature, in document order
};

struct DssSources {
  const SigningKey* key = nullptr;      // may be null
  const TrustContext* trust = nullptr;  // may be null
  std::chrono::seconds timeout{10};     // per OCSP request
  // The signature whose signer must get revocation data (the one just
  // made); empty: every signature's.
  std::string required_field;
};

// Gathers the validation data for every signature and document timestamp of
// `pdf`. Errors: kBadRequest when no CRL or OCSP response covers the
// signer's certificate of a required signature (the message names it and
// what to configure); kTimeout / kInternal when the OCSP responder fails;
// kUnprocessable when the document has no signature.
Result<ValidationData> CollectValidationData(QPDF& pdf, const DssSources& sources);

}  // namespace pactum::signing
