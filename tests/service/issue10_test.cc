// Regression tests of issue 10: the faults an attack on a running service
// found, each reproduced against a real server on loopback with real
// `pactum worker` processes. Every test here failed on the code before the
// fix.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "pactum/service/server.h"
#include "test_util.h"

namespace pactum::service {
namespace {

using json = nlohmann::json;
using testutil::BuildPdf;
using testutil::FlateBomb;
using testutil::IsError;
using testutil::SeedPdf;
using testutil::TempPath;
using testutil::WaitUntil;
using testutil::WriteFile;

// The test process's resident memory, in bytes (the server runs in it).
long long ResidentBytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

// A plain TCP connection to the server, for requests no HTTP client sends.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }

  // Sends all of `bytes`; false when the server closed the connection.
  bool Send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Everything the server sends until it closes (or 10 s pass).
  std::string ReadAll() {
    std::string out;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

class Issue10Test : public testutil::ServerFixture {};

// A PEM key and self-signed certificate for /v1/sign.
signing::SigningConfig MakeSigningKey() {
  const std::string key = TempPath("sign.key"), cert = TempPath("sign.pem");
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "
                          "'/CN=pactum test signer' -keyout " + key + " -out " + cert + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  signing::SigningConfig c;
  c.key_file = key;
  c.cert_file = cert;
  return c;
}

// 1. Invalid UTF-8 in a signing parameter made encoding the worker request
// throw after the worker had left the idle list: 500, and the worker was
// never replaced. Two such requests left a 2-worker service with none.
TEST_F(Issue10Test, InvalidUtf8ParametersAre400AndNoWorkerIsLost) {
  ServerOptions o;
  o.sign_key = MakeSigningKey();
  Start(o);
  auto c = Client();
  for (const char* param : {"reason", "location", "contact", "field"}) {
    const std::string target = std::string("/v1/sign?") + param + "=%FF";
    EXPECT_TRUE(IsError(c->Post(target.c_str(), SeedPdf(), "application/pdf"), 400, "bad_request")) << param;
  }
  EXPECT_TRUE(IsError(c->Post("/v1/extract?filename=%C3%28.pdf", SeedPdf(), "application/pdf"), 400, "bad_request"));
  EXPECT_TRUE(IsError(c->Get("/v1/documents?q=%FF"), 400, "bad_request"));
  // Both workers are still there and take documents.
  EXPECT_EQ(server_->WorkerPids().size(), 2u);
  for (int i = 0; i < 3; ++i) {
    auto r = c->Post("/v1/sign?reason=Freigabe%20%C3%BCberpr%C3%BCft", SeedPdf(), "application/pdf");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  auto ready = c->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(json::parse(ready->body)["workers_alive"], 2);
}

// 6b. An idle worker killed from outside made the next, innocent request
// fail with "the document crashed the parser".
TEST_F(Issue10Test, AnIdleWorkerKilledFromOutsideCostsNoRequest) {
  ServerOptions o;
  o.workers = 1;
  Start(o);
  const std::vector<int> before = server_->WorkerPids();
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(::kill(before[0], SIGKILL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto r = Client()->Post("/v1/extract", SeedPdf(), "application/pdf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  // The pool and what it reports are back to one live worker.
  EXPECT_TRUE(WaitUntil([&] {
    const std::vector<int> now = server_->WorkerPids();
    return now.size() == 1 && now[0] != before[0];
  }));
  auto ready = Client()->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(json::parse(ready->body)["workers_alive"], 1);
}

// 2. One request with thousands of ranges got an answer of hundreds of
// megabytes (a multipart part per range).
TEST_F(Issue10Test, ManyRangesGetTheWholeAnswerOnce) {
  Start({});
  auto c = Client();
  auto whole = c->Get("/openapi.json");
  ASSERT_TRUE(whole);
  // 2,700 ranges in under 8 KiB of header (the whole document each).
  std::string ranges = "bytes=0-";
  for (int i = 1; i < 2700; ++i) ranges += ",0-";
  auto r = c->Get("/openapi.json", {{"Range", ranges}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, whole->body);
  // One range on a route that does not serve ranges: the whole answer too.
  auto one = c->Get("/openapi.json", {{"Range", "bytes=0-9"}});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  EXPECT_EQ(one->body.size(), whole->body.size());
}

TEST_F(Issue10Test, StoredFilesServeOneRangeAnd416IsJson) {
  ServerOptions o;
  o.store_uri = "sqlite:" + TempPath("ranges.db");
  Start(o);
  auto c = Client();
  auto stored = c->Post("/v1/documents", SeedPdf(), "application/pdf");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 201) << stored->body;
  const std::string file = stored->get_header_value("Location") + "/file";
  auto part = c->Get(file.c_str(), {{"Range", "bytes=0-7"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, SeedPdf().substr(0, 8));
  EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 0-7/" + std::to_string(SeedPdf().size()));
  auto tail = c->Get(file.c_str(), {{"Range", "bytes=-5"}});
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, SeedPdf().substr(SeedPdf().size() - 5));
  const std::string past = "bytes=" + std::to_string(SeedPdf().size() + 10) + "-";
  EXPECT_TRUE(IsError(c->Get(file.c_str(), {{"Range", past}}), 416, "range_not_satisfiable"));
  EXPECT_TRUE(IsError(c->Get(file.c_str(), {{"Range", "bytes=x-y"}}), 416, "range_not_satisfiable"));
}

// 3. Headers were read without bound before any key check: four
// connections with 200 MB of headers each took the parent to 1.6 GB.
TEST_F(Issue10Test, HeaderFloodsAreCutAt431WithoutGrowingTheProcess) {
  ServerOptions o;
  o.access.api_keys_file = TempPath("keys");
  WriteFile(o.access.api_keys_file, std::string(64, 'a') + "\n");
  Start(o);
  const long long rss_before = ResidentBytes();
  const std::string line = "X-Filler: " + std::string(8000, 'f') + "\r\n";
  std::vector<std::thread> floods;
  std::atomic<int> answered_431{0};
  std::atomic<long long> most_sent{0};
  for (int i = 0; i < 4; ++i) {
    floods.emplace_back([&] {
      RawConnection conn(server_->port());
      ASSERT_TRUE(conn.connected());
      long long sent = 0;
      if (conn.Send("GET /v1/documents HTTP/1.1\r\nHost: x\r\n")) {
        while (sent < 200LL << 20 && conn.Send(line)) sent += static_cast<long long>(line.size());
      }
      const std::string answer = conn.ReadAll();
      // One answer, then the connection is closed: the rest of the flood
      // is never parsed as further requests.
      std::size_t answers = 0;
      for (std::size_t at = answer.find("HTTP/1.1 "); at != std::string::npos; at = answer.find("HTTP/1.1 ", at + 1)) {
        ++answers;
      }
      if (StatusOf(answer) == 431 && answers == 1) answered_431++;
      long long prev = most_sent.load();
      while (sent > prev && !most_sent.compare_exchange_weak(prev, sent)) {
      }
    });
  }
  for (auto& t : floods) t.join();
  // The server stopped reading long before 200 MB (socket buffers hold a
  // few MB at most) and answered each with 431.
  EXPECT_LT(most_sent.load(), 32LL << 20);
  EXPECT_EQ(answered_431.load(), 4);
  // 800 MB offered; the server's growth is its connection threads' stacks
  // and buffers (a sanitizer adds its shadow memory).
  EXPECT_LT(ResidentBytes() - rss_before, (testutil::kUnderSanitizer ? 200LL : 50LL) << 20);
  // Many small header lines are bounded too.
  RawConnection lines(server_->port());
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 200; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  lines.Send(many + "\r\n");
  EXPECT_EQ(StatusOf(lines.ReadAll()), 431);
}

// 3b. Slow clients held a connection thread each for as long as they liked.
TEST_F(Issue10Test, SlowHeadsAreClosedAtTheHeadTimeout) {
  ServerOptions o;
  o.access.head_timeout = std::chrono::milliseconds(800);
  Start(o);
  RawConnection slow(server_->port());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  bool open = true;
  for (int i = 0; i < 30 && open; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    open = slow.Send("X-Drip-" + std::to_string(i) + ": 1\r\n");
  }
  const std::string answer = slow.ReadAll();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  const int status = StatusOf(answer);
  EXPECT_TRUE(status == 408 || answer.empty()) << answer.substr(0, 200);
  // A client that sends its head at once is unaffected.
  EXPECT_EQ(Client()->Get("/healthz")->status, 200);
}

// 4. The library's default socket options set SO_REUSEPORT: a second
// instance on a busy port started and took a share of the connections.
TEST_F(Issue10Test, ASecondInstanceOnABusyPortFailsToStart) {
  Start({});
  ServerOptions o = testutil::BareOptions();
  o.port = server_->port();
  Server second(o);
  Result<int> port = second.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.error().message.find("in use"), std::string::npos) << port.error().message;
}

// 7. Expect: 100-continue went through the key check and the rate limit
// twice (two X-Request-Id headers, two charges, two Retry-After headers).
TEST_F(Issue10Test, ExpectContinueIsAdmittedOnce) {
  ServerOptions o;
  o.access.rate_per_second = 0.01;
  o.access.rate_burst = 1;
  Start(o);
  RawConnection conn(server_->port());
  const std::string& pdf = SeedPdf();
  ASSERT_TRUE(conn.Send("POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: " +
                        std::to_string(pdf.size()) + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(conn.Send(pdf));
  const std::string answer = conn.ReadAll();
  const std::size_t final_at = answer.find("HTTP/1.1 200");
  ASSERT_NE(final_at, std::string::npos) << answer.substr(0, 300);
  const std::string final_head = answer.substr(final_at, answer.find("\r\n\r\n", final_at) - final_at);
  std::size_t ids = 0;
  for (std::size_t at = final_head.find("X-Request-Id"); at != std::string::npos;
       at = final_head.find("X-Request-Id", at + 1)) {
    ++ids;
  }
  EXPECT_EQ(ids, 1u) << final_head;
  // The one token of the burst went to that request; the next is limited,
  // with one Retry-After.
  auto limited = Client()->Get("/metrics");
  ASSERT_TRUE(IsError(limited, 429, "overloaded"));
  EXPECT_EQ(limited->headers.count("Retry-After"), 1u);
}

// 7. The library percent-decodes header values: "%73ecret" authenticated
// as "secret".
TEST_F(Issue10Test, ApiKeysAreComparedAsSent) {
  const std::string keys = TempPath("keys");
  ServerOptions o;
  o.access.api_keys_file = keys;
  const std::string cmd = "printf %s secret-key | sha256sum | cut -c1-64 > " + keys;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Start(o);
  auto c = Client();
  EXPECT_EQ(c->Get("/metrics", {{"Authorization", "Bearer secret-key"}})->status, 200);
  EXPECT_TRUE(IsError(c->Get("/metrics", {{"Authorization", "Bearer %73ecret-key"}}), 401, "unauthorized"));
}

// 7. Two different Content-Length headers were accepted.
TEST_F(Issue10Test, ConflictingFramingIs400) {
  Start({});
  {
    RawConnection conn(server_->port());
    conn.Send("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n%PDF-1");
    EXPECT_EQ(StatusOf(conn.ReadAll()), 400);
  }
  {
    RawConnection conn(server_->port());
    conn.Send("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
              "5\r\n%PDF-\r\n0\r\n\r\n");
    EXPECT_EQ(StatusOf(conn.ReadAll()), 400);
  }
}

// 5. Decompression bombs passed the guard on /v1/sign and /v1/verify.
TEST_F(Issue10Test, DecompressionBombsAre422OnEveryOperation) {
  ServerOptions o;
  o.sign_key = MakeSigningKey();
  o.max_stream_bytes = 8 << 20;
  Start(o);
  const std::string bomb = FlateBomb(64 << 20);
  auto c = Client();
  for (const char* target : {"/v1/extract", "/v1/verify", "/v1/sign"}) {
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(IsError(c->Post(target, bomb, "application/pdf"), 422, "unprocessable")) << target;
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10.0) << target;
  }
}

// 7. A rect of 1e308 made a PDF that verify called unsigned.
TEST_F(Issue10Test, HugeSignatureRectanglesAre400) {
  ServerOptions o;
  o.sign_key = MakeSigningKey();
  Start(o);
  EXPECT_TRUE(IsError(Client()->Post("/v1/sign?rect=0,0,1e308,1e308", SeedPdf(), "application/pdf"), 400,
                      "bad_request"));
}

// 6. A 200 KB PDF of nested arrays wrote 298,508 log lines (57 MB): one
// Poppler message per level. A document now writes at most 200 lines, then
// one line saying how many were dropped; the same pipeline runs in the CLI.
TEST(Issue10LogTest, ADamagedPdfCannotFloodTheLog) {
  const std::string nested = "[" + std::string(50'000, '[') + std::string(50'001, ']');
  const std::string pdf = BuildPdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Foo " + nested + " >>",
  });
  const std::string in = TempPath("nested.pdf"), err = TempPath("nested.log");
  WriteFile(in, pdf);
  const std::string cmd = std::string(PACTUM_BINARY) + " extract --log-level warn " + in + " >/dev/null 2>" + err;
  std::system(cmd.c_str());
  std::ifstream log(err);
  std::size_t lines = 0;
  bool summary = false;
  for (std::string line; std::getline(log, line);) {
    ++lines;
    if (line.find("further log lines of this document were dropped") != std::string::npos) summary = true;
  }
  EXPECT_LE(lines, 210u);
  EXPECT_TRUE(summary) << lines << " lines, none saying how many were dropped";
}

// New user: POST /v1/documents answered 200 and lost the file's name.
TEST_F(Issue10Test, StoringAnswers201AndKeepsTheFileName) {
  ServerOptions o;
  o.store_uri = "sqlite:" + TempPath("names.db");
  Start(o);
  auto c = Client();
  httplib::MultipartFormDataItems items = {{"file", SeedPdf(), "Vertrag Nr. 7.pdf", "application/pdf"}};
  auto first = c->Post("/v1/documents", items);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201) << first->body;
  const json record = json::parse(first->body);
  EXPECT_EQ(record["document"]["file_name"], "Vertrag Nr. 7.pdf");
  EXPECT_EQ(first->get_header_value("Location"), "/v1/documents/" + record["id"].get<std::string>());
  auto again = c->Post("/v1/documents?filename=copy.pdf", SeedPdf(), "application/pdf");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  auto stored = c->Get(first->get_header_value("Location").c_str());
  ASSERT_TRUE(stored);
  EXPECT_EQ(json::parse(stored->body)["document"]["file_name"], "copy.pdf");
}

}  // namespace
}  // namespace pactum::service
