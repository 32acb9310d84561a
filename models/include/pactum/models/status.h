// Error and Result<T>: the expected-failure channel of every pactum module.
//
// ErrorCode is closed and mirrors the error codes of the HTTP contract
// (shared/spec/API.md). Code that detects a failure picks the code; only the
// service maps a code to an HTTP status (HttpStatusFor), exactly once.
// Error and Result are plain values: const methods may be called from several
// threads without synchronisation.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pactum {

enum class ErrorCode {
  kBadRequest,            // 400 bad_request
  kUnauthorized,          // 401 unauthorized
  kNotFound,              // 404 not_found
  kTooLarge,              // 413 too_large
  kUnsupportedMediaType,  // 415 unsupported_media_type
  kUnprocessable,         // 422 unprocessable: corrupt, encrypted, pathological
  kOverloaded,            // 503 overloaded (Retry-After)
  kTimeout,               // 504 timeout
  kInternal,              // 500 internal: a bug
};

// The contract's snake_case name of `code`, e.g. "unsupported_media_type".
std::string_view ErrorCodeName(ErrorCode code);
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

  std::string ToString() const;
};

// Either a value or an Error (std::expected is C++23; GCC 12 lacks it).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

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
  std::variant<T, Error> v_;
};

}  // namespace pactum
