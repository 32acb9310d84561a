// The archive on both back ends: a fresh SQLite file, or a fresh database on
// the PostgreSQL server that the ctest fixture started (postgres.sh).
#include "pactum/store/store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
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
  std::string Put(const std::string& bytes, const json& agreement, const std::string& text = "") {
    const std::string record = MakeRecord(bytes, agreement);
    Result<PutResult> put = store_->Put({record, bytes, text, std::nullopt});
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
  Result<PutResult> put = store_->Put({record, bytes, "", std::nullopt});
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  EXPECT_TRUE(put->created);
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

TEST_P(StoreTest, SameBytesAgainAddAnExtractionVersionAndKeepOneEntry) {
  ASSERT_TRUE(store_);
  const std::string bytes = "%PDF-1.7 same bytes";
  ASSERT_TRUE(store_->Put({MakeRecord(bytes, {{"title", "First reading"}}), bytes, "", std::nullopt})->created);
  Result<PutResult> again = store_->Put({MakeRecord(bytes, {{"title", "Second reading"}}), bytes, "", "batch"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.version.number, 2);
  EXPECT_EQ(again->record.version.kind, "extraction");
  EXPECT_EQ(again->record.version.created_by, "batch");
  EXPECT_EQ(json::parse(**store_->Record(Sha256Hex(bytes)))["agreement"]["title"], "Second reading");
  EXPECT_EQ(json::parse((*store_->Version(Sha256Hex(bytes), 1))->json)["agreement"]["title"], "First reading");
  EXPECT_EQ(Ids(Query{}).size(), 1u);
  EXPECT_EQ((*store_->File(Sha256Hex(bytes)))->bytes, bytes);
}

TEST_P(StoreTest, RecordMustBelongToTheBytes) {
  ASSERT_TRUE(store_);
  Result<PutResult> wrong = store_->Put({MakeRecord("other bytes", {}), "these bytes", "", std::nullopt});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kBadRequest);
  Result<PutResult> not_json = store_->Put({"not json", "these bytes", "", std::nullopt});
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
        if (!store_->Put({MakeRecord(bytes, {{"year", t}}), bytes, "", std::nullopt}).ok()) ++failures;
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

// Full text: kept, served back exactly, searched with the fields; a word
// in the title ranks above the same word only in the body; case and
// accents do not matter; the snippet marks the word.
TEST_P(StoreTest, FullTextIsKeptSearchedAndRankedBelowTheTitle) {
  ASSERT_TRUE(store_);
  const std::string body = "Seite eins\fDie Sprachförderung beginnt im Mai.\nVerantwortlich: Jörg Müller & Söhne <GmbH>";
  const std::string in_body = Put("scan", {{"title", "Kooperationsvereinbarung"}, {"year", 2024}}, body);
  const std::string in_title = Put("born", {{"title", "Vereinbarung zur Sprachförderung"}, {"year", 2024}});
  const std::string neither = Put("other", {{"title", "Grant Agreement"}}, "Nothing to see here.");
  using V = std::vector<std::string>;
  EXPECT_EQ(**store_->Text(in_body), body);
  EXPECT_EQ(**store_->Text(in_title), "");
  EXPECT_FALSE(store_->Text(std::string(64, 'a'))->has_value());
  EXPECT_EQ(Ids(Text("sprachforderung")), (V{in_title, in_body}));
  EXPECT_EQ(Ids(Text("SPRACHFÖRDERUNG")), (V{in_title, in_body}));
  EXPECT_EQ(Ids(Text("muller")), V{in_body});            // only in the body, accents folded
  EXPECT_EQ(Ids(Text("JÖRG MÜLLER")), V{in_body});
  EXPECT_EQ(Ids(Text("muller grant")), V{});             // every word must occur
  EXPECT_EQ(Ids(Text("sprach")), (V{in_title, in_body})); // words are prefixes
  EXPECT_EQ(Ids(Q{.text = "sprachforderung", .party = {}, .year = 2024}), (V{in_title, in_body}));
  EXPECT_EQ(Ids(Text("seite")), V{in_body});  // the first page counts too
  (void)neither;

  Result<Page> page = store_->Find(Text("Müller"));
  ASSERT_TRUE(page.ok()) << page.error().ToString();
  ASSERT_EQ(page->hits.size(), 1u);
  EXPECT_EQ(page->hits[0].id, in_body);
  EXPECT_GT(page->hits[0].rank, 0);
  // Eight words before the match ("Seite" is cut), the text's end.
  EXPECT_EQ(page->hits[0].snippet,
            "…eins Die Sprachförderung beginnt im Mai. Verantwortlich: Jörg Müller & Söhne <GmbH>");
  EXPECT_EQ(page->hits[0].snippet_html,
            "…eins Die Sprachförderung beginnt im Mai. Verantwortlich: Jörg <mark>Müller</mark> &amp; Söhne "
            "&lt;GmbH&gt;");
  page = store_->Find(Text("sprachforderung"));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->hits.size(), 2u);
  EXPECT_GT(page->hits[0].rank, page->hits[1].rank);
  EXPECT_EQ(page->hits[0].snippet_html, "Vereinbarung zur <mark>Sprachförderung</mark>");  // from the title
  EXPECT_NE(page->hits[1].snippet_html.find("<mark>Sprachförderung</mark>"), std::string::npos);
  // Without words no hits and the order is the newest first.
  page = store_->Find(Query{});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->hits.empty());
  EXPECT_EQ(Ids(Query{}), (V{neither, in_title, in_body}));
}

// A long document (here 3 MB of 330,000 distinct words, more than a
// PostgreSQL tsvector holds) is stored, kept whole and found by its words.
TEST_P(StoreTest, AVeryLongFullTextIsStoredAndSearched) {
  ASSERT_TRUE(store_);
  std::string text = "Anfang ";
  for (std::int64_t i = 0; i < 330000; ++i) {
    text += 'w';
    text += std::to_string(i * 7919);
    text += i % 12 == 11 ? '\n' : ' ';
  }
  text += "\fEnde";
  const std::string id = Put("long", {{"title", "Lang"}}, text);
  EXPECT_EQ(**store_->Text(id), text);
  EXPECT_EQ(Ids(Text("anfang")), std::vector<std::string>{id});
  EXPECT_EQ(Ids(Text("w7919")), std::vector<std::string>{id});
}

// A ranked listing's cursor pages through every hit once, in the order of
// one big page, ties of rank newest first.
TEST_P(StoreTest, RankedCursorPagesVisitEveryHitOnceInRankOrder) {
  ASSERT_TRUE(store_);
  for (int i = 0; i < 23; ++i) {
    std::string text;
    for (int k = 0; k <= i % 5; ++k) text += "Zuwendung ";
    text += std::string(static_cast<std::size_t>(i % 3) * 10, 'x');
    Put("ranked " + std::to_string(i), {{"title", i % 4 == 0 ? "Zuwendungsbescheid" : "Bescheid"}}, text);
  }
  Put("unrelated", {{"title", "Other"}}, "nothing");
  Q all = Text("zuwendung");
  all.limit = 100;
  const std::vector<std::string> expected = Ids(all);
  ASSERT_EQ(expected.size(), 23u);
  Query q = Text("zuwendung");
  q.limit = 4;
  std::vector<std::string> seen;
  std::vector<double> ranks;
  for (int guard = 0; guard < 20; ++guard) {
    Result<Page> page = store_->Find(q);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    ASSERT_EQ(page->hits.size(), page->records.size());
    for (std::size_t i = 0; i < page->records.size(); ++i) {
      seen.push_back(json::parse(page->records[i])["id"]);
      EXPECT_EQ(page->hits[i].id, seen.back());
      ranks.push_back(page->hits[i].rank);
    }
    if (!page->next_cursor) break;
    // Through the cursor's text, as a client passes it.
    Query next = Text("zuwendung");
    ASSERT_TRUE(ParseCursor(FormatCursor(*page->next_cursor, page->next_rank), &next));
    q.after = next.after;
    q.after_rank = next.after_rank;
    ASSERT_TRUE(q.after_rank.has_value());
  }
  EXPECT_EQ(seen, expected);
  EXPECT_TRUE(std::is_sorted(ranks.rbegin(), ranks.rend())) << "ranks must not rise";
}

// Corrections are versions: the extraction stays version 1, the latest is
// served and searched, If-Match guards against lost updates, storing the
// bytes again adds an extraction on top.
TEST_P(StoreTest, CorrectionsAreVersionsAndTheLatestIsSearched) {
  ASSERT_TRUE(store_);
  const std::string bytes = "%PDF-1.7 corrected";
  const std::string id = Put(bytes, {{"title", "Zielvereinbarung"}, {"parties", json::array({{{"name", "Muster GmbH"}}})}},
                             "Volltext der Seite");
  json corrected = json::parse(**store_->Record(id));
  corrected["agreement"]["parties"][0]["name"] = "Mustermann GmbH";
  Result<StoredRecord> v2 = store_->Correct({id, corrected.dump(), "clerk-anna", 1});
  ASSERT_TRUE(v2.ok()) << v2.error().ToString();
  EXPECT_EQ(v2->version.number, 2);
  EXPECT_EQ(v2->version.kind, "correction");
  EXPECT_EQ(v2->version.created_by, "clerk-anna");
  EXPECT_EQ(v2->version.created_at.size(), 20u);
  const json served = json::parse(v2->json);
  EXPECT_EQ(served["agreement"]["parties"][0]["name"], "Mustermann GmbH");
  EXPECT_EQ(served["version"], (json{{"number", 2}, {"kind", "correction"}, {"created_at", v2->version.created_at},
                                    {"created_by", "clerk-anna"}}));
  EXPECT_EQ((*store_->Version(id, std::nullopt))->json, v2->json);
  const json first = json::parse((*store_->Version(id, 1))->json);
  EXPECT_EQ(first["agreement"]["parties"][0]["name"], "Muster GmbH");
  EXPECT_EQ(first["version"]["kind"], "extraction");
  EXPECT_TRUE(first["version"]["created_by"].is_null());
  EXPECT_FALSE(store_->Version(id, 3)->has_value());
  // The latest is searched; the text stays.
  using V = std::vector<std::string>;
  EXPECT_EQ(Ids(Text("mustermann")), V{id});
  EXPECT_EQ(Ids(Party("mustermann")), V{id});
  EXPECT_EQ(Ids(Text("volltext")), V{id});
  EXPECT_EQ(**store_->Text(id), "Volltext der Seite");
  // A stale If-Match, an unknown document, a record of another id.
  Result<StoredRecord> stale = store_->Correct({id, corrected.dump(), "clerk-ben", 1});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_NE(stale.error().message.find("\"2\""), std::string::npos) << stale.error().message;
  Result<StoredRecord> unknown = store_->Correct({std::string(64, 'b'), corrected.dump(), std::nullopt, {}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.error().code == ErrorCode::kNotFound || unknown.error().code == ErrorCode::kBadRequest);
  json other = corrected;
  other["id"] = std::string(64, 'c');
  Result<StoredRecord> wrong = store_->Correct({id, other.dump(), std::nullopt, {}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kBadRequest);
  EXPECT_FALSE(store_->Versions(std::string(64, 'b'))->has_value());
  // Storing the bytes again: a third version, the correction kept.
  Result<PutResult> again = store_->Put({MakeRecord(bytes, {{"title", "Zielvereinbarung"}}), bytes, "Neuer Text", "x"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->record.version.number, 3);
  Result<std::optional<std::vector<VersionInfo>>> versions = store_->Versions(id);
  ASSERT_TRUE(versions.ok() && versions->has_value());
  ASSERT_EQ((*versions)->size(), 3u);
  EXPECT_EQ((**versions)[0].kind, "extraction");
  EXPECT_EQ((**versions)[1].kind, "correction");
  EXPECT_EQ((**versions)[1].created_by, "clerk-anna");
  EXPECT_EQ((**versions)[2].kind, "extraction");
  EXPECT_EQ((**versions)[2].number, 3);
  EXPECT_EQ(json::parse((*store_->Version(id, 2))->json)["agreement"]["parties"][0]["name"], "Mustermann GmbH");
  EXPECT_EQ(**store_->Text(id), "Neuer Text");
  EXPECT_EQ(Ids(Text("mustermann")), V{});
  EXPECT_EQ(Ids(Text("neuer")), V{id});
  // Concurrent corrections under If-Match: exactly one wins.
  std::atomic<int> won{0}, conflicts{0};
  std::vector<std::thread> clerks;
  for (int t = 0; t < 4; ++t) {
    clerks.emplace_back([&] {
      Result<StoredRecord> r = store_->Correct({id, corrected.dump(), "clerk", 3});
      if (r.ok()) ++won;
      else if (r.error().code == ErrorCode::kConflict) ++conflicts;
    });
  }
  for (auto& c : clerks) c.join();
  EXPECT_EQ(won, 1);
  EXPECT_EQ(conflicts, 3);
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

// Pactums opening one new archive at the same moment (a service starting
// while a command runs, tests side by side) all open it: the set-up waits
// for the lock instead of failing.
TEST(StoreOpenTest, ProcessesOpeningANewSqliteArchiveAtOnceAllSucceed) {
  constexpr int kProcesses = 6;
  for (int round = 0; round < 8; ++round) {
    const std::string uri = FreshStoreUri("sqlite");
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    std::vector<pid_t> children;
    for (int k = 0; k < kProcesses; ++k) {
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        ::close(go[1]);
        char c;
        (void)!::read(go[0], &c, 1);  // every child starts when the parent closes the pipe
        Result<std::unique_ptr<Store>> s = Store::Open(uri);
        if (!s.ok()) std::fprintf(stderr, "%s\n", s.error().message.c_str());
        ::_exit(s.ok() ? 0 : 1);
      }
      children.push_back(pid);
    }
    ::close(go[0]);
    ::close(go[1]);
    int failed = 0;
    for (pid_t pid : children) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    EXPECT_EQ(failed, 0) << "round " << round;
    Result<std::unique_ptr<Store>> after = Store::Open(uri);
    ASSERT_TRUE(after.ok()) << after.error().message;
  }
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

// The archive as the previous pactum wrote it (schema 1: no versions, no
// texts, no full-text index); `seq` and `blob` are the back end's types.
std::string ArchiveSchema1Ddl(const std::string& seq, const std::string& stored_at, const std::string& blob) {
  return R"sql(
CREATE TABLE documents (
  seq )sql" + seq + R"sql(,
  id TEXT NOT NULL UNIQUE,
  media_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  stored_at )sql" + stored_at + R"sql( NOT NULL,
  year INTEGER,
  search_text TEXT NOT NULL,
  parties TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX documents_year ON documents (year, seq);
CREATE TABLE originals (id TEXT PRIMARY KEY, bytes )sql" + blob + R"sql( NOT NULL);
)sql";
}

// Two records as schema 1 kept them, the older first.
std::string ArchiveSchema1Rows() {
  std::string sql;
  int n = 0;
  for (const char* title : {"Zielvereinbarung Sprachförderung", "Grant Agreement"}) {
    const std::string bytes = "schema 1 document " + std::to_string(n++);
    const std::string record = MakeRecord(bytes, {{"title", title}, {"year", 2023}});
    sql += "INSERT INTO documents (id, media_type, bytes, stored_at, year, search_text, parties, record) VALUES ('" +
           Sha256Hex(bytes) + "', 'application/pdf', " + std::to_string(bytes.size()) +
           ", '2025-0" + std::to_string(n) + "-01T10:00:00Z', 2023, '', '', '" + record + "');" +
           "INSERT INTO originals (id, bytes) VALUES ('" + Sha256Hex(bytes) + "', '" + bytes + "');";
  }
  return sql;
}

// Opens the schema-1 archive at `uri`: its records are version 1
// extractions, searchable by their fields, without text; it takes new
// versions; opening it again changes nothing.
void ExpectSchema1ArchiveMigrated(const std::string& uri, const std::string& stored_at) {
  Result<std::unique_ptr<Store>> s = Store::Open(uri);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  const std::string id = Sha256Hex("schema 1 document 0");
  Result<std::optional<StoredRecord>> latest = (*s)->Version(id, std::nullopt);
  ASSERT_TRUE(latest.ok() && latest->has_value()) << (latest.ok() ? "absent" : latest.error().ToString());
  EXPECT_EQ((*latest)->version.number, 1);
  EXPECT_EQ((*latest)->version.kind, "extraction");
  EXPECT_EQ((*latest)->version.created_at, stored_at);
  EXPECT_FALSE((*latest)->version.created_by.has_value());
  EXPECT_EQ(json::parse((*latest)->json)["agreement"]["title"], "Zielvereinbarung Sprachförderung");
  EXPECT_EQ(**(*s)->Text(id), "");
  Result<Page> found = (*s)->Find(Text("SPRACHFORDERUNG"));
  ASSERT_TRUE(found.ok()) << found.error().ToString();
  ASSERT_EQ(found->records.size(), 1u);
  EXPECT_EQ(found->hits[0].id, id);
  EXPECT_EQ((*s)->Find(Query{})->records.size(), 2u);
  json corrected = json::parse(**(*s)->Record(id));
  corrected["agreement"]["title"] = "Zielvereinbarung Integration";
  Result<StoredRecord> v2 = (*s)->Correct({id, corrected.dump(), "clerk", 1});
  ASSERT_TRUE(v2.ok()) << v2.error().ToString();
  EXPECT_EQ(v2->version.number, 2);
  s->reset();
  Result<std::unique_ptr<Store>> again = Store::Open(uri);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ((**(*again)->Versions(id)).size(), 2u);
  EXPECT_EQ((*again)->Find(Text("integration"))->records.size(), 1u);
  EXPECT_EQ((*again)->Find(Text("sprachforderung"))->records.size(), 0u);
}

TEST(StoreMigrationTest, SqliteArchiveOfSchema1GainsVersionsAndSearch) {
  const std::string uri = FreshStoreUri("sqlite");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(uri.substr(7).c_str(), &db), SQLITE_OK);
  const std::string sql = ArchiveSchema1Ddl("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "BLOB") + ArchiveSchema1Rows() +
                          "PRAGMA user_version = 1;";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  ExpectSchema1ArchiveMigrated(uri, "2025-01-01T10:00:00Z");
  ASSERT_EQ(sqlite3_open(uri.substr(7).c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 2);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(StoreMigrationTest, PostgresArchiveOfSchema1GainsVersionsAndSearch) {
  const std::string uri = FreshStoreUri("postgresql");
  ASSERT_FALSE(uri.empty());
  PGconn* c = PQconnectdb(uri.c_str());
  const std::string sql = "SET TIME ZONE 'UTC'; CREATE TABLE pactum_schema (version INTEGER NOT NULL); "
                          "INSERT INTO pactum_schema VALUES (1);" +
                          ArchiveSchema1Ddl("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ", "BYTEA") + ArchiveSchema1Rows();
  PGresult* r = PQexec(c, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  PQclear(r);
  ExpectSchema1ArchiveMigrated(uri, "2025-01-01T10:00:00Z");
  r = PQexec(c, "SELECT max(version) FROM pactum_schema");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  EXPECT_EQ(std::string(PQgetvalue(r, 0, 0)), "2");
  PQclear(r);
  PQfinish(c);
}

TEST(SearchTermsTest, WordsAreFoldedRunsOfLettersAndDigits) {
  EXPECT_EQ(SearchTerms("Müller-Lüdenscheidt, GIESSEN 2025 müller"),
            (std::vector<std::string>{"muller", "ludenscheidt", "giessen", "2025"}));
  EXPECT_TRUE(SearchTerms(" -- ''; ").empty());
  EXPECT_EQ(SearchTerms("\"a*\" OR b"), (std::vector<std::string>{"a", "or", "b"}));
}

TEST(CursorTest, RoundTripsExactly) {
  Query q;
  ASSERT_TRUE(ParseCursor(FormatCursor(42, std::nullopt), &q));
  EXPECT_EQ(q.after, 42);
  EXPECT_FALSE(q.after_rank);
  const double rank = -1.2345678901234567e-7;
  ASSERT_TRUE(ParseCursor(FormatCursor(7, rank), &q));
  EXPECT_EQ(q.after, 7);
  EXPECT_EQ(q.after_rank, rank);
  for (const char* bad : {"", "x", "0", "-3", "12.", "12.zz", "12.3ff00000000000000", "12.7ff0000000000000", "1 2"}) {
    EXPECT_FALSE(ParseCursor(bad, &q)) << bad;
  }
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
