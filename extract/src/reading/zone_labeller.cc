#include "reading/zone_labeller.h"

#include <dlib/svm/sequence_labeler.h>

#include <algorithm>
#include <cctype>

#include "fields/common.h"
#include "reading/model_file.h"
#include "reading/signature_area.h"

namespace pactum::extract {
namespace {

// Binary features of a line. Buckets are named by their upper bound.
enum Feature : unsigned long {
  kBias,
  kTop08, kTop15, kTop50, kTop85, kTop92, kTopRest,
  kBottomEdge,
  kLeft15, kLeft30, kLeft50, kLeftRest,
  kRightShort,
  kHeight085, kHeight115, kHeight150, kHeightRest,
  kGapNone, kGap08, kGap2, kGap4, kGapRest,
  kCentred, kAllCaps,
  kWords2, kWords6, kWords16, kWordsRest,
  kFirstOnPage, kLastOnPage, kRepeated, kPageNumber, kStamp, kDesignation, kPartyCue, kRecitalCue,
  kOperativeCue, kSignatureCue, kAnnexCue, kNumberedHeading, kEndsSentence,
  kPage1, kPage2, kLastPage, kOnePage,
  kDocPosition,                          // 10 buckets of the line's index / line count
  kRuleZone = kDocPosition + 10,         // kZoneCount values: the rule zoner's zone
  kRuleZoneStarts = kRuleZone + kZoneCount,  // the rule zone changes at this line
  kSignatureCueKind,                     // 5 values: SignatureCue kClosing .. kRule
  kLegalForm = kSignatureCueKind + 5,    // parties.legal_forms in the line
  kNameLike,                             // 2 to 5 words, each capitalised, no sentence end
  kDigits,
  kBeforeTitle,        // above the rule zoner's first title line
  kRunPartyCue,        // the line's run of one rule zone holds a party cue,
  kRunLegalForm,       // a legal form,
  kRunNumberedHeading, // a numbered heading
  kCount
};

unsigned long Bucket(double v, std::initializer_list<double> bounds) {
  unsigned long k = 0;
  for (double b : bounds) {
    if (v < b) return k;
    ++k;
  }
  return k;
}

bool NameLike(const std::string& text, int words) {
  if (words < 2 || words > 5) return false;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!(std::isupper(c) || c >= 0xC3)) return false;
    while (i < text.size() && text[i] != ' ') ++i;
  }
  return true;
}

}  // namespace

unsigned long ZoneLineFeatureCount() { return kCount; }

ZoneSequence ZoneFeatures(const Reading& reading) {
  const size_t n = reading.size();
  ZoneSequence out(n);
  const auto& legal_forms = reading.Words("parties.legal_forms");
  std::vector<bool> legal_form(n);
  size_t first_title = n;
  for (size_t i = 0; i < n; ++i) {
    legal_form[i] = FindPhrase(reading.line(i).text, legal_forms).has_value();
    if (first_title == n && reading.rule_zone(i) == Zone::kTitle) first_title = i;
  }
  // Runs of lines of one rule zone, and what each run holds.
  std::vector<unsigned long> run_flags(n, 0);
  for (size_t begin = 0; begin < n;) {
    size_t end = begin;
    unsigned long flags = 0;
    for (; end < n && reading.rule_zone(end) == reading.rule_zone(begin); ++end) {
      const LineFeatures& f = reading.features(end);
      if (f.party_cue) flags |= 1;
      if (legal_form[end]) flags |= 2;
      if (f.numbered_heading) flags |= 4;
    }
    for (size_t i = begin; i < end; ++i) run_flags[i] = flags;
    begin = end;
  }
  for (size_t i = 0; i < n; ++i) {
    const LineFeatures& f = reading.features(i);
    const TextLine& line = reading.line(i);
    auto& ids = out[i];
    ids.push_back(kBias);
    ids.push_back(kTop08 + Bucket(f.top, {0.08, 0.15, 0.5, 0.85, 0.92}));
    if (f.bottom > 0.92) ids.push_back(kBottomEdge);
    ids.push_back(kLeft15 + Bucket(f.left, {0.15, 0.3, 0.5}));
    if (f.right < 0.6) ids.push_back(kRightShort);
    ids.push_back(kHeight085 + Bucket(f.height, {0.85, 1.15, 1.5}));
    ids.push_back(f.gap_above <= 0 ? kGapNone : kGap08 + Bucket(f.gap_above, {0.8, 2, 4}));
    if (f.centred) ids.push_back(kCentred);
    if (f.all_caps) ids.push_back(kAllCaps);
    ids.push_back(kWords2 + Bucket(f.words, {2.5, 6.5, 16.5}));
    const std::pair<bool, Feature> flags[] = {
        {f.first_on_page, kFirstOnPage}, {f.last_on_page, kLastOnPage},     {f.repeated, kRepeated},
        {f.page_number, kPageNumber},    {f.stamp, kStamp},                 {f.designation, kDesignation},
        {f.party_cue, kPartyCue},        {f.recital_cue, kRecitalCue},      {f.operative_cue, kOperativeCue},
        {f.signature_cue, kSignatureCue}, {f.annex_cue, kAnnexCue},         {f.numbered_heading, kNumberedHeading},
        {f.ends_sentence, kEndsSentence}, {line.page == 1, kPage1},         {line.page == 2, kPage2},
        {line.page == reading.pages(), kLastPage}, {reading.pages() == 1, kOnePage}};
    for (const auto& [on, feature] : flags) {
      if (on) ids.push_back(feature);
    }
    ids.push_back(kDocPosition + std::min<unsigned long>(9, static_cast<unsigned long>(10 * i / n)));
    const auto zone = static_cast<unsigned long>(reading.rule_zone(i));
    ids.push_back(kRuleZone + zone);
    if (i == 0 || reading.rule_zone(i - 1) != reading.rule_zone(i)) ids.push_back(kRuleZoneStarts);
    const SignatureCue cue = SignatureCueOf(reading, i);
    if (cue != SignatureCue::kNone) ids.push_back(kSignatureCueKind + static_cast<unsigned long>(cue) - 1);
    const std::string trimmed = fields::Trim(line.text);
    if (legal_form[i]) ids.push_back(kLegalForm);
    if (i < first_title) ids.push_back(kBeforeTitle);
    if (run_flags[i] & 1) ids.push_back(kRunPartyCue);
    if (run_flags[i] & 2) ids.push_back(kRunLegalForm);
    if (run_flags[i] & 4) ids.push_back(kRunNumberedHeading);
    if (!f.ends_sentence && NameLike(trimmed, f.words)) ids.push_back(kNameLike);
    if (std::any_of(trimmed.begin(), trimmed.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      ids.push_back(kDigits);
    }
    std::sort(ids.begin(), ids.end());
  }
  return out;
}

struct ZoneModel::Impl {
  dlib::sequence_labeler<ZoneFeatureExtractor> labeler;
};

std::string ZoneModel::Header() {
  return "pactum-zone-labeller/2 line-features=" + std::to_string(kCount) +
         " features=" + std::to_string(ZoneFeatureExtractor().num_features());
}

std::string ZoneModel::Save(const std::vector<double>& weights) { return SaveModelWeights(Header(), weights); }

std::optional<ZoneModel> ZoneModel::FromBytes(std::string_view bytes) {
  const auto weights = ParseModelWeights(bytes, Header());
  if (!weights || weights->size() != ZoneFeatureExtractor().num_features()) return std::nullopt;
  dlib::matrix<double, 0, 1> w(static_cast<long>(weights->size()));
  for (size_t i = 0; i < weights->size(); ++i) w(static_cast<long>(i)) = (*weights)[i];
  ZoneModel model;
  model.impl_ = std::make_shared<const Impl>(Impl{dlib::sequence_labeler<ZoneFeatureExtractor>(w)});
  return model;
}

const ZoneModel* ZoneModel::BuiltIn() {
  static const std::optional<ZoneModel> model = []() -> std::optional<ZoneModel> {
    const auto file = BuiltInModelFile("models/zones.dat");
    return file ? FromBytes(*file) : std::nullopt;
  }();
  return model ? &*model : nullptr;
}

const ZoneModel* BuiltInZoneModel() { return ZoneModel::BuiltIn(); }

std::vector<Zone> ZoneModel::Label(const ZoneSequence& lines) const {
  std::vector<Zone> zones;
  if (lines.empty()) return zones;
  zones.reserve(lines.size());
  for (unsigned long label : impl_->labeler(lines)) zones.push_back(static_cast<Zone>(label));
  return zones;
}

}  // namespace pactum::extract
