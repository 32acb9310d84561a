// The page stage through the public pipeline: per-page decision, mixed PDFs,
// turned and skewed scans, OCR of German text with boxes in page points.
#include <gtest/gtest.h>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "ocr/pix.h"
#include "ocr_test_util.h"
#include "pactum/extract/document.h"
#include "pactum/extract/extractor.h"
#include "pactum/extract/ocr_engine.h"
#include "pactum/extract/pages.h"
#include "pactum/extract/searchable_pdf.h"
#include "pactum/models/json.h"

namespace pactum::extract {
namespace {

using testing::CorpusFile;
using testing::ReadFile;

bool HaveTools() { return std::string(PACTUM_PDFSEPARATE).find('/') != std::string::npos; }

// Pages `pages` ("FILE:N") of corpus PDFs joined into one PDF, in order.
std::string JoinPages(const testing::TempDir& dir, const std::vector<std::pair<std::string, int>>& pages) {
  std::string unite = std::string(PACTUM_PDFUNITE);
  int k = 0;
  for (const auto& [file, page] : pages) {
    std::string name = "p";
    name.append(std::to_string(k++)).append(".pdf");
    const std::string out = dir / name;
    std::string cmd = PACTUM_PDFSEPARATE;
    cmd.append(" -f ").append(std::to_string(page)).append(" -l ").append(std::to_string(page));
    cmd.append(" '").append(CorpusFile(file)).append("' '").append(out).append("'");
    EXPECT_EQ(testing::Run(cmd), 0) << cmd;
    unite += " '" + out + "'";
  }
  const std::string joined = dir / "joined.pdf";
  EXPECT_EQ(testing::Run(unite + " '" + joined + "'"), 0) << unite;
  return ReadFile(joined);
}

using testing::Pages;
using testing::ReadAll;

std::string Joined(const PageText& page) {
  std::string s;
  for (const Line& l : page.lines) s += l.text + "\n";
  return s;
}

const Word* FindWord(const PageText& page, const std::string& text) {
  for (const Word& w : page.words) {
    if (w.text.find(text) != std::string::npos) return &w;
  }
  return nullptr;
}

TEST(PagesTest, MixedPdfOcrsOnlyTheScannedPage) {
  if (!HaveTools()) GTEST_SKIP() << "pdfseparate/pdfunite not installed";
  testing::TempDir dir;
  const std::string pdf = JoinPages(dir, {{"seed-born-digital.pdf", 1}, {"seed-born-digital.pdf", 2},
                                          {"seed-scan-300-gray.pdf", 4}});
  auto record = Extract(pdf, ExtractOptions{});
  ASSERT_TRUE(record.ok()) << record.error().ToString();
  const DocumentInfo& d = record->document;
  EXPECT_EQ(d.text_source, DocumentTextSource::kMixed);
  ASSERT_EQ(d.page_info.size(), 3u);
  EXPECT_EQ(d.page_info[0].text_source, PageTextSource::kPdfText);
  EXPECT_EQ(d.page_info[0].reason, "text-layer");
  EXPECT_FALSE(d.page_info[0].ocr_mean_confidence.has_value());
  EXPECT_EQ(d.page_info[1].text_source, PageTextSource::kPdfText);
  EXPECT_EQ(d.page_info[2].text_source, PageTextSource::kOcr);
  EXPECT_EQ(d.page_info[2].reason, "no-text-layer");
  ASSERT_TRUE(d.page_info[2].ocr_mean_confidence.has_value());
  EXPECT_GT(*d.page_info[2].ocr_mean_confidence, 0.7);
  ASSERT_TRUE(d.ocr_mean_confidence.has_value());
}

// ocr=always on a born-digital page: the OCR must agree with the page's own
// text, keep German characters, and put each word where the PDF has it.
TEST(PagesTest, OcrAlwaysAgreesWithTheTextLayerInWordsAndBoxes) {
  if (!HaveTools()) GTEST_SKIP() << "pdfseparate/pdfunite not installed";
  testing::TempDir dir;
  const std::string pdf = JoinPages(dir, {{"a01-born-digital.pdf", 2}});
  const PageText layer = testing::PdfTextLayer(pdf, 1);
  ExtractOptions options;
  options.ocr = OcrMode::kAlways;
  Pages p = ReadAll(pdf, MediaType::kPdf, options);
  ASSERT_EQ(p.result.pages.size(), 1u);
  const PageText& ocr = p.result.pages[0];
  EXPECT_EQ(ocr.source, TextSource::kOcr);
  EXPECT_EQ(p.result.page_info[0].reason, "ocr=always");
  EXPECT_NEAR(ocr.width_pt, layer.width_pt, 0.5);
  EXPECT_NEAR(ocr.height_pt, layer.height_pt, 0.5);

  const double f1 = testing::WordF1(testing::WordsOf(ocr), testing::WordsOf(layer));
  std::printf("[ ocr ] a01 page 2 word F1 vs text layer %.3f\n", f1);
  EXPECT_GT(f1, 0.9);

  const std::string text = Joined(ocr);
  for (const char* s : {"\xC3\xA4" /* ä */, "\xC3\xB6" /* ö */, "\xC3\xBC" /* ü */, "\xC3\x9F" /* ß */,
                        "\xC2\xA7" /* § */, "\xE2\x82\xAC" /* € */, "\xE2\x80\x9E" /* „ */}) {
    EXPECT_NE(text.find(s), std::string::npos) << "missing " << s << " in\n" << text;
  }

  // Boxes: words that occur once in both agree within a few points.
  int compared = 0, close = 0;
  for (const Word& w : layer.words) {
    if (w.text.size() < 6) continue;
    int in_layer = 0, in_ocr = 0;
    const Word* match = nullptr;
    for (const Word& x : layer.words) in_layer += x.text == w.text;
    for (const Word& x : ocr.words) {
      if (x.text == w.text) {
        ++in_ocr;
        match = &x;
      }
    }
    if (in_layer != 1 || in_ocr != 1) continue;
    ++compared;
    const double dx = std::abs((w.box.x0 + w.box.x1) / 2 - (match->box.x0 + match->box.x1) / 2);
    const double dy = std::abs((w.box.y0 + w.box.y1) / 2 - (match->box.y0 + match->box.y1) / 2);
    if (dx < 3 && dy < 3) ++close;
  }
  EXPECT_GT(compared, 30);
  EXPECT_GE(close, compared * 9 / 10) << close << " of " << compared;
}

TEST(PagesTest, OcrNeverLeavesAnImageUnreadWithAWarning) {
  const std::string png = ReadFile(CorpusFile("a04-png.png"));
  ExtractOptions options;
  options.ocr = OcrMode::kNever;
  auto record = Extract(png, options);
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->document.page_info.size(), 1u);
  EXPECT_EQ(record->document.page_info[0].reason, "ocr=never (image)");
  ASSERT_EQ(record->warnings.size(), 1u);
  EXPECT_EQ(record->warnings[0].code, "page-not-read");
}

// A page of typed text with a picture of text on part of it (a table or a
// scanned form pasted into an exhibit): only the picture's part is OCRed and
// the typed words stay the text layer's, each word once.
std::string PageWithAPictureOfText(const PageImage& picture, double x, double y, double width) {
  QPDF q;
  q.emptyPDF();
  const double height = width * picture.height / picture.width;
  QPDFObjectHandle image = QPDFObjectHandle::newStream(
      &q, std::string(picture.gray.begin(), picture.gray.end()));
  QPDFObjectHandle dict = image.getDict();
  dict.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
  dict.replaceKey("/Subtype", QPDFObjectHandle::newName("/Image"));
  dict.replaceKey("/Width", QPDFObjectHandle::newInteger(picture.width));
  dict.replaceKey("/Height", QPDFObjectHandle::newInteger(picture.height));
  dict.replaceKey("/ColorSpace", QPDFObjectHandle::newName("/DeviceGray"));
  dict.replaceKey("/BitsPerComponent", QPDFObjectHandle::newInteger(8));
  QPDFObjectHandle font = QPDFObjectHandle::parse("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  QPDFObjectHandle resources = QPDFObjectHandle::newDictionary();
  resources.replaceKey("/Font", QPDFObjectHandle::parse("<< >>"));
  resources.getKey("/Font").replaceKey("/F1", q.makeIndirectObject(font));
  resources.replaceKey("/XObject", QPDFObjectHandle::parse("<< >>"));
  resources.getKey("/XObject").replaceKey("/Im1", q.makeIndirectObject(image));
  // 792 - y - height: the picture's top at `y` points from the page's top.
  const std::string content = "BT /F1 14 Tf 72 760 Td (Exhibit C: Schedule of the parties) Tj ET\n"
                              "BT /F1 9 Tf 72 40 Td (Page 12 of the Exhibit) Tj ET\n"
                              "q " + std::to_string(width) + " 0 0 " + std::to_string(height) + " " +
                              std::to_string(x) + " " + std::to_string(792 - y - height) + " cm /Im1 Do Q\n";
  QPDFObjectHandle page = QPDFObjectHandle::parse("<< /Type /Page /MediaBox [0 0 612 792] >>");
  page.replaceKey("/Resources", resources);
  page.replaceKey("/Contents", QPDFObjectHandle::newStream(&q, content));
  QPDFPageDocumentHelper(q).addPage(QPDFPageObjectHelper(q.makeIndirectObject(page)), false);
  QPDFWriter w(q);
  w.setOutputMemory();
  w.write();
  std::shared_ptr<Buffer> buffer = w.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
}

TEST(PagesTest, OnlyThePictureOfAPageWithATextLayerIsOcred) {
  // The picture: the top of the seed agreement's first page, rendered at 150 dpi.
  const std::string seed = ReadFile(CorpusFile("seed-born-digital.pdf"));
  const PageImage full = testing::RenderPdfPage(seed, 1, 150);
  PageImage picture = full;
  picture.height = full.height * 2 / 5;
  picture.gray.resize(static_cast<size_t>(picture.width) * static_cast<size_t>(picture.height));
  const PageText seed_layer = testing::PdfTextLayer(seed, 1);
  const double seed_h_pt = picture.height * 72.0 / 150;
  const std::vector<std::string> want = testing::WordsIn(seed_layer, Box{0, 0, seed_layer.width_pt, seed_h_pt});
  ASSERT_GT(want.size(), 40u);

  const double x = 60, y = 200, width = 480;  // points; the picture covers about a quarter of the page
  const double height = width * picture.height / picture.width;
  const Box placed{x, y, x + width, y + height};
  Pages p = ReadAll(PageWithAPictureOfText(picture, x, y, width), MediaType::kPdf, ExtractOptions{});
  ASSERT_EQ(p.result.pages.size(), 1u);
  const PageText& page = p.result.pages[0];
  const PageInfo& info = p.result.page_info[0];
  EXPECT_EQ(info.text_source, PageTextSource::kOcr);
  EXPECT_EQ(info.reason.rfind("too-little-text: ", 0), 0u) << info.reason;

  int typed = 0, read = 0;
  std::vector<std::string> got;
  for (const Word& w : page.words) {
    const double cx = (w.box.x0 + w.box.x1) / 2, cy = (w.box.y0 + w.box.y1) / 2;
    if (!w.ocr) {
      ++typed;
      EXPECT_EQ(w.confidence, 1.0) << w.text;
      continue;
    }
    ++read;
    got.push_back(w.text);
    // Every word read lies on the picture, where the page shows it.
    EXPECT_TRUE(cx >= placed.x0 && cx <= placed.x1 && cy >= placed.y0 && cy <= placed.y1)
        << w.text << " at " << cx << "," << cy;
  }
  EXPECT_EQ(typed, 11);  // the caption's and the footer's words, from the text layer
  EXPECT_GT(testing::WordF1(got, want), 0.85) << read << " words read";
  // The typed caption is there once, not again from OCR.
  int exhibit = 0;
  for (const Word& w : page.words) exhibit += w.text == "Exhibit";
  EXPECT_EQ(exhibit, 2);  // caption and footer
  ASSERT_TRUE(info.ocr_mean_confidence.has_value());
  EXPECT_GT(*info.ocr_mean_confidence, 0.8);
  // A word of the picture sits where the picture shows it: "Zielvereinbarung",
  // the seed's title, scaled from the seed page onto the placed picture.
  const Word* title = FindWord(page, "Zielvereinbarung");
  ASSERT_NE(title, nullptr);
  const Word* seed_title = FindWord(seed_layer, "Zielvereinbarung");
  ASSERT_NE(seed_title, nullptr);
  const double scale = width / seed_layer.width_pt;
  EXPECT_NEAR(title->box.x0, x + seed_title->box.x0 * scale, 2.0);
  EXPECT_NEAR(title->box.x1, x + seed_title->box.x1 * scale, 2.0);
  EXPECT_NEAR(title->box.y0, y + seed_title->box.y0 * scale, 2.0);
  EXPECT_NEAR(title->box.y1, y + seed_title->box.y1 * scale, 2.0);

  // Its searchable PDF adds the picture's words and keeps the typed ones once.
  const std::string pdf = PageWithAPictureOfText(picture, x, y, width);
  auto doc = Document::Open(pdf, MediaType::kPdf, Limits{});
  ASSERT_TRUE(doc.ok());
  auto searchable = MakeSearchablePdf(pdf, **doc, p.result.pages, SearchablePdfOptions{});
  ASSERT_TRUE(searchable.ok()) << searchable.error().ToString();
  const PageText out = testing::PdfTextLayer(*searchable, 1);
  int exhibits = 0, titles = 0;
  for (const Word& w : out.words) {
    exhibits += w.text == "Exhibit";
    titles += w.text == "Zielvereinbarung";
  }
  EXPECT_EQ(exhibits, 2);
  EXPECT_EQ(titles, 1);
}

// A picture on a typed page that shows letter-sized marks but no letters
// (rows of small squares): its part is OCRed, nothing is read there, and the
// record says so while the typed words stay.
TEST(PagesTest, APictureWhereOcrReadsNothingIsAWarning) {
  PageImage picture;
  picture.width = 600;
  picture.height = 300;
  picture.gray.assign(static_cast<size_t>(picture.width) * static_cast<size_t>(picture.height), 255);
  for (int r = 0; r < 10; ++r) {
    for (int c = 0; c < 12; ++c) {
      for (int y = 20 + r * 28; y < 34 + r * 28; ++y) {
        for (int x = 20 + c * 48; x < 32 + c * 48; ++x) {
          picture.gray[static_cast<size_t>(y) * static_cast<size_t>(picture.width) + static_cast<size_t>(x)] = 0;
        }
      }
    }
  }
  auto record = Extract(PageWithAPictureOfText(picture, 100, 250, 300), ExtractOptions{});
  ASSERT_TRUE(record.ok()) << record.error().ToString();
  ASSERT_EQ(record->document.page_info.size(), 1u);
  EXPECT_EQ(record->document.page_info[0].reason.rfind("too-little-text: ", 0), 0u)
      << record->document.page_info[0].reason;
  EXPECT_FALSE(record->document.page_info[0].ocr_mean_confidence.has_value());
  ASSERT_EQ(record->warnings.size(), 1u);
  EXPECT_EQ(record->warnings[0].code, "page-part-not-read");
  EXPECT_EQ(record->warnings[0].page, 1);
}

TEST(PagesTest, BornDigitalPagesAreNeverOcredInAuto) {
  const std::string pdf = ReadFile(CorpusFile("c01-born-digital.pdf"));
  auto record = Extract(pdf, ExtractOptions{});
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->document.text_source, DocumentTextSource::kPdfText);
  EXPECT_FALSE(record->document.ocr_mean_confidence.has_value());
}

// Turned and tilted scans, made from the top of a corpus page (bilevel PNG,
// 300 dpi) with Leptonica, run through the image path.
class TurnedScanTest : public ::testing::Test {
 protected:
  static std::string Scan(int quarter_turns, double skew_deg) {
    const std::string png = ReadFile(CorpusFile("a04-png.png"));
    ocr::PixPtr page(pixReadMem(reinterpret_cast<const l_uint8*>(png.data()), png.size()));
    EXPECT_TRUE(page);
    ocr::BoxPtr top(boxCreate(0, 0, pixGetWidth(page.get()), 1100));
    ocr::PixPtr pix(pixClipRectangle(page.get(), top.get(), nullptr));
    if (skew_deg != 0) {
      pix.reset(pixRotate(pix.get(), static_cast<l_float32>(skew_deg * std::numbers::pi / 180), L_ROTATE_SHEAR,
                          L_BRING_IN_WHITE, 0, 0));
    }
    if (quarter_turns != 0) pix.reset(pixRotateOrth(pix.get(), quarter_turns));
    pixSetResolution(pix.get(), 300, 300);
    l_uint8* data = nullptr;
    size_t size = 0;
    EXPECT_EQ(pixWriteMemPng(&data, &size, pix.get(), 0.0f), 0);
    std::string bytes(reinterpret_cast<const char*>(data), size);
    lept_free(data);
    return bytes;
  }
};

TEST_F(TurnedScanTest, QuarterTurnIsReadAndBoxesReferToTheSubmittedImage) {
  Pages p = ReadAll(Scan(1, 0), MediaType::kPng, ExtractOptions{});
  ASSERT_EQ(p.result.pages.size(), 1u);
  const PageText& page = p.result.pages[0];
  EXPECT_NEAR(page.width_pt, 1100 * 72.0 / 300, 0.01);  // the submitted (landscape) image
  EXPECT_NEAR(page.height_pt, 2481 * 72.0 / 300, 0.01);
  const Word* title = FindWord(page, "Zielvereinbarung");
  ASSERT_NE(title, nullptr) << Joined(page);
  // The page top is on the right of a page turned clockwise; the word runs
  // downwards.
  EXPECT_GT(title->box.x0, page.width_pt * 0.6);
  EXPECT_GT(title->box.height(), title->box.width() * 3);
  EXPECT_NE(Joined(page).find("Frankfurt"), std::string::npos) << Joined(page);
}

TEST_F(TurnedScanTest, UpsideDownScanIsRead) {
  Pages p = ReadAll(Scan(2, 0), MediaType::kPng, ExtractOptions{});
  ASSERT_EQ(p.result.pages.size(), 1u);
  const PageText& page = p.result.pages[0];
  const Word* title = FindWord(page, "Zielvereinbarung");
  ASSERT_NE(title, nullptr) << Joined(page);
  EXPECT_GT(title->box.y0, page.height_pt * 0.6);  // the top is now at the bottom
}

TEST_F(TurnedScanTest, SkewedScanIsStraightened) {
  Pages p = ReadAll(Scan(0, 3.0), MediaType::kPng, ExtractOptions{});
  ASSERT_EQ(p.result.pages.size(), 1u);
  const PageText& page = p.result.pages[0];
  const std::string text = Joined(page);
  EXPECT_NE(text.find("Zielvereinbarung"), std::string::npos) << text;
  EXPECT_NE(text.find("Frankfurt"), std::string::npos) << text;
  for (const Word& w : page.words) {
    EXPECT_GE(w.box.x0, 0);
    EXPECT_LE(w.box.x1, page.width_pt);
    EXPECT_LE(w.box.y1, page.height_pt);
  }
}


// A scan with the invisible text layer an OCR tool lays over it (here the
// tesseract command line's PDF output, in its glyph-less font) is OCRed
// again in ocr=auto, as its quality is unknown.
TEST(PagesTest, InvisibleOcrLayerIsOcredAgain) {
  const std::string tesseract = PACTUM_TESSERACT_CLI, pdftoppm = PACTUM_PDFTOPPM;
  if (tesseract.find('/') == std::string::npos || pdftoppm.find('/') == std::string::npos) {
    GTEST_SKIP() << "tesseract or pdftoppm command not installed";
  }
  testing::TempDir dir;
  const std::string png = dir / "page", out = dir / "layered";
  ASSERT_EQ(testing::Run(pdftoppm + " -r 200 -gray -singlefile -png '" + CorpusFile("c01-born-digital.pdf") + "' '" +
                         png + "'"),
            0);
  ASSERT_EQ(testing::Run("OMP_THREAD_LIMIT=1 " + tesseract + " '" + png + ".png' '" + out + "' -l eng pdf >/dev/null 2>&1"), 0);
  const std::string pdf = ReadFile(out + ".pdf");
  ExtractOptions options;
  Pages p = ReadAll(pdf, MediaType::kPdf, options);
  ASSERT_EQ(p.result.page_info.size(), 1u);
  EXPECT_EQ(p.result.page_info[0].text_source, PageTextSource::kOcr);
  EXPECT_EQ(p.result.page_info[0].reason, "invisible-text-layer");
  EXPECT_NE(Joined(p.result.pages[0]).find("Grant"), std::string::npos);

  // With ocr=never the invisible layer is all there is, and it is used.
  options.ocr = OcrMode::kNever;
  Pages q = ReadAll(pdf, MediaType::kPdf, options);
  ASSERT_EQ(q.result.page_info.size(), 1u);
  EXPECT_EQ(q.result.page_info[0].text_source, PageTextSource::kPdfText);
}


// The document's deadline reaches into the engine: recognition of a page
// stops part-way and the extraction ends with kTimeout; the engine is then
// reusable for the next document.
TEST(PagesTest, DeadlineStopsRecognitionOfAPage) {
  const std::string jpeg = ReadFile(CorpusFile("b03-jpeg.jpg"));
  auto pool = CreateOcrEnginePool(1);
  ExtractOptions options;
  options.ocr_engines = pool.get();
  options.limits.deadline = std::chrono::milliseconds(700);
  auto r = Extract(jpeg, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().ToString();

  options.limits.deadline = std::chrono::milliseconds(0);
  auto again = Extract(jpeg, options);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->document.text_source, DocumentTextSource::kOcr);
  EXPECT_FALSE(again->agreement.parties.empty());
}


// ---- Progress, cancellation and partial results of the page stage ---------

// The calls of ExtractOptions::on_page_done, and whether two ever overlapped.
struct ProgressLog {
  std::mutex mu;
  std::vector<std::pair<int, int>> calls;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};

  std::function<void(int, int)> Callback() {
    return [this](int done, int total) {
      if (inside.fetch_add(1) != 0) overlapped = true;
      {
        std::lock_guard<std::mutex> lock(mu);
        calls.emplace_back(done, total);
      }
      inside.fetch_sub(1);
    };
  }
};

TEST(PagesProgressTest, EveryPageIsReportedOnceInOrderUpToNOfN) {
  const std::string pdf = ReadFile(CorpusFile("seed-born-digital.pdf"));
  for (int threads : {1, 3}) {
    ProgressLog log;
    ExtractOptions options;
    options.max_ocr_threads = threads;
    options.on_page_done = log.Callback();
    auto record = Extract(pdf, options);
    ASSERT_TRUE(record.ok()) << record.error().ToString();
    const int n = record->document.pages;
    ASSERT_EQ(n, 4);
    std::vector<std::pair<int, int>> want;
    for (int k = 1; k <= n; ++k) want.emplace_back(k, n);
    EXPECT_EQ(log.calls, want) << threads << " thread(s)";
    EXPECT_FALSE(log.overlapped);
    EXPECT_FALSE(record->partial);
    EXPECT_TRUE(record->missing_pages.empty());
  }
}

TEST(PagesCancelTest, CancelledBeforeThePagesReadsNone) {
  const std::string pdf = ReadFile(CorpusFile("seed-born-digital.pdf"));
  std::atomic<bool> cancel{true};
  ProgressLog log;
  ExtractOptions options;
  options.cancel = &cancel;
  options.on_page_done = log.Callback();
  auto r = Extract(pdf, options);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsCancelled(r.error())) << r.error().ToString();
  EXPECT_TRUE(log.calls.empty());
  // A timeout is not a cancellation.
  EXPECT_FALSE(IsCancelled(Error::Timeout("late")));
}

TEST(PagesCancelTest, CancelBetweenPagesStartsNoFurtherPage) {
  const std::string pdf = ReadFile(CorpusFile("seed-born-digital.pdf"));
  std::atomic<bool> cancel{false};
  int calls = 0;
  ExtractOptions options;
  options.max_ocr_threads = 1;
  options.cancel = &cancel;
  options.on_page_done = [&](int done, int) {
    ++calls;
    if (done == 2) cancel = true;
  };
  auto doc = Document::Open(pdf, MediaType::kPdf, options.limits);
  ASSERT_TRUE(doc.ok());
  auto r = ReadPages(**doc, options);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsCancelled(r.error())) << r.error().ToString();
  EXPECT_EQ(calls, 2);
}

// Cancelled while a scanned page is being recognised: the page loop returns
// soon after, well before the page would have been read.
TEST(PagesCancelTest, CancelStopsTheOcrOfAPageInFlight) {
  const std::string pdf = ReadFile(CorpusFile("seed-scan-300-gray.pdf"));
  auto pool = CreateOcrEnginePool(1);
  std::atomic<bool> cancel{false};
  std::mutex mu;
  std::condition_variable cv;
  int done_pages = 0;
  ExtractOptions options;
  options.max_ocr_threads = 1;
  options.ocr_engines = pool.get();
  options.cancel = &cancel;
  const auto t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point first_page;
  options.on_page_done = [&](int done, int) {
    std::lock_guard<std::mutex> lock(mu);
    if (done == 1) first_page = std::chrono::steady_clock::now();
    done_pages = done;
    cv.notify_all();
  };
  // Page 2 takes as long as page 1 did; cancel it a third of the way in.
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done_pages >= 1; });
    const auto page_time = first_page - t0;
    lock.unlock();
    std::this_thread::sleep_until(first_page + page_time / 3);
    cancelled_at = std::chrono::steady_clock::now();
    cancel = true;
  });
  auto doc = Document::Open(pdf, MediaType::kPdf, options.limits);
  ASSERT_TRUE(doc.ok());
  auto r = ReadPages(**doc, options);
  const auto returned = std::chrono::steady_clock::now();
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsCancelled(r.error())) << r.error().ToString();
  EXPECT_EQ(done_pages, 1);
  const double page_s = std::chrono::duration<double>(first_page - t0).count();
  const double stop_s = std::chrono::duration<double>(returned - cancelled_at).count();
  std::printf("[ cancel ] first page %.2f s, stopped %.3f s after the cancellation\n", page_s, stop_s);
  EXPECT_LT(stop_s, std::max(1.0, page_s / 2));
  // The engine goes back to the pool and reads the next document.
  ExtractOptions again;
  again.ocr_engines = pool.get();
  again.max_ocr_threads = 1;
  EXPECT_TRUE(Extract(ReadFile(CorpusFile("b03-jpeg.jpg")), again).ok());
}

TEST(PagesPartialTest, FieldsComeFromThePagesReadBeforeThePagesDeadline) {
  if (!HaveTools()) GTEST_SKIP() << "pdfseparate/pdfunite not installed";
  const std::string pdf = ReadFile(CorpusFile("seed-born-digital.pdf"));
  const std::chrono::milliseconds deadline(4000);
  ASSERT_EQ(PagesDeadline(deadline), std::chrono::milliseconds(2000));
  ExtractOptions options;
  options.max_ocr_threads = 1;
  options.partial_at_deadline = true;
  options.limits.deadline = deadline;
  const auto t0 = std::chrono::steady_clock::now();
  // Page 2 is the last one read before the page stage's deadline passes.
  options.on_page_done = [&](int done, int) {
    if (done == 2) std::this_thread::sleep_until(t0 + PagesDeadline(deadline) + std::chrono::milliseconds(50));
  };
  auto record = Extract(pdf, options);
  ASSERT_TRUE(record.ok()) << record.error().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, deadline);
  EXPECT_TRUE(record->partial);
  EXPECT_EQ(record->missing_pages, (std::vector<int>{3, 4}));
  EXPECT_EQ(record->document.pages, 4);
  ASSERT_EQ(record->document.page_info.size(), 2u);
  EXPECT_EQ(record->document.page_info[0].page, 1);
  EXPECT_EQ(record->document.page_info[1].page, 2);
  const auto json = ToJson(*record);
  EXPECT_EQ(json["partial"], true);
  EXPECT_EQ(json["missing_pages"], nlohmann::ordered_json::array({3, 4}));

  // The fields are those of a document of just the pages read.
  testing::TempDir dir;
  auto first_two = Extract(JoinPages(dir, {{"seed-born-digital.pdf", 1}, {"seed-born-digital.pdf", 2}}), {});
  ASSERT_TRUE(first_two.ok()) << first_two.error().ToString();
  EXPECT_FALSE(first_two->agreement.parties.empty());
  EXPECT_EQ(ToJson(record->agreement).dump(), ToJson(first_two->agreement).dump());

  // Without the option the same wait costs nothing: every page is read.
  options.partial_at_deadline = false;
  auto full = Extract(pdf, options);
  ASSERT_TRUE(full.ok()) << full.error().ToString();
  EXPECT_FALSE(full->partial);
  EXPECT_EQ(full->document.page_info.size(), 4u);
  EXPECT_FALSE(ToJson(*full).contains("partial"));
  EXPECT_FALSE(ToJson(*full).contains("missing_pages"));
}

// A scanned page in flight when the page stage's deadline passes is
// abandoned: the record leaves it out although it would have been read well
// before the hard deadline.
TEST(PagesPartialTest, APageInFlightAtThePagesDeadlineIsLeftOut) {
  const std::string pdf = ReadFile(CorpusFile("seed-scan-300-gray.pdf"));
  auto pool = CreateOcrEnginePool(1);
  ExtractOptions options;
  options.max_ocr_threads = 1;
  options.ocr_engines = pool.get();
  // How long the first page takes here, with the engine made: the extraction
  // is cancelled once it has been read.
  std::atomic<bool> cancel{false};
  auto t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration page{};
  options.cancel = &cancel;
  options.on_page_done = [&](int, int) {
    page = std::chrono::steady_clock::now() - t0;
    cancel = true;
  };
  ASSERT_TRUE(IsCancelled(Extract(pdf, options).error()));
  options.cancel = nullptr;
  options.on_page_done = nullptr;

  // The page stage ends half way through page 1, which would be read long
  // before the hard deadline.
  const auto pages_time = page / 2;
  options.partial_at_deadline = true;
  options.limits.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(page * 2) + std::chrono::seconds(2);
  t0 = std::chrono::steady_clock::now();
  options.pages_not_after = t0 + pages_time;
  auto record = Extract(pdf, options);
  ASSERT_TRUE(record.ok()) << record.error().ToString();
  const auto took = std::chrono::steady_clock::now() - t0;
  std::printf("[ partial ] first page %.2f s; page stage %.2f s: %zu of 4 pages read in %.2f s\n",
              std::chrono::duration<double>(page).count(), std::chrono::duration<double>(pages_time).count(),
              record->document.page_info.size(), std::chrono::duration<double>(took).count());
  EXPECT_TRUE(record->partial);
  EXPECT_TRUE(record->document.page_info.empty());
  EXPECT_EQ(record->missing_pages, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_TRUE(record->agreement.parties.empty());

  // Without the option: the timeout of before.
  options.partial_at_deadline = false;
  options.pages_not_after.reset();
  options.limits.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(pages_time);
  auto timeout = Extract(pdf, options);
  ASSERT_FALSE(timeout.ok());
  EXPECT_EQ(timeout.error().code, ErrorCode::kTimeout);
  EXPECT_FALSE(IsCancelled(timeout.error()));
}

}  // namespace
}  // namespace pactum::extract
