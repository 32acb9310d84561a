// The command modules of the pactum binary.
//
// The executable itself links no library beyond the C++ runtime: it parses
// the command line, prints help and the version, and runs `pactum health`.
// A command that needs more is run by a module the executable loads with
// dlopen() when that command is given:
//
//   libpactum_documents.so  extract, verify, sign, worker (Poppler, qpdf,
//                           OpenSSL, PCRE2, spdlog; Tesseract stays in
//                           libpactum_ocr.so, loaded at the first OCR)
//   libpactum_serve.so      serve (the above, cpp-httplib, prometheus-cpp,
//                           SQLite, libpq)
//
// so that `pactum --version` maps no PDF library and `pactum extract` maps
// no database client. A module is looked for in $PACTUM_MODULE_DIR, beside
// the executable, then in ../lib/pactum/ from it (the installed layout,
// /usr/local/bin/pactum with /usr/local/lib/pactum/).
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstring>

#include "cli/args.h"

namespace pactum::service::cli {

inline constexpr char kDocumentsModule[] = "libpactum_documents.so";
inline constexpr char kServeModule[] = "libpactum_serve.so";

// The one symbol a module exports (extern "C"): runs args.command and
// returns the exit status. `args_size` and `version` are sizeof(CliArgs)
// and PACTUM_VERSION of the executable; a module built otherwise refuses
// to run (kExitError) rather than misread `args`.
inline constexpr char kModuleEntryName[] = "pactum_cli_module_run";
using ModuleEntry = int (*)(const CliArgs* args, std::size_t args_size, const char* version);

// Module side: true when the executable that calls this module was built
// with it (same sizeof(CliArgs), same version); else a message naming
// `module` on stderr.
inline bool ModuleMatchesExecutable(const char* module, std::size_t args_size, const char* version) {
  if (args_size == sizeof(CliArgs) && std::strcmp(version, PACTUM_VERSION) == 0) return true;
  std::fprintf(stderr, "pactum: %s belongs to another pactum build (%s) than this binary (%s); reinstall both\n",
               module, PACTUM_VERSION, version);
  return false;
}

// Executable side: loads `module` (kDocumentsModule, kServeModule) and runs
// args.command in it. kExitError with a message on stderr naming every
// place tried when the module cannot be loaded.
int RunInModule(const char* module, const CliArgs& args);

}  // namespace pactum::service::cli
