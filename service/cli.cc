#include "cli.h"

#include <CLI/CLI.hpp>
#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <thread>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

#include "document_runner.h"
#include "logging.h"
#include "params.h"
#include "worker_main.h"
#include "pactum/extract/extractor.h"
#include "pactum/extract/pdf_objects.h"
#include "pactum/extract/sniff.h"
#include "pactum/models/json.h"
#include "pactum/service/server.h"
#include "pactum/signing/keys.h"
#include "pactum/signing/sign.h"
#include "pactum/signing/verify.h"

namespace pactum::service {
namespace {

constexpr int kExitServeFailed = 1;
constexpr int kExitDocumentError = 2;

// Key material: trust for verification, the key for signing.
struct KeyArgs {
  std::vector<std::string> trust_anchors;
  std::vector<std::string> intermediates;
  std::vector<std::string> crls;
  std::string sign_p12, sign_p12_password_file, sign_key, sign_cert, tsa_url;
};

struct ExtractArgs {
  std::string file;
  KeyArgs keys;
  std::string ocr = "auto";
  std::string lang = "deu+eng";
  std::string log_level = "error";
};


struct VerifyArgs {
  std::string file;
  KeyArgs keys;
  std::string log_level = "error";
};

struct SignArgs {
  std::string file, out;
  KeyArgs keys;
  std::string reason, location, contact, field, rect;
  int page = 0;
  int certify = 0;
  std::string log_level = "error";
};

struct ServeArgs {
  ServerOptions server;
  KeyArgs keys;
  std::uint64_t max_upload_bytes = std::uint64_t{64} << 20;
  int timeout_seconds = 120;
  int shutdown_seconds = 150;
  std::string log_level = "info";
  std::string store = "sqlite:pactum.db";
};

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<signing::SigningSetup> LoadKeys(const KeyArgs& args);

// A document command's failure: the error JSON on stderr, exit status 2.
int Fail(const Error& e) {
  std::cerr << DumpJson(ToJson(e), -1) << "\n";
  return kExitDocumentError;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunExtract(const ExtractArgs& args) {
  if (!InitLogging(args.log_level)) return Fail(Error::BadRequest("--log-level: unknown level " + args.log_level));
  RoutePopplerMessagesToLog();  // keeps stderr for the error JSON
  extract::ExtractOptions options;
  if (!extract::ParseOcrMode(args.ocr, &options.ocr)) {
    return Fail(Error::BadRequest("--ocr must be auto, always or never"));
  }
  if (!IsValidLanguageList(args.lang)) {
    return Fail(Error::BadRequest("--lang must be Tesseract language names joined by '+', e.g. deu+eng"));
  }
  options.lang = args.lang;
  const std::optional<std::string> file = ReadFile(args.file);
  if (!file) return Fail(Error::BadRequest("cannot read " + args.file));
  const std::string& bytes = *file;
  auto setup = LoadKeys(args.keys);
  if (!setup.ok()) return Fail(setup.error());
  Result<AgreementRecord> record = extract::Extract(bytes, options);
  if (!record.ok()) return Fail(record.error());
  if (extract::Sniff(bytes) == extract::MediaType::kPdf) {
    signing::VerifyOptions vo;
    vo.trust = setup->trust;
    AttachSignatures(bytes, vo, &record.value());
  }
  std::cout << DumpJson(ToJson(*record), 2) << "\n";
  return 0;
}


signing::TrustConfig TrustConfigOf(const KeyArgs& args) {
  return signing::TrustConfig{args.trust_anchors, args.intermediates, args.crls};
}

// The signing key's configuration, when one is given. The PKCS#12 password
// comes from PACTUM_SIGN_P12_PASSWORD or the first line of
// --sign-p12-password-file.
Result<std::optional<signing::SigningConfig>> SigningConfigOf(const KeyArgs& args) {
  if (args.sign_p12.empty() && args.sign_key.empty() && args.sign_cert.empty()) {
    return std::optional<signing::SigningConfig>();
  }
  signing::SigningConfig sc;
  if (!args.sign_p12.empty()) {
    sc.p12_file = args.sign_p12;
    if (const char* pw = std::getenv("PACTUM_SIGN_P12_PASSWORD")) sc.p12_password = pw;
    if (!args.sign_p12_password_file.empty()) {
      auto pw = ReadFile(args.sign_p12_password_file);
      if (!pw) return Error::BadRequest("cannot read --sign-p12-password-file " + args.sign_p12_password_file);
      sc.p12_password = pw->substr(0, pw->find_first_of("\r\n"));
    }
  } else {
    if (args.sign_key.empty() || args.sign_cert.empty()) {
      return Error::BadRequest("--sign-key and --sign-cert go together (or use --sign-p12)");
    }
    sc.key_file = args.sign_key;
    sc.cert_file = args.sign_cert;
  }
  return std::optional<signing::SigningConfig>(sc);
}

std::optional<Error> CheckTsaUrl(const std::string& url) {
  if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Error::BadRequest("--tsa-url must be an http:// or https:// URL");
  }
  return std::nullopt;
}

// Loads the trust anchors (always, when given) and the signing key (when
// given).
Result<signing::SigningSetup> LoadKeys(const KeyArgs& args) {
  signing::SigningSetup setup;
  const signing::TrustConfig tc = TrustConfigOf(args);
  if (!tc.anchor_files.empty() || !tc.crl_files.empty() || !tc.intermediate_files.empty()) {
    auto trust = signing::LoadTrust(tc);
    if (!trust.ok()) return trust.error();
    setup.trust = *trust;
  }
  auto sc = SigningConfigOf(args);
  if (!sc.ok()) return sc.error();
  if (*sc) {
    auto key = signing::LoadSigningKey(**sc);
    if (!key.ok()) return key.error();
    setup.key = *key;
  }
  if (auto err = CheckTsaUrl(args.tsa_url)) return *err;
  setup.tsa_url = args.tsa_url;
  return setup;
}

void AddTrustOptions(CLI::App* app, KeyArgs* k) {
  app->add_option("--trust-anchors", k->trust_anchors, "PEM bundle(s) of trusted root certificates")
      ->envname("PACTUM_TRUST_ANCHORS")
      ->delimiter(',');
  app->add_option("--intermediates", k->intermediates, "PEM bundle(s) of intermediate certificates (not trusted)")
      ->envname("PACTUM_INTERMEDIATES")
      ->delimiter(',');
  app->add_option("--crl", k->crls, "CRL file, PEM or DER (repeatable)")->envname("PACTUM_CRLS")->delimiter(',');
}

// The document limits and the worker processes' caps of pactum serve.
void AddLimitOptions(CLI::App* serve, ServerOptions* o) {
  serve->add_option("--max-pages", o->limits.max_pages, "Most pages per document (422 beyond)")
      ->envname("PACTUM_MAX_PAGES")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve->add_option("--max-page-pixels", o->limits.max_page_pixels,
                    "Most pixels of a PDF page rendered for OCR at 300 dpi (422 beyond)")
      ->envname("PACTUM_MAX_PAGE_PIXELS")
      ->check(CLI::Range(1LL, 1LL << 40))
      ->capture_default_str();
  serve->add_option("--max-pdf-objects", o->limits.max_pdf_objects,
                    "Most objects a PDF may declare (/Size, cross-reference sections, object numbers); 422 beyond")
      ->envname("PACTUM_MAX_PDF_OBJECTS")
      ->check(CLI::Range(1LL, 1LL << 40))
      ->capture_default_str();
  serve->add_option("--max-image-pixels", o->limits.max_image_pixels,
                    "Most pixels of a decoded image: uploads and images inside PDFs (422 beyond)")
      ->envname("PACTUM_MAX_IMAGE_PIXELS")
      ->check(CLI::Range(1LL, 1LL << 40))
      ->capture_default_str();
  serve->add_option("--max-stream-bytes", o->max_stream_bytes,
                    "Most decoded bytes of one PDF stream, against decompression bombs (422 beyond); suffixes KiB, MiB, GiB")
      ->envname("PACTUM_MAX_STREAM_BYTES")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  serve->add_option("--worker-memory", o->worker.memory_bytes,
                    "Address-space cap of each worker process (422 for a document that needs more; 0: none); "
                    "suffixes KiB, MiB, GiB")
      ->envname("PACTUM_WORKER_MEMORY")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve->add_option("--worker-cpu-seconds", o->worker.cpu_seconds,
                    "CPU seconds per document in a worker (504 beyond; 0: none)")
      ->envname("PACTUM_WORKER_CPU_SECONDS")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  serve->add_option("--worker-max-documents", o->worker.max_documents,
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

void AddSigningOptions(CLI::App* app, KeyArgs* k) {
  app->add_option("--sign-p12", k->sign_p12, "PKCS#12 key and chain (password in PACTUM_SIGN_P12_PASSWORD)")
      ->envname("PACTUM_SIGN_P12");
  app->add_option("--sign-p12-password-file", k->sign_p12_password_file, "File whose first line is the PKCS#12 password")
      ->envname("PACTUM_SIGN_P12_PASSWORD_FILE");
  app->add_option("--sign-key", k->sign_key, "PEM private key (with --sign-cert)")->envname("PACTUM_SIGN_KEY");
  app->add_option("--sign-cert", k->sign_cert, "PEM certificate, then its chain")->envname("PACTUM_SIGN_CERT");
  app->add_option("--tsa-url", k->tsa_url, "RFC 3161 time-stamp authority (PAdES B-T)")->envname("PACTUM_TSA_URL");
}

int RunVerify(const VerifyArgs& args) {
  if (!InitLogging(args.log_level)) return Fail(Error::BadRequest("--log-level: unknown level " + args.log_level));
  RoutePopplerMessagesToLog();
  auto setup = LoadKeys(args.keys);
  if (!setup.ok()) return Fail(setup.error());
  auto bytes = ReadFile(args.file);
  if (!bytes) return Fail(Error::BadRequest("cannot read " + args.file));
  if (auto err = extract::CheckDeclaredPdfObjects(*bytes, extract::Limits{}.max_pdf_objects)) return Fail(*err);
  signing::VerifyOptions vo;
  vo.trust = setup->trust;
  Result<VerifyReport> report = signing::Verify(*bytes, vo);
  if (!report.ok()) return Fail(report.error());
  std::cout << DumpJson(ToJson(*report), 2) << "\n";
  return 0;
}

int RunSign(const SignArgs& args) {
  if (!InitLogging(args.log_level)) return Fail(Error::BadRequest("--log-level: unknown level " + args.log_level));
  QueryParams query;
  for (auto [name, value] : {std::pair<std::string, std::string>{"reason", args.reason}, {"location", args.location},
                             {"contact", args.contact}, {"field", args.field}, {"rect", args.rect}}) {
    if (!value.empty()) query.emplace_back(name, value);
  }
  if (args.page > 0) query.emplace_back("page", std::to_string(args.page));
  if (args.certify > 0) query.emplace_back("certify", std::to_string(args.certify));
  Result<SignParams> params = ParseSignParams(query);
  if (!params.ok()) return Fail(params.error());
  auto setup = LoadKeys(args.keys);
  if (!setup.ok()) return Fail(setup.error());
  if (!setup->key) return Fail(Error::BadRequest("no signing key: give --sign-p12 FILE or --sign-key FILE --sign-cert FILE"));
  auto bytes = ReadFile(args.file);
  if (!bytes) return Fail(Error::BadRequest("cannot read " + args.file));
  if (auto err = extract::CheckDeclaredPdfObjects(*bytes, extract::Limits{}.max_pdf_objects)) return Fail(*err);
  signing::SignOptions so;
  so.key = setup->key;
  so.tsa_url = setup->tsa_url;
  so.reason = params->reason;
  so.location = params->location;
  so.contact = params->contact;
  so.field = params->field;
  so.page = params->page;
  so.rect = params->rect;
  so.certify = params->certify;
  Result<std::string> signed_pdf = signing::Sign(*bytes, so);
  if (!signed_pdf.ok()) return Fail(signed_pdf.error());
  std::ofstream out(args.out, std::ios::binary);
  out << *signed_pdf;
  out.close();
  if (!out) return Fail(Error::BadRequest("cannot write " + args.out));
  return 0;
}

std::string UrlHost(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

int RunServe(ServeArgs args) {
  if (!InitLogging(args.log_level)) {
    std::cerr << "--log-level: unknown level " << args.log_level << "\n";
    return kExitServeFailed;
  }
  ServerOptions options = std::move(args.server);
  options.trust = TrustConfigOf(args.keys);
  auto sc = SigningConfigOf(args.keys);
  if (!sc.ok()) {
    spdlog::critical("{}", sc.error().message);
    return kExitServeFailed;
  }
  options.sign_key = *sc;
  if (auto err = CheckTsaUrl(args.keys.tsa_url)) {
    spdlog::critical("{}", err->message);
    return kExitServeFailed;
  }
  options.tsa_url = args.keys.tsa_url;
  options.max_upload_bytes = static_cast<std::size_t>(args.max_upload_bytes);
  options.timeout = std::chrono::seconds(args.timeout_seconds);
  options.worker.log_level = args.log_level;
  options.store_uri = args.store == "none" ? std::string() : args.store;

  // Uploads of up to --max-upload-bytes pass through many connection
  // threads. glibc would raise its mmap threshold after the first large
  // free and keep later upload buffers in per-thread arenas, which then stay
  // with the process; a fixed threshold returns every buffer of 256 KiB or
  // more to the system when it is freed, and few arenas bound the rest.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_ARENA_MAX, 2);

  // SIGINT and SIGTERM are taken with sigwait() below; block them before any
  // thread starts so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is not fatal
  RoutePopplerMessagesToLog();

  Server server(options);
  Result<int> port = server.Start();
  if (!port.ok()) {
    spdlog::critical("{}", port.error().message);
    return kExitServeFailed;
  }
  const ServerOptions& o = server.options();
  spdlog::info("listening on {}://{}:{} (workers {}, queue {}, upload limit {} bytes, timeout {} s{})",
               o.access.tls_cert_file.empty() ? "http" : "https", UrlHost(o.host), *port, o.workers, o.queue,
               o.max_upload_bytes, args.timeout_seconds, o.access.api_keys_file.empty() ? "" : ", API keys required");

  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }
  const int grace = args.shutdown_seconds;
  spdlog::info("{} received; no new connections, finishing requests in flight (at most {} s)",
               sig == SIGTERM ? "SIGTERM" : "SIGINT", grace);
  // Stop() returns once the requests in flight are answered; a watchdog
  // ends the process if that takes longer than the grace period.
  std::thread watchdog([grace] {
    std::this_thread::sleep_for(std::chrono::seconds(grace));
    spdlog::error("requests still in flight after {} s; exiting without them", grace);
    spdlog::default_logger()->flush();
    std::_Exit(kExitServeFailed);
  });
  watchdog.detach();
  server.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"pactum: signed agreements: extract, verify, sign, archive"};
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 success (for verify: a report was printed, whatever its status); 1 the service could not "
      "start; 2 the document could not be processed (the error JSON is on stderr).");

  ExtractArgs ex_args;
  auto* ex = app.add_subcommand("extract", "Print the agreement record of FILE as JSON on stdout");
  ex->add_option("FILE", ex_args.file, "PDF, PNG, JPEG or TIFF")->required();
  ex->add_option("--ocr", ex_args.ocr, "auto|always|never")->envname("PACTUM_OCR")->capture_default_str();
  ex->add_option("--lang", ex_args.lang, "Tesseract languages, e.g. deu+eng")
      ->envname("PACTUM_LANG")
      ->capture_default_str();
  ex->add_option("--log-level", ex_args.log_level, "trace|debug|info|warn|error|critical|off (on stderr)")
      ->envname("PACTUM_LOG_LEVEL")
      ->capture_default_str();

  AddTrustOptions(ex, &ex_args.keys);

  ServeArgs sv;
  auto* serve = app.add_subcommand("serve", "Run the HTTP service (see GET /openapi.json for its endpoints)");
  serve->footer("Each option can also be set through the environment variable shown; the option wins. "
                "SIGTERM or SIGINT stops the service after the requests in flight.");
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
  serve->add_option("--workers", sv.server.workers,
                    "Documents extracted at the same time (0: one per hardware thread)")
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
                    "0: workers + queue + 4, at least 64")
      ->envname("PACTUM_HTTP_THREADS")
      ->check(CLI::Range(0, 4096))
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
  serve->add_option("--log-level", sv.log_level, "trace|debug|info|warn|error|critical|off (JSON lines on stderr)")
      ->envname("PACTUM_LOG_LEVEL")
      ->capture_default_str();
  serve->add_option("--store", sv.store,
                    "Archive of records and originals (POST /v1/documents, store=true): sqlite:PATH, "
                    "postgresql://USER@HOST/DB (libpq URI; password from PGPASSWORD or ~/.pgpass), or none")
      ->envname("PACTUM_STORE")
      ->capture_default_str();
  AddLimitOptions(serve, &sv.server);
  AddAccessOptions(serve, &sv.server.access);
  serve->add_flag("--TEST-allow-faults", sv.server.TEST_allow_faults,
                  "Tests only: honour the X-Pactum-Test-Fault request header")
      ->group("");

  AddTrustOptions(serve, &sv.keys);
  AddSigningOptions(serve, &sv.keys);

  VerifyArgs vf_args;
  auto* vf = app.add_subcommand("verify", "Verify the signatures of FILE; the report JSON on stdout");
  vf->add_option("FILE", vf_args.file, "PDF")->required();
  AddTrustOptions(vf, &vf_args.keys);
  vf->add_option("--log-level", vf_args.log_level, "trace|debug|info|warn|error|critical|off (on stderr)")
      ->envname("PACTUM_LOG_LEVEL")
      ->capture_default_str();

  SignArgs sg_args;
  auto* sg = app.add_subcommand("sign", "Sign FILE (PAdES, incremental update) and write it to OUT");
  sg->add_option("FILE", sg_args.file, "PDF")->required();
  sg->add_option("-o,--output", sg_args.out, "Where to write the signed PDF")->required();
  AddSigningOptions(sg, &sg_args.keys);
  sg->add_option("--reason", sg_args.reason, "/Reason of the signature");
  sg->add_option("--location", sg_args.location, "/Location of the signature");
  sg->add_option("--contact", sg_args.contact, "/ContactInfo of the signature");
  sg->add_option("--field", sg_args.field, "Field to sign or create (default Signature<N>)");
  sg->add_option("--page", sg_args.page, "Page of a visible signature (with --rect)");
  sg->add_option("--certify", sg_args.certify, "Certify with DocMDP level 1, 2 or 3 instead of approving");
  sg->add_option("--rect", sg_args.rect, "x0,y0,x1,y1 in points from the page's top-left corner: a visible signature");
  sg->add_option("--log-level", sg_args.log_level, "trace|debug|info|warn|error|critical|off (on stderr)")
      ->envname("PACTUM_LOG_LEVEL")
      ->capture_default_str();

  auto* worker = app.add_subcommand("worker", "Internal: a worker process of pactum serve (channel on fd 3)");
  worker->group("");

  CLI11_PARSE(app, argc, argv);
  if (*worker) return RunWorker();
  if (*ex) return RunExtract(ex_args);
  if (*vf) return RunVerify(vf_args);
  if (*sg) return RunSign(sg_args);
  if (*serve) return RunServe(std::move(sv));
  return kExitServeFailed;
}

}  // namespace pactum::service
