// What the trainers (scripts/train) share: reading a training document's
// text and its truth the way the extractor reads a born-digital PDF.
#pragma once

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fields/common.h"
#include "pactum/extract/document.h"
#include "pactum/extract/fields.h"
#include "pactum/extract/pages.h"
#include "pactum/extract/sniff.h"

namespace pactum::extract::train {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Lowercase, German case endings dropped from longer words: "Freistaates"
// and "Freistaat", "Hessischen" and "Hessisches" compare equal (weak labels
// find the truth's names in the text so).
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

// DOC.truth.json beside DOC.pdf; a non-object when missing or broken.
inline nlohmann::json TruthOf(const std::string& path) {
  const std::string truth_path = path.substr(0, path.rfind('.')) + ".truth.json";
  return nlohmann::json::parse(ReadFile(truth_path), nullptr, false);
}

// The truth's agreement of the document at `path`; a document without one
// ends the trainer (exit status 2).
inline nlohmann::json AgreementOf(const std::string& path) {
  const nlohmann::json truth = TruthOf(path);
  if (!truth.is_object() || !truth.contains("agreement")) {
    std::fprintf(stderr, "%s: no truth\n", path.c_str());
    std::exit(2);
  }
  return truth["agreement"];
}

// A trainer's command line: --out FILE [--c C[,C...]] [--folds K]
// [--NAME VALUE for each of `options`] DOC.pdf...
struct Args {
  std::string out;
  std::vector<double> cs;
  unsigned long folds = 4;
  std::vector<std::string> docs;
};
// Silences the pipeline's log: page decisions are not what a trainer prints.
inline std::optional<Args> ParseArgs(int argc, char** argv, std::vector<double> cs,
                                     const std::map<std::string, double*>& options = {}) {
  spdlog::set_level(spdlog::level::off);
  Args args;
  args.cs = std::move(cs);
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    const bool value = a + 1 < argc;
    if (arg == "--out" && value) {
      args.out = argv[++a];
    } else if (arg == "--c" && value) {
      args.cs.clear();
      const std::string list = argv[++a];
      for (size_t at = 0; at < list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        args.cs.push_back(std::stod(list.substr(at, comma - at)));
        at = comma + 1;
      }
    } else if (arg == "--folds" && value) {
      args.folds = std::stoul(argv[++a]);
    } else if (arg.rfind("--", 0) == 0 && value && options.count(arg.substr(2)) != 0) {
      *options.at(arg.substr(2)) = std::stod(argv[++a]);
    } else {
      args.docs.push_back(arg);
    }
  }
  if (args.out.empty() || args.docs.empty() || args.cs.empty()) return std::nullopt;
  return args;
}

// The text layer of the document at `path` (no OCR: the scans repeat
// born-digital texts, and training reads text layers); nullopt when it
// does not open.
inline std::optional<DocumentText> TextOf(const std::string& path) {
  const std::string bytes = ReadFile(path);
  ExtractOptions options;
  options.ocr = OcrMode::kNever;
  auto doc = Document::Open(bytes, Sniff(bytes), options.limits);
  if (!doc.ok()) return std::nullopt;
  auto pages = ReadPages(**doc, options);
  if (!pages.ok()) return std::nullopt;
  return DocumentText::FromPages(pages->pages);
}

}  // namespace pactum::extract::train
