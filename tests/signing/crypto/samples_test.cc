// The shared signature samples (shared/corpus/signatures): their CMS blobs,
// cut out of the PDFs by /ByteRange, checked against the samples' root.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "crypto.h"
#include "crypto_test_util.h"

namespace pactum::signing {
namespace {

using testing::Join;

const std::string kDir = std::string(PACTUM_CORPUS_DIR) + "/signatures";

struct Sample {
  std::string pdf;
  std::string contents;                  // decoded /Contents
  std::vector<std::string_view> ranges;  // into pdf
};

// Cuts the one signature of a sample apart; false when the file is not as
// the samples are made (one /ByteRange, /Contents hex between the ranges).
bool LoadSample(const std::string& name, Sample* s) {
  s->pdf = testing::ReadFileOrDie(kDir + "/" + name);
  const size_t at = s->pdf.find("/ByteRange");
  if (at == std::string::npos) return false;
  long long v[4];
  if (std::sscanf(s->pdf.c_str() + at, "/ByteRange [%lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3]) != 4) {
    return false;
  }
  const auto size = static_cast<long long>(s->pdf.size());
  if (v[0] != 0 || v[1] < 0 || v[2] <= v[1] + 1 || v[2] + v[3] != size) return false;
  const std::string_view pdf = s->pdf;
  s->ranges = {pdf.substr(0, static_cast<size_t>(v[1])),
               pdf.substr(static_cast<size_t>(v[2]), static_cast<size_t>(v[3]))};
  const std::string_view hex =
      pdf.substr(static_cast<size_t>(v[1]) + 1, static_cast<size_t>(v[2] - v[1] - 2));
  if (pdf[static_cast<size_t>(v[1])] != '<' || pdf[static_cast<size_t>(v[2] - 1)] != '>') return false;
  s->contents.clear();
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    s->contents.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return true;
}

std::shared_ptr<const TrustContext> SampleTrust() {
  TrustConfig config;
  config.anchor_files = {kDir + "/trust-root-ca.pem"};
  auto trust = TrustContext::Load(config);
  EXPECT_TRUE(trust.ok());
  return trust.ok() ? *trust : TrustContext::Empty();
}

CryptoResult CheckSample(const Sample& s) {
  CryptoInput input;
  input.contents = s.contents;
  input.signed_data = s.ranges;
  input.kind = CmsKind::kDetached;
  input.now = testing::Now();
  return CheckSignature(input, *SampleTrust());
}

class SamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDir + "/manifest.json")) GTEST_SKIP() << "no shared corpus at " << kDir;
  }
};

TEST_F(SamplesTest, ValidSamplesAreValidAndTrusted) {
  for (const std::string name : {"valid_adbe_rsa2048_sha256.pdf", "valid_cades_rsa2048_sha256.pdf"}) {
    Sample s;
    ASSERT_TRUE(LoadSample(name, &s)) << name;
    const CryptoResult r = CheckSample(s);
    EXPECT_TRUE(r.integrity_ok) << name << Join(r.integrity_reasons);
    EXPECT_TRUE(r.trusted) << name << Join(r.trust_reasons);
    EXPECT_EQ(r.digest_algorithm, "sha256");
    EXPECT_EQ(r.signature_algorithm, "rsa");
    ASSERT_TRUE(r.signer.has_value());
    EXPECT_EQ(r.signer->common_name, "Erika Mustermann (RSA-2048)");
    EXPECT_EQ(r.revocation, Revocation::kNotChecked);
    EXPECT_EQ(r.signing_time.has_value(), name.find("adbe") != std::string::npos) << name;
  }
}

TEST_F(SamplesTest, DigestMismatchSample) {
  Sample s;
  ASSERT_TRUE(LoadSample("digest_mismatch.pdf", &s));
  const CryptoResult r = CheckSample(s);
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"digest_mismatch"});
  EXPECT_FALSE(r.trusted);
}

TEST_F(SamplesTest, ValidSampleWithoutAnchorsIsUntrusted) {
  Sample s;
  ASSERT_TRUE(LoadSample("valid_cades_rsa2048_sha256.pdf", &s));
  CryptoInput input;
  input.contents = s.contents;
  input.signed_data = s.ranges;
  input.now = testing::Now();
  const CryptoResult r = CheckSignature(input, *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok);
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"untrusted_chain"});
}

}  // namespace
}  // namespace pactum::signing
