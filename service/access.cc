#include "access.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>
#include <utility>

namespace pactum::service {
namespace {

// A key file is a few lines per client; anything bigger is a wrong path
// (and /dev/zero must not hang the start-up).
constexpr std::size_t kMaxKeyFileBytes = std::size_t{1} << 20;
constexpr std::size_t kHexDigestLength = 64;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsVisibleAscii(char c) { return c >= 0x21 && c <= 0x7e; }

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

Error LineError(std::string_view source, std::size_t line, std::string_view what) {
  // The line itself is not quoted: a mistaken file may hold a key in clear.
  return Error::BadRequest("API key file " + std::string(source) + ", line " + std::to_string(line) + ": " +
                           std::string(what));
}

}  // namespace

Result<ApiKeys> ApiKeys::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::BadRequest("cannot read the API key file " + path);
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxKeyFileBytes) {
      return Error::BadRequest("the API key file " + path + " is larger than " + std::to_string(kMaxKeyFileBytes) +
                               " bytes");
    }
  }
  if (in.bad()) return Error::BadRequest("cannot read the API key file " + path);
  return Parse(text, path);
}

Result<ApiKeys> ApiKeys::Parse(std::string_view text, std::string_view source) {
  ApiKeys keys;
  std::vector<std::size_t> line_of_key;  // for duplicate messages
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = TrimBlanks(line);
    if (line.empty() || line.front() == '#') continue;

    std::size_t hex_end = 0;
    while (hex_end < line.size() && !IsBlank(line[hex_end])) ++hex_end;
    const std::string_view hex = line.substr(0, hex_end);
    const std::string_view label = TrimBlanks(line.substr(hex_end));

    if (hex.size() != kHexDigestLength) {
      return LineError(source, line_number,
                       "expected a SHA-256 digest of 64 hex digits, found a word of " + std::to_string(hex.size()) +
                           " characters");
    }
    Key key{};
    for (std::size_t i = 0; i < key.digest.size(); ++i) {
      const int hi = HexValue(hex[2 * i]);
      const int lo = HexValue(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        return LineError(source, line_number, "the digest contains a character that is not a hex digit");
      }
      key.digest[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    for (const char c : label) {
      if (IsBlank(c)) return LineError(source, line_number, "more than one word after the digest");
      if (!IsVisibleAscii(c)) {
        return LineError(source, line_number, "the label contains a character that is not printable ASCII");
      }
    }
    if (label.size() > kMaxLabelLength) {
      return LineError(source, line_number,
                       "the label is longer than " + std::to_string(kMaxLabelLength) + " characters");
    }
    if (label.empty()) {
      for (std::size_t i = 0; i < 12; ++i) key.label.push_back(ToLowerAscii(hex[i]));
    } else {
      key.label = std::string(label);
    }
    for (std::size_t i = 0; i < keys.keys_.size(); ++i) {
      if (keys.keys_[i].digest == key.digest) {
        return LineError(source, line_number,
                         "the digest is already listed on line " + std::to_string(line_of_key[i]));
      }
    }
    keys.keys_.push_back(std::move(key));
    line_of_key.push_back(line_number);
  }
  if (keys.keys_.empty()) {
    return Error::BadRequest("API key file " + std::string(source) +
                             ": no key (one SHA-256 hex digest per line expected)");
  }
  return keys;
}

std::optional<std::string> ApiKeys::Authenticate(std::string_view authorization_header) const {
  const std::string_view value = TrimBlanks(authorization_header);
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos || !EqualsIgnoreCase(value.substr(0, space), "Bearer")) return std::nullopt;
  std::string_view presented = value.substr(space);
  while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
  if (presented.empty()) return std::nullopt;
  for (const char c : presented) {
    if (!IsVisibleAscii(c)) return std::nullopt;
  }

  std::array<unsigned char, 32> digest{};
  unsigned int digest_length = 0;
  if (EVP_Digest(presented.data(), presented.size(), digest.data(), &digest_length, EVP_sha256(), nullptr) != 1 ||
      digest_length != digest.size()) {
    return std::nullopt;
  }
  // Every stored digest is compared, whatever matched before.
  const Key* match = nullptr;
  for (const Key& key : keys_) {
    const bool equal = CRYPTO_memcmp(key.digest.data(), digest.data(), digest.size()) == 0;
    if (equal) match = &key;
  }
  if (match == nullptr) return std::nullopt;
  return match->label;
}

}  // namespace pactum::service
