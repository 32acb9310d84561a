// Chains, validity times and revocation (CRL files, CRLs in the CMS, the DSS,
// the revocationInfoArchival attribute, OCSP responses).

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
using testing::ReadPemCert;
using testing::ReadPemKey;

const std::string kTrustData = "bytes covered by the signature";

CryptoResult SignAndCheck(const std::string& signer, const TrustContext& trust) {
  auto key = testing::LoadP12(signer);
  if (!key) return {};
  const std::string cms = testing::SignOrFail(*key, kTrustData);
  return CheckSignature(InputFor(cms, kTrustData), trust);
}

std::string CrlDer(X509_CRL* crl) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

// An empty CRL in the intermediate's name, valid [now+from, now+to], signed
// with `key_file`.
std::string MakeCrl(const std::string& key_file, std::chrono::hours from, std::chrono::hours to) {
  internal::X509Ptr issuer = ReadPemCert(PkiFile("intermediate.pem"));
  internal::EvpPkeyPtr key = ReadPemKey(PkiFile(key_file));
  internal::X509CrlPtr crl(X509_CRL_new());
  const time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  internal::OpenSslPtr<ASN1_TIME, ASN1_TIME_free> last(
      ASN1_TIME_adj(nullptr, now, 0, static_cast<long>(from.count() * 3600)));
  internal::OpenSslPtr<ASN1_TIME, ASN1_TIME_free> next(
      ASN1_TIME_adj(nullptr, now, 0, static_cast<long>(to.count() * 3600)));
  EXPECT_EQ(X509_CRL_set_version(crl.get(), 1), 1);
  EXPECT_EQ(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())), 1);
  EXPECT_EQ(X509_CRL_set1_lastUpdate(crl.get(), last.get()), 1);
  EXPECT_EQ(X509_CRL_set1_nextUpdate(crl.get(), next.get()), 1);
  EXPECT_GT(X509_CRL_sign(crl.get(), key.get(), EVP_sha256()), 0);
  return CrlDer(crl.get());
}

TEST(Trust, ExpiredSigner) {
  const CryptoResult r = SignAndCheck("expired", *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_FALSE(r.trusted);
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"certificate_expired"});

  // A claimed time inside the validity does not help without a timestamp.
  auto key = testing::LoadP12("expired");
  const std::string cms = testing::SignOrFail(*key, kTrustData);
  CryptoInput input = InputFor(cms, kTrustData);
  input.claimed_time = std::chrono::sys_days{std::chrono::year{2020} / 6 / 1};
  const CryptoResult claimed = CheckSignature(input, *testing::RootTrust());
  EXPECT_TRUE(claimed.integrity_ok);
  EXPECT_TRUE(Has(claimed.trust_reasons, "certificate_expired")) << Join(claimed.trust_reasons);
}

TEST(Trust, NotYetValidSigner) {
  const CryptoResult r = SignAndCheck("notyet", *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok);
  EXPECT_FALSE(r.trusted);
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"certificate_not_yet_valid"});
}

TEST(Trust, UntrustedRoot) {
  const CryptoResult r = SignAndCheck("untrusted", *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok);
  EXPECT_FALSE(r.trusted);
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"untrusted_chain"});
}

TEST(Trust, NoAnchors) {
  const CryptoResult r = SignAndCheck("p256", *TrustContext::Empty());
  EXPECT_TRUE(r.integrity_ok);
  EXPECT_FALSE(r.trusted);
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"no_trust_anchors"});
  EXPECT_EQ(TrustContext::Empty()->anchor_count(), 0u);
}

TEST(Trust, IntermediateFromConfigWhenTheCmsLacksIt) {
  auto key = testing::LoadPem("p256");
  ASSERT_TRUE(key);
  // A chain file with the leaf only: the CMS carries no intermediate.
  SigningConfig config;
  config.key_file = PkiFile("p256.key");
  config.cert_file = PkiFile("p256.pem");
  auto leaf_only = SigningKey::Load(config);
  ASSERT_TRUE(leaf_only.ok());
  const std::string cms = testing::SignOrFail(**leaf_only, kTrustData);
  EXPECT_EQ(CheckSignature(InputFor(cms, kTrustData), *testing::RootTrust()).trust_reasons,
            std::vector<std::string>{"untrusted_chain"});
  TrustConfig tc;
  tc.anchor_files = {PkiFile("root.pem")};
  tc.intermediate_files = {PkiFile("intermediate.pem")};
  auto trust = TrustContext::Load(tc);
  ASSERT_TRUE(trust.ok());
  const CryptoResult r = CheckSignature(InputFor(cms, kTrustData), **trust);
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
}

TEST(Trust, RevokedByConfiguredCrl) {
  for (const std::string crl : {"intermediate.crl.pem", "intermediate.crl.der"}) {
    const auto trust = testing::RootTrust({crl});
    const CryptoResult r = SignAndCheck("revoked", *trust);
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_FALSE(r.trusted);
    EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"certificate_revoked"}) << crl;
    EXPECT_EQ(r.revocation, Revocation::kRevoked);

    const CryptoResult good = SignAndCheck("rsa2048", *trust);
    EXPECT_TRUE(good.trusted) << Join(good.trust_reasons);
    EXPECT_EQ(good.revocation, Revocation::kGood);
  }
  // Without revocation data the revoked signer passes: not_checked.
  const CryptoResult r = SignAndCheck("revoked", *testing::RootTrust());
  EXPECT_TRUE(r.trusted);
  EXPECT_EQ(r.revocation, Revocation::kNotChecked);
}

TEST(Trust, RevokedByCrlInTheCms) {
  auto key = testing::LoadP12("revoked");
  internal::CmsPtr cms = Parse(testing::SignOrFail(*key, kTrustData));
  ASSERT_TRUE(cms);
  const std::string crl_der = testing::ReadFileOrDie(PkiFile("intermediate.crl.der"));
  internal::X509CrlPtr crl = internal::ParseCrl(crl_der);
  ASSERT_TRUE(crl);
  ASSERT_EQ(CMS_add1_crl(cms.get(), crl.get()), 1);
  const CryptoResult r = CheckSignature(InputFor(Der(cms.get()), kTrustData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"certificate_revoked"});
}

TEST(Trust, RevokedByCrlInTheDss) {
  auto key = testing::LoadP12("revoked");
  const std::string cms = testing::SignOrFail(*key, kTrustData);
  CryptoInput input = InputFor(cms, kTrustData);
  input.dss.crls.push_back(testing::ReadFileOrDie(PkiFile("intermediate.crl.der")));
  input.dss.crls.push_back("not a CRL");
  const CryptoResult r = CheckSignature(input, *testing::RootTrust());
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"certificate_revoked"});
}

// revocationInfoArchival (1.2.840.113583.1.1.8) is a signed attribute: add
// it and sign again with the signer's key.
TEST(Trust, RevokedByRevocationInfoArchival) {
  auto key = testing::LoadP12("revoked");
  internal::CmsPtr cms = Parse(testing::SignOrFail(*key, kTrustData));
  ASSERT_TRUE(cms);
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
  const std::string crl = testing::ReadFileOrDie(PkiFile("intermediate.crl.der"));
  auto tlv = [](unsigned char tag, const std::string& content) {
    std::string out(1, static_cast<char>(tag));
    const size_t n = content.size();
    if (n < 0x80) {
      out.push_back(static_cast<char>(n));
    } else {
      out += {static_cast<char>(0x82), static_cast<char>(n >> 8), static_cast<char>(n & 0xff)};
    }
    return out + content;
  };
  const std::string archival = tlv(0x30, tlv(0xa0, tlv(0x30, crl)));
  internal::Asn1ObjectPtr oid(OBJ_txt2obj("1.2.840.113583.1.1.8", 1));
  ASSERT_EQ(CMS_signed_add1_attr_by_OBJ(si, oid.get(), V_ASN1_SEQUENCE, archival.data(),
                                        static_cast<int>(archival.size())),
            1);
  const std::string tbs = internal::SignedAttributesDer(si);
  internal::EvpPkeyPtr pkey = ReadPemKey(PkiFile("revoked.key"));
  internal::EvpMdCtxPtr mctx(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestSignInit(mctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()), 1);
  size_t len = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(tbs.data());
  ASSERT_EQ(EVP_DigestSign(mctx.get(), nullptr, &len, p, tbs.size()), 1);
  std::vector<unsigned char> sig(len);
  ASSERT_EQ(EVP_DigestSign(mctx.get(), sig.data(), &len, p, tbs.size()), 1);
  ASSERT_EQ(ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig.data(), static_cast<int>(len)), 1);

  const CryptoResult r = CheckSignature(InputFor(Der(cms.get()), kTrustData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"certificate_revoked"});
}

TEST(Trust, UnverifiableOrStaleCrlIsRevocationUnknown) {
  auto key = testing::LoadP12("rsa2048");
  const std::string cms = testing::SignOrFail(*key, kTrustData);
  using std::chrono::hours;
  struct Case {
    std::string name, crl;
  };
  const std::vector<Case> cases = {
      {"forged", MakeCrl("untrusted-root.key", hours(-1), hours(24))},
      {"stale", MakeCrl("intermediate.key", hours(-240), hours(-120))},
  };
  for (const Case& c : cases) {
    CryptoInput input = InputFor(cms, kTrustData);
    input.dss.crls.push_back(c.crl);
    const CryptoResult r = CheckSignature(input, *testing::RootTrust());
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"revocation_unknown"}) << c.name;
    EXPECT_EQ(r.revocation, Revocation::kUnknown) << c.name;
  }
  // A current CRL of the right issuer makes it good.
  CryptoInput input = InputFor(cms, kTrustData);
  input.dss.crls.push_back(MakeCrl("intermediate.key", hours(-1), hours(24)));
  const CryptoResult r = CheckSignature(input, *testing::RootTrust());
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
  EXPECT_EQ(r.revocation, Revocation::kGood);
}

// OCSP responses made by `openssl ocsp` from the intermediate's database.
std::string OcspResponse(const std::string& cert) {
  const std::string dir = testing::TempDir();
  const std::string pki = testing::PkiDir();
  const std::string cmd =
      "cd '" + dir + "' && openssl ocsp -issuer '" + pki + "/intermediate.pem' -cert '" + pki + "/" + cert +
      "' -no_nonce -reqout req.der >/dev/null 2>&1 && openssl ocsp -index '" + pki +
      "/intermediate.index.txt' -rsigner '" + pki + "/intermediate.pem' -rkey '" + pki +
      "/intermediate.key' -CA '" + pki + "/intermediate.pem' -reqin req.der -respout resp.der -ndays 30 " +
      ">/dev/null 2>&1";
  EXPECT_TRUE(testing::Run(cmd)) << cmd;
  return testing::ReadFileOrDie(dir + "/resp.der");
}

TEST(Trust, OcspFromTheDss) {
  for (const std::string signer : {"rsa2048", "revoked"}) {
    auto key = testing::LoadP12(signer);
    const std::string cms = testing::SignOrFail(*key, kTrustData);
    CryptoInput input = InputFor(cms, kTrustData);
    input.dss.ocsps.push_back(OcspResponse(signer + ".pem"));
    const CryptoResult r = CheckSignature(input, *testing::RootTrust());
    EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
    if (signer == "revoked") {
      EXPECT_EQ(r.trust_reasons, std::vector<std::string>{"certificate_revoked"});
      EXPECT_EQ(r.revocation, Revocation::kRevoked);
    } else {
      EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
      EXPECT_EQ(r.revocation, Revocation::kGood);
    }
  }
  // A response for another certificate says nothing about this one.
  auto key = testing::LoadP12("p256");
  const std::string cms = testing::SignOrFail(*key, kTrustData);
  CryptoInput input = InputFor(cms, kTrustData);
  input.dss.ocsps.push_back(OcspResponse("revoked.pem"));
  const CryptoResult r = CheckSignature(input, *testing::RootTrust());
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
  EXPECT_EQ(r.revocation, Revocation::kNotChecked);
}

TEST(Trust, LoadErrors) {
  TrustConfig config;
  config.anchor_files = {PkiFile("missing.pem")};
  auto trust = TrustContext::Load(config);
  ASSERT_FALSE(trust.ok());
  EXPECT_EQ(trust.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(trust.error().message.find("missing.pem"), std::string::npos);

  config.anchor_files = {PkiFile("tsa.cnf")};
  EXPECT_FALSE(TrustContext::Load(config).ok());

  config.anchor_files = {PkiFile("root.pem"), PkiFile("untrusted-root.pem")};
  config.crl_files = {PkiFile("root.pem")};
  EXPECT_FALSE(TrustContext::Load(config).ok());

  config.crl_files = {PkiFile("intermediate.crl.der"), PkiFile("intermediate.crl.pem")};
  trust = TrustContext::Load(config);
  ASSERT_TRUE(trust.ok()) << trust.error().message;
  EXPECT_EQ((*trust)->anchor_count(), 2u);
}

}  // namespace
}  // namespace pactum::signing
