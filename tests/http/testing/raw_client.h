// A minimal blocking HTTP/1.1 client over a plain socket to 127.0.0.1, for
// server tests that need control over bytes and timing (pipelining, slow
// clients, disconnects).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pharos::http::testing {

struct RawResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(std::string_view name) const;  // case-insensitive, "" when absent
};

class RawConn {
 public:
  explicit RawConn(uint16_t port);
  ~RawConn();
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool connected() const { return fd_ >= 0; }
  void Send(std::string_view bytes);
  // Reads one response (Content-Length framed; `head`: the answer to a HEAD
  // request, without body). False on EOF or timeout.
  bool Read(RawResponse* out, int timeout_ms = 5000, bool head = false);
  // True when the server closes the connection within the timeout.
  bool WaitClosed(int timeout_ms);
  void ShutdownWrite();
  void Close();

 private:
  bool Fill(int timeout_ms);  // reads more bytes into buf_; false on EOF/timeout
  int fd_ = -1;
  std::string buf_;
};

// One request on a fresh connection: "GET /path HTTP/1.1" with Host and the
// given extra header lines ("Name: value\r\n" each) and body.
RawResponse Fetch(uint16_t port, std::string_view method, std::string_view target, std::string_view extra_headers = "",
                  std::string_view body = "");

}  // namespace pharos::http::testing
