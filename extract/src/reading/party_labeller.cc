#include "reading/party_labeller.h"

#include <dlib/svm/sequence_segmenter.h>

#include <algorithm>
#include <memory>

#include "fields/common.h"
#include "reading/model_file.h"

namespace pactum::extract {
namespace {

// Named binary features after the word buckets.
enum Feature : unsigned long {
  kShapeCapitalised = kPartyWordBuckets,
  kShapeAllCaps,
  kShapeLower,
  kShapeDigits,
  kShapeMixed,
  kPunctuation,
  kComma,
  kPeriod,
  kOpenParen,
  kCloseParen,
  kQuote,
  kLegalForm,
  kArticle,
  kConjunction,
  kPartyCue,
  kAfterPartyCue,
  kDetailCue,
  kDefinitionCue,
  kRole,
  kNotParty,
  kInParens,
  kInQuotes,
  kLineStart,
  kLineAllCaps,
  kLineCentred,
  kShortLine,
  kTitleZone,
  kFirstTokens,
  kEarlyTokens,
  kLateTokens,
  kInitial,
  kLongWord,
  kSentenceStart,
  kConnector,
  kShapeLowerMixed,  // "iShip", "eFashion", "mPhase": a brand led by a small letter
  kShapeDomain,      // "deltathree.com", "About.com": letters, a period, letters
  kCount
};

// FNV-1a, so the buckets are the same on every platform and build.
unsigned long Bucket(const std::string& word) {
  std::uint32_t h = 2166136261u;
  for (char c : word) {
    h ^= static_cast<std::uint32_t>(static_cast<unsigned char>(c));
    h *= 16777619u;
  }
  return h % kPartyWordBuckets;
}


bool HasUpper(const std::string& t) {
  return std::any_of(t.begin(), t.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; });
}

// Marks with `feature` every token inside a hit of `phrases` in tokens.text.
void MarkPhrases(const Tokens& tokens, const std::vector<std::string>& phrases, unsigned long feature,
                 TokenFeatures* out, std::vector<size_t>* hit_ends = nullptr) {
  size_t t = 0;
  for (const auto& hit : FindAllPhrases(tokens.text, phrases)) {
    while (t < tokens.tokens.size() && tokens.tokens[t].end <= hit.begin) ++t;
    size_t u = t;
    for (; u < tokens.tokens.size() && tokens.tokens[u].begin < hit.end; ++u) (*out)[u].push_back(feature);
    if (hit_ends) hit_ends->push_back(u);
  }
}

}  // namespace

unsigned long PartyFeatureCount() { return kCount; }

std::string PartyModelHeader() { return "pactum-party-labeller/3 features=" + std::to_string(kCount); }

Tokens PartyTokens(const Reading& reading) {
  std::vector<size_t> lines;
  for (size_t i = 0; i < reading.size(); ++i) {
    const Zone z = reading.zone(i);
    if (z == Zone::kTitle || z == Zone::kParties) lines.push_back(i);
  }
  if (!reading.HasZone(Zone::kParties)) {
    for (size_t i = 0; i < reading.size() && lines.size() < 60; ++i) {
      if (reading.zone(i) != Zone::kFurniture && reading.zone(i) != Zone::kTitle) lines.push_back(i);
    }
    std::sort(lines.begin(), lines.end());
  }
  return Tokenize(reading, lines, reading.Words("parties.legal_forms"), 900);
}

TokenFeatures PartyFeatures(const Reading& reading, const Tokens& tokens) {
  const size_t n = tokens.tokens.size();
  TokenFeatures f(n);
  MarkPhrases(tokens, reading.Words("parties.legal_forms"), kLegalForm, &f);
  MarkPhrases(tokens, reading.Words("parties.detail_cues"), kDetailCue, &f);
  MarkPhrases(tokens, reading.Words("parties.definition_cues"), kDefinitionCue, &f);
  MarkPhrases(tokens, reading.Words("parties.roles"), kRole, &f);
  MarkPhrases(tokens, reading.Words("parties.not_parties"), kNotParty, &f);
  std::vector<size_t> cue_ends;
  MarkPhrases(tokens, reading.Words("parties.intro"), kPartyCue, &f, &cue_ends);
  for (size_t end : cue_ends) {
    for (size_t k = end; k < std::min(n, end + 3); ++k) f[k].push_back(kAfterPartyCue);
  }
  const auto& articles = reading.Words("parties.articles");
  const auto& conjunctions = reading.Words("parties.conjunctions");
  const auto& connectors = reading.Words("parties.name_connectors");
  int paren = 0;
  bool quoted = false;
  bool sentence_start = true;
  for (size_t i = 0; i < n; ++i) {
    const Token& tok = tokens.tokens[i];
    const std::string lower = fields::Lower(tok.text);
    auto& ids = f[i];
    ids.push_back(Bucket(lower));
    const unsigned char c0 = static_cast<unsigned char>(tok.text[0]);
    const bool word = std::isalnum(c0) != 0 || c0 >= 0xC3;
    if (!word) {
      ids.push_back(kPunctuation);
      if (tok.text == ",") ids.push_back(kComma);
      if (tok.text == "." || tok.text == ";") ids.push_back(kPeriod);
      if (tok.text == "(") ids.push_back(kOpenParen), ++paren;
      if (tok.text == ")") ids.push_back(kCloseParen), paren = std::max(0, paren - 1);
      if (IsQuoteMark(tok.text)) ids.push_back(kQuote), quoted = !quoted;
    } else if (std::all_of(tok.text.begin(), tok.text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ','; })) {
      ids.push_back(kShapeDigits);
    } else if (fields::IsAllCaps(tok.text)) {
      ids.push_back(tok.text.size() == 2 && tok.text[1] == '.' ? kInitial : kShapeAllCaps);
    } else if (fields::StartsUpper(tok.text)) {
      ids.push_back(HasUpper(tok.text.substr(1)) ? kShapeMixed : kShapeCapitalised);
    } else {
      ids.push_back(HasUpper(tok.text) ? kShapeLowerMixed : kShapeLower);
    }
    if (word && fields::IsWebDomain(tok.text)) ids.push_back(kShapeDomain);
    if (word && tok.text.size() > 12) ids.push_back(kLongWord);
    if (std::find(articles.begin(), articles.end(), lower) != articles.end()) ids.push_back(kArticle);
    if (std::find(conjunctions.begin(), conjunctions.end(), lower) != conjunctions.end()) ids.push_back(kConjunction);
    if (std::find(connectors.begin(), connectors.end(), lower) != connectors.end()) ids.push_back(kConnector);
    if (paren > 0 && tok.text != "(") ids.push_back(kInParens);
    if (quoted && !IsQuoteMark(tok.text)) ids.push_back(kInQuotes);
    if (tok.line_start) ids.push_back(kLineStart);
    const LineFeatures& lf = reading.features(tok.line);
    if (lf.all_caps) ids.push_back(kLineAllCaps);
    if (lf.centred) ids.push_back(kLineCentred);
    if (lf.words <= 6) ids.push_back(kShortLine);
    if (reading.zone(tok.line) == Zone::kTitle) ids.push_back(kTitleZone);
    ids.push_back(i < 40 ? kFirstTokens : i < 200 ? kEarlyTokens : kLateTokens);
    if (sentence_start && word) ids.push_back(kSentenceStart);
    sentence_start = tok.text == "." || tok.text == ":" || tok.text == ";";
  }
  for (auto& ids : f) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  return f;
}

std::string SavePartyModel(const std::vector<double>& weights) {
  return SaveModelWeights(PartyModelHeader(), weights);
}

std::vector<std::pair<size_t, size_t>> LabelPartyNames(const TokenFeatures& features) {
  using Segmenter = dlib::sequence_segmenter<PartyFeatureExtractor>;
  static const std::unique_ptr<Segmenter> model = []() -> std::unique_ptr<Segmenter> {
    // A header that names another feature layout, or a size that does not
    // match, leaves the labeller without a model.
    const auto weights = BuiltInModelWeights("models/parties.dat", PartyModelHeader());
    if (!weights) return nullptr;
    dlib::matrix<double, 0, 1> w(static_cast<long>(weights->size()));
    for (size_t i = 0; i < weights->size(); ++i) w(static_cast<long>(i)) = (*weights)[i];
    return std::make_unique<Segmenter>(w, PartyFeatureExtractor());
  }();
  if (!model || features.empty()) return {};
  std::vector<std::pair<size_t, size_t>> spans;
  for (const auto& [first, last] : (*model)(features)) spans.emplace_back(first, last);
  return spans;
}

}  // namespace pactum::extract
