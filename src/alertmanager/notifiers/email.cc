// The e-mail notifier: 0.25's notify/email over SmtpClient. One SMTP
// session per notification, bounded by NotifierOptions::timeout: connect
// (implicit TLS on port 465), EHLO `hello`, STARTTLS when require_tls,
// AUTH when the server offers it and a username is set, MAIL/RCPT, then a
// multipart/alternative message with quoted-printable text and HTML parts.
#include <unistd.h>

#include <memory>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "alertmanager/notifiers/mime.h"
#include "alertmanager/notifiers/notifiers.h"
#include "alertmanager/notifiers/render.h"
#include "alertmanager/notifiers/smtp.h"
#include "common/host_port.h"
#include "common/strings.h"

namespace pharos::am {
namespace {

using notifiers::SmtpAuth;
using notifiers::SmtpClient;

std::string LocalHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

// 0.25's choice among the mechanisms the server offers, in the server's
// order: CRAM-MD5 needs auth_secret, PLAIN and LOGIN auth_password.
absl::StatusOr<SmtpAuth> ChooseAuth(const EmailConfig& cfg, std::string_view mechs) {
  SmtpAuth a;
  if (cfg.auth_username.empty()) return a;  // send without authenticating
  std::vector<std::string> errors;
  for (absl::string_view m : absl::StrSplit(AV(mechs), ' ')) {
    if (m == "CRAM-MD5") {
      if (cfg.auth_secret.empty()) {
        errors.push_back("missing secret for CRAM-MD5 auth mechanism");
        continue;
      }
      a.mech = SmtpAuth::Mech::kCramMd5;
    } else if (m == "PLAIN" || m == "LOGIN") {
      if (cfg.auth_password.empty()) {
        errors.push_back(absl::StrCat("missing password for ", m, " auth mechanism"));
        continue;
      }
      a.mech = m == "PLAIN" ? SmtpAuth::Mech::kPlain : SmtpAuth::Mech::kLogin;
    } else {
      continue;
    }
    a.identity = cfg.auth_identity;
    a.username = cfg.auth_username;
    a.password = cfg.auth_password;
    a.secret = cfg.auth_secret;
    return a;
  }
  if (errors.empty()) errors.push_back(absl::StrCat("unknown auth mechanism: ", AV(mechs)));
  return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
}

class EmailNotifier final : public Integration {
 public:
  EmailNotifier(const EmailConfig& cfg, ReceiverKey key, std::shared_ptr<const Templates> templates,
                const NotifierOptions& options, std::string host, std::string port)
      : cfg_(cfg), key_(std::move(key)), templates_(std::move(templates)), timeout_(options.timeout),
        hostname_(options.hostname.empty() ? LocalHostname() : options.hostname), host_(std::move(host)),
        port_(std::move(port)) {
    // Subject, To and From headers unless the config sets them.
    auto has = [&](std::string_view name) {
      for (const auto& [k, v] : cfg_.headers) {
        if (absl::EqualsIgnoreCase(k, AV(name))) return true;
      }
      return false;
    };
    if (!has("To")) cfg_.headers.insert(cfg_.headers.begin(), {"To", cfg_.to});
    if (!has("From")) cfg_.headers.insert(cfg_.headers.begin() + 1, {"From", cfg_.from});
    if (!has("Subject")) cfg_.headers.emplace_back("Subject", "{{ template \"email.default.subject\" . }}");
  }

  const ReceiverKey& key() const override { return key_; }
  bool SendResolved() const override { return cfg_.common.send_resolved; }

  Result Notify(const NotifyContext& ctx, const std::vector<Alert>& alerts) override {
    absl::Time deadline = absl::Now() + timeout_;
    auto retry = [](absl::Status s, std::string_view what) {
      return Result{absl::Status(s.code(), absl::StrCat(AV(what), s.message())), true};
    };
    auto conn = SmtpClient::Dial(host_, port_, port_ == "465", cfg_.tls_config, deadline);
    if (!conn.ok()) return {conn.status(), true};
    SmtpClient& c = **conn;
    Result r = Converse(c, ctx, alerts, retry);
    (void)c.Quit();  // best effort, as 0.25
    return r;
  }

 private:
  template <typename Retry>
  Result Converse(SmtpClient& c, const NotifyContext& ctx, const std::vector<Alert>& alerts, Retry retry) {
    if (!cfg_.hello.empty()) {
      if (auto s = c.Hello(cfg_.hello); !s.ok()) return retry(s, "send EHLO command: ");
    }
    if (cfg_.require_tls) {
      if (!c.Extension("STARTTLS")) {
        return {absl::FailedPreconditionError(absl::StrCat(
                    "'require_tls' is true (default) but \"", cfg_.smarthost,
                    "\" does not advertise the STARTTLS extension")),
                true};
      }
      if (auto s = c.StartTls(cfg_.tls_config); !s.ok()) return retry(s, "send STARTTLS command: ");
    }
    std::string mechs;
    if (c.Extension("AUTH", &mechs)) {
      auto auth = ChooseAuth(cfg_, mechs);
      if (!auth.ok()) return retry(auth.status(), "find auth mechanism: ");
      if (auth->mech != SmtpAuth::Mech::kNone) {
        if (auto s = c.Auth(*auth); !s.ok()) return retry(s, "auth: ");
      }
    }

    notifiers::Renderer r(*templates_, ctx, alerts);
    std::string from = r.Text(cfg_.from);
    if (!r.error().ok()) return {absl::InvalidArgumentError(absl::StrCat("execute 'from' template: ", r.error().message())), false};
    std::string to = r.Text(cfg_.to);
    if (!r.error().ok()) return {absl::InvalidArgumentError(absl::StrCat("execute 'to' template: ", r.error().message())), false};
    auto from_addrs = notifiers::ParseAddressList(from);
    if (!from_addrs.ok()) {
      return {absl::InvalidArgumentError(absl::StrCat("parse 'from' addresses: ", from_addrs.status().message())), false};
    }
    if (from_addrs->size() != 1) {
      return {absl::InvalidArgumentError(
                  absl::StrCat("must be exactly one 'from' address (got: ", from_addrs->size(), ")")),
              false};
    }
    if (auto s = c.Mail((*from_addrs)[0]); !s.ok()) return retry(s, "send MAIL command: ");
    auto to_addrs = notifiers::ParseAddressList(to);
    if (!to_addrs.ok()) {
      return {absl::InvalidArgumentError(absl::StrCat("parse 'to' addresses: ", to_addrs.status().message())), false};
    }
    for (const auto& a : *to_addrs) {
      if (auto s = c.Rcpt(a); !s.ok()) return retry(s, "send RCPT command: ");
    }

    // The message is built before DATA so that a template error sends
    // nothing (0.25 would send a truncated message).
    std::string msg;
    bool has_message_id = false;
    for (const auto& [name, value] : cfg_.headers) {
      auto v = templates_->ExecuteText(value, r.dot());
      if (!v.ok()) {
        return {absl::InvalidArgumentError(
                    absl::StrCat("execute \"", name, "\" header template: ", v.status().message())),
                false};
      }
      // A line break in the value is Q-encoded (=0A), so it cannot start a
      // header of its own.
      absl::StrAppend(&msg, name, ": ", notifiers::QEncodeHeader(*v), "\r\n");
      has_message_id |= absl::EqualsIgnoreCase(name, "Message-Id");
    }
    absl::Time now = absl::Now();
    if (!has_message_id) {
      std::random_device rd;
      uint64_t rnd = (static_cast<uint64_t>(rd()) << 32) | rd();
      absl::StrAppend(&msg, "Message-Id: <", absl::ToUnixNanos(now), ".", rnd, "@", hostname_, ">\r\n");
    }
    std::string boundary = notifiers::RandomBoundary();
    absl::StrAppend(&msg, "Date: ", notifiers::Rfc1123z(now), "\r\n");
    absl::StrAppend(&msg, "Content-Type: multipart/alternative;  boundary=", boundary, "\r\n");
    msg += "MIME-Version: 1.0\r\n\r\n";
    bool first = true;
    auto part = [&](std::string_view type, const std::string& body) {
      absl::StrAppend(&msg, first ? "" : "\r\n", "--", boundary, "\r\n",
                      "Content-Transfer-Encoding: quoted-printable\r\n", "Content-Type: ", AV(type),
                      "; charset=UTF-8\r\n\r\n", notifiers::QuotedPrintable(body));
      first = false;
    };
    if (!cfg_.text.empty()) {
      auto body = templates_->ExecuteText(cfg_.text, r.dot());
      if (!body.ok()) {
        return {absl::InvalidArgumentError(absl::StrCat("executing email text template: ", body.status().message())),
                false};
      }
      part("text/plain", *body);
    }
    if (!cfg_.html.empty()) {
      auto body = templates_->ExecuteHtml(cfg_.html, r.dot());
      if (!body.ok()) {
        return {absl::InvalidArgumentError(absl::StrCat("executing email html template: ", body.status().message())),
                false};
      }
      part("text/html", *body);
    }
    // Go's multipart.Writer.Close writes the closing boundary on a line of
    // its own, with or without parts.
    absl::StrAppend(&msg, "\r\n--", boundary, "--\r\n");

    if (auto s = c.Data(msg); !s.ok()) return retry(s, "send DATA command: ");
    return {};
  }

  EmailConfig cfg_;
  ReceiverKey key_;
  std::shared_ptr<const Templates> templates_;
  absl::Duration timeout_;
  std::string hostname_;
  std::string host_, port_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Integration>> NewEmailNotifier(const EmailConfig& cfg, ReceiverKey key,
                                                               std::shared_ptr<const Templates> templates,
                                                               const NotifierOptions& options) {
  std::string_view host, port;
  if (!SplitHostPort(cfg.smarthost, &host, &port) || host.empty() || port.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("email_config: invalid smarthost \"", cfg.smarthost, "\""));
  }
  if (cfg.to.empty()) return absl::InvalidArgumentError("email_config: missing to address");
  return std::unique_ptr<Integration>(
      new EmailNotifier(cfg, std::move(key), std::move(templates), options, std::string(host), std::string(port)));
}

}  // namespace pharos::am
