// RFC 3161: signature timestamps from tsa_server.py (PAdES B-T), TSA failures,
// and document timestamps (ETSI.RFC3161) made with `openssl ts`.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/cms.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto.h"
#include "crypto_test_util.h"
#include "openssl_util.h"

namespace pactum::signing {
namespace {

using testing::Has;
using testing::InputFor;
using testing::Join;
using testing::PkiFile;

const std::string kTimestampData = "the byte ranges of a PDF being signed with a timestamp";
const std::string kTsaSubject = "CN=pactum test TSA,O=pactum tests,C=DE";

// A document timestamp token over `data` from `openssl ts -reply`.
std::string DocumentTimestamp(const std::string& data) {
  const std::string dir = testing::TempDir();
  testing::WriteFileOrDie(dir + "/data", data);
  // A private config copy: its own serial file.
  const std::string cmd =
      "cd '" + dir + "' && echo 01 > serial && sed 's|^serial *=.*|serial = " + dir + "/serial|' '" +
      PkiFile("tsa.cnf") +
      "' > tsa.cnf && openssl ts -query -data data -sha256 -cert -out q.tsq 2>/dev/null && "
      "openssl ts -reply -config tsa.cnf -queryfile q.tsq -token_out -out token.der 2>/dev/null";
  EXPECT_TRUE(testing::Run(cmd)) << cmd;
  return testing::ReadFileOrDie(dir + "/token.der");
}

class TimestampTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { tsa_ = testing::TsaProcess::Start().release(); }
  static void TearDownTestSuite() {
    delete tsa_;
    tsa_ = nullptr;
  }
  static TimestampAuthority Tsa() {
    TimestampAuthority tsa;
    tsa.url = tsa_ != nullptr ? tsa_->url() : "http://127.0.0.1:1/";
    tsa.timeout = std::chrono::seconds(10);
    return tsa;
  }
  static testing::TsaProcess* tsa_;
};

testing::TsaProcess* TimestampTest::tsa_ = nullptr;

TEST_F(TimestampTest, SignatureTimestampIsVerified) {
  ASSERT_NE(tsa_, nullptr);
  for (const std::string signer : {"p256", "rsa2048", "rsapss"}) {
    auto key = testing::LoadP12(signer);
    ASSERT_TRUE(key);
    const TimestampAuthority tsa = Tsa();
    const std::string cms = testing::SignOrFail(*key, kTimestampData, &tsa);
    ASSERT_FALSE(cms.empty());
    EXPECT_LE(cms.size(), key->MaxCmsSize(true));
    EXPECT_GT(cms.size(), key->MaxCmsSize(false) / 2);

    const CryptoResult r = CheckSignature(InputFor(cms, kTimestampData), *testing::RootTrust());
    EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
    EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
    ASSERT_TRUE(r.timestamp.has_value());
    EXPECT_TRUE(r.timestamp->integrity_ok) << Join(r.timestamp->reasons);
    EXPECT_TRUE(r.timestamp->trusted) << Join(r.timestamp->reasons);
    EXPECT_EQ(r.timestamp->tsa, kTsaSubject);
    EXPECT_LE(std::chrono::abs(r.timestamp->time - testing::Now()), std::chrono::seconds(120));
    EXPECT_TRUE(r.warnings.empty()) << Join(r.warnings);
  }
}

TEST_F(TimestampTest, UntrustedTsaMakesTheSignatureIndeterminate) {
  ASSERT_NE(tsa_, nullptr);
  auto key = testing::LoadP12("untrusted");
  const TimestampAuthority tsa = Tsa();
  const std::string cms = testing::SignOrFail(*key, kTimestampData, &tsa);
  // Only the untrusted root as anchor: the signer chains, the TSA does not.
  TrustConfig config;
  config.anchor_files = {PkiFile("untrusted-root.pem")};
  auto trust = TrustContext::Load(config);
  ASSERT_TRUE(trust.ok());
  const CryptoResult r = CheckSignature(InputFor(cms, kTimestampData), **trust);
  EXPECT_TRUE(r.integrity_ok);
  ASSERT_TRUE(r.timestamp.has_value());
  EXPECT_TRUE(r.timestamp->integrity_ok);
  EXPECT_FALSE(r.timestamp->trusted);
  EXPECT_TRUE(Has(r.timestamp->reasons, "timestamp_untrusted"));
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"timestamp_untrusted"});
}

TEST_F(TimestampTest, TimestampOverSomethingElseIsInvalid) {
  ASSERT_NE(tsa_, nullptr);
  auto key = testing::LoadP12("p256");
  const TimestampAuthority tsa = Tsa();
  const std::string der = testing::SignOrFail(*key, kTimestampData, &tsa);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  internal::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  ASSERT_TRUE(cms);
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
  const int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
  ASSERT_GE(idx, 0);
  X509_ATTRIBUTE_free(CMS_unsigned_delete_attr(si, idx));
  const std::string other = DocumentTimestamp("other data");
  ASSERT_EQ(CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, other.data(),
                                          static_cast<int>(other.size())),
            1);
  unsigned char* out = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &out);
  const std::string swapped(reinterpret_cast<const char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);

  const CryptoResult r = CheckSignature(InputFor(swapped, kTimestampData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << "the unsigned attribute is outside the signature";
  ASSERT_TRUE(r.timestamp.has_value());
  EXPECT_FALSE(r.timestamp->integrity_ok);
  EXPECT_TRUE(Has(r.timestamp->reasons, "timestamp_imprint_mismatch")) << Join(r.timestamp->reasons);
  EXPECT_FALSE(r.trusted);
  EXPECT_TRUE(Has(r.trust_reasons, "timestamp_invalid")) << Join(r.trust_reasons);
}

TEST_F(TimestampTest, DocumentTimestamp) {
  const std::string token = DocumentTimestamp(kTimestampData);
  ASSERT_FALSE(token.empty());
  std::string padded = token + std::string(4096, '\0');
  CryptoResult r = CheckSignature(InputFor(padded, kTimestampData, CmsKind::kTimestampToken), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
  ASSERT_TRUE(r.timestamp.has_value());
  EXPECT_EQ(r.timestamp->tsa, kTsaSubject);
  EXPECT_EQ(r.digest_algorithm, "sha256");
  ASSERT_TRUE(r.signer.has_value());
  EXPECT_EQ(r.signer->common_name, "pactum test TSA");

  std::string tampered = kTimestampData;
  tampered[3] ^= 0x04;
  r = CheckSignature(InputFor(token, tampered, CmsKind::kTimestampToken), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"digest_mismatch"});
  ASSERT_TRUE(r.timestamp.has_value());
  EXPECT_TRUE(Has(r.timestamp->reasons, "timestamp_imprint_mismatch"));

  r = CheckSignature(InputFor(token, kTimestampData, CmsKind::kTimestampToken), *TrustContext::Empty());
  EXPECT_TRUE(r.integrity_ok);
  EXPECT_FALSE(r.trusted);
  EXPECT_TRUE(Has(r.trust_reasons, "no_trust_anchors"));

  // A plain CMS signature is no TimeStampToken.
  auto key = testing::LoadP12("p256");
  r = CheckSignature(InputFor(testing::SignOrFail(*key, kTimestampData), kTimestampData, CmsKind::kTimestampToken),
                     *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"cms_malformed"});
}

Result<std::string> SignWithTsa(const std::string& url, std::chrono::seconds timeout) {
  auto key = testing::LoadP12("p256");
  TimestampAuthority tsa;
  tsa.url = url;
  tsa.timeout = timeout;
  return CreateCades(*key, {kTimestampData}, &tsa);
}

TEST(TsaFailures, ErrorStatusesAreInternal) {
  for (const std::string mode : {"http500", "garbage", "reject"}) {
    auto tsa = testing::TsaProcess::Start(mode);
    ASSERT_TRUE(tsa);
    Result<std::string> r = SignWithTsa(tsa->url(), std::chrono::seconds(10));
    ASSERT_FALSE(r.ok()) << mode;
    EXPECT_EQ(r.error().code, ErrorCode::kInternal) << mode << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(tsa->url()), std::string::npos) << r.error().message;
  }
}

TEST(TsaFailures, UnreachableIsTimeout) {
  // A port that was just free: nobody listens there.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  Result<std::string> r =
      SignWithTsa("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", std::chrono::seconds(2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().message;

  r = SignWithTsa("ftp://127.0.0.1/", std::chrono::seconds(2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST(TsaFailures, SlowIsTimeout) {
  auto tsa = testing::TsaProcess::Start("slow");
  ASSERT_TRUE(tsa);
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> r = SignWithTsa(tsa->url(), std::chrono::seconds(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace pactum::signing
