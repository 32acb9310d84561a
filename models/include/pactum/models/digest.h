// The document id: the lowercase hex SHA-256 of a document's bytes, the same
// for the record (/v1/extract), the report (/v1/verify) and the archive.
#pragma once

#include <string>
#include <string_view>

namespace pactum {

// Lowercase hex SHA-256 of `bytes` (64 characters).
std::string Sha256Hex(std::string_view bytes);

}  // namespace pactum
