// The zone labeller (reading/zone_labeller.h): the built-in model loads and
// is what Reading::Of uses, a model file for another feature layout is
// refused (the rule zones stay), and generated agreements get the zones a
// reader would give them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reading/model_file.h"
#include "reading/reading.h"
#include "reading/zone_labeller.h"
#include "test_document.h"

namespace pactum::extract {
namespace {

using testing::L;
using Z = Zone;

// Every line's zone as `get` gives it (Reading::zone or Reading::rule_zone).
std::vector<Zone> EachLine(const Reading& r, Zone (Reading::*get)(size_t) const) {
  std::vector<Zone> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back((r.*get)(i));
  return out;
}
std::vector<Zone> LabelledZones(const Reading& r) { return EachLine(r, &Reading::zone); }
std::vector<Zone> LabelledRuleZones(const Reading& r) { return EachLine(r, &Reading::rule_zone); }

// A four-page agreement: filing stamp, title, preamble, recitals, clauses
// with running headers and page numbers, a signature page with two blocks,
// an exhibit.
std::vector<L> LabellerAgreement() {
  std::vector<L> lines = {
      {1, 60, 30, "EXHIBIT 10.7"},
      {1, 220, 90, "SUPPLY AGREEMENT"},
      {1, 60, 130, "This Supply Agreement is entered into as of March 3, 2021 by and between Orion Parts Inc., a"},
      {1, 60, 144, "Delaware corporation (\"Supplier\"), and Vega Motors LLC, a Texas limited liability"},
      {1, 60, 158, "company (\"Buyer\")."},
      {1, 60, 190, "WHEREAS, Supplier manufactures brake components; and"},
      {1, 60, 204, "WHEREAS, Buyer wishes to purchase such components from Supplier;"},
      {1, 60, 230, "NOW, THEREFORE, the parties agree as follows:"},
  };
  const char* const clauses[] = {"Supply of Products", "Prices and Payment", "Delivery", "Warranty",
                                 "Term and Termination", "Confidentiality"};
  int page = 1;
  double y = 260;
  for (int k = 0; k < 6; ++k) {
    if (y > 700) {
      lines.push_back({page, 290, 800, std::to_string(page)});
      ++page;
      lines.push_back({page, 60, 30, "Supply Agreement - Confidential"});
      y = 80;
    }
    lines.push_back({page, 60, y, std::to_string(k + 1) + ". " + clauses[k]});
    y += 20;
    for (int s = 0; s < 6; ++s) {
      lines.push_back({page, 60, y, "The parties shall perform their obligations under this section in good faith and"});
      y += 14;
    }
    lines.push_back({page, 60, y, "within the time agreed in writing between them."});
    y += 24;
  }
  lines.push_back({page, 290, 800, std::to_string(page)});
  ++page;
  const std::vector<L> signing = {
      {page, 60, 30, "Supply Agreement - Confidential"},
      {page, 60, 80, "IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first written above."},
      {page, 60, 120, "ORION PARTS INC."},
      {page, 60, 150, "By: /s/ Mary Holt"},
      {page, 60, 164, "Name: Mary Holt"},
      {page, 60, 178, "Title: Chief Executive Officer"},
      {page, 320, 120, "VEGA MOTORS LLC"},
      {page, 320, 150, "By: /s/ Tom Reyes"},
      {page, 320, 164, "Name: Tom Reyes"},
      {page, 320, 178, "Title: President"},
      {page, 290, 800, std::to_string(page)},
      {page + 1, 60, 30, "Supply Agreement - Confidential"},
      {page + 1, 250, 80, "EXHIBIT A"},
      {page + 1, 60, 110, "Products: brake pads, brake discs and calipers as listed by part number."},
      {page + 1, 290, 800, std::to_string(page + 1)},
  };
  lines.insert(lines.end(), signing.begin(), signing.end());
  return lines;
}

TEST(ZoneLabellerTest, TheBuiltInModelLoadsAndIsWhatTheReadingUses) {
  const ZoneModel* model = ZoneModel::BuiltIn();
  ASSERT_NE(model, nullptr) << "extract/models/zones.dat is not built in or does not match "
                            << ZoneModel::Header();
  EXPECT_EQ(BuiltInZoneModel(), model);
  const DocumentText doc = testing::DocWith(LabellerAgreement(), 5);
  const Reading by_default = Reading::Of(doc);
  const Reading rules = Reading::Of(doc, LanguageData::Get(), nullptr);
  EXPECT_EQ(LabelledZones(by_default), model->Label(ZoneFeatures(rules)));
  EXPECT_EQ(LabelledRuleZones(by_default), LabelledZones(rules));
}

TEST(ZoneLabellerTest, AModelForAnotherLayoutIsRefused) {
  const std::vector<double> weights(ZoneFeatureExtractor().num_features(), 0.5);
  EXPECT_TRUE(ZoneModel::FromBytes(ZoneModel::Save(weights)).has_value());
  // Another feature layout: the header names it, or the size gives it away.
  EXPECT_FALSE(ZoneModel::FromBytes(SaveModelWeights("pactum-zone-labeller/0 line-features=3 features=70", weights)));
  EXPECT_FALSE(ZoneModel::FromBytes(ZoneModel::Save(std::vector<double>(weights.size() - 7, 0.5))));
  std::string truncated = ZoneModel::Save(weights);
  truncated.pop_back();
  EXPECT_FALSE(ZoneModel::FromBytes(truncated));
  EXPECT_FALSE(ZoneModel::FromBytes(""));
  EXPECT_FALSE(ZoneModel::FromBytes(ZoneModel::Header() + " weights=x\n"));
  // Without a model, the zones are the rule zoner's.
  const DocumentText doc = testing::DocWith(LabellerAgreement(), 5);
  const Reading rules = Reading::Of(doc, LanguageData::Get(), nullptr);
  EXPECT_EQ(LabelledZones(rules), LabelledRuleZones(rules));
}

TEST(ZoneLabellerTest, AGeneratedAgreementGetsItsZones) {
  const std::vector<L> lines = LabellerAgreement();
  const DocumentText doc = testing::DocWith(lines, 5);
  const Reading r = Reading::Of(doc);
  ASSERT_EQ(r.size(), lines.size());
  const auto find = [&](const std::string& text) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (r.line(i).text == text) return i;
    }
    ADD_FAILURE() << "no line " << text;
    return size_t{0};
  };
  EXPECT_EQ(r.zone(find("EXHIBIT 10.7")), Z::kFurniture);
  EXPECT_EQ(r.zone(find("SUPPLY AGREEMENT")), Z::kTitle);
  EXPECT_EQ(r.zone(find("company (\"Buyer\").")), Z::kParties);
  EXPECT_EQ(r.zone(find("WHEREAS, Supplier manufactures brake components; and")), Z::kRecitals);
  EXPECT_EQ(r.zone(find("3. Delivery")), Z::kBody);
  EXPECT_EQ(r.zone(find("Title: President")), Z::kSignature);
  EXPECT_EQ(r.zone(find("Name: Mary Holt")), Z::kSignature);
  EXPECT_EQ(r.zone(find("Products: brake pads, brake discs and calipers as listed by part number.")), Z::kAnnex);
  for (size_t i = 0; i < r.size(); ++i) {
    if (r.line(i).text == "Supply Agreement - Confidential" || r.features(i).page_number) {
      EXPECT_EQ(r.zone(i), Z::kFurniture) << i << ": " << r.line(i).text;
    }
  }
  // The zones follow the order agreements are written in.
  for (size_t i = 1; i < r.size(); ++i) {
    if (r.zone(i) == Z::kFurniture || r.zone(i - 1) == Z::kFurniture) continue;
    EXPECT_GE(static_cast<int>(r.zone(i)), static_cast<int>(r.zone(i - 1))) << i << ": " << r.line(i).text;
  }
}

TEST(ZoneLabellerTest, FeaturesStayInsideTheLayout) {
  const DocumentText doc = testing::DocWith(LabellerAgreement(), 5);
  const Reading r = Reading::Of(doc, LanguageData::Get(), nullptr);
  const ZoneSequence features = ZoneFeatures(r);
  ASSERT_EQ(features.size(), r.size());
  for (const auto& line : features) {
    ASSERT_FALSE(line.empty());
    for (unsigned long id : line) EXPECT_LT(id, ZoneLineFeatureCount());
  }
  const DocumentText empty;
  EXPECT_TRUE(ZoneModel::FromBytes(ZoneModel::Save(std::vector<double>(ZoneFeatureExtractor().num_features(), 0)))
                  ->Label(ZoneFeatures(Reading::Of(empty)))
                  .empty());
}

}  // namespace
}  // namespace pactum::extract
