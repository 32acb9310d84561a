// The archive on both back ends: a fresh SQLite file, or a fresh database on
// the PostgreSQL server that the ctest fixture started (postgres.sh).
#include "pactum/store/store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "store_test_util.h"

namespace pactum::store {
namespace {

using json = nlohmann::json;
using storetest::FreshStoreUri;
using storetest::MakeRecord;
using storetest::Sha256Hex;

// A query; named fields read better than positions.
struct Q {
  std::string text, party;
  std::optional<int> year;
  int limit = 20;
  operator Query() const {  // NOLINT: implicit by design
    Query q;
    q.text = text;
    q.party = party;
    q.year = year;
    q.limit = limit;
    return q;
  }
};
Q Text(std::string t) { return {.text = std::move(t), .party = {}, .year = {}}; }
Q Party(std::string p) { return {.text = {}, .party = std::move(p), .year = {}}; }
Q Year(int y) { return {.text = {}, .party = {}, .year = y}; }

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    uri_ = FreshStoreUri(GetParam());
    ASSERT_FALSE(uri_.empty());
    store_ = Open();
  }
  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> s = Store::Open(uri_);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Puts a document of `bytes` with the given agreement; returns its id.
  std::string Put(const std::string& bytes, const json& agreement) {
    const std::string record = MakeRecord(bytes, agreement);
    Result<bool> put = store_->Put({record, bytes});
    EXPECT_TRUE(put.ok()) << put.error().ToString();
    return Sha256Hex(bytes);
  }
  std::vector<std::string> Ids(const Query& q) {
    Result<Page> page = store_->Find(q);
    EXPECT_TRUE(page.ok()) << page.error().ToString();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const std::string& r : page->records) ids.push_back(json::parse(r)["id"]);
    }
    return ids;
  }

  std::string uri_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, RecordAndOriginalComeBackExactly) {
  ASSERT_TRUE(store_);
  std::string bytes(3 << 20, '\0');  // 3 MiB with every byte value, NULs included
  std::mt19937 rng(7);
  for (char& c : bytes) c = static_cast<char>(rng());
  const std::string record = MakeRecord(bytes, {{"title", "Zielvereinbarung 2025"}, {"year", 2025}});
  Result<bool> put = store_->Put({record, bytes});
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  EXPECT_TRUE(*put);
  const std::string id = Sha256Hex(bytes);

  Result<std::optional<std::string>> back = store_->Record(id);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, record);  // the very text that was served
  Result<std::optional<Original>> file = store_->File(id);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->has_value());
  EXPECT_EQ((*file)->media_type, "application/pdf");
  EXPECT_TRUE((*file)->bytes == bytes);
}

TEST_P(StoreTest, UnknownIdIsAbsentNotAnError) {
  ASSERT_TRUE(store_);
  const std::string id(64, 'a');
  Result<std::optional<std::string>> r = store_->Record(id);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  Result<std::optional<Original>> f = store_->File(id);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->has_value());
}

TEST_P(StoreTest, SameBytesAgainReplaceTheRecordAndKeepOneEntry) {
  ASSERT_TRUE(store_);
  const std::string bytes = "%PDF-1.7 same bytes";
  ASSERT_TRUE(*store_->Put({MakeRecord(bytes, {{"title", "First reading"}}), bytes}));
  Result<bool> again = store_->Put({MakeRecord(bytes, {{"title", "Second reading"}}), bytes});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(json::parse(**store_->Record(Sha256Hex(bytes)))["agreement"]["title"], "Second reading");
  EXPECT_EQ(Ids(Query{}).size(), 1u);
  EXPECT_EQ((*store_->File(Sha256Hex(bytes)))->bytes, bytes);
}

TEST_P(StoreTest, RecordMustBelongToTheBytes) {
  ASSERT_TRUE(store_);
  Result<bool> wrong = store_->Put({MakeRecord("other bytes", {}), "these bytes"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kBadRequest);
  Result<bool> not_json = store_->Put({"not json", "these bytes"});
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(Ids(Query{}).empty());
}

TEST_P(StoreTest, FindsByWordsPartyAndYearIgnoringCaseAndAccents) {
  ASSERT_TRUE(store_);
  const std::string a = Put("doc a", {{"type", "Zielvereinbarung"},
                                      {"title", "Zielvereinbarung 2025"},
                                      {"year", 2025},
                                      {"parties", json::array({{{"name", "Landkreis Gießen"}},
                                                               {{"name", "Hessisches Ministerium für Soziales"},
                                                                {"short_name", "HMSI"}}})},
                                      {"projects", json::array({{{"name", "Sprachcafé"}, {"category", "Integration"}}})}});
  const std::string b = Put("doc b", {{"type", "Grant Agreement"},
                                      {"title", "Grant Agreement 2026"},
                                      {"year", 2026},
                                      {"parties", json::array({{{"name", "European Foundation"}}})},
                                      {"signatories", json::array({{{"name", "Jane Müller"}, {"place", "Brussels"}}})}});
  const std::string c = Put("doc c", {{"title", nullptr}, {"year", nullptr}});

  using V = std::vector<std::string>;
  EXPECT_EQ(Ids(Query{}), (V{c, b, a}));  // newest first
  EXPECT_EQ(Ids(Text("zielvereinbarung")), V{a});
  EXPECT_EQ(Ids(Text("GRANT 2026")), V{b});
  EXPECT_EQ(Ids(Text("grant 2025")), V{});  // every word must occur
  EXPECT_EQ(Ids(Text("sprachcafe")), V{a});  // accents ignored, projects searched
  EXPECT_EQ(Ids(Text("muller brussels")), V{b});  // signatories searched
  EXPECT_EQ(Ids(Party("giessen")), V{a});  // ß folds to ss
  EXPECT_EQ(Ids(Party("hmsi")), V{a});     // short names count
  EXPECT_EQ(Ids(Party("Brussels")), V{});  // a place is not a party
  EXPECT_EQ(Ids(Year(2026)), V{b});
  EXPECT_EQ(Ids(Q{.text = "agreement", .party = {}, .year = 2025}), V{});
  EXPECT_EQ(Ids(Text("'; DROP TABLE documents; --")), V{});
  EXPECT_EQ(Ids(Query{}).size(), 3u);
}

TEST_P(StoreTest, CursorPagesVisitEveryRecordOnceNewestFirst) {
  ASSERT_TRUE(store_);
  std::vector<std::string> stored;
  for (int i = 0; i < 25; ++i) stored.push_back(Put("document " + std::to_string(i), {{"year", 2000 + i % 2}}));
  std::vector<std::string> seen;
  Query q;
  q.limit = 10;
  std::vector<std::size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    Result<Page> page = store_->Find(q);
    ASSERT_TRUE(page.ok());
    sizes.push_back(page->records.size());
    for (const std::string& r : page->records) seen.push_back(json::parse(r)["id"]);
    if (!page->next_cursor) break;
    q.after = page->next_cursor;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  EXPECT_EQ(seen, std::vector<std::string>(stored.rbegin(), stored.rend()));
  // Filters and cursors combine: odd years only, 4 per page.
  q = Year(2001);
  q.limit = 4;
  std::set<std::string> odd;
  for (int guard = 0; guard < 10; ++guard) {
    Result<Page> page = store_->Find(q);
    ASSERT_TRUE(page.ok());
    for (const std::string& r : page->records) odd.insert(json::parse(r)["id"].get<std::string>());
    if (!page->next_cursor) break;
    q.after = page->next_cursor;
  }
  EXPECT_EQ(odd.size(), 12u);
}

TEST_P(StoreTest, RecordsSurviveReopening) {
  ASSERT_TRUE(store_);
  const std::string id = Put("kept across restarts", {{"title", "Kept"}});
  store_.reset();
  store_ = Open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(json::parse(**store_->Record(id))["agreement"]["title"], "Kept");
  EXPECT_EQ((*store_->File(id))->bytes, "kept across restarts");
}

TEST_P(StoreTest, ConcurrentWritersAndReadersAllSucceed) {
  ASSERT_TRUE(store_);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string bytes = "thread " + std::to_string(t) + " doc " + std::to_string(i);
        if (!store_->Put({MakeRecord(bytes, {{"year", t}}), bytes}).ok()) ++failures;
        Result<std::optional<std::string>> back = store_->Record(Sha256Hex(bytes));
        if (!back.ok() || !back->has_value()) ++failures;
        if (!store_->Find(Year(t)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store_->Find(Q{.text = {}, .party = {}, .year = {}, .limit = 100})->records.size(), 80u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& backend) { return backend.param; });

TEST(StoreOpenTest, UnknownSchemeIsABadRequest) {
  for (const char* uri : {"mysql://localhost/db", "pactum.db", ""}) {
    Result<std::unique_ptr<Store>> s = Store::Open(uri);
    ASSERT_FALSE(s.ok()) << uri;
    EXPECT_EQ(s.error().code, ErrorCode::kBadRequest) << uri;
    EXPECT_NE(s.error().message.find("sqlite:PATH or postgresql://"), std::string::npos);
  }
}

TEST(StoreOpenTest, UnopenableSqliteFileSaysWhy) {
  Result<std::unique_ptr<Store>> s = Store::Open("sqlite:/nonexistent-dir/x/pactum.db");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInternal);
  EXPECT_NE(s.error().message.find("/nonexistent-dir/x/pactum.db"), std::string::npos) << s.error().message;
}

// Issue 10: pactum.db was created world-readable.
TEST(StoreOpenTest, ANewSqliteArchiveIsReadableByItsOwnerOnly) {
  const std::string uri = FreshStoreUri("sqlite");
  const mode_t old_mask = ::umask(022);
  ASSERT_TRUE(Store::Open(uri).ok());
  ::umask(old_mask);
  struct stat st {};
  ASSERT_EQ(::stat(uri.substr(7).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// Issue 10: a password given as a URI parameter was logged.
TEST(StoreOpenTest, PostgresPasswordsNeverAppearInMessages) {
  for (const char* uri : {"postgresql://pactum:hunter2@127.0.0.1:1/db?connect_timeout=1",
                          "postgresql://pactum@127.0.0.1:1/db?connect_timeout=1&password=hunter2",
                          "postgresql://pactum@127.0.0.1:1/db?password=hunter2&connect_timeout=1"}) {
    Result<std::unique_ptr<Store>> s = Store::Open(uri);
    ASSERT_FALSE(s.ok()) << uri;
    EXPECT_EQ(s.error().message.find("hunter2"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("127.0.0.1"), std::string::npos) << s.error().message;
  }
}

TEST(StoreOpenTest, SqliteFileOfANewerPactumIsRefused) {
  const std::string uri = FreshStoreUri("sqlite");
  ASSERT_TRUE(Store::Open(uri).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(uri.substr(7).c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Result<std::unique_ptr<Store>> s = Store::Open(uri);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer pactum"), std::string::npos) << s.error().message;
}

TEST(StoreOpenTest, PostgresDatabaseOfANewerPactumIsRefused) {
  const std::string uri = FreshStoreUri("postgresql");
  ASSERT_FALSE(uri.empty());
  ASSERT_TRUE(Store::Open(uri).ok());
  PGconn* c = PQconnectdb(uri.c_str());
  PGresult* r = PQexec(c, "INSERT INTO pactum_schema (version) VALUES (99)");
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  Result<std::unique_ptr<Store>> s = Store::Open(uri);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer pactum"), std::string::npos) << s.error().message;
}

TEST(StoreOpenTest, UnreachablePostgresSaysWhereWithoutThePassword) {
  // A port nobody listens on: bind one, then close it.
  Result<std::unique_ptr<Store>> s =
      Store::Open("postgresql://pactum:s3cret@127.0.0.1:" + std::to_string(storetest::ClosedPort()) + "/x?connect_timeout=5");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInternal);
  EXPECT_NE(s.error().message.find("127.0.0.1"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("s3cret"), std::string::npos) << s.error().message;
}

TEST(FoldForSearchTest, CaseAccentsAndCompatibilityForms) {
  EXPECT_EQ(FoldForSearch("Gießen"), "giessen");
  EXPECT_EQ(FoldForSearch("MÜLLER"), "muller");
  EXPECT_EQ(FoldForSearch("Café"), "cafe");
  EXPECT_EQ(FoldForSearch("ﬁnanzierung"), "finanzierung");  // ligature
  EXPECT_EQ(FoldForSearch(std::string("a\xff" "B", 3)), std::string("a\xff" "b", 3));  // not UTF-8: ASCII folded
}

}  // namespace
}  // namespace pactum::store
