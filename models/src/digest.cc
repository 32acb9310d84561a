#include "pactum/models/digest.h"

// The SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, but
// remain its fastest path for one digest in a fresh process.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace pactum {

std::string Sha256Hex(std::string_view bytes) {
  // OpenSSL's one-shot SHA-256 without the EVP provider look-up, which costs
  // more than hashing a typical upload in a short-lived CLI process.
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(md, &ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char b : md) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace pactum
