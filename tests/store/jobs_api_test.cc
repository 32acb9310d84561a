// The jobs API end to end: real `pactum serve` processes on loopback, their
// job queue in a real SQLite file or on the fixture's PostgreSQL server,
// real documents of the dev corpus. A replica is killed with SIGKILL in the
// middle of a job; every job must still finish exactly once, with the answer
// of the synchronous endpoint.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "child_process.h"
#include "store_test_util.h"
#include "test_util.h"

namespace pactum::service {
namespace {

using json = nlohmann::json;
using testutil::Child;
using testutil::CorpusPath;
using testutil::IsError;
using testutil::ReadFile;
using testutil::TempPath;
using testutil::WaitUntil;
using testutil::WriteFile;

// A `pactum serve` replica with one worker (unless `extra` says how many)
// on `store`.
class Replica {
 public:
  Replica(const std::string& store, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"serve", "--port", "0", "--store", store, "--job-lease-seconds", "2"};
    if (std::find(extra.begin(), extra.end(), "--workers") == extra.end()) {
      args.insert(args.end(), {"--workers", "1"});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    child_ = std::make_unique<Child>(args);
    port_ = child_->AwaitListeningPort();
    EXPECT_GT(port_, 0) << child_->Stderr();
  }

  std::unique_ptr<httplib::Client> Client(const std::string& key = "") const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_read_timeout(120);
    if (!key.empty()) c->set_bearer_token_auth(key);
    return c;
  }
  Child& process() { return *child_; }
  int port() const { return port_; }

 private:
  std::unique_ptr<Child> child_;
  int port_ = -1;
};

// POST /v1/jobs?QUERY with `bytes`; the job object of the 202.
json Submit(httplib::Client& c, const std::string& query, const std::string& bytes) {
  auto r = c.Post(("/v1/jobs?" + query).c_str(), bytes, "application/octet-stream");
  EXPECT_TRUE(r) << httplib::to_string(r.error());
  if (!r) return json();
  EXPECT_EQ(r->status, 202) << r->body;
  const json job = json::parse(r->body, nullptr, false);
  EXPECT_EQ(r->get_header_value("Location"), "/v1/jobs/" + job.value("id", std::string()));
  return job;
}

json GetJob(httplib::Client& c, const std::string& id) {
  auto r = c.Get(("/v1/jobs/" + id).c_str());
  if (!r || r->status != 200) return json();
  return json::parse(r->body, nullptr, false);
}

// Polls the job until `pred` holds (or `limit` passes); its last state.
json AwaitJob(httplib::Client& c, const std::string& id, const std::function<bool(const json&)>& pred,
              std::chrono::milliseconds limit = std::chrono::seconds(90)) {
  json job;
  WaitUntil(
      [&] {
        job = GetJob(c, id);
        return job.is_object() && pred(job);
      },
      limit);
  return job;
}

bool Final(const json& job) {
  const std::string s = job.value("state", "");
  return s == "succeeded" || s == "failed" || s == "cancelled";
}

std::string SqliteStore() { return storetest::FreshStoreUri("sqlite"); }

TEST(JobsApiTest, AnExtractionJobAnswersWhatTheSynchronousCallAnswers) {
  Replica replica(SqliteStore());
  auto c = replica.Client();
  const std::string pdf = ReadFile(CorpusPath("a01-born-digital.pdf"));
  const json submitted = Submit(*c, "op=extract&ocr=auto", pdf);
  ASSERT_TRUE(submitted.is_object());
  EXPECT_EQ(submitted["op"], "extract");
  EXPECT_TRUE(submitted["state"] == "queued" || submitted["state"] == "running") << submitted.dump();
  EXPECT_EQ(submitted["id"].get<std::string>().size(), 32u);
  EXPECT_TRUE(submitted["result_url"].is_null());

  const json done = AwaitJob(*c, submitted["id"], Final);
  ASSERT_EQ(done.value("state", ""), "succeeded") << done.dump();
  EXPECT_EQ(done["result_url"], "/v1/jobs/" + submitted["id"].get<std::string>() + "/result");
  EXPECT_EQ(done["attempts"], 1);
  EXPECT_FALSE(done["started_at"].is_null());
  EXPECT_FALSE(done["finished_at"].is_null());
  EXPECT_TRUE(done["error"].is_null());
  EXPECT_EQ(done["pages_done"], done["pages_total"]);

  auto result = c->Get(done["result_url"].get<std::string>().c_str());
  ASSERT_TRUE(result);
  auto sync = c->Post("/v1/extract?ocr=auto", pdf, "application/pdf");
  ASSERT_TRUE(sync);
  EXPECT_EQ(result->status, sync->status);
  EXPECT_EQ(result->get_header_value("Content-Type"), sync->get_header_value("Content-Type"));
  EXPECT_EQ(json::parse(result->body), json::parse(sync->body));
}

TEST(JobsApiTest, VerifyAndFailedJobsKeepTheSynchronousAnswer) {
  Replica replica(SqliteStore());
  auto c = replica.Client();
  // A PDF without signatures: the report of /v1/verify.
  const std::string pdf = ReadFile(CorpusPath("seed-born-digital.pdf"));
  const json verify = AwaitJob(*c, Submit(*c, "op=verify", pdf)["id"], Final);
  ASSERT_EQ(verify.value("state", ""), "succeeded") << verify.dump();
  auto result = c->Get(("/v1/jobs/" + verify["id"].get<std::string>() + "/result").c_str());
  auto sync = c->Post("/v1/verify", pdf, "application/pdf");
  ASSERT_TRUE(result && sync);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(json::parse(result->body), json::parse(sync->body));

  // A truncated PDF: the job fails with the 422 the endpoint gives.
  const std::string broken = pdf.substr(0, 400);
  const json failed = AwaitJob(*c, Submit(*c, "op=extract", broken)["id"], Final);
  ASSERT_EQ(failed.value("state", ""), "failed") << failed.dump();
  EXPECT_EQ(failed["error"]["code"], "unprocessable");
  auto answer = c->Get(("/v1/jobs/" + failed["id"].get<std::string>() + "/result").c_str());
  EXPECT_TRUE(IsError(answer, 422, "unprocessable"));
}

TEST(JobsApiTest, BadSubmissionsAreRefusedAtOnce) {
  Replica replica(SqliteStore());
  auto c = replica.Client();
  const std::string pdf = ReadFile(CorpusPath("seed-born-digital.pdf"));
  EXPECT_TRUE(IsError(c->Post("/v1/jobs", pdf, "application/pdf"), 400, "bad_request"));                 // no op
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=shred", pdf, "application/pdf"), 400, "bad_request"));       // unknown op
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=extract&op=verify", pdf, "application/pdf"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=extract&ocr=sometimes", pdf, "application/pdf"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=extract&colour=red", pdf, "application/pdf"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=verify&ocr=never", pdf, "application/pdf"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=extract", "", "application/pdf"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=extract", "just some text", "text/plain"), 415, "unsupported_media_type"));
  // No signing key configured.
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=sign", pdf, "application/pdf"), 400, "bad_request"));
  // No --callback-allow: no callbacks.
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=extract&callback_url=http%3A%2F%2F127.0.0.1%3A9%2Fhook", pdf,
                              "application/pdf"),
                      400, "bad_request"));
  // None of them became a job.
  auto list = c->Get("/v1/jobs");
  ASSERT_TRUE(list);
  EXPECT_EQ(json::parse(list->body)["jobs"].size(), 0u) << list->body;

  const std::string unknown(32, 'a');
  EXPECT_TRUE(IsError(c->Get(("/v1/jobs/" + unknown).c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(c->Get(("/v1/jobs/" + unknown + "/result").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(c->Delete(("/v1/jobs/" + unknown).c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(c->Get("/v1/jobs/not-a-job-id"), 404, "not_found"));
  EXPECT_TRUE(IsError(c->Get("/v1/jobs?state=sleeping"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Get("/v1/jobs?limit=0"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Put("/v1/jobs", "", "text/plain"), 405, "method_not_allowed"));
  // The service is still there.
  auto health = c->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST(JobsApiTest, WithoutAnArchiveJobsAreRefused) {
  Replica replica("none");
  auto c = replica.Client();
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=extract", ReadFile(CorpusPath("seed-born-digital.pdf")), "application/pdf"),
                      400, "bad_request"));
  EXPECT_TRUE(IsError(c->Get("/v1/jobs"), 400, "bad_request"));
}

TEST(JobsApiTest, CancellingARunningScanStopsItAndItHasNoResult) {
  Replica replica(SqliteStore());
  auto c = replica.Client();
  const json job = Submit(*c, "op=extract&ocr=always", ReadFile(CorpusPath("seed-scan-300-gray.pdf")));
  const std::string id = job["id"];
  const json running = AwaitJob(*c, id, [](const json& j) { return j["state"] == "running"; });
  ASSERT_EQ(running.value("state", ""), "running") << running.dump();
  // Before the end there is no result.
  EXPECT_TRUE(IsError(c->Get(("/v1/jobs/" + id + "/result").c_str()), 409, "conflict"));

  auto del = c->Delete(("/v1/jobs/" + id).c_str());
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
  const auto t0 = std::chrono::steady_clock::now();
  const json cancelled = AwaitJob(*c, id, Final, std::chrono::seconds(20));
  EXPECT_EQ(cancelled.value("state", ""), "cancelled") << cancelled.dump();
  // Seen at the next heartbeat (every second), the worker stopped at once.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
  EXPECT_TRUE(IsError(c->Get(("/v1/jobs/" + id + "/result").c_str()), 409, "conflict"));

  // A queued job is cancelled at once; the replica goes on with the next.
  const json next = AwaitJob(*c, Submit(*c, "op=extract", ReadFile(CorpusPath("a05-born-digital.pdf")))["id"], Final);
  EXPECT_EQ(next.value("state", ""), "succeeded") << next.dump();
  EXPECT_NE(replica.process().Stderr().find("job " + id + " cancelled by its client"), std::string::npos);
}

TEST(JobsApiTest, AJobOverItsTimeLimitKeepsThePagesReadAndShowsProgress) {
  // A 12-page scan (the 4-page one three times), about 20 s of OCR here;
  // the job may take 12 s, of which its pages 10 s.
  const std::string scan = CorpusPath("seed-scan-300-gray.pdf"), twelve = TempPath("twelve-pages.pdf");
  ASSERT_EQ(std::system(("qpdf --empty --pages " + scan + " " + scan + " " + scan + " -- " + twelve).c_str()), 0);
  Replica replica(SqliteStore(), {"--job-timeout-seconds", "12"});
  auto c = replica.Client();
  const json job = Submit(*c, "op=extract&ocr=always", ReadFile(twelve));
  const std::string id = job["id"];
  // Progress as the pages are read.
  const json counted = AwaitJob(*c, id, [](const json& j) { return j["pages_done"] > 0 || Final(j); });
  EXPECT_EQ(counted["pages_total"], 12) << counted.dump();
  EXPECT_EQ(counted["state"], "running") << counted.dump();
  const json done = AwaitJob(*c, id, Final);
  ASSERT_EQ(done.value("state", ""), "succeeded") << done.dump();
  auto result = c->Get(("/v1/jobs/" + id + "/result").c_str());
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json record = json::parse(result->body);
  // What was read by the time limit is kept.
  ASSERT_EQ(record.value("partial", false), true) << result->body.substr(0, 400);
  const auto missing = record["missing_pages"].get<std::vector<int>>();
  EXPECT_FALSE(missing.empty());
  EXPECT_EQ(record["document"]["pages"], 12);
  EXPECT_EQ(record["document"]["page_info"].size() + missing.size(), 12u);
  EXPECT_FALSE(record["document"]["page_info"].empty());
  EXPECT_EQ(done["pages_total"], 12);
  EXPECT_EQ(done["pages_done"].get<int>(), static_cast<int>(record["document"]["page_info"].size()));
}

TEST(JobsApiTest, AtMostJobConcurrencyJobsRunAndTheOtherWorkersServeRequests) {
  Replica replica(SqliteStore(), {"--workers", "2", "--job-concurrency", "1", "--job-part-pages", "0"});
  auto c = replica.Client();
  const std::string scan = CorpusPath("seed-scan-300-gray.pdf"), twelve = TempPath("twelve-pages-cap.pdf");
  ASSERT_EQ(std::system(("qpdf --empty --pages " + scan + " " + scan + " " + scan + " -- " + twelve).c_str()), 0);
  const std::string long_job = Submit(*c, "op=extract&ocr=always", ReadFile(twelve))["id"];
  ASSERT_EQ(AwaitJob(*c, long_job, [](const json& j) { return j["state"] != "queued"; }).value("state", ""),
            "running");
  const std::string short_job = Submit(*c, "op=extract", ReadFile(CorpusPath("a01-born-digital.pdf")))["id"];
  // The second worker answers a synchronous request at once...
  auto sync = c->Post("/v1/extract", ReadFile(CorpusPath("a05-born-digital.pdf")), "application/pdf");
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->status, 200) << sync->body;
  // ...but takes no second job while the first runs.
  EXPECT_EQ(GetJob(*c, short_job)["state"], "queued");
  EXPECT_EQ(GetJob(*c, long_job)["state"], "running");
  auto del = c->Delete(("/v1/jobs/" + long_job).c_str());
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
  EXPECT_EQ(AwaitJob(*c, short_job, Final).value("state", ""), "succeeded");
  EXPECT_EQ(GetJob(*c, long_job)["state"], "cancelled");
}

TEST(JobsApiTest, ListShowsOnlyTheKeysOwnJobsFilteredAndInPages) {
  const std::string keys = TempPath("keys");
  WriteFile(keys, storetest::Sha256Hex("key-of-alice") + " alice\n" + storetest::Sha256Hex("key-of-bob") + " bob\n");
  Replica replica(SqliteStore(), {"--api-keys", keys});
  auto alice = replica.Client("key-of-alice");
  auto bob = replica.Client("key-of-bob");
  std::vector<std::string> ids;
  for (const char* name : {"a01-born-digital.pdf", "a05-born-digital.pdf", "b01-born-digital.pdf"}) {
    ids.push_back(Submit(*alice, "op=verify", ReadFile(CorpusPath(name)))["id"]);
  }
  for (const auto& id : ids) AwaitJob(*alice, id, Final);
  // Bob sees none of them.
  EXPECT_TRUE(IsError(bob->Get(("/v1/jobs/" + ids[0]).c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(bob->Delete(("/v1/jobs/" + ids[0]).c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(bob->Get(("/v1/jobs/" + ids[0] + "/result").c_str()), 404, "not_found"));
  auto bobs = bob->Get("/v1/jobs");
  ASSERT_TRUE(bobs);
  EXPECT_EQ(json::parse(bobs->body)["jobs"].size(), 0u);
  // Alice pages through hers, newest first.
  auto page1 = alice->Get("/v1/jobs?state=succeeded&limit=2");
  ASSERT_TRUE(page1);
  const json p1 = json::parse(page1->body);
  ASSERT_EQ(p1["jobs"].size(), 2u) << page1->body;
  EXPECT_EQ(p1["jobs"][0]["id"], ids[2]);
  EXPECT_EQ(p1["jobs"][1]["id"], ids[1]);
  ASSERT_TRUE(p1["next_cursor"].is_string());
  auto page2 = alice->Get(("/v1/jobs?state=succeeded&limit=2&cursor=" + p1["next_cursor"].get<std::string>()).c_str());
  ASSERT_TRUE(page2);
  const json p2 = json::parse(page2->body);
  ASSERT_EQ(p2["jobs"].size(), 1u) << page2->body;
  EXPECT_EQ(p2["jobs"][0]["id"], ids[0]);
  EXPECT_TRUE(p2["next_cursor"].is_null());
  auto running = alice->Get("/v1/jobs?state=running");
  ASSERT_TRUE(running);
  EXPECT_EQ(json::parse(running->body)["jobs"].size(), 0u);
  // Without a key: 401 as everywhere.
  EXPECT_TRUE(IsError(replica.Client()->Get("/v1/jobs"), 401, "unauthorized"));
}

// `s` percent-encoded for a query string.
std::string QueryEncode(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

// HMAC-SHA256 of "<t>.<body>" under `secret`, lowercase hex.
std::string Hmac(const std::string& secret, const std::string& t, const std::string& body) {
  const std::string msg = t + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &len);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 15];
  }
  return hex;
}

TEST(JobsApiTest, AFinishedJobIsPostedToItsCallbackSignedAndRetriedAfterA500) {
  // A receiver on loopback that fails the first delivery.
  httplib::Server receiver;
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> deliveries;  // signature header, body
  receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    deliveries.emplace_back(req.get_header_value("Pactum-Signature"), req.body);
    res.status = deliveries.size() == 1 ? 500 : 204;
  });
  const int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });

  const std::string secret_file = TempPath("callback-secret");
  WriteFile(secret_file, "s3cret-of-the-operator\n");
  Replica replica(SqliteStore(), {"--callback-allow", "127.0.0.1", "--callback-secret-file", secret_file});
  auto c = replica.Client();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  const json job = Submit(*c, "op=verify&callback_url=" + QueryEncode(url),
                          ReadFile(CorpusPath("seed-born-digital.pdf")));
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return deliveries.size() >= 2;
      },
      std::chrono::seconds(30)));
  receiver.stop();
  serving.join();
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& [signature, body] : deliveries) {
    const json posted = json::parse(body);
    EXPECT_EQ(posted["id"], job["id"]);
    EXPECT_EQ(posted["state"], "succeeded");
    EXPECT_EQ(posted["result_url"], "/v1/jobs/" + job["id"].get<std::string>() + "/result");
    // t=<unix seconds>,v1=<HMAC-SHA256 of "t.body">
    std::smatch m;
    ASSERT_TRUE(std::regex_match(signature, m, std::regex("t=(\\d+),v1=([0-9a-f]{64})"))) << signature;
    EXPECT_EQ(m[2].str(), Hmac("s3cret-of-the-operator", m[1].str(), body));
    EXPECT_NE(m[2].str(), Hmac("another-secret", m[1].str(), body));
  }
  // A callback to an address the operator did not allow is refused at once.
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=verify&callback_url=http%3A%2F%2F10.1.2.3%2Fhook",
                              ReadFile(CorpusPath("seed-born-digital.pdf")), "application/pdf"),
                      400, "bad_request"));
}

// The ids of the jobs a replica's log says it started and finished.
std::set<std::string> LoggedJobs(const std::string& log, const std::string& what) {
  std::set<std::string> ids;
  const std::regex re("job ([0-9a-f]{32}) " + what);
  for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator(); ++it) {
    ids.insert((*it)[1]);
  }
  return ids;
}

int CountFinished(const std::string& log, const std::string& id) {
  int n = 0;
  for (std::size_t at = log.find("job " + id + " finished on"); at != std::string::npos;
       at = log.find("job " + id + " finished on", at + 1)) {
    ++n;
  }
  return n;
}

// A replica killed in the middle of a job: after its lease runs out, the job
// is taken again and finishes with the synchronous answer. `store` is shared.
void RunJobsThroughAKilledReplica(const std::string& store, int replicas, int jobs) {
  std::vector<std::unique_ptr<Replica>> fleet;
  for (int i = 0; i < replicas; ++i) fleet.push_back(std::make_unique<Replica>(store));
  auto c = fleet.back()->Client();

  // One scan first (slow: OCR), then born-digital agreements.
  const std::vector<std::string> names = {"a01-born-digital.pdf", "a05-born-digital.pdf", "b01-born-digital.pdf",
                                          "c01-born-digital.pdf", "seed-born-digital.pdf"};
  std::vector<std::pair<std::string, std::string>> submitted;  // id, file
  submitted.emplace_back(Submit(*c, "op=extract&ocr=auto", ReadFile(CorpusPath("b02-scan-300-gray.pdf")))["id"],
                         "b02-scan-300-gray.pdf");
  // The replica that took the scan is killed as soon as it started it.
  const std::string scan = submitted[0].first;
  int victim = -1;
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (int i = 0; i < replicas; ++i) {
          if (LoggedJobs(fleet[i]->process().Stderr(), "\\(extract\\) started").count(scan)) victim = i;
        }
        return victim >= 0;
      },
      std::chrono::seconds(30)));
  auto survivor = fleet[(victim + 1) % replicas]->Client();
  for (int i = 1; i < jobs; ++i) {
    const std::string& name = names[static_cast<std::size_t>(i) % names.size()];
    submitted.emplace_back(Submit(*survivor, "op=extract", ReadFile(CorpusPath(name)))["id"], name);
  }
  fleet[victim]->process().Signal(SIGKILL);
  fleet[victim]->process().Wait();

  std::map<std::string, json> sync;  // file -> the synchronous record
  for (const auto& [id, name] : submitted) {
    const json job = AwaitJob(*survivor, id, Final, std::chrono::seconds(120));
    ASSERT_EQ(job.value("state", ""), "succeeded") << name << ": " << job.dump();
    if (id == scan) {
      EXPECT_GE(job["attempts"].get<int>(), 2) << job.dump();
    }
    auto result = survivor->Get(("/v1/jobs/" + id + "/result").c_str());
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    if (!sync.count(name)) {
      auto r = survivor->Post("/v1/extract", ReadFile(CorpusPath(name)), "application/pdf");
      ASSERT_TRUE(r);
      sync[name] = json::parse(r->body);
    }
    EXPECT_EQ(json::parse(result->body), sync[name]) << name;
  }
  // Exactly once: one "finished" line per job over all the replicas' logs.
  for (const auto& [id, name] : submitted) {
    int finished = 0;
    for (auto& r : fleet) finished += CountFinished(r->process().Stderr(), id);
    EXPECT_EQ(finished, 1) << id << " (" << name << ")";
  }
  // The jobs were shared: more than one replica finished some.
  int working = 0;
  for (int i = 0; i < replicas; ++i) {
    if (!LoggedJobs(fleet[i]->process().Stderr(), "finished on").empty()) ++working;
  }
  if (replicas > 2) {
    EXPECT_GE(working, 2);
  }
}

TEST(JobsApiTest, AJobOfAKilledReplicaIsTakenAgainAfterARestart) {
  // One replica on SQLite: killed mid-job, a new one on the same file
  // finishes the job.
  const std::string store = SqliteStore();
  std::string id;
  {
    Replica first(store);
    auto c = first.Client();
    id = Submit(*c, "op=extract&ocr=always", ReadFile(CorpusPath("b02-scan-300-gray.pdf")))["id"];
    ASSERT_EQ(AwaitJob(*c, id, [](const json& j) { return j["state"] == "running"; }).value("state", ""), "running");
    first.process().Signal(SIGKILL);
    first.process().Wait();
  }
  Replica second(store);
  auto c = second.Client();
  const json job = AwaitJob(*c, id, Final, std::chrono::seconds(120));
  EXPECT_EQ(job.value("state", ""), "succeeded") << job.dump();
  EXPECT_EQ(job["attempts"], 2);
}

TEST(JobsReplicasTest, TwentyJobsOnThreeReplicasSurviveAKilledOneAndFinishExactlyOnce) {
  const std::string store = storetest::FreshStoreUri("postgresql");
  ASSERT_FALSE(store.empty());
  RunJobsThroughAKilledReplica(store, 3, 20);
}

// A scan split into parts of one page: the parts are read by both
// replicas' workers, and the joined record is the synchronous one.
TEST(JobsReplicasTest, AScanIsReadInPartsByEveryReplicaAndJoinedAsTheSynchronousCallReadsIt) {
  const std::string store = storetest::FreshStoreUri("postgresql");
  ASSERT_FALSE(store.empty());
  Replica a(store, {"--job-part-pages", "1"}), b(store, {"--job-part-pages", "1"});
  auto c = a.Client();
  const std::string scan = ReadFile(CorpusPath("a02-scan-200-bw.pdf"));  // 3 pages
  const std::string id = Submit(*c, "op=extract&ocr=auto", scan)["id"];
  const json done = AwaitJob(*c, id, Final, std::chrono::seconds(120));
  ASSERT_EQ(done.value("state", ""), "succeeded") << done.dump();
  EXPECT_EQ(done["pages_total"], 3);
  EXPECT_EQ(done["pages_done"], 3);
  EXPECT_EQ(done["attempts"], 1);
  auto result = c->Get(("/v1/jobs/" + id + "/result").c_str());
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  auto sync = b.Client()->Post("/v1/extract", scan, "application/pdf");
  ASSERT_TRUE(sync);
  EXPECT_EQ(result->body, sync->body);

  // The job was split on one replica; its three parts ran on both, each
  // once; the job finished once, after them.
  const std::string logs[] = {a.process().Stderr(), b.process().Stderr()};
  EXPECT_EQ(LoggedJobs(logs[0], "split into parts").count(id) + LoggedJobs(logs[1], "split into parts").count(id), 1u);
  std::set<std::string> parts;
  for (const std::string& log : logs) {
    std::set<std::string> started = LoggedJobs(log, "\\(extract\\) started");
    started.erase(id);
    EXPECT_FALSE(started.empty()) << "a replica read no part:\n" << log;
    for (const std::string& part : started) EXPECT_TRUE(parts.insert(part).second) << part << " ran twice";
  }
  EXPECT_EQ(parts.size(), 3u);
  EXPECT_EQ(CountFinished(logs[0], id) + CountFinished(logs[1], id), 1);
  // Parts are no jobs of the client's.
  auto listed = c->Get("/v1/jobs");
  ASSERT_TRUE(listed);
  EXPECT_EQ(json::parse(listed->body)["jobs"].size(), 1u) << listed->body;
  for (const std::string& part : parts) {
    auto r = c->Get(("/v1/jobs/" + part).c_str());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
  }
}

}  // namespace
}  // namespace pactum::service
