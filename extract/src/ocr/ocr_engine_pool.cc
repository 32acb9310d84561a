// A pool of initialised OCR engines per language list. Engines are created on
// demand up to the cap, then reused; a caller that finds the cap reached
// waits for an engine to come back.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "pactum/extract/ocr_engine.h"

namespace pactum::extract {
namespace {

class Pool final : public OcrEnginePool {
 public:
  explicit Pool(int max_per_language) : max_(max_per_language) {}

  Result<std::shared_ptr<OcrEngine>> Acquire(const std::string& languages) override {
    std::unique_lock<std::mutex> lock(mu_);
    Slot& slot = slots_[languages];
    slot.last_used = ++tick_;
    for (;;) {
      if (!slot.idle.empty()) {
        std::shared_ptr<OcrEngine> e = std::move(slot.idle.back());
        slot.idle.pop_back();
        return e;
      }
      if (slot.created < max_) break;
      cv_.wait(lock);
    }
    ++slot.created;
    lock.unlock();
    const auto t0 = std::chrono::steady_clock::now();
    auto engine = CreateTesseractEngine(languages);
    lock.lock();
    if (!engine.ok()) {
      --slot.created;
      cv_.notify_all();
      return engine.error();
    }
    spdlog::debug("OCR engine {} for '{}' ready in {} ms", slot.created, languages,
                  std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
    return std::shared_ptr<OcrEngine>(std::move(*engine));
  }

  void Release(const std::string& languages, std::shared_ptr<OcrEngine> engine) override {
    if (!engine) return;
    std::lock_guard<std::mutex> lock(mu_);
    slots_[languages].idle.push_back(std::move(engine));
    EvictIdle();
    cv_.notify_all();
  }

 private:
  struct Slot {
    std::vector<std::shared_ptr<OcrEngine>> idle;
    int created = 0;
    unsigned long long last_used = 0;
  };

  // Engines of all language lists together stay within twice the per-list
  // cap (each holds tens of MB): idle engines of the least recently used
  // lists go first. REQUIRES: mu_ held.
  void EvictIdle() {
    int total = 0;
    for (const auto& [lang, slot] : slots_) total += slot.created;
    while (total > 2 * max_) {
      Slot* oldest = nullptr;
      for (auto& [lang, slot] : slots_) {
        if (!slot.idle.empty() && (!oldest || slot.last_used < oldest->last_used)) oldest = &slot;
      }
      if (!oldest) return;  // all busy: they come back through Release
      oldest->idle.pop_back();
      --oldest->created;
      --total;
    }
  }

  const int max_;
  unsigned long long tick_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Slot> slots_;
};

}  // namespace

std::unique_ptr<OcrEnginePool> CreateOcrEnginePool(int max_engines_per_language) {
  if (max_engines_per_language <= 0) {
    max_engines_per_language = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
  return std::make_unique<Pool>(max_engines_per_language);
}

}  // namespace pactum::extract
