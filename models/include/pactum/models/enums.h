// The closed value sets of the record and the reports (statuses, kinds, text
// sources) as enums, each with exactly one mapping to its JSON spelling, the
// one of shared/spec/API.md and service/openapi.json.
//
// For each enum E here:
//   std::string_view Name(E)               its spelling, e.g. "document_timestamp"
//   std::optional<E> ParseE(std::string_view)  the inverse: the value spelled
//                                          exactly so (case sensitive), nullopt
//                                          for any other string
//   EnumValues<E>::kAll                    every value, in declaration order
//
// Name is a switch over every value without a default: -Wswitch flags a new
// value until it has a spelling, and a static_assert fails until kAll lists
// it. Enumerators take no initialisers (kAll[i] has the value i).
//
// nlohmann::json would write an enum as its number and read one from a
// number: json(e) writes Name(e) instead, and j.get<E>() does not compile
// (decode with ParseE, or with the FromJson decoders of json.h, which name
// the offending member). A stream writes Name(e).
#pragma once

#include <array>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace pactum {

// Specialised below for each enum: `static constexpr std::array kAll`.
template <typename E>
struct EnumValues;

// The value of E spelled `name`, nullopt for any other string.
template <typename E>
constexpr std::optional<E> ParseName(std::string_view name) {
  for (const E e : EnumValues<E>::kAll) {
    if (Name(e) == name) return e;
  }
  return std::nullopt;
}

namespace enums_internal {

// Whether EnumValues<E>::kAll lists the values 0..N-1 in order, each with a
// distinct non-empty Name, and no value N has a Name (none was added after
// the last one listed).
template <typename E>
constexpr bool ListsEveryValue() {
  constexpr auto& all = EnumValues<E>::kAll;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (static_cast<std::size_t>(static_cast<std::underlying_type_t<E>>(all[i])) != i) return false;
    if (Name(all[i]).empty()) return false;
    for (std::size_t j = 0; j < i; ++j) {
      if (Name(all[j]) == Name(all[i])) return false;
    }
  }
  return Name(static_cast<E>(all.size())).empty();
}

}  // namespace enums_internal

// ---- Signatures (signature.h) ------------------------------------------------

// SignatureReport::status.
enum class SignatureStatus { kValid, kInvalid, kIndeterminate };

constexpr std::string_view Name(SignatureStatus v) {
  switch (v) {
    case SignatureStatus::kValid: return "valid";
    case SignatureStatus::kInvalid: return "invalid";
    case SignatureStatus::kIndeterminate: return "indeterminate";
  }
  return {};
}

template <>
struct EnumValues<SignatureStatus> {
  static constexpr std::array kAll = {SignatureStatus::kValid, SignatureStatus::kInvalid,
                                      SignatureStatus::kIndeterminate};
};
static_assert(enums_internal::ListsEveryValue<SignatureStatus>());

constexpr std::optional<SignatureStatus> ParseSignatureStatus(std::string_view name) {
  return ParseName<SignatureStatus>(name);
}

// SignatureReport::integrity: whether the signature's mathematics hold;
// kUnknown when they could not be checked (an algorithm or sub-filter
// pactum does not implement), which never makes a signature invalid.
enum class Integrity { kOk, kFailed, kUnknown };

constexpr std::string_view Name(Integrity v) {
  switch (v) {
    case Integrity::kOk: return "ok";
    case Integrity::kFailed: return "failed";
    case Integrity::kUnknown: return "unknown";
  }
  return {};
}

template <>
struct EnumValues<Integrity> {
  static constexpr std::array kAll = {Integrity::kOk, Integrity::kFailed, Integrity::kUnknown};
};
static_assert(enums_internal::ListsEveryValue<Integrity>());

constexpr std::optional<Integrity> ParseIntegrity(std::string_view name) { return ParseName<Integrity>(name); }

// SignatureReport::trust: whether the signer's chain reaches an anchor.
enum class Trust { kTrusted, kUntrusted };

constexpr std::string_view Name(Trust v) {
  switch (v) {
    case Trust::kTrusted: return "trusted";
    case Trust::kUntrusted: return "untrusted";
  }
  return {};
}

template <>
struct EnumValues<Trust> {
  static constexpr std::array kAll = {Trust::kTrusted, Trust::kUntrusted};
};
static_assert(enums_internal::ListsEveryValue<Trust>());

constexpr std::optional<Trust> ParseTrust(std::string_view name) { return ParseName<Trust>(name); }

// SignatureReport::type.
enum class SignatureType { kSignature, kDocumentTimestamp };

constexpr std::string_view Name(SignatureType v) {
  switch (v) {
    case SignatureType::kSignature: return "signature";
    case SignatureType::kDocumentTimestamp: return "document_timestamp";
  }
  return {};
}

template <>
struct EnumValues<SignatureType> {
  static constexpr std::array kAll = {SignatureType::kSignature, SignatureType::kDocumentTimestamp};
};
static_assert(enums_internal::ListsEveryValue<SignatureType>());

constexpr std::optional<SignatureType> ParseSignatureType(std::string_view name) {
  return ParseName<SignatureType>(name);
}

// SignatureReport::revocation: the revocation status of the signer's
// certificate.
enum class Revocation { kGood, kRevoked, kUnknown, kNotChecked };

constexpr std::string_view Name(Revocation v) {
  switch (v) {
    case Revocation::kGood: return "good";
    case Revocation::kRevoked: return "revoked";
    case Revocation::kUnknown: return "unknown";
    case Revocation::kNotChecked: return "not_checked";
  }
  return {};
}

template <>
struct EnumValues<Revocation> {
  static constexpr std::array kAll = {Revocation::kGood, Revocation::kRevoked, Revocation::kUnknown,
                                      Revocation::kNotChecked};
};
static_assert(enums_internal::ListsEveryValue<Revocation>());

constexpr std::optional<Revocation> ParseRevocation(std::string_view name) { return ParseName<Revocation>(name); }

// SignatureReport::modification_level: the most far-reaching kind of change
// the revisions after a signature make, in this order: nothing that changes
// the document's content; validation data (/DSS) and document timestamps;
// further signatures (new or filled signature fields); form filling;
// annotations; anything else.
enum class ModificationLevel { kNone, kLtv, kSigning, kFormFilling, kAnnotations, kOther };

constexpr std::string_view Name(ModificationLevel v) {
  switch (v) {
    case ModificationLevel::kNone: return "none";
    case ModificationLevel::kLtv: return "ltv";
    case ModificationLevel::kSigning: return "signing";
    case ModificationLevel::kFormFilling: return "form_filling";
    case ModificationLevel::kAnnotations: return "annotations";
    case ModificationLevel::kOther: return "other";
  }
  return {};
}

template <>
struct EnumValues<ModificationLevel> {
  static constexpr std::array kAll = {ModificationLevel::kNone,        ModificationLevel::kLtv,
                                      ModificationLevel::kSigning,     ModificationLevel::kFormFilling,
                                      ModificationLevel::kAnnotations, ModificationLevel::kOther};
};
static_assert(enums_internal::ListsEveryValue<ModificationLevel>());

constexpr std::optional<ModificationLevel> ParseModificationLevel(std::string_view name) {
  return ParseName<ModificationLevel>(name);
}

// SignatureReport::validation_time_source: what proves the time the
// signer's chain was validated at (the earliest proven existence of the
// signature).
enum class ValidationTimeSource { kSignatureTimestamp, kDocumentTimestamp, kCurrentTime };

constexpr std::string_view Name(ValidationTimeSource v) {
  switch (v) {
    case ValidationTimeSource::kSignatureTimestamp: return "signature_timestamp";
    case ValidationTimeSource::kDocumentTimestamp: return "document_timestamp";
    case ValidationTimeSource::kCurrentTime: return "current_time";
  }
  return {};
}

template <>
struct EnumValues<ValidationTimeSource> {
  static constexpr std::array kAll = {ValidationTimeSource::kSignatureTimestamp,
                                      ValidationTimeSource::kDocumentTimestamp, ValidationTimeSource::kCurrentTime};
};
static_assert(enums_internal::ListsEveryValue<ValidationTimeSource>());

constexpr std::optional<ValidationTimeSource> ParseValidationTimeSource(std::string_view name) {
  return ParseName<ValidationTimeSource>(name);
}

// TimestampSummary::status.
enum class TimestampStatus { kValid, kInvalid, kUntrusted };

constexpr std::string_view Name(TimestampStatus v) {
  switch (v) {
    case TimestampStatus::kValid: return "valid";
    case TimestampStatus::kInvalid: return "invalid";
    case TimestampStatus::kUntrusted: return "untrusted";
  }
  return {};
}

template <>
struct EnumValues<TimestampStatus> {
  static constexpr std::array kAll = {TimestampStatus::kValid, TimestampStatus::kInvalid,
                                      TimestampStatus::kUntrusted};
};
static_assert(enums_internal::ListsEveryValue<TimestampStatus>());

constexpr std::optional<TimestampStatus> ParseTimestampStatus(std::string_view name) {
  return ParseName<TimestampStatus>(name);
}

// VerifyReport::status: the document's, from its signatures'.
enum class DocumentStatus { kValid, kInvalid, kIndeterminate, kUnsigned };

constexpr std::string_view Name(DocumentStatus v) {
  switch (v) {
    case DocumentStatus::kValid: return "valid";
    case DocumentStatus::kInvalid: return "invalid";
    case DocumentStatus::kIndeterminate: return "indeterminate";
    case DocumentStatus::kUnsigned: return "unsigned";
  }
  return {};
}

template <>
struct EnumValues<DocumentStatus> {
  static constexpr std::array kAll = {DocumentStatus::kValid, DocumentStatus::kInvalid,
                                      DocumentStatus::kIndeterminate, DocumentStatus::kUnsigned};
};
static_assert(enums_internal::ListsEveryValue<DocumentStatus>());

constexpr std::optional<DocumentStatus> ParseDocumentStatus(std::string_view name) {
  return ParseName<DocumentStatus>(name);
}

// ---- The agreement record (record.h) ----------------------------------------

// DateItem::kind.
enum class DateKind { kSignature, kEffective, kExpiry, kDeadline, kOther };

constexpr std::string_view Name(DateKind v) {
  switch (v) {
    case DateKind::kSignature: return "signature";
    case DateKind::kEffective: return "effective";
    case DateKind::kExpiry: return "expiry";
    case DateKind::kDeadline: return "deadline";
    case DateKind::kOther: return "other";
  }
  return {};
}

template <>
struct EnumValues<DateKind> {
  static constexpr std::array kAll = {DateKind::kSignature, DateKind::kEffective, DateKind::kExpiry,
                                      DateKind::kDeadline, DateKind::kOther};
};
static_assert(enums_internal::ListsEveryValue<DateKind>());

constexpr std::optional<DateKind> ParseDateKind(std::string_view name) { return ParseName<DateKind>(name); }

// PageInfo::text_source: where one page's text came from.
enum class PageTextSource { kPdfText, kOcr };

constexpr std::string_view Name(PageTextSource v) {
  switch (v) {
    case PageTextSource::kPdfText: return "pdf-text";
    case PageTextSource::kOcr: return "ocr";
  }
  return {};
}

template <>
struct EnumValues<PageTextSource> {
  static constexpr std::array kAll = {PageTextSource::kPdfText, PageTextSource::kOcr};
};
static_assert(enums_internal::ListsEveryValue<PageTextSource>());

constexpr std::optional<PageTextSource> ParsePageTextSource(std::string_view name) {
  return ParseName<PageTextSource>(name);
}

// DocumentInfo::text_source: where the document's text came from, mixed when
// some pages were read from the text layer and some by OCR.
enum class DocumentTextSource { kPdfText, kOcr, kMixed };

constexpr std::string_view Name(DocumentTextSource v) {
  switch (v) {
    case DocumentTextSource::kPdfText: return "pdf-text";
    case DocumentTextSource::kOcr: return "ocr";
    case DocumentTextSource::kMixed: return "mixed";
  }
  return {};
}

template <>
struct EnumValues<DocumentTextSource> {
  static constexpr std::array kAll = {DocumentTextSource::kPdfText, DocumentTextSource::kOcr,
                                      DocumentTextSource::kMixed};
};
static_assert(enums_internal::ListsEveryValue<DocumentTextSource>());

constexpr std::optional<DocumentTextSource> ParseDocumentTextSource(std::string_view name) {
  return ParseName<DocumentTextSource>(name);
}

// Writes Name(e): readable values in test failures and logs.
template <typename E>
  requires requires { EnumValues<E>::kAll; }
std::ostream& operator<<(std::ostream& os, E e) {
  return os << Name(e);
}

// ---- nlohmann::json hooks (found by argument-dependent lookup) -------------
// More specialised than nlohmann's own enum conversions (to and from the
// number), so these win.

template <typename Json> void to_json(Json& j, SignatureStatus v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, Integrity v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, Trust v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, SignatureType v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, Revocation v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, TimestampStatus v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, ModificationLevel v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, ValidationTimeSource v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, DocumentStatus v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, DateKind v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, PageTextSource v) { j = std::string(Name(v)); }
template <typename Json> void to_json(Json& j, DocumentTextSource v) { j = std::string(Name(v)); }

template <typename Json> void from_json(const Json& j, SignatureStatus& v) = delete;
template <typename Json> void from_json(const Json& j, Integrity& v) = delete;
template <typename Json> void from_json(const Json& j, Trust& v) = delete;
template <typename Json> void from_json(const Json& j, SignatureType& v) = delete;
template <typename Json> void from_json(const Json& j, Revocation& v) = delete;
template <typename Json> void from_json(const Json& j, TimestampStatus& v) = delete;
template <typename Json> void from_json(const Json& j, ModificationLevel& v) = delete;
template <typename Json> void from_json(const Json& j, ValidationTimeSource& v) = delete;
template <typename Json> void from_json(const Json& j, DocumentStatus& v) = delete;
template <typename Json> void from_json(const Json& j, DateKind& v) = delete;
template <typename Json> void from_json(const Json& j, PageTextSource& v) = delete;
template <typename Json> void from_json(const Json& j, DocumentTextSource& v) = delete;

}  // namespace pactum
