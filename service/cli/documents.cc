// libpactum_documents.so: extract, verify, sign and worker (documents.h).
#include "cli/documents.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "cli/keys.h"
#include "cli/module.h"
#include "cli/progress_bar.h"
#include "cli/verify_text.h"
#include "logging.h"
#include "pactum/extract/options.h"
#include "pactum/models/json.h"
#include "params.h"
#include "worker_main.h"

namespace pactum::service::cli {
namespace {

using Clock = std::chrono::steady_clock;

// How long past its time limit a document may run before the process is
// stopped (the pipeline itself stops at the limit between units of work).
constexpr std::chrono::seconds kTimeLimitGrace{1};

std::string SizeText(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 20) && bytes % (std::uint64_t{1} << 20) == 0) {
    return std::to_string(bytes >> 20) + " MiB";
  }
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// How a path is named in messages.
std::string Display(const std::string& path) { return path == "-" ? "stdin" : path; }

// Writes all of `text` to stdout; false when stdout failed (closed pipe,
// full disk).
bool WriteStdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) return false;
  return std::fflush(stdout) == 0;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "pactum: %s\n", message.c_str());
  return kExitUsage;
}

// ---- the caps of a process that runs one document --------------------------

// Written by the signal handlers, so composed before the caps are armed.
std::string g_cpu_message;
std::string g_time_message;

void OnCpuLimit(int) {
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, g_cpu_message.data(), g_cpu_message.size());
  ::_exit(kExitError);
}

void OnTimeLimit(int) {
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, g_time_message.data(), g_time_message.size());
  ::_exit(kExitError);
}

// Memory cap (RLIMIT_AS), CPU cap (RLIMIT_CPU: SIGXCPU) and, a grace period
// past the time limit, a wall-clock stop (SIGALRM), as a worker of the
// service has them; each cap that stops the process says so and exits 2.
// `erase_line`: the messages first erase a progress bar.
void ArmCaps(const std::string& path, const Limits& limits, bool erase_line) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(limits.timeout).count();
  const std::string start = erase_line ? "\r\x1b[K" : "";
  g_cpu_message = start + "pactum: " + Display(path) + ": the document needed more than " +
                  std::to_string(limits.cpu_seconds) + " s of CPU time and was stopped; --cpu-seconds allows more (" +
                  std::string(ErrorCodeName(ErrorCode::kTimeout)) + ")\n";
  g_time_message = start + "pactum: " + Display(path) + ": the document took longer than " + std::to_string(seconds) +
                   " s and was stopped; --timeout-seconds allows more (" +
                   std::string(ErrorCodeName(ErrorCode::kTimeout)) + ")\n";
  struct sigaction sa{};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = OnCpuLimit;
  ::sigaction(SIGXCPU, &sa, nullptr);
  sa.sa_handler = OnTimeLimit;
  ::sigaction(SIGALRM, &sa, nullptr);
  CapProcessMemory(limits);
  ArmCpuLimit(limits.cpu_seconds);
  const auto stop = std::chrono::duration_cast<std::chrono::microseconds>(limits.timeout + kTimeLimitGrace);
  itimerval timer{};
  timer.it_value.tv_sec = static_cast<time_t>(stop.count() / 1000000);
  timer.it_value.tv_usec = static_cast<suseconds_t>(stop.count() % 1000000);
  ::setitimer(ITIMER_REAL, &timer, nullptr);
}

void DisarmTimeLimit() {
  itimerval off{};
  ::setitimer(ITIMER_REAL, &off, nullptr);
}

// ---- options the service takes as query parameters -------------------------

// ParseSignParams's messages name query parameters ("rect must be ...");
// here they are options.
std::string SignOptionMessage(std::string message) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"e.g. rect=", "e.g. --rect "},
                                 {"page needs rect", "--page needs --rect"}}) {
    if (const std::size_t at = message.find(from); at != std::string::npos) message.replace(at, from.size(), to);
  }
  if (message.rfind("--", 0) == 0) return message;
  for (const char* name : {"reason", "location", "contact", "field", "page", "certify", "rect", "level", "extend"}) {
    if (message.rfind(std::string(name) + " ", 0) == 0) return "--" + message;
  }
  return message;
}

// The signature's entries, validated as the service validates its query.
Result<SignParams> SignParamsOf(const DocumentArgs& args) {
  QueryParams query;
  for (const auto& [name, value] :
       {std::pair<std::string, const std::string*>{"reason", &args.reason}, {"location", &args.location},
        {"contact", &args.contact}, {"field", &args.field}, {"page", &args.page}, {"rect", &args.rect},
        {"certify", &args.certify}, {"level", &args.level}}) {
    if (value->empty()) continue;
    if (!IsValidUtf8(*value)) return Error::BadRequest("--" + name + " is not UTF-8 text");
    query.emplace_back(name, *value);
  }
  if (args.extend) query.emplace_back("extend", "true");
  Result<SignParams> params = ParseSignParams(query);
  if (!params.ok()) return Error::BadRequest(SignOptionMessage(params.error().message));
  return params;
}

// ---- one document -----------------------------------------------------------

// Whether `status` meets verify's --require (or --exit-code); true without one.
bool RequirementMet(const DocumentArgs& args, DocumentStatus status) {
  const std::string& require = args.exit_code ? std::string("valid") : args.require;
  if (require == "valid") return status == DocumentStatus::kValid;
  if (require == "not-invalid") return status == DocumentStatus::kValid || status == DocumentStatus::kIndeterminate;
  return true;
}

// Writes `bytes` to the file `path`; false with errno set on failure.
bool WriteFile(const std::string& path, const std::string& bytes) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  bool ok = out != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size();
  const int err = errno;
  if (out != nullptr) ok = std::fclose(out) == 0 && ok;
  if (!ok && err != 0) errno = err;
  return ok;
}

int PrintOutput(const std::string& path, const DocumentArgs& args, DocumentOutput& output) {
  if (auto* record = std::get_if<AgreementRecord>(&output)) {
    if (!WriteStdout(DumpJson(ToJson(*record), 2) + "\n")) {
      std::fprintf(stderr, "pactum: cannot write the record to stdout: %s\n", std::strerror(errno));
      return kExitError;
    }
    return kExitOk;
  }
  if (auto* report = std::get_if<VerifyReport>(&output)) {
    const auto json = ToJson(*report);
    const std::string text = args.format == "text" ? VerifyReportText(json, Display(path)) : DumpJson(json, 2) + "\n";
    if (!WriteStdout(text)) {
      std::fprintf(stderr, "pactum: cannot write the report to stdout: %s\n", std::strerror(errno));
      return kExitError;
    }
    return RequirementMet(args, report->status) ? kExitOk : kExitNotMet;
  }
  if (auto* searchable = std::get_if<SearchablePdf>(&output)) {
    if (!WriteFile(args.searchable_pdf, searchable->bytes)) {
      std::fprintf(stderr, "pactum: %s: cannot write the searchable PDF of %s: %s\n", args.searchable_pdf.c_str(),
                   Display(path).c_str(), std::strerror(errno));
      return kExitError;
    }
    if (!searchable->record) return kExitOk;
    DocumentOutput record(std::move(*searchable->record));
    return PrintOutput(path, args, record);
  }
  const std::string& pdf = std::get<SignedPdf>(output).bytes;
  if (args.output == "-") {
    if (!WriteStdout(pdf)) {
      std::fprintf(stderr, "pactum: cannot write the signed PDF to stdout: %s\n", std::strerror(errno));
      return kExitError;
    }
    return kExitOk;
  }
  if (!WriteFile(args.output, pdf)) {
    std::fprintf(stderr, "pactum: %s: cannot write the signed PDF of %s: %s\n", args.output.c_str(),
                 Display(path).c_str(), std::strerror(errno));
    return kExitError;
  }
  return kExitOk;
}

int RunOne(const DocumentArgs& args, Operation op, const Engines& engines, const SignParams& sign) {
  const std::string& path = args.inputs.front();
  Result<std::string> bytes = ReadInput(path, args.max_input_bytes);
  if (!bytes.ok()) {
    PrintError(path, bytes.error());
    return kExitError;
  }
  DocumentRequest request = RequestFor(args, op, path);
  request.sign = sign;
  const Limits& limits = args.limits;
  const bool show_progress = op == Operation::kExtract && args.progress && ProgressBar::Wanted(STDERR_FILENO);
  ArmCaps(path, limits, show_progress);
  const Deadline deadline = Clock::now() + limits.timeout;
  Result<DocumentOutput> output = Error::Internal("not run");
  {
    DocumentLogBudget budget(limits.max_log_lines);
    std::optional<ProgressBar> bar;
    ProcessControl control;
    if (show_progress) {
      bar.emplace(STDERR_FILENO, FileNameOf(path).value_or(Display(path)));
      control.on_page_done = [&bar](int done, int total) { bar->Update(done, total); };
    }
    try {
      output = Process(*bytes, request, engines, limits, deadline, nullptr, control);
    } catch (const std::bad_alloc&) {
      output = OutOfMemory(limits);
    }
  }
  DisarmTimeLimit();
  if (!output.ok()) {
    PrintError(path, output.error());
    return kExitError;
  }
  bytes = std::string();  // the memory for the output
  return PrintOutput(path, args, output.value());
}

int RunDocumentCommand(const CliArgs& cli) {
  const DocumentArgs& args = cli.document;
  const Operation op = cli.command == Command::kExtract  ? Operation::kExtract
                       : cli.command == Command::kVerify ? Operation::kVerify
                                                         : Operation::kSign;
  InitLogging(args.log_level);  // the level was checked when parsing
  RoutePopplerMessagesToLog();  // keeps stderr for the command's own messages

  if (op == Operation::kExtract && !IsValidLanguageList(args.lang)) {
    return UsageError("--lang must be Tesseract language names (letters, digits, '_') joined by '+', e.g. deu+eng; "
                      "got '" + Printable(args.lang) + "'");
  }
  SignParams sign;
  std::optional<signing::SigningConfig> key;
  if (op == Operation::kSign) {
    Result<SignParams> params = SignParamsOf(args);
    if (!params.ok()) return UsageError(params.error().message);
    sign = *params;
    if (auto err = CheckTsaUrl(args.keys.tsa_url)) return UsageError(err->message);
    Result<std::optional<signing::SigningConfig>> sc = SigningConfigOf(args.keys);
    if (!sc.ok()) {
      if (sc.error().code == ErrorCode::kBadRequest) return UsageError(sc.error().message);
      std::fprintf(stderr, "pactum: %s\n", sc.error().message.c_str());
      return kExitError;
    }
    if (!*sc) return UsageError("no signing key: give --sign-p12 FILE or --sign-key FILE --sign-cert FILE");
    key = **sc;
  }

  if (op == Operation::kExtract) {
    bool batch = args.inputs.size() > 1;
    struct stat st{};
    if (!batch && args.inputs.front() != "-" && ::stat(args.inputs.front().c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      batch = true;
    }
    if (batch && !args.searchable_pdf.empty()) {
      return UsageError("--searchable-pdf takes one FILE, not several or a directory");
    }
    if (batch) return RunBatch(args);
  }

  Result<signing::SigningSetup> keys = LoadKeys(TrustConfigOf(args.keys), key, args.keys.tsa_url);
  if (!keys.ok()) {
    std::fprintf(stderr, "pactum: %s\n", CliMessage(keys.error()).c_str());
    return kExitError;
  }
  Engines engines;
  engines.keys = *keys;
  engines.ocr_threads = 0;  // PACTUM_OCR_THREADS, else one per hardware thread
  return RunOne(args, op, engines, sign);
}

int Run(const CliArgs& cli) {
  switch (cli.command) {
    case Command::kExtract:
    case Command::kVerify:
    case Command::kSign:
      return RunDocumentCommand(cli);
    case Command::kWorker:
      return RunWorker();
    default:
      std::fprintf(stderr, "pactum: %s cannot run this command\n", kDocumentsModule);
      return kExitError;
  }
}

}  // namespace

Result<std::string> ReadInput(const std::string& path, std::uint64_t max_bytes) {
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return Error{err == ENOENT || err == ENOTDIR ? ErrorCode::kNotFound : ErrorCode::kBadRequest,
                 std::string("cannot read: ") + std::strerror(err)};
  }
  const auto too_large = [&] {
    return Error::TooLarge(std::string(is_stdin ? "the input" : "the file") + " is larger than " +
                           SizeText(max_bytes) + ", the limit of --max-upload-bytes");
  };
  std::string bytes;
  struct stat st{};
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      if (!is_stdin) ::close(fd);
      return Error::BadRequest("is a directory");
    }
    if (S_ISREG(st.st_mode)) {
      if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        if (!is_stdin) ::close(fd);
        return too_large();
      }
      bytes.reserve(static_cast<std::size_t>(st.st_size));
    }
  }
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      if (!is_stdin) ::close(fd);
      return Error::BadRequest(std::string("cannot read: ") + std::strerror(err));
    }
    if (bytes.size() + static_cast<std::size_t>(n) > max_bytes) {
      if (!is_stdin) ::close(fd);
      return too_large();
    }
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  if (!is_stdin) ::close(fd);
  return bytes;
}

std::string CliMessage(const Error& e) {
  // Phrases for an HTTP client, and what a command-line user is told instead.
  static const std::pair<std::string_view, std::string_view> kPhrases[] = {
      {"the upload is empty; send the document's bytes", "the file is empty"},
      {"; upload an unencrypted copy", "; decrypt it first (e.g. qpdf --decrypt)"},
      {"; upload one of those formats", ""},
      {"; upload one of those", ""},
      {"/v1/verify reads PDF files only", "only PDF files can be verified"},
      {"/v1/sign signs PDF files only", "only PDF files can be signed"},
      {"; retry after the time in Retry-After", ""},
      {"split the document or retry when the service is less busy", "split the document or raise --timeout-seconds"},
      {"The service goes on; if the file opens elsewhere", "If the file opens elsewhere"},
      {"a bug of the service", "a bug of pactum"},
  };
  std::string m = e.message;
  for (const auto& [from, to] : kPhrases) {
    if (const std::size_t at = m.find(from); at != std::string::npos) m.replace(at, from.size(), to);
  }
  return m;
}

void PrintError(const std::string& path, const Error& e) {
  std::fprintf(stderr, "pactum: %s: %s (%s)\n", Display(path).c_str(), CliMessage(e).c_str(),
               std::string(ErrorCodeName(e.code)).c_str());
}

std::optional<std::string> FileNameOf(const std::string& path) {
  if (path == "-") return std::nullopt;
  Result<std::string> name = CleanFileName(path);
  if (!name.ok()) return std::nullopt;
  return *name;
}

DocumentRequest RequestFor(const DocumentArgs& args, Operation op, const std::string& path) {
  DocumentRequest request;
  request.op = op;
  extract::ParseOcrMode(args.ocr, &request.extract.ocr);  // checked when parsing
  request.extract.lang = args.lang;
  request.extract.file_name = FileNameOf(path);
  request.extract.text = args.text;
  request.searchable_pdf = op == Operation::kExtract && !args.searchable_pdf.empty();
  return request;
}

}  // namespace pactum::service::cli

// The module's entry point (module.h).
extern "C" __attribute__((visibility("default"))) int pactum_cli_module_run(
    const pactum::service::cli::CliArgs* args, std::size_t args_size, const char* version) {
  using namespace pactum::service::cli;
  if (!ModuleMatchesExecutable(kDocumentsModule, args_size, version)) return kExitError;
  int status = kExitError;
  try {
    status = Run(*args);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "pactum: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pactum: unexpected failure, a bug of pactum: %s\n", e.what());
  }
  if (args->command == Command::kWorker) return status;
  // The command is done and its output written: end the process here. The
  // libraries' teardown at exit (Poppler's global tables and font caches,
  // OpenSSL's and GnuTLS's state) would only free memory the exit frees.
  if (std::fflush(stdout) != 0 && status == kExitOk) status = kExitError;
  std::fflush(stderr);
  std::_Exit(status);
}
