#include "reading/signature_labeller.h"

#include <dlib/svm/sequence_labeler.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "fields/common.h"
#include "reading/embedded_files.h"
#include "reading/language_data.h"
#include "reading/reading.h"

namespace pactum::extract {
namespace {

constexpr unsigned long kRoles = static_cast<unsigned long>(SignatureRole::kRoleLabel) + 1;
constexpr const char* kFields[] = {"name", "title", "date", "place", "place_date", "organization", "by", "signature"};
constexpr unsigned long kFieldCount = sizeof kFields / sizeof kFields[0];

// Named binary features after the word buckets.
enum Feature : unsigned long {
  kRole = kSignatureWordBuckets,  // + the line's SignatureRole
  kPrevRole = kRole + kRoles,     // + the role of the line above in the block
  kNextRole = kPrevRole + kRoles,
  kField = kNextRole + kRoles,  // + the field of a label or caption
  kNoPrev = kField + kFieldCount,
  kNoNext,
  kAllCaps,
  kAllCapitalised,
  kStartsLower,
  kHasDigit,
  kHasDate,
  kHasPlace,
  kEndsColon,
  kEndsComma,
  kWords1,
  kWords2,
  kWords4,
  kWords7,
  kOffice,
  kObliqueOffice,
  kPersonName,
  kSingleName,
  kOrganisationWord,
  kLegalForm,
  kAcademic,
  kMarkWord,
  kTitleOnNameLine,
  kDuplicate,
  kBlockFirst,
  kBlockLast,
  kPosition1,
  kPosition2,
  kPosition3,
  kSpanning,
  kLeftColumn,
  kRightColumn,
  kGapAbove,
  kRuleAbove,
  kAfterName,
  kBeforeName,
  kCount
};

// FNV-1a, so the buckets are the same on every platform and build.
unsigned long Bucket(std::string_view word) {
  std::uint32_t h = 2166136261u;
  for (char c : word) {
    h ^= static_cast<std::uint32_t>(static_cast<unsigned char>(c));
    h *= 16777619u;
  }
  return h % kSignatureWordBuckets;
}

bool IsNameLine(const SignatureLine& l) { return RuleTag(l) == SignatureTag::kName; }

}  // namespace

std::string_view SignatureTagName(SignatureTag tag) {
  switch (tag) {
    case SignatureTag::kOther: return "other";
    case SignatureTag::kName: return "name";
    case SignatureTag::kTitle: return "title";
    case SignatureTag::kOrganisation: return "organisation";
    case SignatureTag::kPlaceDate: return "place_date";
  }
  return "other";
}

SignatureTag RuleTag(const SignatureLine& l) {
  switch (l.role) {
    case SignatureRole::kName: return l.duplicate ? SignatureTag::kOther : SignatureTag::kName;
    case SignatureRole::kOffice: return SignatureTag::kTitle;
    case SignatureRole::kOpener: case SignatureRole::kCompany: return SignatureTag::kOrganisation;
    case SignatureRole::kPlaceDate: return SignatureTag::kPlaceDate;
    case SignatureRole::kLabel:
      if (l.value.empty()) return SignatureTag::kOther;
      if (l.field == "name" || l.field == "by") return l.duplicate ? SignatureTag::kOther : SignatureTag::kName;
      if (l.field == "title") return SignatureTag::kTitle;
      if (l.field == "organization") return SignatureTag::kOrganisation;
      if (l.field == "date" || l.field == "place" || l.field == "place_date") return SignatureTag::kPlaceDate;
      return SignatureTag::kOther;
    default: return SignatureTag::kOther;
  }
}

unsigned long SignatureFeatureCount() { return kCount; }

SignatureLineFeatures SignatureFeatures(const Reading& reading, const std::vector<SignatureBlock>& blocks) {
  SignatureLineFeatures out;
  const auto& organisation_words = reading.Words("signatures.organisation_words");
  const auto& legal_forms = reading.Words("parties.legal_forms");
  const auto& academic = reading.Words("signatures.academic");
  const auto& marks = reading.Words("signatures.marks");
  for (const SignatureBlock& b : blocks) {
    const auto& L = b.lines;
    for (size_t k = 0; k < L.size(); ++k) {
      const SignatureLine& l = L[k];
      std::vector<unsigned long> ids;
      const std::string lower = fields::Lower(l.text);
      size_t words = 0;
      bool all_capitalised = true;
      for (size_t at = 0; at < lower.size();) {
        const size_t end = std::min(lower.find(' ', at), lower.size());
        if (end > at) {
          ++words;
          ids.push_back(Bucket(std::string_view(lower).substr(at, end - at)));
          const unsigned char c = static_cast<unsigned char>(l.text[at]);
          if (std::isalpha(c) && !std::isupper(c)) all_capitalised = false;
        }
        at = end + 1;
      }
      ids.push_back(kRole + static_cast<unsigned long>(l.role));
      ids.push_back(k > 0 ? kPrevRole + static_cast<unsigned long>(L[k - 1].role) : kNoPrev);
      ids.push_back(k + 1 < L.size() ? kNextRole + static_cast<unsigned long>(L[k + 1].role) : kNoNext);
      for (unsigned long f = 0; f < kFieldCount; ++f) {
        if (!l.field.empty() && l.field == kFields[f]) ids.push_back(kField + f);
      }
      if (fields::IsAllCaps(l.text)) ids.push_back(kAllCaps);
      if (all_capitalised && words > 0) ids.push_back(kAllCapitalised);
      if (fields::StartsLower(l.text)) ids.push_back(kStartsLower);
      if (std::any_of(l.text.begin(), l.text.end(), [](char c) { return c >= '0' && c <= '9'; })) ids.push_back(kHasDigit);
      if (!l.date.empty()) ids.push_back(kHasDate);
      if (!l.place.empty()) ids.push_back(kHasPlace);
      if (!l.text.empty() && l.text.back() == ':') ids.push_back(kEndsColon);
      if (!l.text.empty() && l.text.back() == ',') ids.push_back(kEndsComma);
      ids.push_back(words <= 1 ? kWords1 : words <= 3 ? kWords2 : words <= 6 ? kWords4 : kWords7);
      if (auto office = FindOffice(reading, l.text)) ids.push_back(office->oblique ? kObliqueOffice : kOffice);
      if (SignaturePersonName(reading, l.text)) ids.push_back(kPersonName);
      else if (words == 1 && SignaturePersonName(reading, l.text, /*single_ok=*/true)) ids.push_back(kSingleName);
      if (FindPhrase(l.text, organisation_words)) ids.push_back(kOrganisationWord);
      if (FindPhrase(l.text, legal_forms)) ids.push_back(kLegalForm);
      if (FindPhrase(l.text, academic)) ids.push_back(kAcademic);
      if (FindPhrase(l.text, marks)) ids.push_back(kMarkWord);
      if (!l.title.empty()) ids.push_back(kTitleOnNameLine);
      if (l.duplicate) ids.push_back(kDuplicate);
      if (k == 0) ids.push_back(kBlockFirst);
      if (k + 1 == L.size()) ids.push_back(kBlockLast);
      ids.push_back(k == 1 ? kPosition1 : k == 2 ? kPosition2 : kPosition3);
      ids.push_back(b.column < 0 ? kSpanning : b.column == 0 ? kLeftColumn : kRightColumn);
      if (k > 0 && l.line < reading.size() && reading.features(l.line).gap_above > 1.5) ids.push_back(kGapAbove);
      if (k > 0 && L[k - 1].role == SignatureRole::kRule) ids.push_back(kRuleAbove);
      for (size_t j = k; j-- > 0;) {
        if (L[j].role == SignatureRole::kRule || L[j].role == SignatureRole::kMark) continue;
        if (IsNameLine(L[j])) ids.push_back(kAfterName);
        break;
      }
      for (size_t j = k + 1; j < L.size(); ++j) {
        if (L[j].role == SignatureRole::kRule || L[j].role == SignatureRole::kMark) continue;
        if (IsNameLine(L[j])) ids.push_back(kBeforeName);
        break;
      }
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      out.push_back(std::move(ids));
    }
  }
  return out;
}

std::string SignatureModelHeader() {
  return "pactum-signature-labeller/1 features=" + std::to_string(kCount) + " tags=" + std::to_string(kSignatureTags);
}

bool SignatureModel::Covers(std::string_view language) const {
  return std::find(languages.begin(), languages.end(), language) != languages.end();
}

std::string SaveSignatureModel(const SignatureModel& model) {
  char threshold[32];
  std::snprintf(threshold, sizeof threshold, "%.3f", model.threshold);
  std::string languages;
  for (const auto& l : model.languages) languages += (languages.empty() ? "" : ",") + l;
  std::string out = SignatureModelHeader() + " languages=" + languages + " threshold=" + threshold +
                    " weights=" + std::to_string(model.weights.size()) + "\n";
  for (double w : model.weights) {
    const float f = static_cast<float>(w);
    char bytes[sizeof f];
    std::memcpy(bytes, &f, sizeof f);
    out.append(bytes, sizeof f);  // little-endian on every platform we build for
  }
  return out;
}

std::optional<SignatureModel> ParseSignatureModel(std::string_view bytes) {
  const size_t eol = bytes.find('\n');
  if (eol == std::string_view::npos) return std::nullopt;
  const std::string header(bytes.substr(0, eol));
  const std::string expected = SignatureModelHeader() + " languages=";
  if (header.compare(0, expected.size(), expected) != 0) return std::nullopt;
  const size_t threshold_at = header.find(" threshold=", expected.size());
  const size_t weights_at = header.find(" weights=", expected.size());
  if (threshold_at == std::string::npos || weights_at == std::string::npos || weights_at < threshold_at) {
    return std::nullopt;
  }
  SignatureModel model;
  const std::string languages = header.substr(expected.size(), threshold_at - expected.size());
  for (size_t at = 0; at < languages.size();) {
    const size_t comma = std::min(languages.find(',', at), languages.size());
    if (comma > at) model.languages.push_back(languages.substr(at, comma - at));
    at = comma + 1;
  }
  char* end = nullptr;
  model.threshold = std::strtod(header.c_str() + threshold_at + 11, &end);
  if (end != header.c_str() + weights_at || !(model.threshold >= 0)) return std::nullopt;
  const std::string count = header.substr(weights_at + 9);
  if (count.empty() || count.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const size_t n = std::strtoul(count.c_str(), nullptr, 10);
  const std::string_view body = bytes.substr(eol + 1);
  if (n != SignatureFeatureExtractor().num_features() || body.size() != n * sizeof(float)) return std::nullopt;
  model.weights.resize(n);
  for (size_t i = 0; i < n; ++i) {
    float f = 0;
    std::memcpy(&f, body.data() + i * sizeof f, sizeof f);
    model.weights[i] = f;
  }
  return model;
}

const SignatureModel* BuiltInSignatureModel() {
  static const std::optional<SignatureModel> model = []() -> std::optional<SignatureModel> {
    for (const auto& file : EmbeddedFiles()) {
      if (file.name == "models/signatures.dat") return ParseSignatureModel(file.bytes);
    }
    return std::nullopt;
  }();
  return model ? &*model : nullptr;
}

std::vector<SignatureLineTag> LabelSignatureLines(const SignatureModel& model, const SignatureLineFeatures& features) {
  std::vector<SignatureLineTag> out;
  if (features.empty()) return out;
  dlib::matrix<double, 0, 1> w(static_cast<long>(model.weights.size()));
  for (size_t i = 0; i < model.weights.size(); ++i) w(static_cast<long>(i)) = model.weights[i];
  const dlib::sequence_labeler<SignatureFeatureExtractor> labeler(w);
  const std::vector<unsigned long> path = labeler(features);
  const unsigned long f = SignatureFeatureCount();
  for (size_t i = 0; i < features.size(); ++i) {
    SignatureLineTag t;
    t.tag = static_cast<SignatureTag>(path[i]);
    double chosen = 0, best_other = -std::numeric_limits<double>::infinity();
    for (unsigned long tag = 0; tag < kSignatureTags; ++tag) {
      double score = 0;
      for (unsigned long id : features[i]) score += model.weights[tag * f + id];
      if (tag == path[i]) chosen = score;
      else best_other = std::max(best_other, score);
    }
    t.margin = chosen - best_other;
    out.push_back(t);
  }
  return out;
}

}  // namespace pactum::extract
