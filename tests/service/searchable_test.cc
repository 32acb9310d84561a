// The searchable PDF/A through its entry points: GET
// /v1/documents/{id}/searchable.pdf of a real server (OCR in its worker
// processes) and `pactum extract FILE --searchable-pdf OUT`. The placement of
// the words is tested on the library (tests/ocr/searchable_pdf_test.cc);
// here: the file is a valid PDF/A that reads back the record's OCR, and
// signed PDFs are refused on both.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "child_process.h"
#include "test_util.h"

namespace pactum::service {
namespace {

using json = nlohmann::json;
using testutil::Child;
using testutil::CorpusPath;
using testutil::ReadFile;
using testutil::TempPath;

std::string SignedSample() {
  return std::string(PACTUM_CORPUS_DIR) + "/signatures/valid_cades_rsa2048_sha256.pdf";
}

// qpdf --check passes, the XMP says PDF/A-2b, an output intent is there,
// and pdftotext reads every party name of `record` (all from OCR) back.
void ExpectSearchablePdfA(const std::string& pdf, const json& record) {
  ASSERT_EQ(pdf.rfind("%PDF-", 0), 0u);
  const std::string path = TempPath("searchable.pdf"), text = TempPath("searchable.txt");
  testutil::WriteFile(path, pdf);
  EXPECT_EQ(std::system(("qpdf --check '" + path + "' > /dev/null").c_str()), 0);
  EXPECT_NE(pdf.find("<pdfaid:part>2</pdfaid:part>"), std::string::npos);
  EXPECT_NE(pdf.find("<pdfaid:conformance>B</pdfaid:conformance>"), std::string::npos);
  EXPECT_NE(pdf.find("/OutputIntents"), std::string::npos);
  ASSERT_EQ(std::system(("pdftotext '" + path + "' '" + text + "'").c_str()), 0);
  std::string words = ReadFile(text);
  for (char& c : words) {
    if (c == '\n') c = ' ';
  }
  EXPECT_EQ(record["document"]["text_source"], "ocr");
  ASSERT_FALSE(record["agreement"]["parties"].empty());
  for (const json& party : record["agreement"]["parties"]) {
    EXPECT_NE(words.find(party["name"].get<std::string>()), std::string::npos) << party["name"] << " in " << words;
  }
  ::unlink(path.c_str());
  ::unlink(text.c_str());
}

class SearchablePdfServerTest : public testutil::ServerFixture {
 protected:
  void StartWithArchive() {
    ServerOptions o;
    o.workers = 1;
    o.store_uri = "sqlite:" + TempPath("searchable.db");
    Start(o);
  }

  // Stores `bytes` in the archive; its id.
  std::string Store(const std::string& bytes, const std::string& type) {
    auto r = Client()->Post("/v1/documents", bytes, type);
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_TRUE(r->status == 200 || r->status == 201) << r->body;
    return json::parse(r->body)["id"];
  }
};

TEST_F(SearchablePdfServerTest, ServesTheSearchablePdfOfAStoredScan) {
  StartWithArchive();
  const std::string png = ReadFile(CorpusPath("c03-png.png"));
  auto stored = Client()->Post("/v1/documents", png, "image/png");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 201) << stored->body;
  const json record = json::parse(stored->body);
  auto r = Client()->Get("/v1/documents/" + record["id"].get<std::string>() + "/searchable.pdf");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/pdf");
  ExpectSearchablePdfA(r->body, record);
}

TEST_F(SearchablePdfServerTest, UnknownDocumentSignedPdfAndParametersAreRefused) {
  StartWithArchive();
  EXPECT_TRUE(testutil::IsError(Client()->Get("/v1/documents/" + std::string(64, 'a') + "/searchable.pdf"), 404, "not_found"));
  EXPECT_TRUE(testutil::IsError(Client()->Get("/v1/documents/nope/searchable.pdf"), 404, "not_found"));
  const std::string id = Store(ReadFile(SignedSample()), "application/pdf");
  auto r = Client()->Get("/v1/documents/" + id + "/searchable.pdf");
  ASSERT_TRUE(testutil::IsError(r, 409, "conflict"));
  const std::string message = json::parse(r->body)["error"]["message"];
  EXPECT_NE(message.find("signature"), std::string::npos) << message;
  EXPECT_NE(message.find("break"), std::string::npos) << message;
  EXPECT_TRUE(testutil::IsError(Client()->Get("/v1/documents/" + id + "/searchable.pdf?lang=eng"), 400, "bad_request"));
  EXPECT_TRUE(testutil::IsError(Client()->Post("/v1/documents/" + id + "/searchable.pdf", "x", "text/plain"), 405,
                      "method_not_allowed"));
}

TEST(SearchablePdfCliTest, ExtractWritesTheSearchablePdfAndPrintsTheRecord) {
  const std::string out = TempPath("cli-searchable.pdf");
  Child c({"extract", CorpusPath("c03-png.png"), "--searchable-pdf", out});
  ASSERT_EQ(c.Wait(), 0) << c.Stderr();
  const json record = json::parse(c.Stdout(), nullptr, false);
  ASSERT_FALSE(record.is_discarded()) << c.Stdout();
  EXPECT_EQ(record["document"]["media_type"], "image/png");
  ExpectSearchablePdfA(ReadFile(out), record);
  ::unlink(out.c_str());
}

TEST(SearchablePdfCliTest, SignedPdfIsRefusedAndNothingIsWritten) {
  const std::string out = TempPath("cli-signed-searchable.pdf");
  Child c({"extract", SignedSample(), "--searchable-pdf", out});
  EXPECT_EQ(c.Wait(), 2);
  EXPECT_TRUE(c.Stdout().empty()) << c.Stdout();
  const std::string err = c.Stderr();
  EXPECT_NE(err.find("digital signature"), std::string::npos) << err;
  EXPECT_NE(err.find("(conflict)"), std::string::npos) << err;
  EXPECT_NE(::access(out.c_str(), F_OK), 0) << "a file was written";

  Child batch({"extract", CorpusPath("c03-png.png"), CorpusPath("b03-jpeg.jpg"), "--searchable-pdf", out});
  EXPECT_EQ(batch.Wait(), 64);
  EXPECT_NE(batch.Stderr().find("--searchable-pdf takes one FILE"), std::string::npos) << batch.Stderr();
}

}  // namespace
}  // namespace pactum::service
