// One accepted HTTP/1.1 connection (internal to the server).
//
// All member functions run on the connection's I/O thread (each I/O thread
// runs its own io_context, so no strand is needed), except the handler task
// and Complete(), which run on a worker.
//
// The worker writes a keep-alive response itself when the socket takes it
// whole (non-blocking sendmsg) and the I/O thread has seen nothing since the
// dispatch; it then hands nothing back: the watch read that is pending on
// the I/O thread turns into the next request's read. Otherwise (a closing
// response, a full socket buffer, pipelined bytes, the client going away, a
// shutdown) it posts the response or the rest of it to the I/O thread. The
// two sides meet in `hand_`: the I/O thread sets kIoEvent when it saw
// something while a handler ran, the worker sets kWritten once its write is
// complete; whoever sets its bit second carries on.
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
#include <mutex>
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
  // On the worker: writes the handler's response or posts it (see above).
  void Complete(Response res, bool keep_alive);
  // Fills res_ from the handler's response.
  void Build(Response res, bool keep_alive);
  // On the worker, with write_mu_ held: sends what sr_ has left without
  // blocking; true when all of it went out.
  bool SendNow();
  // I/O thread: res_ is ready to be written (the rest of sr_ when set).
  void ResponseReady();
  // I/O thread: the worker has written the whole response.
  void AfterWorkerWrite();
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
  // steady_clock; kNever while a handler runs (the worker stores the idle
  // deadline after writing the response itself).
  std::atomic<int64_t> deadline_ns_{kNever};
  int64_t timer_at_ns_ = kNever;  // when the pending timer wait fires
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> res_;
  // Set while a worker's partial write hands the rest to the I/O thread.
  std::optional<boost::beast::http::serializer<false, boost::beast::http::string_body>> sr_;
  static constexpr uint8_t kIoEvent = 1, kWritten = 2;
  std::atomic<uint8_t> hand_{0};
  std::mutex write_mu_;     // the worker's write against Close()
  bool fd_closed_ = false;  // guarded by write_mu_
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
  bool resume_after_watch_ = false;  // the watch read's end starts the next request
  std::atomic<bool> close_after_{false};  // set by Shutdown, read by workers
  bool closed_ = false;
};

}  // namespace pharos::http::internal
