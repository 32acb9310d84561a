// Verification and signing end to end: the shared samples, pactum's own
// signatures (each key type, two signatures, certification, visible
// appearance, xref streams), the trust cases, and bad input.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

#include "test_util.h"

namespace pactum::signing::testing {
namespace {

std::shared_ptr<const TrustContext> SampleTrust() {
  TrustConfig c;
  c.anchor_files = {Sample("trust-root-ca.pem")};
  auto t = LoadTrust(c);
  EXPECT_TRUE(t.ok());
  return t.ok() ? *t : nullptr;
}

TEST(SharedSamples, EachFileGetsItsExpectedStatus) {
  std::ifstream in(Sample("manifest.json"));
  auto manifest = nlohmann::json::parse(in);
  int checked = 0;
  for (const auto& f : manifest["files"]) {
    SCOPED_TRACE(f["file"].get<std::string>());
    VerifyReport r = MustVerify(ReadFile(Sample(f["file"])), SampleTrust());
    EXPECT_EQ(r.status, ParseDocumentStatus(f["expected_status"].get<std::string>())) << Reasons(r);
    ASSERT_EQ(r.signatures.size(), f["signatures"].size());
    for (size_t i = 0; i < r.signatures.size(); ++i) {
      const auto& want = f["signatures"][i];
      EXPECT_EQ(r.signatures[i].field, want["field"].get<std::string>());
      EXPECT_EQ(r.signatures[i].status, ParseSignatureStatus(want["expected_status"].get<std::string>()));
      if (want.contains("sub_filter")) {
        EXPECT_EQ(r.signatures[i].sub_filter, want["sub_filter"].get<std::string>());
      }
      if (want.contains("digest_algorithm")) {
        EXPECT_EQ(r.signatures[i].digest_algorithm, want["digest_algorithm"].get<std::string>());
      }
      if (want.contains("signer_cn")) {
        ASSERT_TRUE(r.signatures[i].signer.has_value());
        EXPECT_NE(r.signatures[i].signer->subject.find(want["signer_cn"].get<std::string>()), std::string::npos);
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(SharedSamples, ValidSignatureWithoutAnchorsIsIndeterminate) {
  VerifyReport r = MustVerify(ReadFile(Sample("valid_cades_rsa2048_sha256.pdf")), nullptr);
  EXPECT_EQ(r.status, DocumentStatus::kIndeterminate);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].integrity, Integrity::kOk);
  EXPECT_EQ(r.signatures[0].trust, Trust::kUntrusted);
  EXPECT_TRUE(r.signatures[0].covers_whole_revision);
  EXPECT_EQ(r.signatures[0].byte_range, (std::vector<int64_t>{0, 3400, 27402, 900}));
}

TEST(Sign, EachKeyTypeVerifiesAsValidAndTrusted) {
  for (const char* name : {"rsa2048", "rsapss", "p256", "p384"}) {
    SCOPED_TRACE(name);
    SignOptions o;
    o.key = Key(name);
    o.reason = "Zustimmung";
    o.location = "Wiesbaden";
    o.contact = "poststelle@example.org";
    std::string signed_pdf = MustSign(Unsigned(), o);
    VerifyReport r = MustVerify(signed_pdf, Trust());
    EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
    ASSERT_EQ(r.signatures.size(), 1u);
    const SignatureReport& s = r.signatures[0];
    EXPECT_EQ(s.sub_filter, "ETSI.CAdES.detached");
    EXPECT_EQ(s.digest_algorithm, "sha256");
    EXPECT_EQ(s.field, "Signature1");
    EXPECT_EQ(s.reason.value_or(""), "Zustimmung");
    EXPECT_EQ(s.location.value_or(""), "Wiesbaden");
    EXPECT_TRUE(s.covers_whole_revision);
    EXPECT_FALSE(s.modified_after_signing);
    EXPECT_EQ(s.byte_range[0] + s.byte_range[1] + (s.byte_range[2] - s.byte_range[1]) + s.byte_range[3],
              static_cast<int64_t>(signed_pdf.size()));
    // The original bytes are untouched: an incremental update.
    EXPECT_EQ(signed_pdf.substr(0, Unsigned().size()), Unsigned());
  }
}

TEST(Sign, SecondSignatureKeepsTheFirstValid) {
  std::string once = MustSign(Unsigned(), {});
  SignOptions o;
  o.key = Key("p256");
  std::string twice = MustSign(once, o);
  VerifyReport r = MustVerify(twice, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].field, "Signature1");
  EXPECT_EQ(r.signatures[1].field, "Signature2");
  EXPECT_FALSE(r.signatures[0].covers_whole_revision && r.signatures[0].byte_range == r.signatures[1].byte_range);
  EXPECT_EQ(r.signatures[0].revision, 2);
  EXPECT_EQ(r.signatures[1].revision, 3);
}

TEST(Sign, VisibleSignatureOnBlankSpaceAndItsSecondSigner) {
  SignOptions o;
  o.page = 1;
  o.rect = std::array<double, 4>{72, 650, 272, 700};  // below the text, top-left origin
  std::string first = MustSign(Unsigned(), o);
  SignOptions o2;
  o2.page = 1;
  o2.rect = std::array<double, 4>{320, 650, 520, 700};
  o2.key = Key("p384");
  std::string second = MustSign(first, o2);
  VerifyReport r = MustVerify(second, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_TRUE(r.signatures[0].changed_pages.empty());
}

TEST(Sign, FileWithCrossReferenceStreamsIsSignedAndVerifies) {
  const std::string dir = ::testing::TempDir();
  WriteFile(dir + "/plain.pdf", Unsigned());
  const std::string cmd = "qpdf --object-streams=generate " + dir + "/plain.pdf " + dir + "/objstm.pdf";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string objstm = ReadFile(dir + "/objstm.pdf");
  ASSERT_NE(objstm.find("/ObjStm"), std::string::npos);
  std::string twice = MustSign(MustSign(objstm, {}), {});
  VerifyReport r = MustVerify(twice, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  EXPECT_EQ(r.signatures.size(), 2u);
}

TEST(Sign, CertificationSignatureAllowsALaterApprovalAtLevel2) {
  SignOptions o;
  o.certify = 2;
  std::string certified = MustSign(Unsigned(), o);
  std::string approved = MustSign(certified, {});
  VerifyReport r = MustVerify(approved, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].certification.value_or(0), 2);
}

TEST(Sign, RefusesWhatItCannotSign) {
  SignOptions o;
  o.key = Key("rsa2048");
  EXPECT_EQ(Sign("not a pdf", o).error().code, ErrorCode::kUnsupportedMediaType);
  std::string broken = Unsigned().substr(0, 1500);
  EXPECT_EQ(Sign(broken, o).error().code, ErrorCode::kUnprocessable);
  const std::string dir = ::testing::TempDir();
  WriteFile(dir + "/plain.pdf", Unsigned());
  const std::string cmd =
      "qpdf --encrypt secret secret 256 -- " + dir + "/plain.pdf " + dir + "/encrypted.pdf";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(Sign(ReadFile(dir + "/encrypted.pdf"), o).error().code, ErrorCode::kUnprocessable);
  std::string once = MustSign(Unsigned(), o);
  SignOptions same = o;
  same.field = "Signature1";
  EXPECT_EQ(Sign(once, same).error().code, ErrorCode::kBadRequest);
  SignOptions certify_late = o;
  certify_late.certify = 2;
  EXPECT_EQ(Sign(once, certify_late).error().code, ErrorCode::kBadRequest);
  SignOptions level1 = o;
  level1.certify = 1;
  EXPECT_EQ(Sign(MustSign(Unsigned(), level1), o).error().code, ErrorCode::kUnprocessable);
}

TEST(Trust, CertificateProblemsMakeTheSignatureIndeterminate) {
  struct Case {
    const char* signer;
    const char* reason;
  };
  const std::string crl = Pki("intermediate.crl.pem");
  for (const Case& c : {Case{"expired", "certificate_expired"}, Case{"notyet", "certificate_not_yet_valid"},
                        Case{"revoked", "certificate_revoked"}, Case{"untrusted", "untrusted_chain"}}) {
    SCOPED_TRACE(c.signer);
    SignOptions o;
    o.key = Key(c.signer);
    VerifyReport r = MustVerify(MustSign(Unsigned(), o), Trust({crl}));
    EXPECT_EQ(r.status, DocumentStatus::kIndeterminate) << Reasons(r);
    ASSERT_EQ(r.signatures.size(), 1u);
    EXPECT_EQ(r.signatures[0].integrity, Integrity::kOk);
    EXPECT_TRUE(HasReason(r.signatures[0], c.reason)) << Reasons(r);
  }
  // With the CRL configured, a good certificate is checked and good.
  VerifyReport good = MustVerify(MustSign(Unsigned(), {}), Trust({crl}));
  EXPECT_EQ(good.status, DocumentStatus::kValid) << Reasons(good);
  EXPECT_EQ(good.signatures[0].revocation, Revocation::kGood);
}

TEST(Verify, BadInputGetsTheContractsErrors) {
  VerifyOptions o;
  EXPECT_EQ(Verify("", o).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(Verify("GIF89a....", o).error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(Verify("%PDF-1.7\n garbage only", o).error().code, ErrorCode::kUnprocessable);
  const std::string dir = ::testing::TempDir();
  WriteFile(dir + "/plain.pdf", Unsigned());
  const std::string cmd = "qpdf --encrypt user owner 256 -- " + dir + "/plain.pdf " + dir + "/locked.pdf";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(Verify(ReadFile(dir + "/locked.pdf"), o).error().code, ErrorCode::kUnprocessable);
  // An unsigned PDF is a report, not an error.
  auto r = Verify(Unsigned(), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, DocumentStatus::kUnsigned);
}

}  // namespace
}  // namespace pactum::signing::testing
