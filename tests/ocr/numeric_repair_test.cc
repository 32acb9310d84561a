#include "ocr/numeric_repair.h"

#include <gtest/gtest.h>

namespace pactum::extract::ocr {
namespace {

std::string Repaired(std::string w) {
  RepairNumericWord(&w);
  return w;
}

TEST(NumericRepairTest, FixesLettersInsideNumbers) {
  EXPECT_EQ(Repaired("2O25"), "2025");
  EXPECT_EQ(Repaired("1O.OOO"), "10.000");
  EXPECT_EQ(Repaired("965.95O"), "965.950");
  EXPECT_EQ(Repaired("l2.3.2025"), "12.3.2025");
  EXPECT_EQ(Repaired("O1.O8.2O25"), "01.08.2025");
  EXPECT_EQ(Repaired("1S.000"), "15.000");
  EXPECT_EQ(Repaired("3I,5"), "31,5");
}

TEST(NumericRepairTest, KeepsWrappingPunctuationAndCurrency) {
  EXPECT_EQ(Repaired("(2O25)"), "(2025)");
  EXPECT_EQ(Repaired("1.OOO€"), "1.000€");
  EXPECT_EQ(Repaired("\xE2\x82\xAC" "5O0,00"), "\xE2\x82\xAC" "500,00");
  EXPECT_EQ(Repaired("2O25."), "2025.");
  EXPECT_EQ(Repaired("\xE2\x80\x9E" "2O25\xE2\x80\x9C"), "\xE2\x80\x9E" "2025\xE2\x80\x9C");
}

TEST(NumericRepairTest, LeavesWordsAndAmbiguousTokensAlone) {
  std::string w;
  for (const char* s : {"Oslo", "SGB", "II", "XII", "S1", "lO1", "Ol", "IO", "2025", "1.", "§1", "Nr.1", "SO", "Il",
                        "Sozial", "l"}) {
    w = s;
    EXPECT_FALSE(RepairNumericWord(&w)) << s;
    EXPECT_EQ(w, s);
  }
}


TEST(UmlautRepairTest, DoubleIBeforeRIsUUmlaut) {
  std::string w = "fiir";
  EXPECT_TRUE(RepairUmlautWord(&w));
  EXPECT_EQ(w, "f\xc3\xbcr");
  w = "Fiihrung";
  EXPECT_FALSE(RepairUmlautWord(&w));  // "iih": no repair without the r
  w = "Gebiihren";
  EXPECT_FALSE(RepairUmlautWord(&w));
  w = "Vergiitung";
  EXPECT_FALSE(RepairUmlautWord(&w));
  w = "Priifung";
  EXPECT_FALSE(RepairUmlautWord(&w));
  w = "natiirlich";
  EXPECT_TRUE(RepairUmlautWord(&w));
  EXPECT_EQ(w, "nat\xc3\xbcrlich");
  w = "iir";  // no letter before: left alone
  EXPECT_FALSE(RepairUmlautWord(&w));
  w = "skiing";
  EXPECT_FALSE(RepairUmlautWord(&w));
}

}  // namespace
}  // namespace pactum::extract::ocr
