#include "pactum/extract/fields.h"

namespace pactum::extract {

DocumentText DocumentText::FromPages(const std::vector<PageText>& pages) {
  DocumentText doc;
  for (const auto& page : pages) {
    for (size_t b = 0; b < page.blocks.size(); ++b) {
      // Line and word indices are BuildLayout's, 0 <= index < size.
      for (int li : page.blocks[b].lines) {
        const Line& line = page.lines[static_cast<size_t>(li)];
        TextLine tl;
        tl.page = page.page;
        tl.text = line.text;
        tl.box = line.box;
        tl.block = static_cast<int>(b);
        double conf = 1.0;
        for (int wi : line.words) conf = std::min(conf, page.words[static_cast<size_t>(wi)].confidence);
        tl.confidence = line.words.empty() ? 1.0 : conf;
        doc.lines.push_back(std::move(tl));
      }
    }
  }
  return doc;
}

}  // namespace pactum::extract
