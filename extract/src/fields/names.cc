#include "fields/names.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "fields/common.h"
#include "reading/language_data.h"

namespace pactum::extract::fields::names {
namespace {

enum class Gender { kMasculine, kFeminine, kNeuter, kUnknown };

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Grammatical gender of a German head noun from its ending (compounds take
// the gender of their last part: "Landkreis", "Kreisverband", "Staatskanzlei").
Gender GenderOf(const std::string& noun_in) {
  const std::string noun = Lower(noun_in);
  const LanguageData& data = LanguageData::Get();
  auto ends = [&](std::string_view key) {
    const auto& list = data.List("", key);
    return std::any_of(list.begin(), list.end(), [&](const std::string& e) { return EndsWith(noun, e); });
  };
  if (ends("grammar.masculine_suffixes")) return Gender::kMasculine;
  if (ends("grammar.neuter_suffixes")) return Gender::kNeuter;
  if (ends("grammar.feminine_suffixes")) return Gender::kFeminine;
  return Gender::kUnknown;
}

bool InList(std::string_view key, const std::string& word) {
  const auto& list = LanguageData::Get().List("", key);
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool IsArticle(const std::string& lower) { return InList("grammar.name_articles", lower); }
bool IsFormOfAddress(const std::string& word) { return InList("grammar.forms_of_address", word); }

}  // namespace

std::string Nominative(const std::string& phrase) {
  std::vector<std::string> w = Split(phrase);
  if (w.empty()) return {};
  const std::string article = Lower(w[0]);
  if (IsArticle(article)) w.erase(w.begin());
  // A person's form of address is not part of the name ("Herrn Dr. Klaus
  // Berger" -> "Dr. Klaus Berger").
  if (w.size() > 1 && IsFormOfAddress(w[0])) w.erase(w.begin());
  if (w.empty()) return {};
  // Inflected adjectives: leading capitalised words with an attributive
  // ending (grammar.attributive_endings: "-en") that are followed by another
  // capitalised word ("Hessischen Ministerium").
  const LanguageData& data = LanguageData::Get();
  auto ending_of = [&](const std::string& word) -> size_t {
    for (const auto& e : data.List("", "grammar.attributive_endings")) {
      if (EndsWith(word, e)) return e.size();
    }
    return 0;
  };
  size_t head = 0;
  while (head + 1 < w.size() && ending_of(w[head]) > 0 && StartsUpper(w[head]) && StartsUpper(w[head + 1]) &&
         w[head].size() > 4) {
    ++head;
  }
  const bool oblique = InList("grammar.oblique_articles", article);
  if (oblique && head < w.size()) {
    // Genitive noun ending (grammar.genitive_endings): "des Landkreises" -> "Landkreis", "des Amtes" -> "Amt".
    if (InList("grammar.genitive_articles", article) && GenderOf(w[head]) == Gender::kUnknown) {
      for (const auto& e : data.List("", "grammar.genitive_endings")) {
        if (w[head].size() <= e.size() + 2 || !EndsWith(w[head], e)) continue;
        const std::string stem = w[head].substr(0, w[head].size() - e.size());
        const Gender sg = GenderOf(stem);
        if (sg == Gender::kMasculine || sg == Gender::kNeuter) {
          w[head] = stem;
          break;
        }
      }
    }
    // The adjectives take their nominative ending for the noun's gender
    // (grammar.nominative_adjective_endings).
    const Gender g = GenderOf(w[head]);
    const char* gender = g == Gender::kMasculine ? "masculine" : g == Gender::kNeuter ? "neuter" : "feminine";
    const Table& endings = data.TableOf("", "grammar.nominative_adjective_endings");
    const auto nominative = std::find_if(endings.begin(), endings.end(), [&](const auto& e) { return e.first == gender; });
    if (head > 0 && g != Gender::kUnknown && nominative != endings.end()) {
      for (size_t i = 0; i < head; ++i) w[i] = w[i].substr(0, w[i].size() - ending_of(w[i])) + nominative->second;
    }
  }
  std::string out;
  for (const auto& x : w) out += (out.empty() ? "" : " ") + x;
  return out;
}

std::string StemTail(const std::string& phrase, int n) {
  // Case and plural endings of every language, longest first within each.
  static const std::vector<std::string>& endings = LanguageData::Get().List("", "grammar.inflection_endings");
  std::vector<std::string> w = Split(Lower(phrase));
  std::string out;
  const size_t start = w.size() > static_cast<size_t>(n) ? w.size() - static_cast<size_t>(n) : 0;
  for (size_t i = start; i < w.size(); ++i) {
    std::string x = w[i];
    while (!x.empty() && (x.back() == ',' || x.back() == '.' || x.back() == ')' || x.back() == '(')) x.pop_back();
    for (const std::string& e : endings) {
      if (x.size() > 4 && EndsWith(x, e)) {
        x = x.substr(0, x.size() - e.size());
        break;
      }
    }
    out += (out.empty() ? "" : " ") + x;
  }
  return out;
}

}  // namespace pactum::extract::fields::names
