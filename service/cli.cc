#include "cli.h"

#include <CLI/CLI.hpp>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "logging.h"
#include "params.h"
#include "pactum/extract/extractor.h"
#include "pactum/models/json.h"
#include "pactum/service/server.h"

namespace pactum::service {
namespace {

constexpr int kExitServeFailed = 1;
constexpr int kExitDocumentError = 2;

struct ExtractArgs {
  std::string file;
  std::string ocr = "auto";
  std::string lang = "deu+eng";
  std::string log_level = "error";
};

struct ServeArgs {
  ServerOptions server;
  std::uint64_t max_upload_bytes = std::uint64_t{64} << 20;
  int timeout_seconds = 120;
  std::string log_level = "info";
};

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int RunExtract(const ExtractArgs& args) {
  auto fail = [](const Error& e) {
    std::cerr << DumpJson(ToJson(e), -1) << "\n";
    return kExitDocumentError;
  };
  if (!InitLogging(args.log_level)) return fail(Error::BadRequest("--log-level: unknown level " + args.log_level));
  RoutePopplerMessagesToLog();  // keeps stderr for the error JSON
  extract::ExtractOptions options;
  if (!extract::ParseOcrMode(args.ocr, &options.ocr)) {
    return fail(Error::BadRequest("--ocr must be auto, always or never"));
  }
  if (!IsValidLanguageList(args.lang)) {
    return fail(Error::BadRequest("--lang must be Tesseract language names joined by '+', e.g. deu+eng"));
  }
  options.lang = args.lang;
  std::ifstream in(args.file, std::ios::binary);
  if (!in) return fail(Error::BadRequest("cannot read " + args.file));
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  Result<AgreementRecord> record = extract::Extract(bytes, options);
  if (!record.ok()) return fail(record.error());
  std::cout << DumpJson(ToJson(*record), 2) << "\n";
  return 0;
}

std::string UrlHost(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

int RunServe(ServeArgs args) {
  if (!InitLogging(args.log_level)) {
    std::cerr << "--log-level: unknown level " << args.log_level << "\n";
    return kExitServeFailed;
  }
  ServerOptions options = std::move(args.server);
  options.max_upload_bytes = static_cast<std::size_t>(args.max_upload_bytes);
  options.timeout = std::chrono::seconds(args.timeout_seconds);

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
  spdlog::info("listening on http://{}:{} (workers {}, queue {}, upload limit {} bytes, timeout {} s)",
               UrlHost(o.host), *port, o.workers, o.queue, o.max_upload_bytes, args.timeout_seconds);

  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }
  spdlog::info("{} received; finishing requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  server.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"pactum: signed agreements: extract, verify, sign, archive"};
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 success; 1 the service could not start; 2 the document could not be extracted "
      "(the error JSON is on stderr).");

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

  ServeArgs sv;
  auto* serve = app.add_subcommand("serve", "Run the HTTP service (POST /v1/extract, /healthz, /readyz, /openapi.json)");
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
  serve->add_option("--timeout-seconds", sv.timeout_seconds,
                    "Time limit per document, from admission to the answer (504 beyond)")
      ->envname("PACTUM_TIMEOUT")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve->add_option("--log-level", sv.log_level, "trace|debug|info|warn|error|critical|off (on stderr)")
      ->envname("PACTUM_LOG_LEVEL")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (*ex) return RunExtract(ex_args);
  if (*serve) return RunServe(std::move(sv));
  return kExitServeFailed;
}

}  // namespace pactum::service
