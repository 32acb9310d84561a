// DeclaredPdfObjects: every place Poppler sizes its cross-reference table
// from, read from the bytes; and Extract refusing a file that declares too
// many objects before Poppler allocates for them.
#include "pactum/extract/pdf_objects.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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

}  // namespace
}  // namespace pactum::extract
