// Document over Poppler (poppler-cpp): text layer and rendering of PDF pages.
#include <poppler-document.h>
#include <poppler-font.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <climits>
#include <cstdio>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>

#include "pactum/extract/document.h"
#include "pactum/extract/pdf_objects.h"

namespace pactum::extract {
namespace {

// poppler::ustring::to_utf8() opens an iconv converter for every word (about
// 40 % of the instructions of reading a page's words). The ustring of a
// text_box comes from Poppler's own iconv conversion of UTF-8, so it is
// well-formed UTF-16; converted here the same way, code unit by code unit. A
// lone surrogate, which iconv refuses, ends the text there, as there.
std::string Utf16ToUtf8(const poppler::ustring& u) {
  std::string out;
  out.reserve(u.size());
  for (size_t i = 0; i < u.size(); ++i) {
    char32_t c = u[i];
    if (c >= 0xD800 && c <= 0xDFFF) {
      if (c >= 0xDC00 || i + 1 >= u.size() || u[i + 1] < 0xDC00 || u[i + 1] > 0xDFFF) break;
      c = 0x10000 + ((c - 0xD800) << 10) + (static_cast<char32_t>(u[i + 1]) - 0xDC00);
      ++i;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Poppler builds its global parameters (font and encoding tables) when the
// first document is opened and drops them when the last one closes: for a
// worker that reads one document at a time, on every document (3.6 M
// instructions, and the caches built since). An empty document opened once
// and kept for the life of the process keeps them.
void KeepPopplerGlobals() {
  static const std::string kBytes = [] {
    std::string pdf = "%PDF-1.4\n";
    const size_t catalog = pdf.size();
    pdf += "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
    const size_t pages = pdf.size();
    pdf += "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n";
    const size_t xref = pdf.size();
    char entry[32];
    pdf += "xref\n0 3\n0000000000 65535 f \n";
    for (size_t offset : {catalog, pages}) {
      std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
      pdf += entry;
    }
    pdf += "trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
  }();
  static const std::unique_ptr<poppler::document> kKeeper(
      poppler::document::load_from_raw_data(kBytes.data(), static_cast<int>(kBytes.size())));
}

class PdfDocument final : public Document {
 public:
  // `may_have_glyphless_fonts`: the raw bytes name a glyph-less font or hide
  // dictionaries in compressed object streams (see OnlyGlyphlessFonts).
  // `bytes`: what Poppler reads, the caller's or `own` (WithoutOutputIntents).
  PdfDocument(std::unique_ptr<poppler::document> doc, std::string_view bytes,
              std::shared_ptr<const std::string> own, const Limits& limits, bool may_have_glyphless_fonts)
      : doc_(std::move(doc)),
        bytes_(bytes),
        own_(std::move(own)),
        limits_(limits),
        may_have_glyphless_fonts_(may_have_glyphless_fonts) {}

  // Opens `bytes` (already checked) with Poppler.
  static Result<std::unique_ptr<Document>> Load(std::string_view bytes, std::shared_ptr<const std::string> own,
                                                const Limits& limits, bool may_have_glyphless_fonts);

  Result<std::unique_ptr<Document>> Reopen() const override {
    return Load(bytes_, own_, limits_, may_have_glyphless_fonts_);
  }

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
      std::string text = NormalizeWordText(Utf16ToUtf8(tb.text()));
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
  std::string_view bytes_;  // the caller's (outliving this document), or *own_
  std::shared_ptr<const std::string> own_;
  Limits limits_;
  bool may_have_glyphless_fonts_;
};

}  // namespace

Result<std::unique_ptr<Document>> PdfDocument::Load(std::string_view bytes, std::shared_ptr<const std::string> own,
                                                    const Limits& limits, bool may_have_glyphless_fonts) {
  KeepPopplerGlobals();
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
  return std::unique_ptr<Document>(new PdfDocument(std::move(doc), bytes, std::move(own), limits, may_have_glyphless_fonts));
}

Result<std::unique_ptr<Document>> OpenPdfDocument(std::string_view bytes, const Limits& limits) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return Error::TooLarge("PDF larger than 2 GiB");
  if (auto err = CheckDeclaredPdfObjects(bytes, limits.max_pdf_objects)) return *err;
  const bool may_have_glyphless_fonts = bytes.find("GlyphLess") != std::string_view::npos ||
                                        bytes.find("/ObjStm") != std::string_view::npos;
  // Poppler reads a PDF/A's pages many times faster without its output
  // intent (see WithoutOutputIntents).
  std::shared_ptr<const std::string> own;
  if (auto patched = WithoutOutputIntents(bytes); patched && patched->size() <= static_cast<size_t>(INT_MAX)) {
    own = std::make_shared<const std::string>(std::move(*patched));
  }
  const std::string_view read = own ? std::string_view(*own) : bytes;
  return PdfDocument::Load(read, std::move(own), limits, may_have_glyphless_fonts);
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
