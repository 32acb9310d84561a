#include "pactum/models/json.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pactum/models/enums.h"

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
    dates.push_back({{"date", d.date}, {"text", d.text}, {"kind", Name(d.kind)}, {"evidence", ToJson(d.evidence)}});
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
  json governing_law = nullptr;
  if (a.governing_law) {
    governing_law = {{"jurisdiction", a.governing_law->jurisdiction},
                     {"text", a.governing_law->text},
                     {"evidence", ToJson(a.governing_law->evidence)}};
  }
  json term = nullptr;
  if (a.term) {
    term = {{"duration", a.term->duration}, {"text", a.term->text}, {"evidence", ToJson(a.term->evidence)}};
  }
  return {{"type", Opt(a.type)},         {"title", Opt(a.title)},   {"year", Opt(a.year)},
          {"subject", Opt(a.subject)},   {"parties", parties},      {"amounts", amounts},
          {"dates", dates},              {"projects", projects},    {"signatories", signatories},
          {"governing_law", governing_law}, {"term", term}};
}

json ToJson(const AgreementRecord& r) {
  json pages = json::array();
  for (const auto& p : r.document.page_info) {
    json pj = {{"page", p.page}, {"text_source", Name(p.text_source)}, {"reason", p.reason}};
    if (p.ocr_mean_confidence) pj["ocr_mean_confidence"] = Round2(*p.ocr_mean_confidence);
    pages.push_back(std::move(pj));
  }
  json doc = {{"media_type", r.document.media_type}};
  // An extension member of the contract's record: written only when set.
  if (r.document.file_name) doc["file_name"] = *r.document.file_name;
  doc["bytes"] = r.document.bytes;
  doc["pages"] = r.document.pages;
  doc["text_source"] = Name(r.document.text_source);
  doc["language"] = Opt(r.document.language);
  doc["ocr_mean_confidence"] =
      r.document.ocr_mean_confidence ? json(Round2(*r.document.ocr_mean_confidence)) : json(nullptr);
  doc["page_info"] = std::move(pages);
  if (r.document.text) doc["text"] = *r.document.text;
  json warnings = json::array();
  for (const auto& w : r.warnings) {
    warnings.push_back({{"code", w.code}, {"message", w.message}, {"page", Opt(w.page)}});
  }
  json signatures = json::array();
  for (const auto& sig : r.signatures) signatures.push_back(ToJson(sig));
  json out = {{"id", r.id}};
  // Extension members of the contract's record: only in a partial record.
  if (r.partial) {
    out["partial"] = true;
    out["missing_pages"] = r.missing_pages;
  }
  out["document"] = std::move(doc);
  out["agreement"] = ToJson(r.agreement);
  out["signatures"] = std::move(signatures);
  out["warnings"] = std::move(warnings);
  return out;
}

json ToJson(const SignatureReport& s) {
  json signer = nullptr;
  if (s.signer) {
    signer = {{"subject", s.signer->subject}, {"issuer", s.signer->issuer}, {"serial", s.signer->serial},
              {"not_before", s.signer->not_before}, {"not_after", s.signer->not_after}};
  }
  json timestamp = nullptr;
  if (s.timestamp) {
    timestamp = {{"time", s.timestamp->time}, {"tsa", s.timestamp->tsa}, {"status", Name(s.timestamp->status)}};
  }
  return {{"field", s.field},
          {"status", Name(s.status)},
          {"reasons", s.reasons},
          {"sub_filter", s.sub_filter.empty() ? json(nullptr) : json(s.sub_filter)},
          {"digest_algorithm", s.digest_algorithm.empty() ? json(nullptr) : json(s.digest_algorithm)},
          {"signer", signer},
          {"signing_time", Opt(s.signing_time)},
          {"timestamp", timestamp},
          {"byte_range", s.byte_range},
          {"covers_whole_revision", s.covers_whole_revision},
          {"modified_after_signing", s.modified_after_signing},
          {"integrity", Name(s.integrity)},
          {"trust", Name(s.trust)},
          {"type", Name(s.type)},
          {"revision", s.revision},
          {"certification", Opt(s.certification)},
          {"revocation", Name(s.revocation)},
          {"validation_time", Opt(s.validation_time)},
          {"validation_time_source",
           s.validation_time_source ? json(Name(*s.validation_time_source)) : json(nullptr)},
          {"ltv", s.ltv},
          {"name", Opt(s.name)},
          {"reason", Opt(s.reason)},
          {"location", Opt(s.location)},
          {"contact_info", Opt(s.contact_info)},
          {"changed_pages", s.changed_pages},
          {"modification_level", s.modification_level ? json(Name(*s.modification_level)) : json(nullptr)},
          {"warnings", s.warnings}};
}

json ToJson(const VerifyReport& r) {
  json signatures = json::array();
  for (const auto& sig : r.signatures) signatures.push_back(ToJson(sig));
  return {{"id", r.id}, {"status", Name(r.status)}, {"revisions", r.revisions}, {"signatures", signatures}};
}

json ToJson(const Error& e) {
  return {{"error", {{"code", std::string(ErrorCodeName(e.code))}, {"message", e.message}}}};
}

// ---- Decoding: the inverses of ToJson --------------------------------------

namespace {

constexpr int kIntMax = std::numeric_limits<int>::max();
constexpr double kDoubleMax = std::numeric_limits<double>::max();

// Where a value sits in the JSON being decoded: a chain of member names and
// array indexes living on the stack, rendered ("$.document.page_info[2].page")
// only when decoding fails. A Path refers to its parent and to the name it
// was given: it must not outlive either.
class Path {
 public:
  Path() = default;  // the root, "$"

  Path Member(std::string_view name) const { return Path(this, name, 0); }
  Path Index(std::size_t index) const { return Path(this, {}, index); }

  std::string ToString() const {
    if (parent_ == nullptr) return "$";
    std::string out = parent_->ToString();
    if (name_.empty()) {
      out += '[';
      out += std::to_string(index_);
      out += ']';
    } else {
      out += '.';
      out += name_;
    }
    return out;
  }

 private:
  Path(const Path* parent, std::string_view name, std::size_t index) : parent_(parent), name_(name), index_(index) {}

  const Path* parent_ = nullptr;
  std::string_view name_;  // empty: an array element
  std::size_t index_ = 0;
};

// `s` as a JSON string literal for a message: at most 64 bytes of it, invalid
// UTF-8 replaced.
std::string Quote(std::string_view s) {
  constexpr std::size_t kMax = 64;
  std::string out = json(std::string(s.substr(0, kMax))).dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > kMax) out += "...";
  return out;
}

// What `v` is, for a message: numbers and booleans with their value, the
// rest by type (a worker's strings could be long or private).
std::string Describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean:
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return v.dump();
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::binary: return "a binary value";
    case json::value_t::discarded: return "a discarded value (a parse failure)";
  }
  return "an unknown value";
}

// One decode: the checks of single values, and the first failure.
class Decoder {
 public:
  // Records that the value at `at` is wrong as `problem` says (the first
  // failure wins); returns false.
  bool Fail(const Path& at, std::string_view problem) {
    if (error_.empty()) error_ = at.ToString() + ": " + std::string(problem);
    return false;
  }
  const std::string& error() const { return error_; }

  // Each check stores the value `v` at `at` in *out, or fails.
  bool String(const json& v, const Path& at, std::string* out) {
    const auto* s = v.get_ptr<const json::string_t*>();
    if (s == nullptr) return Fail(at, "expected a string, got " + Describe(v));
    *out = *s;
    return true;
  }

  // A string spelling a value of E (enums.h).
  template <typename E>
  bool Enum(const json& v, const Path& at, E* out) {
    const auto* s = v.get_ptr<const json::string_t*>();
    if (s == nullptr) return Fail(at, "expected a string, got " + Describe(v));
    const std::optional<E> parsed = ParseName<E>(*s);
    if (!parsed) {
      std::string spellings;
      for (const E e : EnumValues<E>::kAll) spellings += (spellings.empty() ? "" : ", ") + Quote(Name(e));
      return Fail(at, "expected one of " + spellings + ", got " + Quote(*s));
    }
    *out = *parsed;
    return true;
  }

  bool Bool(const json& v, const Path& at, bool* out) {
    const auto* b = v.get_ptr<const json::boolean_t*>();
    if (b == nullptr) return Fail(at, "expected a boolean, got " + Describe(v));
    *out = *b;
    return true;
  }

  // An integer (not 1.0) in [min, max].
  bool Integer(const json& v, const Path& at, std::int64_t min, std::int64_t max, std::int64_t* out) {
    bool in_range = false;
    // get_ptr<number_integer_t> also answers for unsigned values (reading the
    // wrong union member): dispatch on the exact type.
    if (v.type() == json::value_t::number_unsigned) {
      const std::uint64_t u = *v.get_ptr<const json::number_unsigned_t*>();
      in_range = max >= 0 && u <= static_cast<std::uint64_t>(max) && static_cast<std::int64_t>(u) >= min;
      if (in_range) *out = static_cast<std::int64_t>(u);
    } else if (v.type() == json::value_t::number_integer) {
      const std::int64_t i = *v.get_ptr<const json::number_integer_t*>();
      in_range = i >= min && i <= max;
      if (in_range) *out = i;
    }
    if (!in_range) {
      return Fail(at, "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                          Describe(v));
    }
    return true;
  }

  bool Int(const json& v, const Path& at, int min, int max, int* out) {
    std::int64_t n = 0;
    if (!Integer(v, at, min, max, &n)) return false;
    *out = static_cast<int>(n);
    return true;
  }

  // A finite number (an integer will do) in [min, max].
  bool Number(const json& v, const Path& at, double min, double max, double* out) {
    double x = 0;
    bool number = true;
    switch (v.type()) {
      case json::value_t::number_float: x = *v.get_ptr<const json::number_float_t*>(); break;
      case json::value_t::number_unsigned: x = static_cast<double>(*v.get_ptr<const json::number_unsigned_t*>()); break;
      case json::value_t::number_integer: x = static_cast<double>(*v.get_ptr<const json::number_integer_t*>()); break;
      default: number = false; break;
    }
    if (!number || !std::isfinite(x) || x < min || x > max) {
      if (min == -kDoubleMax && max == kDoubleMax) return Fail(at, "expected a finite number, got " + Describe(v));
      return Fail(at, "expected a number in [" + json(min).dump() + ", " + json(max).dump() + "], got " + Describe(v));
    }
    *out = x;
    return true;
  }

  // decode(element, path) for each element of the array `v`, in order.
  template <typename F>
  bool Array(const json& v, const Path& at, F decode) {
    if (!v.is_array()) return Fail(at, "expected an array, got " + Describe(v));
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!decode(v[i], at.Index(i))) return false;
    }
    return true;
  }

 private:
  std::string error_;
};

// Whether a nullable member may also be left out (ToJson omits some when
// unset, and writes others as null).
enum class Absent { kFails, kIsNull };

// The members of one JSON object being decoded. Construction fails unless
// the value is an object without members beyond `known`; the readers fail on
// a missing member (unless it may be absent) or a wrong value. A null
// nullable member gives nullopt.
class Object {
 public:
  Object(Decoder& d, const json& v, const Path& at, std::initializer_list<std::string_view> known)
      : d_(d), v_(v), at_(at) {
    if (!v.is_object()) {
      d.Fail(at, "expected an object, got " + Describe(v));
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
        d.Fail(at, "unknown member " + Quote(it.key()));
        return;
      }
    }
    ok_ = true;
  }

  bool ok() const { return ok_; }

  bool String(std::string_view name, std::string* out) {
    const Path at = at_.Member(name);
    const json* v = Required(name, at);
    return v != nullptr && d_.String(*v, at, out);
  }
  template <typename E>
  bool Enum(std::string_view name, E* out) {
    const Path at = at_.Member(name);
    const json* v = Required(name, at);
    return v != nullptr && d_.Enum(*v, at, out);
  }
  bool Bool(std::string_view name, bool* out) {
    const Path at = at_.Member(name);
    const json* v = Required(name, at);
    return v != nullptr && d_.Bool(*v, at, out);
  }
  template <typename Int>
  bool Integer(std::string_view name, std::int64_t min, std::int64_t max, Int* out) {
    const Path at = at_.Member(name);
    const json* v = Required(name, at);
    std::int64_t n = 0;
    if (v == nullptr || !d_.Integer(*v, at, min, max, &n)) return false;
    *out = static_cast<Int>(n);
    return true;
  }
  // decode(value, path) on the member, which must be present.
  template <typename F>
  bool Value(std::string_view name, F decode) {
    const Path at = at_.Member(name);
    const json* v = Required(name, at);
    return v != nullptr && decode(*v, at);
  }
  // decode(element, path) for each element of the array member.
  template <typename F>
  bool Array(std::string_view name, F decode) {
    return Value(name, [&](const json& v, const Path& at) { return d_.Array(v, at, decode); });
  }

  // Nullable members.
  bool String(std::string_view name, std::optional<std::string>* out, Absent absent = Absent::kFails) {
    return Nullable(name, absent, [&](const json& v, const Path& at) { return d_.String(v, at, &out->emplace()); });
  }
  bool Integer(std::string_view name, int min, int max, std::optional<int>* out, Absent absent = Absent::kFails) {
    return Nullable(name, absent, [&](const json& v, const Path& at) { return d_.Int(v, at, min, max, &out->emplace()); });
  }
  bool Number(std::string_view name, double min, double max, std::optional<double>* out, Absent absent) {
    return Nullable(name, absent,
                    [&](const json& v, const Path& at) { return d_.Number(v, at, min, max, &out->emplace()); });
  }
  // decode(value, path) on the member unless it is null (or absent, where
  // that is allowed).
  template <typename F>
  bool Nullable(std::string_view name, Absent absent, F decode) {
    const Path at = at_.Member(name);
    const auto it = v_.find(name);
    if (it == v_.end()) return absent == Absent::kIsNull || d_.Fail(at, "required member missing");
    return it->is_null() || decode(*it, at);
  }

 private:
  const json* Required(std::string_view name, const Path& at) {
    const auto it = v_.find(name);
    if (it == v_.end()) {
      d_.Fail(at, "required member missing");
      return nullptr;
    }
    return &*it;
  }

  Decoder& d_;
  const json& v_;
  const Path& at_;
  bool ok_ = false;
};

bool Decode(Decoder& d, const json& v, const Path& at, std::string* out) { return d.String(v, at, out); }

bool Decode(Decoder& d, const json& v, const Path& at, Box* out) {
  if (!v.is_array() || v.size() != 4) {
    return d.Fail(at, "expected [x0, y0, x1, y1], got " +
                          (v.is_array() ? "an array of " + std::to_string(v.size()) + " elements" : Describe(v)));
  }
  return d.Number(v[0], at.Index(0), -kDoubleMax, kDoubleMax, &out->x0) &&
         d.Number(v[1], at.Index(1), -kDoubleMax, kDoubleMax, &out->y0) &&
         d.Number(v[2], at.Index(2), -kDoubleMax, kDoubleMax, &out->x1) &&
         d.Number(v[3], at.Index(3), -kDoubleMax, kDoubleMax, &out->y1);
}

bool Decode(Decoder& d, const json& v, const Path& at, Evidence* out) {
  Object o(d, v, at, {"page", "bbox", "confidence"});
  return o.ok() && o.Integer("page", 0, kIntMax, &out->page) &&
         o.Nullable("bbox", Absent::kIsNull,
                    [&](const json& b, const Path& p) { return Decode(d, b, p, &out->bbox.emplace()); }) &&
         o.Number("confidence", 0.0, 1.0, &out->confidence, Absent::kIsNull);
}

// An object member decoded by the Decode overload of its type.
template <typename T>
bool Member(Decoder& d, Object& o, std::string_view name, T* out) {
  return o.Value(name, [&](const json& v, const Path& at) { return Decode(d, v, at, out); });
}

// An array member whose elements are decoded by the Decode overload of T.
template <typename T>
bool List(Decoder& d, Object& o, std::string_view name, std::vector<T>* out) {
  out->clear();
  return o.Array(name, [&](const json& v, const Path& at) { return Decode(d, v, at, &out->emplace_back()); });
}

bool Decode(Decoder& d, const json& v, const Path& at, Party* out) {
  Object o(d, v, at, {"name", "short_name", "evidence"});
  return o.ok() && o.String("name", &out->name) && o.String("short_name", &out->short_name) &&
         Member(d, o, "evidence", &out->evidence);
}

bool Decode(Decoder& d, const json& v, const Path& at, Amount* out) {
  Object o(d, v, at, {"value", "currency", "text", "context", "evidence"});
  return o.ok() && o.String("value", &out->value) && o.String("currency", &out->currency) &&
         o.String("text", &out->text) && o.String("context", &out->context) &&
         Member(d, o, "evidence", &out->evidence);
}

bool Decode(Decoder& d, const json& v, const Path& at, DateItem* out) {
  Object o(d, v, at, {"date", "text", "kind", "evidence"});
  return o.ok() && o.String("date", &out->date) && o.String("text", &out->text) && o.Enum("kind", &out->kind) &&
         Member(d, o, "evidence", &out->evidence);
}

bool Decode(Decoder& d, const json& v, const Path& at, Project* out) {
  Object o(d, v, at, {"category_number", "category", "name", "evidence"});
  return o.ok() && o.Integer("category_number", 0, kIntMax, &out->category_number) &&
         o.String("category", &out->category) && o.String("name", &out->name) &&
         Member(d, o, "evidence", &out->evidence);
}

bool Decode(Decoder& d, const json& v, const Path& at, Signatory* out) {
  Object o(d, v, at, {"name", "title", "organization", "place", "date", "evidence"});
  return o.ok() && o.String("name", &out->name) && o.String("title", &out->title) &&
         o.String("organization", &out->organization) && o.String("place", &out->place) &&
         o.String("date", &out->date) && Member(d, o, "evidence", &out->evidence);
}

bool Decode(Decoder& d, const json& v, const Path& at, GoverningLaw* out) {
  Object o(d, v, at, {"jurisdiction", "text", "evidence"});
  return o.ok() && o.String("jurisdiction", &out->jurisdiction) && o.String("text", &out->text) &&
         Member(d, o, "evidence", &out->evidence);
}

bool Decode(Decoder& d, const json& v, const Path& at, Term* out) {
  Object o(d, v, at, {"duration", "text", "evidence"});
  return o.ok() && o.String("duration", &out->duration) && o.String("text", &out->text) &&
         Member(d, o, "evidence", &out->evidence);
}

// A nullable object member decoded by the Decode overload of T; null or
// absent (records written before the member existed) is nullopt.
template <typename T>
bool NullableMember(Decoder& d, Object& o, std::string_view name, std::optional<T>* out) {
  out->reset();
  return o.Nullable(name, Absent::kIsNull,
                    [&](const json& m, const Path& p) { return Decode(d, m, p, &out->emplace()); });
}

bool Decode(Decoder& d, const json& v, const Path& at, Agreement* out) {
  Object o(d, v, at,
           {"type", "title", "year", "subject", "parties", "amounts", "dates", "projects", "signatories",
            "governing_law", "term"});
  return o.ok() && o.String("type", &out->type) && o.String("title", &out->title) &&
         o.Integer("year", 0, kIntMax, &out->year) && o.String("subject", &out->subject) &&
         List(d, o, "parties", &out->parties) && List(d, o, "amounts", &out->amounts) &&
         List(d, o, "dates", &out->dates) && List(d, o, "projects", &out->projects) &&
         List(d, o, "signatories", &out->signatories) && NullableMember(d, o, "governing_law", &out->governing_law) &&
         NullableMember(d, o, "term", &out->term);
}

bool Decode(Decoder& d, const json& v, const Path& at, PageInfo* out) {
  Object o(d, v, at, {"page", "text_source", "reason", "ocr_mean_confidence"});
  return o.ok() && o.Integer("page", 0, kIntMax, &out->page) && o.Enum("text_source", &out->text_source) &&
         o.String("reason", &out->reason) &&
         o.Number("ocr_mean_confidence", 0.0, 1.0, &out->ocr_mean_confidence, Absent::kIsNull);
}

bool Decode(Decoder& d, const json& v, const Path& at, DocumentInfo* out) {
  Object o(d, v, at,
           {"media_type", "file_name", "bytes", "pages", "text_source", "language", "ocr_mean_confidence",
            "page_info", "text"});
  return o.ok() && o.String("media_type", &out->media_type) &&
         o.String("file_name", &out->file_name, Absent::kIsNull) &&
         o.Integer("bytes", 0, std::numeric_limits<long long>::max(), &out->bytes) &&
         o.Integer("pages", 0, kIntMax, &out->pages) && o.Enum("text_source", &out->text_source) &&
         o.String("language", &out->language) &&
         o.Number("ocr_mean_confidence", 0.0, 1.0, &out->ocr_mean_confidence, Absent::kFails) &&
         List(d, o, "page_info", &out->page_info) && o.String("text", &out->text, Absent::kIsNull);
}

bool Decode(Decoder& d, const json& v, const Path& at, Warning* out) {
  Object o(d, v, at, {"code", "message", "page"});
  return o.ok() && o.String("code", &out->code) && o.String("message", &out->message) &&
         o.Integer("page", 0, kIntMax, &out->page);
}

bool Decode(Decoder& d, const json& v, const Path& at, CertificateSummary* out) {
  Object o(d, v, at, {"subject", "issuer", "serial", "not_before", "not_after"});
  return o.ok() && o.String("subject", &out->subject) && o.String("issuer", &out->issuer) &&
         o.String("serial", &out->serial) && o.String("not_before", &out->not_before) &&
         o.String("not_after", &out->not_after);
}

bool Decode(Decoder& d, const json& v, const Path& at, TimestampSummary* out) {
  Object o(d, v, at, {"time", "tsa", "status"});
  return o.ok() && o.String("time", &out->time) && o.String("tsa", &out->tsa) && o.Enum("status", &out->status);
}

bool Decode(Decoder& d, const json& v, const Path& at, SignatureReport* out) {
  Object o(d, v, at,
           {"field", "status", "reasons", "sub_filter", "digest_algorithm", "signer", "signing_time", "timestamp",
            "byte_range", "covers_whole_revision", "modified_after_signing", "integrity", "trust", "type",
            "revision", "certification", "revocation", "validation_time", "validation_time_source", "ltv", "name",
            "reason", "location", "contact_info", "changed_pages", "modification_level", "warnings"});
  // ToJson writes an empty sub_filter and digest_algorithm as null.
  std::optional<std::string> sub_filter, digest_algorithm;
  const auto signer = [&](const json& s, const Path& p) { return Decode(d, s, p, &out->signer.emplace()); };
  const auto timestamp = [&](const json& t, const Path& p) { return Decode(d, t, p, &out->timestamp.emplace()); };
  out->byte_range.clear();
  const auto byte_range = [&](const json& n, const Path& p) {
    return d.Integer(n, p, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                     &out->byte_range.emplace_back());
  };
  const auto validation_time_source = [&](const json& t, const Path& p) {
    return d.Enum(t, p, &out->validation_time_source.emplace());
  };
  const auto ltv = [&](const json& b, const Path& p) { return d.Bool(b, p, &out->ltv); };
  out->changed_pages.clear();
  const auto changed_page = [&](const json& n, const Path& p) {
    return d.Int(n, p, 0, kIntMax, &out->changed_pages.emplace_back());
  };
  // Absent in records stored before the field existed: null.
  out->modification_level.reset();
  const auto level = [&](const json& m, const Path& p) { return d.Enum(m, p, &out->modification_level.emplace()); };
  if (!(o.ok() && o.String("field", &out->field) && o.Enum("status", &out->status) &&
        List(d, o, "reasons", &out->reasons) && o.String("sub_filter", &sub_filter) &&
        o.String("digest_algorithm", &digest_algorithm) && o.Nullable("signer", Absent::kFails, signer) &&
        o.String("signing_time", &out->signing_time) && o.Nullable("timestamp", Absent::kFails, timestamp) &&
        o.Array("byte_range", byte_range) && o.Bool("covers_whole_revision", &out->covers_whole_revision) &&
        o.Bool("modified_after_signing", &out->modified_after_signing) &&
        o.Enum("integrity", &out->integrity) && o.Enum("trust", &out->trust) && o.Enum("type", &out->type) &&
        o.Integer("revision", 0, kIntMax, &out->revision) && o.Integer("certification", 1, 3, &out->certification) &&
        o.Enum("revocation", &out->revocation) &&
        // Records stored before these members existed lack them.
        o.String("validation_time", &out->validation_time, Absent::kIsNull) &&
        o.Nullable("validation_time_source", Absent::kIsNull, validation_time_source) &&
        o.Nullable("ltv", Absent::kIsNull, ltv) && o.String("name", &out->name) &&
        o.String("reason", &out->reason) && o.String("location", &out->location) &&
        o.String("contact_info", &out->contact_info) && o.Array("changed_pages", changed_page) &&
        o.Nullable("modification_level", Absent::kIsNull, level) && List(d, o, "warnings", &out->warnings))) {
    return false;
  }
  out->sub_filter = sub_filter.value_or("");
  out->digest_algorithm = digest_algorithm.value_or("");
  return true;
}

// partial and missing_pages: both absent (a complete record), or partial
// true with the pages not read, ascending, each within the document's pages.
bool DecodePartial(Decoder& d, Object& o, const json& v, const Path& at, AgreementRecord* out) {
  out->partial = false;
  out->missing_pages.clear();
  const bool has_partial = v.contains("partial"), has_missing = v.contains("missing_pages");
  if (!has_partial && !has_missing) return true;
  if (has_partial != has_missing) {
    return d.Fail(at.Member(has_partial ? "missing_pages" : "partial"), "required member missing");
  }
  if (!o.Bool("partial", &out->partial)) return false;
  if (!out->partial) return d.Fail(at.Member("partial"), "expected true (the member is left out otherwise)");
  const auto page = [&](const json& n, const Path& p) {
    const int min = out->missing_pages.empty() ? 1 : out->missing_pages.back() + 1;
    return d.Int(n, p, min, out->document.pages, &out->missing_pages.emplace_back());
  };
  if (!o.Array("missing_pages", page)) return false;
  if (out->missing_pages.empty()) return d.Fail(at.Member("missing_pages"), "expected at least one page");
  return true;
}

bool Decode(Decoder& d, const json& v, const Path& at, AgreementRecord* out) {
  Object o(d, v, at, {"id", "partial", "missing_pages", "document", "agreement", "signatures", "warnings"});
  return o.ok() && o.String("id", &out->id) && Member(d, o, "document", &out->document) &&
         DecodePartial(d, o, v, at, out) && Member(d, o, "agreement", &out->agreement) &&
         List(d, o, "signatures", &out->signatures) && List(d, o, "warnings", &out->warnings);
}

bool Decode(Decoder& d, const json& v, const Path& at, VerifyReport* out) {
  Object o(d, v, at, {"id", "status", "revisions", "signatures"});
  return o.ok() && o.String("id", &out->id) && o.Enum("status", &out->status) &&
         o.Integer("revisions", 0, kIntMax, &out->revisions) && List(d, o, "signatures", &out->signatures);
}

bool Decode(Decoder& d, const json& v, const Path& at, Error* out) {
  Object o(d, v, at, {"error"});
  return o.ok() && o.Value("error", [&](const json& e, const Path& p) {
    Object body(d, e, p, {"code", "message"});
    std::string code;
    if (!(body.ok() && body.String("code", &code))) return false;
    const std::optional<ErrorCode> parsed = ParseErrorCode(code);
    if (!parsed) return d.Fail(p.Member("code"), "unknown error code " + Quote(code));
    out->code = *parsed;
    return body.String("message", &out->message);
  });
}

// Decodes `j` as a T, or fails with Error::Internal naming `what`, the path
// and the problem. Catches what nlohmann might throw regardless (every access
// is checked first, so nothing should); lets std::bad_alloc through.
template <typename T>
Result<T> FromJson(std::string_view what, const json& j) {
  Decoder d;
  T out;
  try {
    if (Decode(d, j, Path(), &out)) return Result<T>::Ok(std::move(out));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    d.Fail(Path(), std::string("unexpected exception: ") + e.what());
  }
  return Error::Internal("malformed " + std::string(what) + " JSON: " + d.error());
}

}  // namespace

Result<AgreementRecord> AgreementRecordFromJson(const json& j) { return FromJson<AgreementRecord>("agreement record", j); }
Result<VerifyReport> VerifyReportFromJson(const json& j) { return FromJson<VerifyReport>("verify report", j); }
Result<SignatureReport> SignatureReportFromJson(const json& j) {
  return FromJson<SignatureReport>("signature report", j);
}
Result<Error> ErrorFromJson(const json& j) { return FromJson<Error>("error body", j); }

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pactum
