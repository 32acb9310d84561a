// The HTTP service against a real server on loopback: every status of the
// contract that exists in this build, and that the server keeps serving
// after each bad request.
#include "pactum/service/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "pactum/extract/extractor.h"
#include "test_util.h"

namespace pactum::service {
namespace {

using json = nlohmann::json;
using testutil::CorpusPath;
using testutil::IsError;
using testutil::SeedPdf;
using testutil::Gate;
using testutil::ReadFile;
using testutil::TempPath;
using testutil::WaitUntil;


// A minimal PDF whose /Encrypt dictionary (Standard handler, RC4 128 bit)
// has owner and user hashes that no password matches: it opens only with a
// password, which the upload does not give.
std::string EncryptedPdf() {
  return testutil::BuildPdf(
      {
          "<< /Type /Catalog /Pages 2 0 R >>",
          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
          "<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <" + std::string(64, '1') + "> /U <" +
              std::string(64, '2') + "> >>",
      },
      "/Encrypt 4 0 R /ID [<" + std::string(32, '3') + "> <" + std::string(32, '3') + ">]");
}


std::string MessageOf(const httplib::Result& r) {
  return json::parse(r->body, nullptr, false)["error"].value("message", std::string());
}

// True when `reply` holds a complete response (headers and, by its
// Content-Length, the body).
bool IsCompleteResponse(const std::string& reply) {
  const size_t end = reply.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  static const std::regex kLength(R"(\r\nContent-Length: (\d+)\r\n)", std::regex::icase);
  std::smatch m;
  const std::string head = reply.substr(0, end + 2);
  const size_t length = std::regex_search(head, m, kLength) ? std::stoul(m[1]) : 0;
  return reply.size() >= end + 4 + length;
}

// A TCP connection to 127.0.0.1:`port`; -1 on failure.
int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A raw request over a socket, for what httplib::Client would not send.
// Returns the first response the server wrote (or what came of it before the
// connection closed or two seconds passed).
std::string RawExchange(int port, const std::string& request) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  std::string out;
  {
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[4096];
    while (!IsCompleteResponse(out)) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// A raw reply that starts with HTTP/1.1 `status` and holds `fragment` (a
// piece of the contract's error JSON). Reports failures at the caller.
#define ExpectRawReply(reply, status, fragment)                                      \
  do {                                                                               \
    EXPECT_EQ((reply).rfind("HTTP/1.1 " + std::to_string(status), 0), 0u) << (reply); \
    EXPECT_NE((reply).find(fragment), std::string::npos) << (reply);                 \
  } while (0)

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::warn); }

  void StartServer(ServerOptions options = {}, std::function<void()> before_extract = nullptr) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.workers == 0) options.workers = 2;
    if (options.worker.binary.empty()) options.worker.binary = PACTUM_BINARY;
    server_ = std::make_unique<Server>(options);
    if (before_extract) server_->TEST_SetBeforeExtractHook(std::move(before_extract));
    Result<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().ToString();
    ASSERT_GT(*port, 0);
  }

  // Starts a server whose extractions wait at gate_ until the test opens it.
  void StartGatedServer(ServerOptions options) { StartServer(options, gate_.Job()); }

  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    c->set_connection_timeout(5);
    c->set_read_timeout(30);
    c->set_write_timeout(30);
    return c;
  }

  httplib::Result PostRaw(const std::string& target, const std::string& body,
                          const std::string& content_type = "application/pdf") {
    return Client()->Post(target.c_str(), body, content_type.c_str());
  }

  httplib::Result PostChunked(const std::string& target, const std::string& body) {
    // A provider without length makes the client send Transfer-Encoding: chunked.
    return Client()->Post(
        target.c_str(),
        [&body](size_t offset, httplib::DataSink& sink) {
          const size_t n = std::min<size_t>(300, body.size() - offset);
          if (n > 0) sink.write(body.data() + offset, n);
          if (offset + n >= body.size()) sink.done();
          return true;
        },
        "application/octet-stream");
  }

  httplib::Result PostMultipart(const std::string& target, const std::string& name, const std::string& content) {
    httplib::MultipartFormDataItems items = {{name, content, "agreement.pdf", "application/pdf"}};
    return Client()->Post(target.c_str(), items);
  }

  void TearDown() override {
    if (!server_) return;
    gate_.Open();
    // Whatever the test sent, the server still serves.
    auto r = Client()->Get("/healthz");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"status":"ok"})");
    server_->Stop();
  }

  Gate gate_;
  std::unique_ptr<Server> server_;
};

// ---- 200 -------------------------------------------------------------------

void ExpectSeedRecord(const httplib::Result& r) {
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  const json j = json::parse(r->body);
  EXPECT_EQ(j["id"], extract::Sha256Hex(SeedPdf()));
  EXPECT_EQ(j["document"]["media_type"], "application/pdf");
  EXPECT_EQ(j["document"]["bytes"], SeedPdf().size());
  EXPECT_EQ(j["document"]["pages"], 4);
  EXPECT_TRUE(j["document"]["page_info"].is_array());
  ASSERT_TRUE(j.contains("agreement"));
  EXPECT_TRUE(j["agreement"]["parties"].is_array());
  EXPECT_TRUE(j["signatures"].is_array());
  EXPECT_TRUE(j["warnings"].is_array());
}

TEST_F(ServerTest, BornDigitalPdfAsRawBodyIs200) {
  StartServer();
  ExpectSeedRecord(PostRaw("/v1/extract", SeedPdf()));
}

TEST_F(ServerTest, AnyContentTypeIsAcceptedForRawBodies) {
  StartServer();
  ExpectSeedRecord(PostRaw("/v1/extract", SeedPdf(), "text/plain"));
}

TEST_F(ServerTest, BornDigitalPdfAsMultipartFilePartIs200) {
  StartServer();
  ExpectSeedRecord(PostMultipart("/v1/extract", "file", SeedPdf()));
}

TEST_F(ServerTest, BornDigitalPdfAsChunkedBodyIs200) {
  StartServer();
  ExpectSeedRecord(PostChunked("/v1/extract", SeedPdf()));
}

TEST_F(ServerTest, ValidQueryParametersAreAccepted) {
  StartServer();
  ExpectSeedRecord(PostRaw("/v1/extract?ocr=never&lang=deu%2Beng&store=false", SeedPdf()));
  // A literal '+' decodes to a space; it still means deu+eng.
  ExpectSeedRecord(PostRaw("/v1/extract?lang=deu+eng&ocr=auto", SeedPdf()));
}

TEST_F(ServerTest, ImageIsExtractedWithOcr) {
  // One OCRed page (a few seconds): engines come from the server's pool.
  StartServer();
  auto r = PostRaw("/v1/extract", ReadFile(CorpusPath("b03-jpeg.jpg")), "image/jpeg");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  const json j = json::parse(r->body);
  EXPECT_EQ(j["document"]["media_type"], "image/jpeg");
  EXPECT_EQ(j["document"]["text_source"], "ocr");
  EXPECT_TRUE(j["document"]["ocr_mean_confidence"].is_number());
}

// ---- 400 -------------------------------------------------------------------

TEST_F(ServerTest, UnknownQueryParameterIs400) {
  StartServer();
  auto r = PostRaw("/v1/extract?colour=blue", SeedPdf());
  EXPECT_TRUE(IsError(r, 400, "bad_request"));
  EXPECT_NE(MessageOf(r).find("colour"), std::string::npos);
}

TEST_F(ServerTest, BadOcrValueIs400) {
  StartServer();
  EXPECT_TRUE(IsError(PostRaw("/v1/extract?ocr=sometimes", SeedPdf()), 400, "bad_request"));
}

TEST_F(ServerTest, BadLangValueIs400) {
  StartServer();
  EXPECT_TRUE(IsError(PostRaw("/v1/extract?lang=deu%3Brm", SeedPdf()), 400, "bad_request"));
  EXPECT_TRUE(IsError(PostRaw("/v1/extract?lang=", SeedPdf()), 400, "bad_request"));
  EXPECT_TRUE(IsError(PostRaw("/v1/extract?lang=..%2Fetc", SeedPdf()), 400, "bad_request"));
  EXPECT_TRUE(IsError(PostRaw("/v1/extract?lang=" + std::string(65, 'a'), SeedPdf()), 400, "bad_request"));
}

TEST_F(ServerTest, StoreTrueWithoutAnArchiveIs400) {
  StartServer();  // store_uri empty: no archive
  auto r = PostRaw("/v1/extract?store=true", SeedPdf());
  EXPECT_TRUE(IsError(r, 400, "bad_request"));
  EXPECT_NE(MessageOf(r).find("without an archive"), std::string::npos) << MessageOf(r);
  EXPECT_TRUE(IsError(PostRaw("/v1/documents", SeedPdf()), 400, "bad_request"));
  EXPECT_TRUE(IsError(Client()->Get("/v1/documents"), 400, "bad_request"));
  EXPECT_TRUE(IsError(PostRaw("/v1/extract?store=maybe", SeedPdf()), 400, "bad_request"));
}

TEST_F(ServerTest, RepeatedQueryParameterIs400) {
  StartServer();
  EXPECT_TRUE(IsError(PostRaw("/v1/extract?ocr=auto&ocr=never", SeedPdf()), 400, "bad_request"));
}

TEST_F(ServerTest, EmptyBodyIs400) {
  StartServer();
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", ""), 400, "bad_request"));
  EXPECT_TRUE(IsError(PostMultipart("/v1/extract", "file", ""), 400, "bad_request"));
}

TEST_F(ServerTest, MultipartWithoutFilePartIs400) {
  StartServer();
  auto r = PostMultipart("/v1/extract", "document", SeedPdf());
  EXPECT_TRUE(IsError(r, 400, "bad_request"));
  EXPECT_NE(MessageOf(r).find("file"), std::string::npos);
}

TEST_F(ServerTest, MultipartWithTwoFilePartsIs400) {
  StartServer();
  httplib::MultipartFormDataItems items = {{"file", SeedPdf(), "a.pdf", "application/pdf"},
                                           {"file", SeedPdf(), "b.pdf", "application/pdf"}};
  EXPECT_TRUE(IsError(Client()->Post("/v1/extract", items), 400, "bad_request"));
}

TEST_F(ServerTest, OtherEndpointsRejectQueryParameters) {
  StartServer();
  EXPECT_TRUE(IsError(Client()->Get("/healthz?verbose=1"), 400, "bad_request"));
  EXPECT_TRUE(IsError(Client()->Get("/readyz?x"), 400, "bad_request"));
  EXPECT_TRUE(IsError(Client()->Get("/openapi.json?format=yaml"), 400, "bad_request"));
}

TEST_F(ServerTest, MalformedChunkedBodyIs400) {
  StartServer();
  const std::string reply = RawExchange(server_->port(),
                                        "POST /v1/extract HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                        "Connection: close\r\n\r\nZZZ\r\n%PDF\r\n0\r\n\r\n");
  ExpectRawReply(reply, 400, R"("code":"bad_request")");
}

TEST_F(ServerTest, MalformedRequestLineGetsJsonError) {
  StartServer();
  const std::string reply = RawExchange(server_->port(), "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
  ExpectRawReply(reply, 400, R"({"error":{"code":"bad_request")");
}

// ---- 404 / 405 -------------------------------------------------------------

TEST_F(ServerTest, UnknownPathIs404WithJsonBody) {
  StartServer();
  EXPECT_TRUE(IsError(Client()->Get("/v2/extract"), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Get("/index.html"), 404, "not_found"));  // the web app is at / and /app/
  EXPECT_TRUE(IsError(Client()->Get("/app"), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Get("/app/sub/app.js"), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Get("/v1/documents/abc/pages/1.jpg"), 404, "not_found"));
  EXPECT_TRUE(IsError(PostRaw("/v1/extract/", SeedPdf()), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Delete("/v1/archive/abc"), 404, "not_found"));
  EXPECT_TRUE(IsError(Client()->Get("/v1/documents/abc/file/more"), 404, "not_found"));
}

TEST_F(ServerTest, WrongMethodIs405WithAllowAndJsonBody) {
  StartServer();
  auto r = Client()->Get("/v1/extract");
  EXPECT_TRUE(IsError(r, 405, "method_not_allowed"));
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  r = Client()->Post("/healthz", "x", "text/plain");
  EXPECT_TRUE(IsError(r, 405, "method_not_allowed"));
  EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD");
  EXPECT_TRUE(IsError(Client()->Put("/readyz", "", "text/plain"), 405, "method_not_allowed"));
  EXPECT_TRUE(IsError(Client()->Delete("/openapi.json"), 405, "method_not_allowed"));
}

// ---- 413 -------------------------------------------------------------------

class UploadCapTest : public ServerTest {
 protected:
  static constexpr size_t kCap = 1000;
  void SetUp() override {
    ServerOptions o;
    o.max_upload_bytes = kCap;
    StartServer(o);
  }
  // Not a known format: at the cap this gives 415, not 413.
  static std::string Bytes(size_t n) { return std::string(n, 'x'); }
};

TEST_F(UploadCapTest, ContentLengthBodyAtTheCapIsNot413) {
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", Bytes(kCap)), 415, "unsupported_media_type"));
}

TEST_F(UploadCapTest, ContentLengthBodyOneByteOverTheCapIs413) {
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", Bytes(kCap + 1)), 413, "too_large"));
}

TEST_F(UploadCapTest, ChunkedBodyAtTheCapIsNot413) {
  EXPECT_TRUE(IsError(PostChunked("/v1/extract", Bytes(kCap)), 415, "unsupported_media_type"));
}

TEST_F(UploadCapTest, ChunkedBodyOneByteOverTheCapIs413) {
  EXPECT_TRUE(IsError(PostChunked("/v1/extract", Bytes(kCap + 1)), 413, "too_large"));
}

TEST_F(UploadCapTest, LargeChunkedBodyIs413) {
  // Far over the cap: the server stops reading a little past it (nothing is
  // buffered beyond the cap) and answers while the client is still sending;
  // this client reads while it writes, as curl does.
  const int fd = ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  std::thread writer([fd] {
    std::string out = "POST /v1/extract HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    for (int i = 0; i < 48 && ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) >= 0; ++i) out = chunk;  // 3 MiB
  });
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string reply;
  char buf[4096];
  while (!IsCompleteResponse(reply)) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::shutdown(fd, SHUT_RDWR);
  writer.join();
  ::close(fd);
  ExpectRawReply(reply, 413, R"("code":"too_large")");
}

TEST_F(UploadCapTest, MultipartFileAtTheCapIsNot413) {
  EXPECT_TRUE(IsError(PostMultipart("/v1/extract", "file", Bytes(kCap)), 415, "unsupported_media_type"));
}

TEST_F(UploadCapTest, MultipartFileOneByteOverTheCapIs413) {
  EXPECT_TRUE(IsError(PostMultipart("/v1/extract", "file", Bytes(kCap + 1)), 413, "too_large"));
}

TEST_F(UploadCapTest, DeclaredLengthFarOverTheCapIs413BeforeTheBody) {
  // Only the headers are sent: the answer must not wait for the body.
  const std::string reply = RawExchange(server_->port(),
                                        "POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n"
                                        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n");
  ExpectRawReply(reply, 413, R"("code":"too_large")");
}

TEST_F(UploadCapTest, ExpectContinueWithLengthOverTheCapIs413WithoutContinue) {
  const std::string reply = RawExchange(server_->port(),
                                        "POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n"
                                        "Expect: 100-continue\r\n\r\n");
  ExpectRawReply(reply, 413, R"("code":"too_large")");
}

// ---- 415 -------------------------------------------------------------------

TEST_F(ServerTest, PlainTextIs415) {
  StartServer();
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", "This agreement is made between A and B.\n", "application/pdf"), 415,
                      "unsupported_media_type"));
}

TEST_F(ServerTest, CompressedRequestBodyIs415) {
  StartServer();
  for (const char* encoding : {"gzip", "deflate", "br"}) {
    httplib::Headers headers = {{"Content-Encoding", encoding}};
    EXPECT_TRUE(IsError(Client()->Post("/v1/extract", headers, SeedPdf(), "application/pdf"), 415,
                        "unsupported_media_type"))
        << encoding;
  }
  httplib::Headers identity = {{"Content-Encoding", "identity"}};
  ExpectSeedRecord(Client()->Post("/v1/extract", identity, SeedPdf(), "application/pdf"));
}

TEST_F(ServerTest, ExpectContinueWithCompressedBodyIs415WithoutContinue) {
  StartServer();
  const std::string reply = RawExchange(server_->port(),
                                        "POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                                        "Content-Encoding: gzip\r\nExpect: 100-continue\r\n\r\n");
  ExpectRawReply(reply, 415, R"("code":"unsupported_media_type")");
}

// ---- 422 -------------------------------------------------------------------

TEST_F(ServerTest, TruncatedPdfIs422) {
  StartServer();
  const std::string truncated = SeedPdf().substr(0, SeedPdf().size() * 30 / 100);
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", truncated), 422, "unprocessable"));
}

TEST_F(ServerTest, EncryptedPdfIs422) {
  StartServer();
  auto r = PostRaw("/v1/extract", EncryptedPdf());
  EXPECT_TRUE(IsError(r, 422, "unprocessable"));
  EXPECT_NE(MessageOf(r).find("encrypted"), std::string::npos) << r->body;
}

// ---- 500 -------------------------------------------------------------------

TEST_F(ServerTest, ExceptionDuringExtractionIs500AndServingGoesOn) {
  StartServer({}, [] { throw std::runtime_error("injected failure"); });
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", SeedPdf()), 500, "internal"));
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", SeedPdf()), 500, "internal"));
}

TEST_F(ServerTest, ExceptionInAHandlerIs500AndServingGoesOn) {
  auto fail = std::make_shared<std::atomic<bool>>(true);
  server_ = nullptr;
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.workers = 1;
  o.worker.binary = PACTUM_BINARY;
  server_ = std::make_unique<Server>(o);
  server_->TEST_SetBeforeRoutingHook([fail] {
    if (*fail) throw std::logic_error("injected handler failure");
  });
  ASSERT_TRUE(server_->Start().ok());
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", SeedPdf()), 500, "internal"));
  EXPECT_TRUE(IsError(Client()->Get("/readyz"), 500, "internal"));
  *fail = false;
  ExpectSeedRecord(PostRaw("/v1/extract", SeedPdf()));
}

// ---- 503 -------------------------------------------------------------------

int ReadyzStatus(httplib::Client& c) {
  auto r = c.Get("/readyz");
  return r ? r->status : -1;
}

TEST_F(ServerTest, SlowClientsDoNotStopTheOthers) {
  StartServer();
  // 40 connections that drip a header line every 200 ms and never finish
  // their request (slowloris), the way slow uploads hold threads too.
  std::vector<int> slow;
  for (int i = 0; i < 40; ++i) {
    const int fd = ConnectLoopback(server_->port());
    ASSERT_GE(fd, 0);
    const std::string head = "POST /v1/extract HTTP/1.1\r\nHost: x\r\n";
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  std::atomic<bool> stop = false;
  std::thread drip([&] {
    for (int i = 0; !stop; ++i) {
      const std::string line = "X-Drip-" + std::to_string(i) + ": 1\r\n";
      for (int fd : slow) ::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  for (int i = 0; i < 5; ++i) {
    auto c = Client();
    c->set_read_timeout(2);
    auto h = c->Get("/healthz");
    EXPECT_TRUE(h && h->status == 200) << "GET /healthz " << i << " went unanswered";
    auto v = Client()->Post("/v1/verify", SeedPdf(), "application/pdf");
    EXPECT_TRUE(v && v->status == 200) << "POST /v1/verify " << i << " went unanswered";
  }
  stop = true;
  drip.join();
  for (int fd : slow) ::close(fd);
}

TEST_F(ServerTest, FullQueueIs503WithRetryAfter) {
  ServerOptions o;
  o.workers = 1;
  o.queue = 1;
  StartGatedServer(o);
  auto probe = Client();
  EXPECT_EQ(ReadyzStatus(*probe), 200);

  // One document occupies the worker, a second waits in the queue.
  auto running = std::async(std::launch::async, [&] { return PostRaw("/v1/extract", SeedPdf()); });
  ASSERT_TRUE(WaitUntil([&] { return gate_.entered() == 1; }));
  auto queued = std::async(std::launch::async, [&] { return PostRaw("/v1/extract", SeedPdf()); });
  ASSERT_TRUE(WaitUntil([&] { return ReadyzStatus(*probe) == 503; }));

  auto refused = PostRaw("/v1/extract", SeedPdf());
  EXPECT_TRUE(IsError(refused, 503, "overloaded"));
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
  auto not_ready = probe->Get("/readyz");
  EXPECT_TRUE(IsError(not_ready, 503, "overloaded"));
  EXPECT_EQ(not_ready->get_header_value("Retry-After"), "1");

  gate_.Open();
  ExpectSeedRecord(running.get());
  ExpectSeedRecord(queued.get());
  EXPECT_TRUE(WaitUntil([&] { return ReadyzStatus(*probe) == 200; }));
}

TEST_F(ServerTest, ReadyzReportsTheQueue) {
  ServerOptions o;
  o.workers = 3;
  o.queue = 5;
  StartServer(o);
  auto r = Client()->Get("/readyz");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const json j = json::parse(r->body);
  EXPECT_EQ(j["status"], "ready");
  EXPECT_EQ(j["workers"], 3);
  EXPECT_EQ(j["running"], 0);
  EXPECT_EQ(j["queued"], 0);
  EXPECT_EQ(j["queue_capacity"], 5);
}

// ---- 504 -------------------------------------------------------------------

TEST_F(ServerTest, DocumentOverTheTimeLimitIs504) {
  ServerOptions o;
  o.workers = 1;
  o.timeout = std::chrono::milliseconds(200);
  StartGatedServer(o);
  auto r = PostRaw("/v1/extract", SeedPdf());
  EXPECT_TRUE(IsError(r, 504, "timeout"));
  // The abandoned job finishes in the background; the worker is then free.
  gate_.Open();
  auto probe = Client();
  EXPECT_TRUE(WaitUntil([&] { return ReadyzStatus(*probe) == 200; }));
}

TEST_F(ServerTest, RealExtractionOverATinyTimeLimitIs504) {
  ServerOptions o;
  o.timeout = std::chrono::milliseconds(1);
  StartServer(o);
  EXPECT_TRUE(IsError(PostRaw("/v1/extract", SeedPdf()), 504, "timeout"));
}

// ---- operations ------------------------------------------------------------

TEST_F(ServerTest, HealthzIs200) {
  StartServer();
  auto r = Client()->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r->body), json({{"status", "ok"}}));
  auto head = Client()->Head("/healthz");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
}

TEST_F(ServerTest, OpenApiDescribesExactlyTheEndpoints) {
  ServerOptions options;
  options.store_uri = "sqlite:" + TempPath("openapi.db");
  StartServer(options);
  // The archive holds the seed, so that /v1/documents/{id} paths exist.
  const std::string id = json::parse(PostRaw("/v1/documents", SeedPdf())->body)["id"];
  // A job, so that /v1/jobs/{id} paths exist.
  const std::string job = json::parse(PostRaw("/v1/jobs?op=verify", SeedPdf())->body)["id"];
  auto r = Client()->Get("/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  const json doc = json::parse(r->body);
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.", 0), 0u);

  std::set<std::string> paths;
  for (const auto& [path, ops] : doc["paths"].items()) {
    paths.insert(path);
    std::string target = path;
    if (const auto hole = target.find("{id}"); hole != std::string::npos) {
      target.replace(hole, 4, path.rfind("/v1/jobs/", 0) == 0 ? job : id);
    }
    if (const auto hole = target.find("{n}"); hole != std::string::npos) target.replace(hole, 3, "1");
    if (const auto hole = target.find("{file}"); hole != std::string::npos) target.replace(hole, 6, "app.js");
    for (const auto& [method, op] : ops.items()) {
      // Each described operation exists: it is neither 404 nor 405.
      // A PUT sends back what GET serves (a record's correction).
      httplib::Result res = method == "get"      ? Client()->Get(target.c_str())
                            : method == "delete" ? Client()->Delete(target.c_str())
                            : method == "put"    ? Client()->Put(target.c_str(), Client()->Get(target.c_str())->body,
                                                                 "application/json")
                                                 : Client()->Post(target.c_str(), SeedPdf(), "application/pdf");
      ASSERT_TRUE(res) << method << " " << path;
      EXPECT_NE(res->status, 404) << method << " " << path;
      EXPECT_NE(res->status, 405) << method << " " << path;
      EXPECT_TRUE(op.contains("responses")) << path;
    }
  }
  EXPECT_EQ(paths, (std::set<std::string>{"/v1/extract", "/v1/verify", "/v1/sign", "/v1/documents",
                                         "/v1/documents/{id}", "/v1/documents/{id}/file",
                                         "/v1/documents/{id}/pages/{n}.png", "/v1/documents/{id}/searchable.pdf",
                                         "/v1/documents/{id}/text", "/v1/documents/{id}/versions", "/v1/jobs",
                                         "/v1/jobs/{id}", "/v1/jobs/{id}/result", "/healthz", "/readyz", "/metrics",
                                         "/openapi.json", "/", "/app/{file}"}));

  // The record schema covers what the service emits, page_info included.
  const json& schemas = doc["components"]["schemas"];
  for (const char* name : {"AgreementRecord", "DocumentInfo", "PageInfo", "Agreement", "Party", "Amount", "DateItem",
                           "Project", "Signatory", "Evidence", "Warning", "Error"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
  const json record = json::parse(PostRaw("/v1/extract", SeedPdf())->body);
  for (const auto& [key, value] : record.items()) {
    EXPECT_TRUE(schemas["AgreementRecord"]["properties"].contains(key)) << key;
  }
  for (const auto& [key, value] : record["document"].items()) {
    EXPECT_TRUE(schemas["DocumentInfo"]["properties"].contains(key)) << key;
  }
  for (const auto& [key, value] : record["agreement"].items()) {
    EXPECT_TRUE(schemas["Agreement"]["properties"].contains(key)) << key;
  }
  // So does it for an archived record with its text and version.
  const json stored = json::parse(Client()->Get(("/v1/documents/" + id + "?text=true").c_str())->body);
  ASSERT_TRUE(stored.contains("version") && stored["document"].contains("text")) << stored.dump().substr(0, 300);
  for (const auto& [key, value] : stored.items()) {
    EXPECT_TRUE(schemas["AgreementRecord"]["properties"].contains(key)) << key;
  }
  for (const auto& [key, value] : stored["document"].items()) {
    EXPECT_TRUE(schemas["DocumentInfo"]["properties"].contains(key)) << key;
  }
  for (const auto& [key, value] : stored["version"].items()) {
    EXPECT_TRUE(schemas["Version"]["properties"].contains(key)) << key;
  }
}

TEST_F(ServerTest, ServesRequestsOnOneKeptAliveConnection) {
  StartServer();
  httplib::Client c("127.0.0.1", server_->port());
  c.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto bad = c.Post("/v1/extract?nope=1", SeedPdf(), "application/pdf");
    EXPECT_TRUE(IsError(bad, 400, "bad_request"));
    ExpectSeedRecord(c.Post("/v1/extract", SeedPdf(), "application/pdf"));
  }
}

}  // namespace
}  // namespace pactum::service
