// The service's defences, end to end through a real server on loopback with
// real `pactum worker` processes: faults injected into workers (crash, hang,
// memory, CPU), recycling, every document limit at its edge, API keys, the
// rate limit, TLS, metrics and request ids.
#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <future>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/verify_text.h"
#include "document_runner.h"
#include "pactum/extract/pdf_objects.h"
#include "pactum/service/server.h"
#include "test_util.h"

namespace pactum::service {
namespace {

using json = nlohmann::json;
using testutil::BuildPdf;
using testutil::CorpusPath;
using testutil::FlateBomb;
using testutil::IsError;
using testutil::SeedPdf;
using testutil::ReadFile;
using testutil::TempPath;
using testutil::WaitUntil;
using testutil::WriteFile;

std::string Deflate(const std::string& raw) {
  uLongf size = compressBound(raw.size());
  std::string out(size, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                      raw.size(), 9),
            Z_OK);
  out.resize(size);
  return out;
}

// A one-page PDF of `width_pt` x `height_pt` without text whose content
// stream is FlateDecode-compressed and inflates to exactly `content_bytes`
// bytes (a comment line), and which holds an image of `image_w` x `image_h`
// pixels (declared, 1 bit, stored compressed).
std::string PdfWith(int width_pt, int height_pt, std::size_t content_bytes, int image_w = 8, int image_h = 8) {
  std::string content = "%" + std::string(content_bytes - 2, 'x') + "\n";
  const std::string z = Deflate(content);
  const std::string pixels = Deflate(std::string(static_cast<std::size_t>((image_w + 7) / 8) * image_h, '\xff'));
  return BuildPdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + std::to_string(width_pt) + " " + std::to_string(height_pt) +
          "] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
      "<< /Length " + std::to_string(z.size()) + " /Filter /FlateDecode >>\nstream\n" + z + "\nendstream",
      "<< /Type /XObject /Subtype /Image /Width " + std::to_string(image_w) + " /Height " + std::to_string(image_h) +
          " /ColorSpace /DeviceGray /BitsPerComponent 1 /Length " + std::to_string(pixels.size()) +
          " /Filter /FlateDecode >>\nstream\n" + pixels + "\nendstream",
  });
}

void PngChunk(std::string* png, const char* type, const std::string& data) {
  const uint32_t n = static_cast<uint32_t>(data.size());
  for (int s = 24; s >= 0; s -= 8) png->push_back(static_cast<char>((n >> s) & 0xff));
  const std::string body = std::string(type, 4) + data;
  *png += body;
  const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size()));
  for (int s = 24; s >= 0; s -= 8) png->push_back(static_cast<char>((crc >> s) & 0xff));
}

// A white 8-bit grey PNG of w x h pixels.
std::string WhitePng(int w, int h) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  for (int v : {w, h}) {
    for (int s = 24; s >= 0; s -= 8) ihdr.push_back(static_cast<char>((v >> s) & 0xff));
  }
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8 bit, grey, deflate, no filter, no interlace
  PngChunk(&png, "IHDR", ihdr);
  std::string rows;
  for (int y = 0; y < h; ++y) rows += '\0' + std::string(static_cast<std::size_t>(w), '\xff');
  PngChunk(&png, "IDAT", Deflate(rows));
  PngChunk(&png, "IEND", "");
  return png;
}


using testutil::BareOptions;

// The fixture with the fault seam of the workers on.
class IsolationTest : public testutil::ServerFixture {
 protected:
  void Start(ServerOptions o) {
    o.TEST_allow_faults = true;
    ServerFixture::Start(std::move(o));
  }

  static ServerOptions OneWorkerWithCpuCap(int cpu_seconds, std::chrono::seconds timeout) {
    ServerOptions o;
    o.workers = 1;
    o.worker.cpu_seconds = cpu_seconds;
    o.timeout = timeout;
    return o;
  }

  httplib::Result Post(const std::string& target, const std::string& body, const std::string& fault = "") {
    httplib::Headers h;
    if (!fault.empty()) h.emplace("X-Pactum-Test-Fault", fault);
    return Client()->Post(target.c_str(), h, body, "application/octet-stream");
  }

  double Metric(const std::string& series) {
    auto r = Client()->Get("/metrics");
    if (!r || r->status != 200) return -1;
    std::istringstream in(r->body);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return 0;
  }

  // The pool is back to `n` live workers, none of them in `gone`.
  bool PoolRefilled(std::size_t n, const std::vector<int>& gone = {}) {
    return testutil::WaitForWorkers<int>([&] { return server_->WorkerPids(); }, n, gone);
  }

};

// ---- faults in workers ------------------------------------------------------

TEST_F(IsolationTest, CrashingWorkerCostsOnlyItsRequest) {
  Start({});
  const std::vector<int> before = server_->WorkerPids();
  ASSERT_EQ(before.size(), 2u);
  // Documents on the other worker go on while one crashes.
  std::vector<std::future<httplib::Result>> good;
  auto crash = std::async(std::launch::async, [&] { return Post("/v1/extract", SeedPdf(), "crash"); });
  for (int i = 0; i < 4; ++i) {
    good.push_back(std::async(std::launch::async, [&] { return Post("/v1/extract", SeedPdf()); }));
  }
  auto r = crash.get();
  ASSERT_TRUE(IsError(r, 422, "unprocessable"));
  EXPECT_NE(r->body.find("crashed the parser"), std::string::npos) << r->body;
  for (auto& f : good) {
    auto g = f.get();
    ASSERT_TRUE(g);
    EXPECT_EQ(g->status, 200) << g->body;
  }
  EXPECT_TRUE(PoolRefilled(2));
  EXPECT_EQ(Metric("pactum_worker_restarts_total{cause=\"crash\"}"), 1);
  auto after = Post("/v1/extract", SeedPdf());
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(IsolationTest, HangingWorkerIsKilledAtTheDeadlineAnd504) {
  ServerOptions o;
  o.workers = 1;
  o.timeout = std::chrono::seconds(2);
  Start(o);
  const std::vector<int> before = server_->WorkerPids();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(IsError(Post("/v1/extract", SeedPdf(), "hang"), 504, "timeout"));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(took, 2.0);
  EXPECT_LT(took, 5.0);
  // The hung process is gone (killed and reaped), a new one serves.
  ASSERT_TRUE(PoolRefilled(1, before));
  EXPECT_NE(::kill(before[0], 0), 0);
  EXPECT_EQ(Metric("pactum_worker_restarts_total{cause=\"timeout\"}"), 1);
  auto r = Post("/v1/extract", SeedPdf());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(IsolationTest, WorkerOverItsMemoryCapIs422) {
  if (testutil::kUnderSanitizer) GTEST_SKIP() << "a sanitizer's shadow memory rules out an address-space cap";
  ServerOptions o;
  o.workers = 1;
  o.worker.memory_bytes = std::uint64_t{1} << 30;
  Start(o);
  auto r = Post("/v1/extract", SeedPdf(), "oom");
  ASSERT_TRUE(IsError(r, 422, "unprocessable"));
  EXPECT_NE(r->body.find("more memory than the limit of 1024 MiB"), std::string::npos) << r->body;
  EXPECT_TRUE(PoolRefilled(1));
  EXPECT_EQ(Metric("pactum_worker_restarts_total{cause=\"memory\"}"), 1);
  auto ok = Post("/v1/extract", SeedPdf());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(IsolationTest, WorkerOverItsCpuCapIs504) {
  Start(OneWorkerWithCpuCap(1, std::chrono::seconds(30)));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = Post("/v1/verify", SeedPdf(), "cpu");
  ASSERT_TRUE(IsError(r, 504, "timeout"));
  EXPECT_NE(r->body.find("CPU limit"), std::string::npos) << r->body;
  // Stopped by its CPU cap (1 s of CPU), not by the 30 s wall-clock limit:
  // however busy the machine, the answer comes well before that.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 25.0);
  EXPECT_TRUE(PoolRefilled(1));
  EXPECT_EQ(Metric("pactum_worker_restarts_total{cause=\"cpu\"}"), 1);
  // The limit is per document: a worker that served many stays within it.
  for (int i = 0; i < 3; ++i) {
    auto ok = Post("/v1/extract", SeedPdf());
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
  }
}

TEST_F(IsolationTest, AWaitingSignatureCheckStartsBeforeAWaitingScan) {
  Start(OneWorkerWithCpuCap(2, std::chrono::seconds(60)));
  const std::string signed_pdf = ReadFile(std::string(PACTUM_CORPUS_DIR) + "/signatures/valid_cades_rsa2048_sha256.pdf");
  using Clock = std::chrono::steady_clock;
  // The one worker spins until its CPU cap; meanwhile a scan, then a
  // signature check, wait in the queue.
  auto hang = std::async(std::launch::async, [&] { return Post("/v1/verify", SeedPdf(), "cpu"); });
  ASSERT_TRUE(WaitUntil([&] { return Metric("pactum_documents_in_progress") == 1; }));
  // The scan is one small page without a text layer: the same class as any
  // scan, and OCRed well within the 2 CPU seconds every document gets, even
  // under the sanitizers on a busy machine (a full A4 scan is not).
  const std::string scan_pdf = BuildPdf({"<< /Type /Catalog /Pages 2 0 R >>",
                                         "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                         "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>"});
  ASSERT_EQ(ExtractionClass(scan_pdf, extract::MediaType::kPdf, ExtractParams{}), JobClass::kSlow);
  auto scan = std::async(std::launch::async, [&] {
    auto r = Post("/v1/extract", scan_pdf);
    return std::make_pair(r ? r->status : -1, Clock::now());
  });
  ASSERT_TRUE(WaitUntil([&] { return Metric("pactum_queue_depth") == 1; }));
  auto verify = std::async(std::launch::async, [&] {
    auto r = Post("/v1/verify", signed_pdf);
    return std::make_pair(r ? r->status : -1, Clock::now());
  });
  EXPECT_TRUE(IsError(hang.get(), 504, "timeout"));
  const auto [verify_status, verify_done] = verify.get();
  const auto [scan_status, scan_done] = scan.get();
  EXPECT_EQ(verify_status, 200);
  EXPECT_EQ(scan_status, 200);
  EXPECT_LT(verify_done, scan_done);
}

TEST(JobClassTest, ScansAndImagesAreSlowTextLayerPdfsQuick) {
  const std::string dev = std::string(PACTUM_CORPUS_DIR) + "/dev/";
  ExtractParams automatic, always, never;
  always.ocr = extract::OcrMode::kAlways;
  never.ocr = extract::OcrMode::kNever;
  for (const char* name : {"a01-born-digital.pdf", "c01-born-digital.pdf"}) {
    const std::string pdf = ReadFile(dev + name);
    EXPECT_EQ(ExtractionClass(pdf, extract::Sniff(pdf), automatic), JobClass::kQuick) << name;
    EXPECT_EQ(ExtractionClass(pdf, extract::Sniff(pdf), always), JobClass::kSlow) << name;
  }
  for (const char* name : {"a02-scan-200-bw.pdf", "b02-scan-300-gray.pdf", "a03-tiff.tif", "a04-png.png",
                           "b03-jpeg.jpg"}) {
    const std::string doc = ReadFile(dev + name);
    EXPECT_EQ(ExtractionClass(doc, extract::Sniff(doc), automatic), JobClass::kSlow) << name;
    EXPECT_EQ(ExtractionClass(doc, extract::Sniff(doc), never), JobClass::kQuick) << name;
  }
  // An object stream could hide the fonts: no guess against the document.
  EXPECT_EQ(ExtractionClass("%PDF-1.7\n1 0 obj << /Type /ObjStm /N 3 >> stream", extract::MediaType::kPdf, automatic),
            JobClass::kQuick);
}

TEST_F(IsolationTest, FaultHeaderIsIgnoredWithoutTheTestSeam) {
  ServerOptions o = BareOptions();
  server_ = std::make_unique<Server>(o);
  ASSERT_TRUE(server_->Start().ok());
  auto r = Post("/v1/extract", SeedPdf(), "crash");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(IsolationTest, WorkersAreRecycledAfterMaxDocuments) {
  ServerOptions o;
  o.workers = 1;
  o.worker.max_documents = 2;
  Start(o);
  const std::vector<int> first = server_->WorkerPids();
  for (int i = 0; i < 2; ++i) ASSERT_EQ(Post("/v1/verify", SeedPdf())->status, 200);
  ASSERT_TRUE(PoolRefilled(1, first));
  EXPECT_EQ(Metric("pactum_worker_restarts_total{cause=\"recycle\"}"), 1);
  EXPECT_EQ(Post("/v1/verify", SeedPdf())->status, 200);
}

TEST_F(IsolationTest, BadWorkerConfigurationFailsStart) {
  ServerOptions o = BareOptions();
  o.trust.anchor_files = {TempPath("missing.pem")};
  Server s(o);
  Result<int> port = s.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.error().message.find("missing.pem"), std::string::npos) << port.error().message;
}

// ---- limits at their edges --------------------------------------------------

TEST_F(IsolationTest, PageLimitAtTheEdge) {
  ServerOptions o;
  o.limits.max_pages = 4;  // the seed has 4 pages
  Start(o);
  EXPECT_EQ(Post("/v1/extract", SeedPdf())->status, 200);
  server_->Stop();
  o.limits.max_pages = 3;
  Start(o);
  auto r = Post("/v1/extract", SeedPdf());
  ASSERT_TRUE(IsError(r, 422, "unprocessable"));
  EXPECT_NE(r->body.find("3"), std::string::npos);
}

TEST_F(IsolationTest, DeclaredObjectLimitAtTheEdge) {
  const long long declared = extract::DeclaredPdfObjects(SeedPdf());
  ServerOptions o;
  o.limits.max_pdf_objects = declared;
  Start(o);
  EXPECT_EQ(Post("/v1/extract", SeedPdf())->status, 200);
  EXPECT_EQ(Post("/v1/verify", SeedPdf())->status, 200);
  server_->Stop();
  o.limits.max_pdf_objects = declared - 1;
  Start(o);
  for (const char* route : {"/v1/extract", "/v1/verify"}) {
    auto r = Post(route, SeedPdf());
    ASSERT_TRUE(IsError(r, 422, "unprocessable")) << route;
    EXPECT_NE(r->body.find("more than the limit of " + std::to_string(declared - 1)), std::string::npos) << r->body;
  }
}

TEST_F(IsolationTest, DecodedStreamLimitAtTheEdge) {
  const std::string pdf = PdfWith(200, 200, 100'000);
  ServerOptions o;
  o.max_stream_bytes = 100'000;
  Start(o);
  auto at = Post("/v1/extract?ocr=never", pdf);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->status, 200) << at->body;
  server_->Stop();
  o.max_stream_bytes = 99'999;
  Start(o);
  auto over = Post("/v1/extract?ocr=never", pdf);
  ASSERT_TRUE(IsError(over, 422, "unprocessable"));
  EXPECT_NE(over->body.find("decompresses to more than 99999 bytes"), std::string::npos) << over->body;
}

TEST_F(IsolationTest, DecompressionBombIs422Quickly) {
  // 1 GiB of one byte inflates from about 1 MiB.
  const std::string pdf = FlateBomb(std::size_t{1} << 30, 'x');
  Start({});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(IsError(Post("/v1/extract", pdf), 422, "unprocessable"));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30.0);
}

TEST_F(IsolationTest, ImageInsidePdfPixelLimitAtTheEdge) {
  const std::string pdf = PdfWith(200, 200, 100, 100, 50);
  ServerOptions o;
  o.limits.max_image_pixels = 5000;
  Start(o);
  EXPECT_EQ(Post("/v1/extract?ocr=never", pdf)->status, 200);
  server_->Stop();
  o.limits.max_image_pixels = 4999;
  Start(o);
  EXPECT_TRUE(IsError(Post("/v1/extract?ocr=never", pdf), 422, "unprocessable"));
}

TEST_F(IsolationTest, ImageUploadPixelLimitAtTheEdge) {
  const std::string png = WhitePng(100, 50);
  ServerOptions o;
  o.limits.max_image_pixels = 5000;
  Start(o);
  auto at = Post("/v1/extract", png);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->status, 200) << at->body;
  server_->Stop();
  o.limits.max_image_pixels = 4999;
  Start(o);
  auto over = Post("/v1/extract", png);
  ASSERT_TRUE(IsError(over, 422, "unprocessable"));
  EXPECT_NE(over->body.find("100x50"), std::string::npos) << over->body;
}

TEST_F(IsolationTest, RenderedPagePixelLimitAtTheEdge) {
  // 72 x 36 pt at 300 dpi: 300 x 150 pixels. The page is blank (ocr=auto
  // would only glance at it), so ocr=always makes it rendered for OCR.
  const std::string pdf = PdfWith(72, 36, 100);
  ServerOptions o;
  o.limits.max_page_pixels = 45'000;
  Start(o);
  auto at = Post("/v1/extract?ocr=always", pdf);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->status, 200) << at->body;
  server_->Stop();
  o.limits.max_page_pixels = 44'999;
  Start(o);
  auto over = Post("/v1/extract?ocr=always", pdf);
  ASSERT_TRUE(IsError(over, 422, "unprocessable"));
  EXPECT_NE(over->body.find("300x150 = 45000 pixels"), std::string::npos) << over->body;
}

// ---- access -----------------------------------------------------------------

TEST_F(IsolationTest, ApiKeysGuardEverythingButHealthAndDescription) {
  // A file as an operator writes it: a comment, another key's digest, and
  // the digest of ours made with sha256sum.
  const std::string keys = TempPath("keys");
  WriteFile(keys, "# test keys\n" + std::string(64, 'a') + " other-system\n");
  const std::string key = "secret-key-1";
  const std::string cmd = "printf %s " + key + " | sha256sum | cut -c1-64 >> " + keys;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ServerOptions o;
  o.access.api_keys_file = keys;
  Start(o);
  auto c = Client();
  EXPECT_TRUE(IsError(c->Post("/v1/extract", SeedPdf(), "application/pdf"), 401, "unauthorized"));
  auto no_key = c->Get("/metrics");
  EXPECT_TRUE(IsError(no_key, 401, "unauthorized"));
  EXPECT_EQ(no_key->get_header_value("WWW-Authenticate"), "Bearer");
  httplib::Headers wrong = {{"Authorization", "Bearer nope"}};
  EXPECT_TRUE(IsError(c->Post("/v1/verify", wrong, SeedPdf(), "application/pdf"), 401, "unauthorized"));
  EXPECT_EQ(c->Get("/healthz")->status, 200);
  EXPECT_EQ(c->Get("/readyz")->status, 200);
  EXPECT_EQ(c->Get("/openapi.json")->status, 200);
  // The web app's files are open (the app then asks for a key); its API
  // calls are not.
  EXPECT_EQ(c->Get("/")->status, 200);
  EXPECT_EQ(c->Get("/app/app.js")->status, 200);
  EXPECT_TRUE(IsError(c->Get("/app/../metrics"), 401, "unauthorized"));
  EXPECT_TRUE(IsError(c->Get(("/v1/documents/" + std::string(64, 'a') + "/pages/1.png").c_str()), 401, "unauthorized"));
  httplib::Headers right = {{"Authorization", "Bearer " + key}};
  auto ok = c->Post("/v1/extract", right, SeedPdf(), "application/pdf");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(c->Get("/metrics", right)->status, 200);
}

TEST_F(IsolationTest, MissingKeyFileFailsStart) {
  ServerOptions o = BareOptions();
  o.access.api_keys_file = TempPath("no-such-keys");
  Server s(o);
  EXPECT_FALSE(s.Start().ok());
}

TEST_F(IsolationTest, RateLimitAnswers429WithRetryAfter) {
  ServerOptions o;
  o.access.rate_per_second = 0.5;
  o.access.rate_burst = 2;
  Start(o);
  auto c = Client();
  EXPECT_EQ(c->Get("/metrics")->status, 200);
  EXPECT_EQ(c->Get("/metrics")->status, 200);
  auto r = c->Get("/metrics");
  ASSERT_TRUE(IsError(r, 429, "overloaded"));
  const int retry = std::stoi(r->get_header_value("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 2);
  // Health probes are never limited.
  EXPECT_EQ(c->Get("/healthz")->status, 200);
}

TEST_F(IsolationTest, ServesHttpsWithTheConfiguredCertificate) {
  const std::string key = TempPath("tls.key"), cert = TempPath("tls.pem");
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "
                          "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert +
                          " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ServerOptions o;
  o.access.tls_cert_file = cert;
  o.access.tls_key_file = key;
  Start(o);
  httplib::SSLClient c("127.0.0.1", server_->port());
  c.set_ca_cert_path(cert.c_str());
  c.enable_server_certificate_verification(true);
  c.set_read_timeout(60);
  auto r = c.Post("/v1/extract", SeedPdf(), "application/pdf");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  // Plain HTTP on the TLS port gets no answer.
  auto plain = Client()->Get("/healthz");
  EXPECT_FALSE(plain && plain->status == 200);
  server_->Stop();
  server_.reset();
}

TEST_F(IsolationTest, BadTlsFilesFailStart) {
  ServerOptions o = BareOptions();
  o.access.tls_cert_file = TempPath("none.pem");
  o.access.tls_key_file = TempPath("none.key");
  Server s(o);
  EXPECT_FALSE(s.Start().ok());
}

// ---- observability ----------------------------------------------------------

TEST_F(IsolationTest, MetricsCountRequestsPagesAndSignatures) {
  Start({});
  ASSERT_EQ(Post("/v1/extract", SeedPdf())->status, 200);
  const std::string signed_pdf = ReadFile(std::string(PACTUM_CORPUS_DIR) + "/signatures/valid_cades_rsa2048_sha256.pdf");
  ASSERT_EQ(Post("/v1/verify", signed_pdf)->status, 200);
  EXPECT_EQ(Post("/v1/verify", "")->status, 400);
  // A request is counted when its answer has been written, which the client
  // may see first.
  EXPECT_TRUE(WaitUntil([&] { return Metric("pactum_http_requests_total{route=\"/v1/verify\",status=\"400\"}") == 1; }));
  auto r = Client()->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(Metric("pactum_http_requests_total{route=\"/v1/extract\",status=\"200\"}"), 1);
  EXPECT_EQ(Metric("pactum_http_requests_total{route=\"/v1/verify\",status=\"400\"}"), 1);
  EXPECT_EQ(Metric("pactum_pages_total{kind=\"all\"}"), 4);
  EXPECT_EQ(Metric("pactum_documents_total{op=\"verify\"}"), 1);
  // No trust anchors are configured: the sample's chain is unknown.
  EXPECT_EQ(Metric("pactum_signatures_verified_total{status=\"indeterminate\"}"), 1);
  EXPECT_EQ(Metric("pactum_http_request_duration_seconds_count{route=\"/v1/extract\"}"), 1);
  EXPECT_EQ(Metric("pactum_queue_depth"), 0);
  EXPECT_EQ(Metric("pactum_workers"), 2);
  EXPECT_NE(r->body.find("pactum_http_request_duration_seconds_bucket{route=\"/v1/extract\",le=\"+Inf\"} 1"),
            std::string::npos);
}

TEST_F(IsolationTest, RequestIdIsEchoedOrMade) {
  Start({});
  auto c = Client();
  auto given = c->Get("/healthz", {{"X-Request-Id", "abc-123.x"}});
  EXPECT_EQ(given->get_header_value("X-Request-Id"), "abc-123.x");
  auto made = c->Get("/healthz", {{"X-Request-Id", "bad id with spaces"}});
  EXPECT_TRUE(std::regex_match(made->get_header_value("X-Request-Id"), std::regex("[0-9a-f]{16}")));
  auto error = c->Get("/nowhere");
  EXPECT_EQ(error->status, 404);
  EXPECT_EQ(error->get_header_value("X-Request-Id").size(), 16u);
}

// GET /v1/documents/{id}/pages/{n}.png: rendered in a worker (counted as
// its documents are), a PNG of the page at the asked resolution, cached by
// an ETag of id, page and dpi; the errors of the contract.
TEST_F(IsolationTest, PageImagesAreRenderedByWorkersAsPng) {
  ServerOptions o;
  o.store_uri = "sqlite:" + TempPath("pages.db");
  Start(o);
  auto c = Client();
  const std::string id = nlohmann::json::parse(c->Post("/v1/documents?ocr=never", SeedPdf(), "application/pdf")->body)["id"];
  const std::string page1 = "/v1/documents/" + id + "/pages/1.png";

  auto r = c->Get(page1.c_str());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/png");
  const std::string etag = "\"" + id + "-p1-d96\"";
  EXPECT_EQ(r->get_header_value("ETag"), etag);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  ASSERT_GT(r->body.size(), 24u);
  EXPECT_EQ(r->body.substr(0, 8), "\x89PNG\r\n\x1a\n");
  // IHDR: an A4 page (595.3 x 841.9 pt) at 96 dpi is 794 x 1123 pixels.
  const auto be32 = [](const std::string& b, std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(b[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(b[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(b[at + 2])) << 8) |
           static_cast<unsigned>(static_cast<unsigned char>(b[at + 3]));
  };
  EXPECT_EQ(be32(r->body, 16), 794u);
  EXPECT_EQ(be32(r->body, 20), 1123u);
  EXPECT_EQ(Metric("pactum_documents_total{op=\"render\"}"), 1);
  // The image is a PNG that a decoder reads: the service itself reads it
  // back as an upload.
  auto back = c->Post("/v1/extract?ocr=never", r->body, "image/png");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->status, 200) << back->body;
  EXPECT_EQ(nlohmann::json::parse(back->body)["document"]["pages"], 1);

  // The client's copy is current: 304, nothing rendered.
  auto again = c->Get(page1.c_str(), {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->get_header_value("ETag"), etag);
  EXPECT_EQ(Metric("pactum_documents_total{op=\"render\"}"), 1);

  auto small = c->Get(("/v1/documents/" + id + "/pages/4.png?dpi=36").c_str());
  ASSERT_TRUE(small);
  ASSERT_EQ(small->status, 200);
  EXPECT_EQ(be32(small->body, 16), 298u);  // 595.3 pt at 36 dpi
  EXPECT_EQ(small->get_header_value("ETag"), "\"" + id + "-p4-d36\"");

  EXPECT_TRUE(IsError(c->Get(("/v1/documents/" + id + "/pages/5.png").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(c->Get(("/v1/documents/" + id + "/pages/0.png").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(c->Get(("/v1/documents/" + id + "/pages/x.png").c_str()), 404, "not_found"));
  EXPECT_TRUE(IsError(c->Get((page1 + "?dpi=35").c_str()), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Get((page1 + "?dpi=301").c_str()), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Get((page1 + "?dpi=96&dpi=72").c_str()), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Get((page1 + "?scale=2").c_str()), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Get(("/v1/documents/" + std::string(64, 'a') + "/pages/1.png").c_str()), 404, "not_found"));
  auto post = c->Post(page1.c_str(), "", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  // Jobs do not render.
  EXPECT_TRUE(IsError(c->Post("/v1/jobs?op=render", SeedPdf(), "application/pdf"), 400, "bad_request"));

  // An image upload: its page shrunk to the asked resolution (a 600 x 300
  // pixel PNG without a resolution counts as 300 dpi: 192 x 96 at 96 dpi).
  auto image = c->Post("/v1/documents?ocr=never", WhitePng(600, 300), "image/png");
  ASSERT_TRUE(image);
  const std::string image_id = nlohmann::json::parse(image->body)["id"];
  auto shrunk = c->Get(("/v1/documents/" + image_id + "/pages/1.png").c_str());
  ASSERT_TRUE(shrunk);
  ASSERT_EQ(shrunk->status, 200) << shrunk->body;
  EXPECT_EQ(be32(shrunk->body, 16), 192u);
  EXPECT_EQ(be32(shrunk->body, 20), 96u);
}

// POST /v1/verify?format=text answers the report in the words of
// `pactum verify --format text`, from the same JSON report.
TEST_F(IsolationTest, VerifyReportAsTextIsTheCliReport) {
  Start(ServerOptions{});
  auto c = Client();
  auto json_report = c->Post("/v1/verify", SeedPdf(), "application/pdf");
  ASSERT_TRUE(json_report);
  ASSERT_EQ(json_report->status, 200);
  httplib::MultipartFormDataItems items = {{"file", SeedPdf(), "agreement.pdf", "application/pdf"}};
  auto text = c->Post("/v1/verify?format=text", items);
  ASSERT_TRUE(text);
  ASSERT_EQ(text->status, 200) << text->body;
  EXPECT_EQ(text->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(text->body,
            cli::VerifyReportText(nlohmann::ordered_json::parse(json_report->body), "agreement.pdf"));
  EXPECT_EQ(text->body.rfind("File: agreement.pdf\n", 0), 0u) << text->body;
  auto json_again = c->Post("/v1/verify?format=json", SeedPdf(), "application/pdf");
  ASSERT_TRUE(json_again);
  EXPECT_EQ(json_again->body, json_report->body);
  EXPECT_TRUE(IsError(c->Post("/v1/verify?format=xml", SeedPdf(), "application/pdf"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Post("/v1/verify?pages=1", SeedPdf(), "application/pdf"), 400, "bad_request"));
}

// The web app: its files at / and /app/, with their types and a strict
// Content-Security-Policy; nothing else under /app/.
TEST_F(IsolationTest, WebAppIsServedWithAStrictPolicy) {
  Start(ServerOptions{});
  auto c = Client();
  auto index = c->Get("/");
  ASSERT_TRUE(index);
  ASSERT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string csp = index->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("http"), std::string::npos) << csp;  // no other origin
  EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(index->body.find("/app/app.js"), std::string::npos);
  for (const auto& [file, type] : {std::pair<std::string, std::string>{"app.js", "text/javascript; charset=utf-8"},
                                   {"i18n.js", "text/javascript; charset=utf-8"},
                                   {"app.css", "text/css; charset=utf-8"},
                                   {"index.html", "text/html; charset=utf-8"}}) {
    auto r = c->Get(("/app/" + file).c_str());
    ASSERT_TRUE(r) << file;
    EXPECT_EQ(r->status, 200) << file;
    EXPECT_EQ(r->get_header_value("Content-Type"), type) << file;
    EXPECT_FALSE(r->body.empty()) << file;
    // Nothing is loaded from elsewhere.
    EXPECT_EQ(r->body.find("https://"), std::string::npos) << file;
  }
  EXPECT_TRUE(IsError(c->Get("/app/missing.js"), 404, "not_found"));
  EXPECT_TRUE(IsError(c->Get("/app/"), 404, "not_found"));
  auto post = c->Post("/", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

}  // namespace
}  // namespace pactum::service
