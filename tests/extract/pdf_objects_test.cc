// DeclaredPdfObjects: every place Poppler sizes its cross-reference table
// from, read from the bytes; and Extract refusing a file that declares too
// many objects before Poppler allocates for them. WithoutOutputIntents: the
// catalogue restated without its output intent, all else as it was.
#include "pactum/extract/pdf_objects.h"

#include <gtest/gtest.h>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <fstream>
#include <sstream>

#include "../pdf_builder.h"
#include "pactum/extract/document.h"
#include "pactum/extract/extractor.h"

namespace pactum::extract {
namespace {

TEST(DeclaredPdfObjectsTest, TrailerAndStreamSize) {
  EXPECT_EQ(DeclaredPdfObjects("trailer\n<< /Size 12 /Root 1 0 R >>"), 12);
  EXPECT_EQ(DeclaredPdfObjects("<</Type/XRef/Size 20000015/W[1 2 1]>>"), 20000015);
  // Other names that start with "Size" are not /Size.
  EXPECT_EQ(DeclaredPdfObjects("<< /SizeX 999999999 >>"), 0);
}

TEST(DeclaredPdfObjectsTest, SubsectionHeadersButNotEntries) {
  const std::string table =
      "xref\n0 3\n0000000000 65535 f\r\n0000000015 00000 n\r\n0000000074 00000 n\r\n"
      "7 2\n0000000120 00000 n\r\n0000000180 00000 n\r\ntrailer\n";
  EXPECT_EQ(DeclaredPdfObjects(table), 9);
  EXPECT_EQ(DeclaredPdfObjects("xref\n0 20000015\n0000000000 65535 f \n"), 20000015);
  // "startxref" is no cross-reference section.
  EXPECT_EQ(DeclaredPdfObjects("startxref\n99999999\n%%EOF"), 0);
}

TEST(DeclaredPdfObjectsTest, ObjectNumbers) {
  EXPECT_EQ(DeclaredPdfObjects("1 0 obj\n<< >>\nendobj\n41 0 obj<</A 1>>endobj"), 42);
  EXPECT_EQ(DeclaredPdfObjects("%PDF-1.4\n99999999 0 obj\nnull\nendobj"), 100000000);
  EXPECT_EQ(DeclaredPdfObjects("(12 0 objection)"), 0);
}

TEST(DeclaredPdfObjectsTest, AbsurdNumbersSaturate) {
  EXPECT_EQ(DeclaredPdfObjects("<< /Size 99999999999999999999999999 >>"), 1'000'000'000'000'000'000LL);
}

TEST(DeclaredPdfObjectsTest, ExtractRefusesTooManyBeforeOpening) {
  std::ifstream in(std::string(PACTUM_CORPUS_DIR) + "/dev/seed-born-digital.pdf", std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string pdf = ss.str();
  const long long declared = DeclaredPdfObjects(pdf);
  ASSERT_GT(declared, 10);
  ExtractOptions o;
  o.ocr = OcrMode::kNever;
  o.limits.max_pdf_objects = declared;
  EXPECT_TRUE(Extract(pdf, o).ok());
  o.limits.max_pdf_objects = declared - 1;
  Result<AgreementRecord> r = Extract(pdf, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(r.error().message.find("declares " + std::to_string(declared) + " objects"), std::string::npos)
      << r.error().message;
}

// A two-page PDF/A-like file: a catalogue with a language, page labels and,
// with `intents`, an output intent naming an ICC profile stream.
std::string PdfWithIntent(bool intents) {
  const std::string page_content = "BT /F1 12 Tf 72 700 Td (Vertrag zwischen Alpha und Beta) Tj ET";
  const std::string second_content = "BT /F1 12 Tf 72 700 Td (Unterschriften der Parteien) Tj ET";
  const std::string profile = "not a real profile, Poppler only warns";
  return BuildPdf({
      "<< /Type /Catalog /Pages 2 0 R /Lang (de-DE) /PageLabels << /Nums [0 << /S /r >>] >>" +
          std::string(intents ? " /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier "
                                "(sRGB) /DestOutputProfile 8 0 R >>]"
                              : "") +
          " >>",
      "<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
      "<< /Length " + std::to_string(page_content.size()) + " >>\nstream\n" + page_content + "\nendstream",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>",
      "<< /Length " + std::to_string(second_content.size()) + " >>\nstream\n" + second_content + "\nendstream",
      "<< /N 3 /Length " + std::to_string(profile.size()) + " >>\nstream\n" + profile + "\nendstream",
  }, "/Info << /Title (Vertrag) >> /ID [<0011223344556677> <8899aabbccddeeff>]");
}

// `pdf` rewritten by qpdf: with object and cross-reference streams, or
// encrypted (empty user password).
std::string Rewritten(const std::string& pdf, bool object_streams, bool encrypt) {
  QPDF q;
  q.processMemoryFile("test", pdf.data(), pdf.size());
  QPDFWriter w(q);
  w.setOutputMemory();
  if (object_streams) w.setObjectStreamMode(qpdf_o_generate);
  if (encrypt) w.setR6EncryptionParameters("", "owner", true, true, true, true, true, true, qpdf_r3p_full, true);
  w.write();
  std::shared_ptr<Buffer> b = w.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(b->getBuffer()), b->getSize());
}

// Every word of every page, with its box, as Poppler reads them.
std::string Words(const std::string& pdf) {
  auto doc = OpenPdfDocument(pdf, Limits{});
  EXPECT_TRUE(doc.ok());
  if (!doc.ok()) return "";
  std::ostringstream out;
  for (int page = 1; page <= (*doc)->page_count(); ++page) {
    auto text = (*doc)->TextLayer(page);
    EXPECT_TRUE(text.ok());
    if (!text.ok()) continue;
    for (const Word& w : text->words) out << page << ' ' << w.text << ' ' << w.box.x0 << ' ' << w.box.y1 << '\n';
  }
  return out.str();
}

TEST(WithoutOutputIntentsTest, RestatesTheCatalogueWithoutTheIntentOnly) {
  for (const bool object_streams : {false, true}) {
    const std::string original = object_streams ? Rewritten(PdfWithIntent(true), true, false) : PdfWithIntent(true);
    const auto patched = WithoutOutputIntents(original);
    ASSERT_TRUE(patched.has_value()) << "object streams: " << object_streams;
    // An incremental update: the original bytes come first, unchanged.
    EXPECT_EQ(patched->substr(0, original.size()), original);
    QPDF q;
    q.processMemoryFile("patched", patched->data(), patched->size());
    QPDFObjectHandle root = q.getRoot();
    EXPECT_FALSE(root.hasKey("/OutputIntents"));
    EXPECT_EQ(root.getKey("/Lang").getUTF8Value(), "de-DE");
    EXPECT_TRUE(root.getKey("/PageLabels").isDictionary());
    EXPECT_EQ(q.getAllPages().size(), 2u);
    EXPECT_EQ(q.getTrailer().getKey("/Info").getKey("/Title").getUTF8Value(), "Vertrag");
    EXPECT_TRUE(q.getTrailer().getKey("/ID").isArray());
    EXPECT_FALSE(q.anyWarnings());
    // Poppler reads the same words, at the same places, as from the file
    // made without an output intent.
    const std::string words = Words(*patched);
    EXPECT_NE(words.find("Vertrag"), std::string::npos);
    EXPECT_NE(words.find("2 Unterschriften"), std::string::npos);
    EXPECT_EQ(words, Words(PdfWithIntent(false)));
  }
}

TEST(WithoutOutputIntentsTest, LeavesOtherFilesAsTheyAre) {
  EXPECT_FALSE(WithoutOutputIntents(PdfWithIntent(false)).has_value());  // nothing to drop
  EXPECT_FALSE(WithoutOutputIntents(Rewritten(PdfWithIntent(true), false, true)).has_value());  // encrypted
  std::string broken = PdfWithIntent(true);
  broken.resize(broken.rfind("startxref\n") + 10);
  broken += "17\n%%EOF\n";  // a cross-reference offset that misses
  EXPECT_FALSE(WithoutOutputIntents(broken).has_value());
  EXPECT_FALSE(WithoutOutputIntents("not a PDF /OutputIntents").has_value());
  // Those still open as before.
  EXPECT_NE(Words(Rewritten(PdfWithIntent(true), false, true)).find("Vertrag"), std::string::npos);
}

}  // namespace
}  // namespace pactum::extract
