// Request and Response: what a route handler sees and fills.
//
// A Request is built by the server once the whole request has been read
// (bounded by ServerOptions' header and body limits). Parameters are decoded
// as Go's Request.ParseForm does: for POST, PUT and PATCH with an
// application/x-www-form-urlencoded body, the body's pairs come first, then
// the URL query's, so Param() (like Go's FormValue) prefers the body.
//
// Threading: a handler owns its Request and Response for its duration.
// ClientGone() may be polled from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pharos::http {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Set when the client closes its connection while its request is being
// handled; long handlers (queries) poll it and stop early.
using CancelFlag = std::shared_ptr<const std::atomic<bool>>;

struct Request {
  std::string method;      // "GET", "POST", …
  std::string target;      // as sent: "/api/v1/series?match[]=up"
  std::string path;        // percent-decoded path without the query
  std::string raw_query;   // the part after '?', undecoded
  Pairs params;            // decoded form (body first) then query pairs
  Pairs path_params;       // values of ":name" / "*name" route segments
  Pairs headers;           // names as sent; look up with Header()
  std::string body;
  std::string remote_address;  // "ip:port" of the peer
  std::string request_id;      // X-Request-ID (the client's or generated)
  CancelFlag cancel;           // never null for requests from the server

  // The first value of `key`, or "" (Go's FormValue).
  std::string_view Param(std::string_view key) const;
  bool HasParam(std::string_view key) const;
  // Every value of `key` in order ("match[]" may repeat).
  std::vector<std::string_view> Params(std::string_view key) const;
  std::string_view PathParam(std::string_view name) const;
  // Case-insensitive; the first value, or "".
  std::string_view Header(std::string_view name) const;
  bool ClientGone() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
};

struct Response {
  int status = 200;
  Pairs headers;
  std::string body;

  // Replaces any header of that name (case-insensitive).
  void SetHeader(std::string_view name, std::string_view value);
  std::string_view Header(std::string_view name) const;
  // status, "Content-Type: text/plain; charset=utf-8" and `text` as the body.
  void SetText(int code, std::string_view text);
  // Go's http.Error: text/plain, X-Content-Type-Options: nosniff, and the
  // message followed by a newline.
  void SetError(int code, std::string_view message);
};

// ASCII case-insensitive equality (header names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Fills `req->params` from its raw_query and, for POST/PUT/PATCH with a
// form-encoded body, from the body first.
void ParseFormParams(Request* req);

}  // namespace pharos::http
