// JobQueue: admission bound, FIFO order within a class, quick jobs before
// slow ones without starving them, shutdown runs what was admitted.
#include "pactum/service/job_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include "test_util.h"

namespace pactum::service {
namespace {

using testutil::Gate;

void AwaitTrue(const std::function<bool()>& cond) { ASSERT_TRUE(testutil::WaitUntil(cond)); }

TEST(JobQueueTest, AdmitsWorkersPlusQueueThenRefuses) {
  JobQueue q(2, 1);
  Gate gate;
  EXPECT_TRUE(q.TrySubmit(gate.Job()));
  EXPECT_TRUE(q.TrySubmit(gate.Job()));
  AwaitTrue([&] { return gate.entered() == 2; });
  EXPECT_TRUE(q.HasRoom());
  EXPECT_TRUE(q.TrySubmit(gate.Job()));  // waits in the queue
  EXPECT_FALSE(q.HasRoom());
  EXPECT_FALSE(q.TrySubmit([] { FAIL() << "a refused job must never run"; }));
  JobQueue::Stats s = q.GetStats();
  EXPECT_EQ(s.workers, 2);
  EXPECT_EQ(s.running, 2);
  EXPECT_EQ(s.queued, 1);
  EXPECT_EQ(s.queue_capacity, 1);
  gate.Open();
  AwaitTrue([&] { return q.GetStats().running == 0 && q.GetStats().queued == 0; });
  EXPECT_EQ(gate.entered(), 3);
  EXPECT_TRUE(q.HasRoom());
}

TEST(JobQueueTest, ZeroQueueAdmitsOnlyIdleWorkers) {
  JobQueue q(1, 0);
  Gate gate;
  EXPECT_TRUE(q.TrySubmit(gate.Job()));
  AwaitTrue([&] { return gate.entered() == 1; });
  EXPECT_FALSE(q.TrySubmit([] {}));
  gate.Open();
}

TEST(JobQueueTest, RunsJobsInAdmissionOrder) {
  std::mutex mu;
  std::vector<int> order;
  {
    JobQueue q(1, 10);
    Gate gate;
    ASSERT_TRUE(q.TrySubmit(gate.Job()));
    AwaitTrue([&] { return gate.entered() == 1; });
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(q.TrySubmit([&, i] {
        std::lock_guard<std::mutex> lock(mu);
        order.push_back(i);
      }));
    }
    gate.Open();
    q.Shutdown();  // runs the queued jobs before returning
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

// With one worker held by `gate`, submits the jobs (id, class) in turn and
// returns the order in which they ran.
std::vector<int> RunOrder(const std::vector<std::pair<int, JobClass>>& jobs) {
  std::mutex mu;
  std::vector<int> order;
  {
    JobQueue q(1, static_cast<int>(jobs.size()));
    Gate gate;
    EXPECT_TRUE(q.TrySubmit(gate.Job(), JobClass::kSlow));
    AwaitTrue([&] { return gate.entered() == 1; });
    for (const auto& [id, job_class] : jobs) {
      EXPECT_TRUE(q.TrySubmit(
          [&, id = id] {
            std::lock_guard<std::mutex> lock(mu);
            order.push_back(id);
          },
          job_class));
    }
    gate.Open();
    q.Shutdown();
  }
  return order;
}

TEST(JobQueueTest, QuickJobsStartBeforeSlowOnesInOrderWithinEachClass) {
  const JobClass S = JobClass::kSlow, Q = JobClass::kQuick;
  EXPECT_EQ(RunOrder({{1, S}, {2, S}, {3, Q}, {4, S}, {5, Q}}), (std::vector<int>{3, 5, 1, 2, 4}));
}

TEST(JobQueueTest, ASlowJobIsPassedOverOnlyABoundedNumberOfTimes) {
  std::vector<std::pair<int, JobClass>> jobs = {{100, JobClass::kSlow}, {101, JobClass::kSlow}};
  for (int i = 0; i < 20; ++i) jobs.push_back({i, JobClass::kQuick});
  const std::vector<int> order = RunOrder(jobs);
  ASSERT_EQ(order.size(), jobs.size());
  const int n = JobQueue::kMaxSlowBypass;
  // n quick jobs, then the first slow one, n more, then the second.
  EXPECT_EQ(order[static_cast<size_t>(n)], 100);
  EXPECT_EQ(order[static_cast<size_t>(2 * n + 1)], 101);
  for (int i = 0; i < n; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
}

TEST(JobQueueTest, BothClassesShareOneAdmissionBound) {
  JobQueue q(1, 2);
  Gate gate;
  ASSERT_TRUE(q.TrySubmit(gate.Job(), JobClass::kQuick));
  AwaitTrue([&] { return gate.entered() == 1; });
  EXPECT_TRUE(q.TrySubmit(gate.Job(), JobClass::kSlow));
  EXPECT_TRUE(q.TrySubmit(gate.Job(), JobClass::kQuick));
  EXPECT_FALSE(q.TrySubmit([] { FAIL() << "a refused job must never run"; }, JobClass::kSlow));
  EXPECT_FALSE(q.TrySubmit([] { FAIL() << "a refused job must never run"; }, JobClass::kQuick));
  const JobQueue::Stats s = q.GetStats();
  EXPECT_EQ(s.queued, 2);
  EXPECT_EQ(s.queued_slow, 1);
  gate.Open();
}

TEST(JobQueueTest, ThrowingJobDoesNotKillTheWorker) {
  JobQueue q(1, 1);
  ASSERT_TRUE(q.TrySubmit([] { throw std::runtime_error("boom"); }));
  std::promise<void> ran;
  auto f = ran.get_future();
  AwaitTrue([&] { return q.HasRoom(); });
  ASSERT_TRUE(q.TrySubmit([&] { ran.set_value(); }));
  EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(JobQueueTest, RefusesAfterShutdown) {
  JobQueue q(1, 1);
  q.Shutdown();
  q.Shutdown();  // idempotent
  EXPECT_FALSE(q.TrySubmit([] {}));
  EXPECT_FALSE(q.HasRoom());
}

}  // namespace
}  // namespace pactum::service
