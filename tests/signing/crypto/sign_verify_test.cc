// CreateCades and CheckSignature together: every key type round-trips, and
// each kind of damage gives its integrity reason.

#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto.h"
#include "crypto_test_util.h"
#include "openssl_util.h"

namespace pactum::signing {
namespace {

using testing::Der;
using testing::Has;
using testing::InputFor;
using testing::Join;
using testing::Parse;
using testing::PkiFile;
using testing::ReadPemKey;

const std::string kSignVerifyData = "%PDF-1.7 pretend these are the bytes of two byte ranges";

std::vector<internal::X509Ptr> ReadCerts(const std::string& path) {
  const std::string pem = testing::ReadFileOrDie(path);
  internal::BioPtr bio = internal::MemoryBio(pem);
  std::vector<internal::X509Ptr> certs;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(x);
  ERR_clear_error();
  return certs;
}

// A SignedData made directly with OpenSSL's CMS_sign (signer from the PKI).
std::string OpenSslSign(const std::string& signer, const EVP_MD* md, unsigned int flags,
                        const std::string& content) {
  internal::EvpPkeyPtr key = ReadPemKey(PkiFile(signer + ".key"));
  std::vector<internal::X509Ptr> chain = ReadCerts(PkiFile(signer + "-chain.pem"));
  EXPECT_TRUE(key && chain.size() == 2);
  if (!key || chain.size() != 2) return "";
  internal::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags | CMS_PARTIAL));
  EXPECT_NE(CMS_add1_signer(cms.get(), chain[0].get(), key.get(), md, flags), nullptr);
  CMS_add1_cert(cms.get(), chain[1].get());
  internal::BioPtr data = internal::MemoryBio(content);
  EXPECT_EQ(CMS_final(cms.get(), data.get(), nullptr, flags), 1) << internal::DrainOpenSslErrors();
  return Der(cms.get());
}

struct KeyCase {
  std::string name;
  std::string algorithm;
  bool pem;
};

void PrintTo(const KeyCase& c, std::ostream* os) { *os << c.name << (c.pem ? " (PEM)" : " (PKCS#12)"); }

class SignVerifyTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(SignVerifyTest, RoundTripIsValidAndTrusted) {
  const KeyCase& c = GetParam();
  auto key = c.pem ? testing::LoadPem(c.name) : testing::LoadP12(c.name);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->certificate().common_name,
            c.name == "rsapss" ? "pactum signer rsa-pss" : "pactum signer " + c.name);
  const std::string cms = testing::SignOrFail(*key, kSignVerifyData);
  ASSERT_FALSE(cms.empty());
  EXPECT_LE(cms.size(), key->MaxCmsSize(false));

  const CryptoResult r = CheckSignature(InputFor(cms, kSignVerifyData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
  EXPECT_EQ(r.digest_algorithm, "sha256");
  EXPECT_EQ(r.signature_algorithm, c.algorithm);
  ASSERT_TRUE(r.signer.has_value());
  EXPECT_EQ(r.signer->subject, "CN=" + key->certificate().common_name + ",O=pactum tests,C=DE");
  EXPECT_EQ(r.signer->issuer, "CN=pactum test intermediate CA,O=pactum tests,C=DE");
  EXPECT_EQ(r.signer->serial, key->certificate().serial);
  EXPECT_FALSE(r.signing_time.has_value()) << "PAdES B-B has no signingTime";
  EXPECT_FALSE(r.timestamp.has_value());
  EXPECT_EQ(r.revocation, Revocation::kNotChecked);
  EXPECT_TRUE(r.warnings.empty()) << Join(r.warnings);

  // The ESS signing-certificate-v2 attribute is there, signingTime is not.
  internal::CmsPtr parsed = Parse(cms);
  ASSERT_TRUE(parsed);
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(parsed.get()), 0);
  EXPECT_GE(CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1), 0);
  EXPECT_LT(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1), 0);
  EXPECT_EQ(CMS_signed_get_attr_count(si), 3);
  EXPECT_NE(CMS_get0_content(parsed.get()), nullptr);
  EXPECT_EQ(*CMS_get0_content(parsed.get()), nullptr) << "detached";
}

TEST_P(SignVerifyTest, FlippedDataByteIsDigestMismatch) {
  auto key = testing::LoadP12(GetParam().name);
  ASSERT_TRUE(key);
  const std::string cms = testing::SignOrFail(*key, kSignVerifyData);
  std::string tampered = kSignVerifyData;
  tampered[10] ^= 0x01;
  const CryptoResult r = CheckSignature(InputFor(cms, tampered), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"digest_mismatch"});
  EXPECT_FALSE(r.trusted);
}

INSTANTIATE_TEST_SUITE_P(Keys, SignVerifyTest,
                         ::testing::Values(KeyCase{"rsa2048", "rsa", false},
                                           KeyCase{"rsapss", "rsa-pss", false},
                                           KeyCase{"p256", "ecdsa", false}, KeyCase{"p384", "ecdsa", false},
                                           KeyCase{"rsa2048", "rsa", true}, KeyCase{"p384", "ecdsa", true}),
                         [](const ::testing::TestParamInfo<KeyCase>& key) {
                           return key.param.name + (key.param.pem ? "_pem" : "_p12");
                         });

TEST(SignVerify, OtherDigests) {
  for (const std::string digest : {"sha384", "sha512"}) {
    auto key = testing::LoadP12("p256", digest);
    ASSERT_TRUE(key);
    const std::string cms = testing::SignOrFail(*key, kSignVerifyData);
    const CryptoResult r = CheckSignature(InputFor(cms, kSignVerifyData), *testing::RootTrust());
    EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
    EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
    EXPECT_EQ(r.digest_algorithm, digest);
  }
}

TEST(SignVerify, SeveralRangesAreConcatenated) {
  auto key = testing::LoadP12("p256");
  ASSERT_TRUE(key);
  Result<std::string> cms = CreateCades(*key, {"abc", "", "def"}, nullptr);
  ASSERT_TRUE(cms.ok());
  CryptoInput input = InputFor(*cms, "abcdef");
  EXPECT_TRUE(CheckSignature(input, *testing::RootTrust()).integrity_ok);
  input.signed_data = {"ab", "cdef"};
  EXPECT_TRUE(CheckSignature(input, *testing::RootTrust()).integrity_ok);
}

TEST(SignVerify, ZeroPaddingAfterTheDerIsIgnored) {
  auto key = testing::LoadP12("rsa2048");
  ASSERT_TRUE(key);
  std::string contents = testing::SignOrFail(*key, kSignVerifyData);
  contents.append(20000, '\0');
  const CryptoResult r = CheckSignature(InputFor(contents, kSignVerifyData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
}

// The signed attributes signed again with another key of the same type: the
// certificate in the CMS no longer matches the signature.
TEST(SignVerify, SignatureByAnotherKeyIsSignatureMismatch) {
  for (const std::string& signer : {std::string("p256"), std::string("rsa2048")}) {
    auto key = testing::LoadP12(signer);
    ASSERT_TRUE(key);
    internal::CmsPtr cms = Parse(testing::SignOrFail(*key, kSignVerifyData));
    ASSERT_TRUE(cms);
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
    const std::string tbs = internal::SignedAttributesDer(si);
    ASSERT_FALSE(tbs.empty());
    // Another key of the same type: revoked.key is P-256; make a fresh RSA key.
    internal::EvpPkeyPtr other =
        signer == "p256" ? ReadPemKey(PkiFile("revoked.key")) : internal::EvpPkeyPtr(EVP_RSA_gen(2048));
    ASSERT_TRUE(other);
    internal::EvpMdCtxPtr mctx(EVP_MD_CTX_new());
    ASSERT_EQ(EVP_DigestSignInit(mctx.get(), nullptr, EVP_sha256(), nullptr, other.get()), 1);
    size_t len = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(tbs.data());
    ASSERT_EQ(EVP_DigestSign(mctx.get(), nullptr, &len, p, tbs.size()), 1);
    std::vector<unsigned char> sig(len);
    ASSERT_EQ(EVP_DigestSign(mctx.get(), sig.data(), &len, p, tbs.size()), 1);
    ASSERT_EQ(ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig.data(), static_cast<int>(len)), 1);
    const std::string forged = Der(cms.get());

    const CryptoResult r = CheckSignature(InputFor(forged, kSignVerifyData), *testing::RootTrust());
    EXPECT_FALSE(r.integrity_ok) << signer;
    EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"signature_mismatch"}) << signer;
    EXPECT_TRUE(r.signer.has_value());
  }
}

TEST(SignVerify, NoSignedAttributes) {
  const std::string cms = OpenSslSign("p256", EVP_sha256(), CMS_DETACHED | CMS_BINARY | CMS_NOATTR, kSignVerifyData);
  ASSERT_FALSE(cms.empty());
  CryptoResult r = CheckSignature(InputFor(cms, kSignVerifyData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
  EXPECT_EQ(r.signature_algorithm, "ecdsa");

  std::string tampered = kSignVerifyData;
  tampered[0] ^= 0x20;
  r = CheckSignature(InputFor(cms, tampered), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_TRUE(Has(r.integrity_reasons, "signature_mismatch")) << Join(r.integrity_reasons);

  const std::string rsa = OpenSslSign("rsa2048", EVP_sha256(), CMS_DETACHED | CMS_BINARY | CMS_NOATTR, kSignVerifyData);
  r = CheckSignature(InputFor(rsa, kSignVerifyData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
}

TEST(SignVerify, OpenSslDefaultSignerWithSigningTime) {
  const std::string cms = OpenSslSign("rsa2048", EVP_sha256(), CMS_DETACHED | CMS_BINARY, kSignVerifyData);
  const CryptoResult r = CheckSignature(InputFor(cms, kSignVerifyData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
  ASSERT_TRUE(r.signing_time.has_value());
  EXPECT_LE(std::chrono::abs(*r.signing_time - testing::Now()), std::chrono::seconds(300));
}

TEST(SignVerify, Sha1IsAWeakDigestButVerifies) {
  const std::string cms = OpenSslSign("rsa2048", EVP_sha1(), CMS_DETACHED | CMS_BINARY, kSignVerifyData);
  const CryptoResult r = CheckSignature(InputFor(cms, kSignVerifyData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_EQ(r.digest_algorithm, "sha1");
  EXPECT_TRUE(Has(r.warnings, "weak_digest"));
}

TEST(SignVerify, Md5IsUnsupported) {
  const std::string cms = OpenSslSign("rsa2048", EVP_md5(), CMS_DETACHED | CMS_BINARY, kSignVerifyData);
  ASSERT_FALSE(cms.empty());
  const CryptoResult r = CheckSignature(InputFor(cms, kSignVerifyData), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"unsupported_algorithm"});
}

TEST(SignVerify, AdbePkcs7Sha1) {
  const std::string sha1 = internal::DigestParts(EVP_sha1(), {kSignVerifyData});
  const std::string cms = OpenSslSign("p256", EVP_sha256(), CMS_BINARY, sha1);
  CryptoResult r = CheckSignature(InputFor(cms, kSignVerifyData, CmsKind::kSha1), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
  EXPECT_TRUE(Has(r.warnings, "weak_digest"));

  std::string tampered = kSignVerifyData;
  tampered.back() ^= 0x01;
  r = CheckSignature(InputFor(cms, tampered, CmsKind::kSha1), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"digest_mismatch"});

  // A detached CMS is no adbe.pkcs7.sha1 signature.
  auto key = testing::LoadP12("p256");
  r = CheckSignature(InputFor(testing::SignOrFail(*key, kSignVerifyData), kSignVerifyData, CmsKind::kSha1),
                     *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_TRUE(Has(r.integrity_reasons, "cms_malformed"));
}

TEST(SignVerify, MissingSignerCertificate) {
  const std::string cms = OpenSslSign("p256", EVP_sha256(), CMS_DETACHED | CMS_BINARY | CMS_NOCERTS, kSignVerifyData);
  const CryptoResult r = CheckSignature(InputFor(cms, kSignVerifyData), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_TRUE(Has(r.integrity_reasons, "certificate_missing")) << Join(r.integrity_reasons);

  // The document's DSS may carry it.
  CryptoInput input = InputFor(cms, kSignVerifyData);
  std::vector<internal::X509Ptr> chain = ReadCerts(PkiFile("p256-chain.pem"));
  input.dss.certs.push_back(internal::CertDer(chain[0].get()));
  const CryptoResult with_dss = CheckSignature(input, *testing::RootTrust());
  EXPECT_TRUE(with_dss.integrity_ok) << Join(with_dss.integrity_reasons);
  EXPECT_TRUE(with_dss.trusted) << Join(with_dss.trust_reasons);
}

TEST(SignVerify, BrokenContents) {
  auto key = testing::LoadP12("p256");
  ASSERT_TRUE(key);
  const std::string cms = testing::SignOrFail(*key, kSignVerifyData);
  const auto trust = testing::RootTrust();
  struct Case {
    std::string contents;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"", "cms_empty"},
      {std::string(8192, '\0'), "cms_empty"},
      {"garbage, not DER at all", "cms_malformed"},
      {cms.substr(0, cms.size() / 2), "cms_malformed"},
      {cms.substr(0, 1), "cms_malformed"},
      {std::string("\x30\x03\x02\x01\x05", 5), "cms_malformed"},
      {std::string("\x30\x80\x00\x00", 4), "cms_malformed"},
      {std::string(1 << 20, 'A'), "cms_malformed"},
  };
  for (const Case& c : cases) {
    const CryptoResult r = CheckSignature(InputFor(c.contents, kSignVerifyData), *trust);
    EXPECT_FALSE(r.integrity_ok) << c.reason;
    EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{c.reason}) << Join(r.integrity_reasons);
    EXPECT_FALSE(r.trusted);
    const CryptoResult t = CheckSignature(InputFor(c.contents, kSignVerifyData, CmsKind::kTimestampToken), *trust);
    EXPECT_FALSE(t.integrity_ok);
  }
}

TEST(SignVerify, LoadErrors) {
  SigningConfig config;
  config.p12_file = PkiFile("p256.p12");
  config.p12_password = "wrong";
  Result<std::shared_ptr<const SigningKey>> key = SigningKey::Load(config);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(key.error().message.find("wrong\""), std::string::npos);

  config = {};
  config.key_file = PkiFile("rsa2048.key");
  config.cert_file = PkiFile("p256-chain.pem");
  key = SigningKey::Load(config);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("does not match"), std::string::npos) << key.error().message;

  config.cert_file = PkiFile("missing.pem");
  EXPECT_FALSE(SigningKey::Load(config).ok());
  config = {};
  EXPECT_FALSE(SigningKey::Load(config).ok());
  config.p12_file = PkiFile("p256.p12");
  config.p12_password = testing::ReadFileOrDie(PkiFile("p256.p12.pass"));
  config.digest = "md5";
  EXPECT_FALSE(SigningKey::Load(config).ok());
}

TEST(SignVerify, FormatRfc3339) {
  using namespace std::chrono;
  EXPECT_EQ(FormatRfc3339(SysSeconds{}), "1970-01-01T00:00:00Z");
  const SysSeconds t = sys_days{year{2025} / June / 1} + hours{10} + minutes{2} + seconds{3};
  EXPECT_EQ(FormatRfc3339(t), "2025-06-01T10:02:03Z");
}

}  // namespace
}  // namespace pactum::signing
