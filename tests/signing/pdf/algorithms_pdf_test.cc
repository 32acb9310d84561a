// Issue 12, part 2, end to end: PDFs signed with every common algorithm
// verify as valid and trusted, one changed byte makes them invalid, and an
// algorithm pactum does not implement is indeterminate with integrity
// "unknown", never invalid. pactum's own signer signs with ECDSA and Ed25519
// keys; the other algorithms' CMS are built by the test (algorithm_util.h)
// over the byte ranges of a PDF pactum prepared, as another product would.
#include <cstdio>
#include <filesystem>

#include "../crypto/algorithm_util.h"
#include "pactum/models/json.h"
#include "test_util.h"

namespace pactum::signing::testing {
namespace {

size_t At(int64_t v) { return static_cast<size_t>(v); }

// The signed bytes of the signature `s` of `pdf`.
std::string RangesOf(const std::string& pdf, const SignatureReport& s) {
  const auto& br = s.byte_range;
  return pdf.substr(At(br[0]), At(br[1])) + pdf.substr(At(br[2]), At(br[3]));
}

// `pdf` with the /Contents of its only signature replaced by `cms` (hex,
// zero-padded to the placeholder's size).
std::string WithCms(std::string pdf, const SignatureReport& s, const std::string& cms) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : cms) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  const size_t room = At(s.byte_range[2]) - At(s.byte_range[1]) - 2;  // between < and >
  EXPECT_LE(hex.size(), room);
  hex.resize(room, '0');
  pdf.replace(At(s.byte_range[1]) + 1, hex.size(), hex);
  return pdf;
}

// A PDF signed by `signer` with a CMS made as `spec` says.
std::string SignedWith(const TestSigner& signer, const CmsSpec& spec) {
  // pactum prepares the signature dictionary and the placeholder (an RSA
  // signature with its chain leaves room for any of these CMS).
  const std::string prepared = MustSign(Unsigned(), {});
  const VerifyReport before = MustVerify(prepared, Trust());
  EXPECT_EQ(before.signatures.size(), 1u);
  if (before.signatures.size() != 1) return "";
  const SignatureReport& s = before.signatures[0];
  return WithCms(prepared, s, BuildCms(signer, spec, RangesOf(prepared, s)));
}

// One changed byte in the first range: the page's text.
std::string Tampered(std::string pdf) {
  const size_t at = pdf.find("BT");
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) pdf[at + 3] ^= 0x01;
  return pdf;
}

struct PdfCase {
  std::string name;
  std::string signer;
  CmsSpec spec;
  std::string digest;  // expected digest_algorithm
};

void PrintTo(const PdfCase& c, std::ostream* os) { *os << c.name; }

std::vector<PdfCase> Cases() {
  std::vector<PdfCase> cases = {
      {"Ed448Shake256NoLength", "ed448", Spec("2.16.840.1.101.3.4.2.12", EVP_shake256(), nullptr, "1.3.101.113"),
       "shake256"},
      {"Ed25519", "ed25519", Spec("2.16.840.1.101.3.4.2.3", EVP_sha512(), nullptr, "1.3.101.112"), "sha512"},
      {"EcdsaBareKeyOid", "p384", Spec("2.16.840.1.101.3.4.2.2", EVP_sha384(), EVP_sha384(), "1.2.840.10045.2.1"),
       "sha384"},
      {"EcdsaPlainBrainpool", "brainpoolP256r1",
       Spec("2.16.840.1.101.3.4.2.1", EVP_sha256(), EVP_sha256(), "0.4.0.127.0.7.1.1.4.1.3"), "sha256"},
      {"RsaPss", "rsa2048", Spec("2.16.840.1.101.3.4.2.3", EVP_sha512(), EVP_sha512(), ""), "sha512"},
      {"RsaSha3", "rsa2048", Spec("2.16.840.1.101.3.4.2.8", EVP_sha3_256(), EVP_sha3_256(), "2.16.840.1.101.3.4.3.14"),
       "sha3-256"},
      {"Dsa", "dsa2048", Spec("2.16.840.1.101.3.4.2.1", EVP_sha256(), EVP_sha256(), "2.16.840.1.101.3.4.3.2"),
       "sha256"},
  };
  cases[0].spec.message_xof_bytes = 64;
  cases[3].spec.plain_ecdsa = true;
  cases[4].spec.pss_salt = 64;
  cases[4].spec.mgf1_md = EVP_sha512();
  return cases;
}

class AlgorithmPdfTest : public ::testing::TestWithParam<PdfCase> {};

TEST_P(AlgorithmPdfTest, ValidThenInvalidAfterOneChangedByte) {
  const PdfCase& c = GetParam();
  const std::string pdf = SignedWith(SignerOf(c.signer), c.spec);
  ASSERT_FALSE(pdf.empty());
  VerifyReport r = MustVerify(pdf, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].integrity, Integrity::kOk);
  EXPECT_EQ(r.signatures[0].trust, Trust::kTrusted);
  EXPECT_EQ(r.signatures[0].digest_algorithm, c.digest);
  ASSERT_TRUE(r.signatures[0].signer.has_value());
  EXPECT_NE(r.signatures[0].signer->subject.find("CN=pactum test " + c.signer), std::string::npos);

  r = MustVerify(Tampered(pdf), Trust());
  EXPECT_EQ(r.status, DocumentStatus::kInvalid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].integrity, Integrity::kFailed);
  EXPECT_TRUE(HasReason(r.signatures[0], "digest_mismatch")) << Reasons(r);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AlgorithmPdfTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<PdfCase>& c) { return c.param.name; });

TEST(UnknownAlgorithm, IsIndeterminateWithIntegrityUnknown) {
  const std::string pdf =
      SignedWith(SignerOf("p256"), Spec("2.16.840.1.101.3.4.2.1", EVP_sha256(), EVP_sha256(), "1.3.6.1.4.1.55555.1.1"));
  const VerifyReport r = MustVerify(pdf, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kIndeterminate) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::kIndeterminate);
  EXPECT_EQ(r.signatures[0].integrity, Integrity::kUnknown);
  EXPECT_EQ(r.signatures[0].reasons, std::vector<std::string>{"unsupported_algorithm"});
  EXPECT_EQ(ToJson(r)["signatures"][0]["integrity"], "unknown");
}

TEST(DetachedSubFilter, EncapsulatedContentIsInvalid) {
  // The messageDigest covers the byte ranges, so the mathematics hold; but a
  // detached PDF signature that also carries content signs something the
  // viewer does not show beside the document.
  CmsSpec spec = Spec("2.16.840.1.101.3.4.2.1", EVP_sha256(), EVP_sha256(), "1.2.840.10045.4.3.2");
  const std::string detached = SignedWith(SignerOf("p256"), spec);
  EXPECT_EQ(MustVerify(detached, Trust()).status, DocumentStatus::kValid) << Reasons(MustVerify(detached, Trust()));
  spec.encapsulated = "content the viewer never shows";
  const VerifyReport r = MustVerify(SignedWith(SignerOf("p256"), spec), Trust());
  EXPECT_EQ(r.status, DocumentStatus::kInvalid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].integrity, Integrity::kFailed);
  EXPECT_EQ(r.signatures[0].reasons, std::vector<std::string>{"content_not_detached"});
}

// pactum's signer with ECDSA and Ed25519 keys given as PEM files (the form
// of --sign-key / --sign-cert).
class PemSigner : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/pactum-alg-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<const SigningKey> Load(const std::string& kind, const std::string& digest = "sha256") {
    WriteSignerPem(SignerOf(kind), dir_, kind);
    SigningConfig c;
    c.key_file = dir_ + "/" + kind + ".key";
    c.cert_file = dir_ + "/" + kind + "-chain.pem";
    c.digest = digest;
    auto key = LoadSigningKey(c);
    EXPECT_TRUE(key.ok()) << (key.ok() ? "" : key.error().message);
    return key.ok() ? *key : nullptr;
  }
  std::string dir_;
};

TEST_F(PemSigner, SignsWithEcdsaAndEd25519Keys) {
  // RFC 8419: Ed25519 signs with SHA-512 whatever digest was configured.
  for (const auto& [kind, digest] : {std::pair<std::string, std::string>{"p256", "sha256"},
                                     {"p521", "sha256"},
                                     {"ed25519", "sha512"}}) {
    SCOPED_TRACE(kind);
    SignOptions o;
    o.key = Load(kind);
    ASSERT_TRUE(o.key);
    const std::string pdf = MustSign(Unsigned(), o);
    VerifyReport r = MustVerify(pdf, Trust());
    EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
    ASSERT_EQ(r.signatures.size(), 1u);
    EXPECT_EQ(r.signatures[0].digest_algorithm, digest);
    r = MustVerify(Tampered(pdf), Trust());
    EXPECT_EQ(r.status, DocumentStatus::kInvalid) << Reasons(r);
  }
}

// As a user would: `pactum sign` with an Ed25519 PEM key and a local TSA,
// then `pactum verify --format text --require valid`.
TEST_F(PemSigner, TheCliSignsWithEd25519AndATimestampAndTheTextSaysTheTimeIsProven) {
  auto tsa = TsaProcess::Start("ok");
  ASSERT_TRUE(tsa);
  WriteSignerPem(SignerOf("ed25519"), dir_, "ed");
  const std::string in = dir_ + "/in.pdf", out = dir_ + "/out.pdf";
  WriteFile(in, Unsigned());
  int st = 0;
  std::string text = Shell(std::string(PACTUM_BINARY) + " sign " + in + " -o " + out + " --sign-key " + dir_ +
                               "/ed.key --sign-cert " + dir_ + "/ed-chain.pem --tsa-url " + tsa->url(),
                           &st);
  ASSERT_EQ(st, 0) << text;
  text = Shell(std::string(PACTUM_BINARY) + " verify " + out + " --format text --require valid --trust-anchors " +
                   Pki("root.pem"),
               &st);
  EXPECT_EQ(st, 0) << text;
  for (const char* expected : {"Document: VALID", "Signer:        CN=pactum test ed25519",
                               "proven: a trusted time-stamp shows the signature existed at ",
                               "Integrity:     ok (sha512)", "Trust:         trusted"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "'" << expected << "' in:\n" << text;
  }
  // One changed byte: the gate fails, with exit 1.
  WriteFile(out, Tampered(ReadFile(out)));
  text = Shell(std::string(PACTUM_BINARY) + " verify " + out + " --format text --require not-invalid --trust-anchors " +
                   Pki("root.pem"),
               &st);
  EXPECT_EQ(st, 1) << text;
  EXPECT_NE(text.find("[digest_mismatch]"), std::string::npos) << text;
}

// Poppler's pdfsig (NSS) verifies what pactum signs with ECDSA P-521. (NSS
// 3.87 of Debian 12 has no Ed25519 in CMS: pdfsig reports such signatures
// as "corrupted data", so they are checked above with pactum only.)
TEST_F(PemSigner, PdfsigVerifiesAnEcdsaP521Signature) {
  int st = 0;
  const std::string nss = dir_ + "/nss";
  std::filesystem::create_directories(nss);
  std::string out = Shell("certutil -N -d sql:" + nss + " --empty-password", &st);
  ASSERT_EQ(st, 0) << out;
  out = Shell("certutil -A -d sql:" + nss + " -n root -t CT,C,C -i " + Pki("root.pem"), &st);
  ASSERT_EQ(st, 0) << out;
  SignOptions o;
  o.key = Load("p521");
  ASSERT_TRUE(o.key);
  const std::string file = dir_ + "/p521.pdf";
  WriteFile(file, MustSign(Unsigned(), o));
  out = Shell("pdfsig -nssdir sql:" + nss + " " + file, &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_NE(out.find("Signature is Valid."), std::string::npos) << out;
  EXPECT_NE(out.find("Certificate is Trusted."), std::string::npos) << out;
}

TEST_F(PemSigner, RefusesAKeyTypeItDoesNotSignWith) {
  WriteSignerPem(SignerOf("dsa2048"), dir_, "dsa");
  SigningConfig c;
  c.key_file = dir_ + "/dsa.key";
  c.cert_file = dir_ + "/dsa-chain.pem";
  auto key = LoadSigningKey(c);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(key.error().message.find("Ed25519"), std::string::npos) << key.error().message;
}

}  // namespace
}  // namespace pactum::signing::testing
