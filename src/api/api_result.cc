#include "api/api_result.h"

namespace pharos::api {

std::string_view ErrorTypeName(ErrorType t) {
  switch (t) {
    case ErrorType::kTimeout: return "timeout";
    case ErrorType::kCanceled: return "canceled";
    case ErrorType::kExecution: return "execution";
    case ErrorType::kBadData: return "bad_data";
    case ErrorType::kInternal: return "internal";
    case ErrorType::kUnavailable: return "unavailable";
    case ErrorType::kNotFound: return "not_found";
  }
  return "internal";
}

int HttpStatusFor(ErrorType t) {
  switch (t) {
    case ErrorType::kBadData: return 400;
    case ErrorType::kExecution: return 422;
    case ErrorType::kCanceled: return 499;
    case ErrorType::kTimeout: return 503;
    case ErrorType::kInternal: return 500;
    case ErrorType::kNotFound: return 404;
    case ErrorType::kUnavailable: return 500;
  }
  return 500;
}

ErrorType ErrorTypeFor(const absl::Status& s, ErrorType fallback) {
  switch (s.code()) {
    case absl::StatusCode::kCancelled: return ErrorType::kCanceled;
    case absl::StatusCode::kDeadlineExceeded: return ErrorType::kTimeout;
    case absl::StatusCode::kInvalidArgument: return ErrorType::kBadData;
    case absl::StatusCode::kNotFound: return ErrorType::kNotFound;
    case absl::StatusCode::kUnavailable: return ErrorType::kUnavailable;
    default: return fallback;
  }
}

void WriteApiError(const ApiError& e, http::Response* res) {
  res->status = HttpStatusFor(e.type);
  res->SetHeader("Content-Type", "application/json");
  res->body.clear();
  JsonWriter w(&res->body);
  w.BeginObject();
  w.Key("status").String("error");
  w.Key("errorType").String(ErrorTypeName(e.type));
  w.Key("error").String(e.message);
  w.EndObject();
}

}  // namespace pharos::api
