// The archive's full text, full-text search and record versions end to end:
// a real `pactum serve` with API keys on a real SQLite file or on the
// fixture's PostgreSQL server, a scan and a born-digital agreement of the
// dev corpus.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
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

// `text` lowercased with the German accents folded (ä -> a, ß -> ss), as a
// client might type it: ASCII letters and the four German letters only.
std::string PlainGerman(const std::string& text) {
  static const std::pair<const char*, const char*> kFold[] = {
      {"\xC3\xA4", "a"}, {"\xC3\xB6", "o"}, {"\xC3\xBC", "u"}, {"\xC3\x9F", "ss"},
      {"\xC3\x84", "a"}, {"\xC3\x96", "o"}, {"\xC3\x9C", "u"}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool folded = false;
    for (const auto& [from, to] : kFold) {
      if (text.compare(i, 2, from) == 0) {
        out += to;
        i += 2;
        folded = true;
        break;
      }
    }
    if (folded) continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    ++i;
  }
  return out;
}

// The words of `text`: runs of ASCII letters and UTF-8 sequences.
std::vector<std::string> GermanWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

// A `pactum serve` with one worker on `store`, two API keys: "key-anna"
// (label clerk-anna) and "key-ben" (label clerk-ben).
class ArchiveServe {
 public:
  explicit ArchiveServe(const std::string& store) {
    const std::string keys = TempPath("archive-keys");
    WriteFile(keys, storetest::Sha256Hex("key-anna") + " clerk-anna\n" + storetest::Sha256Hex("key-ben") +
                        " clerk-ben\n");
    child_ = std::make_unique<Child>(
        std::vector<std::string>{"serve", "--port", "0", "--workers", "1", "--store", store, "--api-keys", keys});
    port_ = child_->AwaitListeningPort();
    EXPECT_GT(port_, 0) << child_->Stderr();
  }
  std::unique_ptr<httplib::Client> Client(const std::string& key = "key-anna") const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_read_timeout(120);
    c->set_bearer_token_auth(key);
    return c;
  }

 private:
  std::unique_ptr<Child> child_;
  int port_ = -1;
};

json JsonOf(const httplib::Result& r, int status) {
  EXPECT_TRUE(r) << (r ? "" : httplib::to_string(r.error()));
  if (!r) return json();
  EXPECT_EQ(r->status, status) << r->body.substr(0, 400);
  return json::parse(r->body, nullptr, false);
}

std::vector<std::string> IdsIn(const json& page) {
  std::vector<std::string> ids;
  for (const json& d : page.value("documents", json::array())) ids.push_back(d.value("id", ""));
  return ids;
}

class FullTextApiTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FullTextApiTest, ScannedBodiesAreSearchedTitlesRankFirstAndCorrectionsAreVersions) {
  const std::string uri = storetest::FreshStoreUri(GetParam());
  ASSERT_FALSE(uri.empty());
  ArchiveServe serve(uri);
  auto anna = serve.Client();
  auto ben = serve.Client("key-ben");

  // A scan, stored with its text in the answer.
  const std::string scan = ReadFile(CorpusPath("b02-scan-300-gray.pdf"));
  const json scanned = JsonOf(anna->Post("/v1/documents?text=true", scan, "application/pdf"), 201);
  ASSERT_TRUE(scanned.is_object());
  const std::string scan_id = scanned["id"];
  const std::string text = scanned["document"].value("text", "");
  ASSERT_GT(text.size(), 200u) << scanned.dump().substr(0, 400);
  EXPECT_EQ(scanned["document"]["text_source"], "ocr");
  EXPECT_EQ(scanned["version"], (json{{"number", 1}, {"kind", "extraction"},
                                      {"created_at", scanned["version"]["created_at"]}, {"created_by", "clerk-anna"}}));
  // The text only when asked; /text serves it as plain text.
  const json plain = JsonOf(anna->Get(("/v1/documents/" + scan_id).c_str()), 200);
  EXPECT_FALSE(plain["document"].contains("text"));
  EXPECT_EQ(JsonOf(anna->Get(("/v1/documents/" + scan_id + "?text=true").c_str()), 200)["document"]["text"], text);
  auto served_text = anna->Get(("/v1/documents/" + scan_id + "/text").c_str());
  ASSERT_TRUE(served_text);
  EXPECT_EQ(served_text->status, 200);
  EXPECT_EQ(served_text->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(served_text->body, text);
  EXPECT_TRUE(IsError(anna->Get(("/v1/documents/" + std::string(64, 'a') + "/text").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(anna->Get(("/v1/documents/" + scan_id + "?text=yes").c_str()), 400, "bad_request"));

  // A word of the scan's body with a German letter that no field holds.
  const std::string fields = PlainGerman(plain["agreement"].dump());
  std::string word;
  for (const std::string& w : GermanWords(text)) {
    const std::string folded = PlainGerman(w);
    const bool german_letter = std::any_of(w.begin(), w.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    const bool letters = std::all_of(folded.begin(), folded.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (w.size() >= 7 && german_letter && letters && fields.find(folded) == std::string::npos) {
      word = w;
      break;
    }
  }
  ASSERT_FALSE(word.empty()) << text;
  std::string typed = PlainGerman(word);  // no accents, upper case
  for (char& c : typed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const json found = JsonOf(anna->Get(("/v1/documents?q=" + typed).c_str()), 200);
  EXPECT_EQ(IdsIn(found), std::vector<std::string>{scan_id}) << typed;
  ASSERT_EQ(found["hits"].size(), 1u);
  EXPECT_EQ(found["hits"][0]["id"], scan_id);
  EXPECT_NE(found["hits"][0]["snippet"].get<std::string>().find(word), std::string::npos);
  EXPECT_NE(found["hits"][0]["snippet_html"].get<std::string>().find("<mark>" + word), std::string::npos)
      << found["hits"][0].dump();
  EXPECT_FALSE(JsonOf(anna->Get("/v1/documents"), 200).contains("hits"));  // a listing has none

  // A born-digital agreement whose title a clerk corrects to hold the word.
  const std::string born = ReadFile(CorpusPath("a01-born-digital.pdf"));
  const json extracted = JsonOf(anna->Post("/v1/documents", born, "application/pdf"), 201);
  const std::string born_id = extracted["id"];
  json corrected = extracted;
  const json original_title = extracted["agreement"]["title"];
  corrected["agreement"]["title"] = "Vereinbarung " + word;
  httplib::Headers if_match = {{"If-Match", "\"1\""}};
  const std::string path = "/v1/documents/" + born_id;
  auto put = ben->Put(path.c_str(), if_match, corrected.dump(), "application/json");
  const json v2 = JsonOf(put, 200);
  EXPECT_EQ(v2["agreement"]["title"], "Vereinbarung " + word);
  EXPECT_EQ(v2["version"]["number"], 2);
  EXPECT_EQ(v2["version"]["kind"], "correction");
  EXPECT_EQ(v2["version"]["created_by"], "clerk-ben");
  EXPECT_EQ(put->get_header_value("ETag"), "\"2\"");
  EXPECT_EQ(JsonOf(anna->Get(path.c_str()), 200), v2);

  // Ranked: the title first, the body second; the same in pages of one.
  const json ranked = JsonOf(anna->Get(("/v1/documents?q=" + typed).c_str()), 200);
  EXPECT_EQ(IdsIn(ranked), (std::vector<std::string>{born_id, scan_id}));
  ASSERT_EQ(ranked["hits"].size(), 2u);
  EXPECT_GT(ranked["hits"][0]["rank"].get<double>(), ranked["hits"][1]["rank"].get<double>());
  EXPECT_NE(ranked["hits"][0]["snippet_html"].get<std::string>().find("Vereinbarung <mark>" + word + "</mark>"),
            std::string::npos);
  const json first = JsonOf(anna->Get(("/v1/documents?limit=1&q=" + typed).c_str()), 200);
  EXPECT_EQ(IdsIn(first), std::vector<std::string>{born_id});
  ASSERT_TRUE(first["next_cursor"].is_string());
  const json second = JsonOf(
      anna->Get(("/v1/documents?limit=1&q=" + typed + "&cursor=" + first["next_cursor"].get<std::string>()).c_str()),
      200);
  EXPECT_EQ(IdsIn(second), std::vector<std::string>{scan_id});
  EXPECT_TRUE(second["next_cursor"].is_null());
  EXPECT_TRUE(IsError(anna->Get(("/v1/documents?cursor=" + first["next_cursor"].get<std::string>()).c_str()), 400,
                      "bad_request"));

  // Every version stays readable; a stale If-Match is a conflict.
  const json v1 = JsonOf(anna->Get((path + "?version=1").c_str()), 200);
  EXPECT_EQ(v1["agreement"]["title"], original_title);
  EXPECT_EQ(v1["version"]["created_by"], "clerk-anna");
  EXPECT_TRUE(IsError(anna->Get((path + "?version=3").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(ben->Put(path.c_str(), if_match, corrected.dump(), "application/json"), 409, "conflict"));
  // Bad bodies: the offending member is named.
  json bad = corrected;
  bad["agreement"]["parties"] = json::array({{{"name", 5}}});
  auto bad_put = ben->Put(path.c_str(), bad.dump(), "application/json");
  EXPECT_TRUE(IsError(bad_put, 400, "bad_request"));
  EXPECT_NE(bad_put->body.find("$.agreement.parties[0]"), std::string::npos) << bad_put->body;
  bad = corrected;
  bad["agreement"]["surprise"] = 1;  // an unknown member
  bad_put = ben->Put(path.c_str(), bad.dump(), "application/json");
  EXPECT_TRUE(IsError(bad_put, 400, "bad_request"));
  EXPECT_NE(bad_put->body.find("$.agreement: unknown member"), std::string::npos) << bad_put->body;
  bad = corrected;
  bad["id"] = scan_id;
  EXPECT_TRUE(IsError(ben->Put(path.c_str(), bad.dump(), "application/json"), 400, "bad_request"));
  EXPECT_TRUE(IsError(ben->Put(path.c_str(), "{not json", "application/json"), 400, "bad_request"));
  EXPECT_TRUE(IsError(ben->Put(path.c_str(), {{"If-Match", "W/x"}}, corrected.dump(), "application/json"), 400,
                      "bad_request"));
  corrected["id"] = std::string(64, 'e');
  EXPECT_TRUE(IsError(ben->Put(("/v1/documents/" + std::string(64, 'e')).c_str(), corrected.dump(), "application/json"),
                      404, "not_found"));

  // The same bytes again: a new extraction on top, the correction kept.
  const json again = JsonOf(anna->Post("/v1/documents", born, "application/pdf"), 200);
  EXPECT_EQ(again["version"]["number"], 3);
  EXPECT_EQ(again["version"]["kind"], "extraction");
  const json versions = JsonOf(anna->Get((path + "/versions").c_str()), 200);
  ASSERT_EQ(versions["versions"].size(), 3u);
  EXPECT_EQ(versions["versions"][0]["kind"], "extraction");
  EXPECT_EQ(versions["versions"][1], v2["version"]);
  EXPECT_EQ(versions["versions"][2]["created_by"], "clerk-anna");
  EXPECT_EQ(JsonOf(anna->Get((path + "?version=2").c_str()), 200), v2);
  EXPECT_TRUE(IsError(anna->Get(("/v1/documents/" + std::string(64, 'a') + "/versions").c_str()), 404, "not_found"));
}

TEST_P(FullTextApiTest, ExtractAndJobsCarryTheTextOnlyWhenAsked) {
  const std::string uri = storetest::FreshStoreUri(GetParam());
  ASSERT_FALSE(uri.empty());
  ArchiveServe serve(uri);
  auto c = serve.Client();
  const std::string born = ReadFile(CorpusPath("a01-born-digital.pdf"));
  const json without = JsonOf(c->Post("/v1/extract", born, "application/pdf"), 200);
  EXPECT_FALSE(without["document"].contains("text"));
  EXPECT_FALSE(without.contains("version"));  // not archived
  const json with = JsonOf(c->Post("/v1/extract?text=true", born, "application/pdf"), 200);
  const std::string text = with["document"].value("text", "");
  EXPECT_GT(text.size(), 500u);
  EXPECT_EQ(static_cast<int>(std::count(text.begin(), text.end(), '\f')), with["document"]["pages"].get<int>() - 1);
  json rest = with;
  rest["document"].erase("text");
  EXPECT_EQ(rest, without);
  // A job stores with the text kept and answers with it.
  const json job = JsonOf(c->Post("/v1/jobs?op=extract&store=true&text=true", born, "application/pdf"), 202);
  json done;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = c->Get(("/v1/jobs/" + job.value("id", "")).c_str());
        done = r ? json::parse(r->body, nullptr, false) : json();
        return done.is_object() && (done.value("state", "") == "succeeded" || done.value("state", "") == "failed");
      },
      std::chrono::seconds(90)));
  const json result = JsonOf(c->Get(("/v1/jobs/" + job.value("id", "") + "/result").c_str()), 200);
  EXPECT_EQ(result["document"]["text"], text);
  EXPECT_EQ(result["version"]["created_by"], "clerk-anna");
  auto kept = c->Get(("/v1/documents/" + with["id"].get<std::string>() + "/text").c_str());
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->body, text);
}

INSTANTIATE_TEST_SUITE_P(Backends, FullTextApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& backend) { return backend.param; });

}  // namespace
}  // namespace pactum::service
