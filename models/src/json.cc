#include "pactum/models/json.h"

#include <cmath>

namespace pactum {
namespace {

using json = nlohmann::ordered_json;

// Geometry and confidences are reported with two decimals: enough for a
// point-based box, and stable across runs.
double Round2(double v) { return std::round(v * 100.0) / 100.0; }

template <typename T>
json Opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

Box Box::Union(const Box& o) const {
  return {std::min(x0, o.x0), std::min(y0, o.y0), std::max(x1, o.x1), std::max(y1, o.y1)};
}

json ToJson(const Evidence& e) {
  json j = {{"page", e.page}};
  if (e.bbox) {
    j["bbox"] = {Round2(e.bbox->x0), Round2(e.bbox->y0), Round2(e.bbox->x1), Round2(e.bbox->y1)};
  }
  if (e.confidence) j["confidence"] = Round2(*e.confidence);
  return j;
}

json ToJson(const Agreement& a) {
  json parties = json::array();
  for (const auto& p : a.parties) {
    parties.push_back({{"name", p.name}, {"short_name", Opt(p.short_name)}, {"evidence", ToJson(p.evidence)}});
  }
  json amounts = json::array();
  for (const auto& m : a.amounts) {
    amounts.push_back({{"value", m.value},
                       {"currency", m.currency},
                       {"text", m.text},
                       {"context", m.context},
                       {"evidence", ToJson(m.evidence)}});
  }
  json dates = json::array();
  for (const auto& d : a.dates) {
    dates.push_back({{"date", d.date}, {"text", d.text}, {"kind", d.kind}, {"evidence", ToJson(d.evidence)}});
  }
  json projects = json::array();
  for (const auto& p : a.projects) {
    projects.push_back({{"category_number", Opt(p.category_number)},
                        {"category", p.category},
                        {"name", p.name},
                        {"evidence", ToJson(p.evidence)}});
  }
  json signatories = json::array();
  for (const auto& s : a.signatories) {
    signatories.push_back({{"name", s.name},
                           {"title", Opt(s.title)},
                           {"organization", Opt(s.organization)},
                           {"place", Opt(s.place)},
                           {"date", Opt(s.date)},
                           {"evidence", ToJson(s.evidence)}});
  }
  return {{"type", Opt(a.type)},         {"title", Opt(a.title)},   {"year", Opt(a.year)},
          {"subject", Opt(a.subject)},   {"parties", parties},      {"amounts", amounts},
          {"dates", dates},              {"projects", projects},    {"signatories", signatories}};
}

json ToJson(const AgreementRecord& r) {
  json pages = json::array();
  for (const auto& p : r.document.page_info) {
    json pj = {{"page", p.page}, {"text_source", p.text_source}, {"reason", p.reason}};
    if (p.ocr_mean_confidence) pj["ocr_mean_confidence"] = Round2(*p.ocr_mean_confidence);
    pages.push_back(std::move(pj));
  }
  json doc = {{"media_type", r.document.media_type},
              {"bytes", r.document.bytes},
              {"pages", r.document.pages},
              {"text_source", r.document.text_source},
              {"language", Opt(r.document.language)},
              {"ocr_mean_confidence",
               r.document.ocr_mean_confidence ? json(Round2(*r.document.ocr_mean_confidence)) : json(nullptr)},
              {"page_info", pages}};
  json warnings = json::array();
  for (const auto& w : r.warnings) {
    warnings.push_back({{"code", w.code}, {"message", w.message}, {"page", Opt(w.page)}});
  }
  json signatures = json::array();
  for (const auto& sig : r.signatures) signatures.push_back(ToJson(sig));
  return {{"id", r.id},
          {"document", doc},
          {"agreement", ToJson(r.agreement)},
          {"signatures", signatures},
          {"warnings", warnings}};
}

json ToJson(const SignatureReport& s) {
  json signer = nullptr;
  if (s.signer) {
    signer = {{"subject", s.signer->subject}, {"issuer", s.signer->issuer}, {"serial", s.signer->serial},
              {"not_before", s.signer->not_before}, {"not_after", s.signer->not_after}};
  }
  json timestamp = nullptr;
  if (s.timestamp) {
    timestamp = {{"time", s.timestamp->time}, {"tsa", s.timestamp->tsa}, {"status", s.timestamp->status}};
  }
  return {{"field", s.field},
          {"status", s.status},
          {"reasons", s.reasons},
          {"sub_filter", s.sub_filter.empty() ? json(nullptr) : json(s.sub_filter)},
          {"digest_algorithm", s.digest_algorithm.empty() ? json(nullptr) : json(s.digest_algorithm)},
          {"signer", signer},
          {"signing_time", Opt(s.signing_time)},
          {"timestamp", timestamp},
          {"byte_range", s.byte_range},
          {"covers_whole_revision", s.covers_whole_revision},
          {"modified_after_signing", s.modified_after_signing},
          {"integrity", s.integrity},
          {"trust", s.trust},
          {"type", s.type},
          {"revision", s.revision},
          {"certification", Opt(s.certification)},
          {"revocation", s.revocation},
          {"name", Opt(s.name)},
          {"reason", Opt(s.reason)},
          {"location", Opt(s.location)},
          {"contact_info", Opt(s.contact_info)},
          {"changed_pages", s.changed_pages},
          {"warnings", s.warnings}};
}

json ToJson(const VerifyReport& r) {
  json signatures = json::array();
  for (const auto& sig : r.signatures) signatures.push_back(ToJson(sig));
  return {{"id", r.id}, {"status", r.status}, {"revisions", r.revisions}, {"signatures", signatures}};
}

json ToJson(const Error& e) {
  return {{"error", {{"code", std::string(ErrorCodeName(e.code))}, {"message", e.message}}}};
}

}  // namespace pactum
