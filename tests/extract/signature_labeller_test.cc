// The signature labeller (reading/signature_labeller.h): the built-in model
// loads, a model of another layout is refused (the rules read alone), the
// labels it gives the lines of generated signature blocks, and the fields
// the signatories are read from with it.
#include "reading/signature_labeller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fields/extractors.h"
#include "reading/embedded_files.h"
#include "reading/reading.h"
#include "test_document.h"

namespace pactum::extract {
namespace {

using testing::L;

struct SigRead {
  explicit SigRead(const std::vector<L>& lines) : doc(testing::DocWith(lines, 4.8)), reading(Reading::Of(doc)) {}
  DocumentText doc;
  Reading reading;
};

std::string SigRow(const Signatory& s) {
  return s.name + " | " + s.title.value_or("-") + " | " + s.organization.value_or("-") + " | " +
         s.place.value_or("-") + " | " + s.date.value_or("-");
}

// The signatories of `lines` read with `model` (nullptr: the rules alone).
std::vector<std::string> SignersWith(const std::vector<L>& lines, const SignatureModel* model) {
  const SigRead r(lines);
  Agreement a;
  ExtractSignatoriesWith(r.reading, &a, model);
  std::vector<std::string> out;
  for (const auto& s : a.signatories) out.push_back(SigRow(s));
  return out;
}

// Each line of the area's blocks with the built-in model's tag: "tag | text".
std::vector<std::string> SigTags(const std::vector<L>& lines) {
  const SigRead r(lines);
  const SignatureArea area = SignatureArea::Of(r.reading);
  const SignatureModel* model = BuiltInSignatureModel();
  std::vector<std::string> out;
  if (!model) return out;
  const auto tags = LabelSignatureLines(*model, SignatureFeatures(r.reading, area.blocks()));
  size_t i = 0;
  for (const auto& b : area.blocks()) {
    for (const auto& l : b.lines) {
      out.push_back(std::string(SignatureTagName(tags.at(i++).tag)) + " | " + l.text);
    }
  }
  EXPECT_EQ(i, tags.size());
  return out;
}

std::string_view SigModelBytes() {
  for (const auto& file : EmbeddedFiles()) {
    if (file.name == "models/signatures.dat") return file.bytes;
  }
  return {};
}

const std::vector<L> kSigGermanTwoColumns = {
    {4, 70, 250, "Zu Urkund dessen haben die Bevollmächtigten diesen Vertrag unterzeichnet."},
    {4, 70, 280, "Neustadt, den 12. März 2004"},
    {4, 70, 310, "Für den Freistaat Musterland"},
    {4, 70, 325, "Dr. Hanna Beispiel"},
    {4, 70, 340, "Ministerpräsidentin"},
    {4, 320, 310, "Für das Land Nordmark"},
    {4, 320, 325, "Otto Probst"},
    {4, 320, 340, "Minister der Finanzen"},
};

TEST(SignatureLabellerTest, TheBuiltInModelLoadsAndLabelsGerman) {
  const SignatureModel* model = BuiltInSignatureModel();
  ASSERT_NE(model, nullptr) << "extract/models/signatures.dat is missing or does not fit the code";
  EXPECT_EQ(model->weights.size(), SignatureFeatureExtractor().num_features());
  EXPECT_TRUE(model->Covers("de"));
  EXPECT_FALSE(model->Covers("xx"));
  EXPECT_GE(model->threshold, 0);
  // Saved again, the model reads back the same.
  const auto again = ParseSignatureModel(SaveSignatureModel(*model));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->languages, model->languages);
  EXPECT_EQ(again->threshold, model->threshold);
  EXPECT_EQ(again->weights, model->weights);
}

TEST(SignatureLabellerTest, AModelOfAnotherLayoutOrSizeIsRefused) {
  const std::string bytes(SigModelBytes());
  ASSERT_FALSE(bytes.empty());
  ASSERT_TRUE(ParseSignatureModel(bytes).has_value());
  const size_t eol = bytes.find('\n');
  // Another feature count, another format version, a missing weight, one too
  // many, a header without its fields, no header line at all.
  std::string other_layout = bytes;
  const size_t at = other_layout.find("features=") + 9;
  other_layout.replace(at, other_layout.find(' ', at) - at, "12");
  EXPECT_FALSE(ParseSignatureModel(other_layout).has_value());
  std::string other_version = bytes;
  other_version.replace(other_version.find("/1 "), 3, "/9 ");
  EXPECT_FALSE(ParseSignatureModel(other_version).has_value());
  EXPECT_FALSE(ParseSignatureModel(bytes.substr(0, bytes.size() - 4)).has_value());
  EXPECT_FALSE(ParseSignatureModel(bytes + std::string(4, '\0')).has_value());
  EXPECT_FALSE(ParseSignatureModel(SignatureModelHeader() + "\n" + bytes.substr(eol + 1)).has_value());
  EXPECT_FALSE(ParseSignatureModel(bytes.substr(eol + 1)).has_value());
  EXPECT_FALSE(ParseSignatureModel("").has_value());
}

// Without a model (none built in, or one refused) the rules read the blocks:
// the same fields as ever.
TEST(SignatureLabellerTest, WithoutAModelTheRulesReadTheBlocks) {
  const std::vector<std::string> want = {
      "Dr. Hanna Beispiel | Ministerpräsidentin | Freistaat Musterland | Neustadt | 2004-03-12",
      "Otto Probst | Minister der Finanzen | Land Nordmark | Neustadt | 2004-03-12"};
  EXPECT_EQ(SignersWith(kSigGermanTwoColumns, nullptr), want);
  EXPECT_EQ(SignersWith(kSigGermanTwoColumns, BuiltInSignatureModel()), want);
}

// The model's tags for "Für den Freistaat X" / name / office blocks in two
// columns under a shared place and date.
TEST(SignatureLabellerTest, GermanBlocksAreLabelledLineByLine) {
  ASSERT_NE(BuiltInSignatureModel(), nullptr);
  const auto tags = SigTags(kSigGermanTwoColumns);
  for (const std::string want : {"place_date | Neustadt, den 12. März 2004",
                                 "organisation | Für den Freistaat Musterland", "name | Dr. Hanna Beispiel",
                                 "title | Ministerpräsidentin", "organisation | Für das Land Nordmark",
                                 "name | Otto Probst", "title | Minister der Finanzen"}) {
    EXPECT_NE(std::find(tags.begin(), tags.end(), want), tags.end()) << want;
  }
}

// Where the model is sure and the rules read a line differently, the line
// is read as the model labels it. A model made here marks one line, an
// office the rules do not know ("Kassenwartin des Vereins", above the
// name), as a title.
TEST(SignatureLabellerTest, FieldsComeFromTheLabelsWhereTheModelIsSure) {
  const std::vector<L> lines = {{4, 70, 270, "Zu Urkund dessen haben die Parteien diesen Vertrag unterzeichnet."},
                                {4, 70, 300, "Für den Verein Musterhausen"},
                                {4, 70, 315, "Kassenwartin des Vereins"},
                                {4, 70, 330, "Dr. Anna Beispiel"}};
  EXPECT_EQ(SignersWith(lines, nullptr),
            (std::vector<std::string>{"Dr. Anna Beispiel | - | Verein Musterhausen | - | -"}));
  const SigRead r(lines);
  ASSERT_EQ(r.reading.language(), "de");
  const auto features = SignatureFeatures(r.reading, SignatureArea::Of(r.reading).blocks());
  ASSERT_EQ(features.size(), 4u);  // the closing formula, then the block
  SignatureModel model;
  model.languages = {"de"};
  model.weights.assign(SignatureFeatureExtractor().num_features(), 0.0);
  const unsigned long f = SignatureFeatureCount();
  const auto title = static_cast<unsigned long>(SignatureTag::kTitle);
  for (unsigned long id : features[2]) model.weights[title * f + id] = 1;
  // Only the office line's features all count for a title.
  model.threshold = static_cast<double>(features[2].size()) - 0.5;
  const auto tags = LabelSignatureLines(model, features);
  EXPECT_EQ(tags[2].tag, SignatureTag::kTitle);
  EXPECT_GE(tags[2].margin, model.threshold);
  for (size_t i : {size_t{0}, size_t{1}, size_t{3}}) EXPECT_LT(tags[i].margin, model.threshold) << i;
  EXPECT_EQ(SignersWith(lines, &model),
            (std::vector<std::string>{"Dr. Anna Beispiel | Kassenwartin des Vereins | Verein Musterhausen | - | -"}));
  // In a language the model does not cover, the rules read alone.
  model.languages = {"en"};
  EXPECT_EQ(SignersWith(lines, &model),
            (std::vector<std::string>{"Dr. Anna Beispiel | - | Verein Musterhausen | - | -"}));
}

// English "By: /s/ … Name: … Title: …" blocks in two columns are read by
// the rules (the model has too few English documents to label them) and
// keep their fields.
TEST(SignatureLabellerTest, EnglishLabelledBlocksInTwoColumns) {
  const std::vector<L> lines = {
      {9, 50, 100, "IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first written above."},
      {9, 50, 130, "ALPHA EXAMPLE, INC."},
      {9, 50, 145, "By: /s/ Jane Sample"},
      {9, 50, 160, "Name: Jane Sample"},
      {9, 50, 175, "Title: Chief Executive Officer"},
      {9, 300, 130, "BETA PLACEHOLDER LLC"},
      {9, 300, 145, "By: /s/ Tom Demo"},
      {9, 300, 160, "Name: Tom Demo"},
      {9, 300, 175, "Title: Managing Member"},
      {9, 300, 190, "Date: May 4, 2021"}};
  const std::vector<std::string> want = {"Jane Sample | Chief Executive Officer | ALPHA EXAMPLE, INC. | - | -",
                                         "Tom Demo | Managing Member | BETA PLACEHOLDER LLC | - | 2021-05-04"};
  EXPECT_EQ(SignersWith(lines, BuiltInSignatureModel()), want);
  EXPECT_EQ(SignersWith(lines, nullptr), want);
}

}  // namespace
}  // namespace pactum::extract
