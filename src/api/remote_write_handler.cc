// POST /api/v1/write: remote write 1.0 receive. Answers are plain text, as
// Prometheus' write handler writes them with http.Error.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "api/internal/routes.h"
#include "common/log.h"
#include "common/strings.h"

namespace pharos::api::internal {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Refuses content types other than protobuf WriteRequest 1.0; an empty
// Content-Type is taken as 1.0, as Prometheus does.
std::string CheckContentType(std::string_view ct) {
  if (ct.empty()) return "";
  std::string_view rest = ct;
  size_t semi = rest.find(';');
  std::string media = absl::AsciiStrToLower(AV(Trim(rest.substr(0, semi))));
  if (media != "application/x-protobuf") {
    return absl::StrCat("expected application/x-protobuf as the first (media) part, got ", AV(ct), " content-type");
  }
  while (semi != std::string_view::npos) {
    rest = rest.substr(semi + 1);
    semi = rest.find(';');
    std::string_view param = Trim(rest.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = param.substr(0, eq);
    std::string_view value = param.substr(eq + 1);
    if (key == "proto" && value != "prometheus.WriteRequest") {
      return absl::StrCat(AV(value),
                          " protobuf message is not accepted by this server; accepted [prometheus.WriteRequest]");
    }
  }
  return "";
}

int StatusFor(const absl::Status& st) {
  if (storage::GetAppendError(st) != storage::AppendError::kNone) return 400;
  switch (st.code()) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kResourceExhausted: return 413;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

}  // namespace

void RegisterRemoteWriteRoute(const Api& api, http::Router& router) {
  router.Post("/api/v1/write", [&api](http::Request& req, http::Response& res) {
    if (!api.Ready()) {
      res.SetText(503, "Service Unavailable");
      return;
    }
    remote::WriteReceiver* receiver = api.remote_write();
    if (receiver == nullptr) {
      res.SetError(404, "remote write receiver needs to be enabled with --web.enable-remote-write-receiver");
      return;
    }
    if (std::string err = CheckContentType(req.Header("Content-Type")); !err.empty()) {
      res.SetError(415, err);
      return;
    }
    std::string_view enc = req.Header("Content-Encoding");
    if (!enc.empty() && absl::AsciiStrToLower(AV(enc)) != "snappy") {
      res.SetError(415, absl::StrCat(AV(enc),
                                     " encoding (compression) is not accepted by this server; only snappy is acceptable"));
      return;
    }
    absl::Status st = receiver->Receive(req.body);
    if (st.ok()) {
      res.status = 204;
      return;
    }
    int code = StatusFor(st);
    if (code >= 500) {
      log::Error("remote", "remote write failed", {{"err", st}});
    } else {
      log::Debug("remote", "remote write refused", {{"err", st}});
    }
    res.SetError(code, SV(st.message()));
  }, {.compress = false});
}

}  // namespace pharos::api::internal
