#include "pactum/signing/verify.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <set>
#include <span>

#include "change_verdict.h"
#include "crypto.h"
#include "pdf_date.h"
#include "pdf_file.h"
#include "pactum/models/digest.h"

namespace pactum::signing {
namespace {

constexpr size_t kMaxDssItems = 200;
constexpr size_t kMaxDssItemBytes = 4 << 20;
constexpr size_t kMaxEarlierRevisions = 16;

void AddOnce(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bytes of a hex string "<...>" (spaces allowed); nullopt when it holds
// anything else.
std::optional<std::string> DecodeHexString(std::string_view token) {
  if (token.size() < 2 || token.front() != '<' || token.back() != '>') return std::nullopt;
  std::string out;
  out.reserve(token.size() / 2);
  int high = -1;
  for (char c : token.substr(1, token.size() - 2)) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int v = HexValue(c);
    if (v < 0) return std::nullopt;
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high << 4 | v);
      high = -1;
    }
  }
  if (high >= 0) out += static_cast<char>(high << 4);
  return out;
}

// The validation data of the catalogue's /DSS: its /Certs, /CRLs and
// /OCSPs, and those of each /VRI entry (per-signature lists that usually
// name the same streams), each stream once.
RevocationData ReadDss(QPDF& pdf) {
  RevocationData dss;
  try {
    QPDFObjectHandle d = pdf.getRoot().getKey("/DSS");
    if (!d.isDictionary()) return dss;
    std::set<QPDFObjGen> read_streams;
    auto read = [&read_streams](QPDFObjectHandle array, std::vector<std::string>& out) {
      if (!array.isArray()) return;
      for (int i = 0; i < array.getArrayNItems() && out.size() < kMaxDssItems; ++i) {
        QPDFObjectHandle item = array.getArrayItem(i);
        if (item.isIndirect() && !read_streams.insert(item.getObjGen()).second) continue;
        if (auto data = ReadStream(item, kMaxDssItemBytes)) AddOnce(out, *data);
      }
    };
    read(d.getKey("/Certs"), dss.certs);
    read(d.getKey("/CRLs"), dss.crls);
    read(d.getKey("/OCSPs"), dss.ocsps);
    QPDFObjectHandle vri = d.getKey("/VRI");
    if (vri.isDictionary()) {
      size_t entries = 0;
      for (const std::string& key : vri.getKeys()) {
        if (++entries > kMaxDssItems) break;
        QPDFObjectHandle entry = vri.getKey(key);
        read(entry.getKey("/Cert"), dss.certs);
        read(entry.getKey("/CRL"), dss.crls);
        read(entry.getKey("/OCSP"), dss.ocsps);
      }
    }
  } catch (const std::exception&) {
  }
  return dss;
}

// Where a signature's /ByteRange says its signed revision ends and its
// /Contents starts; {0, 0} when it does not say.
std::pair<size_t, size_t> RangeEnds(QPDFObjectHandle value) {
  try {
    QPDFObjectHandle a = value.getKey("/ByteRange");
    if (!a.isArray() || a.getArrayNItems() != 4) return {0, 0};
    std::array<long long, 4> v{};
    for (int i = 0; i < 4; ++i) {
      QPDFObjectHandle n = a.getArrayItem(i);
      if (!n.isInteger() || n.getIntValue() < 0) return {0, 0};
      v[static_cast<size_t>(i)] = n.getIntValue();
    }
    if (v[2] > std::numeric_limits<long long>::max() - v[3]) return {0, 0};
    return {static_cast<size_t>(v[2] + v[3]), static_cast<size_t>(v[1])};
  } catch (const std::exception&) {
    return {0, 0};
  }
}

CertificateSummary Summary(const CertificateInfo& c) {
  return {c.subject, c.issuer, c.serial, c.not_before, c.not_after};
}

// One verification: the file, its parsed forms and revisions.
class Verifier {
 public:
  Verifier(std::string_view bytes, const VerifyOptions& options)
      : bytes_(bytes), options_(options),
        trust_(options.trust ? options.trust : TrustContext::Empty()),
        now_(options.now ? *options.now
                         : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now())) {}

  Result<VerifyReport> Run() {
    if (!HasPdfHeader(bytes_)) {
      return Error::Unsupported("the document is not a PDF (no %PDF- header); /v1/verify reads PDF files only");
    }
    VerifyReport report;
    report.id = Sha256Hex(bytes_);
    std::string error;
    strict_ = OpenPdf(bytes_, true, &error);
    QPDF* doc = strict_.get();
    std::unique_ptr<QPDF> lenient;
    if (!doc) {
      lenient = OpenPdf(bytes_, false, &error);
      doc = lenient.get();
    }
    if (!doc) {
      if (error.find("password") != std::string::npos) {
        return Error::Unprocessable("the PDF is encrypted with a password; verify the unencrypted file");
      }
      return Error::Unprocessable("the PDF cannot be read: " + error);
    }
    markers_ = FindEofMarkers(bytes_);
    report.revisions = static_cast<int>(std::clamp<size_t>(markers_.size(), 1, std::numeric_limits<int>::max()));
    trailing_data_ = TrailingData();
    dss_ = ReadDss(*doc);

    std::set<std::string> seen;
    std::vector<std::pair<size_t, SignatureField>> pending;  // report slot, field
    for (const SignatureField& field : FindSignatureFields(*doc)) {
      if (!field.readable) {
        // In a file that needed repair, UnreadableSignatures reports these.
        if (!strict_) continue;
        // Hidden from a viewer that gives up on it, but it is there: a
        // signature nobody can check is not silently dropped.
        SignatureReport r;
        r.field = field.name;
        r.status = SignatureStatus::kInvalid;
        r.reasons = {"signature_unreadable"};
        report.signatures.push_back(std::move(r));
        continue;
      }
      if (!seen.insert(Key(field.value)).second) {
        // A second field pointing at the same signature would count one
        // signer twice.
        SignatureReport r;
        r.field = field.name;
        r.status = SignatureStatus::kInvalid;
        r.reasons = {"signature_reused", "modified_after_signing"};
        r.modified_after_signing = true;
        report.signatures.push_back(std::move(r));
        continue;
      }
      pending.emplace_back(report.signatures.size(), field);
      report.signatures.emplace_back();
    }
    EvaluateNewestFirst(pending, report.signatures);
    RemovedSignatures(seen, report.signatures);
    if (!strict_) UnreadableSignatures(report.signatures);

    report.status = DocumentStatus::kUnsigned;
    if (!report.signatures.empty()) {
      report.status = DocumentStatus::kValid;
      for (const auto& s : report.signatures) {
        if (s.status == SignatureStatus::kInvalid) report.status = DocumentStatus::kInvalid;
        if (s.status == SignatureStatus::kIndeterminate && report.status == DocumentStatus::kValid) {
          report.status = DocumentStatus::kIndeterminate;
        }
      }
    }
    return report;
  }

 private:
  // Identifies a signature across revisions: its byte range and where its
  // /Contents starts.
  static std::string Key(QPDFObjectHandle value) {
    try {
      return value.getKey("/ByteRange").unparse() + "@" +
             std::to_string(value.getKey("/Contents").getParsedOffset());
    } catch (const std::exception&) {
      return "";
    }
  }

  // 1-based number of the revision whose %%EOF marker ends at `marker`.
  int RevisionNumber(size_t marker) const {
    const auto number = std::upper_bound(markers_.begin(), markers_.end(), marker) - markers_.begin();
    return static_cast<int>(std::min<std::ptrdiff_t>(number, std::numeric_limits<int>::max()));
  }

  // The last options_.max_revisions markers: the revisions examined one by
  // one (each opened with qpdf), however many a hostile file holds.
  std::span<const size_t> Window() const {
    const std::span<const size_t> all(markers_);
    return all.last(std::min(all.size(), options_.max_revisions));
  }

  bool TrailingData() const {
    size_t end = markers_.empty() ? 0 : markers_.back();
    for (size_t i = end; i < bytes_.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(bytes_[i]);
      if (!std::isspace(c) && c != 0) return true;
    }
    return false;
  }

  // Whether everything after the revision ending at `end` is further
  // revisions: each later %%EOF ends a prefix that opens strictly, and its
  // startxref points into its own update. Bytes that no cross-reference
  // section describes (objects appended for viewers to "repair") fail this.
  bool LaterRevisionsWellFormed(size_t end) {
    size_t segment_start = end;
    for (size_t marker : Window()) {
      if (marker <= end) continue;
      const auto xref = LastStartXref(bytes_.substr(segment_start, marker - segment_start));
      if (!xref || *xref < segment_start || *xref >= marker) return false;
      if (!RevisionAt(marker)) return false;
      segment_start = marker;
    }
    return true;
  }

  QPDF* RevisionAt(size_t end) {
    if (end == bytes_.size() && strict_) return strict_.get();
    auto it = revisions_.find(end);
    if (it == revisions_.end()) {
      it = revisions_.emplace(end, OpenPdf(bytes_.substr(0, end), true, nullptr)).first;
    }
    return it->second.get();
  }

  // Evaluates the signatures from the one whose revision ends last to the
  // first, so that each valid document timestamp is known before the
  // signatures and timestamps it covers: the earliest of those over a later
  // revision proves when the earlier bytes existed (long-term validation,
  // a chain of document timestamps each vouching for the one before).
  void EvaluateNewestFirst(const std::vector<std::pair<size_t, SignatureField>>& pending,
                           std::vector<SignatureReport>& out) {
    std::vector<std::pair<std::pair<size_t, size_t>, size_t>> order;  // (end, gap start), index
    for (size_t i = 0; i < pending.size(); ++i) order.emplace_back(RangeEnds(pending[i].second.value), i);
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    struct Proof {
      size_t covers_to;  // the bytes before this offset (the timestamp's /Contents)
      SysSeconds time;
    };
    std::vector<Proof> proofs;
    for (const auto& [ends, index] : order) {
      std::optional<SysSeconds> proven_at;
      for (const Proof& p : proofs) {
        if (ends.first > 0 && ends.first <= p.covers_to && (!proven_at || p.time < *proven_at)) {
          proven_at = p.time;
        }
      }
      std::optional<SysSeconds> token_time;
      SignatureReport r = Evaluate(pending[index].second, proven_at, &token_time);
      if (r.type == SignatureType::kDocumentTimestamp && r.status == SignatureStatus::kValid && token_time) {
        proofs.push_back({ends.second, *token_time});
      }
      out[pending[index].first] = std::move(r);
    }
  }

  // One signature, relied on at `proven_at` when a later document timestamp
  // proves it existed then. *token_time: the time of its timestamp token.
  SignatureReport Evaluate(const SignatureField& field, std::optional<SysSeconds> proven_at,
                           std::optional<SysSeconds>* token_time) {
    SignatureReport r;
    QPDFObjectHandle v = field.value;
    r.field = field.name;
    std::string sub_filter = NameValue(v, "/SubFilter");
    if (!sub_filter.empty()) r.sub_filter = sub_filter.substr(1);
    const bool doc_timestamp = NameValue(v, "/Type") == "/DocTimeStamp" || r.sub_filter == "ETSI.RFC3161";
    if (doc_timestamp) r.type = SignatureType::kDocumentTimestamp;
    r.name = TextValue(v, "/Name");
    r.reason = TextValue(v, "/Reason");
    r.location = TextValue(v, "/Location");
    r.contact_info = TextValue(v, "/ContactInfo");
    r.certification = CertificationLevel(v);
    std::optional<SysSeconds> claimed;
    if (auto m = TextValue(v, "/M")) claimed = ParsePdfDate(*m);

    std::vector<std::string> problems;  // make the signature invalid
    std::vector<std::string> doubts;    // make it indeterminate
    bool ltv = false;

    CmsKind kind = CmsKind::kDetached;
    if (r.sub_filter == "adbe.pkcs7.sha1") {
      kind = CmsKind::kSha1;
    } else if (r.sub_filter == "ETSI.RFC3161") {
      kind = CmsKind::kTimestampToken;
    } else if (r.sub_filter != "adbe.pkcs7.detached" && r.sub_filter != "ETSI.CAdES.detached") {
      doubts.push_back("unsupported_sub_filter");
    }

    // ---- Byte range ----
    std::optional<std::array<size_t, 4>> br = ReadByteRange(v, r, problems);
    size_t end = 0;
    std::string contents;
    if (br) {
      end = (*br)[2] + (*br)[3];
      std::string_view gap = bytes_.substr((*br)[1], (*br)[2] - (*br)[1]);
      std::optional<std::string> decoded = DecodeHexString(gap);
      long long contents_at = -1;
      try {
        QPDFObjectHandle c = v.getKey("/Contents");
        if (c.isString()) contents_at = c.getParsedOffset();
        else AddOnce(problems, "contents_missing");
      } catch (const std::exception&) {
        AddOnce(problems, "contents_missing");
      }
      if (!decoded || contents_at != static_cast<long long>((*br)[1])) {
        AddOnce(problems, "byte_range_gap");
      }
      if (decoded) contents = std::move(*decoded);
      size_t marker = 0;
      if (!IsMarkerEnd(bytes_, end, &marker) || !RevisionAt(end)) {
        AddOnce(problems, "byte_range_end");
      } else {
        r.revision = RevisionNumber(marker);
      }
    }
    r.covers_whole_revision = br && problems.empty();

    // ---- Cryptography ----
    if (br && doubts.empty()) {
      CryptoInput in;
      in.contents = contents;
      in.signed_data = {bytes_.substr(0, (*br)[1]), bytes_.substr((*br)[2], (*br)[3])};
      in.kind = kind;
      in.claimed_time = claimed;
      in.dss = dss_;
      in.now = now_;
      in.proven_at = proven_at;
      CryptoResult c = CheckSignature(in, *trust_);
      // Integrity is unknown, not failed, when all that stands against it
      // is an algorithm pactum cannot check.
      const bool unchecked = !c.integrity_reasons.empty() &&
                             std::all_of(c.integrity_reasons.begin(), c.integrity_reasons.end(),
                                         [](const std::string& x) { return x == "unsupported_algorithm"; });
      r.integrity = c.integrity_ok ? Integrity::kOk : unchecked ? Integrity::kUnknown : Integrity::kFailed;
      if (c.integrity_ok) {
        r.validation_time = FormatRfc3339(c.validation_time);
        r.validation_time_source = c.validation_source;
        ltv = c.ltv;
      }
      r.digest_algorithm = c.digest_algorithm;
      if (c.signer) r.signer = Summary(*c.signer);
      if (c.signing_time) r.signing_time = FormatRfc3339(*c.signing_time);
      if (c.timestamp && c.timestamp->integrity_ok) *token_time = c.timestamp->time;
      if (c.timestamp) {
        r.timestamp = TimestampSummary{FormatRfc3339(c.timestamp->time), c.timestamp->tsa,
                                       !c.timestamp->integrity_ok ? TimestampStatus::kInvalid
                                       : c.timestamp->trusted     ? TimestampStatus::kValid
                                                                  : TimestampStatus::kUntrusted};
      }
      // What pactum cannot check (an algorithm it does not implement) is
      // indeterminate, never invalid: the bytes may well be intact.
      for (const auto& reason : c.integrity_reasons) {
        AddOnce(reason == "unsupported_algorithm" ? doubts : problems, reason);
      }
      if (!c.integrity_ok && c.integrity_reasons.empty()) AddOnce(problems, "cms_malformed");
      r.trust = c.trusted ? Trust::kTrusted : Trust::kUntrusted;
      for (const auto& reason : c.trust_reasons) AddOnce(doubts, reason);
      if (c.integrity_ok && !c.trusted && c.trust_reasons.empty()) AddOnce(doubts, "untrusted_chain");
      r.revocation = c.revocation;
      r.warnings = c.warnings;
    } else if (br) {
      r.integrity = Integrity::kUnknown;  // a /SubFilter pactum does not verify: nothing was checked
    }
    if (!r.signing_time && claimed) r.signing_time = FormatRfc3339(*claimed);

    // ---- Changes after signing ----
    if (br && r.revision > 0) r.modification_level = ModificationLevel::kNone;
    if (br && r.revision > 0 && end < bytes_.size()) {
      std::vector<std::string> changes = ChangesAfter(end, r, &doubts);
      if (!changes.empty()) {
        r.modified_after_signing = true;
        AddOnce(problems, "modified_after_signing");
        for (const auto& c : changes) AddOnce(problems, c);
      }
    }

    r.reasons = problems;
    for (const auto& d : doubts) AddOnce(r.reasons, d);
    if (!problems.empty()) {
      r.status = SignatureStatus::kInvalid;
    } else if (!doubts.empty() || r.integrity != Integrity::kOk) {
      r.status = SignatureStatus::kIndeterminate;
    } else {
      r.status = SignatureStatus::kValid;
      r.ltv = ltv;
    }
    return r;
  }

  std::optional<std::array<size_t, 4>> ReadByteRange(QPDFObjectHandle v, SignatureReport& r,
                                                     std::vector<std::string>& problems) {
    std::array<long long, 4> raw{};
    try {
      QPDFObjectHandle a = v.getKey("/ByteRange");
      if (!a.isArray()) {
        problems.push_back("byte_range_malformed");
        return std::nullopt;
      }
      for (int i = 0; i < a.getArrayNItems() && i < 8; ++i) {
        QPDFObjectHandle n = a.getArrayItem(i);
        if (n.isInteger()) r.byte_range.push_back(n.getIntValue());
      }
      if (a.getArrayNItems() != 4 || r.byte_range.size() != 4) {
        problems.push_back("byte_range_malformed");
        return std::nullopt;
      }
    } catch (const std::exception&) {
      problems.push_back("byte_range_malformed");
      return std::nullopt;
    }
    std::copy(r.byte_range.begin(), r.byte_range.end(), raw.begin());
    const long long size = static_cast<long long>(bytes_.size());
    const bool sane = raw[0] == 0 && raw[1] > 0 && raw[2] > raw[1] && raw[3] >= 0 && raw[2] <= size &&
                      raw[3] <= size - raw[2];
    if (!sane) {
      problems.push_back("byte_range_malformed");
      return std::nullopt;
    }
    return std::array<size_t, 4>{0, static_cast<size_t>(raw[1]), static_cast<size_t>(raw[2]),
                                 static_cast<size_t>(raw[3])};
  }

  // Reasons why the file after the revision ending at `end` is not just
  // permitted changes (change_verdict.h); empty when it is. Sets the
  // signature's modification level and changed pages.
  std::vector<std::string> ChangesAfter(size_t end, SignatureReport& r, std::vector<std::string>* doubts) {
    std::vector<std::string> reasons;
    if (trailing_data_ || !LaterRevisionsWellFormed(end)) reasons.push_back("appended_data");
    const std::span<const size_t> window = Window();
    if (!window.empty() && end < window.front()) {
      // More updates follow than are examined one by one: the ones before
      // the window were not checked one by one (the comparison of the
      // signed revision with the first examined one still covers them).
      AddOnce(*doubts, "revisions_over_limit");
    }
    QPDF* signed_rev = RevisionAt(end);
    size_t marker = end;
    if (!strict_ || !signed_rev || !IsMarkerEnd(bytes_, end, &marker)) {
      r.modification_level = ModificationLevel::kOther;
      reasons.push_back("structure_damaged");
      return reasons;
    }
    // Each later revision is compared with the one before it.
    std::vector<Revision> chain = {{marker, signed_rev}};
    for (size_t m : window) {
      if (m <= marker || m >= markers_.back()) continue;
      if (QPDF* rev = RevisionAt(m)) chain.push_back({m, rev});
    }
    chain.push_back({bytes_.size(), strict_.get()});
    ChangeVerdict v = JudgeChanges(history_, chain, r.certification,
                                   {options_.visual_check, options_.max_visual_pages, bytes_.substr(0, end), bytes_});
    r.modification_level = v.level;
    r.changed_pages = v.changed_pages;
    for (const auto& w : v.warnings) r.warnings.push_back(w);
    for (const auto& d : v.doubts) AddOnce(*doubts, d);
    for (const auto& reason : v.reasons) AddOnce(reasons, reason);
    return reasons;
  }

  // A file that needs repair to open may hide a signature whose dictionary
  // the repair could not read (signature wrapping leaves exactly that). Each
  // /ByteRange in the bytes beyond those of the signatures found counts as
  // a signature that cannot be verified.
  void UnreadableSignatures(std::vector<SignatureReport>& out) {
    size_t in_bytes = 0;
    for (size_t pos = 0; (pos = bytes_.find("/ByteRange", pos)) != std::string_view::npos; pos += 10) ++in_bytes;
    for (size_t i = out.size(); i < in_bytes && i < 64; ++i) {
      SignatureReport r;
      r.field = "(unreadable signature " + std::to_string(i + 1) + ")";
      r.status = SignatureStatus::kInvalid;
      r.reasons = {"structure_damaged", "modified_after_signing"};
      r.modified_after_signing = true;
      out.push_back(std::move(r));
    }
  }

  // Signatures of earlier revisions that the final file no longer shows.
  void RemovedSignatures(const std::set<std::string>& seen, std::vector<SignatureReport>& out) {
    std::set<std::string> reported = seen;
    size_t examined = 0;
    const std::span<const size_t> window = Window();
    for (auto it = window.rbegin(); it != window.rend() && examined < kMaxEarlierRevisions; ++it) {
      if (*it >= bytes_.size()) continue;
      ++examined;
      QPDF* rev = RevisionAt(*it);
      if (!rev) continue;
      for (const SignatureField& field : FindSignatureFields(*rev)) {
        if (!field.readable || !reported.insert(Key(field.value)).second) continue;
        SignatureReport r;
        r.field = field.name;
        r.status = SignatureStatus::kInvalid;
        r.reasons = {"signature_removed", "modified_after_signing"};
        r.modified_after_signing = true;
        r.revision = RevisionNumber(*it);
        out.push_back(std::move(r));
      }
    }
  }

  std::string_view bytes_;
  const VerifyOptions& options_;
  std::shared_ptr<const TrustContext> trust_;
  SysSeconds now_;
  std::unique_ptr<QPDF> strict_;
  std::vector<size_t> markers_;  // every %%EOF end, in file order
  bool trailing_data_ = false;
  RevocationData dss_;
  std::map<size_t, std::unique_ptr<QPDF>> revisions_;
  ChangeHistory history_;
};

}  // namespace

Result<VerifyReport> Verify(std::string_view pdf, const VerifyOptions& options) {
  try {
    return Verifier(pdf, options).Run();
  } catch (const std::exception& e) {
    // qpdf throws from deep inside object resolution on damaged files.
    return Error::Unprocessable(std::string("the PDF cannot be read: ") + e.what());
  }
}

}  // namespace pactum::signing
