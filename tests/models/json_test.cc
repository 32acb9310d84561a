// The JSON decoders (json.h): ToJson -> dump -> parse -> FromJson -> ToJson
// is the identity, and malformed input fails with an Error::Internal that
// names the offending member, never with an exception. The enums of
// enums.h and their spellings.
#include "pactum/models/json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pactum {
namespace {

using json = nlohmann::ordered_json;

// Fixtures hold values ToJson does not round further (two decimals).
Evidence At(int page, bool with_box) {
  Evidence e;
  e.page = page;
  if (with_box) {
    e.bbox = Box{72.0, 140.25, 520.5, 158.0};
    e.confidence = 0.99;
  }
  return e;
}

SignatureReport FullSignature() {
  SignatureReport s;
  s.field = "parent.Signature1";
  s.status = SignatureStatus::kIndeterminate;
  s.reasons = {"untrusted_chain", "revocation_unknown"};
  s.sub_filter = "ETSI.CAdES.detached";
  s.digest_algorithm = "sha256";
  s.signer = CertificateSummary{"CN=Heike Hofmann,O=HMSI,C=DE", "CN=Test CA,C=DE", "0a1b2c", "2025-01-01T00:00:00Z",
                                "2027-01-01T00:00:00Z"};
  s.signing_time = "2025-08-02T10:15:00Z";
  s.timestamp = TimestampSummary{"2025-08-02T10:15:03Z", "CN=Test TSA,C=DE", TimestampStatus::kUntrusted};
  s.byte_range = {0, 1234, 5678, 910};
  s.covers_whole_revision = true;
  s.modified_after_signing = false;
  s.integrity = Integrity::kOk;
  s.trust = Trust::kUntrusted;
  s.type = SignatureType::kSignature;
  s.revision = 2;
  s.certification = 2;
  s.revocation = Revocation::kUnknown;
  s.validation_time = "2025-08-02T10:15:03Z";
  s.validation_time_source = ValidationTimeSource::kSignatureTimestamp;
  s.ltv = true;
  s.name = "Heike Hofmann";
  s.reason = "Genehmigt";
  s.location = "Wiesbaden";
  s.contact_info = "poststelle@example.org";
  s.changed_pages = {1, 3};
  s.modification_level = ModificationLevel::kFormFilling;
  s.warnings = {"weak_digest"};
  return s;
}

// Only what a signature without dictionary entries, signer or timestamp has.
SignatureReport BareSignature() {
  SignatureReport s;
  s.field = "Signature2";
  s.status = SignatureStatus::kInvalid;
  s.reasons = {"byte_range_malformed"};
  return s;
}

// Every optional member set, every list non-empty.
AgreementRecord FullRecord() {
  AgreementRecord r;
  r.id = std::string(64, 'a');
  r.document.media_type = "application/pdf";
  r.document.file_name = "Zielvereinbarung 2025 (Entwurf).pdf";
  r.document.bytes = 123456;
  r.document.pages = 4;
  r.document.text_source = DocumentTextSource::kMixed;
  r.document.language = "de";
  r.document.ocr_mean_confidence = 0.93;
  r.document.page_info = {{1, PageTextSource::kPdfText, "text-layer", std::nullopt},
                          {2, PageTextSource::kOcr, "no-text-layer", 0.87}};
  Agreement& a = r.agreement;
  a.type = "Zielvereinbarung";
  a.title = "Zielvereinbarung 2025";
  a.year = 2025;
  a.subject = "Umsetzung des hessischen Ausbildungs- und Qualifizierungsbudgets";
  a.parties = {{"Hessisches Ministerium für Arbeit, Integration, Jugend und Soziales", "HMSI", At(1, true)},
               {"Landkreis Hochtaunuskreis", std::nullopt, At(1, false)}};
  a.amounts = {{"965950.00", "EUR", "965.950 Euro", "Haushaltsmittel in Höhe von insgesamt", At(3, true)}};
  a.dates = {{"2025-08-02", "2.8.2025", DateKind::kSignature, At(4, false)}};
  a.projects = {{1, "Ausbildungsvorbereitung", "A.N.K.E.R.", At(3, false)},
                {std::nullopt, "Sonstiges", "Fachkräftesicherung", At(3, true)}};
  a.signatories = {{"Heike Hofmann", "Staatsministerin", "HMSI", "Wiesbaden", "2025-08-02", At(4, true)}};
  a.governing_law = GoverningLaw{"Hessen", "unterliegt dem Recht des Landes Hessen", At(4, true)};
  a.term = Term{"P2Y", "für die Dauer von zwei Jahren", At(2, false)};
  r.signatures = {FullSignature(), BareSignature()};
  r.warnings = {{"page-skipped", "page 5 could not be rendered", 5}, {"ocr-low-confidence", "low", std::nullopt}};
  return r;
}

// Only the members without a default.
AgreementRecord MinimalRecord() {
  AgreementRecord r;
  r.id = std::string(64, '0');
  r.document.media_type = "image/png";
  r.document.bytes = 10;
  r.document.pages = 1;
  r.document.text_source = DocumentTextSource::kOcr;
  return r;
}

VerifyReport TwoSignatureReport() {
  VerifyReport v;
  v.id = std::string(64, 'f');
  v.status = DocumentStatus::kInvalid;
  v.revisions = 3;
  v.signatures = {FullSignature(), BareSignature()};
  return v;
}

// ToJson(v) as a worker sends it and as the parent parses it.
template <typename T>
json OverTheWire(const T& v) {
  return json::parse(ToJson(v).dump());
}

// Expects `r` to have failed as a malformed message whose text contains
// every one of `needles` (the JSON path, the offending member).
template <typename T>
void ExpectRejected(const Result<T>& r, const std::vector<std::string>& needles) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_EQ(r.error().message.rfind("malformed ", 0), 0u) << r.error().message;
  for (const std::string& needle : needles) {
    EXPECT_NE(r.error().message.find(needle), std::string::npos)
        << "\"" << needle << "\" not in: " << r.error().message;
  }
}

// ---- Round trips ------------------------------------------------------------

TEST(JsonRoundTrip, FullRecord) {
  const AgreementRecord record = FullRecord();
  const Result<AgreementRecord> decoded = AgreementRecordFromJson(OverTheWire(record));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded), ToJson(record));
  EXPECT_EQ(ToJson(*decoded).dump(), ToJson(record).dump());
  // Spot checks of the typed value itself.
  EXPECT_EQ(decoded->document.file_name, "Zielvereinbarung 2025 (Entwurf).pdf");
  EXPECT_EQ(decoded->document.bytes, 123456);
  ASSERT_TRUE(decoded->agreement.parties[0].evidence.bbox);
  EXPECT_EQ(decoded->agreement.parties[0].evidence.bbox->y0, 140.25);
  EXPECT_FALSE(decoded->agreement.parties[1].short_name);
  EXPECT_FALSE(decoded->agreement.parties[1].evidence.bbox);
  EXPECT_FALSE(decoded->agreement.projects[1].category_number);
  EXPECT_FALSE(decoded->document.page_info[0].ocr_mean_confidence);
  EXPECT_EQ(decoded->document.page_info[1].ocr_mean_confidence, 0.87);
  EXPECT_EQ(decoded->signatures[0].byte_range, (std::vector<std::int64_t>{0, 1234, 5678, 910}));
  EXPECT_EQ(decoded->warnings[0].page, 5);
  ASSERT_TRUE(decoded->agreement.governing_law);
  EXPECT_EQ(decoded->agreement.governing_law->jurisdiction, "Hessen");
  EXPECT_EQ(decoded->agreement.governing_law->text, "unterliegt dem Recht des Landes Hessen");
  EXPECT_EQ(decoded->agreement.governing_law->evidence.page, 4);
  ASSERT_TRUE(decoded->agreement.term);
  EXPECT_EQ(decoded->agreement.term->duration, "P2Y");
  EXPECT_FALSE(decoded->agreement.term->evidence.bbox);
}

TEST(JsonRoundTrip, MinimalRecord) {
  const AgreementRecord record = MinimalRecord();
  const Result<AgreementRecord> decoded = AgreementRecordFromJson(OverTheWire(record));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded).dump(), ToJson(record).dump());
  EXPECT_FALSE(decoded->document.file_name);
  EXPECT_FALSE(decoded->document.language);
  EXPECT_TRUE(decoded->agreement.parties.empty());
  EXPECT_FALSE(decoded->agreement.governing_law);
  EXPECT_FALSE(decoded->agreement.term);
}

TEST(JsonRoundTrip, GoverningLawAndTermAreNullWhenUnset) {
  const json j = OverTheWire(MinimalRecord());
  ASSERT_TRUE(j["agreement"].contains("governing_law"));
  ASSERT_TRUE(j["agreement"].contains("term"));
  EXPECT_TRUE(j["agreement"]["governing_law"].is_null());
  EXPECT_TRUE(j["agreement"]["term"].is_null());
  // Written after the lists, in the contract's order.
  std::vector<std::string> keys;
  for (auto it = j["agreement"].begin(); it != j["agreement"].end(); ++it) keys.push_back(it.key());
  ASSERT_GE(keys.size(), 2u);
  EXPECT_EQ(keys[keys.size() - 2], "governing_law");
  EXPECT_EQ(keys.back(), "term");
}

TEST(JsonRoundTrip, GoverningLawAndTermMayBeAbsent) {
  // A record written before the members existed still decodes.
  json j = OverTheWire(FullRecord());
  j["agreement"].erase("governing_law");
  j["agreement"].erase("term");
  const Result<AgreementRecord> decoded = AgreementRecordFromJson(j);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->agreement.governing_law);
  EXPECT_FALSE(decoded->agreement.term);
}

TEST(JsonRoundTrip, ModificationLevelMayBeAbsent) {
  // A signature stored before the member existed decodes as "not judged".
  json j = OverTheWire(FullSignature());
  j.erase("modification_level");
  const Result<SignatureReport> decoded = SignatureReportFromJson(j);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->modification_level);
  const Result<SignatureReport> full = SignatureReportFromJson(OverTheWire(FullSignature()));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->modification_level, ModificationLevel::kFormFilling);
}

TEST(JsonRejects, MalformedGoverningLawAndTerm) {
  json j = OverTheWire(FullRecord());
  j["agreement"]["governing_law"] = "New York";
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.governing_law", "expected an object"});
  j = OverTheWire(FullRecord());
  j["agreement"]["governing_law"].erase("jurisdiction");
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.governing_law.jurisdiction", "missing"});
  j = OverTheWire(FullRecord());
  j["agreement"]["term"]["duration"] = 2;
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.term.duration", "expected a string"});
  j = OverTheWire(FullRecord());
  j["agreement"]["term"]["evidence"].erase("page");
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.term.evidence.page", "missing"});
  j = OverTheWire(FullRecord());
  j["agreement"]["term"]["months"] = 24;
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.term", "unknown member \"months\""});
}

TEST(JsonRoundTrip, VerifyReportWithTwoSignatures) {
  const VerifyReport report = TwoSignatureReport();
  const Result<VerifyReport> decoded = VerifyReportFromJson(OverTheWire(report));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(ToJson(*decoded).dump(), ToJson(report).dump());
  ASSERT_EQ(decoded->signatures.size(), 2u);
  EXPECT_TRUE(decoded->signatures[0].signer);
  EXPECT_TRUE(decoded->signatures[0].timestamp);
  EXPECT_EQ(decoded->signatures[0].certification, 2);
  EXPECT_FALSE(decoded->signatures[1].signer);
  EXPECT_FALSE(decoded->signatures[1].timestamp);
  EXPECT_EQ(decoded->signatures[1].sub_filter, "");  // null on the wire
  EXPECT_EQ(decoded->signatures[1].digest_algorithm, "");
  EXPECT_EQ(decoded->signatures[1].integrity, Integrity::kFailed);
}

TEST(JsonRoundTrip, SignatureReport) {
  for (const SignatureReport& s : {FullSignature(), BareSignature()}) {
    const Result<SignatureReport> decoded = SignatureReportFromJson(OverTheWire(s));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(ToJson(*decoded).dump(), ToJson(s).dump());
  }
}

// Records archived before validation_time, validation_time_source and ltv
// existed still decode (as unset and false).
TEST(JsonRoundTrip, SignatureReportWithoutTheLongTermValidationMembers) {
  json j = ToJson(FullSignature());
  for (const char* key : {"validation_time", "validation_time_source", "ltv"}) j.erase(key);
  const Result<SignatureReport> decoded = SignatureReportFromJson(j);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->validation_time);
  EXPECT_FALSE(decoded->validation_time_source);
  EXPECT_FALSE(decoded->ltv);
}

TEST(JsonRoundTrip, EveryErrorCode) {
  for (ErrorCode code : kErrorCodes) {
    const Error error{code, "what the caller can do: \"quoted\", ümlaut"};
    const Result<Error> decoded = ErrorFromJson(OverTheWire(error));
    ASSERT_TRUE(decoded.ok()) << ErrorCodeName(code) << ": " << decoded.error().message;
    EXPECT_EQ(decoded->code, code);
    EXPECT_EQ(decoded->message, error.message);
    EXPECT_EQ(ToJson(*decoded), ToJson(error));
  }
}

TEST(ErrorCodes, ParseIsTheInverseOfName) {
  for (ErrorCode code : kErrorCodes) EXPECT_EQ(ParseErrorCode(ErrorCodeName(code)), code) << ErrorCodeName(code);
  for (const char* name : {"", "Internal", "BAD_REQUEST", "bad_request ", " timeout", "teapot", "500"}) {
    EXPECT_FALSE(ParseErrorCode(name)) << name;
  }
}

TEST(ErrorCodes, ListIsComplete) {
  // kErrorCodes lists the enumerators in declaration order (a static_assert
  // checks the count).
  for (std::size_t i = 0; i < kErrorCodes.size(); ++i) EXPECT_EQ(static_cast<std::size_t>(kErrorCodes[i]), i);
}

TEST(ResultOfError, AnErrorIsTheFailureAndOkTheValue) {
  const Result<Error> failure = Error::Timeout("late");
  EXPECT_FALSE(failure.ok());
  EXPECT_EQ(failure.error().code, ErrorCode::kTimeout);
  const Result<Error> value = Result<Error>::Ok(Error{ErrorCode::kNotFound, "gone"});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->code, ErrorCode::kNotFound);
}

// ---- Enums (enums.h) -----------------------------------------------------------

// Parse(Name(e)) == e for every value; nothing but the exact spelling parses.
template <typename E>
void ExpectParseInvertsName(std::optional<E> (*parse)(std::string_view)) {
  for (const E e : EnumValues<E>::kAll) {
    const std::string name(Name(e));
    EXPECT_EQ(parse(name), e) << name;
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(parse(upper)) << upper;
    EXPECT_FALSE(parse(name + " ")) << name;
    EXPECT_FALSE(parse(name.substr(1))) << name;
  }
  EXPECT_FALSE(parse(""));
}

TEST(Enums, ParseIsTheInverseOfName) {
  ExpectParseInvertsName(ParseSignatureStatus);
  ExpectParseInvertsName(ParseIntegrity);
  ExpectParseInvertsName(ParseTrust);
  ExpectParseInvertsName(ParseSignatureType);
  ExpectParseInvertsName(ParseRevocation);
  ExpectParseInvertsName(ParseTimestampStatus);
  ExpectParseInvertsName(ParseModificationLevel);
  ExpectParseInvertsName(ParseDocumentStatus);
  ExpectParseInvertsName(ParseDateKind);
  ExpectParseInvertsName(ParsePageTextSource);
  ExpectParseInvertsName(ParseDocumentTextSource);
}

// The spellings of E are exactly the `enum` of `property` of the OpenAPI
// document's schema `schema`.
template <typename E>
void ExpectSpellingsOf(const json& openapi, const std::string& schema, const std::string& property) {
  SCOPED_TRACE(schema + "." + property);
  const json::json_pointer at("/components/schemas/" + schema + "/properties/" + property + "/enum");
  ASSERT_TRUE(openapi.contains(at));
  // A nullable member lists null as well: not a spelling.
  std::vector<std::string> documented;
  for (const json& v : openapi[at]) {
    if (!v.is_null()) documented.push_back(v.get<std::string>());
  }
  std::vector<std::string> ours;
  for (const E e : EnumValues<E>::kAll) ours.emplace_back(Name(e));
  std::sort(documented.begin(), documented.end());
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, documented);
}

TEST(Enums, SpellingsAreThoseOfTheOpenApiDocument) {
  std::ifstream in(PACTUM_OPENAPI_JSON);
  ASSERT_TRUE(in) << PACTUM_OPENAPI_JSON;
  const json openapi = json::parse(in);
  ExpectSpellingsOf<SignatureStatus>(openapi, "Signature", "status");
  ExpectSpellingsOf<Integrity>(openapi, "Signature", "integrity");
  ExpectSpellingsOf<Trust>(openapi, "Signature", "trust");
  ExpectSpellingsOf<SignatureType>(openapi, "Signature", "type");
  ExpectSpellingsOf<Revocation>(openapi, "Signature", "revocation");
  ExpectSpellingsOf<ValidationTimeSource>(openapi, "Signature", "validation_time_source");
  ExpectSpellingsOf<TimestampStatus>(openapi, "Timestamp", "status");
  ExpectSpellingsOf<ModificationLevel>(openapi, "Signature", "modification_level");
  ExpectSpellingsOf<DocumentStatus>(openapi, "VerifyReport", "status");
  ExpectSpellingsOf<DateKind>(openapi, "DateItem", "kind");
  ExpectSpellingsOf<PageTextSource>(openapi, "PageInfo", "text_source");
  ExpectSpellingsOf<DocumentTextSource>(openapi, "DocumentInfo", "text_source");
}

TEST(Enums, WrittenAsTheirSpelling) {
  const json s = ToJson(FullSignature());
  EXPECT_EQ(s["status"], "indeterminate");
  EXPECT_EQ(s["integrity"], "ok");
  EXPECT_EQ(s["trust"], "untrusted");
  EXPECT_EQ(s["type"], "signature");
  EXPECT_EQ(s["revocation"], "unknown");
  EXPECT_EQ(s["modification_level"], "form_filling");
  EXPECT_EQ(ToJson(BareSignature())["modification_level"], nullptr);
  EXPECT_EQ(s["timestamp"]["status"], "untrusted");
  const json r = ToJson(FullRecord());
  EXPECT_EQ(r["document"]["text_source"], "mixed");
  EXPECT_EQ(r["document"]["page_info"][0]["text_source"], "pdf-text");
  EXPECT_EQ(r["document"]["page_info"][1]["text_source"], "ocr");
  EXPECT_EQ(r["agreement"]["dates"][0]["kind"], "signature");
  EXPECT_EQ(ToJson(TwoSignatureReport())["status"], "invalid");
  // Every value, through nlohmann's own conversion too (not as a number).
  for (const Revocation v : EnumValues<Revocation>::kAll) {
    SignatureReport t = BareSignature();
    t.revocation = v;
    EXPECT_EQ(ToJson(t)["revocation"], Name(v));
    EXPECT_EQ(json(v), Name(v));
  }
  for (const DocumentStatus v : EnumValues<DocumentStatus>::kAll) {
    VerifyReport t = TwoSignatureReport();
    t.status = v;
    EXPECT_EQ(ToJson(t)["status"], Name(v));
  }
}

TEST(Enums, DefaultsOfTheRecordTypes) {
  // What a value not yet judged says: never valid or trusted.
  EXPECT_EQ(SignatureReport().status, SignatureStatus::kIndeterminate);
  EXPECT_EQ(SignatureReport().integrity, Integrity::kFailed);
  EXPECT_EQ(SignatureReport().trust, Trust::kUntrusted);
  EXPECT_EQ(SignatureReport().type, SignatureType::kSignature);
  EXPECT_EQ(SignatureReport().revocation, Revocation::kNotChecked);
  EXPECT_EQ(TimestampSummary().status, TimestampStatus::kInvalid);
  EXPECT_EQ(VerifyReport().status, DocumentStatus::kUnsigned);
  EXPECT_EQ(DateItem().kind, DateKind::kOther);
  EXPECT_EQ(PageInfo().text_source, PageTextSource::kPdfText);
  EXPECT_EQ(DocumentInfo().text_source, DocumentTextSource::kPdfText);
}

// ---- The record's file name -------------------------------------------------

TEST(JsonFileName, WrittenRightAfterMediaTypeOnlyWhenSet) {
  AgreementRecord record = MinimalRecord();
  // Byte-identical to the output before file_name existed.
  EXPECT_EQ(ToJson(record)["document"].dump(),
            R"({"media_type":"image/png","bytes":10,"pages":1,"text_source":"ocr","language":null,)"
            R"("ocr_mean_confidence":null,"page_info":[]})");
  record.document.file_name = "scan.png";
  EXPECT_EQ(ToJson(record)["document"].dump(),
            R"({"media_type":"image/png","file_name":"scan.png","bytes":10,"pages":1,"text_source":"ocr",)"
            R"("language":null,"ocr_mean_confidence":null,"page_info":[]})");
}

TEST(JsonFileName, NullOrAbsentDecodesAsUnset) {
  json j = OverTheWire(MinimalRecord());
  ASSERT_FALSE(j["document"].contains("file_name"));
  j["document"]["file_name"] = nullptr;
  const Result<AgreementRecord> decoded = AgreementRecordFromJson(j);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->document.file_name);
}

// ---- The record's full text ------------------------------------------------

TEST(JsonText, WrittenLastInTheDocumentOnlyWhenSetAndDecoded) {
  AgreementRecord record = MinimalRecord();
  EXPECT_FALSE(ToJson(record)["document"].contains("text"));
  record.document.text = "Seite 1\nZeile 2\fSeite 2";
  const json j = OverTheWire(record);
  const json& document = j["document"];
  std::vector<std::string> keys;
  for (auto it = document.begin(); it != document.end(); ++it) keys.push_back(it.key());
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.back(), "text");
  EXPECT_EQ(document["text"], "Seite 1\nZeile 2\fSeite 2");
  const Result<AgreementRecord> decoded = AgreementRecordFromJson(j);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->document.text, "Seite 1\nZeile 2\fSeite 2");
  json absent = OverTheWire(MinimalRecord());
  EXPECT_FALSE(AgreementRecordFromJson(absent)->document.text);
  absent["document"]["text"] = nullptr;
  EXPECT_FALSE(AgreementRecordFromJson(absent)->document.text);
  absent["document"]["text"] = 7;
  const Result<AgreementRecord> bad = AgreementRecordFromJson(absent);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("$.document.text"), std::string::npos) << bad.error().message;
}

// ---- A partial record -------------------------------------------------------

TEST(JsonPartial, WrittenRightAfterIdOnlyWhenPartial) {
  AgreementRecord record = FullRecord();
  std::vector<std::string> keys;
  const json complete = ToJson(record);
  for (auto it = complete.begin(); it != complete.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "document", "agreement", "signatures", "warnings"}));
  record.partial = true;
  record.missing_pages = {3, 4};
  const json partial = ToJson(record);
  keys.clear();
  for (auto it = partial.begin(); it != partial.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "partial", "missing_pages", "document", "agreement", "signatures",
                                            "warnings"}));
  EXPECT_EQ(partial["partial"], true);
  EXPECT_EQ(partial["missing_pages"], json::array({3, 4}));
  // Everything else as in the complete record.
  json rest = partial;
  rest.erase("partial");
  rest.erase("missing_pages");
  EXPECT_EQ(rest.dump(), complete.dump());
}

TEST(JsonPartial, RoundTrip) {
  AgreementRecord record = FullRecord();
  record.partial = true;
  record.missing_pages = {1, 4};
  const Result<AgreementRecord> decoded = AgreementRecordFromJson(OverTheWire(record));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(decoded->partial);
  EXPECT_EQ(decoded->missing_pages, (std::vector<int>{1, 4}));
  EXPECT_EQ(ToJson(*decoded).dump(), ToJson(record).dump());
  const Result<AgreementRecord> complete = AgreementRecordFromJson(OverTheWire(FullRecord()));
  ASSERT_TRUE(complete.ok()) << complete.error().message;
  EXPECT_FALSE(complete->partial);
  EXPECT_TRUE(complete->missing_pages.empty());
}

TEST(JsonPartial, RejectsWhatToJsonNeverWrites) {
  AgreementRecord record = FullRecord();  // 4 pages
  record.partial = true;
  record.missing_pages = {2, 3};
  json j = OverTheWire(record);
  j.erase("missing_pages");
  ExpectRejected(AgreementRecordFromJson(j), {"$.missing_pages", "missing"});
  j = OverTheWire(record);
  j.erase("partial");
  ExpectRejected(AgreementRecordFromJson(j), {"$.partial", "missing"});
  j = OverTheWire(record);
  j["partial"] = false;
  ExpectRejected(AgreementRecordFromJson(j), {"$.partial", "expected true"});
  j = OverTheWire(record);
  j["missing_pages"] = json::array();
  ExpectRejected(AgreementRecordFromJson(j), {"$.missing_pages", "at least one page"});
  j = OverTheWire(record);
  j["missing_pages"] = {3, 2};
  ExpectRejected(AgreementRecordFromJson(j), {"$.missing_pages[1]", "expected an integer in [4, 4]"});
  j = OverTheWire(record);
  j["missing_pages"] = {3, 5};
  ExpectRejected(AgreementRecordFromJson(j), {"$.missing_pages[1]", "expected an integer in [4, 4]"});
  j = OverTheWire(record);
  j["missing_pages"] = {0};
  ExpectRejected(AgreementRecordFromJson(j), {"$.missing_pages[0]", "expected an integer in [1, 4]"});
}

// ---- Rejections -------------------------------------------------------------

TEST(JsonRejects, MissingMember) {
  json j = OverTheWire(FullRecord());
  j["document"].erase("pages");
  ExpectRejected(AgreementRecordFromJson(j), {"$.document.pages", "missing"});

  j = OverTheWire(FullRecord());
  j["agreement"]["parties"][1]["evidence"].erase("page");
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.parties[1].evidence.page", "missing"});

  // Nullable, but always written: must be present.
  j = OverTheWire(FullRecord());
  j["agreement"]["parties"][0].erase("short_name");
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.parties[0].short_name", "missing"});

  j = OverTheWire(TwoSignatureReport());
  j["signatures"][1].erase("signer");
  ExpectRejected(VerifyReportFromJson(j), {"$.signatures[1].signer", "missing"});

  j = OverTheWire(Error::Timeout("late"));
  j["error"].erase("message");
  ExpectRejected(ErrorFromJson(j), {"$.error.message", "missing"});
}

TEST(JsonRejects, MemberLeftOutWhenUnsetMayBeAbsent) {
  json j = OverTheWire(FullRecord());
  j["agreement"]["parties"][0]["evidence"].erase("bbox");
  j["agreement"]["parties"][0]["evidence"].erase("confidence");
  j["document"]["page_info"][1].erase("ocr_mean_confidence");
  const Result<AgreementRecord> decoded = AgreementRecordFromJson(j);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->agreement.parties[0].evidence.bbox);
  EXPECT_FALSE(decoded->agreement.parties[0].evidence.confidence);
  EXPECT_FALSE(decoded->document.page_info[1].ocr_mean_confidence);
}

TEST(JsonRejects, WrongType) {
  json j = OverTheWire(FullRecord());
  j["document"]["pages"] = "4";
  ExpectRejected(AgreementRecordFromJson(j), {"$.document.pages", "expected an integer", "a string"});

  j = OverTheWire(FullRecord());
  j["id"] = 5;
  ExpectRejected(AgreementRecordFromJson(j), {"$.id", "expected a string"});

  j = OverTheWire(FullRecord());
  j["agreement"]["title"] = false;
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.title", "expected a string"});

  j = OverTheWire(FullRecord());
  j["signatures"][0]["reasons"][1] = 3;
  ExpectRejected(AgreementRecordFromJson(j), {"$.signatures[0].reasons[1]", "expected a string"});

  j = OverTheWire(TwoSignatureReport());
  j["signatures"][0]["covers_whole_revision"] = 1;
  ExpectRejected(VerifyReportFromJson(j), {"$.signatures[0].covers_whole_revision", "expected a boolean"});

  j = OverTheWire(TwoSignatureReport());
  j["signatures"][0]["signer"] = "CN=x";
  ExpectRejected(VerifyReportFromJson(j), {"$.signatures[0].signer", "expected an object"});

  j = OverTheWire(TwoSignatureReport());
  j["signatures"] = json::object();
  ExpectRejected(VerifyReportFromJson(j), {"$.signatures", "expected an array"});

  j = OverTheWire(FullRecord());
  j["agreement"]["parties"][0]["evidence"]["bbox"] = {1.0, 2.0, 3.0};
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.parties[0].evidence.bbox", "3 elements"});

  j = OverTheWire(FullRecord());
  j["agreement"]["parties"][0]["evidence"]["bbox"][2] = "3";
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.parties[0].evidence.bbox[2]", "number"});

  // An integer member does not take a float, even an integral one.
  j = OverTheWire(FullRecord());
  j["agreement"]["dates"][0]["evidence"]["page"] = 4.0;
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.dates[0].evidence.page", "expected an integer"});

  j = OverTheWire(Error::Timeout("late"));
  j["error"]["code"] = 504;
  ExpectRejected(ErrorFromJson(j), {"$.error.code", "expected a string"});
}

TEST(JsonRejects, UnknownMember) {
  json j = OverTheWire(FullRecord());
  j["extra"] = 1;
  ExpectRejected(AgreementRecordFromJson(j), {"$: unknown member \"extra\""});

  // A member the decoder does not know would be dropped: it fails instead.
  j = OverTheWire(FullRecord());
  j["agreement"]["choice_of_forum"] = nullptr;
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement: unknown member \"choice_of_forum\""});

  j = OverTheWire(FullRecord());
  j["agreement"]["amounts"][0]["evidence"]["note"] = "x";
  ExpectRejected(AgreementRecordFromJson(j), {"$.agreement.amounts[0].evidence", "\"note\""});

  j = OverTheWire(TwoSignatureReport());
  j["signatures"][0]["timestamp"]["nonce"] = 7;
  ExpectRejected(VerifyReportFromJson(j), {"$.signatures[0].timestamp", "\"nonce\""});

  j = OverTheWire(Error::Timeout("late"));
  j["error"]["retry_after"] = 3;
  ExpectRejected(ErrorFromJson(j), {"$.error", "\"retry_after\""});
  j = OverTheWire(Error::Timeout("late"));
  j["request_id"] = "r1";
  ExpectRejected(ErrorFromJson(j), {"$", "\"request_id\""});

  // A long or odd member name is quoted and cut short.
  j = OverTheWire(TwoSignatureReport());
  j[std::string(1000, 'k') + "\n"] = 1;
  const Result<VerifyReport> r = VerifyReportFromJson(j);
  ExpectRejected(r, {"unknown member \"kkkk", "..."});
  EXPECT_LT(r.error().message.size(), 200u);
}

TEST(JsonRejects, OutOfRange) {
  const struct {
    std::function<void(json&)> mutate;
    std::string needle;
  } cases[] = {
      {[](json& j) { j["document"]["pages"] = -1; }, "$.document.pages"},
      {[](json& j) { j["document"]["pages"] = std::int64_t{2147483648}; }, "$.document.pages"},
      {[](json& j) { j["document"]["bytes"] = -1; }, "$.document.bytes"},
      {[](json& j) { j["document"]["bytes"] = std::numeric_limits<std::uint64_t>::max(); }, "$.document.bytes"},
      {[](json& j) { j["agreement"]["year"] = std::numeric_limits<std::uint64_t>::max(); }, "$.agreement.year"},
      {[](json& j) { j["agreement"]["parties"][0]["evidence"]["page"] = -1; }, "$.agreement.parties[0].evidence.page"},
      {[](json& j) { j["agreement"]["projects"][0]["category_number"] = -3; }, "$.agreement.projects[0].category_number"},
      {[](json& j) { j["agreement"]["parties"][0]["evidence"]["confidence"] = 1.5; },
       "$.agreement.parties[0].evidence.confidence"},
      {[](json& j) { j["document"]["ocr_mean_confidence"] = -0.01; }, "$.document.ocr_mean_confidence"},
      {[](json& j) { j["document"]["ocr_mean_confidence"] = std::nan(""); }, "$.document.ocr_mean_confidence"},
      {[](json& j) { j["document"]["page_info"][0]["page"] = 1e10; }, "$.document.page_info[0].page"},
      {[](json& j) { j["agreement"]["signatories"][0]["evidence"]["bbox"][0] = INFINITY; },
       "$.agreement.signatories[0].evidence.bbox[0]"},
      {[](json& j) { j["warnings"][0]["page"] = -5; }, "$.warnings[0].page"},
      {[](json& j) { j["signatures"][0]["certification"] = 4; }, "$.signatures[0].certification"},
      {[](json& j) { j["signatures"][0]["revision"] = -1; }, "$.signatures[0].revision"},
      {[](json& j) { j["signatures"][0]["changed_pages"][1] = -1; }, "$.signatures[0].changed_pages[1]"},
      {[](json& j) { j["signatures"][0]["byte_range"][3] = std::numeric_limits<std::uint64_t>::max(); },
       "$.signatures[0].byte_range[3]"},
  };
  for (const auto& c : cases) {
    json j = OverTheWire(FullRecord());
    c.mutate(j);
    ExpectRejected(AgreementRecordFromJson(j), {c.needle});
  }

  json v = OverTheWire(TwoSignatureReport());
  v["revisions"] = -1;
  ExpectRejected(VerifyReportFromJson(v), {"$.revisions", "expected an integer in [0, 2147483647], got -1"});

  // The edges are in range.
  json j = OverTheWire(FullRecord());
  j["document"]["pages"] = std::numeric_limits<int>::max();
  j["document"]["bytes"] = std::numeric_limits<long long>::max();
  j["agreement"]["parties"][0]["evidence"]["page"] = 0;
  j["agreement"]["parties"][0]["evidence"]["confidence"] = 1;  // an integer is a number
  j["document"]["ocr_mean_confidence"] = 0.0;
  j["signatures"][0]["byte_range"] = {std::numeric_limits<std::int64_t>::min(), -1, 0,
                                      std::numeric_limits<std::int64_t>::max()};
  const Result<AgreementRecord> edges = AgreementRecordFromJson(j);
  ASSERT_TRUE(edges.ok()) << edges.error().message;
  EXPECT_EQ(edges->document.pages, std::numeric_limits<int>::max());
  EXPECT_EQ(edges->document.bytes, std::numeric_limits<long long>::max());
  EXPECT_EQ(edges->signatures[0].byte_range.front(), std::numeric_limits<std::int64_t>::min());
}

TEST(JsonRejects, NonObjectInput) {
  const json inputs[] = {json(nullptr), json(true), json(42), json("record"), json::array({1, 2}),
                         json::parse("{", nullptr, false)};  // a discarded parse
  for (const json& in : inputs) {
    ExpectRejected(AgreementRecordFromJson(in), {"agreement record", "$: expected an object"});
    ExpectRejected(VerifyReportFromJson(in), {"verify report", "$: expected an object"});
    ExpectRejected(SignatureReportFromJson(in), {"signature report", "$: expected an object"});
    ExpectRejected(ErrorFromJson(in), {"error body", "$: expected an object"});
  }
  ExpectRejected(ErrorFromJson(json{{"error", "timeout"}}), {"$.error: expected an object"});
}

TEST(JsonRejects, BadErrorCode) {
  for (const char* code : {"teapot", "Internal", "", "timeout "}) {
    json j = OverTheWire(Error::Timeout("late"));
    j["error"]["code"] = code;
    ExpectRejected(ErrorFromJson(j), {"$.error.code", "unknown error code", json(code).dump()});
  }
}

TEST(JsonRejects, UnknownEnumSpelling) {
  const struct {
    std::function<void(json&)> mutate;
    std::vector<std::string> needles;
  } cases[] = {
      {[](json& j) { j["signatures"][0]["status"] = "VALID"; },
       {"$.signatures[0].status", R"(expected one of "valid", "invalid", "indeterminate", got "VALID")"}},
      {[](json& j) { j["signatures"][0]["status"] = "unsigned"; }, {"$.signatures[0].status", "got \"unsigned\""}},
      {[](json& j) { j["signatures"][1]["integrity"] = ""; }, {"$.signatures[1].integrity", R"(got "")"}},
      {[](json& j) { j["signatures"][0]["trust"] = "trusted "; }, {"$.signatures[0].trust", R"(got "trusted ")"}},
      {[](json& j) { j["signatures"][0]["type"] = "timestamp"; }, {"$.signatures[0].type", "\"document_timestamp\""}},
      {[](json& j) { j["signatures"][0]["revocation"] = "checked"; }, {"$.signatures[0].revocation", "\"checked\""}},
      {[](json& j) { j["signatures"][0]["modification_level"] = "form-filling"; },
       {"$.signatures[0].modification_level", "\"form_filling\""}},
      {[](json& j) { j["signatures"][0]["timestamp"]["status"] = "indeterminate"; },
       {"$.signatures[0].timestamp.status", "\"indeterminate\""}},
      {[](json& j) { j["agreement"]["dates"][0]["kind"] = "start"; }, {"$.agreement.dates[0].kind", "\"start\""}},
      {[](json& j) { j["document"]["text_source"] = "pdf"; }, {"$.document.text_source", "\"mixed\""}},
      // A page is read one way or the other, never mixed.
      {[](json& j) { j["document"]["page_info"][0]["text_source"] = "mixed"; },
       {"$.document.page_info[0].text_source", R"(expected one of "pdf-text", "ocr", got "mixed")"}},
      // Not a number, whatever the value's position.
      {[](json& j) { j["signatures"][0]["status"] = 0; }, {"$.signatures[0].status", "expected a string, got 0"}},
  };
  for (const auto& c : cases) {
    json j = OverTheWire(FullRecord());
    c.mutate(j);
    ExpectRejected(AgreementRecordFromJson(j), c.needles);
  }

  json v = OverTheWire(TwoSignatureReport());
  v["status"] = "Valid";
  ExpectRejected(VerifyReportFromJson(v),
                 {"verify report", R"($.status: expected one of "valid", "invalid", "indeterminate", "unsigned")"});
  json s = OverTheWire(FullSignature());
  s["integrity"] = "fine";
  ExpectRejected(SignatureReportFromJson(s), {"signature report", "$.integrity", "\"fine\""});
}

// Every value of the full record and of the report replaced in turn by each
// of a handful of wrong ones: the decoders answer, never throw, and a
// failure is a malformed-message error.
TEST(JsonRejects, NeverThrows) {
  const json replacements[] = {json(nullptr),
                               json(true),
                               json(-1),
                               json(1.5),
                               json(std::numeric_limits<std::uint64_t>::max()),
                               json("x"),
                               json::array(),
                               json::object(),
                               json::binary({1, 2}),
                               json(std::nan(""))};
  int decodes = 0;
  // Calls visit(pointer) for every value inside `j`.
  std::function<void(const json&, const json::json_pointer&, const std::function<void(const json::json_pointer&)>&)>
      walk = [&](const json& j, const json::json_pointer& at, const auto& visit) {
        visit(at);
        if (j.is_object()) {
          for (auto it = j.begin(); it != j.end(); ++it) walk(*it, at / it.key(), visit);
        } else if (j.is_array()) {
          for (std::size_t i = 0; i < j.size(); ++i) walk(j[i], at / i, visit);
        }
      };
  const auto check = [&](const json& original, const auto& from_json) {
    walk(original, json::json_pointer(), [&](const json::json_pointer& at) {
      for (const json& replacement : replacements) {
        json j = original;
        j[at] = replacement;
        ++decodes;
        EXPECT_NO_THROW({
          const auto r = from_json(j);
          if (!r.ok()) {
            EXPECT_EQ(r.error().code, ErrorCode::kInternal);
            EXPECT_EQ(r.error().message.rfind("malformed ", 0), 0u) << r.error().message;
          }
        }) << at.to_string();
      }
    });
  };
  check(OverTheWire(FullRecord()), AgreementRecordFromJson);
  check(OverTheWire(TwoSignatureReport()), VerifyReportFromJson);
  check(OverTheWire(Error::Unprocessable("encrypted")), ErrorFromJson);
  EXPECT_GT(decodes, 1000);
}

}  // namespace
}  // namespace pactum
