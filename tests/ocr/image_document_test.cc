// Image documents: header checks before decoding, resolution, multi-page TIFF.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "ocr/pix.h"
#include "ocr_test_util.h"
#include "pactum/extract/document.h"
#include "pactum/extract/extractor.h"

namespace pactum::extract {
namespace {

using testing::CorpusFile;
using testing::ReadFile;

std::uint32_t Crc32(const std::string& s) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

void PutBe32(std::string* s, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutLe(std::string* s, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::string PngChunk(const std::string& type, const std::string& data) {
  std::string out;
  PutBe32(&out, static_cast<std::uint32_t>(data.size()));
  out += type + data;
  PutBe32(&out, Crc32(type + data));
  return out;
}

// A PNG whose header claims `w` x `h` 8-bit grey pixels, with almost no data.
std::string PngClaiming(std::uint32_t w, std::uint32_t h) {
  std::string ihdr;
  PutBe32(&ihdr, w);
  PutBe32(&ihdr, h);
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // depth 8, grey, deflate, no filter, no interlace
  return std::string("\x89PNG\r\n\x1a\n", 8) + PngChunk("IHDR", ihdr) +
         PngChunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) + PngChunk("IEND", "");
}

// A little-endian TIFF whose only page claims `w` x `h` G4 pixels.
std::string TiffClaiming(std::uint32_t w, std::uint32_t h) {
  std::string t("II*\0", 4);
  PutLe(&t, 8, 4);
  struct Entry {
    std::uint16_t tag, type;
    std::uint32_t value;
  };
  const std::uint32_t data_offset = 8 + 2 + 9 * 12 + 4;
  const Entry entries[] = {{256, 4, w},   {257, 4, h},           {258, 3, 1}, {259, 3, 4},  {262, 3, 0},
                           {273, 4, data_offset}, {277, 3, 1}, {278, 4, h}, {279, 4, 16}};
  PutLe(&t, 9, 2);
  for (const Entry& e : entries) {
    PutLe(&t, e.tag, 2);
    PutLe(&t, e.type, 2);
    PutLe(&t, 1, 4);
    PutLe(&t, e.value, 4);  // SHORT values sit in the low bytes (little-endian)
  }
  PutLe(&t, 0, 4);
  t += std::string(16, '\0');
  return t;
}

void ExpectRefusedQuickly(const std::string& bytes) {
  const auto t0 = std::chrono::steady_clock::now();
  auto record = Extract(bytes, ExtractOptions{});
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(record.error().message.find("pixels per image"), std::string::npos) << record.error().message;
  EXPECT_LT(ms, 1000) << "refusal must not decode the image";
}

TEST(ImageDocumentTest, AbsurdPngDimensionsAreRefusedBeforeDecoding) {
  ExpectRefusedQuickly(PngClaiming(60000, 60000));
}

TEST(ImageDocumentTest, AbsurdTiffDimensionsAreRefusedBeforeDecoding) {
  ExpectRefusedQuickly(TiffClaiming(60000, 60000));
}

TEST(ImageDocumentTest, PlausibleClaimPassesTheHeaderCheck) {
  // Same construction, sane size: the header check lets it through (the
  // empty pixel data then fails to decode, as corrupt).
  auto doc = Document::Open(TiffClaiming(100, 100), MediaType::kTiff, Limits{});
  ASSERT_TRUE(doc.ok()) << doc.error().ToString();
  EXPECT_EQ((*doc)->page_count(), 1);
}

TEST(ImageDocumentTest, TruncatedPngIsUnprocessable) {
  const std::string png = ReadFile(CorpusFile("a04-png.png"));
  auto record = Extract(png.substr(0, 2000), ExtractOptions{});
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code, ErrorCode::kUnprocessable);
}

TEST(ImageDocumentTest, LzwTiffPagesAndResolution) {
  const std::string tif = ReadFile(CorpusFile("a03-tiff.tif"));
  auto doc = Document::Open(tif, MediaType::kTiff, Limits{});
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ((*doc)->page_count(), 3);
  auto text = (*doc)->TextLayer(3);
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(text->words.empty());
  EXPECT_NEAR(text->width_pt, 1654 * 72.0 / 200, 0.01);  // 200 dpi honoured
  auto image = (*doc)->Render(3, 300);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->dpi_x, 200);
  EXPECT_EQ(image->width, 1654);
  EXPECT_FALSE(image->bilevel);
}

TEST(ImageDocumentTest, MultiPageG4TiffInAnyOrder) {
  const std::string png = ReadFile(CorpusFile("a04-png.png"));
  ocr::PixPtr page(pixReadMem(reinterpret_cast<const l_uint8*>(png.data()), png.size()));
  ASSERT_TRUE(page);
  ASSERT_EQ(pixGetDepth(page.get()), 1);
  ocr::PixPtr turned(pixRotateOrth(page.get(), 1));
  pixSetResolution(turned.get(), 300, 300);
  testing::TempDir dir;
  const std::string path = dir / "g4.tif";
  ASSERT_EQ(pixWriteTiff(path.c_str(), page.get(), IFF_TIFF_G4, "w"), 0);
  ASSERT_EQ(pixWriteTiff(path.c_str(), turned.get(), IFF_TIFF_G4, "a"), 0);
  const std::string tif = ReadFile(path);
  auto doc = Document::Open(tif, MediaType::kTiff, Limits{});
  ASSERT_TRUE(doc.ok()) << doc.error().ToString();
  ASSERT_EQ((*doc)->page_count(), 2);
  for (int p : {2, 1, 2}) {
    auto image = (*doc)->Render(p, 300);
    ASSERT_TRUE(image.ok()) << p;
    EXPECT_TRUE(image->bilevel);
    EXPECT_EQ(image->width, p == 1 ? 2481 : 3508) << p;
    EXPECT_EQ(image->dpi_x, 300);
  }
}

TEST(ImageDocumentTest, MissingResolutionMeans300AndAPresentOneIsHonoured) {
  ocr::PixPtr pix(pixCreate(600, 300, 8));
  pixSetAll(pix.get());
  for (int dpi : {0, 150}) {
    pixSetResolution(pix.get(), dpi, dpi);
    l_uint8* data = nullptr;
    size_t size = 0;
    ASSERT_EQ(pixWriteMemPng(&data, &size, pix.get(), 0.0f), 0);
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    lept_free(data);
    auto doc = Document::Open(bytes, MediaType::kPng, Limits{});
    ASSERT_TRUE(doc.ok());
    auto text = (*doc)->TextLayer(1);
    ASSERT_TRUE(text.ok());
    EXPECT_NEAR(text->width_pt, 600 * 72.0 / (dpi == 0 ? 300 : dpi), 0.01) << dpi;
  }
}

TEST(ImageDocumentTest, JpegDensityIsHonoured) {
  const std::string jpg = ReadFile(CorpusFile("b03-jpeg.jpg"));
  auto doc = Document::Open(jpg, MediaType::kJpeg, Limits{});
  ASSERT_TRUE(doc.ok());
  auto text = (*doc)->TextLayer(1);
  ASSERT_TRUE(text.ok());
  EXPECT_NEAR(text->width_pt, 2481 * 72.0 / 300, 0.01);
}

}  // namespace
}  // namespace pactum::extract
