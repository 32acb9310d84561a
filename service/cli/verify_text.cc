#include "cli/verify_text.h"

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace pactum::service::cli {
namespace {

using json = nlohmann::ordered_json;

// A sentence per reason code of the report (service/openapi.json lists them).
constexpr std::pair<std::string_view, std::string_view> kReasonSentences[] = {
    {"byte_range_malformed", "Its /ByteRange is missing or malformed, so it is unclear which bytes were signed."},
    {"byte_range_gap",
     "The bytes left out of the signature are not exactly its /Contents: something else was excluded "
     "(signature wrapping)."},
    {"byte_range_end", "The signed bytes do not end where a revision of the file ends."},
    {"contents_missing", "The signature dictionary has no /Contents."},
    {"cms_empty", "The signature value (/Contents) is empty."},
    {"cms_malformed", "The signature value is not a readable CMS signature."},
    {"certificate_missing", "The signer's certificate is not in the signature, so the signature cannot be checked."},
    {"digest_mismatch", "The signed bytes differ from the bytes that were signed: the file was altered."},
    {"signature_mismatch", "The signature does not verify with the key of the signer's certificate."},
    {"unsupported_algorithm",
     "It uses a digest or signature algorithm pactum does not check, so its integrity is unknown; that alone is "
     "no sign of tampering."},
    {"unsupported_sub_filter",
     "Its /SubFilter names a format pactum does not verify, so its integrity is unknown."},
    {"modified_after_signing",
     "The document was changed after this signature beyond the allowed additions (further signatures, time-stamps, "
     "validation data)."},
    {"appended_data", "Bytes were appended after the last revision that no cross-reference section describes."},
    {"structure_damaged", "The updates after signing do not parse without repair."},
    {"object_redefined", "A later update redefined an object of the signed revision."},
    {"object_removed", "A later update deleted an object of the signed revision."},
    {"catalog_changed", "The document catalogue changed beyond form, validation and extension data."},
    {"page_changed", "A page changed beyond the addition of signature widgets."},
    {"pages_changed", "Pages were added, removed or replaced."},
    {"form_changed", "Form fields or their values changed."},
    {"field_removed", "A form field was removed."},
    {"annotation_added", "An annotation other than a signature widget was added."},
    {"annotation_removed", "An annotation was removed."},
    {"encryption_added", "Encryption was added after signing."},
    {"docmdp_violation", "The certification's permissions (DocMDP) forbid the changes made after it."},
    {"visual_change", "A page looks different from when it was signed (see the changed pages)."},
    {"visual_overlay", "A signature widget added later covers signed content."},
    {"signature_reused", "A second field points at the same signature, which would count one signer twice."},
    {"signature_removed", "This signature of an earlier revision is no longer in the document."},
    {"signature_unreadable", "The signature field holds no readable signature dictionary."},
    {"no_trust_anchors", "No trust anchors are configured (--trust-anchors), so no signer can be trusted."},
    {"untrusted_chain", "The signer's certificate does not chain to a configured trust anchor."},
    {"certificate_expired", "The signer's certificate had expired at the time the signature is checked for."},
    {"certificate_not_yet_valid", "The signer's certificate was not yet valid at the time the signature is checked for."},
    {"certificate_revoked", "The signer's certificate is revoked according to a CRL or OCSP response."},
    {"revocation_unknown", "Revocation data exists but does not settle whether the certificate is revoked."},
    {"timestamp_invalid", "The signature's time-stamp does not verify."},
    {"timestamp_untrusted", "The time-stamp authority is not trusted."},
    {"visual_check_incomplete",
     "Later updates could change what pages show, and not all of those pages could be rendered and compared."},
    {"revisions_over_limit", "More updates follow the signature than pactum examines one by one."},
};

constexpr std::pair<std::string_view, std::string_view> kWarningSentences[] = {
    {"weak_digest", "SHA-1 is used, a digest that no longer resists forgery."},
    {"signing_time_after_timestamp", "The claimed signing time is later than the time-stamp."},
    {"visual_check_skipped", "Some pages were not rendered and compared."},
};

template <std::size_t N>
std::string SentenceFor(const std::pair<std::string_view, std::string_view> (&table)[N], const std::string& code) {
  for (const auto& [key, sentence] : table) {
    if (key == code) return std::string(sentence);
  }
  return "(" + code + ")";
}

// The string member `key` of `j`, "" when missing, null or not a string.
std::string Str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Bool(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

long long Int(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string JoinComma(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// "  Label:        value\n" with continuation lines indented alike.
constexpr std::size_t kLabelWidth = 17;

void Line(std::string* out, const std::string& label, const std::string& value) {
  std::string head = "  " + label + (label.empty() ? " " : ":");
  if (head.size() < kLabelWidth) head.append(kLabelWidth - head.size(), ' ');
  *out += head + value + "\n";
}

void More(std::string* out, const std::string& value) { *out += std::string(kLabelWidth, ' ') + value + "\n"; }

std::string Plural(long long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void SignerLines(std::string* out, const json& s) {
  const auto signer = s.find("signer");
  if (signer == s.end() || !signer->is_object()) {
    Line(out, "Signer", "unknown (no certificate could be read)");
    return;
  }
  Line(out, "Signer", Str(*signer, "subject"));
  More(out, "issued by " + Str(*signer, "issuer") + ", serial " + Str(*signer, "serial"));
  More(out, "valid from " + Str(*signer, "not_before") + " to " + Str(*signer, "not_after"));
}

void TimeLines(std::string* out, const json& s, bool document_timestamp) {
  const std::string claimed = Str(s, "signing_time");
  const auto ts = s.find("timestamp");
  const bool has_ts = ts != s.end() && ts->is_object();
  const std::string ts_status = has_ts ? Str(*ts, "status") : "";
  const std::string ts_line = has_ts ? Str(*ts, "time") + " by " + Str(*ts, "tsa") : "";
  if (document_timestamp) {
    if (!has_ts) {
      Line(out, "Time", "unknown: the time-stamp token could not be read");
    } else if (ts_status == "valid") {
      Line(out, "Time", ts_line + ": a trusted time-stamp proves the document existed then");
    } else if (ts_status == "untrusted") {
      Line(out, "Time", ts_line + ": the time-stamp verifies, but its authority is not trusted, so the time is not proven");
    } else {
      Line(out, "Time", ts_line + ": the time-stamp does not verify, so the time is not proven");
    }
    return;
  }
  Line(out, "Signing time",
       claimed.empty() ? "not stated by the signer" : claimed + ", as the signer states it (a signed claim)");
  if (!has_ts) {
    More(out, "not proven: the signature carries no time-stamp");
  } else if (ts_status == "valid") {
    More(out, "proven: a trusted time-stamp shows the signature existed at " + ts_line);
  } else if (ts_status == "untrusted") {
    More(out, "not proven: the time-stamp (" + ts_line + ") verifies, but its authority is not trusted");
  } else {
    More(out, "not proven: the time-stamp" + (ts_line.empty() ? std::string() : " (" + ts_line + ")") +
                  " does not verify");
  }
}

void IntegrityLine(std::string* out, const json& s) {
  const std::string integrity = Str(s, "integrity");
  const std::string digest = Str(s, "digest_algorithm");
  const std::string with = digest.empty() ? "" : " (" + digest + ")";
  if (integrity == "ok") {
    Line(out, "Integrity", "ok" + with + ": the signed bytes are unchanged and the signature verifies");
  } else if (integrity == "unknown") {
    Line(out, "Integrity", "unknown" + with + ": not checked (an algorithm or format pactum does not implement)");
  } else {
    Line(out, "Integrity", "failed" + with + ": see why below");
  }
}

void TrustLine(std::string* out, const json& s) {
  const std::string trust = Str(s, "trust");
  Line(out, "Trust",
       trust == "trusted" ? "trusted: the certificate chains to a configured trust anchor"
                          : "not established (see why below)");
  const std::string revocation = Str(s, "revocation");
  if (revocation == "good") {
    More(out, "revocation: not revoked, according to the revocation data");
  } else if (revocation == "revoked") {
    More(out, "revocation: REVOKED");
  } else if (revocation == "unknown") {
    More(out, "revocation: unknown, the revocation data does not settle it");
  } else if (!revocation.empty()) {
    More(out, "revocation: not checked (no CRL or OCSP data for the chain)");
  }
}

void ChangeLines(std::string* out, const json& s, long long revisions) {
  const long long revision = Int(s, "revision");
  if (Bool(s, "modified_after_signing")) {
    Line(out, "Changes", "the document was changed after signing beyond the allowed additions (see why below)");
  } else if (revision > 0 && revision == revisions) {
    Line(out, "Changes", "none: the signature covers the whole file");
  } else if (revision > 0) {
    Line(out, "Changes",
         Plural(revisions - revision, "later revision", "later revisions") +
             " with allowed additions only (further signatures, time-stamps, validation data)");
  } else {
    Line(out, "Changes", "unknown: the signed bytes end at no revision of the file");
  }
  const auto pages = s.find("changed_pages");
  if (pages != s.end() && pages->is_array() && !pages->empty()) {
    std::vector<std::string> list;
    for (const json& p : *pages) list.push_back(p.dump());
    More(out, "pages that look different: " + JoinComma(list));
  }
  // Added by the change analysis when it classifies the changes.
  const auto level = s.find("modification_level");
  if (level != s.end() && !level->is_null()) {
    More(out, "modification level: " + (level->is_string() ? level->get<std::string>() : level->dump()));
  }
}

// The sentence that sums a signature up, then one per reason.
void WhyLines(std::string* out, const json& s) {
  const std::string status = Str(s, "status");
  const std::vector<std::string> reasons = Strings(s, "reasons");
  if (status == "valid") {
    Line(out, "Why",
         "valid: the signed bytes are intact, the signer is trusted, and nothing but allowed additions followed.");
  } else if (status == "invalid") {
    Line(out, "Why", "invalid: the signature does not vouch for this file.");
  } else {
    Line(out, "Why",
         Str(s, "integrity") == "ok"
             ? "indeterminate: the signature itself holds, but it cannot be confirmed as valid."
             : "indeterminate: the signature could not be checked, which is not a sign of tampering either.");
  }
  for (const std::string& r : reasons) More(out, "- " + SentenceFor(kReasonSentences, r) + " [" + r + "]");
}

void SignatureBlock(std::string* out, const json& s, std::size_t index, std::size_t count, long long revisions) {
  const bool document_timestamp = Str(s, "type") == "document_timestamp";
  std::string kind = document_timestamp ? "document time-stamp" : "approval signature";
  const auto certification = s.find("certification");
  if (certification != s.end() && certification->is_number_integer()) {
    kind = "certification signature, DocMDP level " + certification->dump();
  }
  std::string head = "Signature " + std::to_string(index + 1) + " of " + std::to_string(count) + ": field \"" +
                     Str(s, "field") + "\", " + kind;
  if (const long long revision = Int(s, "revision"); revision > 0) {
    head += ", signs revision " + std::to_string(revision) + " of " + std::to_string(revisions);
  }
  *out += "\n" + head + "\n";
  Line(out, "Status", Upper(Str(s, "status")));
  if (!document_timestamp) SignerLines(out, s);
  TimeLines(out, s, document_timestamp);
  for (const auto& [key, label] : {std::pair<const char*, const char*>{"name", "Name"},
                                   {"reason", "Reason"},
                                   {"location", "Location"},
                                   {"contact_info", "Contact"}}) {
    if (const std::string v = Str(s, key); !v.empty()) Line(out, label, v);
  }
  IntegrityLine(out, s);
  TrustLine(out, s);
  ChangeLines(out, s, revisions);
  WhyLines(out, s);
  const std::vector<std::string> warnings = Strings(s, "warnings");
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    const std::string text = SentenceFor(kWarningSentences, warnings[i]) + " [" + warnings[i] + "]";
    if (i == 0) {
      Line(out, "Warnings", text);
    } else {
      More(out, text);
    }
  }
}

}  // namespace

std::string VerifyReportText(const json& report, const std::string& label) {
  std::string out = "File: " + label + "\n";
  const std::string status = Str(report, "status");
  const long long revisions = Int(report, "revisions");
  const auto signatures = report.find("signatures");
  const std::size_t count = signatures != report.end() && signatures->is_array() ? signatures->size() : 0;
  out += "Document: " + Upper(status) + " (" + Plural(static_cast<long long>(count), "signature", "signatures") +
         ", " + Plural(revisions, "revision", "revisions") + "; SHA-256 " + Str(report, "id") + ")\n";
  std::vector<std::string> invalid, indeterminate;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string s = Str((*signatures)[i], "status");
    if (s == "invalid") invalid.push_back(std::to_string(i + 1));
    if (s == "indeterminate") indeterminate.push_back(std::to_string(i + 1));
  }
  if (status == "unsigned") {
    out += "The document has no signatures.\n";
  } else if (status == "valid") {
    out += "Every signature is valid.\n";
  } else if (status == "invalid") {
    out += "Invalid because " + std::string(invalid.size() == 1 ? "signature " : "signatures ") + JoinComma(invalid) +
           (invalid.size() == 1 ? " is" : " are") + " invalid.\n";
  } else if (status == "indeterminate") {
    out += "No signature is invalid, but " + std::string(indeterminate.size() == 1 ? "signature " : "signatures ") +
           JoinComma(indeterminate) + " cannot be confirmed as valid.\n";
  }
  for (std::size_t i = 0; i < count; ++i) SignatureBlock(&out, (*signatures)[i], i, count, revisions);
  return out;
}

}  // namespace pactum::service::cli
