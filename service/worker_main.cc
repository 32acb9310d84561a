#include "worker_main.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "logging.h"
#include "pactum/extract/ocr_engine.h"
#include "pipeline.h"
#include "worker_protocol.h"

namespace pactum::service {
namespace {

using Clock = std::chrono::steady_clock;

// The worker's state: configuration and what was loaded from it.
struct Worker {
  WorkerConfig config;
  std::unique_ptr<extract::OcrEnginePool> ocr_engines;
  Engines engines;  // keys, trust, the OCR engines above
  bool memory_capped = false;
};

Deadline Forever() { return Clock::now() + std::chrono::hours(24 * 365); }

// The test faults of WorkerConfig::allow_faults: what a parser bug does.
std::optional<Error> CommitFault(WorkerFault fault, const Worker& w) {
  switch (fault) {
    case WorkerFault::kCrash:
      ::raise(SIGSEGV);
      std::abort();
    case WorkerFault::kHang:
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    case WorkerFault::kSpinCpu: {
      volatile unsigned long long x = 0;
      for (;;) x = x + 1;
    }
    case WorkerFault::kExhaustMemory: {
      if (!w.memory_capped) return Error::Internal("fault 'oom' needs the worker memory cap, which is not in effect");
      std::vector<std::unique_ptr<char[]>> hoard;
      for (;;) {
        constexpr std::size_t kChunk = std::size_t{64} << 20;
        hoard.emplace_back(new char[kChunk]);
        std::memset(hoard.back().get(), 1, kChunk);
      }
    }
    case WorkerFault::kNone:
      break;
  }
  return std::nullopt;
}

// Sends a progress message to the parent (WorkerRequest::progress). Called
// from the page threads one at a time; the lock keeps the frames whole
// regardless. A failed write is not the document's failure: the reply
// that follows finds the channel broken, or the parent has gone.
void SendProgress(int pages_done, int pages_total, Deadline deadline) {
  static std::mutex mu;
  const std::lock_guard<std::mutex> lock(mu);
  WriteMessage(kWorkerChannelFd, EncodeProgress(WorkerProgress{pages_done, pages_total}), "", deadline);
}

WorkerReply Handle(const Worker& w, const WorkerRequest& req, const std::string& doc) {
  WorkerReply reply;
  try {
    if (req.fault != WorkerFault::kNone && w.config.allow_faults) {
      if (auto err = CommitFault(req.fault, w)) reply.output = *err;
      return reply;
    }
    const Deadline deadline = Clock::now() + req.time_left;
    DocumentLogBudget budget(w.config.limits.max_log_lines);
    ProcessControl control;
    if (req.progress) {
      control.on_page_done = [deadline](int done, int total) { SendProgress(done, total, deadline); };
    }
    reply.output = Process(doc, req.document, w.engines, w.config.limits, deadline, &reply.stats, control);
  } catch (const std::bad_alloc&) {
    reply = WorkerReply{};
    reply.output = OutOfMemory(w.config.limits);
    reply.retire = true;  // a heap that ran dry is not trusted with the next document
  } catch (const std::exception& e) {
    spdlog::error("a document threw: {}", e.what());
    reply = WorkerReply{};
    reply.output = Error::Internal("processing failed unexpectedly; this is a bug of the service, please report it");
  }
  return reply;
}

bool SendReply(const WorkerReply& reply) {
  std::string header, body;
  EncodeReply(reply, &header, &body);
  return !WriteMessage(kWorkerChannelFd, header, body, Forever());
}

}  // namespace

int RunWorker() {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) return 1;  // the parent is already gone
  struct stat st{};
  if (::fstat(kWorkerChannelFd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    std::fprintf(stderr, "pactum worker: fd %d is not a socket; workers are started by pactum serve\n",
                 kWorkerChannelFd);
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);

  std::string header, body;
  if (ReadMessage(kWorkerChannelFd, &header, &body, Clock::now() + std::chrono::seconds(60))) return 2;
  Result<WorkerConfig> config = DecodeConfig(header);
  if (!config.ok()) return 2;
  Worker w;
  w.config = std::move(*config);
  InitLogging(w.config.log_level);
  RoutePopplerMessagesToLog();
  Result<signing::SigningSetup> keys = LoadKeys(w.config.trust, w.config.sign_key, w.config.tsa_url);
  if (!keys.ok()) {
    WorkerReply r;
    r.output = keys.error();
    SendReply(r);
    return kWorkerExitBadConfig;
  }
  w.ocr_engines = extract::CreateOcrEnginePool(w.config.ocr_threads);
  w.engines.keys = *keys;
  w.engines.ocr = w.ocr_engines.get();
  w.engines.ocr_threads = w.config.ocr_threads;
  w.memory_capped = CapProcessMemory(w.config.limits);
  if (!SendReply(WorkerReply{})) return 2;  // ready

  for (;;) {
    if (auto err = ReadMessage(kWorkerChannelFd, &header, &body, Forever())) {
      return err == WireError::kClosed ? 0 : 2;
    }
    Result<WorkerRequest> req = DecodeRequest(header);
    WorkerReply reply;
    if (!req.ok()) {
      reply.output = req.error();
    } else {
      ArmCpuLimit(req->cpu_seconds > 0 ? req->cpu_seconds : w.config.limits.cpu_seconds);
      CurrentRequestLogFacts().request_id = req->request_id;
      reply = Handle(w, *req, body);
      CurrentRequestLogFacts().request_id.clear();
    }
    body.clear();
    body.shrink_to_fit();
    if (!SendReply(reply)) return 2;
    if (reply.retire) return 0;
  }
}

}  // namespace pactum::service
