// Searchable PDF/A output (extract/searchable_pdf.h) on scans of the dev
// corpus, checked with Poppler's pdftotext and qpdf: the words of the OCR
// come back, each within its box; the file passes qpdf --check and says it
// is PDF/A-2b with an sRGB output intent; text-layer pages keep their
// content streams; an earlier invisible layer is replaced; signed PDFs are
// refused.
#include <gtest/gtest.h>
#include <qpdf/Pl_String.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <cmath>
#include <cstring>
#include <iostream>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "ocr_test_util.h"
#include "pactum/extract/document.h"
#include "pactum/extract/pages.h"
#include "pactum/extract/searchable_pdf.h"

namespace pactum::extract {
namespace {

using testing::CorpusFile;
using testing::ReadFile;

// Where a text extractor puts a word of the output may differ from the OCR
// box by rounding (3 decimals in the content stream) and the font's
// descent (1/1000 em): 1 point is a tenth of the height of 10-point type.
constexpr double kBoxTolerancePt = 1.0;

struct SearchableRun {
  testing::Pages read;
  std::string pdf;
};

SearchableRun MakeSearchable(const std::string& bytes, MediaType type) {
  SearchableRun run;
  run.read = testing::ReadAll(bytes, type, ExtractOptions{});
  if (!run.read.doc) return run;
  SearchablePdfOptions po;
  po.title = "Zielvereinbarung <Test> & Co";
  auto pdf = MakeSearchablePdf(bytes, *run.read.doc, run.read.result.pages, po);
  EXPECT_TRUE(pdf.ok()) << pdf.error().ToString();
  if (pdf.ok()) run.pdf = std::move(*pdf);
  return run;
}

struct ExtractedWord {
  int page = 0;
  std::string text;
  Box box;
};

std::string XmlUnescape(std::string s) {
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1)) {
      s.replace(at, std::strlen(from), to);
    }
  }
  return s;
}

// pdftotext -bbox: every word with its page and box (points, top-left).
std::vector<ExtractedWord> PdftotextWords(const testing::TempDir& dir, const std::string& pdf) {
  const std::string in = dir / "searchable.pdf", out = dir / "bbox.html";
  testing::WriteFile(in, pdf);
  EXPECT_EQ(testing::Run(std::string(PACTUM_PDFTOTEXT) + " -bbox '" + in + "' '" + out + "'"), 0);
  static const std::regex kWord(R"re(<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">(.*)</word>)re");
  std::vector<ExtractedWord> words;
  std::istringstream lines(ReadFile(out));
  int page = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("<page ") != std::string::npos) ++page;
    std::smatch m;
    if (!std::regex_search(line, m, kWord)) continue;
    words.push_back({page, XmlUnescape(m[5]), Box{std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])}});
  }
  return words;
}

struct Recovery {
  bool boxes_compared = true;
  int ocr_words = 0;
  int found = 0;     // the same text on the same page
  int in_place = 0;  // ... within kBoxTolerancePt of the OCR box on every side
};

// Matches every OCR word of the OCRed pages against the extracted words
// (each extracted word used once, the nearest of equal text first).
Recovery Compare(const PagesResult& pages, const std::vector<ExtractedWord>& extracted, bool check_boxes) {
  std::map<std::pair<int, std::string>, std::vector<const ExtractedWord*>> by_text;
  for (const ExtractedWord& w : extracted) by_text[{w.page, w.text}].push_back(&w);
  Recovery r;
  r.boxes_compared = check_boxes;
  for (const PageText& page : pages.pages) {
    if (page.source != TextSource::kOcr) continue;
    for (const Word& w : page.words) {
      ++r.ocr_words;
      auto it = by_text.find({page.page, w.text});
      if (it == by_text.end() || it->second.empty()) continue;
      ++r.found;
      auto& candidates = it->second;
      size_t best = 0;
      double best_d = 1e300;
      for (size_t i = 0; i < candidates.size(); ++i) {
        const Box& b = candidates[i]->box;
        const double d = std::max({std::abs(b.x0 - w.box.x0), std::abs(b.x1 - w.box.x1), std::abs(b.y0 - w.box.y0),
                                   std::abs(b.y1 - w.box.y1)});
        if (d < best_d) best_d = d, best = i;
      }
      if (!check_boxes || best_d <= kBoxTolerancePt) ++r.in_place;
      candidates.erase(candidates.begin() + static_cast<long>(best));
    }
  }
  return r;
}

void ExpectRecovered(const Recovery& r, const std::string& what) {
  ASSERT_GT(r.ocr_words, 50) << what;
  const double found = static_cast<double>(r.found) / r.ocr_words;
  const double in_place = static_cast<double>(r.in_place) / r.ocr_words;
  std::cout << "[ figures  ] " << what << ": " << r.ocr_words << " OCR words, " << r.found << " (" << 100 * found
            << " %) recovered by pdftotext";
  if (r.boxes_compared) {
    std::cout << ", " << r.in_place << " (" << 100 * in_place << " %) within " << kBoxTolerancePt
              << " pt of their boxes";
  }
  std::cout << "\n";
  EXPECT_GE(found, 0.95) << what;
  EXPECT_GE(in_place, 0.95) << what;
}

bool QpdfChecks(const testing::TempDir& dir, const std::string& pdf) {
  const std::string path = dir / "check.pdf";
  testing::WriteFile(path, pdf);
  return testing::Run(std::string(PACTUM_QPDF_CLI) + " --check '" + path + "' > /dev/null") == 0;
}

// The PDF/A identification and the output intent, read back with qpdf.
void ExpectPdfA(const std::string& pdf) {
  QPDF q;
  q.processMemoryFile("out.pdf", pdf.data(), pdf.size());
  QPDFObjectHandle root = q.getRoot();
  QPDFObjectHandle meta = root.getKey("/Metadata");
  ASSERT_TRUE(meta.isStream());
  EXPECT_FALSE(meta.getDict().hasKey("/Filter")) << "PDF/A wants the XMP unfiltered";
  auto xmp_data = meta.getStreamData();
  const std::string xmp(reinterpret_cast<const char*>(xmp_data->getBuffer()), xmp_data->getSize());
  EXPECT_NE(xmp.find("<pdfaid:part>2</pdfaid:part>"), std::string::npos) << xmp;
  EXPECT_NE(xmp.find("<pdfaid:conformance>B</pdfaid:conformance>"), std::string::npos) << xmp;
  EXPECT_NE(xmp.find("Zielvereinbarung &lt;Test&gt; &amp; Co"), std::string::npos) << xmp;
  QPDFObjectHandle info = q.getTrailer().getKey("/Info");
  EXPECT_EQ(info.getKey("/Title").getUTF8Value(), "Zielvereinbarung <Test> & Co");
  // The same dates in both.
  const std::string created = info.getKey("/CreationDate").getUTF8Value();  // D:YYYYMMDDHHmmSS+00'00'
  ASSERT_GE(created.size(), 16u);
  const std::string iso = created.substr(2, 4) + "-" + created.substr(6, 2) + "-" + created.substr(8, 2) + "T" +
                          created.substr(10, 2) + ":" + created.substr(12, 2) + ":" + created.substr(14, 2);
  EXPECT_NE(xmp.find("<xmp:CreateDate>" + iso), std::string::npos) << created << "\n" << xmp;
  EXPECT_TRUE(q.getTrailer().getKey("/ID").isArray());
  EXPECT_FALSE(q.getTrailer().hasKey("/Encrypt"));

  QPDFObjectHandle intents = root.getKey("/OutputIntents");
  ASSERT_TRUE(intents.isArray());
  ASSERT_EQ(intents.getArrayNItems(), 1);
  QPDFObjectHandle intent = intents.getArrayItem(0);
  EXPECT_EQ(intent.getKey("/S").getName(), "/GTS_PDFA1");
  QPDFObjectHandle profile = intent.getKey("/DestOutputProfile");
  ASSERT_TRUE(profile.isStream());
  EXPECT_EQ(profile.getDict().getKey("/N").getIntValue(), 3);
  auto data = profile.getStreamData();
  const std::string icc(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
  EXPECT_EQ(icc, ReadFile(kIccProfilePath));
  EXPECT_EQ(icc.substr(16, 4), "RGB ");  // the profile's colour space

  // Every font embedded (the glyph-less font of the text layer).
  for (QPDFPageObjectHelper& page : QPDFPageDocumentHelper(q).getAllPages()) {
    QPDFObjectHandle fonts = page.getAttribute("/Resources", false).getKey("/Font");
    if (!fonts.isDictionary()) continue;
    for (const std::string& key : fonts.getKeys()) {
      QPDFObjectHandle font = fonts.getKey(key);
      QPDFObjectHandle fd = font.getKey("/DescendantFonts").getArrayItem(0).getKey("/FontDescriptor");
      EXPECT_TRUE(fd.getKey("/FontFile2").isStream()) << key;
    }
  }
}

// Each page's content streams, decoded and joined.
std::vector<std::string> PageContents(const std::string& pdf) {
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("in.pdf", pdf.data(), pdf.size());
  std::vector<std::string> out;
  for (QPDFPageObjectHelper& page : QPDFPageDocumentHelper(q).getAllPages()) {
    std::string bytes;
    Pl_String sink("contents", nullptr, bytes);
    page.pipeContents(&sink);
    out.push_back(bytes);
  }
  return out;
}

bool HaveSearchableTools() {
  return std::string(PACTUM_PDFTOTEXT).find('/') != std::string::npos &&
         std::string(PACTUM_QPDF_CLI).find('/') != std::string::npos;
}

TEST(SearchablePdfTest, ScannedPdfGetsItsOcrWordsInTheirBoxesAsPdfA) {
  if (!HaveSearchableTools()) GTEST_SKIP() << "pdftotext or qpdf missing";
  testing::TempDir dir;
  const std::string bytes = ReadFile(CorpusFile("a02-scan-200-bw.pdf"));
  const SearchableRun run = MakeSearchable(bytes, MediaType::kPdf);
  ASSERT_FALSE(run.pdf.empty());
  ASSERT_EQ(run.read.result.pages.size(), 3u);
  for (const PageText& p : run.read.result.pages) EXPECT_EQ(p.source, TextSource::kOcr) << p.page;
  EXPECT_TRUE(QpdfChecks(dir, run.pdf));
  ExpectPdfA(run.pdf);
  ExpectRecovered(Compare(run.read.result, PdftotextWords(dir, run.pdf), true), "a02-scan-200-bw.pdf");
  // The scan's pages stay: same count, the same images drawn first.
  const std::vector<std::string> in = PageContents(bytes), out = PageContents(run.pdf);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].substr(0, 2 + in[i].size()), "q\n" + in[i]) << "page " << i + 1;
    EXPECT_NE(out[i].find("3 Tr"), std::string::npos) << "page " << i + 1;
  }
}

TEST(SearchablePdfTest, ImagesBecomePagesAtTheirResolution) {
  if (!HaveSearchableTools()) GTEST_SKIP() << "pdftotext or qpdf missing";
  struct Case {
    const char* file;
    MediaType type;
  };
  for (const Case& c : {Case{"a04-png.png", MediaType::kPng}, Case{"b03-jpeg.jpg", MediaType::kJpeg}}) {
    SCOPED_TRACE(c.file);
    testing::TempDir dir;
    const std::string bytes = ReadFile(CorpusFile(c.file));
    const SearchableRun run = MakeSearchable(bytes, c.type);
    ASSERT_FALSE(run.pdf.empty());
    EXPECT_TRUE(QpdfChecks(dir, run.pdf));
    ExpectPdfA(run.pdf);
    ExpectRecovered(Compare(run.read.result, PdftotextWords(dir, run.pdf), true), c.file);
    // One page of the image's size in points, showing the image.
    QPDF q;
    q.processMemoryFile("out.pdf", run.pdf.data(), run.pdf.size());
    std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(q).getAllPages();
    ASSERT_EQ(pages.size(), 1u);
    const auto box = pages[0].getMediaBox().getArrayAsRectangle();
    EXPECT_NEAR(box.urx, run.read.result.pages[0].width_pt, 0.01);
    EXPECT_NEAR(box.ury, run.read.result.pages[0].height_pt, 0.01);
    std::map<std::string, QPDFObjectHandle> images = pages[0].getImages();
    ASSERT_EQ(images.size(), 1u);
    QPDFObjectHandle image = images.begin()->second;
    if (c.type == MediaType::kJpeg) {
      // The JPEG as it was.
      EXPECT_EQ(image.getDict().getKey("/Filter").getName(), "/DCTDecode");
      auto raw = image.getRawStreamData();
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(raw->getBuffer()), raw->getSize()), bytes);
    } else {
      // A bilevel PNG: one bit per pixel, 0 black, every pixel as decoded.
      ASSERT_EQ(image.getDict().getKey("/BitsPerComponent").getIntValue(), 1);
      auto rendered = run.read.doc->Render(1, 300);
      ASSERT_TRUE(rendered.ok());
      ASSERT_EQ(image.getDict().getKey("/Width").getIntValue(), rendered->width);
      ASSERT_EQ(image.getDict().getKey("/Height").getIntValue(), rendered->height);
      auto data = image.getStreamData();
      const size_t row = (static_cast<size_t>(rendered->width) + 7) / 8;
      ASSERT_EQ(data->getSize(), row * static_cast<size_t>(rendered->height));
      long long differ = 0;
      for (int y = 0; y < rendered->height; ++y) {
        for (int x = 0; x < rendered->width; ++x) {
          const bool white = (data->getBuffer()[static_cast<size_t>(y) * row + static_cast<size_t>(x / 8)] >> (7 - x % 8)) & 1;
          const bool light = rendered->gray[static_cast<size_t>(y) * static_cast<size_t>(rendered->width) +
                                            static_cast<size_t>(x)] >= 128;
          if (white != light) ++differ;
        }
      }
      EXPECT_EQ(differ, 0);
    }
  }
}

TEST(SearchablePdfTest, TextLayerPagesAreCopiedUnchanged) {
  if (!HaveSearchableTools() || std::string(PACTUM_PDFUNITE).find('/') == std::string::npos) GTEST_SKIP();
  testing::TempDir dir;
  // Born-digital page 1, a scanned page 2.
  const std::string born = dir / "born.pdf", scan = dir / "scan.pdf", mixed = dir / "mixed.pdf";
  ASSERT_EQ(testing::Run(std::string(PACTUM_PDFSEPARATE) + " -f 1 -l 1 '" + CorpusFile("a01-born-digital.pdf") +
                         "' '" + born + "'"),
            0);
  ASSERT_EQ(testing::Run(std::string(PACTUM_PDFSEPARATE) + " -f 1 -l 1 '" + CorpusFile("a06-scan-300-gray.pdf") +
                         "' '" + scan + "'"),
            0);
  ASSERT_EQ(testing::Run(std::string(PACTUM_PDFUNITE) + " '" + born + "' '" + scan + "' '" + mixed + "'"), 0);
  const std::string bytes = ReadFile(mixed);
  const SearchableRun run = MakeSearchable(bytes, MediaType::kPdf);
  ASSERT_FALSE(run.pdf.empty());
  ASSERT_EQ(run.read.result.pages.size(), 2u);
  EXPECT_EQ(run.read.result.pages[0].source, TextSource::kPdfText);
  EXPECT_EQ(run.read.result.pages[1].source, TextSource::kOcr);
  EXPECT_TRUE(QpdfChecks(dir, run.pdf));
  const std::vector<std::string> in = PageContents(bytes), out = PageContents(run.pdf);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], in[0]) << "the born-digital page's content changed";
  EXPECT_NE(out[1], in[1]);
  ExpectRecovered(Compare(run.read.result, PdftotextWords(dir, run.pdf), true), "a01 p1 + a06 p1");
}

TEST(SearchablePdfTest, TurnedScanGetsItsWordsUpright) {
  if (!HaveSearchableTools()) GTEST_SKIP();
  testing::TempDir dir;
  const std::string turned = dir / "turned.pdf";
  ASSERT_EQ(testing::Run(std::string(PACTUM_QPDF_CLI) + " '" + CorpusFile("a02-scan-200-bw.pdf") +
                         "' --pages . 1 -- --rotate=+90 '" + turned + "'"),
            0);
  const SearchableRun run = MakeSearchable(ReadFile(turned), MediaType::kPdf);
  ASSERT_FALSE(run.pdf.empty());
  ASSERT_EQ(run.read.result.pages.size(), 1u);
  // Shown turned a quarter clockwise, it stands upright after three more.
  EXPECT_EQ(run.read.result.pages[0].quarter_turns, 3);
  // Poppler's boxes of a turned page are in its own frame: words only.
  ExpectRecovered(Compare(run.read.result, PdftotextWords(dir, run.pdf), false), "a02 p1 turned");
  // Read as lines: the title comes first, in one piece.
  const std::string txt = dir / "turned.txt", out = dir / "out.pdf";
  testing::WriteFile(out, run.pdf);
  ASSERT_EQ(testing::Run(std::string(PACTUM_PDFTOTEXT) + " '" + out + "' '" + txt + "'"), 0);
  EXPECT_EQ(ReadFile(txt).rfind("Zielvereinbarung 2024", 0), 0u) << ReadFile(txt).substr(0, 200);
}

TEST(SearchablePdfTest, SearchablePdfMadeAgainHasOneTextLayer) {
  if (!HaveSearchableTools()) GTEST_SKIP();
  testing::TempDir dir;
  const SearchableRun first = MakeSearchable(ReadFile(CorpusFile("b02-scan-300-gray.pdf")), MediaType::kPdf);
  ASSERT_FALSE(first.pdf.empty());
  // Its invisible layer is judged and the page OCRed again; the old layer
  // goes, the new one comes: each word once.
  const SearchableRun second = MakeSearchable(first.pdf, MediaType::kPdf);
  ASSERT_FALSE(second.pdf.empty());
  ASSERT_EQ(second.read.result.page_info.size(), 1u);
  EXPECT_EQ(second.read.result.page_info[0].reason, "invisible-text-layer");
  const std::vector<ExtractedWord> words = PdftotextWords(dir, second.pdf);
  const Recovery r = Compare(second.read.result, words, true);
  ExpectRecovered(r, "b02-scan-300-gray.pdf made searchable twice");
  // pdftotext drops text drawn twice in one place, so count what is drawn:
  // one Tj per word of the new layer, none left of the old.
  const std::string contents = PageContents(second.pdf).at(0);
  int shown = 0;
  for (size_t at = contents.find("> Tj"); at != std::string::npos; at = contents.find("> Tj", at + 1)) ++shown;
  EXPECT_LE(shown, r.ocr_words) << "an old text layer is left";
  EXPECT_GE(shown, r.ocr_words * 95 / 100);
  EXPECT_TRUE(QpdfChecks(dir, second.pdf));
}

// A one-page PDF whose page draws `content` (no text), /Interpolate true
// on an image when `image`.
std::string DrawingPdf(const std::string& content, bool image) {
  QPDF q;
  q.emptyPDF();
  QPDFObjectHandle page = q.makeIndirectObject(QPDFObjectHandle::parse(
      "<< /Type /Page /MediaBox [0 0 200 200] /Resources << >> >>"));
  if (image) {
    QPDFObjectHandle img = q.newStream(std::string(4, '\x80'));
    img.replaceDict(QPDFObjectHandle::parse(
        "<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        "/Interpolate true >>"));
    page.getKey("/Resources").replaceKey("/XObject", QPDFObjectHandle::parse("<< >>"));
    page.getKey("/Resources").getKey("/XObject").replaceKey("/Im0", img);
  }
  page.replaceKey("/Contents", q.newStream(content));
  QPDFPageDocumentHelper(q).addPage(QPDFPageObjectHelper(page), false);
  QPDFWriter w(q);
  w.setOutputMemory();
  w.write();
  auto buf = w.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buf->getBuffer()), buf->getSize());
}

TEST(SearchablePdfTest, PdfAIsClaimedOnlyWhereThePagesAllowIt) {
  struct Case {
    std::string content;
    bool image;
    bool pdfa;
  };
  for (const Case& c : {Case{"0.5 g 10 10 100 100 re f", true, true}, Case{"0 0 0 1 k 10 10 100 100 re f", false, false},
                        Case{"/DeviceCMYK cs 0 0 0 1 sc 10 10 100 100 re f", false, false},
                        Case{"q 1 0 0 1 0 0 cm 0 0 1 rg 10 10 50 50 re f Q", false, true}}) {
    SCOPED_TRACE(c.content);
    const std::string bytes = DrawingPdf(c.content, c.image);
    ExtractOptions options;
    auto doc = Document::Open(bytes, MediaType::kPdf, options.limits);
    ASSERT_TRUE(doc.ok()) << doc.error().ToString();
    auto pdf = MakeSearchablePdf(bytes, **doc, {}, {});
    ASSERT_TRUE(pdf.ok()) << pdf.error().ToString();
    EXPECT_EQ(pdf->find("<pdfaid:part>2</pdfaid:part>") != std::string::npos, c.pdfa);
    EXPECT_EQ(pdf->find("/OutputIntents") != std::string::npos, c.pdfa);
    EXPECT_EQ(pdf->find("/Interpolate"), std::string::npos);
    EXPECT_EQ(PageContents(*pdf).at(0), c.content);  // no page OCRed: the content as it was
  }
}

TEST(SearchablePdfTest, SignedPdfIsRefused) {
  const std::string signed_pdf = ReadFile(std::string(PACTUM_CORPUS_DIR) + "/signatures/valid_cades_rsa2048_sha256.pdf");
  std::optional<Error> refused = RefuseSignedPdf(signed_pdf);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, ErrorCode::kConflict);
  EXPECT_NE(refused->message.find("signature"), std::string::npos) << refused->message;
  EXPECT_NE(refused->message.find("break"), std::string::npos) << refused->message;
  EXPECT_FALSE(RefuseSignedPdf(ReadFile(std::string(PACTUM_CORPUS_DIR) + "/signatures/unsigned.pdf")));
  EXPECT_FALSE(RefuseSignedPdf(ReadFile(CorpusFile("a02-scan-200-bw.pdf"))));
  // MakeSearchablePdf itself refuses too, before reading any page.
  ExtractOptions options;
  auto doc = Document::Open(signed_pdf, MediaType::kPdf, options.limits);
  ASSERT_TRUE(doc.ok());
  auto pdf = MakeSearchablePdf(signed_pdf, **doc, {}, {});
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace pactum::extract
