// PageGeometry: boxes found on the cleaned (turned, deskewed) image map back
// onto the page as submitted.
#include <gtest/gtest.h>

#include "ocr/leptonica_cleanup.h"

namespace pactum::extract::ocr {
namespace {

void ExpectNear(const Box& a, const Box& b, double tol) {
  EXPECT_NEAR(a.x0, b.x0, tol);
  EXPECT_NEAR(a.y0, b.y0, tol);
  EXPECT_NEAR(a.x1, b.x1, tol);
  EXPECT_NEAR(a.y1, b.y1, tol);
}

TEST(PageGeometryTest, IdentityWithoutTurnOrSkew) {
  PageGeometry g{595, 842, 0, 0};
  ExpectNear(g.ToOriginal({10, 20, 30, 40}), {10, 20, 30, 40}, 1e-9);
}

TEST(PageGeometryTest, QuarterTurnsRoundTrip) {
  // A landscape page scanned sideways: 842 x 595 points.
  for (int q = 0; q < 4; ++q) {
    PageGeometry g{842, 595, q, 0};
    const Box original{100, 50, 300, 80};
    const Box cleaned = g.ToCleaned(original);
    ExpectNear(g.ToOriginal(cleaned), original, 1e-9);
    EXPECT_NEAR(cleaned.width(), q % 2 ? 30 : 200, 1e-9) << q;
  }
}

TEST(PageGeometryTest, ClockwiseTurnPutsPageTopOnTheRight) {
  // The submitted image lies turned: what reads as the top of the upright
  // page (cleaned frame, y small) is the right edge of the submitted image
  // when the clean-up turned it by 270 degrees clockwise (= 90 back).
  PageGeometry g{842, 595, 3, 0};  // submitted landscape, upright is 595 x 842
  const Box title_upright{200, 40, 400, 60};
  const Box on_original = g.ToOriginal(title_upright);
  EXPECT_GT(on_original.x0, 842 * 0.8);
  EXPECT_NEAR(on_original.width(), 20, 1e-9);
  EXPECT_NEAR(on_original.height(), 200, 1e-9);
}

TEST(PageGeometryTest, DeskewRotatesAboutTheCentre) {
  PageGeometry g{600, 800, 0, 2.0};
  const Box centre{290, 390, 310, 410};
  ExpectNear(g.ToOriginal(centre), g.ToCleaned(centre), 1e-6);  // symmetric box at the centre
  const Box word{100, 100, 160, 112};
  const Box back = g.ToOriginal(g.ToCleaned(word));
  // Rotating a box there and back grows it only by the rotation's slack.
  EXPECT_LE(back.x0, word.x0);
  EXPECT_GE(back.x1, word.x1);
  EXPECT_NEAR((back.x0 + back.x1) / 2, (word.x0 + word.x1) / 2, 1e-6);
  EXPECT_NEAR((back.y0 + back.y1) / 2, (word.y0 + word.y1) / 2, 1e-6);
  EXPECT_LT(back.width() - word.width(), 2.0);
}

TEST(PageGeometryTest, ClipsToThePage) {
  PageGeometry g{100, 100, 0, 5.0};
  const Box b = g.ToOriginal({-10, -10, 110, 5});
  EXPECT_GE(b.x0, 0);
  EXPECT_GE(b.y0, 0);
  EXPECT_LE(b.x1, 100);
}

}  // namespace
}  // namespace pactum::extract::ocr
