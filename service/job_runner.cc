#include "job_runner.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <exception>
#include <optional>
#include <utility>

#include "logging.h"

namespace pactum::service {

using Clock = std::chrono::steady_clock;

// One job running on this replica, shared by its thread and the heartbeat.
struct JobRunner::Active {
  explicit Active(store::Claim c) : claim(std::move(c)) {}
  const store::Claim claim;
  std::atomic<int> pages_done{0}, pages_total{0};
  std::atomic<bool> cancel{false};     // the client cancelled
  std::atomic<bool> lost{false};       // the lease went to another replica
  std::atomic<bool> progress{false};   // pages changed since the last beat
  std::atomic<bool> split{false};      // split into parts: it waits for them
  Clock::time_point last_beat = Clock::now();  // heartbeat thread only
};

namespace {

std::string Rfc3339(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms % 1000));
}

nlohmann::ordered_json OptionalTime(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::ordered_json(Rfc3339(*ms)) : nlohmann::ordered_json(nullptr);
}

// The error object of a failed job's answer body ({"error": {...}}).
std::string ErrorOf(int status, const std::string& body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) return j["error"].dump();
  return nlohmann::json{{"code", "internal"}, {"message", "the job failed with status " + std::to_string(status)}}
      .dump();
}

// The headers of an answer worth keeping with it (all but those the server
// sets on every response).
std::string KeptHeaders(const httplib::Response& res) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : res.headers) {
    if (name == "Content-Type" || name == "Content-Length" || name == "X-Request-Id") continue;
    headers[name] = value;
  }
  return headers.dump();
}

}  // namespace

std::string JobJson(const store::Job& job) {
  nlohmann::ordered_json j;
  j["id"] = job.id;
  j["op"] = job.op;
  j["state"] = std::string(store::JobStateName(job.state));
  j["pages_total"] = job.pages_total;
  j["pages_done"] = job.pages_done;
  j["attempts"] = job.attempts;
  j["cancel_requested"] = job.cancel_requested;
  j["created_at"] = Rfc3339(job.created_at);
  j["started_at"] = OptionalTime(job.started_at);
  j["finished_at"] = OptionalTime(job.finished_at);
  j["error"] = job.error_json ? nlohmann::ordered_json::parse(*job.error_json, nullptr, false) : nullptr;
  if (j["error"].is_discarded()) j["error"] = nullptr;
  j["result_url"] = job.has_result ? nlohmann::ordered_json("/v1/jobs/" + job.id + "/result") : nullptr;
  return j.dump();
}

JobRunner::JobRunner(store::JobStore* jobs, JobRunnerOptions options) : jobs_(jobs), options_(std::move(options)) {}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::Start() {
  for (int i = 0; i < options_.concurrency; ++i) threads_.emplace_back([this] { ClaimLoop(); });
  heartbeat_ = std::thread([this] { HeartbeatLoop(); });
}

void JobRunner::Stop() {
  if (stopping_.exchange(true)) return;
  {
    MutexLock lock(&mu_);
    cv_.SignalAll();
  }
  jobs_->Interrupt();
  for (auto& t : threads_) t.join();
  if (heartbeat_.joinable()) heartbeat_.join();
}

int JobRunner::Running() const {
  MutexLock lock(&mu_);
  return static_cast<int>(active_.size());
}

void JobRunner::ClaimLoop() {
  while (!stopping_.load()) {
    Result<std::optional<store::Claim>> claim = jobs_->ClaimNext(options_.replica, options_.lease);
    if (!claim.ok()) {
      spdlog::warn("jobs: cannot claim a job: {}", claim.error().message);
      jobs_->WaitForWork(options_.poll);
      continue;
    }
    if (!*claim) {
      jobs_->WaitForWork(options_.poll);
      continue;
    }
    Run(std::move(**claim));
  }
}

void JobRunner::Run(store::Claim claim) {
  auto active = std::make_shared<Active>(std::move(claim));
  const store::Job& job = active->claim.job;
  // A split job whose client cancelled it is queued again once its parts
  // stopped: it is finished as cancelled.
  active->cancel = job.cancel_requested;
  {
    MutexLock lock(&mu_);
    active_.push_back(active);
  }
  spdlog::info("job {} ({}) started on {}, attempt {} of {}", job.id, job.op, options_.replica, job.attempts,
               job.max_attempts);
  httplib::Response res;
  bool executed = false;
  Result<std::optional<std::string>> upload = jobs_->Upload(job.upload_id);
  if (!upload.ok() || !*upload) {
    res.status = 500;
    res.set_content(R"({"error":{"code":"internal","message":"the job's upload is missing from the store; submit it again"}})",
                    "application/json");
  } else {
    JobHooks hooks;
    hooks.on_progress = [a = active.get()](int done, int total) {
      a->pages_done = done;
      a->pages_total = total;
      a->progress = true;
    };
    hooks.stop = [this, a = active.get()] { return stopping_.load() || a->cancel.load() || a->lost.load(); };
    hooks.split = [this, a = active.get()](const std::vector<store::PageRange>& ranges) -> Result<bool> {
      Result<bool> split = jobs_->Split(a->claim, ranges);
      if (split.ok() && *split) a->split = true;
      return split;
    };
    try {
      options_.execute(job, std::move(**upload), hooks, &res);
      executed = true;
    } catch (const std::exception& e) {
      spdlog::error("job {} threw: {}", job.id, e.what());
    }
    if (!executed) {
      res = httplib::Response();
      res.status = 500;
      res.set_content(R"({"error":{"code":"internal","message":"the job failed unexpectedly; this is a bug of the service, please report it"}})",
                      "application/json");
    }
  }
  {
    MutexLock lock(&mu_);
    active_.erase(std::find(active_.begin(), active_.end(), active));
  }
  if (active->split.load()) {
    spdlog::info("job {} split into parts on {}", job.id, options_.replica);
    return;
  }
  if (active->lost.load()) {
    spdlog::warn("job {} dropped on {}: its lease was lost to another replica", job.id, options_.replica);
    return;
  }
  if (stopping_.load() && !active->cancel.load() && res.status >= 400) {
    // Stopped by the shutdown (or failed while it began): given back, for
    // another replica or this one after a restart.
    Result<bool> released = jobs_->Release(active->claim);
    if (!released.ok()) {
      spdlog::warn("job {} not given back at shutdown ({}); it is taken again when its lease runs out", job.id,
                   released.error().message);
    } else {
      spdlog::info("job {} given back at shutdown", job.id);
    }
    return;
  }
  // The progress since the last heartbeat (that thread may still be
  // beating this job: only its own fields are left alone).
  if (active->progress.exchange(false)) {
    Result<store::Heartbeat> hb =
        jobs_->Beat(active->claim, options_.lease, active->pages_done.load(), active->pages_total.load());
    if (hb.ok() && !hb->owned) {
      spdlog::warn("job {} dropped on {}: its lease was lost to another replica", job.id, options_.replica);
      return;
    }
  }
  Result<bool> finished = false;
  store::JobState state = store::JobState::kCancelled;
  if (active->cancel.load()) {
    state = store::JobState::kCancelled;
    finished = jobs_->Finish(active->claim, state, std::nullopt, std::nullopt);
  } else {
    state = res.status < 400 ? store::JobState::kSucceeded : store::JobState::kFailed;
    store::JobResult result;
    result.status = res.status;
    result.content_type = res.get_header_value("Content-Type");
    result.body = std::move(res.body);
    result.headers_json = KeptHeaders(res);
    std::optional<std::string> error;
    if (state == store::JobState::kFailed) error = ErrorOf(result.status, result.body);
    finished = jobs_->Finish(active->claim, state, result, error);
  }
  if (!finished.ok()) {
    spdlog::error("job {} could not be finished: {}", job.id, finished.error().message);
    return;
  }
  if (!*finished) {
    spdlog::warn("job {} was not finished by {}: its claim is no longer current", job.id, options_.replica);
    return;
  }
  spdlog::info("job {} finished on {}: {}", job.id, options_.replica, store::JobStateName(state));
  if (options_.on_finished) {
    Result<std::optional<store::Job>> now = jobs_->Get(job.id);
    if (now.ok() && *now) options_.on_finished(**now);
  }
}

void JobRunner::Beat(Active& a) {
  Result<store::Heartbeat> hb = jobs_->Beat(a.claim, options_.lease, a.pages_done.load(), a.pages_total.load());
  a.last_beat = Clock::now();
  if (!hb.ok()) {
    spdlog::warn("jobs: heartbeat of {} failed: {}", a.claim.job.id, hb.error().message);
    return;
  }
  if (!hb->owned) a.lost = true;
  if (hb->cancel_requested && !a.cancel.exchange(true)) spdlog::info("job {} cancelled by its client", a.claim.job.id);
}

void JobRunner::HeartbeatLoop() {
  // Progress is written at most this often; the lease is renewed every
  // `heartbeat`.
  constexpr auto kProgressInterval = std::chrono::milliseconds(500);
  auto last_expire = Clock::now() - std::chrono::hours(1);
  while (!stopping_.load()) {
    std::vector<std::shared_ptr<Active>> active;
    {
      MutexLock lock(&mu_);
      active = active_;
    }
    const auto now = Clock::now();
    for (const auto& a : active) {
      const auto since = now - a->last_beat;
      if (since >= options_.heartbeat || (a->progress.load() && since >= kProgressInterval)) {
        a->progress = false;
        Beat(*a);
      }
    }
    if (now - last_expire >= std::chrono::minutes(1)) {
      last_expire = now;
      Result<int> expired = jobs_->Expire(options_.retention);
      if (!expired.ok()) {
        spdlog::warn("jobs: expiring old jobs failed: {}", expired.error().message);
      } else if (*expired > 0) {
        spdlog::info("jobs: {} finished jobs older than the retention deleted", *expired);
      }
    }
    MutexLock lock(&mu_);
    cv_.WaitUntil(&mu_, Clock::now() + std::chrono::milliseconds(100));
  }
}

}  // namespace pactum::service
