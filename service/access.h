// ApiKeys: the API keys the service accepts (--api-keys FILE), and the check
// of a request's Authorization header against them.
//
// The file holds SHA-256 digests of the keys, never the keys themselves, one
// per line (make a digest with `printf %s "$KEY" | sha256sum`):
//
//   # comment lines and blank lines are ignored
//   9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 archive-system
//   60303AE22B998861BCE3B28F33EEC1BE758A213C86C93C076DBE9F558C11C752
//
// A line is 64 hex digits (either case), optionally followed by whitespace and
// a label: one token of printable ASCII, no spaces, at most kMaxLabelLength
// characters, which names the key in logs and metrics. Without a label the
// key is named by the first 12 hex digits of its digest (lowercase). Leading
// and trailing whitespace and a trailing CR are ignored. A digest may appear
// only once.
//
// A presented key is hashed and compared with every stored digest in
// constant time, so the time taken does not depend on which digest or how
// many of its bytes match.
//
// Thread-safety: an ApiKeys is immutable once loaded; its const methods may be
// called from any number of threads without synchronisation.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/models/status.h"

namespace pactum::service {

class ApiKeys {
 public:
  // Longest label accepted in a key file.
  static constexpr std::size_t kMaxLabelLength = 64;

  // Reads and parses the key file at `path`.
  // Errors (kBadRequest; the server refuses to start): the file cannot be
  // read; a malformed line (the message names the path and the 1-based line
  // number); a digest listed twice; a file with no key at all.
  static Result<ApiKeys> Load(const std::string& path);

  // Parses the contents of a key file; `source` names it in error messages.
  // Errors: as Load, apart from reading.
  static Result<ApiKeys> Parse(std::string_view text, std::string_view source);

  // Checks an Authorization header value. Accepts exactly
  // "Bearer <key>": the scheme in any case, one or more spaces, then the key
  // (no whitespace or control characters inside it); whitespace around the
  // whole value is ignored. Returns the label of the matching key, or
  // nullopt when the header is empty, uses another scheme, is malformed or
  // carries an unknown key.
  std::optional<std::string> Authenticate(std::string_view authorization_header) const;

  // Number of keys loaded (>= 1).
  std::size_t size() const { return keys_.size(); }

 private:
  struct Key {
    std::array<unsigned char, 32> digest;
    std::string label;
  };

  ApiKeys() = default;

  std::vector<Key> keys_;
};

}  // namespace pactum::service
