#include "cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/health.h"
#include "cli/module.h"

namespace pactum::service {
namespace {

using cli::CliArgs;
using cli::Command;
using cli::kExitOk;
using cli::kExitUsage;

struct CommandInfo {
  const char* name;
  const char* usage;
  const char* summary;
};

// The commands, for the short usage and for "did you mean" (the hidden
// `worker` is left out of both).
constexpr CommandInfo kCommands[] = {
    {"extract", "extract FILE...|DIR|-", "print the agreement record (JSON) of each file"},
    {"verify", "verify FILE", "verify the signatures of a PDF (the report, JSON or text)"},
    {"sign", "sign FILE -o OUT", "sign a PDF (PAdES) with your key"},
    {"serve", "serve", "run the HTTP service"},
    {"health", "health [--url URL]", "check that a running service is ready"},
    {"version", "version", "print the version"},
};

constexpr const char* kVersionLine = "pactum " PACTUM_VERSION;

void PrintShortUsage(std::FILE* out) {
  std::fprintf(out, "usage: pactum COMMAND [OPTIONS]\n\n");
  for (const CommandInfo& c : kCommands) std::fprintf(out, "  pactum %-26s %s\n", c.usage, c.summary);
  std::fprintf(out, "\nRun 'pactum --help' or 'pactum COMMAND --help' for more.\n");
}

// Optimal string alignment distance (Levenshtein with transpositions).
std::size_t EditDistance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The command `word` was probably meant to be, or "".
std::string Suggest(std::string_view word) {
  std::string best;
  std::size_t best_distance = 3;  // at most two edits
  for (const CommandInfo& c : kCommands) {
    const std::string_view name = c.name;
    std::size_t distance = EditDistance(word, name);
    if (word.size() >= 2 && name.substr(0, word.size()) == word) distance = std::min<std::size_t>(distance, 1);
    if (distance < best_distance && distance * 2 <= std::max(word.size(), name.size())) {
      best = c.name;
      best_distance = distance;
    }
  }
  return best;
}

bool IsCommand(std::string_view word) {
  if (word == "worker") return true;
  return std::any_of(std::begin(kCommands), std::end(kCommands), [&](const CommandInfo& c) { return word == c.name; });
}

// ---- options ---------------------------------------------------------------

const std::vector<std::string> kLogLevels = {"trace", "debug", "info", "warn", "warning", "error", "err", "critical",
                                             "off"};

void AddLogLevelOption(CLI::App* app, std::string* level, const char* where) {
  app->add_option("--log-level", *level, std::string("trace|debug|info|warn|error|critical|off (") + where + ")")
      ->envname("PACTUM_LOG_LEVEL")
      ->check(CLI::IsMember(kLogLevels))
      ->capture_default_str();
}

void AddTrustOptions(CLI::App* app, cli::KeyArgs* k) {
  app->add_option("--trust-anchors", k->trust_anchors, "PEM bundle(s) of trusted root certificates")
      ->envname("PACTUM_TRUST_ANCHORS")
      ->delimiter(',');
  app->add_option("--intermediates", k->intermediates, "PEM bundle(s) of intermediate certificates (not trusted)")
      ->envname("PACTUM_INTERMEDIATES")
      ->delimiter(',');
  app->add_option("--crl", k->crls, "CRL file, PEM or DER (repeatable)")->envname("PACTUM_CRLS")->delimiter(',');
}

void AddSigningOptions(CLI::App* app, cli::KeyArgs* k) {
  app->add_option("--sign-p12", k->sign_p12, "PKCS#12 key and chain (password in PACTUM_SIGN_P12_PASSWORD)")
      ->envname("PACTUM_SIGN_P12");
  app->add_option("--sign-p12-password-file", k->sign_p12_password_file, "File whose first line is the PKCS#12 password")
      ->envname("PACTUM_SIGN_P12_PASSWORD_FILE");
  app->add_option("--sign-key", k->sign_key, "PEM private key (with --sign-cert)")->envname("PACTUM_SIGN_KEY");
  app->add_option("--sign-cert", k->sign_cert, "PEM certificate, then its chain")->envname("PACTUM_SIGN_CERT");
  app->add_option("--tsa-url", k->tsa_url, "RFC 3161 time-stamp authority (PAdES B-T)")->envname("PACTUM_TSA_URL");
  app->add_option("--ocsp-response", k->ocsp_responses,
                  "DER OCSP response embedded for PAdES B-LT when it answers for a certificate (repeatable)")
      ->envname("PACTUM_OCSP_RESPONSES")
      ->delimiter(',');
  app->add_option("--ocsp-url", k->ocsp_url,
                  "OCSP responder asked at signing time for PAdES B-LT (none: nothing is fetched)")
      ->envname("PACTUM_OCSP_URL");
}

// The limits one document is processed under: the same flags, environment
// variables and defaults on `pactum serve` (`http`: its help names HTTP
// statuses) and on the document commands.
void AddDocumentLimitOptions(CLI::App* app, extract::Limits* limits, std::uint64_t* max_stream_bytes, bool http) {
  const std::string over = http ? " (422 beyond)" : " (error unprocessable beyond)";
  app->add_option("--max-pages", limits->max_pages, "Most pages per document" + over)
      ->envname("PACTUM_MAX_PAGES")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app->add_option("--max-page-pixels", limits->max_page_pixels,
                  "Most pixels of a PDF page rendered for OCR at 300 dpi" + over)
      ->envname("PACTUM_MAX_PAGE_PIXELS")
      ->check(CLI::Range(1LL, 1LL << 40))
      ->capture_default_str();
  app->add_option("--max-pdf-objects", limits->max_pdf_objects,
                  "Most objects a PDF may declare (/Size, cross-reference sections, object numbers)" + over)
      ->envname("PACTUM_MAX_PDF_OBJECTS")
      ->check(CLI::Range(1LL, 1LL << 40))
      ->capture_default_str();
  app->add_option("--max-image-pixels", limits->max_image_pixels,
                  std::string(http ? "Most pixels of a decoded image: uploads and images inside PDFs"
                                   : "Most pixels of a decoded image: image files and images inside PDFs") +
                      over)
      ->envname("PACTUM_MAX_IMAGE_PIXELS")
      ->check(CLI::Range(1LL, 1LL << 40))
      ->capture_default_str();
  app->add_option("--max-stream-bytes", *max_stream_bytes,
                  "Most decoded bytes of one PDF stream, against decompression bombs" + over +
                      "; suffixes KiB, MiB, GiB")
      ->envname("PACTUM_MAX_STREAM_BYTES")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
}

// The caps of the process that reads documents (a worker of serve, or the
// CLI itself): flags named per command, the same environment variables.
void AddCapOptions(CLI::App* app, const std::string& memory_flag, const std::string& cpu_flag,
                   std::uint64_t* memory_bytes, int* cpu_seconds, const std::string& memory_help,
                   const std::string& cpu_help) {
  app->add_option(memory_flag, *memory_bytes, memory_help + "; suffixes KiB, MiB, GiB")
      ->envname("PACTUM_WORKER_MEMORY")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  app->add_option(cpu_flag, *cpu_seconds, cpu_help)
      ->envname("PACTUM_WORKER_CPU_SECONDS")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
}

// The worker caps of pactum serve.
void AddWorkerOptions(CLI::App* serve, WorkerProcessOptions* w) {
  AddCapOptions(serve, "--worker-memory", "--worker-cpu-seconds", &w->memory_bytes, &w->cpu_seconds,
                "Address-space cap of each worker process (422 for a document that needs more; 0: none)",
                "CPU seconds per document in a worker (504 beyond; 0: none)");
  serve->add_option("--worker-max-documents", w->max_documents,
                    "A worker process is replaced after this many documents (0: never)")
      ->envname("PACTUM_WORKER_MAX_DOCUMENTS")
      ->check(CLI::Range(0, 100000000))
      ->capture_default_str();
}

void AddAccessOptions(CLI::App* serve, AccessOptions* a) {
  serve->add_option("--api-keys", a->api_keys_file,
                    "File of SHA-256 hex digests of accepted API keys (Authorization: Bearer KEY); unset: open")
      ->envname("PACTUM_API_KEYS");
  serve->add_option("--rate-limit", a->rate_per_second,
                    "Requests per second per API key (per client address without keys); 429 beyond; 0: unlimited")
      ->envname("PACTUM_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  serve->add_option("--rate-burst", a->rate_burst, "Requests a client may send at once before --rate-limit applies")
      ->envname("PACTUM_RATE_BURST")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  serve->add_option("--tls-cert", a->tls_cert_file, "PEM certificate chain: serve HTTPS (with --tls-key)")
      ->envname("PACTUM_TLS_CERT");
  serve->add_option("--tls-key", a->tls_key_file, "PEM private key of --tls-cert")->envname("PACTUM_TLS_KEY");
}

// Callbacks of finished jobs (ServerOptions::callbacks, webhook.h).
void AddCallbackOptions(CLI::App* serve, CallbackOptions* c) {
  serve->add_option("--callback-allow", c->allow,
                    "Where job callbacks may go: host names (hooks.example.org), suffix wildcards (*.example.org), "
                    "IP addresses or CIDR ranges (repeatable, or comma-separated). Loopback, private, link-local "
                    "and other special addresses only through an IP or CIDR entry. Unset: no callbacks (a "
                    "callback_url is refused with 400)")
      ->envname("PACTUM_CALLBACK_ALLOW")
      ->delimiter(',')
      ->type_name("ENTRY");
  serve->add_option("--callback-secret-file", c->secret_file,
                    "File whose first line is the HMAC-SHA256 key of the Pactum-Signature header of callbacks; "
                    "unset: callbacks are unsigned")
      ->envname("PACTUM_CALLBACK_SECRET_FILE");
  serve->add_option("--callback-ca-file", c->ca_file,
                    "PEM CA certificates that https callback receivers are verified against (default: the system's)")
      ->envname("PACTUM_CALLBACK_CA_FILE");
}

// What extract, verify and sign share: limits, caps, input size, log level.
// The time limit is read into *timeout_seconds (Limits keeps milliseconds).
void AddDocumentOptions(CLI::App* app, cli::DocumentArgs* d, int* timeout_seconds) {
  AddDocumentLimitOptions(app, &d->limits.document, &d->limits.max_stream_bytes, /*http=*/false);
  AddCapOptions(app, "--memory", "--cpu-seconds", &d->limits.memory_bytes, &d->limits.cpu_seconds,
                "Address-space cap of the process that reads a document (error unprocessable for a document "
                "that needs more; 0: none)",
                "CPU seconds per document (error timeout beyond; 0: none)");
  app->add_option("--timeout-seconds", *timeout_seconds, "Time limit per document (error timeout beyond)")
      ->envname("PACTUM_TIMEOUT")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app->add_option("--max-upload-bytes", d->max_input_bytes,
                  "Largest input read, a file or stdin (error too_large beyond); suffixes KiB, MiB, GiB")
      ->envname("PACTUM_MAX_UPLOAD_BYTES")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  AddLogLevelOption(app, &d->log_level, "on stderr");
}

constexpr const char* kExitStatusFooter =
    "Exit status: 0 success; 1 a condition was not met (verify --require: the document's status is not the one "
    "required; "
    "health: the service is not ready); 2 an error (a document could not be processed, a file could not be read, a key or "
    "trust file is bad, the service could not start); 64 a usage error. Errors are printed on stderr as "
    "'pactum: FILE: MESSAGE (CODE)', CODE being the API's error code.";

struct Cli {
  CLI::App app{"pactum: signed agreements: extract, verify, sign, archive"};
  CLI::App* extract = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* sign = nullptr;
  CLI::App* serve = nullptr;
  CLI::App* health = nullptr;
  CLI::App* version = nullptr;
  CLI::App* worker = nullptr;
  int extract_timeout = 120, verify_timeout = 120, sign_timeout = 120;
};

void DefineExtract(Cli* c, CliArgs* a) {
  cli::DocumentArgs& d = a->document;
  auto* ex = c->app.add_subcommand("extract", "Print the agreement record (JSON) of each file on stdout");
  c->extract = ex;
  ex->footer(
      "One FILE (or - for stdin): its record, pretty JSON, the same as the service answers. Several FILEs or a "
      "DIR (read recursively: regular files, sorted, hidden ones skipped): one JSON line per file, in order, "
      "{\"path\":...,\"record\":{...}} or {\"path\":...,\"error\":{\"code\":...,\"message\":...}}, each file in a "
      "worker process of its own (a file that crashes the parser or exceeds a limit costs only its line), and a "
      "summary on stderr. Exit status 0 when every file was extracted, 2 when one was not, 64 for a usage error.");
  ex->add_option("FILE", d.inputs, "PDF, PNG, JPEG or TIFF files, directories, or - (stdin)")->required();
  ex->add_option("-j,--jobs", d.jobs, "Files read at once with several inputs (0: one per hardware thread)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  ex->add_option("--ocr", d.ocr, "auto|always|never")
      ->envname("PACTUM_OCR")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  ex->add_option("--lang", d.lang, "Tesseract languages, e.g. deu+eng")->envname("PACTUM_LANG")->capture_default_str();
  ex->add_flag("--text", d.text, "The record carries document.text: the full text, pages separated by form feeds");
  ex->add_option("--searchable-pdf", d.searchable_pdf,
                 "One FILE: also write its searchable PDF/A-2b here (page images with the OCR text invisible over "
                 "them; text-layer pages unchanged; signed PDFs are refused)");
  ex->add_flag("!--no-progress", d.progress,
               "No progress bar (one FILE: shown on stderr while the pages are read, only when stderr is a terminal)");
  AddTrustOptions(ex, &d.keys);
  AddDocumentOptions(ex, &d, &c->extract_timeout);
}

void DefineVerify(Cli* c, CliArgs* a) {
  cli::DocumentArgs& d = a->document;
  auto* vf = c->app.add_subcommand("verify", "Verify the signatures of a PDF; the report (JSON or text) on stdout");
  c->verify = vf;
  vf->footer(
      "The JSON report is the same as the service answers; --format text prints it for people: per signature the "
      "signer, the signing time and what proves it, integrity, trust, the changes after signing, and why the status "
      "is what it is.\n"
      "Exit status: without --require, 0 when a report was printed, whatever its status. With --require valid: 0 "
      "when the document's status is valid, 1 when it is invalid, indeterminate or unsigned. With --require "
      "not-invalid: 0 when the document is signed and no signature is invalid (valid or indeterminate), 1 when a "
      "signature is invalid or the document is unsigned. --exit-code is --require valid. Either way 2 when the file "
      "could not be verified (not a PDF, unreadable, damaged beyond repair; the error on stderr), 64 for a usage "
      "error.");
  vf->add_option("FILE", d.inputs, "PDF, or - (stdin)")->required()->expected(1);
  auto* require = vf->add_option("--require", d.require,
                                 "valid|not-invalid: the status the document must have for exit 0, else exit 1 "
                                 "(a gate for scripts)")
                      ->check(CLI::IsMember({"valid", "not-invalid"}));
  vf->add_flag("--exit-code", d.exit_code, "The same as --require valid")->excludes(require);
  vf->add_option("--format", d.format, "json|text: the report for programs or for people")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  AddTrustOptions(vf, &d.keys);
  AddDocumentOptions(vf, &d, &c->verify_timeout);
}

void DefineSign(Cli* c, CliArgs* a) {
  cli::DocumentArgs& d = a->document;
  auto* sg = c->app.add_subcommand("sign", "Sign a PDF (PAdES, incremental update) and write it to OUT");
  c->sign = sg;
  sg->add_option("FILE", d.inputs, "PDF, or - (stdin)")->required()->expected(1);
  sg->add_option("-o,--output", d.output, "Where to write the signed PDF (- for stdout)")->required();
  AddSigningOptions(sg, &d.keys);
  sg->add_option("--reason", d.reason, "/Reason of the signature");
  sg->add_option("--location", d.location, "/Location of the signature");
  sg->add_option("--contact", d.contact, "/ContactInfo of the signature");
  sg->add_option("--field", d.field, "Field to sign or create (default Signature<N>)");
  sg->add_option("--page", d.page, "Page of a visible signature (with --rect; default 1)")->type_name("N");
  sg->add_option("--certify", d.certify, "Certify with DocMDP level 1, 2 or 3 instead of approving")
      ->type_name("LEVEL");
  sg->add_option("--rect", d.rect, "x0,y0,x1,y1 in points from the page's top-left corner: a visible signature")
      ->type_name("X0,Y0,X1,Y1");
  sg->add_option("--level", d.level,
                 "PAdES level b-b|b-t|b-lt|b-lta (default: b-t with --tsa-url, else b-b); b-lt embeds "
                 "certificates, --crl CRLs and OCSP responses (/DSS), b-lta adds a document timestamp")
      ->type_name("LEVEL");
  sg->add_flag("--extend", d.extend,
               "Add no signature: give the signatures there validation data and a document timestamp "
               "(--level b-lt or b-lta, default b-lta)");
  AddTrustOptions(sg, &d.keys);
  AddDocumentOptions(sg, &d, &c->sign_timeout);
}

void DefineServe(Cli* c, CliArgs* a) {
  cli::ServeArgs& sv = a->serve;
  auto* serve = c->app.add_subcommand("serve", "Run the HTTP service (see GET /openapi.json for its endpoints)");
  c->serve = serve;
  serve->footer("Each option can also be set through the environment variable shown; the option wins. "
                "SIGTERM or SIGINT stops the service after the requests in flight. Exit status 0 after such a "
                "stop, 1 when requests were still in flight after --shutdown-seconds, 2 when the service could "
                "not start.");
  serve->add_option("--host", sv.server.host, "Listen address")->envname("PACTUM_HOST")->capture_default_str();
  serve->add_option("--port", sv.server.port, "Listen port (0: any free port, printed in the log)")
      ->envname("PACTUM_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve->add_option("--max-upload-bytes", sv.max_upload_bytes,
                    "Largest document accepted (413 beyond); a number of bytes, or with a suffix KiB, MiB, GiB "
                    "(KB, MB, GB also mean 1024-based)")
      ->envname("PACTUM_MAX_UPLOAD_BYTES")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  serve->add_option("--workers", sv.server.workers, "Documents extracted at the same time (0: one per hardware thread)")
      ->envname("PACTUM_WORKERS")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  serve->add_option("--queue", sv.server.queue,
                    "Documents that may wait for a worker; beyond it uploads get 503 with Retry-After")
      ->envname("PACTUM_QUEUE")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  serve->add_option("--http-threads", sv.server.http_threads,
                    "Connections served at once, each on its own thread (slow uploads included); "
                    "0: workers + queue + 4, at least 256")
      ->envname("PACTUM_HTTP_THREADS")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  serve->add_option("--max-header-bytes", sv.server.access.max_head_bytes,
                    "Largest request head (request line and headers) read; 431 beyond. Suffixes KiB, MiB")
      ->envname("PACTUM_MAX_HEADER_BYTES")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20))
      ->capture_default_str();
  serve->add_option("--max-header-lines", sv.server.access.max_head_lines, "Most header lines of a request; 431 beyond")
      ->envname("PACTUM_MAX_HEADER_LINES")
      ->check(CLI::Range(8, 10000))
      ->capture_default_str();
  serve->add_option("--header-timeout-seconds", sv.header_timeout_seconds,
                    "Time a client has for a request's head from its first byte (slow clients); 408 beyond")
      ->envname("PACTUM_HEADER_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve->add_option("--timeout-seconds", sv.timeout_seconds,
                    "Time limit per document, from admission to the answer (504 beyond)")
      ->envname("PACTUM_TIMEOUT")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve->add_option("--shutdown-seconds", sv.shutdown_seconds,
                    "After SIGTERM, how long requests in flight may take before the process exits anyway (status 1)")
      ->envname("PACTUM_SHUTDOWN_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  AddLogLevelOption(serve, &sv.log_level, "JSON lines on stderr");
  serve->add_option("--store", sv.store,
                    "Archive of records and originals (POST /v1/documents, store=true): sqlite:PATH, "
                    "postgresql://USER@HOST/DB (libpq URI; password from PGPASSWORD or ~/.pgpass), or none")
      ->envname("PACTUM_STORE")
      ->capture_default_str();
  serve->add_option("--job-timeout-seconds", sv.server.jobs.timeout_seconds,
                    "Time limit per job (POST /v1/jobs); an extraction keeps the pages read by then (partial)")
      ->envname("PACTUM_JOB_TIMEOUT")
      ->check(CLI::Range(1, 7 * 86400))
      ->capture_default_str();
  serve->add_option("--job-lease-seconds", sv.server.jobs.lease_seconds,
                    "A replica that stops (crash, kill) loses its running jobs to the others after this")
      ->envname("PACTUM_JOB_LEASE")
      ->check(CLI::Range(2, 3600))
      ->capture_default_str();
  serve->add_option("--job-retention-hours", sv.server.jobs.retention_hours,
                    "Finished jobs and their results are deleted after this")
      ->envname("PACTUM_JOB_RETENTION_HOURS")
      ->check(CLI::Range(1, 24 * 3650))
      ->capture_default_str();
  serve->add_option("--job-attempts", sv.server.jobs.attempts,
                    "Claims of one job before it fails (replicas that died while running it)")
      ->envname("PACTUM_JOB_ATTEMPTS")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  serve->add_option("--job-concurrency", sv.server.jobs.concurrency,
                    "Jobs this replica runs at once, the rest of its workers kept for synchronous requests "
                    "(0: one per worker)")
      ->envname("PACTUM_JOB_CONCURRENCY")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  serve->add_option("--job-part-pages", sv.server.jobs.part_pages,
                    "A scan of more pages is read in parts of this many pages by every replica's workers at "
                    "once (0: never split)")
      ->envname("PACTUM_JOB_PART_PAGES")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  AddDocumentLimitOptions(serve, &sv.server.limits, &sv.server.max_stream_bytes, /*http=*/true);
  AddWorkerOptions(serve, &sv.server.worker);
  AddAccessOptions(serve, &sv.server.access);
  AddCallbackOptions(serve, &sv.server.callbacks);
  serve->add_flag("--TEST-allow-faults", sv.server.TEST_allow_faults,
                  "Tests only: honour the X-Pactum-Test-Fault request header")
      ->group("");
  AddTrustOptions(serve, &sv.keys);
  AddSigningOptions(serve, &sv.keys);
}

void DefineHealth(Cli* c, CliArgs* a) {
  auto* health = c->app.add_subcommand(
      "health", "Check that a running service is ready (GET /readyz): exit 0 when it is, 1 when not");
  c->health = health;
  health->footer("Plain HTTP only (no https://). The container image's HEALTHCHECK.");
  health->add_option("--url", a->health.url,
                     "What to GET (default http://127.0.0.1:$PACTUM_PORT/readyz, port 8080 without PACTUM_PORT)");
  health->add_option("--timeout", a->health.timeout_seconds, "Seconds to wait for the answer")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
}

void Define(Cli* c, CliArgs* a) {
  c->app.name("pactum");
  c->app.require_subcommand(1);
  c->app.set_version_flag("--version", kVersionLine, "Print the version and exit");
  c->app.footer(kExitStatusFooter);
  DefineExtract(c, a);
  DefineVerify(c, a);
  DefineSign(c, a);
  DefineServe(c, a);
  DefineHealth(c, a);
  c->version = c->app.add_subcommand("version", "Print the version");
  c->worker = c->app.add_subcommand("worker", "Internal: a worker process (channel on fd 3)");
  c->worker->group("");
  // CLI11 reads the environment variables of a command without a
  // parse-complete callback even when another command runs: PACTUM_PORT set
  // for `serve` (Kubernetes sets it to tcp://... for a Service named pactum)
  // failed `pactum extract`, `pactum health` and the worker processes. With
  // one, a command's variables are read only when that command is parsed.
  for (CLI::App* sub : c->app.get_subcommands([](CLI::App*) { return true; })) {
    sub->parse_complete_callback([] {});
  }
}

// The word of argv that names the command, or nullptr when there is none
// (the top level has flags only: --help, --version).
const char* CommandWord(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return i + 1 < argc ? argv[i + 1] : nullptr;
    if (argv[i][0] != '-' || argv[i][1] == '\0') return argv[i];
  }
  return nullptr;
}

int UsageError(const Cli& c, const std::string& message) {
  std::string where = "pactum";
  for (const CLI::App* sub : c.app.get_subcommands()) where += " " + sub->get_name();
  std::fprintf(stderr, "pactum: %s\nRun '%s --help' for the options.\n", message.c_str(), where.c_str());
  return kExitUsage;
}

}  // namespace

int RunCli(int argc, char** argv) {
  // The quickest answers first: nothing to set up for them.
  if (argc == 1) {
    PrintShortUsage(stderr);
    return kExitUsage;
  }
  if (argc == 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0)) {
    std::printf("%s\n", kVersionLine);
    return kExitOk;
  }
  std::vector<char*> args(argv, argv + argc);
  if (const char* word = CommandWord(argc, argv); word != nullptr && !IsCommand(word)) {
    if (std::strcmp(word, "help") == 0) {  // `pactum help [COMMAND]`
      args.erase(std::find(args.begin(), args.end(), word));
      static char help_flag[] = "--help";
      args.push_back(help_flag);
    } else {
      const std::string guess = Suggest(word);
      std::fprintf(stderr, "pactum: unknown command '%s'", word);
      if (!guess.empty()) {
        std::fprintf(stderr, "; did you mean '%s'?\n", guess.c_str());
      } else {
        std::fprintf(stderr, "; the commands are extract, verify, sign, serve, health and version\n");
      }
      std::fprintf(stderr, "Run 'pactum --help' for usage.\n");
      return kExitUsage;
    }
  }

  CliArgs a;
  Cli c;
  Define(&c, &a);
  try {
    c.app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::CallForHelp& e) {
    return c.app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return c.app.exit(e);
  } catch (const CLI::CallForVersion&) {
    std::printf("%s\n", kVersionLine);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    return UsageError(c, e.what());
  }

  if (*c.version) {
    std::printf("%s\n", kVersionLine);
    return kExitOk;
  }
  if (*c.health) return cli::RunHealth(a.health);
  if (*c.worker) {
    a.command = Command::kWorker;
    return cli::RunInModule(cli::kDocumentsModule, a);
  }
  if (*c.serve) {
    a.command = Command::kServe;
    return cli::RunInModule(cli::kServeModule, a);
  }
  int timeout = 0;
  if (*c.extract) {
    a.command = Command::kExtract;
    timeout = c.extract_timeout;
    if (std::count(a.document.inputs.begin(), a.document.inputs.end(), "-") > 1) {
      return UsageError(c, "- (stdin) may be given once");
    }
  } else if (*c.verify) {
    a.command = Command::kVerify;
    timeout = c.verify_timeout;
  } else if (*c.sign) {
    a.command = Command::kSign;
    timeout = c.sign_timeout;
  } else {
    PrintShortUsage(stderr);
    return kExitUsage;
  }
  a.document.limits.timeout = std::chrono::seconds(timeout);
  return cli::RunInModule(cli::kDocumentsModule, a);
}

}  // namespace pactum::service
