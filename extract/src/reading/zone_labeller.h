// The zone labeller: a zone for every line of a document, from a chain
// model over the lines (dlib's structural SVM sequence labeller, first
// order: a zone depends on the line and its neighbours' features and on the
// zone of the line before) trained by `scripts/train` from the real
// agreements' truth (extract/models/zones.md is its card).
//
// Features per line (ZoneFeatures) are the zoner's LineFeatures in buckets
// (place on the page, height, gap, words, cues), where the line stands in
// the document, a few more hits of the language data (a legal form, a
// capitalised name-like line, a signature cue of signature_area.h), and
// the rule zoner's own zone for the line: the rules stay as a source of
// features, the model decides. Each line also sees its neighbours' features.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reading/reading.h"

namespace pactum::extract {

// The feature ids of each line (sparse, binary), below ZoneLineFeatureCount().
using ZoneSequence = std::vector<std::vector<unsigned long>>;

unsigned long ZoneLineFeatureCount();
// The features of every line of `reading`, whose zones are the rule zoner's.
ZoneSequence ZoneFeatures(const Reading& reading);

// dlib's sequence-labelling feature-extractor concept. PSI: for the line's
// zone, the line's own features, its predecessor's and its successor's (three
// blocks), then one transition weight per pair of zones.
class ZoneFeatureExtractor {
 public:
  using sequence_type = ZoneSequence;
  unsigned long num_features() const {
    return kLabels * kBlocks * ZoneLineFeatureCount() + kLabels * kLabels;
  }
  unsigned long order() const { return 1; }
  unsigned long num_labels() const { return kLabels; }
  template <typename FeatureSetter, typename EXP>
  void get_features(FeatureSetter& set_feature, const sequence_type& x, const EXP& y, unsigned long position) const {
    const unsigned long b = ZoneLineFeatureCount();
    const unsigned long base = y(0) * kBlocks * b;
    for (unsigned long id : x[position]) set_feature(base + id);
    if (position > 0) {
      for (unsigned long id : x[position - 1]) set_feature(base + b + id);
    }
    if (position + 1 < x.size()) {
      for (unsigned long id : x[position + 1]) set_feature(base + 2 * b + id);
    }
    if (y.size() > 1) set_feature(kLabels * kBlocks * b + y(1) * kLabels + y(0));
  }

 private:
  static constexpr unsigned long kLabels = kZoneCount;
  static constexpr unsigned long kBlocks = 3;
};

// A trained zone model (weights of ZoneFeatureExtractor). Immutable;
// Label may be called from several threads.
class ZoneModel {
 public:
  // The first line of a model file names its format and feature layout; a
  // model whose header differs from the code's is not used.
  static std::string Header();
  // The model file for `weights` (model_file.h).
  static std::string Save(const std::vector<double>& weights);
  // The model in `bytes`; nullopt when its header names another layout or
  // its size does not match the layout.
  static std::optional<ZoneModel> FromBytes(std::string_view bytes);
  // The model built into the library (models/zones.dat); nullptr when it is
  // missing or does not match the code.
  static const ZoneModel* BuiltIn();

  // A zone for each line of `lines` (ZoneFeatures).
  std::vector<Zone> Label(const ZoneSequence& lines) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace pactum::extract
