// pactum-train-signatures: trains the signature labeller
// (src/reading/signature_labeller.h).
//
//   pactum-train-signatures --out extract/models/signatures.dat [--c 1] [--folds 5] DOC.pdf...
//
// Each DOC.pdf has its truth beside it (DOC.truth.json, shared/spec/API.md).
// Documents whose truth lists no signatories add nothing (CUAD's). Weak
// labels: a line of the signature area's blocks is a name when it prints
// every word of a truth signatory's name (academic titles aside) or the
// surname with no other words but the name's and marks, a place
// and date when it carries a truth date or place with a date, a title when
// its words are those of a truth title (or a wrapped part of one), an
// organisation when its words are those of a truth organisation (German case
// endings and "Für den" aside); other lines are other. Documents where some
// truth name is not found in the area are left out: the zoner or the block
// model missed it, and its lines would teach wrong labels.
//
// Cross-validation (k folds by document, in the order given) reports the
// per-line scores of the rules alone, of the model alone and of the model
// where its margin is at least t (the rules elsewhere) for a few t; the
// best t goes into the model file. Deterministic: one thread, files in the
// order given.
#include <dlib/svm_threaded.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fields/common.h"
#include "reading/language_data.h"
#include "reading/reading.h"
#include "reading/signature_labeller.h"
#include "train_common.h"

namespace pactum::extract {
namespace {

// The words of `text`, lowercased, without punctuation at their ends, German
// case endings dropped from longer words ("Freistaates" and "Freistaat").
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  auto flush = [&] {
    while (!w.empty() && std::string(".,;:()\"/").find(w.back()) != std::string::npos) w.pop_back();
    while (!w.empty() && std::string(".,;:()\"/").find(w.front()) != std::string::npos) w.erase(0, 1);
    if (!w.empty()) {
      out.push_back(train::Stem(w));
    }
    w.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\t') flush();
    else w += c;
  }
  flush();
  return out;
}

bool Contains(const std::vector<std::string>& words, const std::string& w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

// Every word of `want` (longer than `min` bytes) is in `line`.
bool HasAll(const std::vector<std::string>& line, const std::vector<std::string>& want, size_t min) {
  size_t n = 0;
  for (const auto& w : want) {
    if (w.size() <= min) continue;
    if (!Contains(line, w)) return false;
    ++n;
  }
  return n > 0;
}

// The line's words (articles and "für" / "for" / "by" aside, at least one
// left) are all words of `want`.
bool WithinAll(const std::vector<std::string>& line, const std::vector<std::string>& want,
               const std::set<std::string>& skip) {
  size_t n = 0;
  for (const auto& w : line) {
    if (skip.count(w)) continue;
    if (!Contains(want, w)) return false;
    ++n;
  }
  return n > 0;
}

// A string field of a truth object; "" when it is missing or null.
std::string Str(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

struct Truth {
  std::vector<std::string> name, title, organisation, place;
  std::string date;
};

SignatureTag WeakLabel(const SignatureLine& l, const std::vector<Truth>& truth, const std::set<std::string>& skip,
                       const std::set<std::string>& name_skip) {
  const std::vector<std::string> line = Words(l.text);
  // The full name, or the surname with none but other words of the name
  // ("Prof. Dr. Methling", "gez. Mustermann").
  for (const auto& t : truth) {
    if (HasAll(line, t.name, 3)) return SignatureTag::kName;
    if (!t.name.empty() && Contains(line, t.name.back()) && WithinAll(line, t.name, name_skip)) {
      return SignatureTag::kName;
    }
  }
  for (const auto& t : truth) {
    if (!t.date.empty() && l.date == t.date) return SignatureTag::kPlaceDate;
    if (!l.date.empty() && !t.place.empty() && HasAll(line, t.place, 1)) return SignatureTag::kPlaceDate;
  }
  for (const auto& t : truth) {
    if (!t.title.empty() && (HasAll(line, t.title, 2) || WithinAll(line, t.title, skip))) return SignatureTag::kTitle;
  }
  for (const auto& t : truth) {
    if (!t.organisation.empty() && (HasAll(line, t.organisation, 2) || WithinAll(line, t.organisation, skip))) {
      return SignatureTag::kOrganisation;
    }
  }
  return SignatureTag::kOther;
}

struct Sample {
  SignatureLineFeatures features;
  std::vector<unsigned long> labels;
  std::vector<SignatureTag> rules;
};

// Per-line F1 over the tags other than kOther, micro-averaged.
struct Counts {
  long tp = 0, fp = 0, fn = 0;
  void Add(SignatureTag got, unsigned long want) {
    const auto w = static_cast<SignatureTag>(want);
    if (got != SignatureTag::kOther && got == w) ++tp;
    else {
      if (got != SignatureTag::kOther) ++fp;
      if (w != SignatureTag::kOther) ++fn;
    }
  }
  double F1() const { return tp == 0 ? 0 : 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn); }
};

}  // namespace
}  // namespace pactum::extract

int main(int argc, char** argv) {
  using namespace pactum::extract;
  auto args = train::ParseArgs(argc, argv, {1});
  if (!args) {
    std::fprintf(stderr, "usage: pactum-train-signatures --out FILE [--c C] [--folds K] DOC.pdf...\n");
    return 64;
  }
  const std::set<std::string> skip = {"für", "fur", "for", "by", "der", "die", "das", "den", "dem", "des",
                                      "the", "and", "und", "of", "on", "behalf", "im", "auftrag", "namens"};
  // Marks, forms of address and academic titles beside a surname.
  const std::set<std::string> name_skip = {"dr", "prof", "gez", "herr", "frau", "mr", "ms", "mrs", "/s/", "s",
                                           "h.c", "dr.-ing", "ing", "dipl"};
  std::vector<Sample> samples;
  std::map<std::string, int> languages;  // documents used, by language
  int skipped = 0, without_truth = 0;
  long lines = 0, labelled[kSignatureTags] = {};
  for (const auto& path : args->docs) {
    const nlohmann::json agreement = train::AgreementOf(path);
    const nlohmann::json signatories =
        agreement.contains("signatories") && agreement["signatories"].is_array() ? agreement["signatories"]
                                                                                  : nlohmann::json::array();
    if (signatories.empty()) {
      ++without_truth;
      continue;
    }
    std::vector<Truth> want;
    for (const auto& s : signatories) {
      Truth t;
      for (const auto& w : Words(Str(s, "name"))) {
        if (w.back() != '.' && w != "dr" && w != "prof") t.name.push_back(w);
      }
      t.title = Words(Str(s, "title"));
      t.organisation = Words(Str(s, "organization"));
      t.place = Words(Str(s, "place"));
      t.date = Str(s, "date");
      want.push_back(std::move(t));
    }
    const auto text_read = train::TextOf(path);
    if (!text_read) continue;
    const DocumentText& text = *text_read;
    const Reading reading = Reading::Of(text);
    const SignatureArea area = SignatureArea::Of(reading);
    Sample sample;
    std::vector<bool> found(want.size(), false);
    for (const auto& b : area.blocks()) {
      for (const auto& l : b.lines) {
        const SignatureTag tag = WeakLabel(l, want, skip, name_skip);
        if (tag == SignatureTag::kName) {
          const auto line = Words(l.text);
          for (size_t i = 0; i < want.size(); ++i) found[i] = found[i] || HasAll(line, want[i].name, 3);
        }
        sample.labels.push_back(static_cast<unsigned long>(tag));
        sample.rules.push_back(RuleTag(l));
      }
    }
    if (sample.labels.empty() || std::find(found.begin(), found.end(), false) != found.end()) {
      ++skipped;
      std::printf("left out: %s\n", path.substr(path.rfind('/') + 1).c_str());
      continue;
    }
    sample.features = SignatureFeatures(reading, area.blocks());
    lines += static_cast<long>(sample.labels.size());
    for (unsigned long t : sample.labels) ++labelled[t];
    samples.push_back(std::move(sample));
    ++languages[reading.language()];
  }
  std::printf("documents: %zu used, %d without signatory truth, %d left out (no text layer, or a truth name not in the area)\n",
              samples.size(), without_truth, skipped);
  std::printf("lines: %ld (other %ld, name %ld, title %ld, organisation %ld, place_date %ld)\n", lines, labelled[0],
              labelled[1], labelled[2], labelled[3], labelled[4]);
  if (samples.size() < 2) return 1;
  // The model labels the languages of at least kMinDocuments training documents.
  constexpr int kMinDocuments = 5;
  std::vector<std::string> covered;
  for (const auto& [language, n] : languages) {
    std::printf("  %s: %d documents%s\n", language.c_str(), n, n >= kMinDocuments ? "" : " (too few: the rules read it)");
    if (n >= kMinDocuments) covered.push_back(language);
  }

  auto train = [&](const std::vector<size_t>& which) {
    std::vector<SignatureLineFeatures> x;
    std::vector<std::vector<unsigned long>> y;
    for (size_t i : which) {
      x.push_back(samples[i].features);
      y.push_back(samples[i].labels);
    }
    dlib::structural_sequence_labeling_trainer<SignatureFeatureExtractor> trainer;
    trainer.set_c(args->cs.front());
    trainer.set_num_threads(1);
    const auto labeler = trainer.train(x, y);
    SignatureModel m;
    m.weights.assign(labeler.get_weights().begin(), labeler.get_weights().end());
    return m;
  };

  // Thresholds tried: the model everywhere (0) up to the rules nearly everywhere.
  const std::vector<double> thresholds = {0, 0.25, 0.5, 1, 2, 4};
  double threshold = 0;
  if (args->folds >= 2 && samples.size() >= args->folds) {
    Counts rules, combined[6];
    struct Held {
      SignatureTag rules, model;
      double margin;
      unsigned long want;
    };
    std::vector<Held> held_lines;
    for (unsigned long k = 0; k < args->folds; ++k) {
      std::vector<size_t> fit, held;
      for (size_t i = 0; i < samples.size(); ++i) (i % args->folds == k ? held : fit).push_back(i);
      SignatureModel m = train(fit);
      for (size_t i : held) {
        const auto tags = LabelSignatureLines(m, samples[i].features);
        for (size_t j = 0; j < tags.size(); ++j) {
          rules.Add(samples[i].rules[j], samples[i].labels[j]);
          held_lines.push_back({samples[i].rules[j], tags[j].tag, tags[j].margin, samples[i].labels[j]});
          for (size_t t = 0; t < thresholds.size(); ++t) {
            const SignatureTag got = tags[j].margin >= thresholds[t] ? tags[j].tag : samples[i].rules[j];
            combined[t].Add(got, samples[i].labels[j]);
          }
        }
      }
    }
    std::printf("cross-validation (%lu folds by document), lines, micro F1 over the field tags:\n", args->folds);
    std::printf("  rules alone      F1 %.3f (tp %ld fp %ld fn %ld)\n", rules.F1(), rules.tp, rules.fp, rules.fn);
    double best = -1;
    for (size_t t = 0; t < thresholds.size(); ++t) {
      std::printf("  model, margin>=%-4g F1 %.3f (tp %ld fp %ld fn %ld)\n", thresholds[t], combined[t].F1(),
                  combined[t].tp, combined[t].fp, combined[t].fn);
      if (combined[t].F1() > best + 1e-9) best = combined[t].F1(), threshold = thresholds[t];
    }
    // Per tag (F1 of that tag alone): the rules, the model alone, the two as adopted.
    std::printf("  per tag            rules  model  model>=%g\n", threshold);
    for (unsigned long tag = 1; tag < kSignatureTags; ++tag) {
      Counts r, m, a;
      for (const Held& h : held_lines) {
        const auto only = [&](SignatureTag got) {
          return static_cast<unsigned long>(got) == tag ? got : SignatureTag::kOther;
        };
        const unsigned long want = h.want == tag ? tag : 0;
        r.Add(only(h.rules), want);
        m.Add(only(h.model), want);
        a.Add(only(h.margin >= threshold ? h.model : h.rules), want);
      }
      std::printf("  %-16s  %.3f  %.3f  %.3f\n", std::string(SignatureTagName(static_cast<SignatureTag>(tag))).c_str(),
                  r.F1(), m.F1(), a.F1());
    }
  }
  std::vector<size_t> all(samples.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  SignatureModel model = train(all);
  model.threshold = threshold;
  model.languages = covered;
  std::ofstream out(args->out, std::ios::binary);
  out << SaveSignatureModel(model);
  std::string names;
  for (const auto& l : covered) names += " " + l;
  std::printf("wrote %s (C=%g, rules below margin %g, languages:%s)\n", args->out.c_str(), args->cs.front(), threshold, names.c_str());
  return out ? 0 : 2;
}
