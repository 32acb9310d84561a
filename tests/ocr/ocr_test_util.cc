#include "ocr_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

#include "pactum/extract/document.h"

namespace pactum::extract::testing {

Pages ReadAll(const std::string& bytes, MediaType type, const ExtractOptions& options) {
  Pages p;
  auto doc = Document::Open(bytes, type, options.limits);
  EXPECT_TRUE(doc.ok()) << doc.error().ToString();
  if (!doc.ok()) return p;
  p.doc = std::move(*doc);
  auto r = ReadPages(*p.doc, options);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  if (r.ok()) p.result = std::move(*r);
  return p;
}

std::string CorpusFile(const std::string& name) { return std::string(PACTUM_CORPUS_DIR) + "/dev/" + name; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "pactum-ocr-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int Run(const std::string& command) { return std::system(command.c_str()); }

PageImage RenderPdfPage(const std::string& bytes, int page, int dpi) {
  auto doc = Document::Open(bytes, MediaType::kPdf, Limits{});
  EXPECT_TRUE(doc.ok());
  if (!doc.ok()) return {};
  auto img = (*doc)->Render(page, dpi);
  EXPECT_TRUE(img.ok());
  return img.ok() ? *img : PageImage{};
}

PageText PdfTextLayer(const std::string& bytes, int page) {
  auto doc = Document::Open(bytes, MediaType::kPdf, Limits{});
  EXPECT_TRUE(doc.ok());
  if (!doc.ok()) return {};
  auto text = (*doc)->TextLayer(page);
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : PageText{};
}

std::vector<std::string> WordsIn(const PageText& page, const Box& region) {
  std::vector<std::string> out;
  for (const Word& w : page.words) {
    const double cx = (w.box.x0 + w.box.x1) / 2, cy = (w.box.y0 + w.box.y1) / 2;
    if (cx >= region.x0 && cx <= region.x1 && cy >= region.y0 && cy <= region.y1) out.push_back(w.text);
  }
  return out;
}

std::vector<std::string> WordsOf(const PageText& page) {
  std::vector<std::string> out;
  for (const Word& w : page.words) out.push_back(w.text);
  return out;
}

namespace {

std::string Core(const std::string& w) {
  static const std::string kPunct = ".,;:!?()[]\"'";
  size_t b = 0, e = w.size();
  while (b < e && kPunct.find(w[b]) != std::string::npos) ++b;
  while (e > b && kPunct.find(w[e - 1]) != std::string::npos) --e;
  return w.substr(b, e - b);
}

}  // namespace

double WordF1(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  std::map<std::string, int> bag;
  for (const auto& w : want) {
    const std::string c = Core(w);
    if (!c.empty()) ++bag[c];
  }
  int want_n = 0;
  for (const auto& [w, n] : bag) want_n += n;
  int got_n = 0, hit = 0;
  for (const auto& w : got) {
    const std::string c = Core(w);
    if (c.empty()) continue;
    ++got_n;
    auto it = bag.find(c);
    if (it != bag.end() && it->second > 0) {
      --it->second;
      ++hit;
    }
  }
  if (hit == 0) return 0.0;
  const double p = static_cast<double>(hit) / got_n, r = static_cast<double>(hit) / want_n;
  return 2 * p * r / (p + r);
}

OcrEngine& SharedEngine() {
  static std::unique_ptr<OcrEngine> engine = [] {
    auto e = CreateTesseractEngine("deu+eng");
    if (!e.ok()) {
      ADD_FAILURE() << e.error().ToString();
      std::abort();
    }
    return std::move(*e);
  }();
  return *engine;
}

ocr::PixPtr ToPix(const PageImage& image) { return ocr::PixFromPageImage(image, false); }

PageImage FromPix(PIX* pix, int dpi) { return ocr::PageImageFromPix(pix, 1, dpi, dpi); }

}  // namespace pactum::extract::testing
