// `pactum health`: is a pactum service ready? The HEALTHCHECK of the
// container image, which has no curl: a plain HTTP/1.0 GET over a POSIX
// socket, no HTTP library (the executable links none, see module.h).
#pragma once

#include "cli/args.h"

namespace pactum::service::cli {

// GETs args.url (default http://127.0.0.1:$PACTUM_PORT/readyz, port 8080
// without PACTUM_PORT; the host is $PACTUM_HOST unless that is empty or a
// wildcard address). kExitOk when the answer is 200 within
// args.timeout_seconds (one line on stdout); kExitNotMet otherwise, with the
// reason on stderr; kExitUsage for a URL that is not http://HOST[:PORT][/PATH].
int RunHealth(const HealthArgs& args);

}  // namespace pactum::service::cli
