// The parsed command line of the pactum binary, shared by the executable
// (which parses it, cli.cc) and the modules that run the commands
// (libpactum_documents.so: extract, verify, sign, worker;
// libpactum_serve.so: serve), which receive it already validated.
//
// Plain values only: the executable links none of the libraries behind these
// headers, it only fills the structs (see cli/module.h for why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pactum/service/server.h"
#include "pipeline.h"

namespace pactum::service::cli {

// Exit status of every command, documented in `pactum --help` and README.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNotMet = 1;  // verify --require: not met; health: not ready
inline constexpr int kExitError = 2;   // a document, a file, the configuration or the service failed
inline constexpr int kExitUsage = 64;  // the command line is wrong (EX_USAGE of sysexits.h)

enum class Command { kNone, kExtract, kVerify, kSign, kServe, kHealth, kVersion, kWorker };

// Key material: trust for verification, the key for signing.
struct KeyArgs {
  std::vector<std::string> trust_anchors;
  std::vector<std::string> intermediates;
  std::vector<std::string> crls;
  std::string sign_p12, sign_p12_password_file, sign_key, sign_cert, tsa_url;
  std::vector<std::string> ocsp_responses;  // --ocsp-response FILE (PAdES B-LT)
  std::string ocsp_url;                     // --ocsp-url URL (PAdES B-LT)
};

// extract, verify and sign.
struct DocumentArgs {
  // extract: FILE... | DIR | - (stdin); verify and sign: one FILE or -.
  std::vector<std::string> inputs;
  KeyArgs keys;
  // The service's limits (the same flags as `pactum serve`); timeout and
  // memory/CPU caps included.
  Limits limits;
  // Largest input read, files and stdin alike (too_large beyond).
  std::uint64_t max_input_bytes = std::uint64_t{64} << 20;
  std::string log_level = "error";
  // extract
  std::string ocr = "auto";
  std::string lang = "deu+eng";
  bool text = false;  // --text: the record carries document.text (the full text)
  int jobs = 1;  // documents at once in batch mode; 0: one per hardware thread
  // One document: a progress bar on stderr while its pages are read, when
  // stderr is a terminal (cli/progress_bar.h); --no-progress: never.
  bool progress = true;
  // extract, one FILE: also write its searchable PDF/A here
  // (extract/searchable_pdf.h); the record still goes to stdout.
  std::string searchable_pdf;
  // verify: the requirement the document's status must meet for exit
  // kExitOk, else kExitNotMet: "" none (a printed report exits kExitOk
  // whatever its status: the acceptance harnesses of the contract read any
  // verdict from exit 0); "valid"; "not-invalid" (signed, and no signature
  // invalid: valid or indeterminate). --exit-code is "valid".
  std::string require;
  bool exit_code = false;
  // verify: "json" (the report of POST /v1/verify) or "text" (for people).
  std::string format = "json";
  // sign: where the signed PDF goes ("-": stdout), and the signature's
  // entries as given (validated by the module, as the service validates
  // its query).
  std::string output;
  std::string reason, location, contact, field, page, rect, certify, level;
  bool extend = false;
};

struct ServeArgs {
  ServerOptions server;
  KeyArgs keys;
  std::uint64_t max_upload_bytes = std::uint64_t{64} << 20;
  int timeout_seconds = 120;
  int header_timeout_seconds = 10;  // ServerOptions::access.head_timeout
  int shutdown_seconds = 150;
  std::string log_level = "info";
  std::string store = "sqlite:pactum.db";
};

struct HealthArgs {
  std::string url;  // empty: http://127.0.0.1:$PACTUM_PORT/readyz (8080 without it)
  double timeout_seconds = 2;
};

struct CliArgs {
  Command command = Command::kNone;
  DocumentArgs document;  // kExtract, kVerify, kSign
  ServeArgs serve;        // kServe
  HealthArgs health;      // kHealth
};

}  // namespace pactum::service::cli
