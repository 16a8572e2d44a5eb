#include "http/testing/tls_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace pharos::http::testing {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

struct TlsServer::Impl {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::atomic<bool> stop{false};
};

TlsServer::TlsServer(const TestCerts& certs, bool require_client_cert) : impl_(std::make_unique<Impl>()) {
  impl_->ctx.use_certificate_chain_file(certs.server_cert);
  impl_->ctx.use_private_key_file(certs.server_key, ssl::context::pem);
  if (require_client_cert) {
    impl_->ctx.load_verify_file(certs.ca_cert);
    impl_->ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  tcp::endpoint ep(net::ip::address_v4::loopback(), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] {
    while (!impl_->stop) {
      boost::system::error_code ec;
      tcp::socket sock(impl_->ioc);
      impl_->acceptor.accept(sock, ec);
      if (ec || impl_->stop) continue;
      ssl::stream<tcp::socket> s(std::move(sock), impl_->ctx);
      s.handshake(ssl::stream_base::server, ec);
      if (ec) {
        ++failed_;
        continue;
      }
      net::streambuf buf;
      net::read_until(s, buf, "\r\n\r\n", ec);
      if (ec) continue;
      std::string who = "none";
      if (X509* peer = SSL_get_peer_certificate(s.native_handle())) {
        char cn[256] = {};
        X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
        who = cn;
        X509_free(peer);
      }
      std::string body = "tls-ok client=" + who;
      std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
      net::write(s, net::buffer(resp), ec);
      s.shutdown(ec);
    }
  });
}

TlsServer::~TlsServer() {
  impl_->stop = true;
  // Wake the blocking accept with a connection.
  boost::system::error_code ec;
  tcp::socket s(impl_->ioc);
  s.connect(tcp::endpoint(net::ip::address_v4::loopback(), port_), ec);
  thread_.join();
}

}  // namespace pharos::http::testing
