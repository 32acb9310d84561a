// Callbacks (service/webhook.h): the allow-list policy and the URL checks,
// the Pactum-Signature scheme against an independent HMAC, and delivery to a
// real receiver (cpp-httplib on loopback: HTTP over IPv4 and IPv6, a host
// name, HTTPS with a generated certificate) with retries, backoff, give-up,
// a bounded queue and a prompt stop.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <regex>

#include "metrics.h"
#include "openapi.h"
#include "test_util.h"
#include "webhook.h"

namespace pactum::service {
namespace {

using testutil::TempPath;
using testutil::WaitUntil;
using testutil::WriteFile;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// HMAC-SHA256 of `message` with `key`, lowercase hex, through OpenSSL's
// EVP_MAC interface (the service uses the one-shot HMAC()).
std::string IndependentHmacHex(const std::string& key, const std::string& message) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  unsigned char out[32];
  std::size_t out_length = 0;
  const bool ok = EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) == 1 &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1 &&
                  EVP_MAC_final(ctx, out, &out_length, sizeof out) == 1;
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  EXPECT_TRUE(ok);
  std::ostringstream hex;
  for (std::size_t i = 0; i < out_length; ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex << kHex[out[i] >> 4] << kHex[out[i] & 15];
  }
  return hex.str();
}

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The value of one series of the registry's text exposition, 0 when absent.
double SeriesValue(const Metrics& metrics, const std::string& series) {
  std::istringstream lines(metrics.Render());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

double Outcomes(const Metrics& m, const std::string& outcome) {
  return SeriesValue(m, "pactum_callbacks_total{outcome=\"" + outcome + "\"}");
}

double Attempts(const Metrics& m, const std::string& result) {
  return SeriesValue(m, "pactum_callback_attempts_total{result=\"" + result + "\"}");
}

// A callback receiver on loopback: answers the n-th request (from 0) with
// status_for(n) and records every request. With a gate, each request waits
// in the handler until the gate opens (a receiver that hangs).
class Receiver {
 public:
  struct Request {
    httplib::Headers headers;
    std::string target, body;
    Clock::time_point at;
  };

  explicit Receiver(std::function<int(int)> status_for, const std::string& host = "127.0.0.1",
                    std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
      : status_for_(std::move(status_for)), server_(std::move(server)) {
    server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      int n = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        n = static_cast<int>(requests_.size());
        requests_.push_back({req.headers, req.target, req.body, Clock::now()});
      }
      if (gated_) gate_.wait();
      res.status = status_for_(n);
      if (!endless_) {
        res.set_content("{}", "application/json");
        return;
      }
      res.set_chunked_content_provider("application/json", [](std::size_t, httplib::DataSink& sink) {
        const std::string chunk(64 * 1024, ' ');
        return sink.is_writable() && sink.write(chunk.data(), chunk.size());
      });
    });
    port_ = server_->bind_to_any_port(host);
    EXPECT_GT(port_, 0) << "cannot bind " << host;
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    EXPECT_TRUE(WaitUntil([this] { return server_->is_running(); }));
  }

  ~Receiver() {
    Open();
    server_->stop();
    thread_.join();
  }

  // Answers are JSON that never ends.
  void AnswerEndlessly() { endless_ = true; }

  // Requests wait in the handler until Open().
  void Gate() { gated_ = true; }
  void Open() {
    std::call_once(opened_, [this] { open_.set_value(); });
  }

  int port() const { return port_; }
  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::size_t count() const { return requests().size(); }

 private:
  std::function<int(int)> status_for_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = -1;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Request> requests_;
  std::atomic<bool> gated_{false};
  std::atomic<bool> endless_{false};
  std::promise<void> open_;
  std::shared_future<void> gate_ = open_.get_future().share();
  std::once_flag opened_;
};

std::function<int(int)> Always(int status) {
  return [status](int) { return status; };
}

// Options for tests: short delays, one thread.
CallbackOptions FastOptions(std::vector<std::string> allow, std::vector<std::chrono::milliseconds> delays = {10ms}) {
  CallbackOptions o;
  o.allow = std::move(allow);
  o.retry_delays = std::move(delays);
  o.timeout = 10s;
  o.threads = 1;
  return o;
}

std::unique_ptr<CallbackSender> MakeSender(const CallbackOptions& o, Metrics* metrics, std::string secret = "") {
  Result<CallbackPolicy> policy = CallbackPolicy::Parse(o.allow);
  EXPECT_TRUE(policy.ok()) << policy.error().message;
  return std::make_unique<CallbackSender>(*policy, std::move(secret), o, metrics);
}

std::string Url(int port, const std::string& path = "/hook") { return "http://127.0.0.1:" + std::to_string(port) + path; }

class WebhookTest : public ::testing::Test {
 protected:
  // WEBHOOK_LOG=1 shows the sender's log lines (one per attempt).
  static void SetUpTestSuite() {
    spdlog::set_level(std::getenv("WEBHOOK_LOG") != nullptr ? spdlog::level::info : spdlog::level::off);
  }
};

// ---- signatures ---------------------------------------------------------------

TEST_F(WebhookTest, SignatureIsTheHmacOfTimestampDotBody) {
  const std::string secret = "whsec_0123456789abcdef", body = R"({"id":"j1","state":"succeeded"})";
  const std::string header = CallbackSignature(secret, 1767787200, body);
  EXPECT_EQ(header, "t=1767787200,v1=" + IndependentHmacHex(secret, "1767787200." + body));
  // Any change of key, time or body changes it.
  EXPECT_NE(CallbackSignature(secret + "x", 1767787200, body), header);
  EXPECT_NE(CallbackSignature(secret, 1767787201, body), header);
  EXPECT_NE(CallbackSignature(secret, 1767787200, body + " "), header);
}

TEST_F(WebhookTest, VerificationChecksKeyBodyTimeAndForm) {
  const std::string secret = "s3cret", body = R"({"id":"j2"})";
  const auto now = std::chrono::system_clock::now();
  const std::int64_t t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string header = CallbackSignature(secret, t, body);
  EXPECT_EQ(VerifyCallbackSignature(header, body, secret, 300s, now), SignatureCheck::kValid);
  EXPECT_EQ(VerifyCallbackSignature(header, body + "x", secret, 300s, now), SignatureCheck::kMismatch);
  EXPECT_EQ(VerifyCallbackSignature(header, body, "other", 300s, now), SignatureCheck::kMismatch);
  // Tolerance: both ways, edge included.
  EXPECT_EQ(VerifyCallbackSignature(header, body, secret, 300s, now + 300s), SignatureCheck::kValid);
  EXPECT_EQ(VerifyCallbackSignature(header, body, secret, 300s, now + 301s), SignatureCheck::kOutsideTolerance);
  EXPECT_EQ(VerifyCallbackSignature(header, body, secret, 300s, now - 301s), SignatureCheck::kOutsideTolerance);
  // Element order, spaces, unknown elements and a second (old key's) v1.
  const std::string v1 = header.substr(header.find("v1="));
  EXPECT_EQ(VerifyCallbackSignature("v1=00ff, v0=abc, " + v1 + " , t=" + std::to_string(t), body, secret, 300s, now),
            SignatureCheck::kValid);
  // A replayed signature with a new time does not verify.
  EXPECT_EQ(VerifyCallbackSignature("t=" + std::to_string(t + 1) + "," + v1, body, secret, 300s, now),
            SignatureCheck::kMismatch);
  for (const std::string& bad : {std::string(""), v1, "t=" + std::to_string(t), "t=12a," + v1, "t=," + v1,
                                "t=-5," + v1, "t=1234567890123456789," + v1}) {
    EXPECT_EQ(VerifyCallbackSignature(bad, body, secret, 300s, now), SignatureCheck::kMalformed) << bad;
  }
}

TEST_F(WebhookTest, SecretIsTheFirstLineOfItsFile) {
  const std::string path = TempPath("secret");
  WriteFile(path, "k3y with spaces\r\nsecond line\n");
  Result<std::string> s = LoadCallbackSecret(path);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(*s, "k3y with spaces");
  WriteFile(path, "no newline");
  EXPECT_EQ(*LoadCallbackSecret(path), "no newline");
  for (const std::string empty : {"", "\n", "\r\nkey on line two\n"}) {
    WriteFile(path, empty);
    Result<std::string> e = LoadCallbackSecret(path);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().message.find("is empty"), std::string::npos) << e.error().message;
  }
  Result<std::string> missing = LoadCallbackSecret(TempPath("missing"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot read the callback secret file"), std::string::npos);
  WriteFile(path, std::string(70 * 1024, 'k'));
  EXPECT_FALSE(LoadCallbackSecret(path).ok());
}

// ---- addresses and policy -------------------------------------------------------

TEST_F(WebhookTest, SpecialAddressKinds) {
  const std::map<std::string, std::string> kinds = {
      {"127.0.0.1", "loopback"},       {"127.255.255.254", "loopback"}, {"10.0.0.1", "private"},
      {"172.16.0.1", "private"},       {"172.31.255.255", "private"},   {"172.32.0.0", ""},
      {"192.168.1.1", "private"},      {"169.254.169.254", "link-local"}, {"0.0.0.0", "unspecified"},
      {"224.0.0.1", "multicast"},      {"255.255.255.255", "reserved"}, {"100.64.0.1", "shared (carrier-grade NAT)"},
      {"8.8.8.8", ""},                 {"93.184.216.34", ""},            {"::1", "loopback"},
      {"::", "unspecified"},           {"fe80::1", "link-local"},        {"febf::1", "link-local"},
      {"fec0::1", "site-local"},       {"fd12:3456::1", "private (unique local)"}, {"ff02::1", "multicast"},
      {"2606:4700::1111", ""},         {"::ffff:10.0.0.1", "private"},   {"::ffff:127.0.0.1", "loopback"},
      {"2001:db8::1", "documentation"}, {"64:ff9b::a00:1", "NAT64"},     {"::2", "reserved"},
  };
  for (const auto& entry : kinds) {
    std::optional<IpAddress> a = IpAddress::Parse(entry.first);
    ASSERT_TRUE(a) << entry.first;
    EXPECT_EQ(SpecialAddressKind(*a), entry.second) << entry.first;
  }
  // Only the standard notations are addresses.
  for (const char* not_an_address : {"127.1", "0x7f.0.0.1", "2130706433", "010.0.0.1", "fe80::1%eth0", "[::1]", ""}) {
    EXPECT_FALSE(IpAddress::Parse(not_an_address)) << not_an_address;
  }
}

TEST_F(WebhookTest, AllowListEntriesAreParsedStrictly) {
  EXPECT_TRUE(CallbackPolicy::Parse({" hooks.example.org ", "*.example.net", "192.0.2.10", "10.20.0.0/16", "[::1]",
                                     "fd00::/8", "Hooks.Example.COM."})
                  .ok());
  const std::map<std::string, std::string> bad = {
      {"10.0.0.1/8", "did you mean 10.0.0.0/8?"},
      {"10.0.0.0/33", "0 to 32"},
      {"fd00::/129", "0 to 128"},
      {"10.0.0.0/x", "not a number"},
      {"https://hooks.example.org/x", "is a URL"},
      {"", "empty entry"},
      {"*", "not a host name"},
      {"*.", "not a host name"},
      {"exa mple.org", "not a host name"},
      {"bad_name.org", "not a host name"},
      {"10.0.0", "not a host name"},
  };
  for (const auto& entry : bad) {
    Result<CallbackPolicy> p = CallbackPolicy::Parse({"ok.example.org", entry.first});
    ASSERT_FALSE(p.ok()) << entry.first;
    EXPECT_NE(p.error().message.find(entry.second), std::string::npos) << entry.first << ": " << p.error().message;
  }
}

struct UrlCase {
  std::vector<std::string> allow;
  std::string url;
  std::string error;  // a part of the message; "" when the URL passes
};

// URLs with IP literals and "localhost" (resolved for real, by /etc/hosts).
TEST_F(WebhookTest, UrlValidationTable) {
  const std::vector<std::string> list = {"192.0.2.10", "10.20.0.0/16", "2001:db8::/32", "hooks.example.org"};
  const std::vector<UrlCase> cases = {
      {{}, "http://192.0.2.10/", "this service sends no callbacks; its operator allows them with --callback-allow"},
      // schemes and form
      {list, "http://192.0.2.10/hook", ""},
      {list, "HTTPS://192.0.2.10", ""},
      {list, "https://192.0.2.10:8443/a/b?c=d&e=f+g", ""},
      {list, "ftp://192.0.2.10/", "http:// or https:// URL, not 'ftp:'"},
      {list, "file:///etc/passwd", "http:// or https:// URL, not 'file:'"},
      {list, "javascript:alert(1)", "absolute http:// or https:// URL"},
      {list, "//192.0.2.10/", "absolute http:// or https:// URL"},
      {list, "192.0.2.10/hook", "absolute http:// or https:// URL"},
      {list, "", "callback_url is empty"},
      {list, "http://192.0.2.10/a b", "percent-encode"},
      {list, "http://192.0.2.10/\xc3\xa4", "percent-encode"},
      {list, "http://192.0.2.10/#frag", "fragment"},
      {list, "http://192.0.2.10/" + std::string(2100, 'a'), "longer than 2048"},
      {list, "http:///hook", "no host"},
      // user information
      {list, "http://user:pw@192.0.2.10/", "user information"},
      {list, "http://192.0.2.10@evil.example/", "user information"},
      // ports
      {list, "http://192.0.2.10:65535/", ""},
      {list, "http://192.0.2.10:0/", "port"},
      {list, "http://192.0.2.10:65536/", "port"},
      {list, "http://192.0.2.10:8o/", "port"},
      // hosts the list does not admit; other spellings of an address
      {list, "http://192.0.2.11/", "is not one this service sends callbacks to"},
      {{"hooks.example.org"}, "http://evil.example/", "is not one this service sends callbacks to"},
      {list, "http://3221225994/", "dotted-quad"},
      {list, "http://0xc0.0.2.10/", "not a valid host name"},
      {{"hooks.example.org"}, "http://hooks.example.org.evil.example/", "is not one"},
      // CIDR edges
      {list, "http://10.20.0.0/", ""},
      {list, "http://10.20.255.255/", ""},
      {list, "http://10.21.0.0/", "is not one"},
      {list, "http://10.19.255.255/", "is not one"},
      // IPv6 literals
      {list, "http://[2001:db8::1]:8080/x", ""},
      {list, "http://[2001:DB8:FFFF:FFFF::]/", ""},
      {list, "http://[2001:db9::1]/", "is not one"},
      {list, "http://[::1]/", "is not one"},
      {list, "http://[fe80::1%25eth0]/", "zones are not accepted"},
      {list, "http://[2001:db8::1/", "lacks its ']'"},
      {list, "http://[192.0.2.10]/", "not an IPv6 address"},
      {list, "http://2001:db8::1/", "must be in brackets"},
      // loopback: only through an IP or CIDR entry
      {{"localhost"}, "http://127.0.0.1:8080/", "is not one"},
      {{"127.0.0.1"}, "http://127.0.0.1:8080/", ""},
      {{"127.0.0.1"}, "http://127.0.0.2:8080/", "is not one"},
      {{"127.0.0.0/8"}, "http://127.1.2.3/", ""},
      {{"127.0.0.1"}, "http://[::ffff:127.0.0.1]/", ""},
      {{"localhost"}, "http://[::ffff:127.0.0.1]/", "is not one"},
      {{"::1"}, "http://[::1]:9/", ""},
      {{"localhost"}, "http://localhost:8080/", "resolves to 127.0.0.1, a loopback address"},
      {{"localhost"}, "http://LOCALHOST.:8080/", "resolves to 127.0.0.1, a loopback address"},
      {{"localhost", "127.0.0.0/8"}, "http://localhost:8080/", ""},
      {{"127.0.0.0/8"}, "http://localhost:8080/", ""},
      {{"10.0.0.0/8"}, "http://localhost:8080/", "resolves to 127.0.0.1, which this service's --callback-allow"},
  };
  for (const UrlCase& c : cases) {
    Result<CallbackPolicy> policy = CallbackPolicy::Parse(c.allow);
    ASSERT_TRUE(policy.ok());
    // Only localhost is looked up; the other names are refused before any
    // look-up.
    auto resolve = [](const std::string& host) -> Result<std::vector<IpAddress>> {
      if (host == "localhost") return ResolveHost(host);
      return Error::BadRequest("callback_url's host " + host + " does not resolve to an address");
    };
    Result<CallbackTarget> t = policy->Check(c.url, resolve);
    const std::string shown = c.url.substr(0, 80);
    if (c.error.empty()) {
      EXPECT_TRUE(t.ok()) << shown << ": " << t.error().message;
    } else {
      ASSERT_FALSE(t.ok()) << shown;
      EXPECT_EQ(t.error().code, ErrorCode::kBadRequest) << shown;
      EXPECT_NE(t.error().message.find(c.error), std::string::npos) << shown << ": " << t.error().message;
    }
  }
}

TEST_F(WebhookTest, TakesTheUrlApartForTheRequest) {
  Result<CallbackUrl> u = ParseCallbackUrl("HTTPS://Hooks.Example.ORG.:8443/a/b?token=x+y,z");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->https);
  EXPECT_EQ(u->host, "hooks.example.org");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->authority, "hooks.example.org:8443");
  EXPECT_EQ(u->target, "/a/b?token=x+y,z");
  EXPECT_EQ(u->Redacted(), "https://hooks.example.org:8443/a/b");  // no query in logs
  u = ParseCallbackUrl("http://[2001:db8::1]:80?x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->authority, "[2001:db8::1]");
  EXPECT_EQ(u->target, "/?x");
  ASSERT_TRUE(u->ip);
  EXPECT_TRUE(u->ip->v6);
}

// Names resolved by a stand-in resolver: what DNS answers decides.
TEST_F(WebhookTest, EveryAddressOfANameMustBeAdmitted) {
  std::map<std::string, std::vector<std::string>> dns = {
      {"hooks.example.org", {"93.184.216.34"}},
      {"a.example.net", {"93.184.216.35", "2606:2800:220:1::1"}},
      {"rebind.example.org", {"93.184.216.34", "10.1.2.3"}},
      {"metadata.example.org", {"::ffff:169.254.169.254"}},
      {"inside.example.org", {"10.1.2.3"}},
  };
  auto resolve = [&dns](const std::string& host) -> Result<std::vector<IpAddress>> {
    if (host == "flaky.example.org") return Error::Overloaded("callback_url's host could not be resolved now");
    std::vector<IpAddress> out;
    for (const std::string& a : dns[host]) out.push_back(*IpAddress::Parse(a));
    if (out.empty()) return Error::BadRequest("callback_url's host " + host + " does not resolve to an address");
    return out;
  };
  const std::vector<std::string> names = {"hooks.example.org", "rebind.example.org", "metadata.example.org",
                                          "inside.example.org", "flaky.example.org", "*.example.net"};
  const CallbackPolicy policy = *CallbackPolicy::Parse(names);
  EXPECT_TRUE(policy.Check("https://hooks.example.org/cb", resolve).ok());
  Result<CallbackTarget> both = policy.Check("https://A.Example.NET/cb", resolve);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->addresses.size(), 2u);
  EXPECT_FALSE(policy.Check("https://example.net/cb", resolve).ok());  // the wildcard wants a label before it
  Result<CallbackTarget> t = policy.Check("https://rebind.example.org/cb", resolve);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("resolves to 10.1.2.3, a private address"), std::string::npos) << t.error().message;
  t = policy.Check("http://metadata.example.org/", resolve);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("169.254.169.254, a link-local address"), std::string::npos) << t.error().message;
  t = policy.Check("http://flaky.example.org/", resolve);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kOverloaded);
  t = policy.Check("http://nowhere.example.net/", resolve);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kBadRequest);
  // An explicit range admits the private address.
  std::vector<std::string> with_range = names;
  with_range.push_back("10.0.0.0/8");
  const CallbackPolicy wider = *CallbackPolicy::Parse(with_range);
  EXPECT_TRUE(wider.Check("https://rebind.example.org/cb", resolve).ok());
  EXPECT_TRUE(wider.Check("https://inside.example.org/cb", resolve).ok());
  // A range alone admits a name whose every address it covers, and no other.
  const CallbackPolicy range_only = *CallbackPolicy::Parse({"10.0.0.0/8"});
  EXPECT_TRUE(range_only.Check("https://inside.example.org/cb", resolve).ok());
  t = range_only.Check("https://rebind.example.org/cb", resolve);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("resolves to 93.184.216.34, which"), std::string::npos) << t.error().message;
}

// ---- delivery ---------------------------------------------------------------------

TEST_F(WebhookTest, DeliversASignedCallbackToARealReceiver) {
  Receiver receiver(Always(204));
  Metrics metrics;
  const std::string secret = "whsec_test_key";
  auto sender = MakeSender(FastOptions({"127.0.0.1"}), &metrics, secret);
  const std::string body = R"({"id":"0123","state":"succeeded","op":"extract"})";
  const std::int64_t before = UnixNow();
  Result<std::string> id = sender->Enqueue(Url(receiver.port(), "/hook?token=a+b,c;d%2F"), body);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 32u);
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; })) << metrics.Render();
  EXPECT_EQ(sender->Pending(), 0u);

  ASSERT_EQ(receiver.count(), 1u);
  const Receiver::Request r = receiver.requests()[0];
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.target, "/hook?token=a+b,c;d%2F");  // sent as given
  auto header = [&r](const char* name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string("(none)") : it->second;
  };
  EXPECT_EQ(header("Content-Type"), "application/json");
  EXPECT_EQ(header("User-Agent").rfind("pactum/", 0), 0u) << header("User-Agent");
  EXPECT_EQ(header("Pactum-Event"), "job.finished");
  EXPECT_EQ(header("Pactum-Delivery"), *id);
  EXPECT_EQ(header("Host"), "127.0.0.1:" + std::to_string(receiver.port()));
  const std::string signature = header("Pactum-Signature");
  EXPECT_EQ(VerifyCallbackSignature(signature, r.body, secret, 300s), SignatureCheck::kValid) << signature;
  // The same, computed here: t is the time of sending, v1 the HMAC of "t.body".
  const std::size_t comma = signature.find(",v1=");
  ASSERT_EQ(signature.rfind("t=", 0), 0u);
  ASSERT_NE(comma, std::string::npos);
  const std::string t = signature.substr(2, comma - 2);
  EXPECT_GE(std::stoll(t), before);
  EXPECT_LE(std::stoll(t), UnixNow());
  EXPECT_EQ(signature.substr(comma + 4), IndependentHmacHex(secret, t + "." + body));
  EXPECT_EQ(VerifyCallbackSignature(signature, r.body, "another key", 300s), SignatureCheck::kMismatch);
}

TEST_F(WebhookTest, WithoutASecretCallbacksAreUnsigned) {
  Receiver receiver(Always(200));
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.0/8"}), &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}", "job.cancelled").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; }));
  const Receiver::Request r = receiver.requests().at(0);
  EXPECT_EQ(r.headers.count("Pactum-Signature"), 0u);
  EXPECT_EQ(r.headers.find("Pactum-Event")->second, "job.cancelled");
}

TEST_F(WebhookTest, AnAnswerThatNeverEndsIsCutOff) {
  Receiver receiver(Always(200));
  receiver.AnswerEndlessly();
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.1"}, {}), &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; })) << metrics.Render();
}

TEST_F(WebhookTest, RetriedAfterA500ThenDelivered) {
  Receiver receiver([](int n) { return n == 0 ? 500 : 200; });
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.1"}, {20ms, 20ms}), &metrics, "k");
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), R"({"n":1})").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; })) << metrics.Render();
  const std::vector<Receiver::Request> got = receiver.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].headers.find("Pactum-Delivery")->second, got[1].headers.find("Pactum-Delivery")->second);
  for (const Receiver::Request& r : got) {
    EXPECT_EQ(VerifyCallbackSignature(r.headers.find("Pactum-Signature")->second, r.body, "k", 300s),
              SignatureCheck::kValid);
  }
  EXPECT_EQ(Attempts(metrics, "5xx"), 1);
  EXPECT_EQ(Attempts(metrics, "2xx"), 1);
  EXPECT_EQ(Outcomes(metrics, "failed"), 0);
  EXPECT_EQ(sender->Pending(), 0u);
}

TEST_F(WebhookTest, RetriesOn408And429AndConnectionErrors) {
  Receiver receiver([](int n) { return n == 0 ? 429 : n == 1 ? 408 : 201; });
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.1"}, {10ms, 10ms, 10ms}), &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; })) << metrics.Render();
  EXPECT_EQ(receiver.count(), 3u);
  EXPECT_EQ(Attempts(metrics, "4xx"), 2);

  // Nothing listens: every attempt is a connection error, then it gives up.
  int closed_port = 0;
  {
    Receiver gone(Always(200));
    closed_port = gone.port();
  }
  ASSERT_TRUE(sender->Enqueue(Url(closed_port), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "failed") == 1; })) << metrics.Render();
  EXPECT_EQ(Attempts(metrics, "error"), 4);
}

TEST_F(WebhookTest, GivesUpAtOnceAfterA400) {
  Receiver receiver(Always(400));
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.1"}, {10ms, 10ms, 10ms}), &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "failed") == 1; })) << metrics.Render();
  EXPECT_EQ(sender->Pending(), 0u);  // nothing scheduled
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(Attempts(metrics, "4xx"), 1);
}

TEST_F(WebhookTest, RedirectsAreNotFollowed) {
  Receiver receiver(Always(302));
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.1"}, {10ms}), &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "failed") == 1; })) << metrics.Render();
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(Attempts(metrics, "3xx"), 1);
}

TEST_F(WebhookTest, GivesUpWhenTheScheduleIsSpent) {
  Receiver receiver(Always(503));
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.1"}, {10ms, 10ms}), &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "failed") == 1; })) << metrics.Render();
  EXPECT_EQ(receiver.count(), 3u);  // the first attempt and two retries
  EXPECT_EQ(sender->Pending(), 0u);
}

TEST_F(WebhookTest, BackoffBetweenAttemptsGrows) {
  Receiver receiver(Always(500));
  Metrics metrics;
  CallbackOptions o = FastOptions({"127.0.0.1"}, {50ms, 200ms, 800ms});
  o.jitter = 0.2;
  auto sender = MakeSender(o, &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "failed") == 1; })) << metrics.Render();
  const std::vector<Receiver::Request> got = receiver.requests();
  ASSERT_EQ(got.size(), 4u);
  std::vector<double> gaps_ms;
  for (std::size_t i = 1; i < got.size(); ++i) {
    gaps_ms.push_back(std::chrono::duration<double, std::milli>(got[i].at - got[i - 1].at).count());
  }
  // Each gap is at least its delay less the jitter, and each is longer
  // than the one before (the jittered ranges do not overlap).
  EXPECT_GE(gaps_ms[0], 40);
  EXPECT_GE(gaps_ms[1], 160);
  EXPECT_GE(gaps_ms[2], 640);
  EXPECT_LT(gaps_ms[0], gaps_ms[1]);
  EXPECT_LT(gaps_ms[1], gaps_ms[2]);
}

TEST_F(WebhookTest, DeliveryChecksThePolicyAgain) {
  Receiver receiver(Always(200));
  Metrics metrics;
  // Allowed by name only: the loopback address it resolves to is refused
  // at the attempt, which never connects.
  auto sender = MakeSender(FastOptions({"localhost"}), &metrics);
  ASSERT_TRUE(sender->Enqueue("http://localhost:" + std::to_string(receiver.port()) + "/hook", "{}").ok());
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "failed") == 2; })) << metrics.Render();
  EXPECT_EQ(Attempts(metrics, "refused"), 2);
  EXPECT_EQ(receiver.count(), 0u);
}

TEST_F(WebhookTest, DeliversToAHostNameThroughItsCheckedAddress) {
  Receiver receiver(Always(200));
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"localhost", "127.0.0.0/8", "::1"}), &metrics);
  ASSERT_TRUE(sender->Enqueue("http://LocalHost:" + std::to_string(receiver.port()) + "/cb", "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; })) << metrics.Render();
  EXPECT_EQ(receiver.requests().at(0).headers.find("Host")->second, "localhost:" + std::to_string(receiver.port()));
}

TEST_F(WebhookTest, DeliversToAnIpv6Literal) {
  Receiver receiver(Always(200), "::1");
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"::1"}), &metrics);
  ASSERT_TRUE(sender->Enqueue("http://[::1]:" + std::to_string(receiver.port()) + "/v6", "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; })) << metrics.Render();
  EXPECT_EQ(receiver.requests().at(0).headers.find("Host")->second, "[::1]:" + std::to_string(receiver.port()));
}

// A certificate for `name` (CN and subjectAltName DNS), made with the
// openssl CLI: {certificate path, key path}.
std::pair<std::string, std::string> MakeCertificate(const std::string& name) {
  const std::string key = TempPath("tls.key"), cert = TempPath("tls.pem");
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=" +
                          name + " -addext subjectAltName=DNS:" + name + " -keyout " + key + " -out " + cert +
                          " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return {cert, key};
}

TEST_F(WebhookTest, DeliversOverHttpsVerifyingTheHostName) {
  const auto [cert, key] = MakeCertificate("localhost");
  Receiver receiver(Always(200), "127.0.0.1", std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str()));
  Metrics metrics;
  CallbackOptions o = FastOptions({"localhost", "127.0.0.0/8", "::1"}, {});
  o.ca_file = cert;
  auto sender = MakeSender(o, &metrics, "k");
  const std::string port = std::to_string(receiver.port());
  ASSERT_TRUE(sender->Enqueue("https://localhost:" + port + "/tls", R"({"tls":true})").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; })) << metrics.Render();
  EXPECT_EQ(receiver.requests().at(0).body, R"({"tls":true})");
  // The same receiver by its address: the certificate does not name it.
  ASSERT_TRUE(sender->Enqueue("https://127.0.0.1:" + port + "/tls", "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "failed") == 1; })) << metrics.Render();
  EXPECT_EQ(Attempts(metrics, "error"), 1);
  EXPECT_EQ(receiver.count(), 1u);
}

TEST_F(WebhookTest, AFullQueueDropsWithoutBlocking) {
  Receiver receiver(Always(200));
  receiver.Gate();
  Metrics metrics;
  CallbackOptions o = FastOptions({"127.0.0.1"});
  o.max_pending = 2;
  auto sender = MakeSender(o, &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return receiver.count() == 1; }));  // in flight, held by the receiver
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  const Clock::time_point start = Clock::now();
  Result<std::string> third = sender->Enqueue(Url(receiver.port()), "{}");
  EXPECT_LT(Clock::now() - start, 100ms);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kOverloaded);
  EXPECT_EQ(Outcomes(metrics, "dropped"), 1);
  EXPECT_EQ(sender->Pending(), 2u);
  receiver.Open();
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 2; })) << metrics.Render();
}

TEST_F(WebhookTest, StopWithRetriesPendingIsPrompt) {
  Receiver receiver(Always(500));
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.1"}, {60s, 60s}), &metrics);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Attempts(metrics, "5xx") == 3; })) << metrics.Render();
  EXPECT_EQ(sender->Pending(), 3u);  // each waiting a minute for its retry
  const Clock::time_point start = Clock::now();
  sender->Stop();
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(sender->Pending(), 0u);
  EXPECT_EQ(Outcomes(metrics, "abandoned"), 3);
  Result<std::string> late = sender->Enqueue(Url(receiver.port()), "{}");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kOverloaded);
  sender->Stop();  // idempotent
}

TEST_F(WebhookTest, StopCutsOffAnAttemptInFlight) {
  Receiver receiver(Always(200));
  receiver.Gate();  // the receiver never answers until the test is over
  Metrics metrics;
  CallbackOptions o = FastOptions({"127.0.0.1"}, {1s});
  o.timeout = 30s;
  auto sender = MakeSender(o, &metrics);
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return receiver.count() == 1; }));
  const Clock::time_point start = Clock::now();
  sender->Stop();
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_EQ(Outcomes(metrics, "abandoned"), 1);
  EXPECT_EQ(Outcomes(metrics, "delivered"), 0);
}

// ---- the server ---------------------------------------------------------------------

// The OpenAPI document describes the headers the sender writes, by the
// patterns a client's validator would apply to them.
TEST_F(WebhookTest, OpenApiDescribesTheCallbackAsSent) {
  const nlohmann::json doc = nlohmann::json::parse(OpenApiJson());
  const nlohmann::json& param = doc["components"]["parameters"]["CallbackUrl"];
  EXPECT_EQ(param["name"], "callback_url");
  EXPECT_EQ(param["in"], "query");
  const nlohmann::json& op = doc["components"]["callbacks"]["JobFinished"]["{$request.query.callback_url}"]["post"];
  ASSERT_TRUE(op.is_object());
  std::map<std::string, std::string> patterns;
  std::string event;
  for (const nlohmann::json& p : op["parameters"]) {
    if (p["schema"].contains("pattern")) patterns[p["name"]] = p["schema"]["pattern"];
    if (p["name"] == "Pactum-Event") event = p["schema"]["enum"].at(0);
  }
  Receiver receiver(Always(200));
  Metrics metrics;
  auto sender = MakeSender(FastOptions({"127.0.0.1"}), &metrics, "key");
  ASSERT_TRUE(sender->Enqueue(Url(receiver.port()), "{}").ok());
  ASSERT_TRUE(WaitUntil([&] { return Outcomes(metrics, "delivered") == 1; }));
  const Receiver::Request r = receiver.requests().at(0);
  for (const char* name : {"Pactum-Delivery", "Pactum-Signature", "User-Agent"}) {
    ASSERT_EQ(patterns.count(name), 1u) << name;
    const std::string value = r.headers.find(name)->second;
    EXPECT_TRUE(std::regex_search(value, std::regex(patterns[name]))) << name << ": " << value;
  }
  EXPECT_EQ(event, r.headers.find("Pactum-Event")->second);
  // The URL pattern takes what the policy takes, and not what it refuses first.
  const std::regex url_pattern(param["schema"]["pattern"].get<std::string>());
  EXPECT_TRUE(std::regex_search(param["schema"]["example"].get<std::string>(), url_pattern));
  EXPECT_TRUE(std::regex_search(Url(receiver.port()), url_pattern));
  EXPECT_FALSE(std::regex_search(std::string("http://user@127.0.0.1/"), url_pattern));
  EXPECT_FALSE(std::regex_search(std::string("ftp://127.0.0.1/"), url_pattern));
}

TEST_F(WebhookTest, ServerStartFailsOnABadSecretFile) {
  const std::string empty = TempPath("empty-secret");
  WriteFile(empty, "\n");
  const std::map<std::string, std::string> files = {{TempPath("missing-secret"), "cannot read the callback secret file"},
                                                    {empty, "is empty"}};
  for (const auto& entry : files) {
    ServerOptions o = testutil::BareOptions();
    o.callbacks.allow = {"127.0.0.1"};
    o.callbacks.secret_file = entry.first;
    Server s(o);
    Result<int> r = s.Start();
    ASSERT_FALSE(r.ok()) << entry.first;
    EXPECT_NE(r.error().message.find(entry.second), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(entry.first), std::string::npos) << r.error().message;
  }
  ServerOptions o = testutil::BareOptions();
  o.callbacks.allow = {"127.0.0.1"};
  o.callbacks.ca_file = empty;
  Server s(o);
  Result<int> r = s.Start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("callback CA file"), std::string::npos) << r.error().message;
}

TEST_F(WebhookTest, ServerWithCallbacksCountsThemInItsMetrics) {
  const std::string secret = TempPath("secret");
  WriteFile(secret, "k\n");
  ServerOptions o = testutil::BareOptions();
  o.callbacks.allow = {"127.0.0.1"};
  o.callbacks.secret_file = secret;
  Server s(o);
  ASSERT_TRUE(s.Start().ok());
  httplib::Client c("127.0.0.1", s.port());
  auto r = c.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("pactum_callbacks_total{outcome=\"delivered\"} 0"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("pactum_callbacks_pending 0"), std::string::npos) << r->body;
  s.Stop();
}

}  // namespace
}  // namespace pactum::service
