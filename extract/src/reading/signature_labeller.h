// The signature labeller: labels each line of the signature area's blocks
// as a signer's name, title (office), organisation, place and date, or
// other, with a sequence labeller (dlib's structural SVM over the lines of
// the area, first order) trained by `scripts/train` from the truth of the
// real agreements (extract/models/signatures.md is its card).
//
// It labels lines, not tokens: a field of a signature block is nearly always
// a whole line (or the value after a label, "Name: Jan Berg", which the
// block model already cuts), and the training part holds a few hundred such
// lines: too few for token spans.
//
// Features per line (SignatureLineFeatures) are the rules' reading of it
// (the SignatureRole and label field of the line and of its neighbours,
// signature_blocks.h), its words (hashed), shape, hits of the language data
// (offices, person names, organisation words, legal forms, academic titles,
// marks) and its place in the block (first, last, position, column, gap
// above, under a rule, after or before a name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reading/signature_blocks.h"

namespace pactum::extract {

// What a line of a signature block holds.
enum class SignatureTag : std::uint8_t { kOther, kName, kTitle, kOrganisation, kPlaceDate };
inline constexpr unsigned long kSignatureTags = 5;
std::string_view SignatureTagName(SignatureTag tag);
// The tag the rules give a labelled line (its SignatureRole and field).
SignatureTag RuleTag(const SignatureLine& line);

// The feature ids of each line (sparse, binary), in the order of the blocks'
// lines.
using SignatureLineFeatures = std::vector<std::vector<unsigned long>>;
inline constexpr unsigned long kSignatureWordBuckets = 256;
unsigned long SignatureFeatureCount();
SignatureLineFeatures SignatureFeatures(const Reading& reading, const std::vector<SignatureBlock>& blocks);

// dlib's sequence labeller feature extractor over precomputed ids: the
// weight of feature f for tag t is at t * F + f; the transition from tag p
// to tag t at T * F + p * T + t.
class SignatureFeatureExtractor {
 public:
  using sequence_type = SignatureLineFeatures;
  unsigned long num_features() const { return kSignatureTags * SignatureFeatureCount() + kSignatureTags * kSignatureTags; }
  unsigned long order() const { return 1; }
  unsigned long num_labels() const { return kSignatureTags; }
  template <typename EXP>
  bool reject_labeling(const sequence_type&, const EXP&, unsigned long) const { return false; }
  template <typename FeatureSetter, typename EXP>
  void get_features(FeatureSetter& set_feature, const sequence_type& x, const EXP& y, unsigned long position) const {
    const unsigned long f = SignatureFeatureCount();
    const unsigned long tag = y(0);
    for (unsigned long id : x[position]) set_feature(tag * f + id);
    if (y.size() > 1) set_feature(kSignatureTags * f + y(1) * kSignatureTags + tag);
  }
};
inline void serialize(const SignatureFeatureExtractor&, std::ostream&) {}
inline void deserialize(SignatureFeatureExtractor&, std::istream&) {}

// A trained model: the weights, the margin under which the rules keep their
// reading of a line, and the languages it labels (those of enough training
// documents; in others the rules read the blocks alone).
struct SignatureModel {
  std::vector<double> weights;
  double threshold = 0;
  std::vector<std::string> languages;
  bool Covers(std::string_view language) const;
};
// The first line of a model file names its format and feature layout: "<header>
// languages=de,en threshold=X weights=N\n", then N little-endian float32 values.
std::string SignatureModelHeader();
std::string SaveSignatureModel(const SignatureModel& model);
// nullopt when the header names another layout or the size does not match.
std::optional<SignatureModel> ParseSignatureModel(std::string_view bytes);
// The model built into the library (models/signatures.dat), parsed once;
// nullptr when there is none or it does not fit the code.
const SignatureModel* BuiltInSignatureModel();

// A line's tag and how far its score is ahead of the next tag's (the
// emission scores alone; the tags come from the Viterbi path).
struct SignatureLineTag {
  SignatureTag tag = SignatureTag::kOther;
  double margin = 0;
};
std::vector<SignatureLineTag> LabelSignatureLines(const SignatureModel& model, const SignatureLineFeatures& features);

}  // namespace pactum::extract
