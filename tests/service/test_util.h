// Helpers shared by the service tests.
#pragma once

#include <gtest/gtest.h>

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

namespace pactum::service::testutil {

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

// Polls `cond` every millisecond for up to `limit`; true when it held.
inline bool WaitUntil(const std::function<bool()>& cond, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
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

}  // namespace pactum::service::testutil
