// The job queue (jobs.h) on both back ends: a fresh SQLite file, or a fresh
// database on the PostgreSQL server that the ctest fixture started. Several
// Store objects on one database stand for several `pactum serve` replicas.
#include "pactum/store/jobs.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "pactum/store/store.h"
#include "store_test_util.h"

namespace pactum::store {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using storetest::FreshStoreUri;
using storetest::Sha256Hex;

bool IsHex32(const std::string& s) { return std::regex_match(s, std::regex("[0-9a-f]{32}")); }

// Polls `condition` every 10 ms until it holds or `timeout` passed.
bool Eventually(const std::function<bool()>& condition, milliseconds timeout = seconds(10)) {
  const auto deadline = steady_clock::now() + timeout;
  while (!condition()) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

// How long `f` takes.
milliseconds Timed(const std::function<void()>& f) {
  const auto start = steady_clock::now();
  f();
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

NewJob MakeJob(std::string owner, std::string upload = "%PDF-1.7 job upload") {
  NewJob j;
  j.op = "extract";
  j.params_json = R"({"ocr":"auto"})";
  j.owner = std::move(owner);
  j.callback_url = "https://example.org/hook";
  j.upload = std::move(upload);
  j.media_type = "application/pdf";
  return j;
}

JobResult MakeResult(std::string body) {
  JobResult r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.headers_json = R"({"X-Pactum-Test":"1"})";
  return r;
}

class JobsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    uri_ = FreshStoreUri(GetParam());
    ASSERT_FALSE(uri_.empty());
    store_ = Open();
    ASSERT_TRUE(store_);
  }
  bool Postgres() const { return GetParam() == "postgresql"; }
  // Another Store on the same database: another replica.
  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> s = Store::Open(uri_);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  JobStore& jobs() { return store_->jobs(); }

  Job Submit(const NewJob& j) {
    Result<Job> job = jobs().Submit(j);
    EXPECT_TRUE(job.ok()) << job.error().ToString();
    return job.ok() ? *job : Job{};
  }
  Job MustGet(const std::string& id) {
    Result<std::optional<Job>> job = jobs().Get(id);
    EXPECT_TRUE(job.ok() && job->has_value()) << id;
    return job.ok() && job->has_value() ? **job : Job{};
  }
  std::optional<Claim> Claim1(JobStore& from, const std::string& replica, milliseconds lease = seconds(30)) {
    Result<std::optional<Claim>> c = from.ClaimNext(replica, lease);
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    return c.ok() ? *c : std::nullopt;
  }
  // Claims until a job comes (a lease may have to expire first; on
  // PostgreSQL a re-queued job is claimed by the call after the one that
  // queued it again).
  std::optional<Claim> ClaimEventually(JobStore& from, const std::string& replica, milliseconds lease) {
    std::optional<Claim> c;
    Eventually([&] { return (c = Claim1(from, replica, lease)).has_value(); });
    return c;
  }
  std::vector<std::string> ListIds(const std::string& owner, std::optional<JobState> state, int limit,
                                   std::optional<std::string> after = std::nullopt) {
    Result<std::vector<Job>> page = jobs().List(owner, state, limit, std::move(after));
    EXPECT_TRUE(page.ok()) << page.error().ToString();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const Job& j : *page) ids.push_back(j.id);
    }
    return ids;
  }
  // The one number that `sql` selects, read past the store.
  std::int64_t Count(const std::string& sql) {
    std::int64_t n = -1;
    if (Postgres()) {
      PGconn* c = PQconnectdb(uri_.c_str());
      PGresult* r = PQexec(c, sql.c_str());
      EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
      if (PQresultStatus(r) == PGRES_TUPLES_OK) n = std::stoll(PQgetvalue(r, 0, 0));
      PQclear(r);
      PQfinish(c);
    } else {
      sqlite3* db = nullptr;
      EXPECT_EQ(sqlite3_open(uri_.substr(7).c_str(), &db), SQLITE_OK);
      sqlite3_stmt* s = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
      if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
      sqlite3_finalize(s);
      sqlite3_close(db);
    }
    return n;
  }

  // Runs `sql` past the store.
  void Exec(const std::string& sql) {
    if (Postgres()) {
      PGconn* c = PQconnectdb(uri_.c_str());
      PGresult* r = PQexec(c, sql.c_str());
      EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
      PQclear(r);
      PQfinish(c);
    } else {
      sqlite3* db = nullptr;
      EXPECT_EQ(sqlite3_open(uri_.substr(7).c_str(), &db), SQLITE_OK);
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
      sqlite3_close(db);
    }
  }

  std::string uri_;
  std::unique_ptr<Store> store_;
};

TEST_P(JobsTest, SubmittedJobIsQueuedWithEverythingItWasGiven) {
  const std::int64_t before = NowMs();
  NewJob in = MakeJob("alice");
  in.max_attempts = 5;
  const Job job = Submit(in);
  EXPECT_TRUE(IsHex32(job.id)) << job.id;
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.op, "extract");
  EXPECT_EQ(job.params_json, in.params_json);
  EXPECT_EQ(job.owner, "alice");
  EXPECT_EQ(job.callback_url, in.callback_url);
  EXPECT_EQ(job.upload_id, Sha256Hex(in.upload));
  EXPECT_EQ(job.media_type, "application/pdf");
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(job.max_attempts, 5);
  EXPECT_FALSE(job.cancel_requested);
  EXPECT_FALSE(job.started_at || job.finished_at || job.error_json || job.has_result);
  EXPECT_GE(job.created_at, before - 1000);  // the database's clock, on this machine
  EXPECT_LE(job.created_at, NowMs() + 1000);

  const Job got = MustGet(job.id);
  EXPECT_EQ(got.id, job.id);
  EXPECT_EQ(got.created_at, job.created_at);
  EXPECT_EQ(got.params_json, job.params_json);
  Result<std::optional<Job>> none = jobs().Get(std::string(32, '0'));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(JobsTest, MalformedJobsAreBadRequests) {
  auto code = [&](NewJob j) {
    Result<Job> r = jobs().Submit(j);
    return r.ok() ? std::optional<ErrorCode>() : std::optional<ErrorCode>(r.error().code);
  };
  NewJob j = MakeJob("alice");
  j.op = "";
  EXPECT_EQ(code(j), ErrorCode::kBadRequest);
  j.op = "Extract; DROP TABLE jobs";
  EXPECT_EQ(code(j), ErrorCode::kBadRequest);
  j = MakeJob("alice");
  j.params_json = "[1]";
  EXPECT_EQ(code(j), ErrorCode::kBadRequest);
  j.params_json = "{not json";
  EXPECT_EQ(code(j), ErrorCode::kBadRequest);
  j = MakeJob("alice");
  j.max_attempts = 0;
  EXPECT_EQ(code(j), ErrorCode::kBadRequest);
  j.max_attempts = 101;
  EXPECT_EQ(code(j), ErrorCode::kBadRequest);
  EXPECT_TRUE(ListIds("alice", std::nullopt, 100).empty());
  EXPECT_EQ(code(MakeJob("alice")), std::nullopt);
}

TEST_P(JobsTest, ListShowsOnlyTheOwnersJobsNewestFirstInPages) {
  std::vector<std::string> alice;
  for (int i = 0; i < 7; ++i) {
    alice.push_back(Submit(MakeJob("alice", "upload " + std::to_string(i))).id);
    if (i == 2) Submit(MakeJob("bob"));
  }
  const std::vector<std::string> newest_first(alice.rbegin(), alice.rend());
  EXPECT_EQ(ListIds("alice", std::nullopt, 100), newest_first);
  EXPECT_EQ(ListIds("bob", std::nullopt, 100).size(), 1u);
  EXPECT_TRUE(ListIds("carol", std::nullopt, 100).empty());

  // Pages of 3 with the last id as the cursor: every job once, in order.
  std::vector<std::string> seen;
  std::optional<std::string> after;
  std::vector<std::size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    const std::vector<std::string> page = ListIds("alice", std::nullopt, 3, after);
    sizes.push_back(page.size());
    seen.insert(seen.end(), page.begin(), page.end());
    if (page.size() < 3) break;
    after = page.back();
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 1}));
  EXPECT_EQ(seen, newest_first);

  // The state filter: claim the two oldest and cancel the newest.
  ASSERT_TRUE(Claim1(jobs(), "r1"));
  ASSERT_TRUE(Claim1(jobs(), "r1"));
  ASSERT_TRUE(*jobs().Cancel(alice.back()));
  EXPECT_EQ(ListIds("alice", JobState::kRunning, 100), (std::vector<std::string>{alice[1], alice[0]}));
  EXPECT_EQ(ListIds("alice", JobState::kCancelled, 100), std::vector<std::string>{alice.back()});
  EXPECT_EQ(ListIds("alice", JobState::kQueued, 2), (std::vector<std::string>{alice[5], alice[4]}));
  EXPECT_EQ(ListIds("alice", JobState::kQueued, 2, alice[4]), (std::vector<std::string>{alice[3], alice[2]}));
  EXPECT_TRUE(ListIds("alice", JobState::kSucceeded, 100).empty());

  // Limits and cursors that are not one of the owner's jobs.
  for (int limit : {0, 101}) {
    Result<std::vector<Job>> r = jobs().List("alice", std::nullopt, limit, std::nullopt);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  }
  for (const std::string& cursor : {std::string(32, 'f'), ListIds("bob", std::nullopt, 1).at(0)}) {
    Result<std::vector<Job>> r = jobs().List("alice", std::nullopt, 10, cursor);
    ASSERT_FALSE(r.ok()) << cursor;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  }
}

TEST_P(JobsTest, ClaimsTakeTheOldestQueuedJobAndNothingWhenEmpty) {
  EXPECT_FALSE(Claim1(jobs(), "r1"));
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(Submit(MakeJob("alice", "doc " + std::to_string(i))).id);
  const std::int64_t before = NowMs();
  for (int i = 0; i < 3; ++i) {
    std::optional<Claim> c = Claim1(jobs(), "replica-a");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->job.id, ids[i]);
    EXPECT_EQ(c->job.state, JobState::kRunning);
    EXPECT_EQ(c->job.attempts, 1);
    ASSERT_TRUE(c->job.started_at);
    EXPECT_GE(*c->job.started_at, before - 1000);
    EXPECT_TRUE(IsHex32(c->token)) << c->token;
    EXPECT_NE(c->token, c->job.id);
    EXPECT_EQ(MustGet(ids[i]).state, JobState::kRunning);
  }
  EXPECT_FALSE(Claim1(jobs(), "r1"));
}

TEST_P(JobsTest, AReleasedJobIsQueuedAgainAtOnceWithoutCountingTheAttempt) {
  const std::string id = Submit(MakeJob("alice", "released")).id;
  std::optional<Claim> first = Claim1(jobs(), "stopping-replica");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->job.id, id);
  Result<bool> released = jobs().Release(*first);
  ASSERT_TRUE(released.ok()) << released.error().message;
  EXPECT_TRUE(*released);
  EXPECT_EQ(MustGet(id).state, JobState::kQueued);
  EXPECT_EQ(MustGet(id).attempts, 0);
  // Its claim is spent: releasing or finishing with it again does nothing.
  EXPECT_FALSE(*jobs().Release(*first));
  std::optional<Claim> second = Claim1(jobs(), "other-replica");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->job.id, id);
  EXPECT_EQ(second->job.attempts, 1);
  EXPECT_FALSE(*jobs().Finish(*first, JobState::kCancelled, std::nullopt, std::nullopt));
  EXPECT_EQ(MustGet(id).state, JobState::kRunning);
}

// Replicas (Store objects, each with its own connections) and threads claim
// at once: every job is claimed exactly once.
TEST_P(JobsTest, ConcurrentClaimantsTakeEachJobExactlyOnce) {
  constexpr int kJobs = 200, kReplicas = 4, kThreadsPerReplica = 2;
  std::set<std::string> submitted;
  for (int i = 0; i < kJobs; ++i) submitted.insert(Submit(MakeJob("alice", "doc " + std::to_string(i % 10))).id);
  ASSERT_EQ(submitted.size(), static_cast<std::size_t>(kJobs));  // random ids do not collide

  std::vector<std::unique_ptr<Store>> replicas;
  for (int r = 0; r < kReplicas; ++r) replicas.push_back(Open());
  std::mutex mu;
  std::map<std::string, int> claims;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kReplicas * kThreadsPerReplica; ++t) {
    JobStore* q = &replicas[t / kThreadsPerReplica]->jobs();
    threads.emplace_back([q, t, &mu, &claims, &failures] {
      for (;;) {
        Result<std::optional<Claim>> c = q->ClaimNext("replica-" + std::to_string(t), seconds(60));
        if (!c.ok()) {
          ++failures;
          return;
        }
        if (!c->has_value()) return;
        {
          std::lock_guard lock(mu);
          ++claims[(*c)->job.id];
        }
        Result<bool> done = q->Finish(**c, JobState::kSucceeded, MakeResult("{\"n\":" + std::to_string(t) + "}"),
                                      std::nullopt);
        if (!done.ok() || !*done) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, n] : claims) {
    EXPECT_EQ(n, 1) << id;
    EXPECT_TRUE(submitted.count(id)) << id;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM jobs WHERE state = 'succeeded' AND attempts = 1"), kJobs);
  EXPECT_EQ(ListIds("alice", JobState::kSucceeded, 100).size(), 100u);
}

TEST_P(JobsTest, ExpiredLeaseIsClaimedAgainAndTheOldClaimCountsForNothing) {
  auto b_store = Open();
  const Job job = Submit(MakeJob("alice"));
  std::optional<Claim> a = Claim1(jobs(), "replica-a", milliseconds(200));
  ASSERT_TRUE(a);
  Result<Heartbeat> beat = jobs().Beat(*a, milliseconds(200), 1, 4);  // within the lease
  ASSERT_TRUE(beat.ok());
  EXPECT_TRUE(beat->owned);
  EXPECT_FALSE(beat->cancel_requested);
  EXPECT_EQ(MustGet(job.id).pages_done, 1);
  EXPECT_EQ(MustGet(job.id).pages_total, 4);

  // Replica a stops beating (it died); replica b takes the job once the
  // lease has expired.
  std::optional<Claim> b = ClaimEventually(b_store->jobs(), "replica-b", seconds(30));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->job.id, job.id);
  EXPECT_EQ(b->job.attempts, 2);
  EXPECT_NE(b->token, a->token);
  EXPECT_EQ(b->job.started_at, a->job.started_at);  // first claimed

  beat = jobs().Beat(*a, seconds(30), 2, 4);
  ASSERT_TRUE(beat.ok());
  EXPECT_FALSE(beat->owned);
  Result<bool> late = jobs().Finish(*a, JobState::kSucceeded, MakeResult("from a"), std::nullopt);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(*late);
  EXPECT_EQ(MustGet(job.id).state, JobState::kRunning);
  EXPECT_EQ(MustGet(job.id).pages_done, 1);  // a's late beat changed nothing

  Result<bool> done = b_store->jobs().Finish(*b, JobState::kSucceeded, MakeResult("from b"), std::nullopt);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(*done);
  EXPECT_EQ((*jobs().Answer(job.id))->body, "from b");
}

TEST_P(JobsTest, BeatsKeepTheLease) {
  Submit(MakeJob("alice"));
  std::optional<Claim> a = Claim1(jobs(), "replica-a", milliseconds(100));
  ASSERT_TRUE(a);
  ASSERT_TRUE(jobs().Beat(*a, seconds(30), 0, 0)->owned);
  // Past the first lease (a lease that has not expired cannot be observed
  // as a condition: the absence of a claim is waited for).
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(Claim1(jobs(), "replica-b"));
  EXPECT_FALSE(Claim1(jobs(), "replica-b"));
  EXPECT_TRUE(jobs().Beat(*a, seconds(30), 1, 1)->owned);
}

TEST_P(JobsTest, JobInterruptedMaxAttemptsTimesFailsWithTheReason) {
  NewJob in = MakeJob("alice");
  in.max_attempts = 2;
  const Job job = Submit(in);
  std::optional<Claim> first = Claim1(jobs(), "replica-a", milliseconds(100));
  ASSERT_TRUE(first);
  std::optional<Claim> second = ClaimEventually(jobs(), "replica-b", milliseconds(100));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->job.attempts, 2);
  // The second lease expires too: the next claimant gives the job up.
  ASSERT_TRUE(Eventually([&] {
    EXPECT_FALSE(Claim1(jobs(), "replica-c"));
    return MustGet(job.id).state == JobState::kFailed;
  }));
  const Job failed = MustGet(job.id);
  EXPECT_EQ(failed.attempts, 2);
  ASSERT_TRUE(failed.finished_at);
  ASSERT_TRUE(failed.error_json);
  const json error = json::parse(*failed.error_json);
  EXPECT_EQ(error["code"], "internal");
  EXPECT_NE(error["message"].get<std::string>().find("interrupted 2 times"), std::string::npos) << error;
  EXPECT_FALSE(failed.has_result);
  EXPECT_FALSE(jobs().Answer(job.id)->has_value());
  EXPECT_FALSE(Claim1(jobs(), "replica-c"));
  EXPECT_FALSE(jobs().Beat(*second, seconds(30), 0, 0)->owned);
}

TEST_P(JobsTest, CancellingAQueuedJobIsImmediate) {
  const Job job = Submit(MakeJob("alice"));
  Result<std::optional<Job>> cancelled = jobs().Cancel(job.id);
  ASSERT_TRUE(cancelled.ok());
  ASSERT_TRUE(cancelled->has_value());
  EXPECT_EQ((*cancelled)->state, JobState::kCancelled);
  EXPECT_TRUE((*cancelled)->finished_at);
  EXPECT_FALSE((*cancelled)->error_json);
  EXPECT_EQ(MustGet(job.id).state, JobState::kCancelled);
  EXPECT_FALSE(Claim1(jobs(), "r1"));
  // Again, and of no job: nothing changes.
  EXPECT_EQ((*jobs().Cancel(job.id))->finished_at, (*cancelled)->finished_at);
  EXPECT_FALSE(jobs().Cancel(std::string(32, 'a'))->has_value());
}

TEST_P(JobsTest, CancellingARunningJobIsSeenByItsHeartbeat) {
  const Job job = Submit(MakeJob("alice"));
  std::optional<Claim> c = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(c);
  EXPECT_FALSE(jobs().Beat(*c, seconds(30), 1, 3)->cancel_requested);
  Result<std::optional<Job>> marked = Open()->jobs().Cancel(job.id);  // through another replica
  ASSERT_TRUE(marked.ok() && marked->has_value());
  EXPECT_EQ((*marked)->state, JobState::kRunning);
  EXPECT_TRUE((*marked)->cancel_requested);
  Result<Heartbeat> beat = jobs().Beat(*c, seconds(30), 2, 3);
  ASSERT_TRUE(beat.ok());
  EXPECT_TRUE(beat->owned);
  EXPECT_TRUE(beat->cancel_requested);
  const std::string why = R"({"code":"cancelled","message":"cancelled by the client"})";
  Result<bool> done = jobs().Finish(*c, JobState::kCancelled, std::nullopt, why);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(*done);
  const Job after = MustGet(job.id);
  EXPECT_EQ(after.state, JobState::kCancelled);
  EXPECT_EQ(after.error_json, why);
  EXPECT_EQ(after.pages_done, 2);
  EXPECT_FALSE(jobs().Answer(job.id)->has_value());
}

TEST_P(JobsTest, CancelledJobWhoseReplicaDiedIsNotQueuedAgain) {
  const Job job = Submit(MakeJob("alice"));
  std::optional<Claim> c = Claim1(jobs(), "replica-a", milliseconds(100));
  ASSERT_TRUE(c);
  ASSERT_TRUE(jobs().Cancel(job.id).ok());
  ASSERT_TRUE(Eventually([&] {
    EXPECT_FALSE(Claim1(jobs(), "replica-b"));
    return MustGet(job.id).state == JobState::kCancelled;
  }));
  EXPECT_EQ(MustGet(job.id).attempts, 1);
  EXPECT_TRUE(MustGet(job.id).finished_at);
}

TEST_P(JobsTest, AClaimFinishesOnceAndTheAnswerComesBackExactly) {
  const Job job = Submit(MakeJob("alice"));
  std::optional<Claim> c = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(c);
  std::string body(1 << 20, '\0');  // every byte value, NULs included
  std::mt19937 rng(11);
  for (char& ch : body) ch = static_cast<char>(rng());
  JobResult result = MakeResult(body);
  result.content_type = "application/pdf";
  result.headers_json = R"({"Content-Disposition":"attachment; filename=\"signed.pdf\""})";

  // Not final, or a success without its answer: refused, nothing changes.
  for (JobState s : {JobState::kQueued, JobState::kRunning}) {
    Result<bool> wrong = jobs().Finish(*c, s, result, std::nullopt);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kBadRequest);
  }
  ASSERT_FALSE(jobs().Finish(*c, JobState::kSucceeded, std::nullopt, std::nullopt).ok());
  EXPECT_FALSE(jobs().Answer(job.id)->has_value());  // not finished

  Result<bool> first = jobs().Finish(*c, JobState::kSucceeded, result, std::nullopt);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  Result<bool> second = jobs().Finish(*c, JobState::kFailed, MakeResult("other"), R"({"code":"internal"})");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  EXPECT_FALSE(jobs().Beat(*c, seconds(30), 0, 0)->owned);

  const Job done = MustGet(job.id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_TRUE(done.has_result);
  EXPECT_FALSE(done.error_json);
  ASSERT_TRUE(done.finished_at);
  EXPECT_GE(*done.finished_at, *done.started_at);
  Result<std::optional<JobResult>> answer = jobs().Answer(job.id);
  ASSERT_TRUE(answer.ok() && answer->has_value());
  EXPECT_EQ((*answer)->status, 200);
  EXPECT_EQ((*answer)->content_type, "application/pdf");
  EXPECT_EQ((*answer)->headers_json, result.headers_json);
  EXPECT_TRUE((*answer)->body == body);

  // A failed job keeps the error body it was given.
  const Job other = Submit(MakeJob("alice", "a damaged file"));
  std::optional<Claim> c2 = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(c2);
  JobResult error_body;
  error_body.status = 422;
  error_body.content_type = "application/json";
  error_body.body = R"({"error":{"code":"unprocessable","message":"damaged"}})";
  ASSERT_TRUE(*jobs().Finish(*c2, JobState::kFailed, error_body, R"({"code":"unprocessable","message":"damaged"})"));
  EXPECT_EQ(MustGet(other.id).state, JobState::kFailed);
  EXPECT_EQ((*jobs().Answer(other.id))->status, 422);
  EXPECT_EQ((*jobs().Answer(other.id))->body, error_body.body);
}

TEST_P(JobsTest, AnUploadIsKeptOnceHoweverManyJobsReadIt) {
  std::string bytes(2 << 20, '\0');
  std::mt19937 rng(5);
  for (char& ch : bytes) ch = static_cast<char>(rng());
  const Job a = Submit(MakeJob("alice", bytes));
  const Job b = Submit(MakeJob("bob", bytes));
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(a.upload_id, Sha256Hex(bytes));
  EXPECT_EQ(b.upload_id, a.upload_id);
  EXPECT_EQ(Count("SELECT count(*) FROM uploads"), 1);
  Result<std::optional<std::string>> back = jobs().Upload(a.upload_id);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_TRUE(**back == bytes);
  EXPECT_FALSE(jobs().Upload(std::string(64, '0'))->has_value());
}

TEST_P(JobsTest, ExpireDeletesOldFinishedJobsAndUploadsNoJobNeeds) {
  const Job done = Submit(MakeJob("alice", "only the finished job's"));
  const Job running = Submit(MakeJob("alice", "the running job's"));
  const Job queued = Submit(MakeJob("alice", "shared"));
  const Job cancelled = Submit(MakeJob("alice", "shared"));
  std::optional<Claim> c = Claim1(jobs(), "r");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->job.id, done.id);
  ASSERT_TRUE(*jobs().Finish(*c, JobState::kSucceeded, MakeResult("{}"), std::nullopt));
  ASSERT_TRUE(Claim1(jobs(), "r"));  // running
  ASSERT_TRUE(jobs().Cancel(cancelled.id).ok());

  Result<int> none = jobs().Expire(std::chrono::hours(1));
  ASSERT_TRUE(none.ok()) << none.error().ToString();
  EXPECT_EQ(*none, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM uploads"), 3);

  Result<int> expired = jobs().Expire(milliseconds(0));
  ASSERT_TRUE(expired.ok()) << expired.error().ToString();
  EXPECT_EQ(*expired, 2);  // the finished and the cancelled job
  EXPECT_FALSE(jobs().Get(done.id)->has_value());
  EXPECT_FALSE(jobs().Answer(done.id)->has_value());
  EXPECT_FALSE(jobs().Get(cancelled.id)->has_value());
  EXPECT_EQ(MustGet(running.id).state, JobState::kRunning);
  EXPECT_EQ(MustGet(queued.id).state, JobState::kQueued);
  EXPECT_FALSE(jobs().Upload(done.upload_id)->has_value());
  EXPECT_TRUE(jobs().Upload(running.upload_id)->has_value());
  EXPECT_TRUE(jobs().Upload(queued.upload_id)->has_value());  // the cancelled job's too
  EXPECT_EQ(Count("SELECT count(*) FROM uploads"), 2);
}

// A runner waits for work; a job submitted (by another replica on
// PostgreSQL, another thread on SQLite) wakes it long before its timeout.
TEST_P(JobsTest, WaitForWorkWakesOnASubmission) {
  std::unique_ptr<Store> other = Postgres() ? Open() : nullptr;
  JobStore& submitter = other ? other->jobs() : jobs();
  // The first wait on PostgreSQL returns once it listens.
  if (Postgres()) {
    EXPECT_LT(Timed([&] { jobs().WaitForWork(seconds(10)); }), seconds(5));
  }
  // Nothing queued: the wait lasts its timeout.
  EXPECT_GE(Timed([&] { jobs().WaitForWork(milliseconds(300)); }), milliseconds(290));

  milliseconds waited{0};
  std::thread waiter([&] { waited = Timed([&] { jobs().WaitForWork(seconds(20)); }); });
  // No condition tells that the waiter is inside WaitForWork(): give it a
  // moment, so that the submission wakes a wait rather than precedes it
  // (either must work).
  std::this_thread::sleep_for(milliseconds(200));
  const auto submitted = steady_clock::now();
  ASSERT_TRUE(submitter.Submit(MakeJob("alice")).ok());
  waiter.join();
  EXPECT_LT(waited, seconds(5));
  EXPECT_LT(steady_clock::now() - submitted, seconds(5));
  EXPECT_TRUE(Claim1(jobs(), "r"));
}

TEST_P(JobsTest, WaitForWorkReturnsAtOnceForAJobQueuedBeforeIt) {
  if (Postgres()) jobs().WaitForWork(seconds(10));  // starts listening
  Submit(MakeJob("alice"));
  EXPECT_LT(Timed([&] { jobs().WaitForWork(seconds(20)); }), seconds(5));
}

TEST_P(JobsTest, InterruptWakesEveryWaiterAndLaterWaits) {
  jobs().WaitForWork(milliseconds(10));
  std::vector<milliseconds> waited(3);
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&, i] { waited[i] = Timed([&] { jobs().WaitForWork(seconds(20)); }); });
  }
  std::this_thread::sleep_for(milliseconds(200));  // as above: let them wait
  jobs().Interrupt();
  for (auto& w : waiters) w.join();
  for (milliseconds w : waited) EXPECT_LT(w, seconds(5));
  EXPECT_LT(Timed([&] { jobs().WaitForWork(seconds(20)); }), seconds(1));
}

// A split job: parts claimed ahead of other jobs, their pages counted as
// the job's progress, the job queued again (without counting an attempt)
// once every part is final, and its parts gone with its answer.
TEST_P(JobsTest, ASplitJobsPartsGoFirstAndTheJobIsJoinedOnceAllAreFinal) {
  const Job a = Submit(MakeJob("alice"));
  const Job b = Submit(MakeJob("bob", "another upload"));
  std::optional<Claim> whole = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->job.id, a.id);
  EXPECT_EQ(whole->job.parts, 0);
  const std::vector<PageRange> ranges = {{1, 2}, {3, 4}, {5, 5}};
  Result<bool> split = jobs().Split(*whole, ranges);
  ASSERT_TRUE(split.ok()) << split.error().ToString();
  EXPECT_TRUE(*split);
  EXPECT_FALSE(*jobs().Split(*whole, ranges));  // the claim is spent
  EXPECT_FALSE(jobs().Beat(*whole, seconds(30), 1, 5)->owned);
  Job waiting = MustGet(a.id);
  EXPECT_EQ(waiting.state, JobState::kRunning);
  EXPECT_EQ(waiting.parts, 3);
  EXPECT_EQ(waiting.pages_total, 5);
  EXPECT_EQ(waiting.pages_done, 0);
  EXPECT_EQ(ListIds("alice", std::nullopt, 10), std::vector<std::string>{a.id});  // parts are not listed

  // The parts come before bob's older job, to any replica.
  auto b_store = Open();
  std::vector<Claim> parts;
  for (int i = 0; i < 3; ++i) {
    std::optional<Claim> c = Claim1(i == 1 ? b_store->jobs() : jobs(), i == 1 ? "replica-b" : "replica-a");
    ASSERT_TRUE(c);
    parts.push_back(*c);
  }
  for (int i = 0; i < 3; ++i) {
    const Job& part = parts[static_cast<size_t>(i)].job;
    EXPECT_EQ(part.parent_id, a.id);
    EXPECT_EQ(part.first_page, ranges[static_cast<size_t>(i)].first_page);
    EXPECT_EQ(part.last_page, ranges[static_cast<size_t>(i)].last_page);
    EXPECT_EQ(part.owner, "alice");
    EXPECT_EQ(part.op, a.op);
    EXPECT_EQ(part.params_json, a.params_json);
    EXPECT_EQ(part.upload_id, a.upload_id);
    EXPECT_EQ(part.callback_url, "");
    EXPECT_EQ(part.attempts, 1);
    EXPECT_EQ(part.pages_total, part.last_page - part.first_page + 1);
  }
  EXPECT_EQ(MustGet(b.id).state, JobState::kQueued);
  std::optional<Claim> bob = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->job.id, b.id);
  EXPECT_EQ(jobs().Split(parts[0], {{1, 1}}).error().code, ErrorCode::kBadRequest);  // a part is not split again
  EXPECT_EQ(jobs().Split(*bob, {}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(jobs().Split(*bob, {{2, 3}}).error().code, ErrorCode::kBadRequest);

  // Progress: the parts' pages add up, a late beat's too.
  ASSERT_TRUE(jobs().Beat(parts[0], seconds(30), 1, 2)->owned);
  ASSERT_TRUE(b_store->jobs().Beat(parts[1], seconds(30), 2, 2)->owned);
  ASSERT_TRUE(jobs().Beat(parts[0], seconds(30), 2, 2)->owned);
  EXPECT_EQ(MustGet(a.id).pages_done, 4);
  Result<std::vector<Job>> listed = jobs().Parts(a.id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].id, parts[0].job.id);
  EXPECT_EQ((*listed)[2].id, parts[2].job.id);

  // Two parts end: the job still waits, and nothing is queued.
  ASSERT_TRUE(*jobs().Finish(parts[0], JobState::kSucceeded, MakeResult("pages 1-2"), std::nullopt));
  ASSERT_TRUE(*jobs().Finish(parts[2], JobState::kSucceeded, MakeResult("page 5"), std::nullopt));
  EXPECT_EQ(MustGet(a.id).state, JobState::kRunning);
  EXPECT_FALSE(Claim1(jobs(), "replica-a"));
  // The last one queues it again; its claim is the join.
  ASSERT_TRUE(*b_store->jobs().Finish(parts[1], JobState::kSucceeded, MakeResult("pages 3-4"), std::nullopt));
  std::optional<Claim> join = ClaimEventually(jobs(), "replica-a", seconds(30));
  ASSERT_TRUE(join);
  EXPECT_EQ(join->job.id, a.id);
  EXPECT_EQ(join->job.parts, 3);
  EXPECT_EQ(join->job.attempts, 1);
  EXPECT_EQ(join->job.started_at, whole->job.started_at);
  EXPECT_EQ((*jobs().Answer(parts[1].job.id))->body, "pages 3-4");
  ASSERT_TRUE(*jobs().Finish(*join, JobState::kSucceeded, MakeResult("record"), std::nullopt));
  EXPECT_TRUE(jobs().Parts(a.id)->empty());
  EXPECT_FALSE(jobs().Get(parts[0].job.id)->has_value());
  EXPECT_EQ((*jobs().Answer(a.id))->body, "record");
  EXPECT_EQ(MustGet(a.id).state, JobState::kSucceeded);
}

TEST_P(JobsTest, AQueueWithoutSplitJobsGainsThemOnOpen) {
  const Job queued = Submit(MakeJob("alice"));
  store_.reset();
  // The queue as the pactum before split jobs made it.
  std::string drop = "DROP INDEX jobs_claim; DROP INDEX jobs_parts; "
                     "CREATE INDEX jobs_queued ON jobs (seq) WHERE state = 'queued';";
  for (const char* column : {"parent_id", "first_page", "last_page", "parts", "parts_left"}) {
    drop += std::string("ALTER TABLE jobs DROP COLUMN ") + column + ";";
  }
  Exec(drop);
  store_ = Open();
  ASSERT_TRUE(store_);
  std::optional<Claim> c = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->job.id, queued.id);
  EXPECT_TRUE(*jobs().Split(*c, {{1, 1}}));
  std::optional<Claim> part = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->job.parent_id, queued.id);
  EXPECT_EQ(Count("SELECT count(*) FROM jobs"), 2);
}

TEST_P(JobsTest, CancellingASplitJobCancelsItsPartsThenTheJob) {
  const Job a = Submit(MakeJob("alice"));
  std::optional<Claim> whole = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(whole);
  ASSERT_TRUE(*jobs().Split(*whole, {{1, 1}, {2, 2}, {3, 3}}));
  std::optional<Claim> running = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(running);
  Result<std::optional<Job>> cancelled = Open()->jobs().Cancel(a.id);
  ASSERT_TRUE(cancelled.ok() && cancelled->has_value());
  EXPECT_EQ((*cancelled)->state, JobState::kRunning);
  EXPECT_TRUE((*cancelled)->cancel_requested);
  Result<std::vector<Job>> parts = jobs().Parts(a.id);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].state, JobState::kRunning);
  EXPECT_EQ((*parts)[1].state, JobState::kCancelled);
  EXPECT_EQ((*parts)[2].state, JobState::kCancelled);
  EXPECT_FALSE(Claim1(jobs(), "replica-b"));  // it waits for the running part
  EXPECT_TRUE(jobs().Beat(*running, seconds(30), 0, 1)->cancel_requested);
  ASSERT_TRUE(*jobs().Finish(*running, JobState::kCancelled, std::nullopt, std::nullopt));
  std::optional<Claim> last = ClaimEventually(jobs(), "replica-b", seconds(30));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->job.id, a.id);
  EXPECT_TRUE(last->job.cancel_requested);
  ASSERT_TRUE(*jobs().Finish(*last, JobState::kCancelled, std::nullopt, std::nullopt));
  EXPECT_EQ(MustGet(a.id).state, JobState::kCancelled);
}

TEST_P(JobsTest, APartWhoseReplicasDiedFailsAndItsJobIsJoinedToReportIt) {
  NewJob in = MakeJob("alice");
  in.max_attempts = 1;
  const Job a = Submit(in);
  std::optional<Claim> whole = Claim1(jobs(), "replica-a");
  ASSERT_TRUE(whole);
  ASSERT_TRUE(*jobs().Split(*whole, {{1, 4}}));
  std::optional<Claim> part = Claim1(jobs(), "replica-a", milliseconds(100));
  ASSERT_TRUE(part);
  ASSERT_EQ(part->job.parent_id, a.id);
  // Replica a dies; the next claimant gives the part up, and the job is
  // queued again.
  std::optional<Claim> join = ClaimEventually(jobs(), "replica-b", seconds(30));
  ASSERT_TRUE(join);
  EXPECT_EQ(join->job.id, a.id);
  Result<std::vector<Job>> parts = jobs().Parts(a.id);
  ASSERT_TRUE(parts.ok() && parts->size() == 1);
  EXPECT_EQ((*parts)[0].state, JobState::kFailed);
  ASSERT_TRUE((*parts)[0].error_json);
  EXPECT_NE(parts->front().error_json->find("interrupted 1 time"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobsTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& backend) { return backend.param; });

// The archive as pactum before the job queue wrote it (schema version 1:
// documents and originals only); `seq` is the type of documents.seq.
std::string Version1Tables(const std::string& seq) {
  return R"sql(
CREATE TABLE documents (
  seq )sql" + seq + R"sql(,
  id TEXT NOT NULL UNIQUE,
  media_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  stored_at TEXT NOT NULL,
  year INTEGER,
  search_text TEXT NOT NULL,
  parties TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX documents_year ON documents (year, seq);
CREATE TABLE originals (id TEXT PRIMARY KEY, bytes BYTEA NOT NULL);
)sql";
}

// Opens `uri` after the version-1 tables were made there, with one
// document; the job queue works and the document is still there.
void ExpectVersion1ArchiveGainsTheQueue(const std::string& uri) {
  Result<std::unique_ptr<Store>> s = Store::Open(uri);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  Result<std::optional<std::string>> record = (*s)->Record(Sha256Hex("old"));
  ASSERT_TRUE(record.ok());
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ(**record, R"({"id":"old"})");
  Result<Job> job = (*s)->jobs().Submit(MakeJob("alice"));
  ASSERT_TRUE(job.ok()) << job.error().ToString();
  Result<std::optional<Claim>> claim = (*s)->jobs().ClaimNext("r", seconds(30));
  ASSERT_TRUE(claim.ok() && claim->has_value());
  EXPECT_EQ((*claim)->job.id, job->id);
  // And once more: opening the migrated archive again changes nothing.
  s->reset();
  Result<std::unique_ptr<Store>> again = Store::Open(uri);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ((*(*again)->jobs().Get(job->id))->state, JobState::kRunning);
}

std::string Version1Insert() {
  return "INSERT INTO documents (id, media_type, bytes, stored_at, search_text, parties, record) VALUES ('" +
         Sha256Hex("old") + R"(', 'application/pdf', 3, '2026-01-01T00:00:00Z', '', '', '{"id":"old"}');)" +
         "INSERT INTO originals (id, bytes) VALUES ('" + Sha256Hex("old") + "', 'old');";
}

TEST(JobsMigrationTest, SqliteArchiveOfVersion1GainsTheJobTables) {
  const std::string uri = FreshStoreUri("sqlite");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(uri.substr(7).c_str(), &db), SQLITE_OK);
  const std::string sql =
      Version1Tables("INTEGER PRIMARY KEY AUTOINCREMENT") + Version1Insert() + "PRAGMA user_version = 1;";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  ExpectVersion1ArchiveGainsTheQueue(uri);
}

TEST(JobsMigrationTest, PostgresArchiveOfVersion1GainsTheJobTables) {
  const std::string uri = FreshStoreUri("postgresql");
  ASSERT_FALSE(uri.empty());
  PGconn* c = PQconnectdb(uri.c_str());
  const std::string sql = "CREATE TABLE pactum_schema (version INTEGER NOT NULL); "
                          "INSERT INTO pactum_schema VALUES (1);" +
                          Version1Tables("BIGSERIAL PRIMARY KEY") + Version1Insert();
  PGresult* r = PQexec(c, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  ExpectVersion1ArchiveGainsTheQueue(uri);
}

TEST(JobStateTest, NamesRoundTripAndFinalStates) {
  for (JobState s : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded, JobState::kFailed,
                     JobState::kCancelled}) {
    EXPECT_EQ(ParseJobState(JobStateName(s)), s);
  }
  EXPECT_EQ(JobStateName(JobState::kCancelled), "cancelled");
  EXPECT_FALSE(ParseJobState("Queued"));
  EXPECT_FALSE(ParseJobState(""));
  EXPECT_FALSE(IsFinal(JobState::kQueued));
  EXPECT_FALSE(IsFinal(JobState::kRunning));
  EXPECT_TRUE(IsFinal(JobState::kSucceeded));
  EXPECT_TRUE(IsFinal(JobState::kFailed));
  EXPECT_TRUE(IsFinal(JobState::kCancelled));
}

}  // namespace
}  // namespace pactum::store
