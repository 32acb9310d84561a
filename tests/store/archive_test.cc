// The archive over HTTP: POST /v1/documents and /v1/extract?store=true keep
// record and original, GET serves them back and searches, on a real server
// with real workers, on SQLite and on PostgreSQL.
#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "pactum/service/server.h"
#include "store_test_util.h"
#include "test_util.h"

namespace pactum::service {
namespace {

using json = nlohmann::json;
using testutil::CorpusPath;
using testutil::IsError;
using testutil::ReadFile;
using testutil::SeedPdf;

class ArchiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::warn); }

  void Start(const std::string& store_uri) {
    server_.reset();
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.workers = 1;
    o.worker.binary = PACTUM_BINARY;
    o.store_uri = store_uri;
    server_ = std::make_unique<Server>(o);
    Result<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().ToString();
  }
  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    c->set_read_timeout(60);
    return c;
  }
  httplib::Result Post(const std::string& target, const std::string& body) {
    return Client()->Post(target.c_str(), body, "application/octet-stream");
  }
  json Find(const std::string& query) {
    auto r = Client()->Get(("/v1/documents" + query).c_str());
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r && r->status == 200 ? json::parse(r->body) : json::object();
  }
  static std::vector<std::string> IdsOf(const json& page) {
    std::vector<std::string> ids;
    for (const json& d : page.value("documents", json::array())) ids.push_back(d["id"]);
    return ids;
  }

  // Stores two born-digital agreements of the dev corpus and checks every
  // way of reading them back.
  void StoreAndReadBack() {
    const std::string a = ReadFile(CorpusPath("a01-born-digital.pdf"));
    const std::string c = ReadFile(CorpusPath("c01-born-digital.pdf"));
    // Multipart upload to /v1/documents: 201, Location, the record with the
    // part's file name.
    httplib::MultipartFormDataItems form{{"file", a, "a01.pdf", "application/pdf"}};
    auto stored = Client()->Post("/v1/documents", form);
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->status, 201) << stored->body;
    json record_a = json::parse(stored->body);
    EXPECT_EQ(record_a["document"]["file_name"], "a01.pdf");
    const std::string id_a = record_a["id"];
    EXPECT_EQ(id_a, storetest::Sha256Hex(a));
    EXPECT_EQ(stored->get_header_value("Location"), "/v1/documents/" + id_a);
    // The same record as a plain extraction.
    auto plain = Post("/v1/extract", a);
    ASSERT_TRUE(plain);
    EXPECT_EQ(record_a["version"]["number"], 1);
    EXPECT_EQ(record_a["version"]["kind"], "extraction");
    EXPECT_TRUE(record_a["version"]["created_by"].is_null());  // an open service
    json without_name = record_a;
    without_name["document"].erase("file_name");
    without_name.erase("version");  // the archive's member
    EXPECT_EQ(json::parse(plain->body), without_name);
    // store=true on /v1/extract stores too.
    auto second = Post("/v1/extract?store=true", c);
    ASSERT_TRUE(second);
    ASSERT_EQ(second->status, 200) << second->body;
    const std::string id_c = json::parse(second->body)["id"];

    auto got = Client()->Get(("/v1/documents/" + id_a).c_str());
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(got->body, stored->body);  // byte for byte what was served
    auto file = Client()->Get(("/v1/documents/" + id_a + "/file").c_str());
    ASSERT_TRUE(file);
    EXPECT_EQ(file->status, 200);
    EXPECT_EQ(file->get_header_value("Content-Type"), "application/pdf");
    EXPECT_NE(file->get_header_value("Content-Disposition").find(id_a + ".pdf"), std::string::npos);
    EXPECT_TRUE(file->body == a);

    // Listing, newest first; search by party, year and words from the record.
    EXPECT_EQ(IdsOf(Find("")), (std::vector<std::string>{id_c, id_a}));
    const std::string party = record_a["agreement"]["parties"][0]["name"];
    EXPECT_EQ(IdsOf(Find("?party=" + httplib::detail::encode_query_param(party))), std::vector<std::string>{id_a});
    const int year = record_a["agreement"]["year"];
    EXPECT_EQ(IdsOf(Find("?year=" + std::to_string(year))), std::vector<std::string>{id_a});
    const json page = Find("?limit=1");
    EXPECT_EQ(IdsOf(page), std::vector<std::string>{id_c});
    ASSERT_TRUE(page["next_cursor"].is_string());
    const json rest = Find("?limit=1&cursor=" + page["next_cursor"].get<std::string>());
    EXPECT_EQ(IdsOf(rest), std::vector<std::string>{id_a});
    EXPECT_TRUE(rest["next_cursor"].is_null());
  }

  std::unique_ptr<Server> server_;
};

TEST_F(ArchiveTest, StoresAndServesBackOnSqliteAcrossARestart) {
  const std::string uri = storetest::FreshStoreUri("sqlite");
  Start(uri);
  StoreAndReadBack();
  // A new server on the same file has everything.
  Start(uri);
  EXPECT_EQ(IdsOf(Find("")).size(), 2u);
  const std::string id = storetest::Sha256Hex(ReadFile(CorpusPath("a01-born-digital.pdf")));
  auto file = Client()->Get(("/v1/documents/" + id + "/file").c_str());
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 200);
}

TEST_F(ArchiveTest, StoresAndServesBackOnPostgres) {
  const std::string uri = storetest::FreshStoreUri("postgresql");
  ASSERT_FALSE(uri.empty());
  Start(uri);
  StoreAndReadBack();
}

TEST_F(ArchiveTest, ImagesKeepTheirMediaType) {
  Start(storetest::FreshStoreUri("sqlite"));
  const std::string png = ReadFile(CorpusPath("a04-png.png"));
  auto r = Post("/v1/documents?ocr=never", png);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  auto file = Client()->Get(("/v1/documents/" + storetest::Sha256Hex(png) + "/file").c_str());
  ASSERT_TRUE(file);
  EXPECT_EQ(file->get_header_value("Content-Type"), "image/png");
  EXPECT_NE(file->get_header_value("Content-Disposition").find(".png"), std::string::npos);
}

TEST_F(ArchiveTest, WhatFailsToExtractIsNotStored) {
  Start(storetest::FreshStoreUri("sqlite"));
  EXPECT_TRUE(IsError(Post("/v1/documents", ""), 400, "bad_request"));
  EXPECT_TRUE(IsError(Post("/v1/documents", "plain text, not a document"), 415, "unsupported_media_type"));
  EXPECT_TRUE(IsError(Post("/v1/documents", "%PDF-1.7\ntruncated"), 422, "unprocessable"));
  EXPECT_TRUE(IdsOf(Find("")).empty());
}

TEST_F(ArchiveTest, UnknownIdsAndBadQueriesGetTheContractsErrors) {
  Start(storetest::FreshStoreUri("sqlite"));
  const std::string unknown(64, '0');
  EXPECT_TRUE(IsError(Client()->Get(("/v1/documents/" + unknown).c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Get(("/v1/documents/" + unknown + "/file").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Get("/v1/documents/not-an-id"), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Get("/v1/documents/a/b/c"), 404, "not_found"));
  for (const char* q : {"?limit=0", "?limit=101", "?limit=ten", "?year=20x5", "?cursor=abc", "?cursor=-1",
                        "?sort=year", "?year=2025&year=2026", "?q=--", "?q=a&cursor=5", "?cursor=5.3ff0000000000000",
                        "?q=a&cursor=5.zz"}) {
    EXPECT_TRUE(IsError(Client()->Get((std::string("/v1/documents") + q).c_str()), 400, "bad_request")) << q;
  }
  EXPECT_TRUE(IsError(Client()->Get(("/v1/documents/" + unknown + "?x=1").c_str()), 400, "bad_request"));
  for (const char* q : {"?version=0", "?version=x", "?text=1", "?version=1&version=2"}) {
    EXPECT_TRUE(IsError(Client()->Get(("/v1/documents/" + unknown + q).c_str()), 400, "bad_request")) << q;
  }
  EXPECT_TRUE(IsError(Client()->Get(("/v1/documents/" + unknown + "?version=1").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Get(("/v1/documents/" + unknown + "/versions").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Put(("/v1/documents/" + unknown).c_str(), "{}", "application/json"), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Put(("/v1/documents/" + unknown).c_str(), "[", "application/json"), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Put("/v1/documents/not-an-id", "{}", "application/json"), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Put(("/v1/documents/" + unknown + "/text").c_str(), "{}", "application/json"), 405,
                      "method_not_allowed"));
  EXPECT_TRUE(IsError(Post("/v1/documents?store=false", SeedPdf()), 400, "bad_request"));
  EXPECT_TRUE(IsError(Client()->Delete(("/v1/documents/" + unknown).c_str()), 405, "method_not_allowed"));
  const std::string long_q(257, 'x');
  EXPECT_TRUE(IsError(Client()->Get(("/v1/documents?q=" + long_q).c_str()), 400, "bad_request"));
}

TEST_F(ArchiveTest, LockedDatabaseIs503WithRetryAfterAndKeepsNothing) {
  const std::string uri = storetest::FreshStoreUri("sqlite");
  Start(uri);
  // Another process holds the write lock longer than the store waits (5 s).
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(uri.substr(7).c_str(), &other), SQLITE_OK);
  // The service may be writing at this moment (its job queue starts up):
  // the lock is taken once that write is done.
  sqlite3_busy_timeout(other, 5000);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto r = Post("/v1/documents", SeedPdf());
  ASSERT_TRUE(IsError(r, 503, "overloaded"));
  EXPECT_FALSE(r->get_header_value("Retry-After").empty());
  EXPECT_NE(r->body.find("archive"), std::string::npos) << r->body;
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  // Nothing half written; the same upload now succeeds.
  const std::string id = storetest::Sha256Hex(SeedPdf());
  EXPECT_TRUE(IsError(Client()->Get(("/v1/documents/" + id).c_str()), 404, "not_found"));
  auto again = Post("/v1/documents", SeedPdf());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201);
  auto got = Client()->Get(("/v1/documents/" + id).c_str());
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
}

TEST(ArchiveStartTest, AStoreThatCannotBeOpenedFailsStart) {
  ServerOptions o;
  o.port = 0;
  o.workers = 1;
  o.worker.binary = PACTUM_BINARY;
  o.store_uri = "sqlite:/nonexistent-dir/x/pactum.db";
  Server server(o);
  Result<int> port = server.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.error().message.find("/nonexistent-dir/x/pactum.db"), std::string::npos);
}

}  // namespace
}  // namespace pactum::service
