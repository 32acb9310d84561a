// The published attack classes on PDF signatures (Mladenov et al. 2019:
// Universal Signature Forgery, Incremental Saving Attack, Signature
// Wrapping; Mainka et al. 2021: shadow hide / replace / hide-and-replace;
// Mainka et al. 2021: Evil Annotation and Sneaky Signature attacks on
// certified documents), each built here from a valid signed file. None may
// be judged valid. Legitimate updates next to them must stay valid.
#include <random>

#include "test_util.h"

namespace pactum::signing::testing {
namespace {

struct Doc {
  int page = 0, contents = 0, catalog = 0;
};

Doc Numbers(const std::string& pdf) {
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", pdf.data(), pdf.size());
  QPDFObjectHandle page = q.getAllPages().at(0);
  return {page.getObjGen().getObj(), page.getKey("/Contents").getObjGen().getObj(), q.getRoot().getObjGen().getObj()};
}

// Replaces the "/Key value" of a dictionary body (as unparsed by qpdf).
std::string WithKey(std::string body, const std::string& key, const std::string& value) {
  const size_t end = body.rfind(">>");
  return body.substr(0, end) + " " + key + " " + value + " >>";
}

void ExpectInvalid(const std::string& pdf, const std::string& reason) {
  VerifyReport r = MustVerify(pdf, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kInvalid) << Reasons(r);
  bool found = false;
  for (const auto& s : r.signatures) found = found || HasReason(s, reason);
  EXPECT_TRUE(found) << "expected reason " << reason << " in " << Reasons(r);
}

const std::string kEvilText = "BT /F1 24 Tf 72 600 Td (Betrag: 9.965.950 Euro) Tj ET";

// ---- Incremental Saving Attack ----

TEST(IncrementalSaving, RedefinedPageContentIsDetected) {
  std::string s = MustSign(Unsigned(), {});
  Doc d = Numbers(s);
  ExpectInvalid(AppendUpdate(s, {{d.contents, Stream("", kEvilText)}}), "object_redefined");
}

TEST(IncrementalSaving, NewContentStreamAddedToThePageIsDetected) {
  std::string s = MustSign(Unsigned(), {});
  Doc d = Numbers(s);
  std::string page = ObjectBody(s, d.page);
  const int extra = 40;
  page = WithKey(page, "/Contents", std::string("[") + std::to_string(d.contents) + " 0 R " + std::to_string(extra) + " 0 R]");
  ExpectInvalid(AppendUpdate(s, {{d.page, page}, {extra, Stream("", kEvilText)}}), "page_changed");
}

TEST(IncrementalSaving, ObjectsAppendedWithoutCrossReferenceAreDetected) {
  std::string s = MustSign(Unsigned(), {});
  Doc d = Numbers(s);
  std::string attacked = s + std::to_string(d.contents) + " 0 obj\n" + Stream("", kEvilText) + "\nendobj\n";
  ExpectInvalid(attacked, "appended_data");
  // The same with a trailer but no xref table (viewers repair it).
  std::string with_trailer = attacked + "trailer\n<< /Root " + std::to_string(d.catalog) + " 0 R >>\n%%EOF\n";
  ExpectInvalid(with_trailer, "modified_after_signing");
}

TEST(IncrementalSaving, ReplacedCatalogIsDetected) {
  std::string s = MustSign(Unsigned(), {});
  Doc d = Numbers(s);
  // A new catalogue and page tree with other content: the trailer's /Root changes.
  const std::string pages = "<< /Type /Pages /Kids [51 0 R] /Count 1 >>";
  const std::string page = "<< /Type /Page /Parent 50 0 R /MediaBox [0 0 595 842] /Contents 52 0 R >>";
  std::string attacked = AppendUpdate(s, {{49, "<< /Type /Catalog /Pages 50 0 R >>"}, {50, pages}, {51, page},
                                          {52, Stream("", kEvilText)}});
  // AppendUpdate copies the old /Root; point the trailer at the new catalogue.
  const size_t root = attacked.rfind("/Root ");
  attacked.replace(root, 6 + std::to_string(d.catalog).size() + 4, "/Root 49 0 R");
  // The new catalogue has no form, so the signature is reported as removed.
  ExpectInvalid(attacked, "modified_after_signing");
}

// ---- Universal Signature Forgery ----

// A signature field whose dictionary is `sig`, added to an unsigned file.
std::string WithForgedSignature(const std::string& sig) {
  std::string pdf = Unsigned();
  Doc d = Numbers(pdf);
  std::string catalog = WithKey(ObjectBody(pdf, d.catalog), "/AcroForm", "<< /Fields [31 0 R] /SigFlags 3 >>");
  std::string page = WithKey(ObjectBody(pdf, d.page), "/Annots", "[31 0 R]");
  return AppendUpdate(pdf, {{d.catalog, catalog},
                            {d.page, page},
                            {30, sig},
                            {31, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V 30 0 R /P " +
                                     std::to_string(d.page) + " 0 R /Rect [0 0 0 0] /F 132 >>"}});
}

TEST(UniversalSignatureForgery, MissingOrEmptyValuesAreInvalid) {
  const std::string head = "/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached";
  std::string zeros = "<";
  zeros.append(2000, '0').append(">");
  for (const std::string& sig : {
           "<< " + head + " >>",
           "<< " + head + " /Contents " + zeros + " >>",
           "<< " + head + " /ByteRange [0 0 0 0] /Contents " + zeros + " >>",
           "<< " + head + " /ByteRange null /Contents " + zeros + " >>",
           "<< " + head + " /ByteRange [0 100 200] /Contents <> >>",
           "<< " + head + " /ByteRange [0 -1 10 -5] /Contents <> >>",
           "<< " + head + " /ByteRange [0 100 200 300 400 500] /Contents " + zeros + " >>",
           "<< " + head + " /ByteRange [0 10 20 30] >>",
           "<< " + head + " /ByteRange [0 10 20 30] /Contents null >>",
       }) {
    SCOPED_TRACE(sig.substr(0, 120));
    VerifyReport r = MustVerify(WithForgedSignature(sig), Trust());
    EXPECT_EQ(r.status, DocumentStatus::kInvalid) << Reasons(r);
  }
}

TEST(UniversalSignatureForgery, ZeroedContentsOfARealSignatureIsInvalid) {
  std::string s = MustSign(Unsigned(), {});
  VerifyReport before = MustVerify(s, Trust());
  ASSERT_EQ(before.signatures.size(), 1u);
  const auto& br = before.signatures[0].byte_range;
  for (int64_t i = br[1] + 1; i < br[2] - 1; ++i) s[static_cast<size_t>(i)] = '0';
  ExpectInvalid(s, "cms_empty");
}

// ---- What cannot be checked ----

// A signature whose algorithm pactum does not implement (here an MD5
// digest, made by the openssl command over the real byte ranges) cannot be
// checked: indeterminate with unsupported_algorithm, never invalid (issue
// 12: Ed25519, Ed448 and plain-ECDSA OIDs were called invalid).
TEST(UnsupportedAlgorithm, IsIndeterminateNotInvalid) {
  std::string s = MustSign(Unsigned(), {});
  VerifyReport before = MustVerify(s, Trust());
  ASSERT_EQ(before.signatures.size(), 1u);
  const auto& br = before.signatures[0].byte_range;
  const auto at = [](int64_t v) { return static_cast<size_t>(v); };
  const std::string data = s.substr(at(br[0]), at(br[1])) + s.substr(at(br[2]), at(br[3]));
  const std::string in = ::testing::TempDir() + "pactum_md5_data", out = ::testing::TempDir() + "pactum_md5.der";
  WriteFile(in, data);
  const std::string cmd = "openssl cms -sign -binary -md md5 -outform DER -signer " + Pki("rsa2048.pem") +
                          " -inkey " + Pki("rsa2048.key") + " -in " + in + " -out " + out + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string cms = ReadFile(out);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : cms) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  const size_t room = at(br[2]) - at(br[1]) - 2;  // between < and >
  ASSERT_LE(hex.size(), room);
  s.replace(at(br[1]) + 1, hex.size(), hex);
  VerifyReport r = MustVerify(s, Trust());
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::kIndeterminate) << Reasons(r);
  EXPECT_TRUE(HasReason(r.signatures[0], "unsupported_algorithm")) << Reasons(r);
  EXPECT_EQ(r.status, DocumentStatus::kIndeterminate);
}

// ---- Signature Wrapping ----

TEST(SignatureWrapping, MovedSecondRangeIsDetected) {
  std::string s = MustSign(Unsigned(), {});
  VerifyReport before = MustVerify(s, Trust());
  const auto br = before.signatures[0].byte_range;
  // Insert the attacker's objects right after /Contents and shift the second
  // range, so that it still covers the original bytes.
  const std::string evil = "\n99 0 obj\n" + Stream("", kEvilText) + "\nendobj\n";
  std::string attacked = s.substr(0, static_cast<size_t>(br[2])) + evil + s.substr(static_cast<size_t>(br[2]));
  const std::string old_br = "[0 " + std::to_string(br[1]) + " " + std::to_string(br[2]) + " " + std::to_string(br[3]) + "]";
  std::string new_br = "[0 " + std::to_string(br[1]) + " " + std::to_string(br[2] + static_cast<int64_t>(evil.size())) +
                       " " + std::to_string(br[3]) + "]";
  const size_t at = attacked.find(old_br);
  ASSERT_NE(at, std::string::npos);
  new_br.resize(old_br.size(), ' ');
  attacked.replace(at, old_br.size(), new_br);
  // The offsets after the insertion no longer match the cross-reference
  // table, so the signature dictionary is read by a repair or not at all.
  VerifyReport r = MustVerify(attacked, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kInvalid) << Reasons(r);
  ASSERT_FALSE(r.signatures.empty());
  EXPECT_TRUE(HasReason(r.signatures[0], "byte_range_gap") || HasReason(r.signatures[0], "structure_damaged"))
      << Reasons(r);
  // Without the shifted offsets (the gap grows by whitespace inside the
  // dictionary's own object), the gap rule alone catches it.
  std::string padded = s;
  const std::string pad(40, ' ');
  padded.insert(static_cast<size_t>(br[2]), pad);
  const size_t at2 = padded.find(old_br);
  std::string br2 = "[0 " + std::to_string(br[1]) + " " + std::to_string(br[2] + 40) + " " + std::to_string(br[3]) + "]";
  br2.resize(old_br.size(), ' ');
  padded.replace(at2, old_br.size(), br2);
  VerifyReport r2 = MustVerify(padded, Trust());
  EXPECT_EQ(r2.status, DocumentStatus::kInvalid) << Reasons(r2);
}

// ---- Shadow attacks ----

TEST(Shadow, HideViaCrossReferenceToAPreparedObjectIsDetected) {
  // The attacker prepares the document: a second body of the content
  // stream, referenced by nothing, is part of what gets signed.
  std::string prepared = Unsigned();
  Doc d = Numbers(prepared);
  const size_t hidden_at = prepared.size() + 1;
  prepared += '\n';
  prepared += std::to_string(d.contents) + " 0 obj\n" + Stream("", kEvilText) + "\nendobj\n";
  // Re-terminate so that the prepared file is a well-formed revision.
  prepared = AppendUpdate(prepared, {{45, "<< /Producer (x) >>"}});
  std::string s = MustSign(prepared, {});
  ASSERT_EQ(MustVerify(s, Trust()).status, DocumentStatus::kValid);
  // After signing only an xref section: object `contents` now points at the hidden body.
  TrailerFacts f = Facts(s);
  char entry[32];
  std::snprintf(entry, sizeof entry, "%010zu 00000 n\r\n", hidden_at);
  std::string attacked = s + "xref\n" + std::to_string(d.contents) + " 1\n" + entry + "trailer\n<< /Size " +
                         std::to_string(f.size) + " /Root " + f.root + " /Prev " + std::to_string(f.startxref) +
                         " >>\nstartxref\n" + std::to_string(s.size()) + "\n%%EOF\n";
  ExpectInvalid(attacked, "object_redefined");
}

TEST(Shadow, ReplaceOfResourcesIsDetected) {
  std::string s = MustSign(Unsigned(), {});
  Doc d = Numbers(s);
  // Swap the fonts of the page for others (shadow "replace" changes fonts or form values).
  std::string page = WithKey(ObjectBody(s, d.page), "/Resources",
                             "<< /Font << /F1 60 0 R /F2 60 0 R >> >>");
  ExpectInvalid(AppendUpdate(s, {{d.page, page}, {60, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"}}),
                "page_changed");
}

TEST(Shadow, OverlayByASignatureWidgetIsDetected) {
  // A signature field may be added after signing, but not one whose
  // appearance covers what was signed.
  std::string s = MustSign(Unsigned(), {});
  Doc d = Numbers(s);
  QPDF q;
  q.processMemoryFile("x", s.data(), s.size());
  std::string annots = QPDFObjectHandle(q.getAllPages()[0]).getKey("/Annots").unparse();
  std::string form = q.getRoot().getKey("/AcroForm").unparseResolved();
  annots.insert(annots.rfind(']'), " 71 0 R");
  form = WithKey(form, "/Fields", q.getRoot().getKey("/AcroForm").getKey("/Fields").unparse().insert(1, "71 0 R "));
  const std::string cover = "1 1 1 rg 0 0 500 200 re f " + kEvilText;
  std::string catalog = WithKey(ObjectBody(s, d.catalog), "/AcroForm", form);
  std::string attacked = AppendUpdate(
      s, {{d.page, WithKey(ObjectBody(s, d.page), "/Annots", annots)},
          {d.catalog, catalog},
          {70, Stream("/Type /XObject /Subtype /Form /BBox [0 0 500 200] /Resources << /Font << /F1 << /Type /Font "
                      "/Subtype /Type1 /BaseFont /Helvetica >> >> >>",
                      cover)},
          {71, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Overlay) /Rect [60 520 560 720] /F 4 /P " +
                   std::to_string(d.page) + " 0 R /AP << /N 70 0 R >> >>"}});
  ExpectInvalid(attacked, "visual_overlay");
}

TEST(Shadow, OverlayIsDetectedWhenTheFormResourcesChangeOnATooLongDocument) {
  // A /DR change can alter every page; with more pages than the visual
  // check renders, the pages of the new widgets are still compared.
  std::string s = MustSign(Unsigned(), {});
  Doc d = Numbers(s);
  QPDF q;
  q.processMemoryFile("x", s.data(), s.size());
  std::string annots = QPDFObjectHandle(q.getAllPages()[0]).getKey("/Annots").unparse();
  annots.insert(annots.rfind(']'), " 71 0 R");
  std::string form = q.getRoot().getKey("/AcroForm").unparseResolved();
  form = WithKey(form, "/Fields", q.getRoot().getKey("/AcroForm").getKey("/Fields").unparse().insert(1, "71 0 R "));
  form = WithKey(form, "/DR", "<< /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>");
  auto attack = [&](const std::string& rect, const std::string& ink) {
    return AppendUpdate(
        s, {{d.page, WithKey(ObjectBody(s, d.page), "/Annots", annots)},
            {d.catalog, WithKey(ObjectBody(s, d.catalog), "/AcroForm", form)},
            {70, Stream("/Type /XObject /Subtype /Form /BBox [0 0 500 200] /Resources << /Font << /F1 << /Type "
                        "/Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
                        ink)},
            {71, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Overlay) /Rect " + rect + " /F 4 /P " +
                     std::to_string(d.page) + " 0 R /AP << /N 70 0 R >> >>"}});
  };
  VerifyOptions o;
  o.trust = Trust();
  o.max_visual_pages = 0;  // "too many pages" for any document
  Result<VerifyReport> over = Verify(attack("[60 520 560 720]", "1 1 1 rg 0 0 500 200 re f " + kEvilText), o);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->status, DocumentStatus::kInvalid) << Reasons(*over);
  EXPECT_TRUE(HasReason(over->signatures[0], "visual_overlay")) << Reasons(*over);
  // The same update drawn on blank space: nothing wrong is seen, but the
  // other pages were not compared, so the result is not "valid".
  Result<VerifyReport> blank = Verify(attack("[0 0 0.1 0.1]", ""), o);
  ASSERT_TRUE(blank.ok());
  EXPECT_EQ(blank->signatures[0].status, SignatureStatus::kIndeterminate) << Reasons(*blank);
  EXPECT_TRUE(HasReason(blank->signatures[0], "visual_check_incomplete")) << Reasons(*blank);
}

// ---- Certified documents ----

std::string Certified(int level) {
  SignOptions o;
  o.certify = level;
  return MustSign(Unsigned(), o);
}

TEST(EvilAnnotation, FreeTextOnACertifiedDocumentIsDetected) {
  for (int level : {2, 3}) {
    SCOPED_TRACE(level);
    std::string s = Certified(level);
    Doc d = Numbers(s);
    QPDF q;
    q.processMemoryFile("x", s.data(), s.size());
    std::string annots = QPDFObjectHandle(q.getAllPages()[0]).getKey("/Annots").unparse();
    annots.insert(annots.rfind(']'), " 80 0 R");
    std::string attacked = AppendUpdate(
        s, {{d.page, WithKey(ObjectBody(s, d.page), "/Annots", annots)},
            {80, "<< /Type /Annot /Subtype /FreeText /Rect [72 560 500 620] /Contents (Betrag: 9.965.950 Euro) "
                 "/DA (/Helv 24 Tf 0 g) /F 4 >>"}});
    ExpectInvalid(attacked, "annotation_added");
  }
}

TEST(SneakySignature, NewSignatureFieldOnLevel1IsAViolation) {
  std::string s = Certified(1);
  Doc d = Numbers(s);
  QPDF q;
  q.processMemoryFile("x", s.data(), s.size());
  std::string annots = QPDFObjectHandle(q.getAllPages()[0]).getKey("/Annots").unparse();
  annots.insert(annots.rfind(']'), " 91 0 R");
  std::string form = q.getRoot().getKey("/AcroForm").unparseResolved();
  form = WithKey(form, "/Fields", q.getRoot().getKey("/AcroForm").getKey("/Fields").unparse().insert(1, "91 0 R "));
  std::string attacked =
      AppendUpdate(s, {{d.page, WithKey(ObjectBody(s, d.page), "/Annots", annots)},
                       {d.catalog, WithKey(ObjectBody(s, d.catalog), "/AcroForm", form)},
                       {91, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sneaky) /Rect [0 0 0 0] /F 132 /P " +
                                std::to_string(d.page) + " 0 R >>"}});
  ExpectInvalid(attacked, "docmdp_violation");
}

TEST(SneakySignature, VisibleSignatureOverSignedTextOfACertifiedDocumentIsDetected) {
  std::string s = Certified(2);
  SignOptions o;
  o.key = Key("untrusted");
  o.page = 1;
  o.rect = std::array<double, 4>{60, 50, 560, 330};  // over the text, top-left origin
  std::string attacked = MustSign(s, o);
  VerifyReport r = MustVerify(attacked, Trust());
  EXPECT_NE(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::kInvalid) << Reasons(r);
  EXPECT_TRUE(HasReason(r.signatures[0], "visual_overlay")) << Reasons(r);
}

// ---- Legitimate updates stay valid ----

TEST(AllowedUpdates, ValidationDataAfterSigningKeepsTheSignatureValid) {
  std::string s = MustSign(Unsigned(), {});
  Doc d = Numbers(s);
  std::string crl = ReadFile(Pki("intermediate.crl.der"));
  std::string catalog = WithKey(ObjectBody(s, d.catalog), "/DSS", "<< /CRLs [61 0 R] >>");
  std::string updated = AppendUpdate(s, {{d.catalog, catalog}, {61, Stream("", crl)}});
  VerifyReport r = MustVerify(updated, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  EXPECT_EQ(r.signatures[0].revocation, Revocation::kGood);
}

// ---- Hostile structure around a valid signature ----

// A signed file with a second signature field; `value` is the body of the
// object its /V points at.
std::string WithSecondSignatureField(const std::string& signed_pdf, const std::string& value) {
  Doc d = Numbers(signed_pdf);
  QPDF q;
  q.processMemoryFile("x", signed_pdf.data(), signed_pdf.size());
  std::string form = q.getRoot().getKey("/AcroForm").unparseResolved();
  form = WithKey(form, "/Fields", q.getRoot().getKey("/AcroForm").getKey("/Fields").unparse().insert(1, "95 0 R "));
  std::map<int, std::string> objects = {
      {d.catalog, WithKey(ObjectBody(signed_pdf, d.catalog), "/AcroForm", form)},
      {95, "<< /FT /Sig /T (Hidden) /Rect [0 0 0 0] /F 132 /Type /Annot /Subtype /Widget /P " +
               std::to_string(d.page) + " 0 R /V 96 0 R >>"}};
  if (!value.empty()) objects[96] = value;
  return AppendUpdate(signed_pdf, objects);
}

TEST(HostileStructure, SignatureThatCannotBeParsedIsReportedNotDropped) {
  std::string s = MustSign(Unsigned(), {});
  const std::string nested = std::string(5000, '[') + std::string(5000, ']');
  for (const std::string& value :
       {"<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 1 2 3] /Contents <00> /X " + nested + " >>",
        std::string("(not a dictionary)")}) {
    SCOPED_TRACE(value.substr(0, 40));
    VerifyReport r = MustVerify(WithSecondSignatureField(s, value), Trust());
    ASSERT_EQ(r.signatures.size(), 2u) << Reasons(r);
    EXPECT_EQ(r.status, DocumentStatus::kInvalid) << Reasons(r);
    for (const SignatureReport& sig : r.signatures) {
      const bool hidden = sig.field == "Hidden";
      EXPECT_EQ(sig.status, hidden ? SignatureStatus::kInvalid : SignatureStatus::kValid) << Reasons(r);
      EXPECT_EQ(HasReason(sig, "signature_unreadable"), hidden) << Reasons(r);
    }
  }
  // A /V that is null, also by referring to an undefined object, is an
  // empty signature field (ISO 32000-1, 7.3.10): nothing to report.
  for (const std::string& value : {std::string("null"), std::string()}) {
    VerifyReport r = MustVerify(WithSecondSignatureField(s, value), Trust());
    EXPECT_EQ(r.signatures.size(), 1u) << Reasons(r);
  }
}

// Appends `n` updates that each add validation data (allowed after signing).
std::string WithDssUpdates(std::string pdf, int n) {
  const int catalog = Numbers(pdf).catalog;
  const std::string crl = ReadFile(Pki("intermediate.crl.der"));
  for (int i = 0; i < n; ++i) {
    pdf = AppendUpdate(pdf, {{catalog, WithKey(ObjectBody(pdf, catalog), "/DSS", "<< /CRLs [61 0 R] >>")},
                             {61, Stream("", crl)}});
  }
  return pdf;
}

TEST(HostileStructure, MoreRevisionsThanExaminedMakeTheSignatureIndeterminateNotInvalid) {
  VerifyOptions o;
  o.trust = Trust();
  o.max_revisions = 8;
  const std::string s = MustSign(Unsigned(), {});
  // Within the window: every update is checked, the signature stays valid.
  Result<VerifyReport> few = Verify(WithDssUpdates(s, 6), o);
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few->status, DocumentStatus::kValid) << Reasons(*few);
  EXPECT_EQ(few->revisions, 8);
  // Past it: the signed revision's end is still found and numbered, the
  // comparison still runs, but the early updates were not checked one by one.
  Result<VerifyReport> many = Verify(WithDssUpdates(s, 20), o);
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->signatures.size(), 1u);
  EXPECT_EQ(many->revisions, 22);
  EXPECT_EQ(many->signatures[0].revision, 2);
  EXPECT_EQ(many->signatures[0].integrity, Integrity::kOk);
  EXPECT_EQ(many->signatures[0].status, SignatureStatus::kIndeterminate) << Reasons(*many);
  EXPECT_TRUE(HasReason(many->signatures[0], "revisions_over_limit")) << Reasons(*many);
  EXPECT_FALSE(HasReason(many->signatures[0], "byte_range_end")) << Reasons(*many);
  // A real change hidden before the window is still found.
  Doc d = Numbers(s);
  std::string changed = AppendUpdate(s, {{d.contents, Stream("", kEvilText)}});
  Result<VerifyReport> hidden = Verify(WithDssUpdates(changed, 20), o);
  ASSERT_TRUE(hidden.ok());
  EXPECT_EQ(hidden->status, DocumentStatus::kInvalid) << Reasons(*hidden);
  EXPECT_TRUE(HasReason(hidden->signatures[0], "object_redefined")) << Reasons(*hidden);
}

// ---- Fuzz-style: mutated signature dictionaries and CMS blobs ----

TEST(Mutations, NoMutationOfTheSignedBytesIsValidAndNoneCrashes) {
  std::string s = MustSign(Unsigned(), {});
  VerifyReport before = MustVerify(s, Trust());
  const auto br = before.signatures[0].byte_range;
  std::mt19937 rng(20261125);
  int signed_mutations = 0;
  for (int i = 0; i < 300; ++i) {
    std::string m = s;
    const size_t at = std::uniform_int_distribution<size_t>(0, m.size() - 1)(rng);
    switch (i % 3) {
      case 0: m[at] = static_cast<char>(rng()); break;
      case 1: m[at] = "0123456789 []<>/"[rng() % 16]; break;
      default: m.resize(at); break;
    }
    if (m == s) continue;
    const bool truncated = i % 3 == 2;
    VerifyOptions o;
    o.trust = Trust();
    auto r = Verify(m, o);  // must return, whatever the bytes
    const bool in_signed = static_cast<int64_t>(at) < br[1] || static_cast<int64_t>(at) >= br[2];
    if (r.ok() && (in_signed || truncated)) {
      ++signed_mutations;
      EXPECT_NE(r->status, DocumentStatus::kValid) << "mutation at " << at;
    }
  }
  EXPECT_GT(signed_mutations, 100);
}

}  // namespace
}  // namespace pactum::signing::testing
