#include "worker_main.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include "document_runner.h"
#include "logging.h"
#include "pactum/extract/extractor.h"
#include "pactum/extract/ocr_engine.h"
#include "pactum/extract/pdf_objects.h"
#include "pactum/extract/sniff.h"
#include "pactum/models/json.h"
#include "pactum/signing/sign.h"
#include "pactum/signing/verify.h"
#include "pdf_guard.h"
#include "worker_protocol.h"

#if defined(__SANITIZE_ADDRESS__)
#define PACTUM_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PACTUM_UNDER_ASAN 1
#endif
#endif

namespace pactum::service {
namespace {

using Clock = std::chrono::steady_clock;

// The worker's state: configuration and what was loaded from it.
struct Worker {
  WorkerConfig config;
  signing::SigningSetup keys;
  std::unique_ptr<extract::OcrEnginePool> ocr_engines;
  bool memory_capped = false;
};

Deadline Forever() { return Clock::now() + std::chrono::hours(24 * 365); }

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

double CpuSecondsUsed() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// The soft CPU limit moves with each document; the hard one stays, so that
// it can be raised again for the next.
void ArmCpuLimit(int seconds) {
  if (seconds <= 0) return;
  rlimit rl{};
  getrlimit(RLIMIT_CPU, &rl);
  const rlim_t soft = static_cast<rlim_t>(std::ceil(CpuSecondsUsed())) + static_cast<rlim_t>(seconds);
  if (rl.rlim_max != RLIM_INFINITY && soft > rl.rlim_max) return;
  rl.rlim_cur = soft;
  setrlimit(RLIMIT_CPU, &rl);
}

void CapProcess(Worker* w) {
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // a crash leaves no core file behind
  if (w->config.limits.memory_bytes == 0) return;
#ifdef PACTUM_UNDER_ASAN
  // AddressSanitizer reserves terabytes of address space for its shadow
  // memory; an address-space cap would stop it at once.
  spdlog::warn("worker memory cap not applied: built with AddressSanitizer");
#else
  rlimit rl{static_cast<rlim_t>(w->config.limits.memory_bytes), static_cast<rlim_t>(w->config.limits.memory_bytes)};
  if (setrlimit(RLIMIT_AS, &rl) == 0) {
    w->memory_capped = true;
  } else {
    spdlog::warn("worker memory cap not applied: {}", std::strerror(errno));
  }
#endif
}

// The test faults of WorkerConfig::allow_faults: what a parser bug does.
Result<std::string> CommitFault(WorkerFault fault, const Worker& w) {
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
  return std::string();
}

void CountSignatures(const std::vector<SignatureReport>& signatures, WorkStats* stats) {
  for (const SignatureReport& s : signatures) stats->signatures[s.status]++;
}

Result<std::string> Extract(const Worker& w, const WorkerRequest& req, const std::string& doc, WorkStats* stats) {
  const Deadline deadline = Clock::now() + req.time_left;
  const extract::MediaType type = extract::Sniff(doc);
  if (type == extract::MediaType::kPdf) {
    PdfGuardLimits gl;
    gl.max_stream_bytes = w.config.limits.max_stream_bytes;
    gl.max_image_pixels = w.config.limits.extract.max_image_pixels;
    if (auto err = CheckPdfStreams(doc, gl, deadline)) return *err;
  }
  extract::ExtractOptions eo;
  eo.ocr = req.extract.ocr;
  eo.lang = req.extract.lang;
  eo.max_ocr_threads = w.config.ocr_threads;
  eo.ocr_engines = w.ocr_engines.get();
  eo.limits = w.config.limits.extract;
  eo.limits.deadline = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  if (eo.limits.deadline.count() <= 0) return Error::Timeout("the time limit per document passed");
  Result<AgreementRecord> record = extract::Extract(doc, eo);
  if (!record.ok()) return record.error();
  if (type == extract::MediaType::kPdf) {
    signing::VerifyOptions vo;
    vo.trust = w.keys.trust;
    AttachSignatures(doc, vo, &record.value());
  }
  stats->pages = record->document.pages;
  for (const PageInfo& p : record->document.page_info) {
    if (p.text_source == "ocr") stats->pages_ocr++;
  }
  if (type == extract::MediaType::kPdf) stats->pages_rendered = stats->pages_ocr;
  CountSignatures(record->signatures, stats);
  return Dump(ToJson(*record));
}

Result<std::string> Verify(const Worker& w, const std::string& doc, WorkStats* stats) {
  if (auto err = extract::CheckDeclaredPdfObjects(doc, w.config.limits.extract.max_pdf_objects)) return *err;
  signing::VerifyOptions vo;
  vo.trust = w.keys.trust;
  Result<VerifyReport> report = signing::Verify(doc, vo);
  if (!report.ok()) return report.error();
  CountSignatures(report->signatures, stats);
  return Dump(ToJson(*report));
}

Result<std::string> Sign(const Worker& w, const WorkerRequest& req, const std::string& doc) {
  if (!w.keys.key) return Error::BadRequest("this service has no signing key");
  if (auto err = extract::CheckDeclaredPdfObjects(doc, w.config.limits.extract.max_pdf_objects)) return *err;
  signing::SignOptions so;
  so.key = w.keys.key;
  so.tsa_url = w.keys.tsa_url;
  so.reason = req.sign.reason;
  so.location = req.sign.location;
  so.contact = req.sign.contact;
  so.field = req.sign.field;
  so.page = req.sign.page;
  so.rect = req.sign.rect;
  so.certify = req.sign.certify;
  so.tsa_timeout =
      std::min<std::chrono::seconds>(so.tsa_timeout, std::chrono::ceil<std::chrono::seconds>(req.time_left));
  return signing::Sign(doc, so);
}

WorkerReply Handle(const Worker& w, const WorkerRequest& req, const std::string& doc) {
  WorkerReply reply;
  try {
    if (req.fault != WorkerFault::kNone && w.config.allow_faults) {
      Result<std::string> r = CommitFault(req.fault, w);
      if (!r.ok()) reply.body = r.error();
      return reply;
    }
    switch (req.op) {
      case WorkerOp::kExtract: reply.body = Extract(w, req, doc, &reply.stats); break;
      case WorkerOp::kVerify: reply.body = Verify(w, doc, &reply.stats); break;
      case WorkerOp::kSign: reply.body = Sign(w, req, doc); break;
    }
  } catch (const std::bad_alloc&) {
    reply = WorkerReply{};
    reply.body = Error::Unprocessable("the document needs more memory than the limit of " +
                                      std::to_string(w.config.limits.memory_bytes >> 20) +
                                      " MiB per worker; it was not processed");
    reply.retire = true;  // a heap that ran dry is not trusted with the next document
  } catch (const std::exception& e) {
    spdlog::error("a document threw: {}", e.what());
    reply = WorkerReply{};
    reply.body = Error::Internal("processing failed unexpectedly; this is a bug of the service, please report it");
  }
  return reply;
}

Result<signing::SigningSetup> LoadKeys(const WorkerConfig& c) {
  signing::SigningSetup setup;
  if (!c.trust.anchor_files.empty() || !c.trust.intermediate_files.empty() || !c.trust.crl_files.empty()) {
    auto trust = signing::LoadTrust(c.trust);
    if (!trust.ok()) return trust.error();
    setup.trust = *trust;
  }
  if (c.sign_key) {
    auto key = signing::LoadSigningKey(*c.sign_key);
    if (!key.ok()) return key.error();
    setup.key = *key;
  }
  setup.tsa_url = c.tsa_url;
  return setup;
}

bool SendReply(const WorkerReply& reply) {
  const std::string& body = reply.body.ok() ? reply.body.value() : std::string();
  return !WriteMessage(kWorkerChannelFd, EncodeReplyHeader(reply), body, Forever());
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
  Result<signing::SigningSetup> keys = LoadKeys(w.config);
  if (!keys.ok()) {
    WorkerReply r;
    r.body = keys.error();
    SendReply(r);
    return kWorkerExitBadConfig;
  }
  w.keys = *keys;
  w.ocr_engines = extract::CreateOcrEnginePool(w.config.ocr_threads);
  CapProcess(&w);
  if (!SendReply(WorkerReply{})) return 2;  // ready

  for (;;) {
    if (auto err = ReadMessage(kWorkerChannelFd, &header, &body, Forever())) {
      return err == WireError::kClosed ? 0 : 2;
    }
    Result<WorkerRequest> req = DecodeRequest(header);
    WorkerReply reply;
    if (!req.ok()) {
      reply.body = req.error();
    } else {
      ArmCpuLimit(w.config.limits.cpu_seconds);
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
