// The change analysis by meaning (signing/src/changes.h, issue 12): each rule
// with an update it allows and a forbidden twin, on a signed form built here
// (qpdf writes nothing; the updates are written by hand as an attacker or a
// viewer would). Every test asserts the first signature's status and its
// modification_level.
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/Pl_Flate.hh>

#include "test_util.h"
#include "../../pdf_builder.h"

namespace pactum::signing::testing {
namespace {

using Level = ModificationLevel;

// Object numbers of the form built by Base(); the signer adds 26 and up,
// the updates below use 40 and up.
constexpr int kCatalog = 1, kPage = 3, kContents = 4, kForm = 5, kName = 7, kMetadata = 9, kCity = 10,
              kStamp = 12, kNameAp = 13, kInfo = 15, kSeal = 16, kNote = 17, kRemark = 19, kDocumentElem = 21,
              kParentTree = 22, kParagraphElem = 23;

const std::string kText =
    "/P << /MCID 0 >> BDC BT /F1 14 Tf 72 760 Td (Vereinbarung zwischen A und B) Tj ET "
    "BT /F1 12 Tf 72 712 Td (Betrag: 965.950 Euro) Tj ET EMC q 1 0 0 1 400 600 cm /Stamp Do Q";

std::string Appearance(const std::string& text, double width = 228, double height = 20) {
  const std::string draw = text.empty() ? "" : "BT /Helv 10 Tf 2 6 Td (" + text + ") Tj ET ";
  return Stream("/Type /XObject /Subtype /Form /BBox [0 0 " + std::to_string(width) + " " + std::to_string(height) +
                    "] /Resources << /Font << /Helv 11 0 R >> >>",
                "/Tx BMC q " + draw + "Q EMC");
}

// A tagged one-page agreement with a form: text fields Name (empty), City
// (filled), Seal (empty; its appearance is also the page's /Stamp XObject),
// Note (empty; appearance dictionary 18 0 R, also the catalogue's /Shared
// when `shared_ap`), Remark (empty, placed over the amount), and an empty
// signature field Approval.
std::string Base(bool shared_ap = false) {
  const std::string widget = "/Type /Annot /Subtype /Widget /FT /Tx /F 4 /P 3 0 R /DA (/Helv 10 Tf 0 g) ";
  return BuildPdf(
      {"<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R /Metadata 9 0 R /StructTreeRoot 20 0 R "
       "/MarkInfo << /Marked true >>" +
           std::string(shared_ap ? " /Shared 18 0 R" : "") + " >>",
       "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /StructParents 0 "
       "/Resources << /Font << /F1 6 0 R >> /XObject << /Stamp 12 0 R >> >> "
       "/Annots [7 0 R 8 0 R 10 0 R 16 0 R 17 0 R 19 0 R] >>",
       Stream("", kText),
       "<< /Fields [7 0 R 8 0 R 10 0 R 16 0 R 17 0 R 19 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 11 0 R >> >> "
       ">>",
       "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
       "<< " + widget + "/T (Name) /Rect [72 400 300 420] /AP << /N 13 0 R >> >>",
       "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Approval) /Rect [0 0 0 0] /F 132 /P 3 0 R >>",
       Stream("/Type /Metadata /Subtype /XML", "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta "
                                               "xmlns:x='adobe:ns:meta/'/><?xpacket end='w'?>"),
       "<< " + widget + "/T (City) /V (Wiesbaden) /Rect [72 360 300 380] /AP << /N 14 0 R >> >>",
       "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
       Stream("/Type /XObject /Subtype /Form /BBox [0 0 50 50]", "0 0 1 rg 0 0 50 50 re f"),
       Appearance(""),
       Appearance("Wiesbaden"),
       "<< /Title (Vereinbarung) /Producer (pactum tests) >>",
       "<< " + widget + "/T (Seal) /Rect [400 600 450 650] /AP << /N 12 0 R >> >>",
       "<< " + widget + "/T (Note) /Rect [72 320 300 340] /AP 18 0 R >>",
       "<< /N 24 0 R >>",
       "<< " + widget + "/T (Remark) /Rect [70 705 300 728] /AP << /N 25 0 R >> >>",
       "<< /Type /StructTreeRoot /K 21 0 R /ParentTree 22 0 R /ParentTreeNextKey 1 >>",
       "<< /Type /StructElem /S /Document /P 20 0 R /K [23 0 R] >>",
       "<< /Nums [0 [23 0 R]] >>",
       "<< /Type /StructElem /S /P /P 21 0 R /Pg 3 0 R /K 0 >>",
       Appearance(""),
       Appearance("", 230, 23)},
      "/Info 15 0 R");
}

std::string Signed(int certify = 0, bool shared_ap = false) {
  SignOptions o;
  o.certify = certify;
  return MustSign(Base(shared_ap), o);
}

// Object `num` of the file's last revision with `entries` replaced (PDF
// values as text, written as given; "null" removes the entry).
std::string Edited(const std::string& pdf, int num, const std::map<std::string, std::string>& entries) {
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", pdf.data(), pdf.size());
  QPDFObjectHandle copy = q.getObject(num, 0).shallowCopy();
  // Placeholders, replaced by the text afterwards: qpdf would drop a
  // reference to an object this revision does not have yet.
  std::map<std::string, std::string> placeholders;
  for (const auto& [key, value] : entries) {
    if (value == "null") {
      copy.removeKey(key);
    } else {
      const std::string name = "/PactumTestValue" + std::to_string(placeholders.size());
      copy.replaceKey(key, QPDFObjectHandle::newName(name));
      placeholders[name] = value;
    }
  }
  std::string body = copy.unparse();
  for (const auto& [name, value] : placeholders) body.replace(body.find(name), name.size(), value);
  return body;
}

// The array `key` of object `num`, as text, with `item` appended.
std::string ListWith(const std::string& pdf, int num, const std::string& key, const std::string& item) {
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", pdf.data(), pdf.size());
  std::string list = q.getObject(num, 0).getKey(key).unparseResolved();
  list.insert(list.rfind(']'), " " + item + " ");
  return list;
}

std::string Deflate(const std::string& data) {
  Pl_Buffer out("deflated");
  Pl_Flate flate("deflate", &out, Pl_Flate::a_deflate);
  flate.write(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  flate.finish();
  auto buffer = out.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
}

// An update that adds the field `num` (its own widget) to the form and the page.
std::map<int, std::string> WithNewField(const std::string& pdf, int num, const std::string& body) {
  return {{kForm, Edited(pdf, kForm, {{"/Fields", ListWith(pdf, kForm, "/Fields", std::to_string(num) + " 0 R")}})},
          {kPage, Edited(pdf, kPage, {{"/Annots", ListWith(pdf, kPage, "/Annots", std::to_string(num) + " 0 R")}})},
          {num, body}};
}

// An update that adds the annotation `num` to the page.
std::map<int, std::string> WithNewAnnotation(const std::string& pdf, int num, const std::string& body) {
  return {{kPage, Edited(pdf, kPage, {{"/Annots", ListWith(pdf, kPage, "/Annots", std::to_string(num) + " 0 R")}})},
          {num, body}};
}

std::map<int, std::string> Merge(std::map<int, std::string> a, const std::map<int, std::string>& b) {
  for (const auto& [num, body] : b) a[num] = body;
  return a;
}

const SignatureReport* Find(const VerifyReport& r, const std::string& field) {
  for (const auto& s : r.signatures) {
    if (s.field == field) return &s;
  }
  return nullptr;
}

// The signature Signature1 (the first one the signer made) after the update.
void ExpectAllowed(const std::string& pdf, Level level) {
  const VerifyReport r = MustVerify(pdf, Trust());
  const SignatureReport* s = Find(r, "Signature1");
  ASSERT_NE(s, nullptr) << Reasons(r);
  EXPECT_EQ(s->status, SignatureStatus::kValid) << Reasons(r);
  EXPECT_FALSE(s->modified_after_signing) << Reasons(r);
  EXPECT_EQ(s->modification_level, level) << Reasons(r);
}

void ExpectForbidden(const std::string& pdf, Level level, const std::string& reason) {
  const VerifyReport r = MustVerify(pdf, Trust());
  const SignatureReport* s = Find(r, "Signature1");
  ASSERT_NE(s, nullptr) << Reasons(r);
  EXPECT_EQ(s->status, SignatureStatus::kInvalid) << Reasons(r);
  EXPECT_TRUE(s->modified_after_signing) << Reasons(r);
  EXPECT_TRUE(HasReason(*s, reason)) << "expected " << reason << " in " << Reasons(r);
  EXPECT_EQ(s->modification_level, level) << Reasons(r);
}

// ---- none: what changes no content ----

TEST(ChangeAnalysis, TheSignedRevisionItselfIsLevelNone) {
  ExpectAllowed(Signed(), Level::kNone);
}

TEST(ChangeAnalysis, RewriteWithEqualValuesIsNoneAndOtherContentIsOther) {
  const std::string s = Signed();
  // The page again, its font moved to a new object of the same value, and
  // the content stream compressed: equal by value, not by identity.
  const std::string font = ObjectBody(s, 6);
  ExpectAllowed(AppendUpdate(s, {{kPage, Edited(s, kPage, {{"/Resources", "<< /Font << /F1 40 0 R >> /XObject << "
                                                                           "/Stamp 12 0 R >> >>"}})},
                                 {40, font},
                                 {kContents, Stream("/Filter /FlateDecode", Deflate(kText))},
                                 {kCatalog, ObjectBody(s, kCatalog)}}),
                Level::kNone);
  ExpectForbidden(AppendUpdate(s, {{kContents, Stream("", "BT /F1 12 Tf 72 712 Td (Betrag: 9.965.950 Euro) Tj ET")}}),
                  Level::kOther, "object_redefined");
}

TEST(ChangeAnalysis, InfoAndXmpMetadataUpdatesAreNoneAnotherInfoIsOther) {
  const std::string s = Signed();
  ExpectAllowed(AppendUpdate(s,
                             {{kInfo, "<< /Title (Vereinbarung) /ModDate (D:20260101120000Z) >>"},
                              {kMetadata,
                               Stream("/Type /Metadata /Subtype /XML", "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")}},
                             "/Info 15 0 R"),
                Level::kNone);
  // A trailer that points at another document information dictionary.
  ExpectForbidden(AppendUpdate(s, {{40, "<< /Title (Kaufvertrag) >>"}}, "/Info 40 0 R"), Level::kOther,
                  "trailer_changed");
}

TEST(ChangeAnalysis, UnreferencedNewObjectsAreNoneFreedOrRenumberedOnesAreOther) {
  const std::string s = Signed();
  ExpectAllowed(AppendUpdate(s, {{40, Stream("", "BT (not shown) Tj ET")}}), Level::kNone);
  // An xref section that frees the content stream: objects hidden from a later xref.
  TrailerFacts f = Facts(s);
  const std::string freed = s + "xref\n4 1\n0000000000 00001 f\r\ntrailer\n<< /Size " + std::to_string(f.size) +
                            " /Root " + f.root + " /Prev " + std::to_string(f.startxref) + " >>\nstartxref\n" +
                            std::to_string(s.size()) + "\n%%EOF\n";
  ExpectForbidden(freed, Level::kOther, "object_removed");
  // The same number under another generation.
  std::string renumbered = s + "4 1 obj\n" + Stream("", "BT (other) Tj ET") + "\nendobj\n";
  const size_t xref = renumbered.size();
  char entry[32];
  std::snprintf(entry, sizeof entry, "%010zu 00001 n\r\n", s.size());
  renumbered += "xref\n4 1\n" + std::string(entry) + "trailer\n<< /Size " + std::to_string(f.size) + " /Root " +
                f.root + " /Prev " + std::to_string(f.startxref) + " >>\nstartxref\n" + std::to_string(xref) +
                "\n%%EOF\n";
  ExpectForbidden(renumbered, Level::kOther, "object_redefined");
}

TEST(ChangeAnalysis, ExtensionsDictionaryIsBookkeepingUnlessItIsSharedWithAnotherEntry) {
  const std::string s = Signed();
  ExpectAllowed(AppendUpdate(s, {{kCatalog, Edited(s, kCatalog, {{"/Extensions", "<< /ADBE << /BaseVersion /1.7 "
                                                                                 "/ExtensionLevel 8 >> >>"},
                                                                {"/Version", "/2.0"}})}}),
                Level::kNone);
  // An indirect /Extensions, rewritten after signing: fine while only the
  // catalogue's /Extensions uses it, not when another entry does too.
  for (const bool shared : {false, true}) {
    SCOPED_TRACE(shared);
    std::string prepared = Base();
    prepared = AppendUpdate(
        prepared, {{kCatalog, Edited(prepared, kCatalog,
                                     {{"/Extensions", "40 0 R"}, {"/Keep", shared ? "40 0 R" : "null"}})},
                   {40, "<< >>"}});
    const std::string signed_pdf = MustSign(prepared, {});
    const std::string updated =
        AppendUpdate(signed_pdf, {{40, "<< /ISO_ [<< /BaseVersion /2.0 /ExtensionLevel 32002 >>] >>"}});
    if (shared) {
      ExpectForbidden(updated, Level::kOther, "object_redefined");
    } else {
      ExpectAllowed(updated, Level::kNone);
    }
  }
}

// ---- ltv: validation data and document timestamps ----

TEST(ChangeAnalysis, ValidationDataIsLtvAStoreWithOtherContentIsOther) {
  const std::string s = Signed();
  const std::string crl = ReadFile(Pki("intermediate.crl.der"));
  ExpectAllowed(AppendUpdate(s, {{kCatalog, Edited(s, kCatalog, {{"/DSS", "<< /CRLs [40 0 R] /VRI << /"
                                                                         "0123456789ABCDEF0123456789ABCDEF01234567 "
                                                                         "<< /CRL [40 0 R] >> >> >>"}})},
                                 {40, Stream("", crl)}}),
                Level::kLtv);
  ExpectForbidden(AppendUpdate(s, {{kCatalog, Edited(s, kCatalog, {{"/DSS", "<< /CRLs [40 0 R] /JS 41 0 R >>"}})},
                                   {40, Stream("", crl)},
                                   {41, "<< /S /JavaScript /JS (app.alert(1)) >>"}}),
                  Level::kOther, "catalog_changed");
}

// An update adding a document timestamp field (its token is not checked
// here: only what it does to the first signature).
std::map<int, std::string> DocumentTimestamp(const std::string& pdf, const std::string& rect) {
  return Merge(WithNewField(pdf, 40,
                            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Timestamp) /Rect " + rect +
                                " /F 4 /P 3 0 R /V 41 0 R >>"),
               {{41, "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange [0 10 20 30] "
                     "/Contents <00> >>"}});
}

TEST(ChangeAnalysis, CertificationLevel1PermitsValidationDataAndInvisibleDocumentTimestampsOnly) {
  const std::string s = Signed(1);
  const std::string crl = ReadFile(Pki("intermediate.crl.der"));
  ExpectAllowed(AppendUpdate(s, {{kCatalog, Edited(s, kCatalog, {{"/DSS", "<< /CRLs [40 0 R] >>"}})},
                                 {40, Stream("", crl)}}),
                Level::kLtv);
  ExpectAllowed(AppendUpdate(s, DocumentTimestamp(s, "[0 0 0 0]")), Level::kLtv);
  // Visible, it is a signature appearing on the page: not permitted by P=1.
  const std::string visible = AppendUpdate(s, DocumentTimestamp(s, "[300 100 400 150]"));
  ExpectForbidden(visible, Level::kSigning, "docmdp_violation");
  ExpectForbidden(visible, Level::kSigning, "signature_added");
}

// ---- signing: new signatures, their widgets and structure ----

TEST(ChangeAnalysis, SecondSignatureIsSigningANewTextFieldIsOther) {
  const std::string s = Signed();
  SignOptions second;
  second.key = Key("p256");
  ExpectAllowed(MustSign(s, second), Level::kSigning);
  // Signing the prepared empty field, visibly on blank space.
  SignOptions prepared;
  prepared.field = "Approval";
  prepared.page = 1;
  prepared.rect = std::array<double, 4>{320, 600, 520, 660};
  ExpectAllowed(MustSign(s, prepared), Level::kSigning);
  ExpectForbidden(AppendUpdate(s, WithNewField(s, 40,
                                               "<< /Type /Annot /Subtype /Widget /FT /Tx /T (Extra) /V (1.000.000) "
                                               "/Rect [72 200 300 220] /F 4 /P 3 0 R >>")),
                  Level::kOther, "form_changed");
  // A signature field that runs a script when the page opens.
  ExpectForbidden(AppendUpdate(s, WithNewField(s, 40,
                                               "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Second) /Rect [0 0 0 0] "
                                               "/F 132 /P 3 0 R /AA << /PO << /S /JavaScript /JS "
                                               "(this.getField('City').value = 'Kassel') >> >> >>")),
                  Level::kOther, "form_changed");
}

TEST(ChangeAnalysis, AnnotationsMayBeAddedAfterTheOthersNotReordered) {
  const std::string s = Signed();
  // Painted in their order: which widget is on top must not change.
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", s.data(), s.size());
  QPDFObjectHandle annots = q.getObject(kPage, 0).getKey("/Annots");
  std::string reversed = "[";
  for (int i = annots.getArrayNItems() - 1; i >= 0; --i) reversed += annots.getArrayItem(i).unparse() + " ";
  reversed += "]";
  ExpectForbidden(AppendUpdate(s, {{kPage, Edited(s, kPage, {{"/Annots", reversed}})}}), Level::kAnnotations,
                  "annotation_changed");
  SignOptions second;
  second.key = Key("p256");
  ExpectAllowed(MustSign(s, second), Level::kSigning);
}

TEST(ChangeAnalysis, SignatureWidgetAsTheKidOfANewFieldIsSigningAnOrphanWidgetIsAnAnnotation) {
  const std::string s = Signed();
  // The widget in an indirect /Kids array, without /FT or /Parent of its own.
  const std::string widget = "<< /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 3 0 R >>";
  std::map<int, std::string> update = {
      {kForm, Edited(s, kForm, {{"/Fields", ListWith(s, kForm, "/Fields", "40 0 R")}})},
      {kPage, Edited(s, kPage, {{"/Annots", ListWith(s, kPage, "/Annots", "42 0 R")}})},
      {40, "<< /FT /Sig /T (Second) /Kids 41 0 R >>"},
      {41, "[42 0 R]"},
      {42, widget}};
  ExpectAllowed(AppendUpdate(s, update), Level::kSigning);
  // The same widget on the page with no field that owns it.
  update[40] = "<< /FT /Sig /T (Second) >>";
  ExpectForbidden(AppendUpdate(s, update), Level::kAnnotations, "annotation_added");
}

TEST(ChangeAnalysis, NewSignatureWidgetInANewIndirectAnnotsArrayIsSigningALinkAddedIsAnAnnotation) {
  const std::string s = Signed();
  // As Acrobat writes it: the page's /Annots becomes an indirect array.
  const std::string annots = ListWith(s, kPage, "/Annots", "41 0 R");
  std::map<int, std::string> update = {
      {kForm, Edited(s, kForm, {{"/Fields", ListWith(s, kForm, "/Fields", "41 0 R")}})},
      {kPage, Edited(s, kPage, {{"/Annots", "40 0 R"}})},
      {40, annots},
      {41, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Second) /Rect [0 0 0 0] /F 132 /P 3 0 R >>"}};
  ExpectAllowed(AppendUpdate(s, update), Level::kSigning);
  std::string with_link = annots;
  with_link.insert(with_link.rfind(']'), " 42 0 R ");
  update[40] = with_link;
  update[42] = "<< /Type /Annot /Subtype /Link /Rect [72 700 300 725] /A << /S /URI /URI (https://example.org) >> >>";
  ExpectForbidden(AppendUpdate(s, update), Level::kAnnotations, "annotation_added");
}

TEST(ChangeAnalysis, StructureTreeEntriesOfANewSignatureWidgetAreSigningOtherStructureChangesAreOther) {
  const std::string s = Signed();
  // Acrobat's way: a /Form element for the widget under the document
  // element, and its /StructParent in the parent tree.
  std::map<int, std::string> update = Merge(
      WithNewField(s, 40,
                   "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Second) /Rect [0 0 0 0] /F 132 /P 3 0 R "
                   "/StructParent 1 >>"),
      {{41, "<< /Type /StructElem /S /Form /P 21 0 R /K << /Type /OBJR /Obj 40 0 R /Pg 3 0 R >> >>"},
       {kDocumentElem, Edited(s, kDocumentElem, {{"/K", "[23 0 R 41 0 R]"}})},
       {kParentTree, "<< /Nums [0 [23 0 R] 1 41 0 R] >>"},
       {20, Edited(s, 20, {{"/ParentTreeNextKey", "2"}})}});
  ExpectAllowed(AppendUpdate(s, update), Level::kSigning);
  // What assistive technology reads of the signed text changes with it.
  update[kParagraphElem] = Edited(s, kParagraphElem, {{"/ActualText", "(Betrag: 9.965.950 Euro)"}});
  ExpectForbidden(AppendUpdate(s, update), Level::kOther, "catalog_changed");
  // Structure entries without a new signature widget.
  ExpectForbidden(AppendUpdate(s, {{kDocumentElem, Edited(s, kDocumentElem, {{"/K", "[23 0 R 41 0 R]"}})},
                                   {41, "<< /Type /StructElem /S /P /P 21 0 R /K 1 >>"}}),
                  Level::kOther, "catalog_changed");
}

// ---- form filling ----

TEST(ChangeAnalysis, FillingAnEmptyFieldIsFormFillingChangingAFilledOneIsOther) {
  const std::string s = Signed();
  // Acrobat also locks the widget (Print | Locked) and sets the form's bookkeeping.
  ExpectAllowed(AppendUpdate(s, {{kName, Edited(s, kName,
                                                {{"/V", "(Alice)"}, {"/AP", "<< /N 40 0 R >>"}, {"/F", "132"}})},
                                 {40, Appearance("Alice")}}),
                Level::kFormFilling);
  ExpectForbidden(AppendUpdate(s, {{kCity, Edited(s, kCity, {{"/V", "(Kassel)"}, {"/AP", "<< /N 40 0 R >>"}})},
                                   {40, Appearance("Kassel")}}),
                  Level::kOther, "field_value_changed");
}

TEST(ChangeAnalysis, AppearanceRewrittenInPlaceByAFillIsFormFillingUnlessThePageDrawsItToo) {
  const std::string s = Signed();
  ExpectAllowed(AppendUpdate(s, {{kName, Edited(s, kName, {{"/V", "(Alice)"}})}, {kNameAp, Appearance("Alice")}}),
                Level::kFormFilling);
  // The Seal's appearance stream is also the page's /Stamp: overwriting it
  // "as part of the fill" changes the page.
  ExpectForbidden(AppendUpdate(s, {{kSeal, Edited(s, kSeal, {{"/V", "(x)"}})},
                                   {kStamp, Stream("/Type /XObject /Subtype /Form /BBox [0 0 50 50]",
                                                   "1 0 0 rg 0 0 50 50 re f")}}),
                  Level::kOther, "object_redefined");
}

TEST(ChangeAnalysis, ReplacingAnAppearanceDictionaryUsedElsewhereIsOther) {
  for (const bool shared : {false, true}) {
    SCOPED_TRACE(shared);
    const std::string s = Signed(0, shared);
    const std::string filled =
        AppendUpdate(s, {{kNote, Edited(s, kNote, {{"/V", "(ok)"}, {"/AP", "<< /N 40 0 R >>"}})},
                         {40, Appearance("ok")}});
    if (shared) {
      ExpectForbidden(filled, Level::kOther, "appearance_changed");
    } else {
      ExpectAllowed(filled, Level::kFormFilling);
    }
  }
}

TEST(ChangeAnalysis, AppearanceOrVisibilityChangedWithoutAFillIsOther) {
  const std::string s = Signed();
  ExpectForbidden(AppendUpdate(s, {{kName, Edited(s, kName, {{"/AP", "<< /N 40 0 R >>"}})}, {40, Appearance("Alice")}}),
                  Level::kOther, "appearance_changed");
  // Hidden: the field disappears from the page.
  ExpectForbidden(AppendUpdate(s, {{kCity, Edited(s, kCity, {{"/F", "6"}})}}), Level::kOther, "appearance_changed");
}

TEST(ChangeAnalysis, FormBookkeepingIsNoneOtherFormEntriesAreOther) {
  const std::string s = Signed();
  // Acrobat's bookkeeping: a default appearance, a new font in /DR, the
  // fields listed in another order.
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", s.data(), s.size());
  std::vector<std::string> fields;
  QPDFObjectHandle list = q.getObject(kForm, 0).getKey("/Fields");
  for (int i = list.getArrayNItems() - 1; i >= 0; --i) fields.push_back(list.getArrayItem(i).unparse());
  std::string reversed = "[";
  for (const auto& f : fields) reversed += f + " ";
  reversed += "]";
  ExpectAllowed(AppendUpdate(s, {{kForm, Edited(s, kForm, {{"/Fields", reversed},
                                                           {"/DA", "(/Helv 12 Tf 0 g)"},
                                                           {"/NeedAppearances", "true"},
                                                           {"/DR", "<< /Font << /Helv 11 0 R /Cour 40 0 R >> >>"}})},
                                 {40, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"}}),
                Level::kNone);
  ExpectForbidden(AppendUpdate(s, {{kForm, Edited(s, kForm, {{"/XFA", "40 0 R"}})},
                                   {40, Stream("", "<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")}}),
                  Level::kOther, "form_changed");
}

TEST(ChangeAnalysis, CertificationLevel1ForbidsFormFillingLevel2PermitsIt) {
  for (const int level : {1, 2}) {
    SCOPED_TRACE(level);
    const std::string s = Signed(level);
    const std::string filled = AppendUpdate(
        s, {{kName, Edited(s, kName, {{"/V", "(Alice)"}, {"/AP", "<< /N 40 0 R >>"}})}, {40, Appearance("Alice")}});
    if (level == 1) {
      ExpectForbidden(filled, Level::kFormFilling, "form_filled");
      ExpectForbidden(filled, Level::kFormFilling, "docmdp_violation");
    } else {
      ExpectAllowed(filled, Level::kFormFilling);
    }
  }
}

TEST(ChangeAnalysis, FillThatCoversSignedTextIsCaughtByTheRendering) {
  const std::string s = Signed();
  // Permitted by its objects (an empty field filled in), but its opaque
  // appearance hides the amount the signer saw: the pixel check says so.
  const std::string cover = Stream(
      "/Type /XObject /Subtype /Form /BBox [0 0 230 23] /Resources << /Font << /Helv 11 0 R >> >>",
      "/Tx BMC 1 1 1 rg 0 0 230 23 re f BT 0 g /Helv 12 Tf 2 3 Td (Betrag: 1.000 Euro) Tj ET EMC");
  const std::string covered =
      AppendUpdate(s, {{kRemark, Edited(s, kRemark, {{"/V", "(x)"}, {"/AP", "<< /N 40 0 R >>"}})}, {40, cover}});
  ExpectForbidden(covered, Level::kFormFilling, "visual_overlay");
}

// ---- annotations ----

TEST(ChangeAnalysis, AnnotationsAreForbiddenUnlessCertificationLevel3PermitsThem) {
  for (const int level : {0, 2, 3}) {
    SCOPED_TRACE(level);
    const std::string s = Signed(level);
    // A sticky note in the margin.
    const std::string noted = AppendUpdate(
        s, WithNewAnnotation(s, 40, "<< /Type /Annot /Subtype /Text /Rect [540 776 564 800] /Contents (Bitte pruefen) "
                                    "/F 4 >>"));
    if (level == 3) {
      ExpectAllowed(noted, Level::kAnnotations);
    } else {
      ExpectForbidden(noted, Level::kAnnotations, "annotation_added");
    }
  }
}

}  // namespace
}  // namespace pactum::signing::testing
