// Helpers shared by the service tests.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <cstdio>

#include "../pdf_builder.h"
#include "pactum/service/server.h"

namespace pactum::service::testutil {

using pactum::BuildPdf;

// Built with AddressSanitizer or ThreadSanitizer: slower, and with shadow
// memory in every resident-size figure.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif
#else
inline constexpr bool kUnderSanitizer = false;
#endif

inline std::string CorpusPath(const std::string& name) { return std::string(PACTUM_CORPUS_DIR) + "/dev/" + name; }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// A fresh path in the test temp directory.
inline std::string TempPath(const std::string& name) {
  static std::atomic<int> counter{0};
  return ::testing::TempDir() + "pactum_service_" + std::to_string(::getpid()) + "_" +
         std::to_string(counter.fetch_add(1)) + "_" + name;
}

inline const std::string& SeedPdf() {
  static const std::string bytes = ReadFile(CorpusPath("seed-born-digital.pdf"));
  return bytes;
}

// A one-page PDF whose one FlateDecode content stream inflates to
// `inflated` bytes of `byte`: a decompression bomb (about 1000:1). Deflated
// 1 MiB at a time, so the inflated bytes are never held in memory.
// REQUIRES: `inflated` is a positive multiple of 1 MiB.
inline std::string FlateBomb(std::size_t inflated, char byte = '\0') {
  std::string z;
  z_stream zs{};
  deflateInit(&zs, 9);
  const std::string chunk(std::size_t{1} << 20, byte);
  std::string out(std::size_t{1} << 16, '\0');
  const std::size_t chunks = inflated >> 20;
  for (std::size_t i = 0; i < chunks; ++i) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    zs.avail_in = static_cast<uInt>(chunk.size());
    const int flush = i + 1 == chunks ? Z_FINISH : Z_NO_FLUSH;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      deflate(&zs, flush);
      z.append(out.data(), out.size() - zs.avail_out);
    } while (zs.avail_out == 0);
  }
  deflateEnd(&zs);
  return BuildPdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
      "<< /Length " + std::to_string(z.size()) + " /Filter /FlateDecode >>\nstream\n" + z + "\nendstream",
  });
}

// The result is the contract's error: `status`, JSON body with `code` and a
// message.
inline ::testing::AssertionResult IsError(const httplib::Result& r, int status, const std::string& code) {
  if (!r) return ::testing::AssertionFailure() << "no response: " << httplib::to_string(r.error());
  if (r->status != status) {
    return ::testing::AssertionFailure() << "status " << r->status << ", want " << status << "; body " << r->body;
  }
  if (r->get_header_value("Content-Type") != "application/json") {
    return ::testing::AssertionFailure() << "Content-Type " << r->get_header_value("Content-Type");
  }
  const nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("error") || !j["error"].is_object()) {
    return ::testing::AssertionFailure() << "not an error body: " << r->body;
  }
  const nlohmann::json& e = j["error"];
  if (!e.contains("code") || e["code"] != code) {
    return ::testing::AssertionFailure() << "code " << e.value("code", nlohmann::json()).dump() << ", want " << code;
  }
  if (!e.contains("message") || !e["message"].is_string() || e["message"].get<std::string>().empty()) {
    return ::testing::AssertionFailure() << "no message: " << r->body;
  }
  if (j.size() != 1 || e.size() != 2) return ::testing::AssertionFailure() << "extra fields: " << r->body;
  return ::testing::AssertionSuccess();
}


// Polls `cond` every millisecond for up to `limit`; true when it held.
inline bool WaitUntil(const std::function<bool()>& cond, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Waits until `pids()` lists `n` worker processes, none of them in `gone`
// (a pool that replaced the workers it lost).
template <typename Pid>
bool WaitForWorkers(const std::function<std::vector<Pid>()>& pids, std::size_t n, const std::vector<Pid>& gone) {
  return WaitUntil([&] {
    const std::vector<Pid> now = pids();
    if (now.size() != n) return false;
    for (Pid p : gone) {
      if (std::find(now.begin(), now.end(), p) != now.end()) return false;
    }
    return true;
  });
}

// Jobs that block until the test opens the gate: a deterministic way to keep
// workers busy. Opens on destruction, so that a failed assertion never leaves
// a worker blocked; jobs keep the shared state alive.
class Gate {
 public:
  ~Gate() { Open(); }
  std::function<void()> Job() {
    return [s = state_] {
      s->entered.fetch_add(1);
      s->opened.wait();
    };
  }
  void Open() {
    std::call_once(state_->once, [s = state_] { s->open.set_value(); });
  }
  int entered() const { return state_->entered.load(); }

 private:
  struct State {
    std::promise<void> open;
    std::shared_future<void> opened = open.get_future().share();
    std::once_flag once;
    std::atomic<int> entered{0};
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Options of a server on a free loopback port with one worker.
inline ServerOptions BareOptions() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.workers = 1;
  o.worker.binary = PACTUM_BINARY;
  o.worker.log_level = "off";
  return o;
}

// A real server on a free loopback port with real `pactum worker`
// processes (two unless the options say otherwise); TearDown checks that it
// still answers /healthz, then stops it.
class ServerFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::off); }

  void Start(ServerOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    if (o.workers == 0) o.workers = 2;
    o.worker.binary = PACTUM_BINARY;
    o.worker.log_level = "off";
    server_ = std::make_unique<Server>(o);
    Result<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().ToString();
  }

  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    c->set_read_timeout(60);
    return c;
  }

  void TearDown() override {
    if (!server_) return;
    auto r = Client()->Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    server_->Stop();
  }

  std::unique_ptr<Server> server_;
};

}  // namespace pactum::service::testutil
