// HttpRecorder: an HTTP/1.1 server on 127.0.0.1 (ephemeral port) that
// records every request and answers with a configurable reply: a status and
// body, a delay (to play a receiver that hangs), garbage bytes, or a closed
// connection. For the notifier tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace pharos::am::testing {

class HttpRecorder {
 public:
  struct Request {
    std::string method, path;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string Header(std::string_view name) const;  // "" when absent
  };
  struct Reply {
    int status = 200;
    std::string body = "ok";
    absl::Duration delay = absl::ZeroDuration();
    bool garbage = false;       // answer bytes that are not HTTP
    bool close_silently = false;  // close the connection without an answer
  };

  HttpRecorder();
  ~HttpRecorder();
  HttpRecorder(const HttpRecorder&) = delete;
  HttpRecorder& operator=(const HttpRecorder&) = delete;

  uint16_t port() const { return port_; }
  std::string Url(std::string_view path) const;
  void SetReply(Reply r);
  std::vector<Request> requests();

 private:
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  absl::Mutex mu_;
  Reply reply_ ABSL_GUARDED_BY(mu_);
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pharos::am::testing
