// pactum-train-zones: trains the zone labeller (src/reading/zone_labeller.h).
//
//   pactum-train-zones --out extract/models/zones.dat [--c 1,10] [--folds 4] [--preamble-loss 1] DOC.pdf...
//
// Each DOC.pdf has its truth beside it (DOC.truth.json, shared/spec/API.md).
// Weak labels: the rule zoner's zones, corrected where the truth shows them
// wrong (WeakLabels below): the lines printing the truth title are the title;
// the line where a truth party is first named near the start is the
// preamble (a cover page above the title included), and so is a line just
// after the preamble that prints one; a parties zone that names no party is
// body text; a short line in the second half of the document that
// prints a truth signatory's name or a signing date belongs to the signature
// area, with the short lines of its block around it. Prints the corrections
// made, a cross-validation score per zone and, beside it, the rule zoner's
// agreement with the same labels; deterministic (one thread, files in the
// order given).
#include <dlib/svm_threaded.h>

#include <nlohmann/json.hpp>


#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "fields/common.h"
#include "reading/zone_labeller.h"
#include "train_common.h"

namespace pactum::extract {
namespace {

// Lowercase words separated by single spaces, with a space at both ends, so
// that a phrase is found at word boundaries by a plain substring search.
std::string Normal(std::string_view text) {
  const std::string lower = fields::Lower(text);
  std::string out = " ";
  for (char ch : lower) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) {
      out += ch;
    } else if (out.back() != ' ') {
      out += ' ';
    }
  }
  if (out.back() != ' ') out += ' ';
  return out;
}

size_t WordsOf(const std::string& normal) {
  return static_cast<size_t>(std::count(normal.begin(), normal.end(), ' ')) - 1;
}

bool Prints(const std::string& line, const std::vector<std::string>& phrases) {
  for (const auto& p : phrases) {
    if (p.size() > 2 && line.find(p) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> Strings(const nlohmann::json& agreement, const char* list, const char* field,
                                 const char* kind = nullptr) {
  std::vector<std::string> out;
  for (const auto& item : agreement.value(list, nlohmann::json::array())) {
    if (!item.is_object()) continue;
    if (kind != nullptr && item.value("kind", "") != kind) continue;
    const auto it = item.find(field);
    if (it != item.end() && it->is_string()) {
      const std::string n = Normal(it->get<std::string>());
      if (WordsOf(n) >= 1) out.push_back(n);
    }
  }
  return out;
}

struct Corrections {
  int title = 0, parties = 0, not_parties = 0, signature = 0;
};

// The rule zones of `reading`, corrected by `agreement` (the truth).
std::vector<unsigned long> WeakLabels(const Reading& reading, const nlohmann::json& agreement, Corrections* made) {
  const size_t n = reading.size();
  std::vector<Zone> z(n);
  std::vector<std::string> text(n);
  for (size_t i = 0; i < n; ++i) {
    z[i] = reading.rule_zone(i);
    text[i] = Normal(reading.line(i).text);
  }
  // Furniture is relabelled only where allowed and never for a stamp, a page
  // number or a running header.
  const auto set = [&](size_t i, Zone zone, int* count, bool over_furniture = false) {
    const LineFeatures& f = reading.features(i);
    if (z[i] == zone) return;
    if (z[i] == Zone::kFurniture && (!over_furniture || f.stamp || f.page_number || f.repeated)) return;
    z[i] = zone;
    ++*count;
  };

  // The title: lines near the start that print the truth title, or most of it.
  const auto title_field = agreement.find("title");
  if (title_field != agreement.end() && title_field->is_string()) {
    const std::string title = Normal(title_field->get<std::string>());
    const size_t title_words = WordsOf(title);
    for (size_t i = 0; i < n && i < 40 && reading.line(i).page <= 2 && title_words >= 1; ++i) {
      const std::string& t = text[i];
      const size_t words = WordsOf(t);
      if (words == 0 || t.size() < 5) continue;
      const bool part = title.find(t) != std::string::npos && 2 * t.size() >= title.size();
      const bool whole = t.find(title) != std::string::npos && words <= title_words + 2;
      if (part || whole) set(i, Zone::kTitle, &made->title, true);
    }
  }

  // Where a party is first named near the start is the preamble (or a cover
  // page listing the parties above the title).
  const std::vector<std::string> parties = Strings(agreement, "parties", "name");
  for (const auto& party : parties) {
    for (size_t i = 0; i < n && 5 * i < n && reading.line(i).page <= 3; ++i) {
      if (!Prints(text[i], {party})) continue;
      if (z[i] == Zone::kFurniture || z[i] == Zone::kRecitals || z[i] == Zone::kBody) {
        set(i, Zone::kParties, &made->parties, true);
      }
      break;
    }
  }
  // A parties zone that names no party (by name, short name or the first
  // word of a name) is not a preamble: text read before any title.
  std::vector<std::string> naming = parties;
  for (const auto& s : Strings(agreement, "parties", "short_name")) naming.push_back(s);
  for (const auto& p : parties) {
    const size_t space = p.find(' ', 1);
    if (space != std::string::npos && space > 5) naming.push_back(p.substr(0, space + 1));
  }
  for (size_t begin = 0; begin < n && !parties.empty();) {
    size_t end = begin;
    bool named = false;
    for (; end < n && (z[end] == Zone::kParties || (end > begin && z[end] == Zone::kFurniture)); ++end) {
      named = named || Prints(text[end], naming);
    }
    if (end - begin >= 3 && !named) {
      for (size_t k = begin; k < end; ++k) {
        if (z[k] == Zone::kParties) set(k, Zone::kBody, &made->not_parties);
      }
    }
    begin = std::max(end, begin + 1);
  }
  // The parties zone goes on over lines that print a truth party name right
  // after it (numbered party lists read as clauses by the rules).
  size_t last = n;
  for (size_t i = 0; i < n && 5 * i < 2 * n; ++i) {
    if (z[i] == Zone::kParties || z[i] == Zone::kTitle) last = i;
  }
  if (last != n) {
    for (size_t j = last + 1; j < n && j <= last + 6; ++j) {
      const LineFeatures& f = reading.features(j);
      if (z[j] == Zone::kSignature || z[j] == Zone::kAnnex || f.recital_cue || f.operative_cue) break;
      if (z[j] != Zone::kBody || !Prints(text[j], parties)) continue;
      for (size_t k = last + 1; k <= j; ++k) set(k, Zone::kParties, &made->parties);
      last = j;
    }
  }

  // The signature area holds the short lines printing a signatory's name or
  // a signing date in the second half, and the short lines of their block.
  std::vector<std::string> signing = Strings(agreement, "signatories", "name");
  for (const auto& d : Strings(agreement, "dates", "text", "signature")) signing.push_back(d);
  const auto short_line = [&](size_t k) {
    const LineFeatures& f = reading.features(k);
    return f.words <= 12 && !f.numbered_heading && (z[k] == Zone::kBody || z[k] == Zone::kAnnex);
  };
  for (size_t j = n / 2; j < n; ++j) {
    if (!short_line(j) || !Prints(text[j], signing)) continue;
    set(j, Zone::kSignature, &made->signature);
    for (size_t k = j; k-- > 0 && j - k <= 6 && short_line(k);) set(k, Zone::kSignature, &made->signature);
    for (size_t k = j + 1; k < n && k - j <= 6 && short_line(k); ++k) set(k, Zone::kSignature, &made->signature);
  }
  // Close gaps of up to 15 lines between parts of the signature area.
  size_t prev = n;
  for (size_t i = 0; i < n; ++i) {
    if (z[i] != Zone::kSignature) continue;
    if (prev != n && i - prev > 1 && i - prev <= 15) {
      for (size_t k = prev + 1; k < i; ++k) {
        if (z[k] == Zone::kBody || z[k] == Zone::kAnnex) set(k, Zone::kSignature, &made->signature);
      }
    }
    prev = i;
  }
  std::vector<unsigned long> labels(n);
  for (size_t i = 0; i < n; ++i) labels[i] = static_cast<unsigned long>(z[i]);
  return labels;
}

std::string Format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Prints precision and recall per zone; returns the accuracy.
double PrintScores(const char* what, const dlib::matrix<double>& confusion) {
  double right = 0, all = 0;
  std::printf("%s: ", what);
  for (long k = 0; k < confusion.nr(); ++k) {
    const double truth = dlib::sum(dlib::rowm(confusion, k)), predicted = dlib::sum(dlib::colm(confusion, k));
    right += confusion(k, k);
    all += truth;
    std::printf("%s P %.3f R %.3f (%.0f lines); ", ZoneName(static_cast<Zone>(k)).data(),
                predicted > 0 ? confusion(k, k) / predicted : 0, truth > 0 ? confusion(k, k) / truth : 0, truth);
  }
  std::printf("accuracy %.4f\n", all > 0 ? right / all : 0);
  std::fflush(stdout);
  return all > 0 ? right / all : 0;
}

}  // namespace
}  // namespace pactum::extract

int main(int argc, char** argv) {
  using namespace pactum::extract;
  double preamble_loss = 1;
  const auto args = train::ParseArgs(argc, argv, {1, 10}, {{"preamble-loss", &preamble_loss}});
  if (!args) {
    std::fprintf(stderr, "usage: pactum-train-zones --out FILE [--c C,...] [--folds K] [--preamble-loss L] DOC.pdf...\n");
    return 64;
  }
  const std::string& out_path = args->out;
  const std::vector<double>& cs = args->cs;
  const unsigned long folds = args->folds;
  std::vector<ZoneSequence> samples;
  std::vector<std::vector<unsigned long>> labels;
  dlib::matrix<double> rules = dlib::zeros_matrix<double>(kZoneCount, kZoneCount);
  Corrections made;
  for (const auto& path : args->docs) {
    const nlohmann::json agreement = train::AgreementOf(path);
    const auto text = train::TextOf(path);
    if (!text || text->lines.empty()) continue;
    const Reading reading = Reading::Of(*text, LanguageData::Get(), nullptr);  // the rule zones
    labels.push_back(WeakLabels(reading, agreement, &made));
    samples.push_back(ZoneFeatures(reading));
    for (size_t i = 0; i < reading.size(); ++i) {
      rules(static_cast<long>(labels.back()[i]), static_cast<long>(reading.rule_zone(i))) += 1;
    }
  }
  std::printf(
      "documents: %zu; lines relabelled from the rule zones: title %d, parties %d, parties to body %d, "
      "signature %d\n",
      samples.size(), made.title, made.parties, made.not_parties, made.signature);
  if (samples.size() < 2) return 1;
  PrintScores("rule zones against the weak labels", rules);
  dlib::structural_sequence_labeling_trainer<ZoneFeatureExtractor> trainer;
  trainer.set_num_threads(1);
  // A title or preamble line missed costs the party labeller its names: weigh them.
  trainer.set_loss(static_cast<unsigned long>(Zone::kTitle), preamble_loss);
  trainer.set_loss(static_cast<unsigned long>(Zone::kParties), preamble_loss);
  // Of several C, the one with the best cross-validated accuracy (the first on a tie).
  double c = cs.front(), best = -1;
  if (folds >= 2 && samples.size() >= folds) {
    for (double candidate : cs) {
      trainer.set_c(candidate);
      const auto cv = dlib::cross_validate_sequence_labeler(trainer, samples, labels, static_cast<long>(folds));
      const double accuracy = PrintScores(
          ("cross-validation (" + std::to_string(folds) + " folds, C=" + Format(candidate) + ")").c_str(), cv);
      if (accuracy > best) best = accuracy, c = candidate;
    }
  }
  trainer.set_c(c);
  const auto model = trainer.train(samples, labels);
  const auto& w = model.get_weights();
  std::ofstream out(out_path, std::ios::binary);
  out << ZoneModel::Save(std::vector<double>(w.begin(), w.end()));
  std::printf("wrote %s (C=%g, preamble loss %g)\n", out_path.c_str(), c, preamble_loss);
  return out ? 0 : 2;
}
