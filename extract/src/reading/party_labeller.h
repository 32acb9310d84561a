// The party labeller: finds the spans of party names in the tokens of the
// title and parties zones, with a sequence segmenter (dlib's structural SVM
// over BIO labels, a window of 5 tokens) trained by `scripts/train` from the
// real agreements' truth (extract/models/parties.md is its card).
//
// Features per token (PartyFeatures) are what a clerk reads a preamble by:
// the word itself (hashed), its shape, whether it is a legal form, article,
// conjunction, party cue, detail cue ("a Delaware corporation", "vertreten
// durch"), definition cue or role word (language data), whether it stands
// in parentheses or quotes, at a line start, in a centred or capitalised
// line, in the title zone, and how far into the zone it is.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "reading/reading.h"
#include "reading/tokens.h"

namespace pactum::extract {

// The feature ids of each token (sparse, binary).
using TokenFeatures = std::vector<std::vector<unsigned long>>;

inline constexpr unsigned long kPartyWordBuckets = 1024;
unsigned long PartyFeatureCount();
// The first line of a model file names its format and feature layout; a
// model whose header differs from the code's is not used.
std::string PartyModelHeader();
// A model file for `weights` (dlib's segmenter weights): the header line,
// " weights=N", then N little-endian float32 values. Loads in microseconds,
// where dlib's own serialisation takes milliseconds.
std::string SavePartyModel(const std::vector<double>& weights);

// The tokens the labeller reads: the title and parties zones (or, when the
// zoner found no parties zone, the first lines that are not furniture).
Tokens PartyTokens(const Reading& reading);
TokenFeatures PartyFeatures(const Reading& reading, const Tokens& tokens);

// dlib's feature-extractor concept over precomputed ids.
class PartyFeatureExtractor {
 public:
  using sequence_type = TokenFeatures;
  static const bool use_BIO_model = true;
  static const bool use_high_order_features = true;
  static const bool allow_negative_weights = true;
  unsigned long window_size() const { return 5; }
  unsigned long num_features() const { return PartyFeatureCount(); }
  template <typename FeatureSetter>
  void get_features(FeatureSetter& set_feature, const sequence_type& x, unsigned long position) const {
    for (unsigned long id : x[position]) set_feature(id);
  }
};

// Token spans [first, last) labelled as party names, in order. Empty when
// no model is built in.
std::vector<std::pair<size_t, size_t>> LabelPartyNames(const TokenFeatures& features);

}  // namespace pactum::extract
