// extract FILE... | DIR: many documents, each in a worker process.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/documents.h"
#include "cli/keys.h"
#include "pactum/extract/options.h"
#include "pactum/models/json.h"
#include "worker_pool.h"

namespace pactum::service::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// One file of the batch, or an input that failed before it got one (a
// missing path, an unreadable directory).
struct Item {
  std::string path;
  std::optional<Error> error;
};

bool Hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// The regular files under `dir`, sorted, hidden files and directories left
// out.
void AddDirectory(const std::string& dir, std::vector<Item>* items) {
  std::vector<fs::path> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (Hidden(it->path())) {
      if (it->is_directory(type_ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(type_ec)) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  for (const fs::path& p : found) items->push_back({p.string(), std::nullopt});
  if (ec) items->push_back({dir, Error{ErrorCode::kBadRequest, "cannot read the directory: " + ec.message()}});
}

std::vector<Item> Expand(const std::vector<std::string>& inputs) {
  std::vector<Item> items;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (input != "-" && fs::is_directory(input, ec)) {
      AddDirectory(input, &items);
    } else {
      items.push_back({input, std::nullopt});  // read errors are the file's own line
    }
  }
  return items;
}

std::string SelfExe() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

std::string Line(const nlohmann::ordered_json& j) {
  return DumpJson(j) + "\n";
}

// What became of one item.
struct Outcome {
  std::string line;            // its JSON line
  std::optional<Error> error;  // when it failed
};

Outcome Failed(const std::string& path, Error e) {
  nlohmann::ordered_json j;
  j["path"] = path;
  j["error"] = {{"code", std::string(ErrorCodeName(e.code))}, {"message", CliMessage(e)}};
  return Outcome{Line(j), std::move(e)};
}

Outcome RunItem(const Item& item, const DocumentArgs& args, WorkerPool* pool) {
  if (item.error) return Failed(item.path, *item.error);
  Result<std::string> bytes = ReadInput(item.path, args.max_input_bytes);
  if (!bytes.ok()) return Failed(item.path, bytes.error());
  WorkerRequest request;
  request.document = RequestFor(args, Operation::kExtract, item.path);
  WorkerReply reply = pool->Run(request, *bytes, Clock::now() + args.limits.timeout);
  if (!reply.output.ok()) return Failed(item.path, reply.output.error());
  const auto* record = std::get_if<AgreementRecord>(&reply.output.value());
  if (record == nullptr) return Failed(item.path, Error::Internal("the worker answered with something else"));
  nlohmann::ordered_json j;
  j["path"] = item.path;
  j["record"] = ToJson(*record);
  return Outcome{Line(j), std::nullopt};
}

std::string Summary(std::size_t files, std::size_t failed, const std::map<std::string, int>& by_code,
                    double seconds) {
  char head[128];
  std::snprintf(head, sizeof head, "pactum: %zu file%s: %zu extracted", files, files == 1 ? "" : "s",
                files - failed);
  std::string s = head;
  if (failed > 0) {
    s += ", " + std::to_string(failed) + " failed (";
    bool first = true;
    for (const auto& [code, n] : by_code) {
      s += (first ? "" : ", ") + code + " " + std::to_string(n);
      first = false;
    }
    s += ")";
  }
  char tail[64];
  std::snprintf(tail, sizeof tail, " in %.1f s\n", seconds);
  return s + tail;
}

}  // namespace

int RunBatch(const DocumentArgs& args) {
  const auto start = Clock::now();
  const std::vector<Item> items = Expand(args.inputs);
  const int hw = extract::AvailableCpus();
  const int jobs = std::max(1, std::min<int>(args.jobs == 0 ? hw : args.jobs, static_cast<int>(items.size())));

  std::unique_ptr<WorkerPool> pool;
  if (!items.empty()) {
    WorkerPoolOptions wo;
    wo.binary = SelfExe();
    wo.size = jobs;
    WorkerConfig& c = wo.config;
    c.log_level = args.log_level;
    c.trust = TrustConfigOf(args.keys);
    c.limits = args.limits;
    c.ocr_threads = std::max(1, hw / jobs);
    if (const char* env = std::getenv("PACTUM_OCR_THREADS"); env != nullptr && std::atoi(env) > 0) {
      c.ocr_threads = std::atoi(env);
    }
    Result<std::unique_ptr<WorkerPool>> started = WorkerPool::Start(std::move(wo));
    if (!started.ok()) {
      std::fprintf(stderr, "pactum: cannot start the worker processes: %s\n", CliMessage(started.error()).c_str());
      return kExitError;
    }
    pool = std::move(*started);
  }

  // Files are taken in order by `jobs` threads, one document each at a time;
  // lines are printed in input order as soon as every earlier one is.
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::vector<std::optional<Outcome>> outcomes(items.size());
  std::size_t printed = 0, failed = 0;
  std::map<std::string, int> by_code;
  bool stdout_ok = true;
  auto work = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= items.size()) return;
      Outcome o = RunItem(items[i], args, pool.get());
      std::lock_guard<std::mutex> lock(mu);
      outcomes[i] = std::move(o);
      for (; printed < items.size() && outcomes[printed]; ++printed) {
        const Outcome& out = *outcomes[printed];
        if (out.error) {
          PrintError(items[printed].path, *out.error);
          ++failed;
          by_code[std::string(ErrorCodeName(out.error->code))]++;
        }
        if (stdout_ok) {
          stdout_ok = std::fwrite(out.line.data(), 1, out.line.size(), stdout) == out.line.size() &&
                      std::fflush(stdout) == 0;
        }
        outcomes[printed].reset();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  if (pool) pool->Shutdown();

  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::string summary = Summary(items.size(), failed, by_code, seconds);
  std::fputs(summary.c_str(), stderr);
  if (!stdout_ok) {
    std::fprintf(stderr, "pactum: the JSON lines could not all be written to stdout\n");
    return kExitError;
  }
  return failed > 0 ? kExitError : kExitOk;
}

}  // namespace pactum::service::cli
