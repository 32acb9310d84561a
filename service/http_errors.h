// The one place where an Error becomes an HTTP response.
#pragma once

#include <httplib.h>

#include "pactum/models/status.h"

namespace pactum::service {

// Seconds a client is asked to wait after 503 overloaded (Retry-After).
inline constexpr int kRetryAfterSeconds = 1;

// Sets `res` to the contract's error response for `error`: the status
// HttpStatusFor(error.code), the body {"error": {"code", "message"}} as
// application/json, and Retry-After for kOverloaded. `status`, when not 0,
// replaces the status where HTTP has a more precise one for the same code
// (405 and 414 for bad_request); the body and code stay the same.
void SetErrorResponse(const Error& error, httplib::Response* res, int status = 0);

// The Error for a status that the HTTP library set on its own, before or
// instead of any route (malformed request line or headers, URI too long,
// unparsable body, ...). Used by the error handler when no route wrote a
// body.
Error ErrorForLibraryStatus(int status);

// Asks the client to close the connection after this response. Used when a
// request body was not read to its end, so the connection cannot be reused.
void CloseConnectionAfter(httplib::Response* res);

}  // namespace pactum::service
