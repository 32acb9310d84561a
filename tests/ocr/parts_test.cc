// A document read in parts (extractor.h: ExtractPages per part, JoinParts,
// ExtractFromPages), as split jobs read long scans on several replicas,
// gives the record Extract() gives, to the byte of its JSON.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ocr_test_util.h"
#include "pactum/extract/extractor.h"
#include "pactum/models/json.h"

namespace pactum::extract {
namespace {

using testing::CorpusFile;
using testing::ReadFile;

std::string RecordJson(const Result<AgreementRecord>& record) {
  EXPECT_TRUE(record.ok()) << record.error().ToString();
  return record.ok() ? ToJson(*record).dump() : "";
}

// The parts of `bytes` for `ranges`, each sent through its JSON text.
std::vector<PagesPart> ReadParts(const std::string& bytes, const std::vector<std::pair<int, int>>& ranges,
                                 OcrMode ocr) {
  std::vector<PagesPart> parts;
  for (const auto& [first, last] : ranges) {
    ExtractOptions options;
    options.ocr = ocr;
    options.max_ocr_threads = 1;
    options.first_page = first;
    options.last_page = last;
    int calls = 0, total = 0;
    options.on_page_done = [&calls, &total](int, int n) {
      ++calls;
      total = n;
    };
    Result<PagesPart> part = ExtractPages(bytes, options);
    EXPECT_TRUE(part.ok()) << part.error().ToString();
    if (!part.ok()) return {};
    EXPECT_EQ(calls, last - first + 1);  // progress counts the part's pages
    EXPECT_EQ(total, last - first + 1);
    if (part->pages.pages.size() != static_cast<size_t>(last - first + 1)) {
      ADD_FAILURE() << "pages " << first << " to " << last << " gave " << part->pages.pages.size() << " pages";
      return {};
    }
    EXPECT_EQ(part->pages.pages.front().page, first);
    Result<PagesPart> wired = PagesPartFromJson(PagesPartToJson(*part));
    EXPECT_TRUE(wired.ok()) << wired.error().ToString();
    if (!wired.ok()) return {};
    EXPECT_EQ(PagesPartToJson(*wired), PagesPartToJson(*part));
    parts.push_back(std::move(wired).value());
  }
  return parts;
}

void ExpectPartsGiveTheWholeRecord(const std::string& file, OcrMode ocr,
                                   const std::vector<std::pair<int, int>>& ranges) {
  const std::string bytes = ReadFile(CorpusFile(file));
  ExtractOptions options;
  options.ocr = ocr;
  options.max_ocr_threads = 1;
  const std::string whole = RecordJson(Extract(bytes, options));
  std::vector<PagesPart> parts = ReadParts(bytes, ranges, ocr);
  ASSERT_EQ(parts.size(), ranges.size());
  Result<PagesPart> joined = JoinParts(std::move(parts));
  ASSERT_TRUE(joined.ok()) << joined.error().ToString();
  EXPECT_EQ(RecordJson(ExtractFromPages(bytes, std::move(joined).value(), options)), whole);
}

TEST(PartsTest, BornDigitalPagesReadInPartsGiveTheWholeRecord) {
  ExpectPartsGiveTheWholeRecord("a01-born-digital.pdf", OcrMode::kAuto, {{1, 1}, {2, 3}});
}

TEST(PartsTest, ScanReadInPartsGivesTheWholeRecord) {
  ExpectPartsGiveTheWholeRecord("a02-scan-200-bw.pdf", OcrMode::kAuto, {{1, 2}, {3, 3}});
}

TEST(PartsTest, PartsThatDoNotCoverTheDocumentOnceInOrderAreRefused) {
  const std::string bytes = ReadFile(CorpusFile("a01-born-digital.pdf"));
  auto join = [&](const std::vector<std::pair<int, int>>& ranges) {
    return JoinParts(ReadParts(bytes, ranges, OcrMode::kNever));
  };
  EXPECT_TRUE(join({{1, 1}, {2, 2}, {3, 3}}).ok());
  EXPECT_EQ(join({{1, 1}, {3, 3}}).error().code, ErrorCode::kBadRequest);          // a gap
  EXPECT_EQ(join({{1, 2}, {2, 3}}).error().code, ErrorCode::kBadRequest);          // an overlap
  EXPECT_EQ(join({{2, 3}, {1, 1}}).error().code, ErrorCode::kBadRequest);          // out of order
  EXPECT_EQ(join({{1, 2}}).error().code, ErrorCode::kBadRequest);                  // short
  EXPECT_EQ(JoinParts({}).error().code, ErrorCode::kBadRequest);
  ExtractOptions beyond;
  beyond.first_page = 4;
  beyond.last_page = 4;
  EXPECT_EQ(ExtractPages(bytes, beyond).error().code, ErrorCode::kBadRequest);  // a page it does not have
  Result<int> pages = CountPages(bytes, Limits());
  ASSERT_TRUE(pages.ok());
  EXPECT_EQ(*pages, 3);
}

// A part written before words carried their `ocr` flag (eight values a
// word) is still read: its words were OCRed exactly when its page was.
TEST(PartsTest, WordsOfEightValuesTakeTheirOcrFlagFromThePage) {
  const char* text =
      R"({"page_count":2,"pages":[)"
      R"({"page":1,"width":612,"height":792,"source":"ocr","words":[["Vertrag",10,10,50,20,0.9,true,false]],"lines":[],"blocks":[]},)"
      R"({"page":2,"width":612,"height":792,"source":"pdf-text","words":[["Anlage",10,10,50,20,1.0,true,false]],"lines":[],"blocks":[]}],)"
      R"("page_info":[{"page":1,"text_source":"ocr","reason":"no-text-layer","ocr_mean_confidence":0.9},)"
      R"({"page":2,"text_source":"pdf-text","reason":"text-layer","ocr_mean_confidence":null}],)"
      R"("warnings":[],"missing_pages":[]})";
  Result<PagesPart> part = PagesPartFromJson(text);
  ASSERT_TRUE(part.ok()) << part.error().ToString();
  ASSERT_EQ(part->pages.pages.size(), 2u);
  ASSERT_EQ(part->pages.pages[0].words.size(), 1u);
  EXPECT_TRUE(part->pages.pages[0].words[0].ocr);
  ASSERT_EQ(part->pages.pages[1].words.size(), 1u);
  EXPECT_FALSE(part->pages.pages[1].words[0].ocr);
}

TEST(PartsTest, MalformedPartsAreRefusedNotTrusted) {
  for (const char* text : {"", "[]", "{}", R"({"page_count":1,"pages":[],"page_info":[],"warnings":[]})",
                           R"({"page_count":1,"pages":[{"page":1,"width":1,"height":1,"source":"ocr","words":[],)"
                           R"("lines":[[[0],[0,0,1,1],"x"]],"blocks":[]}],"page_info":[],"warnings":[],"missing_pages":[]})",
                           R"({"page_count":1,"pages":[],"page_info":[],"warnings":[],"missing_pages":[7]})"}) {
    Result<PagesPart> part = PagesPartFromJson(text);
    EXPECT_FALSE(part.ok()) << text;
    if (!part.ok()) {
      EXPECT_EQ(part.error().code, ErrorCode::kInternal) << text;
    }
  }
}

}  // namespace
}  // namespace pactum::extract
