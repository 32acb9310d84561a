// pactum-read [--signatures] FILE...: prints the reading of each document, a line per text
// line: page, zone, the features the zoner used, and the text; where the
// zone model (zone_labeller.h) overrules the rule zoner, the rule zone below. With
// --signatures, then the signature area's blocks and their labelled lines. For looking
// at how a layout is read while working on the zoner and the extractors.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "pactum/extract/document.h"
#include "pactum/extract/fields.h"
#include "pactum/extract/pages.h"
#include "pactum/extract/sniff.h"
#include "reading/reading.h"
#include "reading/signature_blocks.h"

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::off);  // page decisions are not what this prints
  using namespace pactum::extract;
  const bool signatures = argc > 1 && std::string(argv[1]) == "--signatures";
  for (int a = signatures ? 2 : 1; a < argc; ++a) {
    std::ifstream in(argv[a], std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ExtractOptions options;
    auto doc = Document::Open(bytes, Sniff(bytes), options.limits);
    if (!doc.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[a], doc.error().message.c_str());
      continue;
    }
    auto pages = ReadPages(**doc, options);
    if (!pages.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[a], pages.error().message.c_str());
      continue;
    }
    const DocumentText text = DocumentText::FromPages(pages->pages);
    const Reading reading = Reading::Of(text);
    std::printf("# %s language=%s lines=%zu\n", argv[a], reading.language().c_str(), reading.size());
    for (size_t i = 0; i < reading.size(); ++i) {
      const LineFeatures& f = reading.features(i);
      std::printf("%3d %-9.*s %c%c%c%c%c%c%c%c%c h%.1f g%.1f | %s\n", reading.line(i).page,
                  static_cast<int>(ZoneName(reading.zone(i)).size()), ZoneName(reading.zone(i)).data(),
                  f.centred ? 'C' : '.', f.all_caps ? 'A' : '.', f.repeated ? 'R' : '.', f.stamp ? 'S' : '.',
                  f.designation ? 'D' : '.', f.party_cue ? 'P' : '.', f.recital_cue ? 'W' : '.',
                  f.signature_cue ? 'G' : '.', f.annex_cue ? 'X' : '.', f.height, f.gap_above,
                  reading.line(i).text.c_str());
      if (reading.rule_zone(i) != reading.zone(i)) {
        std::printf("    ^ the rule zoner: %s\n", std::string(ZoneName(reading.rule_zone(i))).c_str());
      }
    }
    if (signatures) std::printf("%s", SignatureArea::Of(reading).Describe().c_str());
  }
  return 0;
}
