// What the trainers (scripts/train) share: their command line and reading
// a training document (its text layer and the truth beside it).
#pragma once

#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "fields/common.h"
#include "pactum/extract/document.h"
#include "pactum/extract/fields.h"
#include "pactum/extract/pages.h"
#include "pactum/extract/sniff.h"

namespace pactum::extract::training {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Lowercase, German case endings dropped from longer words: "Freistaates"
// and "Freistaat", "Hessischen" and "Hessisches" compare equal.
inline std::string Stem(const std::string& word) {
  std::string w = fields::Lower(word);
  if (w.size() >= 6) {
    for (const char* e : {"es", "en", "em", "er", "s", "n", "e"}) {
      const std::string end(e);
      if (w.size() > end.size() + 4 && w.compare(w.size() - end.size(), end.size(), end) == 0) {
        w.resize(w.size() - end.size());
        break;
      }
    }
  }
  return w;
}

// pactum-train-X --out FILE [--c C] [--folds K] DOC.pdf...
struct Arguments {
  std::string out;
  double c = 1;
  unsigned long folds = 4;
  std::vector<std::string> docs;
};
// The arguments with `c` and `folds` as defaults; nullopt (the usage
// printed) when --out or the documents are missing. Silences the pipeline's
// log: page decisions are not what a trainer prints.
inline std::optional<Arguments> ParseArguments(int argc, char** argv, const char* program, double c,
                                               unsigned long folds) {
  spdlog::set_level(spdlog::level::off);
  Arguments args;
  args.c = c;
  args.folds = folds;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--out" && a + 1 < argc) args.out = argv[++a];
    else if (arg == "--c" && a + 1 < argc) args.c = std::stod(argv[++a]);
    else if (arg == "--folds" && a + 1 < argc) args.folds = std::stoul(argv[++a]);
    else args.docs.push_back(arg);
  }
  if (args.out.empty() || args.docs.empty()) {
    std::fprintf(stderr, "usage: %s --out FILE [--c C] [--folds K] DOC.pdf...\n", program);
    return std::nullopt;
  }
  return args;
}

// The truth beside DOC.pdf (DOC.truth.json); nullopt (and a message) when
// it is missing or has no agreement.
inline std::optional<nlohmann::json> ReadTruth(const std::string& path) {
  const std::string truth_path = path.substr(0, path.rfind('.')) + ".truth.json";
  nlohmann::json truth = nlohmann::json::parse(ReadFile(truth_path), nullptr, false);
  if (!truth.is_object() || !truth.contains("agreement")) {
    std::fprintf(stderr, "%s: no truth\n", path.c_str());
    return std::nullopt;
  }
  return truth;
}

// The document's text layer (no OCR: the scans repeat born-digital texts);
// nullopt when it cannot be read.
inline std::optional<DocumentText> ReadText(const std::string& path) {
  const std::string bytes = ReadFile(path);
  ExtractOptions options;
  options.ocr = OcrMode::kNever;
  auto doc = Document::Open(bytes, Sniff(bytes), options.limits);
  if (!doc.ok()) return std::nullopt;
  auto pages = ReadPages(**doc, options);
  if (!pages.ok()) return std::nullopt;
  return DocumentText::FromPages(pages->pages);
}

}  // namespace pactum::extract::training
