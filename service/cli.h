// The command line of the pactum binary:
//
//   pactum extract FILE...|DIR|- [-j N]  agreement records (JSON) on stdout
//   pactum verify FILE [--require valid|not-invalid] [--format json|text]
//                                        signature report on stdout
//   pactum sign FILE -o OUT              the PDF signed with the given key
//   pactum serve                         the HTTP service
//   pactum health [--url URL]            is a running service ready?
//   pactum version | --version           "pactum 0.1.0"
//
// Exit status, everywhere: 0 success; 1 a condition was not met (verify
// --require: the document's status is not the one required; health: the
// service is not ready); 2 an
// error (a document could not be processed, a file could not be read, a key
// or trust file is bad, the service could not start); 64 a usage error (an
// unknown command or option, a missing or malformed argument).
//
// Errors are printed on stderr as "pactum: FILE: MESSAGE (CODE)", CODE
// being the API contract's error code (unprocessable, too_large, ...).
//
// This file is the executable's side: it parses and validates the whole
// command line but runs only what needs no library (help, version, health);
// extract, verify, sign and serve run in modules it loads for them
// (cli/module.h).
#pragma once

namespace pactum::service {

// Parses argv and runs the command. Returns the process exit status.
int RunCli(int argc, char** argv);

}  // namespace pactum::service
