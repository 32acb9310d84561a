// libpactum_serve.so: `pactum serve` (module.h).
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>

#include "cli/keys.h"
#include "cli/module.h"
#include "logging.h"
#include "pactum/service/server.h"
#include "webhook.h"

namespace pactum::service::cli {
namespace {

// Requests still in flight when the grace period after SIGTERM ends.
constexpr int kExitShutdownOverrun = kExitNotMet;

std::string UrlHost(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

int RunServe(ServeArgs args) {
  InitLogging(args.log_level);  // the level was checked when parsing
  ServerOptions options = std::move(args.server);
  options.trust = TrustConfigOf(args.keys);
  auto sc = SigningConfigOf(args.keys);
  if (!sc.ok()) {
    spdlog::critical("{}", sc.error().message);
    return sc.error().code == ErrorCode::kBadRequest ? kExitUsage : kExitError;
  }
  options.sign_key = *sc;
  if (auto err = CheckTsaUrl(args.keys.tsa_url)) {
    spdlog::critical("{}", err->message);
    return kExitUsage;
  }
  options.tsa_url = args.keys.tsa_url;
  // A malformed allow-list entry is a usage error; the secret and CA files
  // are read by Start() (a bad file: exit 2, as for the other files).
  if (Result<CallbackPolicy> callbacks = CallbackPolicy::Parse(options.callbacks.allow); !callbacks.ok()) {
    spdlog::critical("{}", callbacks.error().message);
    return kExitUsage;
  }
  options.max_upload_bytes = static_cast<std::size_t>(args.max_upload_bytes);
  options.timeout = std::chrono::seconds(args.timeout_seconds);
  options.access.head_timeout = std::chrono::seconds(args.header_timeout_seconds);
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
    return kExitError;
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
    std::_Exit(kExitShutdownOverrun);
  });
  watchdog.detach();
  server.Stop();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace
}  // namespace pactum::service::cli

// The module's entry point (module.h).
extern "C" __attribute__((visibility("default"))) int pactum_cli_module_run(
    const pactum::service::cli::CliArgs* args, std::size_t args_size, const char* version) {
  using namespace pactum::service::cli;
  if (!ModuleMatchesExecutable(kServeModule, args_size, version)) return kExitError;
  if (args->command != Command::kServe) {
    std::fprintf(stderr, "pactum: %s runs `pactum serve` only\n", kServeModule);
    return kExitError;
  }
  try {
    return RunServe(args->serve);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "pactum: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pactum: unexpected failure, a bug of pactum: %s\n", e.what());
  }
  return kExitError;
}
