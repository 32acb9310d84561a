// Reading a request body without trusting it: counted, capped, streamed.
//
// The HTTP library (Debian's cpp-httplib 0.11.4) checks its payload limit
// only against Content-Length, reads chunked bodies in full and inflates
// gzip/deflate/br bodies without a cap. So documents are read here, through
// the route's content reader, counting bytes as they arrive.
#pragma once

#include <cstddef>
#include <string>

#include <httplib.h>

#include "pactum/models/status.h"

namespace pactum::service {

// Bytes beyond the document cap that a body may carry and still be read to
// its end: multipart boundaries, part headers and small extra form fields;
// also how much of an oversized body is read and dropped so that the 413
// reaches the client on a clean connection. Also the library's own payload
// limit is cap + kBodySlackBytes (the first line of defence).
inline constexpr std::size_t kBodySlackBytes = std::size_t{1} << 20;

struct UploadLimits {
  std::size_t max_document_bytes = 0;  // one byte more is 413 too_large
};

// What reading a body did, for the caller's response and the access log.
struct BodyReadInfo {
  std::size_t bytes_read = 0;   // body bytes received (part contents for multipart)
  bool complete = false;        // the body was read to its end; the connection is reusable
  std::string file_name;        // the filename of the multipart "file" part, as sent ("" for raw bodies)
};

// Reads the document of an upload: the raw body (any Content-Type, chunked
// or with Content-Length), or the content of the part named "file" of a
// multipart/form-data body (other parts are read and dropped).
// Errors:
//   415 unsupported_media_type  Content-Encoding other than identity
//                               (bodies are never inflated: no zip bombs)
//   413 too_large               document over the cap, or body over
//                               cap + kBodySlackBytes
//   400 bad_request             multipart body without exactly one "file"
//                               part; malformed chunked or multipart body
// An empty document is returned as such (the caller decides).
Result<std::string> ReadDocument(const httplib::Request& req, const httplib::ContentReader& reader,
                                 const UploadLimits& limits, BodyReadInfo* info);

// Reads and drops a body the route does not want (bad parameters, unknown
// path, wrong method) so that the connection stays usable, up to
// kBodySlackBytes; sets info->complete when the whole body was read.
// Bodies with a Content-Encoding are not read at all.
void DiscardBody(const httplib::Request& req, const httplib::ContentReader& reader, BodyReadInfo* info);

// The 413 too_large error for a document over `limits`.
Error DocumentTooLarge(const UploadLimits& limits);

// Content-Encoding of the request, lowercased; "" when absent or identity.
std::string RequestContentEncoding(const httplib::Request& req);

}  // namespace pactum::service
