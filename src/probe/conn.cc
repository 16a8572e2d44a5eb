#include "probe/conn.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace pharos::probe {
namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

int RemainingMs(absl::Time deadline) {
  absl::Duration d = deadline - absl::Now();
  if (d <= absl::ZeroDuration()) return 0;
  int64_t ms = absl::ToInt64Milliseconds(d);
  return ms > 1'000'000 ? 1'000'000 : static_cast<int>(ms == 0 ? 1 : ms);
}

double Asn1ToUnix(const ASN1_TIME* t) {
  struct tm tm;
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<double>(timegm(&tm));
}

std::string NameString(X509_NAME* n) {
  if (n == nullptr) return "";
  BIO* b = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(b, &data);
  std::string s(data, len);
  BIO_free(b);
  return s;
}

std::string SubjectAltNames(X509* cert) {
  std::string out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type == GEN_DNS) {
      const unsigned char* s = ASN1_STRING_get0_data(g->d.dNSName);
      if (!out.empty()) out += ',';
      out.append(reinterpret_cast<const char*>(s), ASN1_STRING_length(g->d.dNSName));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

std::unique_ptr<Conn> DialTarget(std::string_view target, std::string_view what, absl::Time deadline,
                                 ProbeResult* result, std::string* host, absl::Time* dial_start) {
  uint16_t port = 0;
  if (absl::Status s = SplitHostPort(target, host, &port); !s.ok()) {
    result->Fail(SV(s.message()));
    return nullptr;
  }
  auto addr = ResolveTarget(*host, "ip4", true, result);
  if (!addr.ok()) return nullptr;
  *dial_start = absl::Now();
  auto conn = Conn::Dial(*addr, port, deadline);
  if (!conn.ok()) {
    result->Fail(absl::StrCat("Error connecting to ", AV(what), ": ", conn.status().message()));
    return nullptr;
  }
  return *std::move(conn);
}

absl::Status SplitHostPort(std::string_view target, std::string* host, uint16_t* port) {
  size_t colon;
  if (target.starts_with("[")) {
    size_t close = target.find(']');
    if (close == std::string_view::npos || close + 1 >= target.size() || target[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat("target ", AV(target), ": want [host]:port"));
    }
    *host = std::string(target.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = target.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return absl::InvalidArgumentError(absl::StrCat("target ", AV(target), ": missing port (want host:port)"));
    }
    *host = std::string(target.substr(0, colon));
    if (host->find(':') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("target ", AV(target), ": IPv6 addresses need brackets"));
    }
  }
  std::string_view p = target.substr(colon + 1);
  uint32_t v = 0;
  if (p.empty() || p.size() > 5) return absl::InvalidArgumentError(absl::StrCat("target ", AV(target), ": bad port"));
  for (char c : p) {
    if (c < '0' || c > '9') return absl::InvalidArgumentError(absl::StrCat("target ", AV(target), ": bad port"));
    v = v * 10 + (c - '0');
  }
  if (v == 0 || v > 65535) return absl::InvalidArgumentError(absl::StrCat("target ", AV(target), ": bad port"));
  *port = static_cast<uint16_t>(v);
  return absl::OkStatus();
}

absl::StatusOr<Resolved> ResolveTarget(std::string_view host, std::string_view preferred, bool fallback,
                                       ProbeResult* result) {
  absl::Time start = absl::Now();
  result->Info(absl::StrCat("Resolving target address target=", AV(host), " ip_protocol=", AV(preferred)));
  const int want = preferred == "ip4" ? AF_INET : AF_INET6;
  const int other = want == AF_INET ? AF_INET6 : AF_INET;
  std::string h(host);
  Resolved out;
  for (int family : {want, other}) {
    if (family == other && !fallback) break;
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(h.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) continue;
    char buf[INET6_ADDRSTRLEN] = {0};
    if (res->ai_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr, buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr, buf, sizeof buf);
    }
    out.family = res->ai_family;
    out.ip = buf;
    freeaddrinfo(res);
    break;
  }
  out.lookup_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  result->Set("probe_dns_lookup_time_seconds", out.lookup_seconds);
  if (out.ip.empty()) {
    std::string why = fallback ? absl::StrCat("unable to resolve ", AV(host))
                               : absl::StrCat("unable to find an ", AV(preferred), " address for ", AV(host),
                                              " and ip_protocol_fallback is false");
    result->Fail(absl::StrCat("Resolution with IP protocol failed: ", why));
    return absl::UnavailableError(why);
  }
  result->Set("probe_ip_protocol", out.family == AF_INET ? 4 : 6);
  result->Set("probe_ip_addr_hash", IpAddrHash(out.ip));
  result->Info(absl::StrCat("Resolved target address target=", AV(host), " ip=", out.ip));
  return out;
}

TlsInfo TlsInfoFromSsl(SSL* ssl) {
  TlsInfo t;
  t.present = true;
  const char* v = SSL_get_version(ssl);  // "TLSv1.3"
  std::string ver = v ? v : "";
  if (ver.starts_with("TLSv")) ver = absl::StrCat("TLS ", ver.substr(4));
  t.version = ver;
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    double e = Asn1ToUnix(X509_get0_notAfter(sk_X509_value(chain, i)));
    if (t.earliest_expiry == 0 || e < t.earliest_expiry) t.earliest_expiry = e;
  }
  STACK_OF(X509)* verified = SSL_get0_verified_chain(ssl);
  STACK_OF(X509)* last = verified != nullptr && sk_X509_num(verified) > 0 ? verified : chain;
  for (int i = 0; last != nullptr && i < sk_X509_num(last); ++i) {
    double e = Asn1ToUnix(X509_get0_notAfter(sk_X509_value(last, i)));
    if (t.last_chain_expiry == 0 || e < t.last_chain_expiry) t.last_chain_expiry = e;
  }
  X509* leaf = SSL_get1_peer_certificate(ssl);
  if (leaf != nullptr) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    X509_digest(leaf, EVP_sha256(), md, &n);
    t.fingerprint_sha256 = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(md), n));
    t.subject = NameString(X509_get_subject_name(leaf));
    t.issuer = NameString(X509_get_issuer_name(leaf));
    t.subjectalternative = SubjectAltNames(leaf);
    X509_free(leaf);
  }
  return t;
}

void ReportTls(const TlsInfo& t, ProbeResult* r) {
  if (!t.present) return;
  r->Set("probe_ssl_earliest_cert_expiry", t.earliest_expiry);
  r->Set("probe_ssl_last_chain_expiry_timestamp_seconds", t.last_chain_expiry);
  r->Set("probe_ssl_last_chain_info", 1,
         {{"fingerprint_sha256", t.fingerprint_sha256},
          {"issuer", t.issuer},
          {"subject", t.subject},
          {"subjectalternative", t.subjectalternative}});
  r->Set("probe_tls_version_info", 1, {{"version", t.version}});
}

absl::StatusOr<std::unique_ptr<Conn>> Conn::Dial(const Resolved& addr, uint16_t port, absl::Time deadline) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (addr.family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, addr.ip.c_str(), &a->sin_addr);
    len = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, addr.ip.c_str(), &a->sin6_addr);
    len = sizeof(sockaddr_in6);
  }
  int fd = socket(addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("socket: ", strerror(errno)));
  std::unique_ptr<Conn> c(new Conn(fd));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string where = addr.family == AF_INET6 ? absl::StrCat("[", addr.ip, "]:", port) : absl::StrCat(addr.ip, ":", port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) return absl::UnavailableError(absl::StrCat("dial tcp ", where, ": ", strerror(errno)));
    absl::Status s = c->WaitFd(true, deadline);
    if (!s.ok()) return absl::DeadlineExceededError(absl::StrCat("dial tcp ", where, ": i/o timeout"));
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err != 0) return absl::UnavailableError(absl::StrCat("dial tcp ", where, ": ", strerror(err)));
  }
  return c;
}

Conn::~Conn() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
  if (fd_ >= 0) close(fd_);
}

absl::Status Conn::WaitFd(bool for_write, absl::Time deadline) {
  while (true) {
    int ms = RemainingMs(deadline);
    if (ms == 0) return absl::DeadlineExceededError("i/o timeout");
    pollfd p{fd_, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    int n = poll(&p, 1, ms);
    if (n > 0) return absl::OkStatus();
    if (n < 0 && errno != EINTR) return absl::UnavailableError(absl::StrCat("poll: ", strerror(errno)));
  }
}

absl::Status Conn::StartTls(const config::TlsConfig& tls, std::string_view host, absl::Time deadline) {
  if (ssl_ != nullptr) return absl::FailedPreconditionError("the connection already uses TLS");
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return absl::InternalError(OpenSslError());
  ctx_ = ctx;
  int min = TLS1_2_VERSION;
  if (tls.min_version == "TLS10") min = TLS1_VERSION;
  if (tls.min_version == "TLS11") min = TLS1_1_VERSION;
  if (tls.min_version == "TLS13") min = TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(ctx, min);
  if (tls.max_version == "TLS12") SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  if (!tls.insecure_skip_verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!tls.ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(ctx, tls.ca_file.c_str(), nullptr) != 1) {
        return absl::InvalidArgumentError(absl::StrCat("unable to load CA file ", tls.ca_file, ": ", OpenSslError()));
      }
    } else if (!tls.ca.empty()) {
      BIO* b = BIO_new_mem_buf(tls.ca.data(), static_cast<int>(tls.ca.size()));
      X509_STORE* store = SSL_CTX_get_cert_store(ctx);
      while (X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, x);
        X509_free(x);
      }
      ERR_clear_error();
      BIO_free(b);
    } else {
      SSL_CTX_set_default_verify_paths(ctx);
    }
  }
  if (!tls.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("unable to load client certificate: ", OpenSslError()));
    }
  }
  ssl_ = SSL_new(ctx);
  SSL_set_fd(ssl_, fd_);
  std::string name = tls.server_name.empty() ? std::string(host) : tls.server_name;
  in6_addr ip6;
  in_addr ip4;
  bool is_ip = inet_pton(AF_INET, name.c_str(), &ip4) == 1 || inet_pton(AF_INET6, name.c_str(), &ip6) == 1;
  if (!is_ip) SSL_set_tlsext_host_name(ssl_, name.c_str());
  if (!tls.insecure_skip_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    }
  }
  while (true) {
    ERR_clear_error();
    int r = SSL_connect(ssl_);
    if (r == 1) break;
    int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (!WaitFd(e == SSL_ERROR_WANT_WRITE, deadline).ok()) {
        return absl::DeadlineExceededError("TLS handshake: i/o timeout");
      }
      continue;
    }
    long vr = SSL_get_verify_result(ssl_);
    if (vr != X509_V_OK) {
      return absl::UnavailableError(absl::StrCat("TLS handshake: certificate verify failed: ",
                                                 X509_verify_cert_error_string(vr)));
    }
    return absl::UnavailableError(absl::StrCat("TLS handshake: ", OpenSslError()));
  }
  tls_info_ = TlsInfoFromSsl(ssl_);
  return absl::OkStatus();
}

absl::Status Conn::Write(std::string_view data, absl::Time deadline) {
  size_t off = 0;
  while (off < data.size()) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      int n = SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off));
      if (n > 0) {
        off += n;
        continue;
      }
      int e = SSL_get_error(ssl_, n);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        RETURN_IF_ERROR(WaitFd(e == SSL_ERROR_WANT_WRITE, deadline));
        continue;
      }
      return absl::UnavailableError(absl::StrCat("write: ", OpenSslError()));
    }
    ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += n;
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      RETURN_IF_ERROR(WaitFd(true, deadline));
    } else {
      return absl::UnavailableError(absl::StrCat("write: ", strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::Status Conn::Fill(absl::Time deadline) {
  if (rpos_ > 0 && rpos_ == rbuf_.size()) {
    rbuf_.clear();
    rpos_ = 0;
  }
  char buf[16384];
  while (true) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n > 0) {
        rbuf_.append(buf, n);
        return absl::OkStatus();
      }
      int e = SSL_get_error(ssl_, n);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        RETURN_IF_ERROR(WaitFd(e == SSL_ERROR_WANT_WRITE, deadline));
        continue;
      }
      if (e == SSL_ERROR_ZERO_RETURN) return absl::OutOfRangeError("EOF");
      return absl::UnavailableError(absl::StrCat("read: ", OpenSslError()));
    }
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      rbuf_.append(buf, n);
      return absl::OkStatus();
    }
    if (n == 0) return absl::OutOfRangeError("EOF");
    if (errno == EAGAIN || errno == EINTR) {
      RETURN_IF_ERROR(WaitFd(false, deadline));
      continue;
    }
    return absl::UnavailableError(absl::StrCat("read: ", strerror(errno)));
  }
}

absl::StatusOr<std::string> Conn::ReadLine(absl::Time deadline, size_t max) {
  while (true) {
    size_t nl = rbuf_.find('\n', rpos_);
    if (nl != std::string::npos) {
      std::string line = rbuf_.substr(rpos_, nl - rpos_);
      rpos_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (rbuf_.size() - rpos_ > max) return absl::ResourceExhaustedError(absl::StrCat("line longer than ", max, " bytes"));
    absl::Status s = Fill(deadline);
    if (absl::IsOutOfRange(s) && rbuf_.size() > rpos_) {
      std::string line = rbuf_.substr(rpos_);
      rpos_ = rbuf_.size();
      return line;
    }
    RETURN_IF_ERROR(s);
  }
}

absl::StatusOr<std::string> Conn::ReadExact(size_t n, absl::Time deadline) {
  while (rbuf_.size() - rpos_ < n) RETURN_IF_ERROR(Fill(deadline));
  std::string out = rbuf_.substr(rpos_, n);
  rpos_ += n;
  return out;
}

}  // namespace pharos::probe
