// The command line of the pactum binary:
//   pactum extract FILE [--ocr MODE] [--lang LANGS]   record JSON on stdout
//   pactum serve [--host H] [--port P] ...            the HTTP service
#pragma once

namespace pactum::service {

// Parses argv and runs the subcommand. Returns the process exit status:
// 0 success; 1 the service could not start; 2 the document could not be
// extracted (the error JSON of the HTTP contract is on stderr); other
// non-zero values for usage errors (reported by the parser).
int RunCli(int argc, char** argv);

}  // namespace pactum::service
