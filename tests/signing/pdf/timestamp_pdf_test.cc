// PAdES B-T end to end: a PDF signed with a time-stamp authority (a local
// `openssl ts` server on loopback) carries the signature timestamp, and the
// verifier reports its time and trust.
#include <gtest/gtest.h>

#include "../crypto/crypto_test_util.h"
#include "pactum/signing/sign.h"
#include "pactum/signing/verify.h"

namespace pactum::signing::testing {
namespace {

TEST(PadesBT, SignatureTimestampFromALocalTsaIsVerified) {
  auto tsa = TsaProcess::Start("ok");
  ASSERT_TRUE(tsa);
  SignOptions o;
  o.key = LoadP12("rsa2048");
  o.tsa_url = tsa->url();
  auto signed_pdf = Sign(ReadFileOrDie(std::string(PACTUM_CORPUS_DIR) + "/signatures/unsigned.pdf"), o);
  ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.error().message;
  VerifyOptions vo;
  vo.trust = RootTrust();
  auto r = Verify(*signed_pdf, vo);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, DocumentStatus::kValid);
  ASSERT_EQ(r->signatures.size(), 1u);
  ASSERT_TRUE(r->signatures[0].timestamp.has_value());
  EXPECT_EQ(r->signatures[0].timestamp->status, TimestampStatus::kValid);
  EXPECT_NE(r->signatures[0].timestamp->tsa.find("CN="), std::string::npos);
  EXPECT_EQ(r->signatures[0].timestamp->time.size(), 20u);  // 2026-11-25T10:00:00Z
}

TEST(PadesBT, UnreachableTsaFailsTheSigningWithTimeout) {
  SignOptions o;
  o.key = LoadP12("rsa2048");
  o.tsa_url = "http://127.0.0.1:9/tsa";  // discard port: nothing listens
  o.tsa_timeout = std::chrono::seconds(2);
  auto r = Sign(ReadFileOrDie(std::string(PACTUM_CORPUS_DIR) + "/signatures/unsigned.pdf"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
}

}  // namespace
}  // namespace pactum::signing::testing
