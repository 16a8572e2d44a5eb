#include "http/request.h"

#include "http/url.h"

namespace pharos::http {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x += 'a' - 'A';
    if (y >= 'A' && y <= 'Z') y += 'a' - 'A';
    if (x != y) return false;
  }
  return true;
}

namespace {

std::string_view Find(const Pairs& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return v;
  }
  return {};
}

std::string_view FindIgnoreCase(const Pairs& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (EqualsIgnoreCase(k, key)) return v;
  }
  return {};
}

// The media type of a Content-Type value, lowercased, without parameters.
std::string MediaType(std::string_view ct) {
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  std::string out(ct);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
  }
  return out;
}

}  // namespace

std::string_view Request::Param(std::string_view key) const { return Find(params, key); }

bool Request::HasParam(std::string_view key) const {
  for (const auto& p : params) {
    if (p.first == key) return true;
  }
  return false;
}

std::vector<std::string_view> Request::Params(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : params) {
    if (k == key) out.push_back(v);
  }
  return out;
}

std::string_view Request::PathParam(std::string_view name) const { return Find(path_params, name); }

std::string_view Request::Header(std::string_view name) const { return FindIgnoreCase(headers, name); }

void Response::SetHeader(std::string_view name, std::string_view value) {
  for (auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) {
      v.assign(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

std::string_view Response::Header(std::string_view name) const { return FindIgnoreCase(headers, name); }

void Response::SetText(int code, std::string_view text) {
  status = code;
  SetHeader("Content-Type", "text/plain; charset=utf-8");
  body.assign(text);
}

void Response::SetError(int code, std::string_view message) {
  SetText(code, message);
  SetHeader("X-Content-Type-Options", "nosniff");
  body.push_back('\n');
}

void ParseFormParams(Request* req) {
  req->params.clear();
  if ((req->method == "POST" || req->method == "PUT" || req->method == "PATCH") &&
      MediaType(req->Header("Content-Type")) == "application/x-www-form-urlencoded") {
    ParseQueryString(req->body, &req->params);
  }
  ParseQueryString(req->raw_query, &req->params);
}

}  // namespace pharos::http
