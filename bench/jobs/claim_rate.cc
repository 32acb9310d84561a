// How fast replicas take jobs off the queue: `jobs_claim_rate URI [JOBS]
// [THREADS] [shared]` submits JOBS jobs (default 2000) to the store at URI,
// then THREADS threads (default 8), each with a Store of its own (a replica
// with its own connection), or all on one Store with `shared` (the threads
// of one process), claim until the queue is empty. Twice: claims
// alone, then claims each followed by Finish(). Prints the rate and the
// latency percentiles of ClaimNext() (and Finish()) per round, and checks
// that every job was claimed exactly once. Run by bench/jobs/claim_rate.sh.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pactum/store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using pactum::store::Claim;
using pactum::store::JobState;
using pactum::store::Store;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::unique_ptr<Store> OpenOrDie(const std::string& uri) {
  auto s = Store::Open(uri);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*s);
}

// One round; false when a job was claimed twice or not at all.
bool Round(const std::string& uri, int jobs, int threads, bool shared, bool finish) {
  auto submitter = OpenOrDie(uri);
  const auto s0 = Clock::now();
  pactum::store::NewJob j;
  j.op = "extract";
  j.params_json = std::string("{}");
  j.owner = "bench";
  j.media_type = "application/pdf";
  for (int i = 0; i < jobs; ++i) {
    j.upload = "%PDF-1.7 claim-rate benchmark upload " + std::to_string(i % 50);
    if (!submitter->jobs().Submit(j).ok()) {
      std::fprintf(stderr, "submit failed\n");
      return false;
    }
  }
  const double submit_s = Ms(Clock::now() - s0) / 1000;

  std::vector<std::unique_ptr<Store>> replicas;
  for (int t = 0; t < (shared ? 1 : threads); ++t) replicas.push_back(OpenOrDie(uri));
  std::mutex mu;
  std::vector<double> claim_ms, finish_ms;
  std::multiset<std::string> ids;
  std::atomic<int> errors{0};
  std::vector<std::thread> pool;
  const auto c0 = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pactum::store::JobStore* q = &replicas[shared ? 0 : static_cast<std::size_t>(t)]->jobs();
    pool.emplace_back([q, t, finish, &mu, &claim_ms, &finish_ms, &ids, &errors] {
      std::vector<double> mine_claim, mine_finish;
      std::vector<std::string> mine_ids;
      for (;;) {
        const auto a = Clock::now();
        auto c = q->ClaimNext("bench-" + std::to_string(t), std::chrono::minutes(5));
        mine_claim.push_back(Ms(Clock::now() - a));
        if (!c.ok()) {
          if (errors++ == 0) std::fprintf(stderr, "%s\n", c.error().ToString().c_str());
          break;
        }
        if (!c->has_value()) {
          mine_claim.pop_back();  // the empty queue's answer is no claim
          break;
        }
        mine_ids.push_back((*c)->job.id);
        if (finish) {
          pactum::store::JobResult r;
          r.content_type = "application/json";
          r.body = "{}";
          const auto b = Clock::now();
          auto done = q->Finish(**c, JobState::kSucceeded, r, std::nullopt);
          mine_finish.push_back(Ms(Clock::now() - b));
          if (!done.ok() && errors++ == 0) std::fprintf(stderr, "%s\n", done.error().ToString().c_str());
          if (done.ok() && !*done) ++errors;
        }
      }
      std::lock_guard lock(mu);
      claim_ms.insert(claim_ms.end(), mine_claim.begin(), mine_claim.end());
      finish_ms.insert(finish_ms.end(), mine_finish.begin(), mine_finish.end());
      ids.insert(mine_ids.begin(), mine_ids.end());
    });
  }
  for (auto& th : pool) th.join();
  const double wall_s = Ms(Clock::now() - c0) / 1000;
  const std::set<std::string> distinct(ids.begin(), ids.end());
  const bool once = errors == 0 && ids.size() == static_cast<std::size_t>(jobs) && distinct.size() == ids.size();

  std::printf("%-16s %5d jobs  %2d threads  submit %7.0f/s  %s %7.0f/s  claim p50 %6.2f ms  p99 %6.2f ms", 
              finish ? "claim+finish" : "claim", jobs, threads, jobs / submit_s, finish ? "jobs" : "claims",
              jobs / wall_s, Percentile(claim_ms, 50), Percentile(claim_ms, 99));
  if (finish) std::printf("  finish p50 %6.2f ms  p99 %6.2f ms", Percentile(finish_ms, 50), Percentile(finish_ms, 99));
  std::printf("  %s\n", once ? "each claimed once" : "CLAIMS WRONG");
  if (!once) {
    std::fprintf(stderr, "errors %d, claims %zu, distinct %zu, jobs %d\n", errors.load(), ids.size(), distinct.size(),
                 jobs);
  }
  return once;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: jobs_claim_rate STORE_URI [JOBS] [THREADS] [shared]\n");
    return 2;
  }
  const std::string uri = argv[1];
  const int jobs = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 8;
  if (jobs < 1 || threads < 1) {
    std::fprintf(stderr, "JOBS and THREADS must be positive numbers\n");
    return 2;
  }
  const bool shared = argc > 4 && std::string(argv[4]) == "shared";
  const bool ok = Round(uri, jobs, threads, shared, false) && Round(uri, jobs, threads, shared, true);
  return ok ? 0 : 1;
}
