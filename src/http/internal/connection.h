// One accepted HTTP/1.1 connection (internal to the server).
//
// All member functions run on the connection's I/O thread (each I/O thread
// runs its own io_context, so no strand is needed), except the handler task,
// which runs on a worker and posts its Response back to the I/O thread.
// States: reading a request → handling it (while watching the socket for the
// client going away) → writing the response → reading the next one.
//
// Timeouts: one timer per connection and a deadline that each state moves
// (a store, no timer operation); the timer re-arms itself when it fires
// before the deadline, so a keep-alive request costs no timer system call.
#pragma once

#include <atomic>
#include <cstdint>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/time/time.h"
#include "http/internal/server_core.h"

namespace pharos::http::internal {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket&& socket, ServerCore* core);
  ~Connection();

  // Starts reading; call once after construction (registers the connection).
  void Start();
  // Called by Server::Stop from any thread (runs on the strand): closes an
  // idle connection, makes a busy one close after its response; `force` also
  // cancels the running handler and closes.
  void PostShutdown(bool force);

 private:
  void Shutdown(bool force);
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec, size_t n);
  void ReadBody();
  void OnBody(boost::beast::error_code ec, size_t n);
  void Dispatch();
  void Watch();
  void OnWatch(boost::beast::error_code ec, size_t n);
  void Finish(Response res);
  void Write();
  void OnWrite(bool close, boost::beast::error_code ec, size_t n);
  void FailRead(boost::beast::error_code ec);
  // Sets the deadline to now + d (re-arming the timer only when it would
  // fire after the new deadline), or to none.
  void SetDeadline(absl::Duration d);
  void ClearDeadline();
  void ArmTimer(int64_t at_ns);
  void OnTimer(boost::beast::error_code ec);
  void RespondAndClose(int status, std::string_view message);
  void Close();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  static constexpr int64_t kNever = INT64_MAX;
  int64_t deadline_ns_ = kNever;  // steady_clock; kNever while a handler runs
  int64_t timer_at_ns_ = kNever;  // when the pending timer wait fires
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> res_;
  ServerCore* core_;
  uint64_t id_ = 0;
  std::string remote_;
  std::shared_ptr<std::atomic<bool>> gone_;
  std::chrono::steady_clock::time_point received_;
  int served_ = 0;
  bool handling_ = false;        // a handler is running for this connection
  bool watching_ = false;        // a watch read is pending
  bool response_ready_ = false;  // res_ holds a response to write
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool close_after_ = false;     // set by Shutdown
  bool closed_ = false;
};

}  // namespace pharos::http::internal
