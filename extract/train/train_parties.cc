// pactum-train-parties: trains the party labeller (src/reading/party_labeller.h).
//
//   pactum-train-parties --out extract/models/parties.dat [--c 10] [--folds 4] DOC.pdf...
//
// Each DOC.pdf has its truth beside it (DOC.truth.json, shared/spec/API.md).
// Weak labels: every place in the document's party tokens where a party name
// of the truth is printed (words compared case-insensitively, German case
// endings and punctuation between words ignored) is a party span. Documents
// where some truth party is not found in those tokens are left out: the zoner
// missed their preamble, and their unlabelled names would teach the model
// that names are not parties. Prints the number of documents used and a
// cross-validation score on them; deterministic (one thread, files in the
// order given).
#include <dlib/svm_threaded.h>

#include <nlohmann/json.hpp>


#include <cstdio>
#include <string>
#include <vector>

#include "fields/common.h"
#include "reading/party_labeller.h"
#include "train_common.h"

namespace pactum::extract {
namespace {

bool IsWord(const Token& t) {
  const unsigned char c = static_cast<unsigned char>(t.text[0]);
  return std::isalnum(c) != 0 || c >= 0xC3;
}

// Spans [first, last) of `tokens` that print `name`.
std::vector<std::pair<size_t, size_t>> Find(const Tokens& tokens, const std::string& name,
                                            const std::vector<std::string>& abbreviations) {
  std::vector<std::string> want;
  for (const auto& t : TokenizeText(name, abbreviations).tokens) {
    if (IsWord(t)) want.push_back(train::Stem(t.text));
  }
  std::vector<std::pair<size_t, size_t>> spans;
  if (want.empty()) return spans;
  const auto& toks = tokens.tokens;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (!IsWord(toks[i]) || train::Stem(toks[i].text) != want[0]) continue;
    size_t j = i + 1, k = 1;
    int skipped = 0;
    while (k < want.size() && j < toks.size()) {
      if (!IsWord(toks[j])) {
        if (++skipped > 3) break;
        ++j;
        continue;
      }
      if (train::Stem(toks[j].text) != want[k]) break;
      ++j, ++k;
    }
    if (k == want.size()) {
      spans.emplace_back(i, j);
      i = j - 1;
    }
  }
  return spans;
}

}  // namespace
}  // namespace pactum::extract

int main(int argc, char** argv) {
  using namespace pactum::extract;
  const auto args = train::ParseArgs(argc, argv, {10});
  if (!args) {
    std::fprintf(stderr, "usage: pactum-train-parties --out FILE [--c C] [--folds K] DOC.pdf...\n");
    return 64;
  }
  const std::string& out_path = args->out;
  const double c = args->cs.front();
  const unsigned long folds = args->folds;
  const std::vector<std::string>& docs = args->docs;
  std::vector<TokenFeatures> samples;
  std::vector<std::vector<std::pair<unsigned long, unsigned long>>> labels;
  int skipped = 0;
  for (const auto& path : docs) {
    const nlohmann::json agreement = train::AgreementOf(path);
    const auto text = train::TextOf(path);
    if (!text) continue;
    const Reading reading = Reading::Of(*text);
    const Tokens tokens = PartyTokens(reading);
    const auto& abbreviations = reading.Words("parties.legal_forms");
    std::vector<std::pair<unsigned long, unsigned long>> spans;
    bool all_found = true;
    for (const auto& party : agreement.value("parties", nlohmann::json::array())) {
      const auto found = Find(tokens, party.value("name", ""), abbreviations);
      if (found.empty()) all_found = false;
      for (const auto& s : found) spans.emplace_back(s.first, s.second);
    }
    if (!all_found || spans.empty()) {
      ++skipped;
      continue;
    }
    std::sort(spans.begin(), spans.end());
    std::vector<std::pair<unsigned long, unsigned long>> disjoint;
    for (const auto& s : spans) {
      if (disjoint.empty() || s.first >= disjoint.back().second) disjoint.push_back(s);
    }
    samples.push_back(PartyFeatures(reading, tokens));
    labels.push_back(disjoint);
  }
  std::printf("documents: %zu used, %d left out (a truth party not found in the party tokens)\n", samples.size(),
              skipped);
  if (samples.size() < 2) return 1;
  dlib::structural_sequence_segmentation_trainer<PartyFeatureExtractor> trainer;
  trainer.set_c(c);
  trainer.set_num_threads(1);
  if (folds >= 2 && samples.size() >= folds) {
    const auto cv = dlib::cross_validate_sequence_segmenter(trainer, samples, labels, static_cast<long>(folds));
    std::printf("cross-validation (%lu folds) on the training documents: precision %.3f recall %.3f F1 %.3f\n", folds,
                cv(0), cv(1), cv(2));
  }
  const auto model = trainer.train(samples, labels);
  const auto& w = model.get_weights();
  std::ofstream out(out_path, std::ios::binary);
  out << SavePartyModel(std::vector<double>(w.begin(), w.end()));
  std::printf("wrote %s (C=%g)\n", out_path.c_str(), c);
  return out ? 0 : 2;
}
