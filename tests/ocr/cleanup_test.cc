// Each clean-up step, on a page degraded the way that step is meant to
// repair, with the step on and off: the step must raise the word F1 of the
// OCR against the page's own (born-digital) text. The page is the top part
// of page 2 of seed-born-digital.pdf (11 pt body text) rendered at 300 dpi,
// degraded at test time. Scores are bags of words, and for orientation
// pairs of neighbouring words in reading order (Tesseract reads sideways
// lines by itself, but their boxes then run down the page and the lines
// fall apart).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include "ocr/leptonica_cleanup.h"
#include "ocr_test_util.h"

namespace pactum::extract::ocr {
namespace {

using testing::FromPix;
using testing::SharedEngine;
using testing::ToPix;

constexpr int kDpi = 300;
constexpr int kPage = 2;
constexpr int kCropRows = 1400;  // the upper third: headings and body text

// Neighbouring words in reading order ("a b" for each pair on a line).
std::vector<std::string> Pairs(PageText* page) {
  BuildLayout(page);
  std::vector<std::string> out;
  for (const Line& line : page->lines) {
    for (size_t i = 1; i < line.words.size(); ++i) {
      out.push_back(page->words[line.words[i - 1]].text + " " + page->words[line.words[i]].text);
    }
  }
  return out;
}

class CleanupTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string pdf = testing::ReadFile(testing::CorpusFile("seed-born-digital.pdf"));
    PageImage page = testing::RenderPdfPage(pdf, kPage, kDpi);
    ASSERT_GT(page.height, kCropRows);
    page.height = kCropRows;
    page.gray.resize(static_cast<size_t>(page.width) * kCropRows);
    clean_ = new PageImage(std::move(page));
    PageText text = testing::PdfTextLayer(pdf, kPage);
    const Box region{0, 0, 1e4, kCropRows * 72.0 / kDpi - 6};
    reference_ = new std::vector<std::string>(testing::WordsIn(text, region));
    std::erase_if(text.words, [&](const Word& w) { return (w.box.y0 + w.box.y1) / 2 > region.y1; });
    reference_pairs_ = new std::vector<std::string>(Pairs(&text));
    ASSERT_GT(reference_->size(), 60u);
  }
  static void TearDownTestSuite() {
    delete clean_;
    delete reference_;
    delete reference_pairs_;
    clean_ = nullptr;
    reference_ = nullptr;
    reference_pairs_ = nullptr;
  }

  // Word F1 of the OCR of `degraded` after clean-up with `options`.
  static double Score(const PageImage& degraded, const CleanupOptions& options, CleanedPage* cleaned_out = nullptr,
                      bool pairs = false) {
    auto cleaned = CleanUpForOcr(degraded, &SharedEngine(), options);
    EXPECT_TRUE(cleaned.ok());
    if (!cleaned.ok()) return 0;
    auto text = SharedEngine().Recognize(cleaned->image);
    EXPECT_TRUE(text.ok());
    if (!text.ok()) return 0;
    if (cleaned_out != nullptr) *cleaned_out = *cleaned;
    if (pairs) return testing::WordF1(Pairs(&*text), *reference_pairs_);
    return testing::WordF1(testing::WordsOf(*text), *reference_);
  }

  // Score with the step on and off; the step must help by `margin`.
  static void ExpectStepHelps(const char* step, const PageImage& degraded, bool CleanupOptions::*flag,
                              double margin, bool pairs = false) {
    CleanupOptions on, off;
    off.*flag = false;
    const double with = Score(degraded, on, nullptr, pairs), without = Score(degraded, off, nullptr, pairs);
    std::printf("[ step ] %-22s F1 with %.3f, without %.3f\n", step, with, without);
    EXPECT_GT(with, without + margin) << step;
    EXPECT_GT(with, 0.75) << step;
  }

  static PageImage* clean_;
  static std::vector<std::string>* reference_;
  static std::vector<std::string>* reference_pairs_;
};

PageImage* CleanupTest::clean_ = nullptr;
std::vector<std::string>* CleanupTest::reference_ = nullptr;
std::vector<std::string>* CleanupTest::reference_pairs_ = nullptr;

TEST_F(CleanupTest, CleanPageNeedsNoHelp) {
  CleanedPage cleaned;
  const double f1 = Score(*clean_, CleanupOptions{}, &cleaned);
  std::printf("[ step ] %-22s F1 %.3f\n", "clean page", f1);
  EXPECT_GT(f1, 0.9);
  EXPECT_EQ(cleaned.orientation_deg, 0);
  EXPECT_EQ(cleaned.skew_deg, 0);
}

TEST_F(CleanupTest, OrientationRepairsAPageScannedSideways) {
  PixPtr pix = ToPix(*clean_);
  PixPtr turned(pixRotateOrth(pix.get(), 1));  // 90 degrees clockwise
  const PageImage degraded = FromPix(turned.get(), kDpi);
  CleanedPage cleaned;
  Score(degraded, CleanupOptions{}, &cleaned);
  EXPECT_EQ(cleaned.orientation_deg, 270);
  EXPECT_EQ(cleaned.image.width, clean_->width);
  ExpectStepHelps("orientation 90 (pairs)", degraded, &CleanupOptions::orientation, 0.5, true);
}

TEST_F(CleanupTest, OrientationRepairsAnUpsideDownPage) {
  PixPtr pix = ToPix(*clean_);
  PixPtr turned(pixRotateOrth(pix.get(), 2));
  ExpectStepHelps("orientation 180 (pairs)", FromPix(turned.get(), kDpi), &CleanupOptions::orientation, 0.5, true);
}

TEST_F(CleanupTest, DeskewStraightensATiltedPage) {
  PixPtr pix = ToPix(*clean_);
  const double deg = 3.5;
  PixPtr tilted(pixRotate(pix.get(), static_cast<l_float32>(deg * std::numbers::pi / 180), L_ROTATE_AREA_MAP,
                          L_BRING_IN_WHITE, 0, 0));
  const PageImage degraded = FromPix(tilted.get(), kDpi);
  CleanedPage cleaned;
  Score(degraded, CleanupOptions{}, &cleaned);
  EXPECT_NEAR(cleaned.skew_deg, -deg, 0.3);
  ExpectStepHelps("deskew 3.5", degraded, &CleanupOptions::deskew, 0.05);
}

// A shadow darkening the page from left to right (a book gutter, a bad lamp).
TEST_F(CleanupTest, BackgroundNormalisationRemovesAShadow) {
  PageImage degraded = *clean_;
  for (int y = 0; y < degraded.height; ++y) {
    for (int x = 0; x < degraded.width; ++x) {
      const double light = 1.0 - 0.6 * x / degraded.width;  // 100% .. 40%
      auto& v = degraded.gray[static_cast<size_t>(y) * degraded.width + x];
      v = static_cast<std::uint8_t>(v * light);
    }
  }
  ExpectStepHelps("background shadow", degraded, &CleanupOptions::background, 0.2);
}

// A dark 200 dpi black/white fax: noisy grey thresholded high, so strokes
// are heavy and jagged. Interpolating up to 300 dpi before thresholding again
// smooths them. (On faint, thin-stroke faxes the gain vanishes: measured
// neutral to slightly negative, see the report in bench/ocr/README.md.)
TEST_F(CleanupTest, BinarisationSmoothsADark200DpiFax) {
  PixPtr pix = ToPix(*clean_);
  PixPtr small(pixScaleGrayLI(pix.get(), 2.0f / 3, 2.0f / 3));
  PageImage grey = FromPix(small.get(), 200);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 20.0);
  for (auto& v : grey.gray) v = static_cast<std::uint8_t>(std::clamp(v + noise(rng), 0.0, 255.0));
  PixPtr grey_pix = ToPix(grey);
  PixPtr bw(pixThresholdToBinary(grey_pix.get(), 200));
  PageImage degraded = FromPix(bw.get(), 200);
  ASSERT_TRUE(degraded.bilevel);
  ExpectStepHelps("binarise dark 200 dpi fax", degraded, &CleanupOptions::binarize, 0.0);
}

// Faint grey print on grey paper with sensor noise: the engine's own
// thresholding of the grey image loses the page.
TEST_F(CleanupTest, BinarisationCopesWithFaintNoisyGrey) {
  PageImage degraded = *clean_;
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 16.0);
  for (auto& v : degraded.gray) {
    const double faint = 130 + (v / 255.0) * 70 + noise(rng);
    v = static_cast<std::uint8_t>(std::clamp(faint, 0.0, 255.0));
  }
  ExpectStepHelps("binarise faint grey", degraded, &CleanupOptions::binarize, 0.3);
}

// Dust: thousands of isolated specks.
TEST_F(CleanupTest, SpeckleRemovalDropsDust) {
  PageImage degraded = *clean_;
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> xs(0, degraded.width - 4), ys(0, degraded.height - 4), size(1, 3);
  for (int i = 0; i < 6000; ++i) {
    const int x = xs(rng), y = ys(rng), s = size(rng);
    for (int dy = 0; dy < s; ++dy) {
      for (int dx = 0; dx < s; ++dx) degraded.gray[static_cast<size_t>(y + dy) * degraded.width + x + dx] = 0;
    }
  }
  CleanedPage cleaned;
  Score(degraded, CleanupOptions{}, &cleaned);
  EXPECT_GT(cleaned.speckles_removed, 3000);
  ExpectStepHelps("despeckle dust", degraded, &CleanupOptions::despeckle, 0.0);
}

}  // namespace
}  // namespace pactum::extract::ocr
