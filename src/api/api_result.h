// The Prometheus API's answer envelope and error types.
//
//   {"status":"success","data":…,"warnings":[…],"infos":[…]}
//   {"status":"error","errorType":"bad_data","error":"…"}
//
// An ApiFunc writes its "data" value with the JsonWriter it is given (into
// the response body directly, so large answers are not copied) and returns
// an ApiResult: an error (the data written is then discarded), warnings, or
// nothing written at all, which answers 204 No Content.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/json_writer.h"
#include "http/request.h"

namespace pharos::api {

enum class ErrorType { kTimeout, kCanceled, kExecution, kBadData, kInternal, kUnavailable, kNotFound };

std::string_view ErrorTypeName(ErrorType t);  // "timeout", "canceled", "execution", "bad_data", …
// As Prometheus' respondError maps them: bad_data 400, execution 422,
// canceled 499, timeout 503, internal 500, not_found 404, and 500 for any
// other type (unavailable included).
int HttpStatusFor(ErrorType t);

struct ApiError {
  ErrorType type;
  std::string message;
};

struct ApiResult {
  std::optional<ApiError> error;
  std::vector<std::string> warnings;
  std::vector<std::string> infos;

  static ApiResult Ok() { return {}; }
  static ApiResult Error(ErrorType t, std::string message) { return {ApiError{t, std::move(message)}, {}, {}}; }
  static ApiResult BadData(std::string message) { return Error(ErrorType::kBadData, std::move(message)); }
};

// The error type for a storage or engine status: Cancelled → canceled,
// DeadlineExceeded → timeout, InvalidArgument → bad_data, NotFound →
// not_found, Unavailable → unavailable, anything else → `fallback`.
ErrorType ErrorTypeFor(const absl::Status& s, ErrorType fallback);

using ApiFunc = std::function<ApiResult(const http::Request& req, JsonWriter& data)>;

// Writes the error envelope into `res` (status code, JSON body).
void WriteApiError(const ApiError& e, http::Response* res);

}  // namespace pharos::api
