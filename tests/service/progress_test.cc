// What the jobs API builds on, with real `pactum worker` processes and
// corpus documents: progress messages from the page loop through the worker
// pool, cancellation (the worker is killed and replaced), a job's own time
// limit, partial records at the deadline, the worker channel's checks of
// progress messages, and the 504 of a synchronous request pointing to jobs.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "document_runner.h"
#include "pactum/models/json.h"
#include "pactum/service/job_queue.h"
#include "test_util.h"
#include "worker_pool.h"
#include "worker_protocol.h"

namespace pactum::service {
namespace {

using testutil::CorpusPath;
using testutil::IsError;
using testutil::ReadFile;
using testutil::SeedPdf;
using testutil::WaitUntil;

using Clock = std::chrono::steady_clock;

const std::string& ScanPdf() {
  static const std::string bytes = ReadFile(CorpusPath("seed-scan-300-gray.pdf"));
  return bytes;
}

WorkerRequest ExtractRequest() {
  WorkerRequest r;
  r.document.op = Operation::kExtract;
  return r;
}

// A pool of real workers (one OCR thread each); counts replacements by cause.
class WorkerPoolJobTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::off); }

  void Start(int size) {
    WorkerPoolOptions o;
    o.binary = PACTUM_BINARY;
    o.size = size;
    o.config.log_level = "off";
    o.on_replace = [this](WorkerExit cause) {
      std::lock_guard<std::mutex> lock(mu_);
      replaced_.push_back(cause);
    };
    Result<std::unique_ptr<WorkerPool>> pool = WorkerPool::Start(std::move(o));
    ASSERT_TRUE(pool.ok()) << pool.error().ToString();
    pool_ = std::move(*pool);
  }

  std::vector<WorkerExit> Replaced() {
    std::lock_guard<std::mutex> lock(mu_);
    return replaced_;
  }

  // The pool is back to `n` live workers, none of them in `gone`.
  bool Refilled(std::size_t n, const std::vector<pid_t>& gone) {
    return testutil::WaitForWorkers<pid_t>([&] { return pool_->Pids(); }, n, gone);
  }

  std::mutex mu_;
  std::vector<WorkerExit> replaced_;
  std::unique_ptr<WorkerPool> pool_;
};

TEST_F(WorkerPoolJobTest, ProgressArrivesInOrderUpToNOfNOnTheCallingThread) {
  Start(1);
  std::vector<std::pair<int, int>> calls;
  std::set<std::thread::id> threads;
  RunControl control;
  control.on_progress = [&](int done, int total) {
    calls.emplace_back(done, total);
    threads.insert(std::this_thread::get_id());
  };
  WorkerReply reply = pool_->Run(ExtractRequest(), SeedPdf(), Clock::now() + std::chrono::seconds(60), control);
  ASSERT_TRUE(reply.output.ok()) << reply.output.error().ToString();
  const auto& record = std::get<AgreementRecord>(*reply.output);
  ASSERT_EQ(record.document.pages, 4);
  EXPECT_EQ(calls, (std::vector<std::pair<int, int>>{{1, 4}, {2, 4}, {3, 4}, {4, 4}}));
  EXPECT_EQ(threads, std::set<std::thread::id>{std::this_thread::get_id()});

  // Without a callback the worker sends none, and the record is the same.
  WorkerReply plain = pool_->Run(ExtractRequest(), SeedPdf(), Clock::now() + std::chrono::seconds(60));
  ASSERT_TRUE(plain.output.ok()) << plain.output.error().ToString();
  EXPECT_EQ(ToJson(std::get<AgreementRecord>(*plain.output)).dump(), ToJson(record).dump());
  EXPECT_TRUE(Replaced().empty());
}

TEST_F(WorkerPoolJobTest, CancelMidDocumentKillsTheWorkerAtOnceAndTheNextDocumentIsServed) {
  Start(1);
  const std::vector<pid_t> before = pool_->Pids();
  ASSERT_EQ(before.size(), 1u);
  // Cancelled from another thread once the first page has been read, while
  // the second is being recognised.
  std::atomic<bool> cancel{false};
  std::atomic<int> pages{0};
  Clock::time_point cancelled_at;
  RunControl control;
  control.on_progress = [&](int done, int) { pages = done; };
  control.cancelled = [&] { return cancel.load(); };
  std::thread canceller([&] {
    ASSERT_TRUE(WaitUntil([&] { return pages.load() >= 1; }, std::chrono::seconds(120)));
    cancelled_at = Clock::now();
    cancel = true;
  });
  WorkerReply reply = pool_->Run(ExtractRequest(), ScanPdf(), Clock::now() + std::chrono::seconds(120), control);
  const Clock::time_point returned = Clock::now();
  canceller.join();
  ASSERT_FALSE(reply.output.ok());
  EXPECT_TRUE(IsCancelled(reply.output.error())) << reply.output.error().ToString();
  EXPECT_LT(pages.load(), 4);
  const double stop_s = std::chrono::duration<double>(returned - cancelled_at).count();
  std::printf("[ cancel ] the pool answered %.3f s after the cancellation\n", stop_s);
  EXPECT_LT(stop_s, 1.0);
  // The worker is gone (killed and reaped), replaced with cause "cancel".
  EXPECT_NE(::kill(before[0], 0), 0);
  EXPECT_EQ(Replaced(), std::vector<WorkerExit>{WorkerExit::kCancel});
  EXPECT_STREQ(WorkerExitName(WorkerExit::kCancel), "cancel");
  ASSERT_TRUE(Refilled(1, before));
  WorkerReply next = pool_->Run(ExtractRequest(), SeedPdf(), Clock::now() + std::chrono::seconds(60));
  ASSERT_TRUE(next.output.ok()) << next.output.error().ToString();
  EXPECT_EQ(std::get<AgreementRecord>(*next.output).document.pages, 4);
}

TEST_F(WorkerPoolJobTest, CancelWhileWaitingForAWorkerNeverStartsTheDocument) {
  Start(1);
  // The one worker is busy with a scan until the test cancels it too.
  std::atomic<bool> cancel_busy{false};
  std::atomic<bool> busy_started{false};
  RunControl busy_control;
  busy_control.on_progress = [&](int, int) { busy_started = true; };
  busy_control.cancelled = [&] { return cancel_busy.load(); };
  auto busy = std::async(std::launch::async, [&] {
    return pool_->Run(ExtractRequest(), ScanPdf(), Clock::now() + std::chrono::seconds(120), busy_control);
  });
  ASSERT_TRUE(WaitUntil([&] { return pool_->Pids().size() == 1 && busy_started.load(); }, std::chrono::seconds(120)));
  std::atomic<int> polls{0};
  RunControl waiting;
  waiting.cancelled = [&] { return polls.fetch_add(1) >= 3; };
  const Clock::time_point t0 = Clock::now();
  WorkerReply reply = pool_->Run(ExtractRequest(), SeedPdf(), Clock::now() + std::chrono::seconds(60), waiting);
  const double waited = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_FALSE(reply.output.ok());
  EXPECT_TRUE(IsCancelled(reply.output.error())) << reply.output.error().ToString();
  // Polled every kCancelPoll: the fourth poll comes about 0.3 s in.
  EXPECT_GE(waited, 0.25);
  EXPECT_LT(waited, 1.0);
  EXPECT_TRUE(Replaced().empty());  // nothing was started, nothing killed
  cancel_busy = true;
  EXPECT_TRUE(IsCancelled(busy.get().output.error()));
}

TEST_F(WorkerPoolJobTest, PartialAtTheDeadlineKeepsThePagesRead) {
  Start(1);
  // How long a fresh worker takes for the scan's first page on this machine
  // (then cancelled: the next worker is fresh too).
  std::atomic<bool> cancel{false};
  Clock::time_point first_page;
  RunControl probe;
  probe.on_progress = [&](int, int) {
    first_page = Clock::now();
    cancel = true;
  };
  probe.cancelled = [&] { return cancel.load(); };
  Clock::time_point t0 = Clock::now();
  ASSERT_TRUE(IsCancelled(pool_->Run(ExtractRequest(), ScanPdf(), t0 + std::chrono::seconds(120), probe).output.error()));
  const auto page = std::chrono::duration_cast<std::chrono::milliseconds>(first_page - t0);
  ASSERT_TRUE(WaitUntil([&] { return pool_->Pids().size() == 1; }));
  const std::vector<pid_t> before = pool_->Pids();

  // A deadline whose page stage (PagesDeadline) ends about when the second
  // page is read: the first is read, the fourth is not, whichever way the
  // load of the machine changes (within a factor of two).
  const std::chrono::milliseconds pages_time = page * 2;
  const std::chrono::milliseconds deadline = std::max(pages_time + std::chrono::seconds(2), pages_time * 10 / 9);
  ASSERT_EQ(extract::PagesDeadline(deadline), pages_time);
  WorkerRequest request = ExtractRequest();
  request.document.partial_at_deadline = true;
  std::vector<int> progress;
  RunControl control;
  control.on_progress = [&](int done, int) { progress.push_back(done); };
  t0 = Clock::now();
  WorkerReply reply = pool_->Run(request, ScanPdf(), t0 + deadline, control);
  ASSERT_TRUE(reply.output.ok()) << reply.output.error().ToString();
  EXPECT_LT(Clock::now() - t0, deadline);
  const auto& record = std::get<AgreementRecord>(*reply.output);
  std::printf("[ partial ] first page %lld ms; deadline %lld ms: %zu of 4 pages read\n",
              static_cast<long long>(page.count()), static_cast<long long>(deadline.count()),
              record.document.page_info.size());
  EXPECT_TRUE(record.partial);
  EXPECT_EQ(record.document.pages, 4);
  // One OCR thread per worker: pages 1..k read, the rest missing.
  const int read = static_cast<int>(record.document.page_info.size());
  EXPECT_GE(read, 1);
  EXPECT_LT(read, 4);
  std::vector<int> missing, done;
  for (int p = read + 1; p <= 4; ++p) missing.push_back(p);
  for (int p = 1; p <= read; ++p) done.push_back(p);
  EXPECT_EQ(record.missing_pages, missing);
  EXPECT_EQ(progress, done);
  for (int i = 0; i < read; ++i) EXPECT_EQ(record.document.page_info[static_cast<size_t>(i)].page, i + 1);
  // The fields of the pages read: the parties of page 1; nothing from a
  // page not read (the projects stand on page 3).
  EXPECT_FALSE(record.agreement.parties.empty());
  const auto agreement = ToJson(record.agreement);
  for (const char* list : {"parties", "amounts", "dates", "projects", "signatories"}) {
    for (const auto& item : agreement[list]) EXPECT_LE(item["evidence"]["page"].get<int>(), read) << item.dump();
  }
  const auto json = ToJson(record);
  EXPECT_EQ(json["partial"], true);
  EXPECT_EQ(json["missing_pages"].size(), missing.size());
  EXPECT_EQ(reply.stats.pages, read);
  // A partial record is an answer like any other: the worker stays.
  EXPECT_EQ(pool_->Pids(), before);
  EXPECT_EQ(Replaced(), std::vector<WorkerExit>{WorkerExit::kCancel});  // the probe's
}

// ---- the steps of a split job's extraction ----------------------------------

TEST_F(WorkerPoolJobTest, AWorkerCountsReadsPagesAndJoinsPartsIntoTheWholeRecord) {
  Start(1);
  const auto deadline = [] { return Clock::now() + std::chrono::seconds(60); };
  const std::string pdf = SeedPdf();
  WorkerReply whole = pool_->Run(ExtractRequest(), pdf, deadline());
  ASSERT_TRUE(whole.output.ok()) << whole.output.error().ToString();
  const AgreementRecord& record = std::get<AgreementRecord>(*whole.output);

  WorkerRequest count = ExtractRequest();
  count.document.step = ExtractStep::kCount;
  WorkerReply counted = pool_->Run(count, pdf, deadline());
  ASSERT_TRUE(counted.output.ok()) << counted.output.error().ToString();
  const int pages = std::get<PagesOutput>(*counted.output).page_count;
  EXPECT_EQ(pages, record.document.pages);
  EXPECT_TRUE(std::get<PagesOutput>(*counted.output).json.empty());

  ASSERT_GE(pages, 2);
  std::vector<std::string> parts;
  for (int page = 1; page <= pages; ++page) {
    WorkerRequest read = ExtractRequest();
    read.document.step = ExtractStep::kPages;
    read.document.first_page = page;
    read.document.last_page = page;
    WorkerReply part = pool_->Run(read, pdf, deadline());
    ASSERT_TRUE(part.output.ok()) << part.output.error().ToString();
    EXPECT_EQ(part.stats.pages, 1);
    parts.push_back(std::get<PagesOutput>(*part.output).json);
  }
  auto array = [](const std::vector<std::string>& items) {
    std::string out = "[";
    for (const std::string& item : items) out.append(out.size() > 1 ? "," : "").append(item);
    return out + "]";
  };
  WorkerRequest join = ExtractRequest();
  join.document.step = ExtractStep::kJoin;
  join.document.parts_json = array(parts);
  WorkerReply joined = pool_->Run(join, pdf, deadline());
  ASSERT_TRUE(joined.output.ok()) << joined.output.error().ToString();
  EXPECT_EQ(ToJson(std::get<AgreementRecord>(*joined.output)), ToJson(record));
  EXPECT_EQ(joined.stats.pages, 0);  // counted as the parts were read

  // Parts that do not make the document are refused, and the worker stays.
  const std::vector<pid_t> before = pool_->Pids();
  join.document.parts_json = array({parts.front()});  // page 1 alone
  WorkerReply refused = pool_->Run(join, pdf, deadline());
  ASSERT_FALSE(refused.output.ok());
  EXPECT_EQ(refused.output.error().code, ErrorCode::kInternal);
  EXPECT_EQ(pool_->Pids(), before);
}

// ---- the channel's checks of progress messages -----------------------------

TEST(WorkerPoolProtocolTest, ProgressMessagesAreCheckedStrictly) {
  const std::string good = EncodeProgress(WorkerProgress{2, 5});
  Result<std::optional<WorkerProgress>> p = DecodeProgress(good, "", 2000);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->pages_done, 2);
  EXPECT_EQ((*p)->pages_total, 5);
  // A reply is not a progress message.
  std::string header, body;
  WorkerReply reply;
  EncodeReply(reply, &header, &body);
  p = DecodeProgress(header, body, 2000);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->has_value());
  for (const char* bad :
       {R"({"progress":{"pages_done":0,"pages_total":5}})", R"({"progress":{"pages_done":6,"pages_total":5}})",
        R"({"progress":{"pages_done":1,"pages_total":2001}})", R"({"progress":{"pages_done":1.5,"pages_total":5}})",
        R"({"progress":{"pages_done":"1","pages_total":5}})", R"({"progress":{"pages_done":1}})",
        R"({"progress":{"pages_done":1,"pages_total":5,"x":1}})", R"({"progress":{"pages_done":1,"pages_total":5},"retire":false})",
        R"({"progress":[1,5]})", R"({"progress":{"pages_done":-1,"pages_total":5}})"}) {
    EXPECT_FALSE(DecodeProgress(bad, "", 2000).ok()) << bad;
  }
  EXPECT_FALSE(DecodeProgress(good, "x", 2000).ok()) << "a body";
}

TEST(WorkerPoolProtocolTest, JobMembersOfARequestAreWrittenOnlyWhenSet) {
  WorkerRequest plain = ExtractRequest();
  const std::string header = EncodeRequest(plain);
  EXPECT_EQ(header.find("progress"), std::string::npos);
  EXPECT_EQ(header.find("partial"), std::string::npos);
  EXPECT_EQ(header.find("cpu_seconds"), std::string::npos);
  Result<WorkerRequest> decoded = DecodeRequest(header);
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->progress);
  EXPECT_FALSE(decoded->document.partial_at_deadline);
  EXPECT_EQ(decoded->cpu_seconds, 0);

  WorkerRequest job = ExtractRequest();
  job.progress = true;
  job.cpu_seconds = 900;
  job.document.partial_at_deadline = true;
  decoded = DecodeRequest(EncodeRequest(job));
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_TRUE(decoded->progress);
  EXPECT_TRUE(decoded->document.partial_at_deadline);
  EXPECT_EQ(decoded->cpu_seconds, 900);
}

// ---- DocumentRunner: a job's time limit, progress and cancellation ----------

class DocumentRunnerJobTest : public WorkerPoolJobTest {
 protected:
  void StartRunner(std::chrono::milliseconds timeout, std::function<void()> before = {}) {
    Start(1);
    queue_ = std::make_unique<JobQueue>(1, 4);
    DocumentRunnerOptions o;
    o.timeout = timeout;
    o.workers = pool_.get();
    o.before_extract = std::move(before);
    runner_ = std::make_unique<DocumentRunner>(queue_.get(), o);
  }
  void TearDown() override {
    if (queue_) queue_->Shutdown();
  }

  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<DocumentRunner> runner_;
};

TEST_F(DocumentRunnerJobTest, AJobHasItsOwnTimeLimitAndProgress) {
  StartRunner(std::chrono::milliseconds(1));
  DocumentRequest request;
  // A request gets the runner's limit of 1 ms, and is told about jobs.
  Result<DocumentOutput> sync = runner_->Run(SeedPdf(), request);
  ASSERT_FALSE(sync.ok());
  EXPECT_EQ(sync.error().code, ErrorCode::kTimeout);
  EXPECT_NE(sync.error().message.find("longer than the 1 ms allowed"), std::string::npos) << sync.error().message;
  EXPECT_NE(sync.error().message.find("POST /v1/jobs?op=extract"), std::string::npos) << sync.error().message;

  DocumentRunOptions job;
  job.timeout = std::chrono::seconds(60);
  std::vector<std::pair<int, int>> calls;
  std::set<std::thread::id> threads;
  job.control.on_progress = [&](int done, int total) {
    calls.emplace_back(done, total);
    threads.insert(std::this_thread::get_id());
  };
  Result<DocumentOutput> out = runner_->Run(SeedPdf(), request, job);
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(std::get<AgreementRecord>(*out).document.pages, 4);
  EXPECT_EQ(calls, (std::vector<std::pair<int, int>>{{1, 4}, {2, 4}, {3, 4}, {4, 4}}));
  // On the job queue's thread.
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_NE(*threads.begin(), std::this_thread::get_id());
}

TEST_F(DocumentRunnerJobTest, AJobCancelledInTheQueueIsNeverStarted) {
  testutil::Gate gate;
  StartRunner(std::chrono::seconds(60), gate.Job());
  DocumentRequest request;
  // The one job thread is held by the first document.
  auto first = std::async(std::launch::async, [&] { return runner_->Run(SeedPdf(), request); });
  ASSERT_TRUE(WaitUntil([&] { return gate.entered() == 1; }));
  DocumentRunOptions job;
  std::atomic<bool> cancel{false};
  job.control.cancelled = [&] { return cancel.load(); };
  auto second = std::async(std::launch::async, [&] { return runner_->Run(SeedPdf(), request, job); });
  ASSERT_TRUE(WaitUntil([&] { return queue_->GetStats().queued == 1; }));
  cancel = true;
  const Clock::time_point t0 = Clock::now();
  Result<DocumentOutput> cancelled = second.get();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(1));
  ASSERT_FALSE(cancelled.ok());
  EXPECT_TRUE(IsCancelled(cancelled.error())) << cancelled.error().ToString();
  gate.Open();
  Result<DocumentOutput> done = first.get();
  EXPECT_TRUE(done.ok()) << done.error().ToString();
  // The cancelled document left the queue without reaching a worker.
  ASSERT_TRUE(WaitUntil([&] {
    const JobQueue::Stats s = queue_->GetStats();
    return s.queued == 0 && s.running == 0;
  }));
  EXPECT_EQ(gate.entered(), 1);
}

// ---- a synchronous request over the time limit ------------------------------

class ServerJobHintTest : public testutil::ServerFixture {};

TEST_F(ServerJobHintTest, The504OfALongDocumentPointsToJobs) {
  ServerOptions o;
  o.workers = 1;
  o.timeout = std::chrono::seconds(2);
  Start(o);
  auto r = Client()->Post("/v1/extract", ScanPdf(), "application/pdf");
  ASSERT_TRUE(IsError(r, 504, "timeout"));
  const std::string message = nlohmann::json::parse(r->body)["error"]["message"];
  EXPECT_EQ(message,
            "processing took longer than the 2 s allowed per request; submit long documents as a job: "
            "POST /v1/jobs?op=extract (see GET /openapi.json)");
  // A document within the limit: its record as before, complete.
  auto ok = Client()->Post("/v1/extract", SeedPdf(), "application/pdf");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body.find("\"partial\""), std::string::npos);
}

}  // namespace
}  // namespace pactum::service
