// pactum: one binary, HTTP service and CLI.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "pactum/extract/extractor.h"
#include "pactum/models/json.h"

namespace {

int RunExtract(const std::string& path, const std::string& ocr, const std::string& lang) {
  pactum::extract::ExtractOptions opt;
  auto fail = [](const pactum::Error& e) {
    std::cerr << pactum::ToJson(e).dump() << "\n";
    return 2;
  };
  if (!pactum::extract::ParseOcrMode(ocr, &opt.ocr)) {
    return fail(pactum::Error::BadRequest("--ocr must be auto, always or never"));
  }
  opt.lang = lang;
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(pactum::Error::BadRequest("cannot read " + path));
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  auto record = pactum::extract::Extract(bytes, opt);
  if (!record.ok()) return fail(record.error());
  std::cout << pactum::ToJson(*record).dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pactum: signed agreements: extract, verify, sign, archive"};
  app.require_subcommand(1);
  std::string file, ocr = "auto", lang = "deu+eng";
  auto* ex = app.add_subcommand("extract", "Print the agreement record of FILE as JSON");
  ex->add_option("FILE", file, "PDF, PNG, JPEG or TIFF")->required();
  ex->add_option("--ocr", ocr, "auto|always|never")->envname("PACTUM_OCR");
  ex->add_option("--lang", lang, "Tesseract languages")->envname("PACTUM_LANG");
  CLI11_PARSE(app, argc, argv);
  if (*ex) return RunExtract(file, ocr, lang);
  return 1;
}
