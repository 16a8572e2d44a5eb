#include "http/server.h"

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/strings.h"
#include "http/internal/connection.h"
#include "http/internal/server_core.h"
#include "http/listen_address.h"

namespace pharos::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Strand = net::strand<net::io_context::executor_type>;
using Acceptor = net::basic_socket_acceptor<tcp, Strand>;

class Server::Impl {
 public:
  explicit Impl(ServerOptions o) : options_(std::move(o)) {}
  ~Impl() { Stop(absl::ZeroDuration()); }

  absl::Status Start();
  void Stop(absl::Duration grace);
  void Accept();

  ServerOptions options_;
  Router router_;
  // The io_context a new connection runs on: round robin over the threads'.
  net::io_context& NextContext();

  // Declared before the io_contexts: connections destroyed with them
  // unregister from the core.
  std::unique_ptr<internal::ServerCore> core_;
  // One io_context per I/O thread (ioc_ is the first and also runs the
  // acceptor). A connection stays on one context, so its handlers, and the
  // completion a worker posts back, wake only that context's thread; with
  // one context shared by all threads, every post also woke idle threads
  // (5 context switches per request on the I/O threads instead of 2).
  // Each context has a single thread, so a connection's handlers never run
  // concurrently and its socket needs no strand (one dispatch less per
  // completion).
  net::io_context ioc_{1};
  std::vector<std::unique_ptr<net::io_context>> more_ioc_;
  size_t next_ioc_ = 0;  // used on the accept strand only
  Strand accept_strand_{net::make_strand(ioc_)};
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::optional<Acceptor> acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool running_ = false;
};

absl::Status Server::Impl::Start() {
  if (running_) return absl::FailedPreconditionError("server already started");
  auto addr = ParseListenAddress(options_.listen_address);
  if (!addr.ok()) return addr.status();
  boost::system::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  if (addr->host.empty()) {
    endpoints.emplace_back(net::ip::address_v6::any(), addr->port);
    endpoints.emplace_back(net::ip::address_v4::any(), addr->port);
  } else {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(addr->host, std::to_string(addr->port), ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("listen tcp ", options_.listen_address, ": cannot resolve host: ", ec.message()));
    }
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  std::string last_error = "no address";
  for (const auto& ep : endpoints) {
    Acceptor acc(accept_strand_);
    acc.open(ep.protocol(), ec);
    if (!ec && ep.address().is_v6() && ep.address().is_unspecified()) {
      acc.set_option(net::ip::v6_only(false), ec);  // dual stack for ":port"
    }
    if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acc.bind(ep, ec);
    if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      last_error = ec.message();
      continue;
    }
    port_ = acc.local_endpoint().port();
    acceptor_.emplace(std::move(acc));
    break;
  }
  if (!acceptor_) {
    return absl::UnavailableError(absl::StrCat("listen tcp ", options_.listen_address, ": ", last_error));
  }
  core_ = std::make_unique<internal::ServerCore>(options_, &router_);
  core_->PrepareRoutes();
  core_->pool = std::make_unique<WorkerPool>(options_.worker_threads, options_.max_queued_requests);
  int n = options_.io_threads < 1 ? 1 : options_.io_threads;
  more_ioc_.clear();
  for (int i = 1; i < n; ++i) more_ioc_.push_back(std::make_unique<net::io_context>(1));
  work_.clear();
  work_.push_back(net::make_work_guard(ioc_));
  for (auto& c : more_ioc_) work_.push_back(net::make_work_guard(*c));
  running_ = true;
  net::post(accept_strand_, [this] { Accept(); });
  threads_.emplace_back([this] { ioc_.run(); });
  for (auto& c : more_ioc_) threads_.emplace_back([ctx = c.get()] { ctx->run(); });
  log::Info("http", "listening", {{"address", options_.listen_address}, {"port", port_}});
  return absl::OkStatus();
}

void Server::Impl::Accept() {
  if (!acceptor_ || !acceptor_->is_open() || core_->stopping.load()) return;
  if (core_->NumConnections() >= options_.max_connections) {
    // Pause until a connection closes, as Prometheus' limited listener does;
    // waiting clients stay in the kernel's backlog.
    core_->SetResumeAccept([this] { net::post(accept_strand_, [this] { Accept(); }); });
    return;
  }
  acceptor_->async_accept(NextContext().get_executor(), [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_->is_open()) return;
      log::Warn("http", "accept failed", {{"err", ec.message()}});
    } else {
      std::make_shared<internal::Connection>(std::move(socket), core_.get())->Start();
    }
    Accept();
  });
}

net::io_context& Server::Impl::NextContext() {
  size_t i = next_ioc_++ % (more_ioc_.size() + 1);
  return i == 0 ? ioc_ : *more_ioc_[i - 1];
}

void Server::Impl::Stop(absl::Duration grace) {
  if (!running_) return;
  running_ = false;
  core_->stopping.store(true);
  net::post(accept_strand_, [this] {
    boost::system::error_code ec;
    acceptor_->close(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(grace);
  for (auto& c : core_->Connections()) {
    c->PostShutdown(false);
  }
  if (!core_->WaitNoConnections(deadline)) {
    log::Warn("http", "closing connections still busy after the grace period",
              {{"connections", core_->NumConnections()}});
    for (auto& c : core_->Connections()) c->PostShutdown(true);
  }
  core_->pool->Stop();  // handlers see ClientGone() and finish
  core_->WaitNoConnections(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  work_.clear();
  ioc_.stop();
  for (auto& c : more_ioc_) c->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;
Router& Server::router() { return impl_->router_; }
absl::Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port_; }
void Server::Stop(absl::Duration grace) { impl_->Stop(grace); }

}  // namespace pharos::http
