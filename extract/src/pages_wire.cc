// PagesPart as JSON between worker processes: every value the fields stage
// reads, numbers unrounded (nlohmann writes the shortest text that reads
// back as the same double), indices checked on the way in.
//
//   {"page_count": N,
//    "pages": [{"page", "width", "height", "source": "pdf-text"|"ocr",
//               "words": [[text, x0, y0, x1, y1, confidence, space_after, invisible, ocr], ...],
//               "lines": [[[word, ...], [x0, y0, x1, y1], text], ...],
//               "blocks": [[[line, ...], [x0, y0, x1, y1]], ...]}, ...],
//    "page_info": [{"page", "text_source", "reason", "ocr_mean_confidence"|null}, ...],
//    "warnings": [{"code", "message", "page"|null}, ...],
//    "missing_pages": [page, ...]}
#include <nlohmann/json.hpp>

#include "pactum/extract/extractor.h"

namespace pactum::extract {
namespace {

using Json = nlohmann::json;

Json BoxJson(const Box& b) { return Json::array({b.x0, b.y0, b.x1, b.y1}); }

Box BoxOf(const Json& j) {
  if (!j.is_array() || j.size() != 4) throw std::invalid_argument("a box is four numbers");
  return Box{j[0].get<double>(), j[1].get<double>(), j[2].get<double>(), j[3].get<double>()};
}

std::vector<int> IndicesOf(const Json& j, std::size_t bound) {
  std::vector<int> out = j.get<std::vector<int>>();
  for (int i : out) {
    if (i < 0 || static_cast<std::size_t>(i) >= bound) throw std::invalid_argument("an index out of range");
  }
  return out;
}

PageTextSource PageSourceOf(const std::string& name) {
  if (name == Name(PageTextSource::kPdfText)) return PageTextSource::kPdfText;
  if (name == Name(PageTextSource::kOcr)) return PageTextSource::kOcr;
  throw std::invalid_argument("an unknown text source");
}

template <typename T>
Json OptionalJson(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

template <typename T>
std::optional<T> OptionalOf(const Json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<T>();
}

Json PageJson(const PageText& page) {
  Json words = Json::array(), lines = Json::array(), blocks = Json::array();
  for (const Word& w : page.words) {
    words.push_back(Json::array({w.text, w.box.x0, w.box.y0, w.box.x1, w.box.y1, w.confidence, w.space_after,
                                 w.invisible, w.ocr}));
  }
  for (const Line& l : page.lines) lines.push_back(Json::array({l.words, BoxJson(l.box), l.text}));
  for (const Block& b : page.blocks) blocks.push_back(Json::array({b.lines, BoxJson(b.box)}));
  const TextSource source = page.source;
  return Json{{"page", page.page},
              {"width", page.width_pt},
              {"height", page.height_pt},
              {"source", Name(source == TextSource::kOcr ? PageTextSource::kOcr : PageTextSource::kPdfText)},
              {"words", std::move(words)},
              {"lines", std::move(lines)},
              {"blocks", std::move(blocks)}};
}

PageText PageOf(const Json& j) {
  PageText page;
  page.page = j.at("page").get<int>();
  page.width_pt = j.at("width").get<double>();
  page.height_pt = j.at("height").get<double>();
  page.source = PageSourceOf(j.at("source").get<std::string>()) == PageTextSource::kOcr ? TextSource::kOcr
                                                                                       : TextSource::kPdfText;
  for (const Json& w : j.at("words")) {
    // Eight values: a part written before words carried `ocr`, when OCR read whole pages only.
    if (!w.is_array() || (w.size() != 8 && w.size() != 9)) throw std::invalid_argument("a word is eight or nine values");
    Word word;
    word.text = w[0].get<std::string>();
    word.box = Box{w[1].get<double>(), w[2].get<double>(), w[3].get<double>(), w[4].get<double>()};
    word.confidence = w[5].get<double>();
    word.space_after = w[6].get<bool>();
    word.invisible = w[7].get<bool>();
    word.ocr = w.size() == 9 ? w[8].get<bool>() : page.source == TextSource::kOcr;
    page.words.push_back(std::move(word));
  }
  for (const Json& l : j.at("lines")) {
    if (!l.is_array() || l.size() != 3) throw std::invalid_argument("a line is three values");
    page.lines.push_back(Line{IndicesOf(l[0], page.words.size()), BoxOf(l[1]), l[2].get<std::string>()});
  }
  for (const Json& b : j.at("blocks")) {
    if (!b.is_array() || b.size() != 2) throw std::invalid_argument("a block is two values");
    page.blocks.push_back(Block{IndicesOf(b[0], page.lines.size()), BoxOf(b[1])});
  }
  return page;
}

}  // namespace

std::string PagesPartToJson(const PagesPart& part) {
  Json pages = Json::array(), info = Json::array(), warnings = Json::array();
  for (const PageText& p : part.pages.pages) pages.push_back(PageJson(p));
  for (const PageInfo& p : part.pages.page_info) {
    info.push_back(Json{{"page", p.page},
                        {"text_source", Name(p.text_source)},
                        {"reason", p.reason},
                        {"ocr_mean_confidence", OptionalJson(p.ocr_mean_confidence)}});
  }
  for (const Warning& w : part.pages.warnings) {
    warnings.push_back(Json{{"code", w.code}, {"message", w.message}, {"page", OptionalJson(w.page)}});
  }
  return Json{{"page_count", part.page_count},
              {"pages", std::move(pages)},
              {"page_info", std::move(info)},
              {"warnings", std::move(warnings)},
              {"missing_pages", part.pages.missing_pages}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

namespace {

// A part decoded from its JSON value (PagesPartToJson's object).
Result<PagesPart> PartOf(const Json& j) {
  if (!j.is_object()) return Error::Internal("the pages of a part are not a JSON object");
  try {
    PagesPart part;
    part.page_count = j.at("page_count").get<int>();
    for (const Json& p : j.at("pages")) part.pages.pages.push_back(PageOf(p));
    for (const Json& p : j.at("page_info")) {
      part.pages.page_info.push_back(PageInfo{p.at("page").get<int>(),
                                              PageSourceOf(p.at("text_source").get<std::string>()),
                                              p.at("reason").get<std::string>(),
                                              OptionalOf<double>(p.at("ocr_mean_confidence"))});
    }
    for (const Json& w : j.at("warnings")) {
      part.pages.warnings.push_back(
          Warning{w.at("code").get<std::string>(), w.at("message").get<std::string>(), OptionalOf<int>(w.at("page"))});
    }
    part.pages.missing_pages = j.at("missing_pages").get<std::vector<int>>();
    if (part.pages.page_info.size() != part.pages.pages.size()) {
      return Error::Internal("the pages of a part do not have one decision each");
    }
    for (const PageText& p : part.pages.pages) {
      if (p.page < 1 || p.page > part.page_count) return Error::Internal("a part holds a page out of range");
    }
    for (int p : part.pages.missing_pages) {
      if (p < 1 || p > part.page_count) return Error::Internal("a part misses a page out of range");
    }
    return part;
  } catch (const std::exception& e) {
    return Error::Internal(std::string("the pages of a part are malformed: ") + e.what());
  }
}

}  // namespace

Result<PagesPart> PagesPartFromJson(std::string_view text) {
  return PartOf(Json::parse(text, nullptr, /*allow_exceptions=*/false));
}

Result<std::vector<PagesPart>> PagesPartsFromJson(std::string_view text) {
  const Json parts = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parts.is_array() || parts.empty()) return Error::Internal("the parts to join are not a JSON array of parts");
  std::vector<PagesPart> decoded;
  for (const Json& part : parts) {
    Result<PagesPart> one = PartOf(part);
    if (!one.ok()) return one.error();
    decoded.push_back(std::move(one).value());
  }
  return decoded;
}

}  // namespace pactum::extract
