// Searchable PDF/A-2b output (searchable_pdf.h), written with qpdf.
//
// The text layer of a page is one content stream appended after the page's
// own (which is wrapped in q/Q so that its graphics state cannot leak into
// ours). Word boxes come in the page model's coordinates: PDF points from
// the top-left corner of the page as displayed (crop box, /Rotate applied).
// A `cm` maps them back into the page's user space, so the words land where
// Poppler drew the glyphs that were OCRed, whatever the page's rotation.
//
// The font follows Tesseract's text-only PDF renderer: a Type0 font with
// Identity-H encoding over a CIDFontType2 whose every CID (a UTF-16 code
// unit of the word) maps to glyph 1 of pdf.ttf, an empty glyph 500/1000 em
// wide; /ToUnicode maps each code back to itself (UTF-16 code units of the
// Basic Multilingual Plane; other characters become U+FFFD). A word of n code units set
// at size s with horizontal scaling Tz = 100 * width / (n * s / 2) spans its
// box exactly; with /Ascent 1000 and /Descent -1 a text extractor puts its
// box from the baseline (the box's bottom) up by s (the box's height).
#include "pactum/extract/searchable_pdf.h"

#include <qpdf/Pl_Discard.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFAcroFormDocumentHelper.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>
#include <qpdf/QUtil.hh>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "pactum/models/digest.h"
#include "utf8.h"

namespace pactum::extract {
namespace {

using Obj = QPDFObjectHandle;

constexpr const char* kFontName = "/PactumOcrText";
constexpr const char* kImageName = "/PactumPageImage";

Result<std::string> ReadDataFile(const std::string& path, const char* package) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  if (!in || !(out << in.rdbuf())) {
    return Error::Internal("cannot read " + path + " for the searchable PDF; install Debian's " + package +
                           " package");
  }
  return out.str();
}

// A number for a content stream: fixed point, no exponent.
std::string Num(double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s(buf);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

// The word as UTF-16 code units (BMP only; others become U+FFFD).
std::vector<std::uint16_t> Utf16(std::string_view text) {
  std::vector<std::uint16_t> out;
  for (size_t i = 0; i < text.size();) {
    const auto c = utf8::Next(text, &i);
    out.push_back(c >= 0 && c <= 0xFFFF && (c < 0xD800 || c > 0xDFFF) ? static_cast<std::uint16_t>(c) : 0xFFFD);
  }
  return out;
}

// `page` as its text stands upright (PageText::quarter_turns undone: boxes
// on the turned page, its size swapped for odd turns), and in `cm` the map
// from that frame back onto the page as displayed (both y up).
PageText Upright(const PageText& page, std::string* cm) {
  const double W = page.width_pt, H = page.height_pt;
  const int q = ((page.quarter_turns % 4) + 4) % 4;
  PageText out = page;
  if (q % 2 == 1) std::swap(out.width_pt, out.height_pt);
  auto turn = [&](double x, double y, double* ox, double* oy) {
    switch (q) {
      case 1: *ox = H - y; *oy = x; break;
      case 2: *ox = W - x; *oy = H - y; break;
      case 3: *ox = y; *oy = W - x; break;
      default: *ox = x; *oy = y; break;
    }
  };
  for (Word& w : out.words) {
    double ax, ay, bx, by;
    turn(w.box.x0, w.box.y0, &ax, &ay);
    turn(w.box.x1, w.box.y1, &bx, &by);
    w.box = {std::min(ax, bx), std::min(ay, by), std::max(ax, bx), std::max(ay, by)};
  }
  switch (q) {
    case 1: *cm = "0 1 -1 0 " + Num(W) + " 0"; break;
    case 2: *cm = "-1 0 0 -1 " + Num(W) + " " + Num(H); break;
    case 3: *cm = "0 -1 1 0 0 " + Num(H); break;
    default: *cm = "1 0 0 1 0 0"; break;
  }
  return out;
}

// The text layer of `page_in` (boxes in displayed coordinates: origin
// top-left, y down), preceded by `cm` (displayed, y up -> user space). The
// words are set upright on the page as its text stands (Upright()).
std::string TextLayer(const PageText& page_in, const std::string& cm) {
  std::string turn;
  const PageText page = Upright(page_in, &turn);
  std::string s = "q " + cm + " cm " + turn + " cm\nBT\n3 Tr\n";
  auto put = [&](const Word& w) {
    if (!w.ocr) return;  // the page's own text, kept where only its pictures were OCRed
    const double h = w.box.height(), width = w.box.width();
    const std::vector<std::uint16_t> units = Utf16(w.text);
    if (h <= 0.5 || width <= 0 || units.empty()) return;
    const double tz = 100.0 * width / (static_cast<double>(units.size()) * h * 0.5);
    s += std::string(kFontName) + " " + Num(h) + " Tf " + Num(tz) + " Tz 1 0 0 1 " + Num(w.box.x0) + " " +
         Num(page.height_pt - w.box.y1) + " Tm <";
    static const char* hex = "0123456789ABCDEF";
    for (std::uint16_t u : units) {
      for (int shift : {12, 8, 4, 0}) s += hex[(u >> shift) & 0xF];
    }
    s += "> Tj\n";
  };
  if (!page.lines.empty()) {
    std::vector<bool> done(page.words.size(), false);
    for (const Line& line : page.lines) {
      for (int i : line.words) {
        if (i >= 0 && static_cast<size_t>(i) < page.words.size() && !done[static_cast<size_t>(i)]) {
          done[static_cast<size_t>(i)] = true;
          put(page.words[static_cast<size_t>(i)]);
        }
      }
    }
    for (size_t i = 0; i < page.words.size(); ++i) {
      if (!done[i]) put(page.words[i]);
    }
  } else {
    for (const Word& w : page.words) put(w);
  }
  s += "ET\nQ\n";
  return s;
}

// The glyph-less font, made once per output file.
Obj MakeFont(QPDF& q, const std::string& ttf) {
  Obj file = q.newStream(ttf);
  file.getDict().replaceKey("/Length1", Obj::newInteger(static_cast<long long>(ttf.size())));
  std::string map;
  map.reserve(2 * 65536);
  for (int i = 0; i < 65536; ++i) map += std::string("\x00\x01", 2);
  Obj cid_to_gid = q.newStream(map);
  // Each code to itself, in ranges over the last byte only (as CMaps want
  // them), at most 100 to a block.
  std::string cmap =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  for (int block = 0; block < 256; block += 100) {
    const int n = std::min(100, 256 - block);
    cmap += std::to_string(n) + " beginbfrange\n";
    for (int hi = block; hi < block + n; ++hi) {
      char line[32];
      std::snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi);
      cmap += line;
    }
    cmap += "endbfrange\n";
  }
  cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  Obj to_unicode = q.newStream(cmap);
  Obj descriptor = q.makeIndirectObject(Obj::parse(
      "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [ 0 0 500 1000 ] /ItalicAngle 0 "
      "/Ascent 1000 /Descent -1 /CapHeight 1000 /StemV 80 >>"));
  descriptor.replaceKey("/FontFile2", file);
  Obj cid_font = q.makeIndirectObject(Obj::parse(
      "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont "
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>"));
  cid_font.replaceKey("/FontDescriptor", descriptor);
  cid_font.replaceKey("/CIDToGIDMap", cid_to_gid);
  Obj font = q.makeIndirectObject(
      Obj::parse("<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H >>"));
  font.replaceKey("/DescendantFonts", Obj::newArray({cid_font}));
  font.replaceKey("/ToUnicode", to_unicode);
  return font;
}

// Drops the text a content stream shows in text rendering mode 3
// (invisible): an earlier OCR layer over a page that is OCRed again would
// otherwise be searchable twice. Everything drawn stays as it is; ' and "
// keep their move to the next line. Tr is graphics state, saved by q/Q.
class DropInvisibleText final : public QPDFObjectHandle::TokenFilter {
 public:
  void handleToken(const QPDFTokenizer::Token& token) override {
    if (token.getType() == QPDFTokenizer::tt_eof) return;
    if (token.getType() != QPDFTokenizer::tt_word) {
      pending_.push_back(token);
      return;
    }
    const std::string& op = token.getValue();
    if (op == "q") {
      stack_.push_back(mode_);
    } else if (op == "Q" && !stack_.empty()) {
      mode_ = stack_.back();
      stack_.pop_back();
    } else if (op == "Tr") {
      for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
        if (it->getType() == QPDFTokenizer::tt_integer) {
          mode_ = std::atoi(it->getValue().c_str());
          break;
        }
      }
    } else if (mode_ == 3 && (op == "Tj" || op == "TJ" || op == "'" || op == "\"")) {
      std::vector<QPDFTokenizer::Token> operands;
      for (const auto& t : pending_) {
        if (t.getType() != QPDFTokenizer::tt_space && t.getType() != QPDFTokenizer::tt_comment) operands.push_back(t);
      }
      pending_.clear();
      if (op == "\"" && operands.size() >= 2) {
        writeToken(operands[0]);
        write(" Tw ", 4);
        writeToken(operands[1]);
        write(" Tc", 3);
      }
      if (op == "'" || op == "\"") write(" T*\n", 4);
      return;
    }
    Flush();
    writeToken(token);
  }
  void handleEOF() override { Flush(); }

 private:
  void Flush() {
    for (const auto& t : pending_) writeToken(t);
    pending_.clear();
  }

  std::vector<QPDFTokenizer::Token> pending_;
  std::vector<int> stack_;
  int mode_ = 0;
};

// The form XObjects of `resources` (a direct dictionary of its owner's
// own) replaced by copies without invisible text, `depth` levels down.
void RemoveInvisibleTextInForms(QPDF& q, Obj resources, int depth) {
  if (depth <= 0 || !resources.isDictionary()) return;
  Obj xobjects = resources.getKey("/XObject");
  if (!xobjects.isDictionary()) return;
  xobjects = xobjects.shallowCopy();
  bool changed = false;
  for (const std::string& key : xobjects.getKeys()) {
    Obj x = xobjects.getKey(key);
    if (!x.isStream() || !x.getDict().getKey("/Subtype").isNameAndEquals("/Form")) continue;
    Obj copy = q.makeIndirectObject(x.copyStream());
    copy.addTokenFilter(std::make_shared<DropInvisibleText>());
    Obj inner = copy.getDict().getKey("/Resources");
    if (inner.isDictionary()) {
      inner = inner.shallowCopy();
      copy.getDict().replaceKey("/Resources", inner);
      RemoveInvisibleTextInForms(q, inner, depth - 1);
    }
    xobjects.replaceKey(key, copy);
    changed = true;
  }
  if (changed) resources.replaceKey("/XObject", xobjects);
}

// Removes invisible text from `page`'s content and from the form XObjects
// it draws (copies of them, made this page's own: nothing shared with other
// pages changes).
void RemoveInvisibleText(QPDF& q, QPDFPageObjectHelper& page) {
  page.addContentTokenFilter(std::make_shared<DropInvisibleText>());
  Obj res = page.getAttribute("/Resources", false);
  res = res.isDictionary() ? res.shallowCopy() : Obj::newDictionary();
  page.getObjectHandle().replaceKey("/Resources", res);
  RemoveInvisibleTextInForms(q, res, 3);
}

// `resources` as a direct dictionary of this page alone, with `name` ->
// `value` in its `category` (shared and inherited dictionaries are copied,
// so that no other page changes).
Obj OwnResources(QPDFPageObjectHelper& page, const char* category, const char* name, const Obj& value) {
  Obj res = page.getAttribute("/Resources", false);
  res = res.isDictionary() ? res.shallowCopy() : Obj::newDictionary();
  Obj sub = res.getKey(category);
  sub = sub.isDictionary() ? sub.shallowCopy() : Obj::newDictionary();
  sub.replaceKey(name, value);
  res.replaceKey(category, sub);
  page.getObjectHandle().replaceKey("/Resources", res);
  return res;
}

// The `cm` from displayed coordinates (y up, origin at the bottom-left of
// the page as displayed) to user space of `page`.
std::string DisplayToUser(QPDFPageObjectHelper& page) {
  const QPDFObjectHandle::Rectangle r = page.getCropBox(false, false).getArrayAsRectangle();
  const double x0 = std::min(r.llx, r.urx), y0 = std::min(r.lly, r.ury);
  const double x1 = std::max(r.llx, r.urx), y1 = std::max(r.lly, r.ury);
  long long rotate = 0;
  if (Obj rot = page.getAttribute("/Rotate", false); rot.isInteger()) rotate = ((rot.getIntValue() % 360) + 360) % 360;
  switch (rotate) {
    case 90: return "0 1 -1 0 " + Num(x1) + " " + Num(y0);
    case 180: return "-1 0 0 -1 " + Num(x1) + " " + Num(y1);
    case 270: return "0 -1 1 0 " + Num(x0) + " " + Num(y1);
    default: return "1 0 0 1 " + Num(x0) + " " + Num(y0);
  }
}

// An image page: the image over the whole page, the text layer above it.
Result<bool> AddImagePage(QPDF& q, QPDFPageDocumentHelper& pages, Document& doc, int n, const PageText* text,
                          const Obj& font) {
  auto img = doc.OriginalImage(n);
  if (!img.ok()) return img.error();
  const double w_pt = img->width * 72.0 / img->dpi_x, h_pt = img->height * 72.0 / img->dpi_y;
  Obj image = q.newStream(std::move(img->data));
  Obj dict = image.getDict();
  dict.replaceKey("/Type", Obj::newName("/XObject"));
  dict.replaceKey("/Subtype", Obj::newName("/Image"));
  dict.replaceKey("/Width", Obj::newInteger(img->width));
  dict.replaceKey("/Height", Obj::newInteger(img->height));
  dict.replaceKey("/ColorSpace", Obj::newName(img->components == 3 ? "/DeviceRGB" : "/DeviceGray"));
  dict.replaceKey("/BitsPerComponent", Obj::newInteger(img->bits));
  dict.replaceKey("/Filter", Obj::newName(img->dct ? "/DCTDecode" : "/FlateDecode"));
  std::string content = "q " + Num(w_pt) + " 0 0 " + Num(h_pt) + " 0 0 cm " + kImageName + " Do Q\n";
  if (text != nullptr && !text->words.empty()) {
    PageText scaled = *text;
    scaled.height_pt = h_pt;  // the OCR's page size is the image's
    content += TextLayer(scaled, "1 0 0 1 0 0");
  }
  Obj page = q.makeIndirectObject(Obj::parse("<< /Type /Page >>"));
  page.replaceKey("/MediaBox", Obj::newArray(QPDFObjectHandle::Rectangle(0, 0, w_pt, h_pt)));
  Obj xobjects = Obj::newDictionary();
  xobjects.replaceKey(kImageName, image);
  Obj fonts = Obj::newDictionary();
  fonts.replaceKey(kFontName, font);
  Obj res = Obj::newDictionary();
  res.replaceKey("/XObject", xobjects);
  res.replaceKey("/Font", fonts);
  page.replaceKey("/Resources", res);
  page.replaceKey("/Contents", q.newStream(content));
  pages.addPage(QPDFPageObjectHelper(page), false);
  return true;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

// Spots DeviceCMYK in a content stream: the k and K operators, the colour
// space named in cs/CS or an inline image (/DeviceCMYK, /CMYK).
class CmykSpotter final : public QPDFObjectHandle::TokenFilter {
 public:
  void handleToken(const QPDFTokenizer::Token& token) override {
    if (token.getType() == QPDFTokenizer::tt_word && (token.getValue() == "k" || token.getValue() == "K")) found = true;
    if (token.getType() == QPDFTokenizer::tt_name &&
        (token.getValue() == "/DeviceCMYK" || token.getValue() == "/CMYK")) {
      found = true;
    }
  }
  bool found = false;
};

bool IsCmyk(Obj cs) {
  if (cs.isNameAndEquals("/DeviceCMYK")) return true;
  if (!cs.isArray() || cs.getArrayNItems() < 2) return false;
  Obj family = cs.getArrayItem(0);
  return (family.isNameAndEquals("/Indexed") && cs.getArrayItem(1).isNameAndEquals("/DeviceCMYK")) ||
         family.isNameAndEquals("/DeviceCMYK");
}

// What keeps the pages from PDF/A-2b with an sRGB output intent: a font
// that is not embedded (Type 3 fonts are descriptions, so they count as
// embedded), or DeviceCMYK (content, colour space resources, images), as a
// reason; nullopt when none. /Interpolate true on images, forbidden too, is
// removed on the way (it only asks for smoothing).
std::optional<std::string> PdfABlocker(QPDF& q) {
  std::set<QPDFObjGen> seen;
  Pl_Discard discard;
  for (QPDFPageObjectHelper& page : QPDFPageDocumentHelper(q).getAllPages()) {
    CmykSpotter page_cmyk;
    page.filterContents(&page_cmyk, &discard);
    if (page_cmyk.found) return std::string("a page paints in DeviceCMYK");
    std::vector<Obj> todo;
    Obj res = page.getAttribute("/Resources", false);
    if (res.isDictionary()) todo.push_back(res);
    while (!todo.empty()) {
      Obj r = todo.back();
      todo.pop_back();
      if (Obj fonts = r.getKey("/Font"); fonts.isDictionary()) {
        for (auto item : fonts.ditems()) {
          const std::string& name = item.first;
          Obj f = item.second;
          if (!f.isDictionary()) continue;
          if (f.isIndirect() && !seen.insert(f.getObjGen()).second) continue;
          if (f.getKey("/Subtype").isNameAndEquals("/Type3")) continue;
          Obj fd = f.getKey("/FontDescriptor");
          if (f.getKey("/Subtype").isNameAndEquals("/Type0")) {
            Obj desc = f.getKey("/DescendantFonts");
            if (desc.isArray() && desc.getArrayNItems() > 0) fd = desc.getArrayItem(0).getKey("/FontDescriptor");
          }
          const bool embedded = fd.isDictionary() && (fd.getKey("/FontFile").isStream() ||
                                                      fd.getKey("/FontFile2").isStream() ||
                                                      fd.getKey("/FontFile3").isStream());
          if (!embedded) {
            Obj base = f.getKey("/BaseFont");
            return "font " + (base.isName() ? base.getName() : name) + " is not embedded";
          }
        }
      }
      if (Obj spaces = r.getKey("/ColorSpace"); spaces.isDictionary()) {
        for (auto item : spaces.ditems()) {
          if (IsCmyk(item.second)) return "colour space " + item.first + " is DeviceCMYK";
        }
      }
      if (Obj xobjects = r.getKey("/XObject"); xobjects.isDictionary()) {
        for (auto item : xobjects.ditems()) {
          Obj x = item.second;
          if (!x.isStream()) continue;
          if (x.isIndirect() && !seen.insert(x.getObjGen()).second) continue;
          Obj dict = x.getDict();
          if (dict.getKey("/Subtype").isNameAndEquals("/Image")) {
            if (IsCmyk(dict.getKey("/ColorSpace"))) return "image " + item.first + " is DeviceCMYK";
            if (dict.getKey("/Interpolate").isBool()) dict.removeKey("/Interpolate");
            continue;
          }
          if (!dict.getKey("/Subtype").isNameAndEquals("/Form")) continue;
          CmykSpotter form_cmyk;
          x.filterAsContents(&form_cmyk, &discard);
          if (form_cmyk.found) return "form " + item.first + " paints in DeviceCMYK";
          if (Obj xr = dict.getKey("/Resources"); xr.isDictionary()) todo.push_back(xr);
        }
      }
    }
  }
  return std::nullopt;
}

// Removes what PDF/A forbids at the document level: JavaScript, actions
// run on opening or on events, XFA forms, encryption (qpdf writes none).
void RemoveActive(QPDF& q) {
  Obj root = q.getRoot();
  if (Obj names = root.getKey("/Names"); names.isDictionary()) {
    names = names.shallowCopy();
    names.removeKey("/JavaScript");
    root.replaceKey("/Names", names);
  }
  if (Obj open = root.getKey("/OpenAction"); open.isDictionary()) root.removeKey("/OpenAction");
  root.removeKey("/AA");
  if (Obj form = root.getKey("/AcroForm"); form.isDictionary()) {
    form.removeKey("/XFA");
    form.removeKey("/NeedAppearances");
  }
  root.removeKey("/Perms");
}

// XMP and the document information, with the same title, producer and
// dates; `pdfa`: with the PDF/A-2b identification.
void SetMetadata(QPDF& q, const std::string& title, bool pdfa) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char info_date[32], xmp_date[32];
  std::strftime(info_date, sizeof info_date, "D:%Y%m%d%H%M%S+00'00'", &tm);
  std::strftime(xmp_date, sizeof xmp_date, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  const std::string producer = "pactum";
  std::string xmp =
      "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
      "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
      "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"";
  if (pdfa) xmp += " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"";
  xmp += ">\n<dc:format>application/pdf</dc:format>\n"
         "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" + XmlEscape(title) +
         "</rdf:li></rdf:Alt></dc:title>\n"
         "<xmp:CreateDate>" + std::string(xmp_date) + "</xmp:CreateDate>\n"
         "<xmp:ModifyDate>" + std::string(xmp_date) + "</xmp:ModifyDate>\n"
         "<xmp:MetadataDate>" + std::string(xmp_date) + "</xmp:MetadataDate>\n"
         "<xmp:CreatorTool>" + producer + "</xmp:CreatorTool>\n"
         "<pdf:Producer>" + producer + "</pdf:Producer>\n";
  if (pdfa) xmp += "<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n";
  xmp += "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n";
  xmp += std::string(20, ' ') + "\n<?xpacket end=\"w\"?>";
  Obj meta = q.newStream(xmp);
  meta.getDict().replaceKey("/Type", Obj::newName("/Metadata"));
  meta.getDict().replaceKey("/Subtype", Obj::newName("/XML"));
  q.getRoot().replaceKey("/Metadata", meta);
  Obj info = q.makeIndirectObject(Obj::newDictionary());
  info.replaceKey("/Title", Obj::newUnicodeString(title));
  info.replaceKey("/Producer", Obj::newString(producer));
  info.replaceKey("/Creator", Obj::newString(producer));
  info.replaceKey("/CreationDate", Obj::newString(info_date));
  info.replaceKey("/ModDate", Obj::newString(info_date));
  q.getTrailer().replaceKey("/Info", info);
}

void SetOutputIntent(QPDF& q, const std::string& icc) {
  Obj profile = q.newStream(icc);
  profile.getDict().replaceKey("/N", Obj::newInteger(3));
  Obj intent = Obj::parse(
      "<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) "
      "/Info (sRGB IEC61966-2.1) /RegistryName (http://www.color.org) >>");
  intent.replaceKey("/DestOutputProfile", profile);
  q.getRoot().replaceKey("/OutputIntents", Obj::newArray({q.makeIndirectObject(intent)}));
}

}  // namespace

std::optional<Error> RefuseSignedPdf(std::string_view pdf) {
  if (!pdf.starts_with("%PDF-") && pdf.find("%PDF-") == std::string_view::npos) return std::nullopt;
  int signatures = 0;
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    q.processMemoryFile("document.pdf", pdf.data(), pdf.size());
    QPDFAcroFormDocumentHelper form(q);
    for (QPDFFormFieldObjectHelper& field : form.getFormFields()) {
      if (field.getFieldType() == "/Sig" && field.getValue().isDictionary()) ++signatures;
    }
    if (signatures == 0) {
      if (Obj perms = q.getRoot().getKey("/Perms"); perms.isDictionary() && perms.getKeys().size() > 0) signatures = 1;
    }
  } catch (const std::exception&) {
    return std::nullopt;  // the extraction reports what is wrong with the file
  }
  if (signatures == 0) return std::nullopt;
  return Error{ErrorCode::kConflict,
               "the PDF carries " + std::to_string(signatures) + " digital signature" + (signatures == 1 ? "" : "s") +
                   "; a searchable PDF rewrites the file, which would break " + (signatures == 1 ? "it" : "them") +
                   ", so none is made of a signed PDF (OCR the unsigned original, then sign the result)"};
}

Result<std::string> MakeSearchablePdf(std::string_view bytes, Document& doc, const std::vector<PageText>& pages,
                                      const SearchablePdfOptions& options) {
  auto icc = ReadDataFile(options.icc_profile_path, "icc-profiles-free");
  if (!icc.ok()) return icc.error();
  auto ttf = ReadDataFile(options.font_path, "libtesseract5");
  if (!ttf.ok()) return ttf.error();
  std::map<int, const PageText*> by_page;
  for (const PageText& p : pages) by_page[p.page] = &p;
  const std::string title = options.title.empty() ? "Document" : options.title;
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    bool pdfa = true;
    if (doc.media_type() == MediaType::kPdf) {
      if (auto refused = RefuseSignedPdf(bytes)) return *refused;
      q.processMemoryFile("document.pdf", bytes.data(), bytes.size());
      if (q.isEncrypted()) return Error::Unprocessable("the PDF is encrypted; decrypt it first");
      Obj font = MakeFont(q, *ttf);
      std::vector<QPDFPageObjectHelper> all = QPDFPageDocumentHelper(q).getAllPages();
      for (size_t i = 0; i < all.size(); ++i) {
        auto it = by_page.find(static_cast<int>(i) + 1);
        if (it == by_page.end() || it->second->source != TextSource::kOcr ||
            std::none_of(it->second->words.begin(), it->second->words.end(), [](const Word& w) { return w.ocr; })) continue;
        QPDFPageObjectHelper& page = all[i];
        // A page whose text layer was kept (only a part OCRed) keeps all of it.
        const auto& words = it->second->words;
        if (std::all_of(words.begin(), words.end(), [](const Word& w) { return w.ocr; })) RemoveInvisibleText(q, page);
        OwnResources(page, "/Font", kFontName, font);
        page.addPageContents(q.newStream(std::string("q\n")), true);
        page.addPageContents(q.newStream("Q\n" + TextLayer(*it->second, DisplayToUser(page))), false);
      }
      if (std::optional<std::string> why = PdfABlocker(q)) {
        pdfa = false;
        spdlog::warn("searchable PDF written without the PDF/A identification: {}", *why);
      }
      RemoveActive(q);
    } else {
      q.emptyPDF();
      Obj font = MakeFont(q, *ttf);
      QPDFPageDocumentHelper helper(q);
      for (int n = 1; n <= doc.page_count(); ++n) {
        auto it = by_page.find(n);
        auto added = AddImagePage(q, helper, doc, n, it == by_page.end() ? nullptr : it->second, font);
        if (!added.ok()) return added.error();
      }
    }
    if (pdfa) SetOutputIntent(q, *icc);
    SetMetadata(q, title, pdfa);
    QPDFWriter w(q);
    w.setOutputMemory();
    w.setDecodeLevel(qpdf_dl_generalized);  // LZW and the like re-encoded as Flate (PDF/A)
    w.setCompressStreams(true);
    w.setPreserveEncryption(false);
    w.setMinimumPDFVersion("1.7");
    w.setDeterministicID(true);
    w.write();
    std::shared_ptr<Buffer> buf = w.getBufferSharedPointer();
    return std::string(reinterpret_cast<const char*>(buf->getBuffer()), buf->getSize());
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return Error::Unprocessable(std::string("the searchable PDF could not be written: ") + e.what());
  }
}

}  // namespace pactum::extract
