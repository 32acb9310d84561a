// Interoperability both ways: pactum's signatures verify in Poppler's pdfsig
// (with an NSS database that trusts the test root), and signatures made by
// PoDoFo's podofosign and by `pdfsig -add-signature` verify in pactum.
#include <cstdio>
#include <filesystem>

#include "test_util.h"

namespace pactum::signing::testing {
namespace {

// An NSS database in a fresh directory that trusts the test root and holds
// the rsa2048 signer's key (nickname "signer").
class Nss : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/nss-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    int st = 0;
    std::string out = Shell("certutil -N -d sql:" + dir_ + " --empty-password", &st);
    ASSERT_EQ(st, 0) << out;
    out = Shell("certutil -A -d sql:" + dir_ + " -n root -t CT,C,C -i " + Pki("root.pem"), &st);
    ASSERT_EQ(st, 0) << out;
    out = Shell("certutil -A -d sql:" + dir_ + " -n intermediate -t ,, -i " + Pki("intermediate.pem"), &st);
    ASSERT_EQ(st, 0) << out;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(Nss, PactumSignaturesVerifyInPdfsig) {
  // Two signers per file, each key type once first. (pdfsig 22.12 reports
  // "Unknown issue with Certificate" for the second of two signatures by the
  // same certificate in one file, also for the shared samples' kind.)
  for (auto [first, second] : {std::pair{"rsa2048", "p256"}, std::pair{"p384", "rsa2048"}}) {
    SCOPED_TRACE(first);
    SignOptions o1, o2;
    o1.key = Key(first);
    o2.key = Key(second);
    std::string signed_pdf = MustSign(MustSign(ReadFile(Sample("unsigned.pdf")), o1), o2);
    const std::string file = dir_ + "/signed.pdf";
    WriteFile(file, signed_pdf);
    int st = 0;
    // Without -no-ocsp: pdfsig 22.12 reports "Unknown issue with Certificate"
    // whenever -no-ocsp is given, even for the shared valid samples.
    std::string out = Shell("pdfsig -nssdir sql:" + dir_ + " " + file, &st);
    EXPECT_EQ(st, 0) << out;
    size_t valid = 0, trusted = 0;
    for (size_t pos = 0; (pos = out.find("Signature is Valid.", pos)) != std::string::npos; ++pos) ++valid;
    for (size_t pos = 0; (pos = out.find("Certificate is Trusted.", pos)) != std::string::npos; ++pos) ++trusted;
    EXPECT_EQ(valid, 2u) << out;
    EXPECT_EQ(trusted, 2u) << out;
    EXPECT_NE(out.find("ETSI.CAdES.detached"), std::string::npos) << out;
  }
}

TEST_F(Nss, PdfsigSignaturesVerifyInPactum) {
  int st = 0;
  const std::string pass = ReadFile(Pki("rsa2048.p12.pass"));
  std::string out = Shell("pk12util -i " + Pki("rsa2048.p12") + " -d sql:" + dir_ + " -W '" + pass + "'", &st);
  ASSERT_EQ(st, 0) << out;
  std::string nick = Shell("certutil -L -d sql:" + dir_ + " | awk '/u,u,u/ {NF--; print}'", &st);
  while (!nick.empty() && (nick.back() == '\n' || nick.back() == ' ')) nick.pop_back();
  ASSERT_FALSE(nick.empty()) << Shell("certutil -L -d sql:" + dir_, &st);
  const std::string in = dir_ + "/in.pdf", mid = dir_ + "/mid.pdf", outf = dir_ + "/out.pdf";
  WriteFile(in, ReadFile(Sample("unsigned.pdf")));
  out = Shell("pdfsig -nssdir sql:" + dir_ + " -add-signature -nick '" + nick + "' -reason Test " + in + " " + mid, &st);
  ASSERT_EQ(st, 0) << out;
  // pdfsig 22.12 does not support -etsi with -add-signature.
  out = Shell("pdfsig -nssdir sql:" + dir_ + " -add-signature -new-signature-field-name Second -nick '" + nick + "' " +
                  mid + " " + outf,
              &st);
  ASSERT_EQ(st, 0) << out;
  VerifyReport r = MustVerify(ReadFile(outf), Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].sub_filter, "adbe.pkcs7.detached");
  EXPECT_EQ(r.signatures[1].field, "Second");
}

TEST(Podofo, PodofosignSignaturesVerifyInPactum) {
  const std::string dir = ::testing::TempDir();
  const std::string in = dir + "/podofo-in.pdf", outf = dir + "/podofo-out.pdf";
  WriteFile(in, ReadFile(Sample("unsigned.pdf")));
  std::filesystem::remove(outf);
  int st = 0;
  std::string out = Shell("podofosign -in " + in + " -out " + outf + " -cert " + Pki("rsa2048-chain.pem") + " -pkey " +
                            Pki("rsa2048.key") + " -reason Test",
                        &st);
  ASSERT_EQ(st, 0) << out;
  // podofosign embeds the signer's certificate only: the intermediate comes
  // from the configuration, as an operator would give it.
  TrustConfig tc;
  tc.anchor_files = {Pki("root.pem")};
  tc.intermediate_files = {Pki("intermediate.pem")};
  VerifyReport without = MustVerify(ReadFile(outf), Trust());
  EXPECT_EQ(without.status, DocumentStatus::kIndeterminate) << Reasons(without);
  VerifyReport r = MustVerify(ReadFile(outf), *LoadTrust(tc));
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].integrity, Integrity::kOk);
}

}  // namespace
}  // namespace pactum::signing::testing
