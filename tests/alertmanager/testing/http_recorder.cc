#include "alertmanager/testing/http_recorder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace pharos::am::testing {

std::string HttpRecorder::Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, AV(name))) return v;
  }
  return "";
}

HttpRecorder::HttpRecorder() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 16) != 0) std::abort();
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpRecorder::~HttpRecorder() {
  stop_ = true;
  acceptor_.join();
  close(listen_fd_);
  std::vector<std::thread> workers;
  {
    absl::MutexLock l(&mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

std::string HttpRecorder::Url(std::string_view path) const {
  return absl::StrCat("http://127.0.0.1:", port_, AV(path));
}

void HttpRecorder::SetReply(Reply r) {
  absl::MutexLock l(&mu_);
  reply_ = std::move(r);
}

std::vector<HttpRecorder::Request> HttpRecorder::requests() {
  absl::MutexLock l(&mu_);
  return requests_;
}

void HttpRecorder::AcceptLoop() {
  while (!stop_) {
    pollfd p = {listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    absl::MutexLock l(&mu_);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HttpRecorder::Serve(int fd) {
  std::string buf;
  auto fill = [&]() -> bool {
    while (!stop_) {
      pollfd p = {fd, POLLIN, 0};
      int r = poll(&p, 1, 50);
      if (r == 0) continue;
      if (r < 0) return false;
      char tmp[8192];
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
      return true;
    }
    return false;
  };
  while (!stop_) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) {
        close(fd);
        return;
      }
    }
    Request req;
    std::vector<std::string> lines = absl::StrSplit(buf.substr(0, end), "\r\n");
    std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
    req.method = first[0];
    req.path = first.size() > 1 ? first[1] : "";
    size_t content_length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      size_t c = lines[i].find(':');
      if (c == std::string::npos) continue;
      std::string k = lines[i].substr(0, c);
      std::string v(absl::StripAsciiWhitespace(lines[i].substr(c + 1)));
      if (absl::EqualsIgnoreCase(k, "Content-Length")) (void)absl::SimpleAtoi(v, &content_length);
      req.headers.emplace_back(k, v);
    }
    buf.erase(0, end + 4);
    while (buf.size() < content_length) {
      if (!fill()) {
        close(fd);
        return;
      }
    }
    req.body = buf.substr(0, content_length);
    buf.erase(0, content_length);
    Reply reply;
    {
      absl::MutexLock l(&mu_);
      requests_.push_back(req);
      reply = reply_;
    }
    for (absl::Time until = absl::Now() + reply.delay; !stop_ && absl::Now() < until;) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    std::string out;
    if (reply.close_silently) {
      close(fd);
      return;
    }
    if (reply.garbage) {
      out = "\x01\x02 this is not HTTP\r\n\r\n";
    } else {
      out = absl::StrCat("HTTP/1.1 ", reply.status, " Status\r\nContent-Type: text/plain\r\nContent-Length: ",
                         reply.body.size(), "\r\n\r\n", reply.body);
    }
    (void)send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (reply.garbage) {
      close(fd);
      return;
    }
  }
  close(fd);
}

}  // namespace pharos::am::testing
