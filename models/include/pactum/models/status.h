// Error and Result<T>: the expected-failure channel of every pactum module.
//
// ErrorCode is closed and mirrors the error codes of the HTTP contract
// (shared/spec/API.md). Code that detects a failure picks the code; only the
// service maps a code to an HTTP status (HttpStatusFor), exactly once.
// Error and Result are plain values: const methods may be called from several
// threads without synchronisation.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace pactum {

enum class ErrorCode {
  kBadRequest,            // 400 bad_request
  kUnauthorized,          // 401 unauthorized
  kNotFound,              // 404 not_found
  kMethodNotAllowed,      // 405 method_not_allowed (with Allow)
  kConflict,              // 409 conflict: not in a state that allows it (a job's result before it finished)
  kTooLarge,              // 413 too_large
  kUnsupportedMediaType,  // 415 unsupported_media_type
  kRangeNotSatisfiable,   // 416 range_not_satisfiable
  kUnprocessable,         // 422 unprocessable: corrupt, encrypted, pathological
  kOverloaded,            // 503 overloaded (Retry-After)
  kTimeout,               // 504 timeout
  kInternal,              // 500 internal: a bug. Stays last (kErrorCodes).
};

// Every ErrorCode, in declaration order.
inline constexpr std::array<ErrorCode, 12> kErrorCodes = {
    ErrorCode::kBadRequest,    ErrorCode::kUnauthorized,         ErrorCode::kNotFound,
    ErrorCode::kMethodNotAllowed, ErrorCode::kConflict,          ErrorCode::kTooLarge,          ErrorCode::kUnsupportedMediaType,
    ErrorCode::kRangeNotSatisfiable, ErrorCode::kUnprocessable,  ErrorCode::kOverloaded,
    ErrorCode::kTimeout,       ErrorCode::kInternal};
static_assert(kErrorCodes.size() == static_cast<std::size_t>(ErrorCode::kInternal) + 1,
              "kErrorCodes must list every ErrorCode");

// The contract's snake_case name of `code`, e.g. "unsupported_media_type".
std::string_view ErrorCodeName(ErrorCode code);
// The inverse of ErrorCodeName: the code named `name` exactly (case
// sensitive), nullopt for any other string.
std::optional<ErrorCode> ParseErrorCode(std::string_view name);
// The HTTP status of `code`, e.g. 415.
int HttpStatusFor(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // human readable; says what the caller can do

  static Error BadRequest(std::string m) { return {ErrorCode::kBadRequest, std::move(m)}; }
  static Error Unsupported(std::string m) { return {ErrorCode::kUnsupportedMediaType, std::move(m)}; }
  static Error Unprocessable(std::string m) { return {ErrorCode::kUnprocessable, std::move(m)}; }
  static Error TooLarge(std::string m) { return {ErrorCode::kTooLarge, std::move(m)}; }
  static Error Timeout(std::string m) { return {ErrorCode::kTimeout, std::move(m)}; }
  static Error Overloaded(std::string m) { return {ErrorCode::kOverloaded, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
  // Work stopped because its caller asked (a job was cancelled): not an
  // error of the contract, so it has no code of its own. Its code is
  // kTimeout (what a client would see should one ever be answered) and its
  // message kCancelledMessage; only IsCancelled() tells it from a timeout.
  static Error Cancelled();

  std::string ToString() const;
};

// The message of Error::Cancelled(); nothing else uses it.
inline constexpr std::string_view kCancelledMessage = "cancelled: the work was stopped at its caller's request";

inline Error Error::Cancelled() { return {ErrorCode::kTimeout, std::string(kCancelledMessage)}; }

// True for Error::Cancelled() (also after a round trip through JSON), false
// for every other error, timeouts included.
inline bool IsCancelled(const Error& e) { return e.code == ErrorCode::kTimeout && e.message == kCancelledMessage; }

// Either a value or an Error (std::expected is C++23; GCC 12 lacks it).
//
// An Error converts to the failure, always: in a Result<Error> (a decoded
// error body, say) the value is made with Result<Error>::Ok(e) instead.
template <typename T>
class Result {
 public:
  Result(T value) requires(!std::is_same_v<T, Error>)  // NOLINT: implicit by design
      : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit by design

  // A successful Result holding `value`.
  static Result Ok(T value) { return Result(std::in_place_index<0>, std::move(value)); }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  Result(std::in_place_index_t<0> tag, T value) : v_(tag, std::move(value)) {}

  std::variant<T, Error> v_;
};

}  // namespace pactum
