// Issue 12, part 2: every common signature algorithm. CMS signatures built
// by the test (keys and certificates made with OpenSSL under the test PKI's
// intermediate) with each key type, digest and algorithm identifier other
// software writes; each must verify and be trusted, damage must be a
// mismatch, and what pactum does not implement must be
// unsupported_algorithm, never a mismatch.

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "algorithm_util.h"
#include "crypto.h"
#include "crypto_test_util.h"

namespace pactum::signing {
namespace {

using testing::BuildCms;
using testing::CmsSpec;
using testing::Has;
using testing::InputFor;
using testing::Join;
using testing::SignerOf;
using testing::Spec;

const std::string kAlgorithmsData = "%PDF-1.7 the bytes of the byte ranges, signed by every kind of key";

// OIDs, spelled once.
constexpr const char* kSha1 = "1.3.14.3.2.26";
constexpr const char* kSha256 = "2.16.840.1.101.3.4.2.1";
constexpr const char* kSha384 = "2.16.840.1.101.3.4.2.2";
constexpr const char* kSha512 = "2.16.840.1.101.3.4.2.3";
constexpr const char* kSha512_256 = "2.16.840.1.101.3.4.2.6";
constexpr const char* kSha3_256 = "2.16.840.1.101.3.4.2.8";
constexpr const char* kSha3_512 = "2.16.840.1.101.3.4.2.10";
constexpr const char* kShake256 = "2.16.840.1.101.3.4.2.12";
constexpr const char* kShake256Len = "2.16.840.1.101.3.4.2.18";
constexpr const char* kMd5 = "1.2.840.113549.2.5";

constexpr const char* kRsaEncryption = "1.2.840.113549.1.1.1";
constexpr const char* kSha256WithRsa = "1.2.840.113549.1.1.11";
constexpr const char* kSha512WithRsa = "1.2.840.113549.1.1.13";
constexpr const char* kRsaWithSha3_256 = "2.16.840.1.101.3.4.3.14";
constexpr const char* kEcPublicKey = "1.2.840.10045.2.1";
constexpr const char* kEcdsaWithSha1 = "1.2.840.10045.4.1";
constexpr const char* kEcdsaWithSha256 = "1.2.840.10045.4.3.2";
constexpr const char* kEcdsaWithSha512 = "1.2.840.10045.4.3.4";
constexpr const char* kEcdsaWithSha3_256 = "2.16.840.1.101.3.4.3.10";
constexpr const char* kEcdsaPlainSha256 = "0.4.0.127.0.7.1.1.4.1.3";
constexpr const char* kEd25519 = "1.3.101.112";
constexpr const char* kEd448 = "1.3.101.113";
constexpr const char* kDsa = "1.2.840.10040.4.1";
constexpr const char* kDsaWithSha256 = "2.16.840.1.101.3.4.3.2";
constexpr const char* kUnknownSignature = "1.3.6.1.4.1.55555.1.1";

struct AlgorithmCase {
  std::string name;    // the test's name
  std::string signer;  // a kind of testing::SignerOf
  CmsSpec spec;
  std::string digest_algorithm;     // expected CryptoResult::digest_algorithm
  std::string signature_algorithm;  // expected CryptoResult::signature_algorithm
};

void PrintTo(const AlgorithmCase& c, std::ostream* os) { *os << c.name; }

CmsSpec Pss(const char* digest_oid, const EVP_MD* md, const EVP_MD* mgf1, int salt) {
  CmsSpec s = Spec(digest_oid, md, md, "");
  s.pss_salt = salt;
  s.mgf1_md = mgf1;
  return s;
}

CmsSpec With(CmsSpec s, void (*change)(CmsSpec*)) {
  change(&s);
  return s;
}

std::vector<AlgorithmCase> Cases() {
  return {
      {"RsaPkcs1Sha256", "rsa2048", Spec(kSha256, EVP_sha256(), EVP_sha256(), kSha256WithRsa), "sha256", "rsa"},
      {"RsaPkcs1BareKeyOid", "rsa2048", Spec(kSha384, EVP_sha384(), EVP_sha384(), kRsaEncryption), "sha384", "rsa"},
      {"RsaPkcs1Sha3", "rsa2048", Spec(kSha3_256, EVP_sha3_256(), EVP_sha3_256(), kRsaWithSha3_256), "sha3-256",
       "rsa"},
      // The signature's hash is the one its OID names, whatever the digestAlgorithm.
      {"RsaSignatureHashDiffersFromDigest", "rsa2048",
       Spec(kSha512_256, EVP_sha512_256(), EVP_sha512(), kSha512WithRsa), "sha512-256", "rsa"},
      {"RsaPssSha384Salt48", "rsa2048", Pss(kSha384, EVP_sha384(), EVP_sha384(), 48), "sha384", "rsa-pss"},
      {"RsaPssMgf1Sha1Salt0", "rsa2048", Pss(kSha256, EVP_sha256(), EVP_sha1(), 0), "sha256", "rsa-pss"},
      {"RsaPssKey", "rsapss", Pss(kSha256, EVP_sha256(), EVP_sha256(), 32), "sha256", "rsa-pss"},
      {"EcdsaP256", "p256", Spec(kSha256, EVP_sha256(), EVP_sha256(), kEcdsaWithSha256), "sha256", "ecdsa"},
      {"EcdsaP384BareKeyOidAsEidasCardsWrite", "p384", Spec(kSha384, EVP_sha384(), EVP_sha384(), kEcPublicKey),
       "sha384", "ecdsa"},
      {"EcdsaP521", "p521", Spec(kSha512, EVP_sha512(), EVP_sha512(), kEcdsaWithSha512), "sha512", "ecdsa"},
      {"EcdsaBrainpoolBareKeyOid", "brainpoolP256r1", Spec(kSha256, EVP_sha256(), EVP_sha256(), kEcPublicKey),
       "sha256", "ecdsa"},
      {"EcdsaSha3", "p256", Spec(kSha3_256, EVP_sha3_256(), EVP_sha3_256(), kEcdsaWithSha3_256), "sha3-256",
       "ecdsa"},
      {"EcdsaPlainRS", "p256",
       With(Spec(kSha256, EVP_sha256(), EVP_sha256(), kEcdsaPlainSha256), [](CmsSpec* s) { s->plain_ecdsa = true; }),
       "sha256", "ecdsa"},
      {"Ed25519", "ed25519", With(Spec(kSha512, EVP_sha512(), nullptr, kEd25519),
                                  [](CmsSpec* s) { s->digest_null_parameter = true; }),
       "sha512", "ed25519"},
      // RFC 8419's id-shake256-len with 512 bits, and pyHanko's accepted
      // id-shake256 without parameters.
      {"Ed448Shake256Len", "ed448", With(Spec(kShake256Len, EVP_shake256(), nullptr, kEd448), [](CmsSpec* s) {
         s->message_xof_bytes = 64;
         s->digest_bits_parameter = 512;
       }),
       "shake256", "ed448"},
      {"Ed448Shake256NoLength", "ed448",
       With(Spec(kShake256, EVP_shake256(), nullptr, kEd448), [](CmsSpec* s) { s->message_xof_bytes = 64; }),
       "shake256", "ed448"},
      {"Dsa", "dsa2048", Spec(kSha256, EVP_sha256(), EVP_sha256(), kDsaWithSha256), "sha256", "dsa"},
      {"DsaBareKeyOid", "dsa2048", Spec(kSha256, EVP_sha256(), EVP_sha256(), kDsa), "sha256", "dsa"},
      {"Sha3_512", "rsa2048", Spec(kSha3_512, EVP_sha3_512(), EVP_sha256(), kSha256WithRsa), "sha3-512", "rsa"},
      // Without signed attributes the signature is over the content itself.
      {"Ed25519OverTheContent", "ed25519",
       With(Spec(kSha512, EVP_sha512(), nullptr, kEd25519), [](CmsSpec* s) { s->signed_attributes = false; }),
       "sha512", "ed25519"},
      {"RsaPssOverTheContent", "rsa2048",
       With(Pss(kSha256, EVP_sha256(), EVP_sha256(), 32), [](CmsSpec* s) { s->signed_attributes = false; }), "sha256",
       "rsa-pss"},
      {"DsaOverTheContent", "dsa2048",
       With(Spec(kSha256, EVP_sha256(), EVP_sha256(), kDsaWithSha256), [](CmsSpec* s) { s->signed_attributes = false; }),
       "sha256", "dsa"},
  };
}

class AlgorithmTest : public ::testing::TestWithParam<AlgorithmCase> {};

TEST_P(AlgorithmTest, VerifiesAndIsTrusted) {
  const AlgorithmCase& c = GetParam();
  const std::string cms = BuildCms(SignerOf(c.signer), c.spec, kAlgorithmsData);
  ASSERT_FALSE(cms.empty());
  const CryptoResult r = CheckSignature(InputFor(cms, kAlgorithmsData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_TRUE(r.trusted) << Join(r.trust_reasons);
  EXPECT_EQ(r.digest_algorithm, c.digest_algorithm);
  EXPECT_EQ(r.signature_algorithm, c.signature_algorithm);
  ASSERT_TRUE(r.signer.has_value());
  EXPECT_EQ(r.signer->common_name, "pactum test " + c.signer);
  EXPECT_TRUE(r.warnings.empty()) << Join(r.warnings);
}

TEST_P(AlgorithmTest, OneChangedByteOfTheDataIsAMismatch) {
  const AlgorithmCase& c = GetParam();
  const std::string cms = BuildCms(SignerOf(c.signer), c.spec, kAlgorithmsData);
  ASSERT_FALSE(cms.empty());
  std::string tampered = kAlgorithmsData;
  tampered[5] ^= 0x01;
  const CryptoResult r = CheckSignature(InputFor(cms, tampered), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  // With signed attributes the messageDigest no longer matches; without,
  // the signature over the content does not verify.
  EXPECT_EQ(r.integrity_reasons,
            std::vector<std::string>{c.spec.signed_attributes ? "digest_mismatch" : "signature_mismatch"});
}

TEST_P(AlgorithmTest, OneChangedByteOfTheSignatureIsASignatureMismatch) {
  const AlgorithmCase& c = GetParam();
  internal::CmsPtr cms = testing::Parse(BuildCms(SignerOf(c.signer), c.spec, kAlgorithmsData));
  ASSERT_TRUE(cms);
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
  ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
  std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                    static_cast<size_t>(ASN1_STRING_length(sig)));
  value[value.size() / 2] ^= 0x10;
  ASSERT_EQ(ASN1_STRING_set(sig, value.data(), static_cast<int>(value.size())), 1);
  const CryptoResult r = CheckSignature(InputFor(testing::Der(cms.get()), kAlgorithmsData), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"signature_mismatch"});
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AlgorithmTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<AlgorithmCase>& c) { return c.param.name; });

TEST(Algorithms, Sha1IsCheckedAndWarnedAbout) {
  const std::string cms =
      BuildCms(SignerOf("p256"), Spec(kSha1, EVP_sha1(), EVP_sha1(), kEcdsaWithSha1), kAlgorithmsData);
  const CryptoResult r = CheckSignature(InputFor(cms, kAlgorithmsData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  EXPECT_EQ(r.digest_algorithm, "sha1");
  EXPECT_EQ(r.warnings, std::vector<std::string>{"weak_digest"});
}

// What pactum does not implement is unsupported_algorithm and nothing else:
// no mismatch is claimed for bytes it could not check.
TEST(Algorithms, AnUnknownSignatureOidIsUnsupported) {
  const std::string cms =
      BuildCms(SignerOf("p256"), Spec(kSha256, EVP_sha256(), EVP_sha256(), kUnknownSignature), kAlgorithmsData);
  const CryptoResult r = CheckSignature(InputFor(cms, kAlgorithmsData), *testing::RootTrust());
  EXPECT_FALSE(r.integrity_ok);
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"unsupported_algorithm"});
  EXPECT_EQ(r.signature_algorithm, "");
  EXPECT_EQ(r.digest_algorithm, "sha256");
}

TEST(Algorithms, Md5IsUnsupported) {
  const std::string cms =
      BuildCms(SignerOf("rsa2048"), Spec(kMd5, EVP_md5(), EVP_sha256(), kSha256WithRsa), kAlgorithmsData);
  const CryptoResult r = CheckSignature(InputFor(cms, kAlgorithmsData), *testing::RootTrust());
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"unsupported_algorithm"});
  EXPECT_EQ(r.digest_algorithm, "");
}

TEST(Algorithms, AnAbsurdShakeLengthIsUnsupported) {
  CmsSpec s = Spec(kShake256Len, EVP_shake256(), nullptr, kEd448);
  s.message_xof_bytes = 64;
  s.digest_bits_parameter = 1 << 20;
  const std::string cms = BuildCms(SignerOf("ed448"), s, kAlgorithmsData);
  const CryptoResult r = CheckSignature(InputFor(cms, kAlgorithmsData), *testing::RootTrust());
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"unsupported_algorithm"});
}

// A SHAKE256 digest of the wrong length is a digest that differs.
TEST(Algorithms, Ed448WithAShorterShakeOutputIsADigestMismatch) {
  CmsSpec s = Spec(kShake256, EVP_shake256(), nullptr, kEd448);
  s.message_xof_bytes = 32;  // id-shake256 means 512 bits
  const std::string cms = BuildCms(SignerOf("ed448"), s, kAlgorithmsData);
  const CryptoResult r = CheckSignature(InputFor(cms, kAlgorithmsData), *testing::RootTrust());
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"digest_mismatch"});
}

// An algorithm identifier for another key type than the certificate's
// cannot verify: the signature is not the certificate holder's.
TEST(Algorithms, AnIdentifierForAnotherKeyTypeIsASignatureMismatch) {
  const std::string cms =
      BuildCms(SignerOf("rsa2048"), Spec(kSha256, EVP_sha256(), EVP_sha256(), kEcdsaWithSha256), kAlgorithmsData);
  const CryptoResult r = CheckSignature(InputFor(cms, kAlgorithmsData), *testing::RootTrust());
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"signature_mismatch"});
  const std::string ed = BuildCms(SignerOf("ed25519"), Spec(kSha512, EVP_sha512(), nullptr, kEd448), kAlgorithmsData);
  EXPECT_EQ(CheckSignature(InputFor(ed, kAlgorithmsData), *testing::RootTrust()).integrity_reasons,
            std::vector<std::string>{"signature_mismatch"});
}

// RFC 5652 signs the DER of the signed attributes; some signers send (and
// sign) them in another order. Both encodings of the same attributes verify.
TEST(Algorithms, SignedAttributesSignedAsSentInNonDerOrderVerify) {
  const testing::TestSigner& signer = SignerOf("rsa2048");
  const std::string cms = BuildCms(signer, Spec(kSha256, EVP_sha256(), EVP_sha256(), kSha256WithRsa), kAlgorithmsData);
  const std::string reordered = testing::ReorderSignedAttributes(signer, cms, EVP_sha256());
  ASSERT_FALSE(reordered.empty());
  ASSERT_NE(reordered, cms);
  CryptoResult r = CheckSignature(InputFor(reordered, kAlgorithmsData), *testing::RootTrust());
  EXPECT_TRUE(r.integrity_ok) << Join(r.integrity_reasons);
  std::string tampered = kAlgorithmsData;
  tampered.back() ^= 0x01;
  r = CheckSignature(InputFor(reordered, tampered), *testing::RootTrust());
  EXPECT_EQ(r.integrity_reasons, std::vector<std::string>{"digest_mismatch"});
}

}  // namespace
}  // namespace pactum::signing
