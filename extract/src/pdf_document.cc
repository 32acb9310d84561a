// Document over Poppler (poppler-cpp): text layer and rendering of PDF pages.
#include <poppler-document.h>
#include <poppler-font.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <climits>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>

#include "pactum/extract/document.h"
#include "pactum/extract/pdf_objects.h"

namespace pactum::extract {
namespace {

class PdfDocument final : public Document {
 public:
  // `may_have_glyphless_fonts`: the raw bytes name a glyph-less font or hide
  // dictionaries in compressed object streams (see OnlyGlyphlessFonts).
  PdfDocument(std::unique_ptr<poppler::document> doc, std::string_view bytes, const Limits& limits,
              bool may_have_glyphless_fonts)
      : doc_(std::move(doc)), bytes_(bytes), limits_(limits), may_have_glyphless_fonts_(may_have_glyphless_fonts) {}

  Result<std::unique_ptr<Document>> Reopen() const override { return OpenPdfDocument(bytes_, limits_); }

  MediaType media_type() const override { return MediaType::kPdf; }
  int page_count() const override { return doc_->pages(); }

  Result<PageText> TextLayer(int page_no) override {
    auto page = OpenPage(page_no);
    if (!page.ok()) return page.error();
    poppler::page& p = **page;
    PageText out;
    out.page = page_no;
    std::tie(out.width_pt, out.height_pt) = PageSize(p);
    out.source = TextSource::kPdfText;
    const bool invisible = may_have_glyphless_fonts_ && OnlyGlyphlessFonts(page_no);
    for (const poppler::text_box& tb : p.text_list()) {
      const poppler::ustring u = tb.text();
      const poppler::byte_array utf8 = u.to_utf8();
      std::string text(utf8.begin(), utf8.end());
      text = NormalizeWordText(text);
      if (text.empty()) continue;
      const poppler::rectf r = tb.bbox();
      Word w;
      w.text = std::move(text);
      w.box = {r.left(), r.top(), r.right(), r.bottom()};
      w.confidence = 1.0;
      w.space_after = tb.has_space_after();
      w.invisible = invisible;
      out.words.push_back(std::move(w));
    }
    return out;
  }

  Result<PageImage> Render(int page_no, int dpi) override {
    auto page = OpenPage(page_no);
    if (!page.ok()) return page.error();
    poppler::page& p = **page;
    const auto [width_pt, height_pt] = PageSize(p);
    const long long px = std::llround(width_pt * dpi / 72.0), py = std::llround(height_pt * dpi / 72.0);
    if (px * py > limits_.max_page_pixels) {
      return Error::Unprocessable("page " + std::to_string(page_no) + " would render to " + std::to_string(px) + "x" +
                                  std::to_string(py) + " = " + std::to_string(px * py) + " pixels at " +
                                  std::to_string(dpi) + " dpi, over the limit of " +
                                  std::to_string(limits_.max_page_pixels) + " pixels per page");
    }
    poppler::page_renderer renderer;
    renderer.set_image_format(poppler::image::format_gray8);
    renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
    const poppler::image img = renderer.render_page(&p, dpi, dpi);
    // A row shorter than the width would be read past its end below.
    if (!img.is_valid() || img.width() <= 0 || img.height() <= 0 || img.bytes_per_row() < img.width()) {
      return Error::Unprocessable("page " + std::to_string(page_no) + " could not be rendered");
    }
    PageImage out;
    out.page = page_no;
    out.width = img.width();
    out.height = img.height();
    out.dpi_x = out.dpi_y = dpi;
    // All positive, checked above.
    const size_t width = static_cast<size_t>(out.width), height = static_cast<size_t>(out.height);
    const size_t stride = static_cast<size_t>(img.bytes_per_row());
    out.gray.resize(width * height);
    const char* data = img.const_data();
    for (size_t y = 0; y < height; ++y) {
      const auto* row = reinterpret_cast<const std::uint8_t*>(data + y * stride);
      std::copy(row, row + width, out.gray.data() + y * width);
    }
    return out;
  }

 private:
  Result<std::unique_ptr<poppler::page>> OpenPage(int page_no) {
    if (page_no < 1 || page_no > doc_->pages()) {
      return Error::BadRequest("no page " + std::to_string(page_no));
    }
    std::unique_ptr<poppler::page> p(doc_->create_page(page_no - 1));
    if (!p) return Error::Unprocessable("page " + std::to_string(page_no) + " cannot be read");
    const poppler::rectf r = p->page_rect(poppler::media_box);
    if (!(r.width() > 0 && r.height() > 0) || r.width() > limits_.max_page_edge_pt ||
        r.height() > limits_.max_page_edge_pt) {
      return Error::Unprocessable("page " + std::to_string(page_no) + " has an invalid or absurd size");
    }
    return p;
  }

  // True when every font of the page draws nothing: the glyph-less font that
  // OCR tools (Tesseract, OCRmyPDF) use for the invisible text over a scan.
  // Poppler builds full font information here (font file lookups included),
  // which costs as much as the text itself; hence the gate on the raw bytes.
  bool OnlyGlyphlessFonts(int page_no) const {
    std::unique_ptr<poppler::font_iterator> it(doc_->create_font_iterator(page_no - 1));
    if (!it || !it->has_next()) return false;
    const std::vector<poppler::font_info> fonts = it->next();
    if (fonts.empty()) return false;
    for (const poppler::font_info& f : fonts) {
      if (f.name().find("GlyphLess") == std::string::npos) return false;
    }
    return true;
  }

  // Page size as displayed (rotation applied), in points.
  static std::pair<double, double> PageSize(poppler::page& p) {
    const poppler::rectf r = p.page_rect(poppler::crop_box);
    const bool turned = p.orientation() == poppler::page::landscape || p.orientation() == poppler::page::seascape;
    return turned ? std::pair{r.height(), r.width()} : std::pair{r.width(), r.height()};
  }

  std::unique_ptr<poppler::document> doc_;
  std::string_view bytes_;  // the caller's, outliving this document
  Limits limits_;
  bool may_have_glyphless_fonts_;
};

}  // namespace

Result<std::unique_ptr<Document>> OpenPdfDocument(std::string_view bytes, const Limits& limits) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return Error::TooLarge("PDF larger than 2 GiB");
  if (auto err = CheckDeclaredPdfObjects(bytes, limits.max_pdf_objects)) return *err;
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) {
    return Error::Unprocessable("the PDF is corrupt or truncated and cannot be opened; re-export or re-scan it");
  }
  if (doc->is_locked()) {
    return Error::Unprocessable("the PDF is encrypted and needs a password; upload an unencrypted copy");
  }
  const int pages = doc->pages();
  if (pages <= 0) return Error::Unprocessable("the PDF has no pages");
  if (pages > limits.max_pages) {
    return Error::Unprocessable("the PDF has " + std::to_string(pages) + " pages, more than the limit of " +
                                std::to_string(limits.max_pages));
  }
  const bool may_have_glyphless_fonts = bytes.find("GlyphLess") != std::string_view::npos ||
                                        bytes.find("/ObjStm") != std::string_view::npos;
  return std::unique_ptr<Document>(new PdfDocument(std::move(doc), bytes, limits, may_have_glyphless_fonts));
}

Result<std::unique_ptr<Document>> Document::Open(std::string_view bytes, MediaType type, const Limits& limits) {
  switch (type) {
    case MediaType::kPdf: return OpenPdfDocument(bytes, limits);
    case MediaType::kPng:
    case MediaType::kJpeg:
    case MediaType::kTiff: return OpenImageDocument(bytes, type, limits);
    case MediaType::kUnknown: break;
  }
  return Error::Unsupported("not a PDF, PNG, JPEG or TIFF file; upload one of those formats");
}

}  // namespace pactum::extract
