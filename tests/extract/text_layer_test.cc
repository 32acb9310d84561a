// The per-page OCR decision: what a text layer is worth (JudgeTextLayer) and
// what a rendered page shows beyond it (CountUnreadGlyphs), over classes of
// pages built here: real text layers of every shape contracts have (tables of
// amounts, short lines, forms, redactions, codes), and the ways a text layer
// goes wrong (private-use and replacement characters, letters of a wrongly
// mapped font, glyph soup).
#include <gtest/gtest.h>

#include "../pdf_builder.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "pactum/extract/document.h"
#include "pactum/extract/extractor.h"
#include "pactum/extract/page_text.h"

namespace pactum::extract {
namespace {

// A page of `lines`, words laid out left to right, 14 pt apart.
PageText Page(const std::vector<std::string>& lines) {
  PageText p;
  p.page = 1;
  p.width_pt = 612;
  p.height_pt = 792;
  double y = 72;
  for (const std::string& line : lines) {
    double x = 72;
    for (size_t start = 0; start < line.size();) {
      size_t end = line.find(' ', start);
      if (end == std::string::npos) end = line.size();
      if (end > start) {
        const std::string w = line.substr(start, end - start);
        const double width = 5.5 * static_cast<double>(w.size());
        p.words.push_back({w, {x, y, x + width, y + 10}, 1.0, true});
        x += width + 3;
      }
      start = end + 1;
    }
    y += 14;
  }
  return p;
}

// Running contract text, made up here.
std::vector<std::string> Prose() {
  const std::vector<std::string> sentences = {
      "The Supplier shall deliver the goods described in the annex to the premises of the Customer",
      "within fourteen days after receipt of each purchase order and shall bear all costs of transport.",
      "Either party may terminate this agreement by written notice if the other party commits a material",
      "breach of its obligations and does not remedy that breach within thirty days of being notified.",
      "All payments are due within sixty days of the invoice date, without deduction of any discount,",
      "and any amount not paid when due shall bear interest at the statutory rate until it is paid in full.",
      "This agreement is governed by the laws of the place where the Customer has its registered office.",
  };
  std::vector<std::string> out;
  for (int i = 0; i < 3; ++i) out.insert(out.end(), sentences.begin(), sentences.end());
  return out;
}

// Each ASCII letter moved `shift` places along the alphabet: what a font with
// a wrong encoding gives.
std::string Shift(const std::string& s, int shift) {
  std::string out = s;
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + shift) % 26);
    if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + shift) % 26);
  }
  return out;
}

std::vector<std::string> Map(const std::vector<std::string>& lines, std::string (*f)(const std::string&)) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(f(l));
  return out;
}

std::string Verdict(const PageText& p) {
  std::string reason;
  JudgeTextLayer(p, &reason);
  return reason;
}

// ---- Real text layers are kept ------------------------------------------------

TEST(TextLayerTest, RunningTextIsText) {
  EXPECT_EQ(JudgeTextLayer(Page(Prose())), TextLayerQuality::kText) << Verdict(Page(Prose()));
  std::vector<std::string> upper;
  for (std::string l : Prose()) {
    for (char& c : l) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    upper.push_back(l);
  }
  EXPECT_EQ(JudgeTextLayer(Page(upper)), TextLayerQuality::kText) << Verdict(Page(upper));
  const PageText german = Page({
      "Der Auftragnehmer erbringt die Leistungen nach Maßgabe der Anlage und übergibt die Ergebnisse",
      "spätestens zum vereinbarten Termin. Die Vergütung wird dreißig Tage nach Eingang der Rechnung fällig.",
      "Änderungen und Ergänzungen dieses Vertrages bedürfen der Schriftform; dies gilt auch für den Verzicht",
      "auf das Schriftformerfordernis. Gerichtsstand ist der Sitz des Auftraggebers, soweit gesetzlich zulässig.",
  });
  EXPECT_EQ(JudgeTextLayer(german), TextLayerQuality::kText) << Verdict(german);
}

TEST(TextLayerTest, TableOfAmountsIsText) {
  std::vector<std::string> rows = {"Year Quarter Fee Adjustment Rate Total"};
  for (int i = 1; i <= 40; ++i) {
    char row[160];
    std::snprintf(row, sizeof row, "%d Q%d $ %d,%03d.%02d (%d,%03d) %d.%02d %% $%d,%03d,%03d", 2000 + i, 1 + i % 4,
                  i * 7, (i * 131) % 1000, i % 100, i, (i * 17) % 1000, i % 9, (i * 3) % 100, i, (i * 77) % 1000,
                  (i * 911) % 1000);
    rows.push_back(row);
  }
  rows.push_back("— — — —");
  EXPECT_EQ(JudgeTextLayer(Page(rows)), TextLayerQuality::kText) << Verdict(Page(rows));
}

TEST(TextLayerTest, PageOfNumbersIsText) {
  std::vector<std::string> rows;
  for (int i = 0; i < 60; ++i) rows.push_back(std::to_string(1000 + i * 37) + " " + std::to_string(i * i));
  EXPECT_EQ(JudgeTextLayer(Page(rows)), TextLayerQuality::kText) << Verdict(Page(rows));
}

TEST(TextLayerTest, TableOfCodesAndAbbreviationsIsText) {
  std::vector<std::string> rows = {"Site Unit Serial No. Rating Status"};
  for (int i = 0; i < 40; ++i) {
    rows.push_back("XKT-4410-" + std::to_string(20 + i) + "-RB HQ-" + std::to_string(i % 7) + " 1.5kW NA TBC " +
                   (i % 2 ? "Mfr" : "Qty"));
  }
  EXPECT_EQ(JudgeTextLayer(Page(rows)), TextLayerQuality::kText) << Verdict(Page(rows));
}

TEST(TextLayerTest, PageOfShortLinesIsText) {
  std::vector<std::string> lines;
  const char* items[] = {"Article", "Definitions", "(a)", "Term;", "(b)", "Territory;", "Schedule", "Annex",
                         "Price", "Notice", "Section 4.2(b)(iii)", "U.S.", "d/b/a", "e-mail", "Inc.", "No."};
  for (int i = 0; i < 48; ++i) lines.push_back(std::string(items[i % 16]) + " " + std::to_string(i + 1));
  EXPECT_EQ(JudgeTextLayer(Page(lines)), TextLayerQuality::kText) << Verdict(Page(lines));
}

TEST(TextLayerTest, FormOfRulesAndLabelsIsRealText) {
  std::vector<std::string> lines;
  for (const char* party : {"SUPPLIER", "CUSTOMER", "GUARANTOR"}) {
    lines.push_back(party);
    lines.push_back("By: ______________________________");
    lines.push_back("Name: ____________________________");
    lines.push_back("Title: ___________________________");
    lines.push_back("Date: ____ / ____ / ________");
    lines.push_back("[ ] approved [ ] rejected ..................");
  }
  const PageText form = Page(lines);
  std::string reason;
  EXPECT_TRUE(HasUsableTextLayer(form, &reason)) << reason;
  EXPECT_EQ(JudgeTextLayer(form), TextLayerQuality::kSparse);  // little text: the page is glanced at
}

TEST(TextLayerTest, RedactedPageIsRealText) {
  std::vector<std::string> lines = {"Exhibit C", "Development Plan"};
  for (int i = 0; i < 30; ++i) lines.push_back(i % 3 ? "[***]" : std::to_string(i) + ". [\xE2\x80\xA6***\xE2\x80\xA6]");
  lines.push_back("*** Confidential treatment requested; omitted portions filed separately.");
  lines.push_back("- 42 -");
  std::string reason;
  EXPECT_TRUE(HasUsableTextLayer(Page(lines), &reason)) << reason;
  std::vector<std::string> only_marks(40, "[*****] [*****]");
  EXPECT_TRUE(HasUsableTextLayer(Page(only_marks), &reason)) << reason;
}

TEST(TextLayerTest, FewWordsAreSparse) {
  const PageText p = Page({"EXHIBIT A", "- 17 -"});
  std::string reason;
  EXPECT_EQ(JudgeTextLayer(p, &reason), TextLayerQuality::kSparse);
  EXPECT_EQ(reason, "sparse-text-layer");
  EXPECT_TRUE(HasUsableTextLayer(p));
}

TEST(TextLayerTest, NoCharactersIsNoTextLayer) {
  std::string reason;
  EXPECT_EQ(JudgeTextLayer(PageText{}, &reason), TextLayerQuality::kNone);
  EXPECT_EQ(reason, "no-text-layer");
  EXPECT_FALSE(HasUsableTextLayer(PageText{}));
}

TEST(TextLayerTest, InvisibleLayerIsOcredAgain) {
  PageText p = Page(Prose());
  for (Word& w : p.words) w.invisible = true;
  EXPECT_EQ(JudgeTextLayer(p), TextLayerQuality::kInvisible);
}

// ---- Broken text layers are OCRed -----------------------------------------------

TEST(TextLayerTest, PrivateUseCharactersAreGarbage) {
  // Every glyph in the private use area, as a symbol font or an unmapped
  // font gives.
  auto pua = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == ' ') {
        out += ' ';
        continue;
      }
      const unsigned cp = 0xF000u + static_cast<unsigned char>(c);
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
  };
  std::vector<std::string> lines;
  for (const auto& l : Prose()) lines.push_back(pua(l));
  std::string reason;
  EXPECT_EQ(JudgeTextLayer(Page(lines), &reason), TextLayerQuality::kGarbage);
  EXPECT_NE(reason.find("garbage-text-layer"), std::string::npos) << reason;
  // One line of them on a sparse page too.
  EXPECT_EQ(JudgeTextLayer(Page({pua("Signature")})), TextLayerQuality::kGarbage);
}

TEST(TextLayerTest, ReplacementCharactersAreGarbage) {
  std::vector<std::string> lines;
  for (std::string l : Prose()) {
    std::string out;
    for (size_t i = 0; i < l.size(); ++i) {
      out += (l[i] != ' ' && i % 3 == 0) ? std::string("\xEF\xBF\xBD") : l.substr(i, 1);
    }
    lines.push_back(out);
  }
  EXPECT_EQ(JudgeTextLayer(Page(lines)), TextLayerQuality::kGarbage) << Verdict(Page(lines));
  PageText symbols;
  symbols.words.push_back({"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", {50, 50, 80, 61}, 1.0, true});
  symbols.words.push_back({"^^^", {90, 50, 110, 61}, 1.0, true});
  symbols.words.push_back({"~~~~", {120, 50, 150, 61}, 1.0, true});
  EXPECT_EQ(JudgeTextLayer(symbols), TextLayerQuality::kGarbage) << Verdict(symbols);
}

TEST(TextLayerTest, ShiftedLettersAreGarbage) {
  // The same prose through a font whose codes are off by one and by three
  // letters, and off by 29 codes (a TrueType font read by glyph index).
  for (int shift : {1, 3, 11}) {
    std::vector<std::string> lines;
    for (const auto& l : Prose()) lines.push_back(Shift(l, shift));
    EXPECT_EQ(JudgeTextLayer(Page(lines)), TextLayerQuality::kGarbage) << shift << ": " << Verdict(Page(lines));
  }
  std::vector<std::string> lines = Map(Prose(), [](const std::string& s) {
    std::string out = s;
    for (char& c : out) {
      if (c != ' ' && c - 29 > ' ') c = static_cast<char>(c - 29);
    }
    return out;
  });
  EXPECT_EQ(JudgeTextLayer(Page(lines)), TextLayerQuality::kGarbage) << Verdict(Page(lines));
}

TEST(TextLayerTest, ConsonantStringsAreGarbage) {
  const std::string consonants = "bcdfghjklmnpqrstvwxz";
  std::vector<std::string> lines;
  unsigned seed = 12345;
  for (int l = 0; l < 25; ++l) {
    std::string line;
    for (int w = 0; w < 9; ++w) {
      const int len = 4 + w % 5;
      for (int k = 0; k < len; ++k) {
        seed = seed * 1103515245u + 12345u;
        line += consonants[(seed >> 16) % consonants.size()];
      }
      line += ' ';
    }
    lines.push_back(line);
  }
  EXPECT_EQ(JudgeTextLayer(Page(lines)), TextLayerQuality::kGarbage) << Verdict(Page(lines));
}

TEST(TextLayerTest, GlyphSoupIsGarbage) {
  // A subset font without a Unicode map whose glyphs were numbered in order
  // of use from '!': punctuation, digits and a few capitals.
  std::vector<std::string> lines;
  std::string seen;
  for (const auto& l : Prose()) {
    std::string out;
    for (char c : l) {
      if (c == ' ') {
        out += ' ';
        continue;
      }
      size_t k = seen.find(c);
      if (k == std::string::npos) {
        k = seen.size();
        seen += c;
      }
      out += static_cast<char>('!' + k);
    }
    lines.push_back(out);
  }
  EXPECT_EQ(JudgeTextLayer(Page(lines)), TextLayerQuality::kGarbage) << Verdict(Page(lines));

  // Words whose letters jump between scripts and cases.
  std::vector<std::string> mixed;
  // Latin with Cyrillic, Greek and Han letters; case turning at every letter.
  for (int i = 0; i < 30; ++i) mixed.push_back("aB\u0416cD x\u03A3yZ QwErTy m\u4E00n");
  EXPECT_EQ(JudgeTextLayer(Page(mixed)), TextLayerQuality::kGarbage) << Verdict(Page(mixed));
}

// ---- What the rendered page shows beyond the text layer ---------------------

PageImage White(int width, int height, int dpi) {
  PageImage img;
  img.page = 1;
  img.width = width;
  img.height = height;
  img.dpi_x = img.dpi_y = dpi;
  img.gray.assign(static_cast<size_t>(width) * static_cast<size_t>(height), 255);
  return img;
}

void Fill(PageImage* img, int x0, int y0, int x1, int y1, std::uint8_t v = 0) {
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) img->gray[static_cast<size_t>(y * img->width + x)] = v;
  }
}

// A letter-size page at 100 dpi with 30 rows of 12 letter-sized marks from
// (100, 100), 8 px high, 30 px apart.
PageImage RowsOfGlyphs() {
  PageImage img = White(850, 1100, 100);
  for (int r = 0; r < 30; ++r) {
    for (int c = 0; c < 12; ++c) Fill(&img, 100 + c * 50, 100 + r * 30, 100 + c * 50 + 6 + c % 3 * 4, 108 + r * 30);
  }
  return img;
}

TEST(UnreadGlyphsTest, BlankPageShowsNothing) {
  EXPECT_EQ(CountUnreadGlyphs(PageText{}, White(850, 1100, 100)), 0);
}

TEST(UnreadGlyphsTest, GlyphsOutsideTheTextLayerAreUnread) {
  EXPECT_EQ(CountUnreadGlyphs(PageText{}, RowsOfGlyphs()), 360);
  // A caption in the text layer does not change that.
  EXPECT_GE(CountUnreadGlyphs(Page({"Exhibit B"}), RowsOfGlyphs()), 350);
}

TEST(UnreadGlyphsTest, GlyphsUnderWordBoxesAreRead) {
  PageText p;
  // One word per row over its marks: 100..700 px = 72..504 pt across, rows
  // 100 + 30 r px = 72 + 21.6 r pt down, 8 px = 5.76 pt high.
  for (int r = 0; r < 30; ++r) {
    const double y = 72 + 21.6 * r;
    p.words.push_back({"word", {72, y, 504, y + 5.76}, 1.0, true});
  }
  EXPECT_EQ(CountUnreadGlyphs(p, RowsOfGlyphs()), 0);
}

TEST(UnreadGlyphsTest, RulesBordersPicturesAndDustAreNotGlyphs) {
  PageImage img = White(850, 1100, 100);
  Fill(&img, 50, 50, 800, 52);      // a rule across the page
  Fill(&img, 50, 50, 52, 1050);     // a border down it
  Fill(&img, 100, 200, 700, 500);   // a photograph
  Fill(&img, 100, 600, 700, 900, 120);  // a grey box
  for (int k = 0; k < 50; ++k) Fill(&img, 100 + 13 * k, 1000, 101 + 13 * k, 1001);  // dust
  for (int k = 0; k < 20; ++k) Fill(&img, 100 + 30 * k, 950, 110 + 30 * k, 951);    // a dotted line
  EXPECT_EQ(CountUnreadGlyphs(PageText{}, img), 0);
}

// ---- Through a PDF -------------------------------------------------------------

// A one-page PDF (US letter) with `content` as its page's content stream and
// Helvetica as /F1.
std::string OnePagePdf(const std::string& content) {
  return BuildPdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
  });
}

const PageInfo& OnlyPage(const AgreementRecord& r) { return r.document.page_info.at(0); }

TEST(TextLayerPdfTest, BlankPageIsNotOcred) {
  auto record = Extract(OnePagePdf(""), ExtractOptions{});
  ASSERT_TRUE(record.ok()) << record.error().ToString();
  EXPECT_EQ(OnlyPage(*record).text_source, PageTextSource::kPdfText);
  EXPECT_EQ(OnlyPage(*record).reason, "blank-page");
  bool page_empty = false;
  for (const Warning& w : record->warnings) page_empty |= w.code == "page-empty" && w.page == 1;
  EXPECT_TRUE(page_empty);
}

TEST(TextLayerPdfTest, CoverPageWithRulesIsNotOcred) {
  const std::string content =
      "BT /F1 24 Tf 220 600 Td (EXHIBIT A) Tj ET\n"
      "BT /F1 11 Tf 72 500 Td (Signed: ____________________) Tj ET\n"
      "2 w 72 700 m 540 700 l S 72 60 m 540 60 l S 36 36 540 720 re S\n";
  auto record = Extract(OnePagePdf(content), ExtractOptions{});
  ASSERT_TRUE(record.ok()) << record.error().ToString();
  EXPECT_EQ(OnlyPage(*record).text_source, PageTextSource::kPdfText);
  EXPECT_EQ(OnlyPage(*record).reason, "sparse-text-layer");
}

TEST(TextLayerPdfTest, PictureOfTextUnderACaptionIsSeen) {
  // A caption over rows of letter-sized marks drawn as paths: what a table
  // pasted as a picture shows. The decision (without running OCR here).
  std::string content = "BT /F1 12 Tf 72 740 Td (Schedule 2) Tj ET\n0 g\n";
  for (int r = 0; r < 25; ++r) {
    for (int c = 0; c < 12; ++c) {
      content += std::to_string(72 + c * 38) + " " + std::to_string(700 - r * 24) + " " +
                 std::to_string(5 + c % 3 * 3) + " 7 re f\n";
    }
  }
  const std::string pdf = OnePagePdf(content);
  auto doc = Document::Open(pdf, MediaType::kPdf, Limits{});
  ASSERT_TRUE(doc.ok()) << doc.error().ToString();
  auto layer = (*doc)->TextLayer(1);
  ASSERT_TRUE(layer.ok());
  EXPECT_EQ(JudgeTextLayer(*layer), TextLayerQuality::kSparse);
  auto glance = (*doc)->Render(1, 100);
  ASSERT_TRUE(glance.ok());
  EXPECT_GE(CountUnreadGlyphs(*layer, *glance), 250);
  // The caption itself is read, not counted.
  const std::string caption_pdf = OnePagePdf("BT /F1 12 Tf 72 740 Td (Schedule 2) Tj ET\n");
  auto caption_only = Document::Open(caption_pdf, MediaType::kPdf, Limits{});
  ASSERT_TRUE(caption_only.ok());
  auto caption_layer = (*caption_only)->TextLayer(1);
  auto caption_glance = (*caption_only)->Render(1, 100);
  ASSERT_TRUE(caption_layer.ok() && caption_glance.ok());
  EXPECT_EQ(CountUnreadGlyphs(*caption_layer, *caption_glance), 0);
}

// ---- What a page draws besides its text -----------------------------------------

std::optional<int> Marks(const std::string& pdf, int enough = 1000) {
  auto doc = Document::Open(pdf, MediaType::kPdf, Limits{});
  EXPECT_TRUE(doc.ok());
  if (!doc.ok()) return -1;
  return (*doc)->MarksBesidesText(1, enough);
}

const std::string kCaption = "BT /F1 12 Tf 72 740 Td (Schedule 2) Tj ET\n";

TEST(MarksBesidesTextTest, TextAndLongThinRulesMakeNone) {
  EXPECT_EQ(Marks(OnePagePdf(kCaption)), 0);
  EXPECT_EQ(Marks(OnePagePdf("")), 0);
  // Header rules: a stroked line and a filled hairline box, 2.2 inches and more.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + ".5 w 72 730 m 540 730 l S\n72 60 468 0.8 re f\n")), 0);
  // Placed by the transformation matrix: 100 units at twice the size.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + "q 2 0 0 2 72 700 cm 0.2 w 0 0 m 100 0 l S Q\n")), 0);
  // A clipping path of one subpath draws nothing.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + "72 72 300 300 re W n\n")), 0);
  // A line width of 0 is the thinnest line a device draws: a long one is a rule.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + "0 w 72 700 m 540 700 l S\n")), 0);
  // A dashed rule is dashes of a rule: none of them letter-sized.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + "[3 2] 0 d .5 w 72 730 m 540 730 l S\n")), 0);
}

TEST(MarksBesidesTextTest, EveryOtherPaintedSubpathIsAMark) {
  const std::vector<std::string> one_mark = {
      ".5 w 72 730 m 150 730 l S\n",              // a short rule: a letter-sized mark, maybe
      "72 700 468 3 re f\n",                      // a thick bar
      "100 100 10 10 re f\n",                     // a box
      "72 700 m 300 700 l 540 701 l S\n",         // a polyline: its joins may reach out
      "72 700 m 200 700 300 700 540 700 c S\n",    // a curve
      "q 1 0 0 10 0 0 cm 0.5 w 72 70 m 540 70 l S Q\n",  // a rule made tall by the matrix
      "[3 2] 0 d 72 700 m 200 700 300 700 540 700 c [] 0 d S\n",  // dashes ended before the stroke
  };
  for (const auto& mark : one_mark) EXPECT_EQ(Marks(OnePagePdf(kCaption + mark)), 1) << mark;
  // A drawn signature: a few long strokes, however many segments each.
  std::string signature = "1.1 w\n";
  for (int k = 0; k < 5; ++k) {
    signature += std::to_string(72 + k * 20) + " 100 m";
    for (int s = 0; s < 60; ++s) {
      signature += ' ';
      signature += std::to_string(72 + k * 20 + s % 7);
      signature += ' ';
      signature += std::to_string(100 + s);
      signature += " l";
    }
    signature += " S\n";
  }
  EXPECT_EQ(Marks(OnePagePdf(kCaption + signature)), 5);
  // One path of three subpaths, filled and then stroked again: a mark each time.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + "10 10 5 5 re 30 10 5 5 re 50 10 m 55 15 l 60 10 l h f "
                             "10 10 5 5 re 30 10 5 5 re 50 10 m 55 15 l 60 10 l h S\n")), 6);
  // Rows of letter-sized boxes (a picture of text drawn with paths): one each.
  std::string rows;
  for (int k = 0; k < 48; ++k) {
    rows += std::to_string(72 + k % 12 * 38);
    rows += ' ';
    rows += std::to_string(700 - k / 12 * 24);
    rows += " 6 7 re f\n";
  }
  EXPECT_EQ(Marks(OnePagePdf(kCaption + rows)), 48);
  // Counting stops once there are enough.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + rows), 40), 40);
}

// A page whose XObjects, fonts, annotations or rotation could hide marks.
std::string PageWith(const std::string& content, const std::string& page_extra, const std::string& resources_extra,
                     const std::vector<std::string>& more_objects) {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> " + resources_extra +
          " >> /Contents 5 0 R " + page_extra + " >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
  };
  objects.insert(objects.end(), more_objects.begin(), more_objects.end());
  return BuildPdf(objects);
}

std::string Stream(const std::string& dict, const std::string& data) {
  return "<< " + dict + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
}

TEST(MarksBesidesTextTest, DashesAndCuttingClipsAreUnbounded) {
  // A dashed curve is as many marks as dashes, set directly or by a graphics state.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + "[3 2] 0 d 72 700 m 200 710 300 690 540 700 c S\n")), std::nullopt);
  EXPECT_EQ(Marks(PageWith(kCaption + "/G1 gs 72 700 m 200 710 300 690 540 700 c S\n", "",
                           "/ExtGState << /G1 << /D [[4 4] 0] >> >>", {})),
            std::nullopt);
  // Outlines of many shapes as a clip cut one fill into as many pieces.
  EXPECT_EQ(Marks(OnePagePdf(kCaption + "10 10 5 5 re 30 10 5 5 re W n 0 0 612 792 re f\n")), std::nullopt);
}

TEST(MarksBesidesTextTest, FormsImagesFontsAnnotationsAndRotation) {
  const std::string rule_form = Stream("/Type /XObject /Subtype /Form /BBox [0 0 300 10] /Matrix [2 0 0 2 72 700]",
                                       "0.2 w 0 0 m 100 0 l S BT /F1 9 Tf 0 2 Td (x) Tj ET");
  EXPECT_EQ(Marks(PageWith(kCaption + "/X1 Do\n", "", "/XObject << /X1 6 0 R >>", {rule_form})), 0);
  const std::string box_form = Stream("/Type /XObject /Subtype /Form /BBox [0 0 300 300]", "10 10 20 20 re f");
  EXPECT_EQ(Marks(PageWith(kCaption + "/X1 Do\n", "", "/XObject << /X1 6 0 R >>", {box_form})), 1);
  EXPECT_EQ(Marks(PageWith(kCaption + "/X1 Do q 1 0 0 1 100 0 cm /X1 Do Q\n", "", "/XObject << /X1 6 0 R >>",
                           {box_form})),
            2);
  const std::string image = Stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                                   "/BitsPerComponent 8", std::string(1, '\0'));
  EXPECT_EQ(std::nullopt, Marks(PageWith(kCaption + "q 100 0 0 100 72 500 cm /Im1 Do Q\n", "", "/XObject << /Im1 6 0 R >>",
                                 {image})));
  EXPECT_EQ(std::nullopt, Marks(PageWith(kCaption + "BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI\n", "", "", {})));
  EXPECT_EQ(std::nullopt, Marks(PageWith(kCaption + "/Sh1 sh\n", "", "", {})));
  // A Type 3 font draws its glyphs with paths of its own.
  EXPECT_EQ(std::nullopt, Marks(PageWith(kCaption, "", "/Font << /F1 4 0 R /F3 6 0 R >>",
                                 {"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /FontMatrix [1 0 0 1 0 0] "
                                  "/CharProcs << >> /Encoding << /Differences [] >> /FirstChar 0 /LastChar 0 "
                                  "/Widths [0] >>"})));
  // Links without appearance draw nothing; an annotation with one may draw anything.
  EXPECT_EQ(0, Marks(PageWith(kCaption, "/Annots [<< /Type /Annot /Subtype /Link /Rect [72 700 200 720] >>]", "", {})));
  EXPECT_EQ(std::nullopt, Marks(PageWith(kCaption, "/Annots [<< /Type /Annot /Subtype /Stamp /Rect [72 700 200 720] "
                                           "/AP << /N 6 0 R >> >>]", "",
                                 {Stream("/Type /XObject /Subtype /Form /BBox [0 0 128 20]", "")})));
  // Rules are judged on the page as drawn: a turned page is left to the glance.
  EXPECT_EQ(std::nullopt, Marks(PageWith(kCaption + ".5 w 72 730 m 540 730 l S\n", "/Rotate 90", "", {})));
}

// Words with letters, signs and quotes beyond ASCII come out as UTF-8 (the
// text layer converts Poppler's UTF-16 itself).
TEST(TextLayerPdfTest, NonAsciiWordsComeOutAsUtf8) {
  // WinAnsi: \374 u-umlaut, \200 euro sign, \204 and \223 German quotes, \337 sharp s.
  const std::string pdf = OnePagePdf("BT /F1 12 Tf 72 700 Td (Pr\374fung \200 5 \204Vertrag\223 Gr\337e) Tj ET\n");
  auto doc = Document::Open(pdf, MediaType::kPdf, Limits{});
  ASSERT_TRUE(doc.ok()) << doc.error().ToString();
  auto layer = (*doc)->TextLayer(1);
  ASSERT_TRUE(layer.ok());
  std::vector<std::string> words;
  for (const Word& w : layer->words) words.push_back(w.text);
  EXPECT_EQ(words, (std::vector<std::string>{"Pr\xc3\xbc" "fung", "\xe2\x82\xac", "5",
                                             "\xe2\x80\x9eVertrag\xe2\x80\x9c", "Gr\xc3\x9f" "e"}));
}

}  // namespace
}  // namespace pactum::extract
