#include "http/testing/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace pharos::http::testing {
namespace {

bool IEq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

std::string RawResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (IEq(k, name)) return v;
  }
  return "";
}

RawConn::RawConn(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

RawConn::~RawConn() { Close(); }

void RawConn::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void RawConn::ShutdownWrite() { shutdown(fd_, SHUT_WR); }

void RawConn::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

bool RawConn::Fill(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char tmp[65536];
  ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

bool RawConn::Read(RawResponse* out, int timeout_ms, bool head_request) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto left = [&] {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
  };
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (left() <= 0 || !Fill(left())) return false;
  }
  *out = RawResponse();
  std::string_view head(buf_.data(), end);
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  out->status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  if (status_line.size() > 13) out->reason = std::string(status_line.substr(13));
  std::string_view rest = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
  size_t content_length = 0;
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view line = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    size_t colon = line.find(':');
    std::string k(line.substr(0, colon));
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (IEq(k, "Content-Length")) content_length = std::strtoull(std::string(v).c_str(), nullptr, 10);
    out->headers.emplace_back(k, std::string(v));
  }
  size_t body_start = end + 4;
  // Responses without a body: HEAD is handled by the caller via the
  // Content-Length header, 204 has none.
  if (head_request || out->status == 204 || out->status == 304 || out->status < 200) content_length = 0;
  while (buf_.size() < body_start + content_length) {
    if (left() <= 0 || !Fill(left())) return false;
  }
  out->body = buf_.substr(body_start, content_length);
  buf_.erase(0, body_start + content_length);
  return true;
}

bool RawConn::WaitClosed(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) return false;
    char tmp[4096];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return true;
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

RawResponse Fetch(uint16_t port, std::string_view method, std::string_view target, std::string_view extra_headers,
                  std::string_view body) {
  RawConn c(port);
  std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    std::string(extra_headers);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req += body;
  c.Send(req);
  RawResponse r;
  if (!c.Read(&r, 5000, method == "HEAD")) r.status = -1;
  return r;
}

}  // namespace pharos::http::testing
