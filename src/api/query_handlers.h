// The PromQL endpoints of the Prometheus API, answered by promql::Engine:
//
//   GET|POST /api/v1/query        query, time, timeout
//   GET|POST /api/v1/query_range  query, start, end, step, timeout
//   GET|POST /api/v1/format_query query
//   GET|POST /api/v1/query_exemplars query, start, end (no exemplars are stored: [])
//
// Answers are Prometheus 2.53's JSON (resultType vector/matrix/scalar/string,
// values as strings, timestamps as seconds with milliseconds) and its errors:
// bad_data 400 for bad parameters and parse errors, execution 422 for
// evaluation errors, timeout 503, canceled 499 when the client went away.
// At most ApiOptions::query_max_concurrency queries evaluate at once; the
// others wait for a slot (until their timeout).
#pragma once

#include "api/api.h"
#include "http/router.h"

namespace pharos::api {

void RegisterQueryRoutes(const Api& api, http::Router& router);

}  // namespace pharos::api
