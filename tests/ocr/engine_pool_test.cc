#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "pactum/extract/ocr_engine.h"

namespace pactum::extract {
namespace {

TEST(OcrEnginePoolTest, ReusesEnginesAndWaitsAtTheCap) {
  auto pool = CreateOcrEnginePool(1);
  auto first = pool->Acquire("deu+eng");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  OcrEngine* raw = first->get();
  auto waiting = std::async(std::launch::async, [&] { return pool->Acquire("deu+eng"); });
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  pool->Release("deu+eng", std::move(*first));
  auto second = waiting.get();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->get(), raw) << "the released engine is handed out again, not a new one";
  pool->Release("deu+eng", std::move(*second));
}

TEST(OcrEnginePoolTest, RefusesUnknownOrMalformedLanguages) {
  auto pool = CreateOcrEnginePool(2);
  for (const char* lang : {"xx", "../../etc/passwd", "deu++eng", ""}) {
    auto e = pool->Acquire(lang);
    ASSERT_FALSE(e.ok()) << lang;
    EXPECT_EQ(e.error().code, ErrorCode::kBadRequest) << lang;
  }
  // A failed creation does not use up the pool.
  auto ok = pool->Acquire("eng");
  EXPECT_TRUE(ok.ok());
  if (ok.ok()) pool->Release("eng", std::move(*ok));
}

}  // namespace
}  // namespace pactum::extract
