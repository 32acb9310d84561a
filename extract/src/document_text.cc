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

std::string FullText(const std::vector<PageText>& pages, int page_count) {
  std::string out;
  auto next = pages.begin();
  for (int n = 1; n <= page_count; ++n) {
    if (n > 1) out += '\f';
    while (next != pages.end() && next->page < n) ++next;
    if (next == pages.end() || next->page != n) continue;
    bool first = true;
    for (const Block& block : next->blocks) {
      for (int li : block.lines) {
        if (!first) out += '\n';
        first = false;
        out += next->lines[static_cast<size_t>(li)].text;
      }
    }
  }
  return out;
}

}  // namespace pactum::extract
