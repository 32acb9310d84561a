// Document over Poppler (poppler-cpp): text layer and rendering of PDF pages.
#include <poppler-document.h>
#include <poppler-font.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageObjectHelper.hh>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

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
// instructions, and the caches built since). A one-page empty document opened
// once and kept for the life of the process keeps them.
//
// Its page is also drawn once, here, under the static's initialisation lock:
// Poppler makes its process-wide colour profiles (sRGB, XYZ) lazily, without
// a lock, the first time any page is drawn; two page threads drawing their
// first pages at once race there (one frees the profile the other just made).
void KeepPopplerGlobals() {
  static const std::string kBytes = [] {
    std::string pdf = "%PDF-1.4\n";
    std::vector<size_t> offsets;
    for (const char* object : {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"}) {
      offsets.push_back(pdf.size());
      pdf += std::to_string(offsets.size()) + " 0 obj\n" + object + "\nendobj\n";
    }
    const size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
    char entry[32];
    for (size_t offset : offsets) {
      std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
      pdf += entry;
    }
    pdf += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
  }();
  static const std::unique_ptr<poppler::document> kKeeper = [] {
    std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(kBytes.data(), static_cast<int>(kBytes.size())));
    if (doc && doc->pages() == 1) {
      if (std::unique_ptr<poppler::page> page(doc->create_page(0)); page) (void)page->text_list();
    }
    return doc;
  }();
}

// ---- What a page paints --------------------------------------------------------
//
// A content stream is read operator by operator (qpdf), with the graphics
// state that places paths (cm, q, Q, w and an ExtGState's /LW). Marks that are
// no text: shadings (sh), inline images (BI), XObjects other than forms (forms
// are read the same way, through their /Matrix), and painted paths, except
// long thin horizontal rules: at most 1.5 pt high and at least 2.2 inches
// long on the page, which the glance at the page (CountUnreadGlyphs) never
// counts, as a letter-sized mark is at least 0.04 inch high and at most
// 2 inches wide.

constexpr double kRuleMaxHeightPt = 1.5;
constexpr double kRuleMinWidthPt = 2.2 * 72;

struct Matrix {
  double a = 1, b = 0, c = 0, d = 1, e = 0, f = 0;
  // this, then `m` (PDF order: a point goes through this first).
  Matrix Then(const Matrix& m) const {
    return {a * m.a + b * m.c, a * m.b + b * m.d, c * m.a + d * m.c, c * m.b + d * m.d, e * m.a + f * m.c + m.e,
            e * m.b + f * m.d + m.f};
  }
  std::pair<double, double> Apply(double x, double y) const { return {a * x + c * y + e, b * x + d * y + f}; }
};

bool HasType3Font(QPDFObjectHandle resources) {
  if (!resources.isDictionary()) return false;
  QPDFObjectHandle fonts = resources.getKey("/Font");
  if (!fonts.isDictionary()) return false;
  for (const std::string& key : fonts.getKeys()) {
    QPDFObjectHandle font = fonts.getKey(key);
    if (!font.isDictionary()) return true;  // unsure
    QPDFObjectHandle subtype = font.getKey("/Subtype");
    if (!subtype.isName() || subtype.getName() == "/Type3") return true;
  }
  return false;
}

class MarkCounter final : public QPDFObjectHandle::ParserCallbacks {
 public:
  // Counting stops at `enough` marks.
  MarkCounter(QPDFObjectHandle resources, const Matrix& ctm, int enough, int depth, std::set<QPDFObjGen>* forms)
      : resources_(resources), enough_(enough), depth_(depth), forms_(forms) {
    state_.ctm = ctm;
  }

  // At most this many marks besides the text; none when unbounded.
  std::optional<int> marks() const { return unbounded_ ? std::nullopt : std::optional<int>(marks_); }

  void handleObject(QPDFObjectHandle obj) override {
    if (obj.isInlineImage()) return Unbounded();
    if (!obj.isOperator()) {
      operands_.push_back(obj);
      return;
    }
    Operator(obj.getOperatorValue());
    operands_.clear();
  }
  void handleEOF() override {}

  // The marks the content of `stream` (with `resources`, drawn through `ctm`)
  // puts on paper besides its text and rules.
  static std::optional<int> Count(QPDFObjectHandle stream, QPDFObjectHandle resources, const Matrix& ctm,
                                  int enough, int depth, std::set<QPDFObjGen>* forms) {
    if (depth > 8 || HasType3Font(resources)) return std::nullopt;
    MarkCounter counter(resources, ctm, enough, depth, forms);
    QPDFObjectHandle::parseContentStream(stream, &counter);
    return counter.marks();
  }

 private:
  struct State {
    Matrix ctm;
    double line_width = 1;
    bool dashed = false;
  };

  void Unbounded() {
    unbounded_ = true;
    terminateParsing();
  }

  // The numeric operands, if there are exactly `n` of them.
  bool Numbers(size_t n, double* out) {
    if (operands_.size() != n) return false;
    for (size_t k = 0; k < n; ++k) {
      if (!operands_[k].isNumber()) return false;
      out[k] = operands_[k].getNumericValue();
    }
    return true;
  }

  void Point(double x, double y) {
    const auto [px, py] = state_.ctm.Apply(x, y);
    if (!path_) {
      path_ = true;
      stroke_safe_ = true;
      lines_in_subpath_ = 0;
      subpaths_ = 0;
      x0_ = x1_ = px;
      y0_ = y1_ = py;
    } else {
      x0_ = std::min(x0_, px), x1_ = std::max(x1_, px);
      y0_ = std::min(y0_, py), y1_ = std::max(y1_, py);
    }
  }

  // The path ends (painted or not); a clip it sets must be one subpath.
  void EndPath() {
    if (clip_ && subpaths_ > 1) Unbounded();
    clip_ = false;
    path_ = false;
  }

  // A painted path is one mark a subpath, or none when it is a long thin
  // horizontal rule.
  void Paint(bool stroke) {
    if (!path_) return;
    double grow = 0;
    if (stroke) {
      const Matrix& m = state_.ctm;
      const double scale = std::abs(m.a) + std::abs(m.b) + std::abs(m.c) + std::abs(m.d);
      grow = std::max(state_.line_width * scale / 2, 0.5);  // width 0: the thinnest line a device draws
    }
    const double h = y1_ - y0_ + 2 * grow, w = x1_ - x0_ + 2 * grow;
    // A join between two segments may reach out far beyond the line's width
    // (a miter): only single segments and rectangles are rules when stroked.
    const bool rule = (!stroke || stroke_safe_) && h <= kRuleMaxHeightPt && w >= kRuleMinWidthPt;
    const bool dashed = stroke && state_.dashed;
    EndPath();
    if (rule) return;
    if (dashed) return Unbounded();  // a dash is a mark of its own
    Add(std::max(subpaths_, 1));
  }

  void Add(int marks) {
    marks_ += marks;
    if (marks_ >= enough_) terminateParsing();
  }

  void Operator(const std::string& op) {
    double v[6];
    if (op == "q") {
      stack_.push_back(state_);
    } else if (op == "Q") {
      if (!stack_.empty()) {
        state_ = stack_.back();
        stack_.pop_back();
      }
    } else if (op == "cm") {
      if (!Numbers(6, v)) return Unbounded();
      state_.ctm = Matrix{v[0], v[1], v[2], v[3], v[4], v[5]}.Then(state_.ctm);
    } else if (op == "w") {
      if (!Numbers(1, v)) return Unbounded();
      state_.line_width = v[0];
    } else if (op == "d") {
      if (operands_.size() != 2 || !operands_[0].isArray()) return Unbounded();
      state_.dashed = operands_[0].getArrayNItems() > 0;
    } else if (op == "gs") {
      if (!SetGraphicsState()) return Unbounded();
    } else if (op == "m" || op == "l") {
      if (!Numbers(2, v)) return Unbounded();
      Point(v[0], v[1]);
      if (op == "m") {
        lines_in_subpath_ = 0;
        ++subpaths_;
      }
      if (op == "l" && ++lines_in_subpath_ > 1) stroke_safe_ = false;
    } else if (op == "c") {
      if (!Numbers(6, v)) return Unbounded();
      for (int k = 0; k < 6; k += 2) Point(v[k], v[k + 1]);
      stroke_safe_ = false;
    } else if (op == "v" || op == "y") {
      if (!Numbers(4, v)) return Unbounded();
      Point(v[0], v[1]);
      Point(v[2], v[3]);
      stroke_safe_ = false;
    } else if (op == "h") {
      if (lines_in_subpath_ > 0) stroke_safe_ = false;  // a closed line is two segments
    } else if (op == "re") {
      if (!Numbers(4, v)) return Unbounded();
      Point(v[0], v[1]);
      Point(v[0] + v[2], v[1]);
      Point(v[0], v[1] + v[3]);
      Point(v[0] + v[2], v[1] + v[3]);
      ++subpaths_;
    } else if (op == "W" || op == "W*") {
      clip_ = true;
    } else if (op == "n") {
      EndPath();
    } else if (op == "S" || op == "s") {
      Paint(/*stroke=*/true);
    } else if (op == "f" || op == "F" || op == "f*") {
      Paint(/*stroke=*/false);
    } else if (op == "B" || op == "B*" || op == "b" || op == "b*") {
      Paint(/*stroke=*/true);
    } else if (op == "sh" || op == "BI" || op == "ID" || op == "EI") {
      Unbounded();
    } else if (op == "Do") {
      if (operands_.size() != 1 || !operands_[0].isName()) return Unbounded();
      const std::optional<int> form = FormMarks(operands_[0].getName());
      if (!form) return Unbounded();
      Add(*form);
    }
  }

  // gs: the line width and the dash pattern are followed; a state that sets
  // nothing else that matters here (soft masks and the like draw nothing by
  // themselves).
  bool SetGraphicsState() {
    if (operands_.size() != 1 || !operands_[0].isName() || !resources_.isDictionary()) return false;
    QPDFObjectHandle states = resources_.getKey("/ExtGState");
    if (!states.isDictionary()) return false;
    QPDFObjectHandle gs = states.getKey(operands_[0].getName());
    if (!gs.isDictionary()) return false;
    QPDFObjectHandle lw = gs.getKey("/LW");
    if (lw.isNumber()) state_.line_width = lw.getNumericValue();
    if (QPDFObjectHandle dash = gs.getKey("/D"); !dash.isNull()) {
      if (!dash.isArray() || dash.getArrayNItems() < 1 || !dash.getArrayItem(0).isArray()) return false;
      state_.dashed = dash.getArrayItem(0).getArrayNItems() > 0;
    }
    return true;
  }

  std::optional<int> FormMarks(const std::string& name) {
    if (!resources_.isDictionary()) return std::nullopt;
    QPDFObjectHandle xobjects = resources_.getKey("/XObject");
    if (!xobjects.isDictionary()) return std::nullopt;
    QPDFObjectHandle form = xobjects.getKey(name);
    if (!form.isStream()) return std::nullopt;
    QPDFObjectHandle dict = form.getDict();
    QPDFObjectHandle subtype = dict.getKey("/Subtype");
    if (!subtype.isName() || subtype.getName() != "/Form") return std::nullopt;  // an image, or unknown
    Matrix matrix;
    if (QPDFObjectHandle m = dict.getKey("/Matrix"); m.isArray()) {
      double v[6];
      if (m.getArrayNItems() != 6) return std::nullopt;
      for (int k = 0; k < 6; ++k) {
        QPDFObjectHandle item = m.getArrayItem(k);
        if (!item.isNumber()) return std::nullopt;
        v[k] = item.getNumericValue();
      }
      matrix = Matrix{v[0], v[1], v[2], v[3], v[4], v[5]};
    }
    if (!forms_->insert(form.getObjGen()).second) return std::nullopt;  // drawn before in this chain: unsure
    QPDFObjectHandle own = dict.getKey("/Resources");
    const std::optional<int> marks =
        Count(form, own.isDictionary() ? own : resources_, matrix.Then(state_.ctm), enough_ - marks_, depth_ + 1,
              forms_);
    forms_->erase(form.getObjGen());
    return marks;
  }

  QPDFObjectHandle resources_;
  int enough_;
  int depth_;
  std::set<QPDFObjGen>* forms_;
  std::vector<QPDFObjectHandle> operands_;
  State state_;
  std::vector<State> stack_;
  bool path_ = false;
  double x0_ = 0, y0_ = 0, x1_ = 0, y1_ = 0;  // the current path's box on the page
  bool stroke_safe_ = true;                   // single segments and rectangles only
  int lines_in_subpath_ = 0;
  int subpaths_ = 0;  // of the current path
  bool clip_ = false;  // the current path clips (W, W*)
  int marks_ = 0;
  bool unbounded_ = false;
};

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

  std::optional<int> MarksBesidesText(int page_no, int enough) override {
    try {
      if (!qpdf_) {
        qpdf_ = std::make_unique<QPDF>();
        qpdf_->setSuppressWarnings(true);
        qpdf_->setAttemptRecovery(false);
        qpdf_->processMemoryFile("upload", bytes_.data(), bytes_.size());
      }
      if (qpdf_->isEncrypted()) return std::nullopt;
      const std::vector<QPDFObjectHandle>& pages = qpdf_->getAllPages();
      // Poppler and qpdf must agree on the pages.
      if (static_cast<int>(pages.size()) != doc_->pages() || page_no < 1 || page_no > doc_->pages()) return std::nullopt;
      QPDFObjectHandle page = pages[static_cast<size_t>(page_no - 1)];
      // An annotation with an appearance may draw anything.
      QPDFObjectHandle annots = page.getKey("/Annots");
      if (annots.isArray()) {
        for (int k = 0; k < annots.getArrayNItems(); ++k) {
          QPDFObjectHandle annot = annots.getArrayItem(k);
          if (!annot.isDictionary() || annot.hasKey("/AP")) return std::nullopt;
        }
      } else if (!annots.isNull()) {
        return std::nullopt;
      }
      QPDFPageObjectHelper helper(page);
      // Rules are judged upright on the page as drawn.
      if (QPDFObjectHandle rotate = helper.getAttribute("/Rotate", false);
          !rotate.isNull() && !(rotate.isInteger() && rotate.getIntValue() % 360 == 0)) {
        return std::nullopt;
      }
      if (page.hasKey("/UserUnit")) return std::nullopt;
      QPDFObjectHandle resources = helper.getAttribute("/Resources", false);
      if (HasType3Font(resources)) return std::nullopt;
      MarkCounter counter(resources, Matrix{}, enough, 0, &forms_);
      helper.parseContents(&counter);
      if (qpdf_->anyWarnings()) return std::nullopt;
      return counter.marks();
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  Result<PageImage> Render(int page_no, int dpi) override { return RenderPart(page_no, dpi, std::nullopt); }

  Result<PageImage> RenderRegion(int page_no, int dpi, const Box& region) override {
    return RenderPart(page_no, dpi, region);
  }

 private:
  // The whole page, or `region` of it, at `dpi`.
  Result<PageImage> RenderPart(int page_no, int dpi, const std::optional<Box>& region) {
    auto page = OpenPage(page_no);
    if (!page.ok()) return page.error();
    poppler::page& p = **page;
    const auto [width_pt, height_pt] = PageSize(p);
    const long long px = std::llround(width_pt * dpi / 72.0), py = std::llround(height_pt * dpi / 72.0);
    // The region in pixels, within the page.
    int rx = -1, ry = -1, rw = -1, rh = -1;
    if (region) {
      const auto clip = [](double v, long long limit) {
        return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(limit)));
      };
      rx = clip(std::floor(region->x0 * dpi / 72.0), px);
      ry = clip(std::floor(region->y0 * dpi / 72.0), py);
      rw = clip(std::ceil(region->x1 * dpi / 72.0), px) - rx;
      rh = clip(std::ceil(region->y1 * dpi / 72.0), py) - ry;
      if (rw <= 0 || rh <= 0) return Error::Internal("the region to render lies outside page " + std::to_string(page_no));
    }
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
    const poppler::image img = renderer.render_page(&p, dpi, dpi, rx, ry, rw, rh);
    // A row shorter than the width would be read past its end below.
    if (!img.is_valid() || img.width() <= 0 || img.height() <= 0 || img.bytes_per_row() < img.width()) {
      return Error::Unprocessable("page " + std::to_string(page_no) + " could not be rendered");
    }
    PageImage out;
    out.page = page_no;
    out.width = img.width();
    out.height = img.height();
    out.dpi_x = out.dpi_y = dpi;
    if (region) {
      out.origin_x_pt = rx * 72.0 / dpi;
      out.origin_y_pt = ry * 72.0 / dpi;
    }
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
  std::unique_ptr<QPDF> qpdf_;  // for MarksBesidesText, made on first use
  std::set<QPDFObjGen> forms_;
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
