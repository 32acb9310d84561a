// Amounts over classes of inputs: table cells side by side, written amounts
// (with and without their figure), Deutsche Mark, scales and decimal marks.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "fields/extractors.h"
#include "pactum/extract/fields.h"
#include "test_document.h"

namespace pactum::extract {
namespace {

using testing::Amounts;
using testing::L;

using P = std::pair<std::string, std::string>;

// Lines 4 pt wide per byte.
std::vector<P> ExtractedAmounts(const std::vector<L>& lines) {
  const DocumentText doc = testing::DocWith(lines, 4.0);
  const Reading reading = Reading::Of(doc);
  Agreement a;
  ExtractAmounts(reading, &a);
  std::vector<P> out;
  for (const auto& x : a.amounts) out.emplace_back(x.value, x.currency);
  return out;
}

TEST(AmountsClassTest, TableCellsStayApart) {
  // Two numbers side by side are two numbers, not one grouped by a space.
  EXPECT_EQ(Amounts("$ 300,000 600,000"), (std::vector<P>{{"300000.00", "USD"}}));
  EXPECT_EQ(Amounts("Total $ 300,000 $ 600,000"), (std::vector<P>{{"300000.00", "USD"}, {"600000.00", "USD"}}));
  EXPECT_EQ(Amounts("1.000.000 2.000 EUR"), (std::vector<P>{{"2000.00", "EUR"}}));
  // A space groups thousands where every group uses it.
  EXPECT_EQ(Amounts("200 000 EUR und 1 234 567,89 EUR"), (std::vector<P>{{"200000.00", "EUR"}, {"1234567.89", "EUR"}}));
  // The cells of a table row are blocks of their own: never joined.
  EXPECT_EQ(ExtractedAmounts({{1, 50, 100, "Year 1", 0},
                              {1, 200, 100, "$ 300,000", 1},
                              {1, 300, 100, "600,000", 2},
                              {1, 50, 115, "Year 2", 3},
                              {1, 200, 115, "$ 450,000", 4}}),
            (std::vector<P>{{"300000.00", "USD"}, {"450000.00", "USD"}}));
}

TEST(AmountsClassTest, WrittenAmountsCountOnce) {
  EXPECT_EQ(Amounts("a fee of one million dollars"), (std::vector<P>{{"1000000.00", "USD"}}));
  EXPECT_EQ(Amounts("TWO HUNDRED THOUSAND DOLLARS ($200,000)"), (std::vector<P>{{"200000.00", "USD"}}));
  EXPECT_EQ(Amounts("two hundred thousand Dollars ($200,000)"), (std::vector<P>{{"200000.00", "USD"}}));
  EXPECT_EQ(Amounts("$200,000 (two hundred thousand dollars)"), (std::vector<P>{{"200000.00", "USD"}}));
  EXPECT_EQ(Amounts("two hundred fifty thousand (250,000) U.S. Dollars"), (std::vector<P>{{"250000.00", "USD"}}));
  EXPECT_EQ(Amounts("one hundred and twenty-five thousand euros"), (std::vector<P>{{"125000.00", "EUR"}}));
  EXPECT_EQ(Amounts("fünfhunderttausend Euro"), (std::vector<P>{{"500000.00", "EUR"}}));
  EXPECT_EQ(Amounts("eine Million Deutsche Mark"), (std::vector<P>{{"1000000.00", "DEM"}}));
  EXPECT_EQ(Amounts("zweihundertfünfundzwanzigtausend Euro"), (std::vector<P>{{"225000.00", "EUR"}}));
  // Number words without a currency, small numbers and a figure's scale are no written amount.
  EXPECT_TRUE(Amounts("Länder mit mehr als zwei Millionen Einwohnern").empty());
  EXPECT_TRUE(Amounts("one (1) dollar per unit").empty());
  EXPECT_TRUE(Amounts("about $800 per million dollars of sales") == (std::vector<P>{{"800.00", "USD"}}));
  EXPECT_EQ(Amounts("a fee of Four and One-Half Million Dollars ($4,500,000)"), (std::vector<P>{{"4500000.00", "USD"}}));
  EXPECT_EQ(Amounts("insgesamt 2,75 Millionen Euro"), (std::vector<P>{{"2750000.00", "EUR"}}));
  EXPECT_TRUE(Amounts("the money and the tension in one euro-zone").empty());
}

TEST(AmountsClassTest, DeutscheMarkAndScales) {
  EXPECT_EQ(Amounts("im Jahr 1998 mit 16 Mio. DM"), (std::vector<P>{{"16000000.00", "DEM"}}));
  EXPECT_EQ(Amounts("ein Betrag von 200 000 Deutsche Mark (= 102 258,37 Euro)"),
            (std::vector<P>{{"200000.00", "DEM"}, {"102258.37", "EUR"}}));
  EXPECT_EQ(Amounts("DM 1.000.000"), (std::vector<P>{{"1000000.00", "DEM"}}));
  EXPECT_EQ(Amounts("50.000 D-Mark"), (std::vector<P>{{"50000.00", "DEM"}}));
  EXPECT_EQ(Amounts("2,5 Mrd. DM"), (std::vector<P>{{"2500000000.00", "DEM"}}));
  EXPECT_EQ(Amounts("$1.5 billion and USD 5 million"), (std::vector<P>{{"1500000000.00", "USD"}, {"5000000.00", "USD"}}));
  // Before a scale word the decimal mark is that of the word's language.
  EXPECT_EQ(Amounts("$14.575 billion"), (std::vector<P>{{"14575000000.00", "USD"}}));
  EXPECT_EQ(Amounts("1.500 Mio. Euro und 1,250 Mrd. Euro"),
            (std::vector<P>{{"1500000000.00", "EUR"}, {"1250000000.00", "EUR"}}));
  EXPECT_EQ(ExtractedAmounts({{1, 50, 100, "The Supplier shall pay to the Customer the sum of $14.575 million for the goods."}}),
            (std::vector<P>{{"14575000.00", "USD"}}));
  EXPECT_EQ(Amounts("3 Mio. € und 250 TEUR"), (std::vector<P>{{"3000000.00", "EUR"}, {"250000.00", "EUR"}}));
  // "Mark" alone is a name, "dm" a length.
  EXPECT_TRUE(Amounts("Mark Dainow und 5 dm Abstand").empty());
  EXPECT_TRUE(Amounts("auf Mark der Deutschen Demokratischen Republik lautend").empty());
}

}  // namespace
}  // namespace pactum::extract
