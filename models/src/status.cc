#include "pactum/models/status.h"

namespace pactum {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return "bad_request";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kMethodNotAllowed: return "method_not_allowed";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kRangeNotSatisfiable: return "range_not_satisfiable";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUnsupportedMediaType: return "unsupported_media_type";
    case ErrorCode::kUnprocessable: return "unprocessable";
    case ErrorCode::kOverloaded: return "overloaded";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

std::optional<ErrorCode> ParseErrorCode(std::string_view name) {
  for (ErrorCode code : kErrorCodes) {
    if (ErrorCodeName(code) == name) return code;
  }
  return std::nullopt;
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kRangeNotSatisfiable: return 416;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kUnprocessable: return 422;
    case ErrorCode::kOverloaded: return 503;
    case ErrorCode::kTimeout: return 504;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

std::string Error::ToString() const {
  return std::string(ErrorCodeName(code)) + ": " + message;
}

}  // namespace pactum
