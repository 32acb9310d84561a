#include "http_errors.h"

#include "http_guard.h"

#include <string>

#include "pactum/models/json.h"

namespace pactum::service {

void SetErrorResponse(const Error& error, httplib::Response* res, int status) {
  res->status = status != 0 ? status : HttpStatusFor(error.code);
  // set_content and set_header add headers; drop any earlier ones.
  res->headers.erase("Content-Type");
  res->headers.erase("Retry-After");
  // Messages may quote client input: never let invalid UTF-8 throw here.
  res->set_content(DumpJson(ToJson(error)),
                   "application/json");
  if (error.code == ErrorCode::kOverloaded) {
    res->set_header("Retry-After", std::to_string(kRetryAfterSeconds));
  }
}

Error ErrorForLibraryStatus(int status) {
  switch (status) {
    case 404:
      return {ErrorCode::kNotFound, "no such endpoint; see GET /openapi.json for the endpoints of this service"};
    case 413:
      return Error::TooLarge("the request body is larger than the upload limit of this service; send a smaller document");
    case 414:
      return Error::BadRequest("the request URI is too long");
    case 415:
      return Error::Unsupported("the request body's encoding is not accepted; send the document uncompressed");
    case 503:
      return Error::Overloaded("the service is busy; retry later");
    default:
      break;
  }
  if (status >= 500) return Error::Internal("the request could not be served; this is a bug of the service");
  return Error::BadRequest("malformed HTTP request (request line, headers or body encoding); check the client");
}

void CloseConnectionAfter(httplib::Response* res) {
  res->headers.erase("Connection");
  res->set_header("Connection", "close");
  CloseConnectionAfterThisRequest();
}

}  // namespace pactum::service
