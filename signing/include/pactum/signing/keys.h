// The key material of signing and verification, loaded once at start and
// shared (immutable) by every request: trust anchors with intermediates and
// CRLs, and the signing key with its certificate chain.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pactum/models/status.h"

namespace pactum::signing {

class TrustContext;
class SigningKey;

struct TrustConfig {
  std::vector<std::string> anchor_files;        // PEM bundles of trusted roots
  std::vector<std::string> intermediate_files;  // PEM bundles of untrusted intermediates
  std::vector<std::string> crl_files;           // CRLs, PEM or DER (one or many per file)
};

struct SigningConfig {
  std::string p12_file;      // PKCS#12 with key and chain, or
  std::string p12_password;
  std::string key_file;      // PEM private key, with
  std::string cert_file;     // PEM certificate, then the chain
  // Key types: RSA, RSA-PSS, ECDSA P-256/P-384/P-521, Ed25519.
  std::string digest = "sha256";  // "sha256", "sha384", "sha512"; Ed25519 always uses SHA-512 (RFC 8419)
  // Validation data for PAdES B-LT: OCSP responses (DER files, read at
  // load) embedded for the certificates they answer for, and an OCSP
  // responder (http://...) asked at signing time for each certificate of
  // the signers' and time-stamp authorities' chains. Empty: none; nothing
  // is fetched from the network unless ocsp_url is set.
  std::vector<std::string> ocsp_response_files;
  std::string ocsp_url;
};

// Fails with kBadRequest naming the file when a file is missing, unreadable
// or holds no certificate / CRL.
Result<std::shared_ptr<const TrustContext>> LoadTrust(const TrustConfig& config);

// Fails with kBadRequest (file missing, wrong password, key does not match
// the certificate, an OCSP response file that holds no OCSP response, an
// OCSP URL that is not http(s)). Messages never contain key material or the
// password.
Result<std::shared_ptr<const SigningKey>> LoadSigningKey(const SigningConfig& config);

// What the service hands to verification and signing.
struct SigningSetup {
  std::shared_ptr<const TrustContext> trust;  // null: no anchors
  std::shared_ptr<const SigningKey> key;      // null: signing disabled
  std::string tsa_url;                        // empty: no timestamps (PAdES B-B)
};

}  // namespace pactum::signing
