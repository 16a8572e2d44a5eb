#include "http/internal/connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <iterator>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common/log.h"
#include "http/url.h"

namespace pharos::http::internal {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

namespace {

// Bytes of pipelined requests buffered while a handler runs; past this the
// connection stops reading until the response is written.
constexpr size_t kMaxPipelinedBytes = 64 * 1024;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string_view ReasonFor(int status) {
  switch (status) {
    case 499: return "Client Closed Request";
    default: return {};
  }
}

}  // namespace

Connection::Connection(net::ip::tcp::socket&& socket, ServerCore* core)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), core_(core) {
  beast::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    remote_ = ep.address().is_v6() ? "[" + ep.address().to_string() + "]:" + std::to_string(ep.port())
                                   : ep.address().to_string() + ":" + std::to_string(ep.port());
  }
}

Connection::~Connection() {
  if (id_ != 0) core_->RemoveConnection(id_);
}

void Connection::Start() {
  id_ = core_->AddConnection(weak_from_this());
  net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void Connection::PostShutdown(bool force) {
  net::post(socket_.get_executor(), [self = shared_from_this(), force] { self->Shutdown(force); });
}

void Connection::Shutdown(bool force) {
  close_after_ = true;
  if (force) {
    if (gone_) gone_->store(true);
    Close();
    return;
  }
  if (handling_ && (hand_.fetch_or(kIoEvent, std::memory_order_acq_rel) & kWritten) != 0) {
    AfterWorkerWrite();  // closes: close_after_ is set
    return;
  }
  bool idle = !handling_ && !response_ready_ && buffer_.size() == 0 && (!parser_ || !parser_->got_some());
  if (idle) Close();
}

void Connection::ReadHeader() {
  if (closed_) return;
  if ((close_after_ || core_->stopping.load()) && buffer_.size() == 0) {
    Close();
    return;
  }
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(core_->options.max_header_bytes));
  parser_->body_limit(core_->options.max_body_bytes);
  SetDeadline(served_ == 0 ? core_->options.header_timeout : core_->options.idle_timeout);
  bhttp::async_read_header(socket_, buffer_, *parser_,
                           beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
}

namespace {

// steady_clock nanoseconds `d` from now, INT64_MAX when that overflows.
int64_t DeadlineIn(absl::Duration d) {
  int64_t ns = absl::ToInt64Nanoseconds(d);
  int64_t now = NowNs();
  return ns >= INT64_MAX - now ? INT64_MAX : now + ns;
}

}  // namespace

void Connection::SetDeadline(absl::Duration d) {
  int64_t at = DeadlineIn(d);
  deadline_ns_.store(at, std::memory_order_relaxed);
  if (at < timer_at_ns_) ArmTimer(at);
}

void Connection::ClearDeadline() { deadline_ns_.store(kNever, std::memory_order_relaxed); }

void Connection::ArmTimer(int64_t at_ns) {
  timer_at_ns_ = at_ns;
  timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(at_ns)));
  timer_.async_wait(beast::bind_front_handler(&Connection::OnTimer, shared_from_this()));
}

void Connection::OnTimer(beast::error_code ec) {
  if (ec || closed_) return;  // re-armed (the new wait is pending) or closed
  timer_at_ns_ = kNever;
  int64_t deadline = deadline_ns_.load(std::memory_order_relaxed);
  if (deadline == kNever) {
    // A handler runs; its worker may write the response and store the idle
    // deadline without telling this thread, so look again later.
    if (handling_) ArmTimer(DeadlineIn(core_->options.idle_timeout));
    return;  // otherwise the next SetDeadline arms it again
  }
  if (NowNs() >= deadline) {
    Close();  // the pending read or write completes with operation_aborted
    return;
  }
  ArmTimer(deadline);
}

void Connection::FailRead(beast::error_code ec) {
  if (ec == bhttp::error::header_limit) {
    core_->rejected->With({"header_too_large"})->Inc();
    RespondAndClose(431, "request header too large");
  } else if (ec == bhttp::error::body_limit) {
    core_->rejected->With({"body_too_large"})->Inc();
    RespondAndClose(413, "request body too large: the limit is " +
                             std::to_string(core_->options.max_body_bytes) + " bytes");
  } else if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
             ec == net::error::operation_aborted || ec == net::error::connection_reset || closed_) {
    Close();
  } else {
    core_->rejected->With({"bad_request"})->Inc();
    RespondAndClose(400, "Bad Request: " + ec.message());
  }
}

void Connection::OnHeader(beast::error_code ec, size_t) {
  if (ec) {
    FailRead(ec);
    return;
  }
  auto& msg = parser_->get();
  auto expect = msg[bhttp::field::expect];
  if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
    auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
    SetDeadline(core_->options.write_timeout);
    bhttp::async_write(socket_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
      if (wec) {
        self->Close();
        return;
      }
      self->ReadBody();
    });
    return;
  }
  ReadBody();
}

void Connection::ReadBody() {
  if (parser_->is_done()) {
    Dispatch();
    return;
  }
  SetDeadline(core_->options.read_timeout);
  bhttp::async_read(socket_, buffer_, *parser_, beast::bind_front_handler(&Connection::OnBody, shared_from_this()));
}

void Connection::OnBody(beast::error_code ec, size_t) {
  if (ec) {
    FailRead(ec);
    return;
  }
  Dispatch();
}

void Connection::Dispatch() {
  received_ = std::chrono::steady_clock::now();
  ClearDeadline();
  bhttp::request<bhttp::string_body> msg = parser_->release();
  parser_.reset();
  keep_alive_ = msg.keep_alive();
  auto req = std::make_shared<Request>();
  req->method = std::string(msg.method_string());
  head_request_ = req->method == "HEAD";
  req->target = std::string(msg.target());
  std::string_view target = req->target;
  size_t q = target.find('?');
  if (q != std::string_view::npos) req->raw_query = std::string(target.substr(q + 1));
  if (!PercentDecode(target.substr(0, q), false, &req->path)) {
    core_->rejected->With({"bad_request"})->Inc();
    RespondAndClose(400, "Bad Request: invalid URL escape in path");
    return;
  }
  for (const auto& f : msg) req->headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  req->body = std::move(msg.body());
  req->remote_address = remote_;
  gone_ = std::make_shared<std::atomic<bool>>(false);
  req->cancel = gone_;
  ParseFormParams(req.get());

  auto match = std::make_shared<Router::Match>(core_->router->Find(req->method, req->path));
  req->path_params = std::move(match->params);
  if (match->route == nullptr || match->route->options.run_inline) {
    Response res;
    Serve(*core_, *match, *req, res, received_);
    Finish(std::move(res));
    return;
  }
  handling_ = true;
  // Bytes of a pipelined request already buffered: the worker must hand back.
  hand_.store(buffer_.size() > 0 ? kIoEvent : 0, std::memory_order_relaxed);
  auto received = received_;
  bool queued = core_->pool->TrySubmit([self = shared_from_this(), req, match, received, keep_alive = keep_alive_] {
    Response res;
    Serve(*self->core_, *match, *req, res, received);
    self->Complete(std::move(res), keep_alive);
  });
  if (!queued) {
    handling_ = false;
    core_->rejected->With({"queue_full"})->Inc();
    Response res;
    res.SetError(503, "server overloaded: too many requests queued");
    Finish(std::move(res));
    return;
  }
  Watch();
}

void Connection::Watch() {
  if (closed_ || buffer_.size() >= kMaxPipelinedBytes) return;
  watching_ = true;
  socket_.async_read_some(buffer_.prepare(4096), beast::bind_front_handler(&Connection::OnWatch, shared_from_this()));
}

void Connection::OnWatch(beast::error_code ec, size_t n) {
  watching_ = false;
  if (!ec) {
    buffer_.commit(n);
  } else if (ec != net::error::operation_aborted) {
    // The client closed or reset its side: cancel the handler, and write no
    // more than this response.
    if (gone_) gone_->store(true);
    keep_alive_ = false;
  }
  if (closed_) return;
  if (resume_after_watch_) {
    resume_after_watch_ = false;
    ReadHeader();
  } else if (response_ready_) {
    Write();
  } else if (handling_ && ec != net::error::operation_aborted &&
             (hand_.fetch_or(kIoEvent, std::memory_order_acq_rel) & kWritten) != 0) {
    AfterWorkerWrite();  // the usual way: the next request's bytes arrived
  } else if (!ec) {
    Watch();
  }
}

void Connection::Complete(Response res, bool keep_alive) {
  if (!keep_alive || (hand_.load(std::memory_order_acquire) & kIoEvent) != 0 || close_after_.load() ||
      core_->stopping.load()) {
    net::post(socket_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
      self->Finish(std::move(res));
    });
    return;
  }
  Build(std::move(res), true);
  sr_.emplace(res_);
  bool sent = false;
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    if (!fd_closed_) sent = SendNow();
  }
  if (!sent) {  // the socket is full (or failed): the I/O thread writes the rest
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      self->handling_ = false;
      self->ResponseReady();
    });
    return;
  }
  sr_.reset();
  deadline_ns_.store(DeadlineIn(core_->options.idle_timeout), std::memory_order_relaxed);
  if ((hand_.fetch_or(kWritten, std::memory_order_acq_rel) & kIoEvent) == 0) return;
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->AfterWorkerWrite(); });
}

bool Connection::SendNow() {
  int fd = socket_.native_handle();
  beast::error_code ec;
  while (!sr_->is_done()) {
    ssize_t sent = -1;
    sr_->next(ec, [&](beast::error_code&, const auto& buffers) {
      iovec iov[16];
      size_t k = 0;
      for (auto b : beast::buffers_range_ref(buffers)) {
        if (k == std::size(iov)) break;
        iov[k++] = {const_cast<void*>(b.data()), b.size()};
      }
      msghdr m{};
      m.msg_iov = iov;
      m.msg_iovlen = k;
      do {
        sent = ::sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
      } while (sent < 0 && errno == EINTR);
    });
    if (ec || sent < 0) return false;
    sr_->consume(static_cast<size_t>(sent));
  }
  return true;
}

void Connection::AfterWorkerWrite() {
  handling_ = false;
  hand_.store(0, std::memory_order_relaxed);
  if (closed_) return;
  ++served_;
  if (!keep_alive_ || close_after_ || core_->stopping.load()) {
    beast::error_code ignored;
    socket_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    Close();
    return;
  }
  if (watching_) {  // posted: a pipelined request is (being) read by the watch
    resume_after_watch_ = true;
    beast::error_code ec;
    socket_.cancel(ec);
    return;
  }
  ReadHeader();
}

void Connection::Finish(Response res) {
  handling_ = false;
  if (closed_) return;
  Build(std::move(res), keep_alive_ && !close_after_ && !core_->stopping.load());
  ResponseReady();
}

void Connection::Build(Response res, bool keep_alive) {
  res_ = {};
  res_.version(11);
  if (res.status < 100 || res.status > 999) {
    log::Error("http", "handler set an invalid status code", {{"status", res.status}});
    res = Response();
    res.SetError(500, "internal server error");
  }
  res_.result(static_cast<unsigned>(res.status));
  if (auto reason = ReasonFor(res.status); !reason.empty()) res_.reason(boost::beast::string_view(reason.data(), reason.size()));
  for (auto& [k, v] : res.headers) res_.insert(k, v);
  if (res.status == 204 || res.status == 304 || res.status < 200) {
    res.body.clear();
  }
  res_.body() = std::move(res.body);
  res_.keep_alive(keep_alive);
  res_.prepare_payload();
  if (head_request_) res_.body().clear();
}

void Connection::ResponseReady() {
  if (closed_) return;
  response_ready_ = true;
  if (watching_) {
    beast::error_code ec;
    socket_.cancel(ec);  // OnWatch writes once the read completes
    return;
  }
  Write();
}

void Connection::Write() {
  SetDeadline(core_->options.write_timeout);
  auto done = beast::bind_front_handler(&Connection::OnWrite, shared_from_this(), !res_.keep_alive());
  if (sr_) {
    bhttp::async_write(socket_, *sr_, std::move(done));
  } else {
    bhttp::async_write(socket_, res_, std::move(done));
  }
}

void Connection::OnWrite(bool close, beast::error_code ec, size_t) {
  response_ready_ = false;
  sr_.reset();
  ++served_;
  if (ec || close) {
    beast::error_code ignored;
    socket_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    Close();
    return;
  }
  ReadHeader();
}

void Connection::RespondAndClose(int status, std::string_view message) {
  keep_alive_ = false;
  Response res;
  res.SetError(status, message);
  Finish(std::move(res));
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  if (gone_) gone_->store(true);
  beast::error_code ec;
  std::lock_guard<std::mutex> lock(write_mu_);
  fd_closed_ = true;
  socket_.shutdown(net::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  timer_.cancel();  // its wait holds a reference to the connection
}

}  // namespace pharos::http::internal
