#include <gtest/gtest.h>

#include "pactum/extract/page_text.h"

namespace pactum::extract {
namespace {

void Add(PageText* p, double x, double y, const std::string& text) {
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string w = text.substr(start, end - start);
    const double width = 5.5 * static_cast<double>(w.size());
    p->words.push_back({w, {x, y, x + width, y + 11}, 1.0, true});
    x += width + 3;
    start = end + 1;
  }
}

std::vector<std::string> LineTexts(const PageText& p) {
  std::vector<std::string> out;
  for (const auto& l : p.lines) out.push_back(l.text);
  return out;
}

TEST(LayoutTest, SideBySideSignatureBlocksStayApart) {
  PageText p;
  p.width_pt = 595;
  p.height_pt = 842;
  Add(&p, 70, 500, "Wiesbaden, den 2.8.2025");
  Add(&p, 300, 500, "Bad Homburg, den 13.10.2025");
  Add(&p, 70, 540, "Heike Hofmann");
  Add(&p, 300, 548, "Antje van der Heide");
  Add(&p, 70, 554, "Staatsministerin");
  Add(&p, 300, 562, "Kreisbeigeordnete");
  BuildLayout(&p);
  const auto lines = LineTexts(p);
  ASSERT_EQ(lines.size(), 6u);
  // Each column reads top to bottom; nothing from the right column is glued
  // to a left-column line.
  for (const auto& l : lines) {
    EXPECT_TRUE(l.find("Hofmann Antje") == std::string::npos) << l;
    EXPECT_TRUE(l.find("2025 Bad") == std::string::npos) << l;
  }
  ASSERT_GE(p.blocks.size(), 2u);
}

TEST(LayoutTest, JustifiedLineWithWideGapsIsOneLine) {
  PageText p;
  p.words.push_back({"Ausbildungscoaching", {68, 293, 192, 305}, 1, true});
  p.words.push_back({"in", {242, 293, 253, 305}, 1, true});
  p.words.push_back({"anerkannten", {303, 293, 377, 305}, 1, true});
  p.words.push_back({"Ausbildungsberufen,", {426, 293, 547, 305}, 1, true});
  BuildLayout(&p);
  ASSERT_EQ(p.lines.size(), 1u);
  EXPECT_EQ(p.lines[0].text, "Ausbildungscoaching in anerkannten Ausbildungsberufen,");
}

TEST(LayoutTest, ThreeColumnsWithEvenGapsAreThreeLines) {
  PageText p;
  p.words.push_back({"Oberbürgermeisterin", {70, 600, 170, 612}, 1, true});
  p.words.push_back({"Landrat", {250, 600, 290, 612}, 1, true});
  p.words.push_back({"Präsident", {430, 600, 480, 612}, 1, true});
  BuildLayout(&p);
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.lines[0].text, "Oberbürgermeisterin");
}

TEST(LayoutTest, NormalisesLigaturesAndSoftHyphens) {
  EXPECT_EQ(NormalizeWordText("\xef\xac\x81nanziert"), "finanziert");       // ﬁ
  EXPECT_EQ(NormalizeWordText("Ver\xc2\xad" "trag"), "Vertrag");            // soft hyphen
  EXPECT_EQ(NormalizeWordText("Mu\xcc\x88nchen"), "M\xc3\xbcnchen");        // u + combining diaeresis -> ü
}

TEST(LayoutTest, TextLayerUsability) {
  PageText empty;
  std::string reason;
  EXPECT_FALSE(HasUsableTextLayer(empty, &reason));
  EXPECT_EQ(reason, "no-text-layer");
  PageText good;
  Add(&good, 50, 50, "Die Vertragsparteien vereinbaren folgende Ziele und Maßnahmen");
  EXPECT_TRUE(HasUsableTextLayer(good, &reason));
  PageText invisible = good;
  for (auto& w : invisible.words) w.invisible = true;
  EXPECT_FALSE(HasUsableTextLayer(invisible, &reason));
  EXPECT_EQ(reason, "invisible-text-layer");
  PageText garbage;
  Add(&garbage, 50, 50, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd ^^^ ~~~~ ||||| {{{{ }}}} ~~~~ ^^^^ \xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_FALSE(HasUsableTextLayer(garbage, &reason));
  // A signature page: rules to sign on and a few names is a text layer.
  PageText signature_page;
  Add(&signature_page, 70, 500, "Kassel, den 12.03.2026");
  Add(&signature_page, 70, 560, "______________________________");
  Add(&signature_page, 70, 575, "Dr. Sven Schoeller");
  Add(&signature_page, 320, 560, "______________________________");
  Add(&signature_page, 320, 575, "Prof. Dr. Ute Clement");
  EXPECT_TRUE(HasUsableTextLayer(signature_page, &reason)) << reason;
}

}  // namespace
}  // namespace pactum::extract
