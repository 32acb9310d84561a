#include "pactum/extract/sniff.h"

#include <gtest/gtest.h>
#include <sched.h>

#include "pactum/extract/options.h"

namespace pactum::extract {
namespace {

TEST(SniffTest, RecognisesMagicNumbers) {
  EXPECT_EQ(Sniff("%PDF-1.7\n"), MediaType::kPdf);
  EXPECT_EQ(Sniff(std::string_view("\x89PNG\r\n\x1a\n\0\0", 10)), MediaType::kPng);
  EXPECT_EQ(Sniff("\xff\xd8\xff\xe0"), MediaType::kJpeg);
  EXPECT_EQ(Sniff(std::string_view("II*\0\x08\0\0\0", 8)), MediaType::kTiff);
  EXPECT_EQ(Sniff(std::string_view("MM\0*\0\0\0\x08", 8)), MediaType::kTiff);
}

TEST(SniffTest, PdfHeaderAfterJunkWithinFirstKilobyte) {
  EXPECT_EQ(Sniff(std::string(100, 'x') + "%PDF-1.4"), MediaType::kPdf);
  EXPECT_EQ(Sniff(std::string(2000, 'x') + "%PDF-1.4"), MediaType::kUnknown);
}

// A text that merely starts with "MM" or "II*" is not a TIFF: the magic is
// four bytes, NUL included.
TEST(SniffTest, TiffMagicNeedsAllFourBytes) {
  EXPECT_EQ(Sniff("MMXX, a memo"), MediaType::kUnknown);
  EXPECT_EQ(Sniff("II*I am text"), MediaType::kUnknown);
}

TEST(SniffTest, RejectsEmptyAndText) {
  EXPECT_EQ(Sniff(""), MediaType::kUnknown);
  EXPECT_EQ(Sniff("hello, world"), MediaType::kUnknown);
  EXPECT_EQ(Sniff("%PD"), MediaType::kUnknown);
}


TEST(OptionsTest, LanguageListsAreCanonicalAndInstalled) {
  auto a = CanonicalLanguages("deu+eng+deu");
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(*a, "deu+eng");
  auto b = CanonicalLanguages("eng");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, "eng");
  for (const char* bad : {"", "deu++eng", "deu+", "xyz", "../etc/passwd", "deu eng"}) {
    auto r = CanonicalLanguages(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << bad;
  }
}

TEST(OptionsTest, OcrModes) {
  OcrMode m = OcrMode::kAuto;
  EXPECT_TRUE(ParseOcrMode("always", &m));
  EXPECT_EQ(m, OcrMode::kAlways);
  EXPECT_TRUE(ParseOcrMode("never", &m));
  EXPECT_EQ(m, OcrMode::kNever);
  EXPECT_FALSE(ParseOcrMode("sometimes", &m));
}

}  // namespace
}  // namespace pactum::extract

// ---- thread counts follow the CPUs this process may use --------------------

TEST(AvailableCpusTest, FollowsTheAffinityMask) {
  cpu_set_t all;
  ASSERT_EQ(sched_getaffinity(0, sizeof all, &all), 0);
  EXPECT_GE(pactum::extract::AvailableCpus(), 1);
  EXPECT_LE(pactum::extract::AvailableCpus(), CPU_COUNT(&all));
  // Pinned to one CPU (taskset -c N), as a one-CPU container is.
  int first = 0;
  while (!CPU_ISSET(first, &all)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  const int pinned = pactum::extract::AvailableCpus();
  ASSERT_EQ(sched_setaffinity(0, sizeof all, &all), 0);
  EXPECT_EQ(pinned, 1);
}
