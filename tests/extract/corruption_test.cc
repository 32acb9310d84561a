// Damaged input is an ordinary case: truncated and bit-flipped copies of real
// corpus documents go through the whole pipeline and must end in a record or
// in one of the contract's errors for bad input — never a crash, never
// kInternal. Run under AddressSanitizer this also catches memory errors.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "pactum/extract/extractor.h"

namespace pactum::extract {
namespace {

std::string ReadCorpus(const std::string& name) {
  std::ifstream in(std::string(PACTUM_CORPUS_DIR) + "/dev/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Born-digital text only: OCR of mangled scans is covered by the OCR tests
// and would make this test slow.
ExtractOptions NoOcr() {
  ExtractOptions o;
  o.ocr = OcrMode::kNever;
  return o;
}

void ExpectRecordOrInputError(const std::string& bytes, const std::string& what) {
  auto r = Extract(bytes, NoOcr());
  if (r.ok()) return;
  const ErrorCode c = r.error().code;
  EXPECT_TRUE(c == ErrorCode::kUnprocessable || c == ErrorCode::kUnsupportedMediaType || c == ErrorCode::kBadRequest)
      << what << ": " << r.error().ToString();
  EXPECT_FALSE(r.error().message.empty()) << what;
}

class CorruptionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorruptionTest, TruncatedCopies) {
  const std::string pdf = ReadCorpus(GetParam());
  ASSERT_GT(pdf.size(), 1000u);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{8}, size_t{100}, pdf.size() / 10, pdf.size() / 3, pdf.size() / 2,
                     pdf.size() - 200, pdf.size() - 1}) {
    ExpectRecordOrInputError(pdf.substr(0, cut), "cut at " + std::to_string(cut));
  }
}

TEST_P(CorruptionTest, FlippedBytes) {
  const std::string pdf = ReadCorpus(GetParam());
  std::mt19937 rng(20251125);  // fixed: the same copies on every run
  std::uniform_int_distribution<size_t> pos(0, pdf.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 40; ++round) {
    std::string copy = pdf;
    const int flips = 1 + round % 16;
    for (int k = 0; k < flips; ++k) copy[pos(rng)] = static_cast<char>(byte(rng));
    ExpectRecordOrInputError(copy, "round " + std::to_string(round));
  }
}

TEST_P(CorruptionTest, ZeroedRegions) {
  const std::string pdf = ReadCorpus(GetParam());
  for (size_t start = 0; start < pdf.size(); start += pdf.size() / 12) {
    std::string copy = pdf;
    std::fill(copy.begin() + static_cast<long>(start),
              copy.begin() + static_cast<long>(std::min(pdf.size(), start + 512)), '\0');
    ExpectRecordOrInputError(copy, "zeroed at " + std::to_string(start));
  }
}

INSTANTIATE_TEST_SUITE_P(BornDigital, CorruptionTest,
                         ::testing::Values("seed-born-digital.pdf", "b01-born-digital.pdf", "c01-born-digital.pdf"));

TEST(HostileInputTest, PathologicalPdfs) {
  // A page 10 km wide; a page tree that points at itself; a text line of
  // 100 000 characters (no recursion or quadratic blow-up in the extractors).
  const std::string huge_page =
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
      "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 28000000 28000000]>>endobj\n"
      "trailer<</Root 1 0 R>>\n%%EOF\n";
  auto r = Extract(huge_page, NoOcr());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);

  const std::string loop =
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
      "2 0 obj<</Type/Pages/Kids[2 0 R]/Count 1>>endobj\n"
      "trailer<</Root 1 0 R>>\n%%EOF\n";
  ExpectRecordOrInputError(loop, "self-referencing page tree");

  std::string text(100000, 'A');
  for (size_t i = 7; i < text.size(); i += 8) text[i] = ' ';
  const std::string content = "BT /F1 1 Tf 10 700 Td (" + text + ") Tj ET";
  const std::string long_line =
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
      "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
      "/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>endobj\n"
      "4 0 obj<</Length " + std::to_string(content.size()) + ">>stream\n" + content + "\nendstream endobj\n"
      "trailer<</Root 1 0 R>>\n%%EOF\n";
  ExpectRecordOrInputError(long_line, "100 000-character line");
}


// The record id is the SHA-256 of the uploaded bytes; the corpus manifest
// states each document's digest independently.
TEST(RecordTest, IdIsTheSha256OfTheUpload) {
  auto r = Extract(ReadCorpus("seed-born-digital.pdf"), NoOcr());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->id, "38c45e1b0e02d515c12a533eff7e1e3712f7209838576a85705c7894db8448c3");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(r->document.media_type, "application/pdf");
  EXPECT_EQ(r->document.pages, 4);
  EXPECT_EQ(r->document.text_source, DocumentTextSource::kPdfText);
  EXPECT_EQ(r->document.language, "de");
}

}  // namespace
}  // namespace pactum::extract
