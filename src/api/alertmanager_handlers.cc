// Alertmanager 0.25's API v2 over the built-in Alertmanager:
//
//   GET  /api/v2/alerts            filter, active, silenced, inhibited, unprocessed, receiver
//   POST /api/v2/alerts            postable alerts
//   GET  /api/v2/alerts/groups     filter, active, silenced, inhibited, receiver
//   GET  /api/v2/silences          filter
//   POST /api/v2/silences          create or update → {"silenceID": …}
//   GET|DELETE /api/v2/silence/:id
//   GET  /api/v2/status, /api/v2/receivers
//
// Answers are bare JSON values (no Prometheus envelope). Errors are
// answered as Alertmanager's are: a body that is not the expected JSON is
// 400 {"code":400,"message":…}; a missing required field is 422
// {"code":602,"message":"… in body is required"}; a rejected alert or
// silence is 400 with the message as a JSON string; an unknown silence is
// 404.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "alertmanager/alertmanager.h"
#include "alertmanager/config_matchers.h"
#include "api/alertmanager_codec.h"
#include "api/go_format.h"
#include "api/internal/routes.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "re2/re2.h"
#include "simdjson.h"

namespace pharos::api::internal {
namespace {

constexpr size_t kMaxBodyAlerts = 10000;

void SetJson(http::Response& res, int status, std::string body) {
  res.status = status;
  res.SetHeader("Content-Type", "application/json");
  res.body = std::move(body);
  res.body += '\n';
}

void SetSwaggerError(http::Response& res, int status, int code, std::string_view message) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("code").Int(code).Key("message").String(message).EndObject();
  SetJson(res, status, std::move(out));
}

// 400 with the message as a JSON string, as Alertmanager answers a rejected
// alert or silence.
void SetMessageError(http::Response& res, int status, std::string_view message) {
  std::string out;
  JsonWriter::AppendString(out, message);
  SetJson(res, status, std::move(out));
}

// strfmt.DateTime: times with millisecond precision in UTC.
std::string FormatAmTime(absl::Time t) {
  if (t == absl::InfinitePast()) return "0001-01-01T00:00:00.000Z";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

// RFC 3339 (fraction optional, "Z" or an offset), as strfmt.DateTime reads.
absl::StatusOr<absl::Time> ParseAmTime(std::string_view s) {
  absl::Time t;
  std::string err;
  for (const char* layout : {"%Y-%m-%dT%H:%M:%E*S%Ez", "%Y-%m-%dT%H:%M:%E*S", "%Y-%m-%d %H:%M:%E*S"}) {
    if (absl::ParseTime(layout, AV(s), absl::UTCTimeZone(), &t, &err)) return t;
  }
  return absl::InvalidArgumentError(absl::StrCat("parsing time \"", AV(s), "\": not an RFC 3339 date-time"));
}

bool ParseBoolParam(const http::Request& req, std::string_view key, bool def, std::string* err) {
  if (!req.HasParam(key)) return def;
  std::string_view v = req.Param(key);
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  *err = absl::StrCat(AV(key), " in query must be of type boolean: \"", AV(v), "\"");
  return def;
}

// The `filter` parameters (each in Alertmanager's matcher syntax); false
// after answering 400.
bool ParseFilterMatchers(const http::Request& req, http::Response& res, Matchers* out) {
  for (std::string_view s : req.Params("filter")) {
    auto ms = am::ParseAmMatchers(s);
    if (!ms.ok()) {
      SetMessageError(res, 400, SV(ms.status().message()));
      return false;
    }
    for (auto& m : *ms) out->push_back(std::move(m));
  }
  return true;
}

std::optional<am::AlertFilter> ParseFilter(const http::Request& req, http::Response& res) {
  am::AlertFilter f;
  if (!ParseFilterMatchers(req, res, &f.matchers)) return std::nullopt;
  std::string err;
  f.active = ParseBoolParam(req, "active", true, &err);
  f.silenced = ParseBoolParam(req, "silenced", true, &err);
  f.inhibited = ParseBoolParam(req, "inhibited", true, &err);
  f.unprocessed = ParseBoolParam(req, "unprocessed", true, &err);
  if (!err.empty()) {
    SetSwaggerError(res, 400, 400, err);
    return std::nullopt;
  }
  f.receiver_regex = std::string(req.Param("receiver"));
  if (!f.receiver_regex.empty()) {
    RE2 re("^(?:" + f.receiver_regex + ")$", RE2::Quiet);
    if (!re.ok()) {
      SetMessageError(res, 400, absl::StrCat("error parsing regexp: ", re.error()));
      return std::nullopt;
    }
  }
  return f;
}

void WriteLabelSet(JsonWriter& w, const am::LabelSet& ls) {
  w.BeginObject();
  for (const auto& [k, v] : ls) w.Key(k).String(v);
  w.EndObject();
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& v) {
  w.BeginArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

void WriteGettableAlert(JsonWriter& w, const am::AlertView& v) {
  const am::Alert& a = v.alert;
  w.BeginObject();
  w.Key("annotations");
  WriteLabelSet(w, a.annotations);
  w.Key("endsAt").String(FormatAmTime(a.ends_at));
  w.Key("fingerprint").String(am::FingerprintHex(v.fingerprint));
  w.Key("receivers").BeginArray();
  for (const auto& r : v.receivers) w.BeginObject().Key("name").String(r).EndObject();
  w.EndArray();
  w.Key("startsAt").String(FormatAmTime(a.starts_at));
  w.Key("status").BeginObject();
  w.Key("inhibitedBy");
  WriteStrings(w, v.status.inhibited_by);
  w.Key("silencedBy");
  WriteStrings(w, v.status.silenced_by);
  w.Key("state").String(am::AlertStateName(v.status.state));
  w.EndObject();
  w.Key("updatedAt").String(FormatAmTime(a.updated_at));
  if (!a.generator_url.empty()) w.Key("generatorURL").String(a.generator_url);
  w.Key("labels");
  WriteLabelSet(w, a.labels);
  w.EndObject();
}

void WriteSilence(JsonWriter& w, const am::SilenceView& v) {
  const am::Silence& s = v.silence;
  w.BeginObject();
  w.Key("id").String(s.id);
  w.Key("status").BeginObject().Key("state").String(am::SilenceStateName(v.state)).EndObject();
  w.Key("updatedAt").String(FormatAmTime(s.updated_at));
  w.Key("comment").String(s.comment);
  w.Key("createdBy").String(s.created_by);
  w.Key("endsAt").String(FormatAmTime(s.ends_at));
  w.Key("matchers").BeginArray();
  for (const auto& m : s.matchers) {
    bool equal = m.type == MatchType::kEqual || m.type == MatchType::kRegexMatch;
    bool regex = m.type == MatchType::kRegexMatch || m.type == MatchType::kRegexNoMatch;
    w.BeginObject().Key("isEqual").Bool(equal).Key("isRegex").Bool(regex);
    w.Key("name").String(m.name).Key("value").String(m.value).EndObject();
  }
  w.EndArray();
  w.Key("startsAt").String(FormatAmTime(s.starts_at));
  w.EndObject();
}

// ---- JSON decoding ----------------------------------------------------------

std::string ParseFailure(std::string_view what, std::string_view why) {
  return absl::StrCat("parsing ", AV(what), " body failed, because ", AV(why));
}

// Reads an object of strings into `out`; an error message otherwise.
std::optional<std::string> ReadStringMap(simdjson::dom::element e, std::string_view field,
                                         am::LabelSet* out) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj)) return absl::StrCat("json: cannot unmarshal ", AV(field), ": not an object of strings");
  for (auto kv : obj) {
    std::string_view v;
    if (kv.value.get_string().get(v))
      return absl::StrCat("json: cannot unmarshal ", AV(field), ".", AV(kv.key), ": not a string");
    (*out)[std::string(kv.key)] = std::string(v);
  }
  return std::nullopt;
}

std::optional<std::string> ReadTime(simdjson::dom::element e, std::string_view field, absl::Time* out) {
  std::string_view s;
  if (e.get_string().get(s)) return absl::StrCat("json: cannot unmarshal ", AV(field), ": not a string");
  auto t = ParseAmTime(s);
  if (!t.ok()) return std::string(SV(t.status().message()));
  *out = *t;
  return std::nullopt;
}

}  // namespace

std::optional<AmDecodeError> DecodePostableAlerts(std::string_view body, std::vector<am::Alert>* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(body).get(root)) {
    return AmDecodeError{400, 400, ParseFailure("alerts", simdjson::error_message(err))};
  }
  const auto* doc = &root;
  simdjson::dom::array arr;
  if (doc->get_array().get(arr)) {
    return AmDecodeError{400, 400, ParseFailure("alerts", "json: cannot unmarshal into a list of alerts")};
  }
  if (arr.size() > kMaxBodyAlerts) {
    return AmDecodeError{400, 400, absl::StrCat("too many alerts in one request (", arr.size(), " > ",
                                                 kMaxBodyAlerts, ")")};
  }
  size_t i = 0;
  for (simdjson::dom::element e : arr) {
    simdjson::dom::object obj;
    if (e.get_object().get(obj)) {
      return AmDecodeError{400, 400, ParseFailure("alerts", absl::StrCat("alert ", i, " is not an object"))};
    }
    am::Alert a;
    bool has_labels = false;
    for (auto kv : obj) {
      std::string_view key = kv.key;
      std::optional<std::string> err;
      if (key == "labels") {
        has_labels = true;
        err = ReadStringMap(kv.value, "labels", &a.labels);
      } else if (key == "annotations") {
        err = ReadStringMap(kv.value, "annotations", &a.annotations);
      } else if (key == "startsAt") {
        err = ReadTime(kv.value, "startsAt", &a.starts_at);
      } else if (key == "endsAt") {
        err = ReadTime(kv.value, "endsAt", &a.ends_at);
      } else if (key == "generatorURL") {
        std::string_view s;
        if (kv.value.get_string().get(s)) err = "json: cannot unmarshal generatorURL: not a string";
        else a.generator_url = std::string(s);
      }
      if (err) {
        return AmDecodeError{400, 400, ParseFailure("alerts", *err)};
      }
    }
    if (!has_labels) {
      return AmDecodeError{422, 602, absl::StrCat(i, ".labels in body is required")};
    }
    out->push_back(std::move(a));
    ++i;
  }
  return std::nullopt;
}

std::optional<AmDecodeError> DecodePostableSilence(std::string_view body, am::Silence* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(body).get(root)) {
    return AmDecodeError{400, 400, ParseFailure("silence", simdjson::error_message(err))};
  }
  const auto* doc = &root;
  simdjson::dom::object obj;
  if (doc->get_object().get(obj)) {
    return AmDecodeError{400, 400, ParseFailure("silence", "json: cannot unmarshal into a silence")};
  }
  am::Silence& s = *out;
  bool has[5] = {false, false, false, false, false};  // comment, createdBy, endsAt, matchers, startsAt
  for (auto kv : obj) {
    std::string_view key = kv.key;
    std::optional<std::string> err;
    std::string_view str;
    if (key == "id") {
      if (kv.value.get_string().get(str)) err = "json: cannot unmarshal id: not a string";
      else s.id = std::string(str);
    } else if (key == "comment" || key == "createdBy") {
      if (kv.value.get_string().get(str)) {
        err = absl::StrCat("json: cannot unmarshal ", AV(key), ": not a string");
      } else if (key == "comment") {
        s.comment = std::string(str);
        has[0] = true;
      } else {
        s.created_by = std::string(str);
        has[1] = true;
      }
    } else if (key == "startsAt") {
      err = ReadTime(kv.value, key, &s.starts_at);
      has[4] = true;
    } else if (key == "endsAt") {
      err = ReadTime(kv.value, key, &s.ends_at);
      has[2] = true;
    } else if (key == "matchers") {
      has[3] = true;
      simdjson::dom::array ms;
      if (kv.value.get_array().get(ms)) {
        err = "json: cannot unmarshal matchers: not a list";
      } else {
        for (simdjson::dom::element me : ms) {
          std::string_view name, value;
          bool is_regex = false, is_equal = true;
          bool ok = !me["name"].get_string().get(name) && !me["value"].get_string().get(value) &&
                    !me["isRegex"].get_bool().get(is_regex);
          if (!ok) {
            err = "json: a matcher needs name, value (strings) and isRegex (boolean)";
            break;
          }
          bool eq = true;
          if (!me["isEqual"].get_bool().get(eq)) is_equal = eq;
          am::SilenceMatcher m;
          m.name = std::string(name);
          m.value = std::string(value);
          m.type = is_regex ? (is_equal ? MatchType::kRegexMatch : MatchType::kRegexNoMatch)
                            : (is_equal ? MatchType::kEqual : MatchType::kNotEqual);
          s.matchers.push_back(std::move(m));
        }
      }
    }
    if (err) {
      return AmDecodeError{400, 400, ParseFailure("silence", *err)};
    }
  }
  static constexpr std::string_view kRequired[5] = {"comment", "createdBy", "endsAt", "matchers", "startsAt"};
  for (int k = 0; k < 5; ++k) {
    if (!has[k]) {
      return AmDecodeError{422, 602, absl::StrCat(AV(kRequired[k]), " in body is required")};
    }
  }
  if (s.matchers.empty()) {
    return AmDecodeError{422, 612, "matchers in body should have at least 1 items"};
  }
  return std::nullopt;
}

namespace {

// ---- handlers ---------------------------------------------------------------

void PostAlerts(am::Alertmanager& am, http::Request& req, http::Response& res) {
  std::vector<am::Alert> alerts;
  if (auto err = DecodePostableAlerts(req.body, &alerts)) {
    SetSwaggerError(res, err->http_status, err->code, err->message);
    return;
  }
  if (auto st = am.PutAlerts(std::move(alerts)); !st.ok()) {
    SetMessageError(res, st.code() == absl::StatusCode::kResourceExhausted ? 503 : 400, SV(st.message()));
    return;
  }
  res.status = 200;
}

void GetAlerts(am::Alertmanager& am, http::Request& req, http::Response& res) {
  auto f = ParseFilter(req, res);
  if (!f) return;
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const auto& v : am.Alerts(*f)) WriteGettableAlert(w, v);
  w.EndArray();
  SetJson(res, 200, std::move(out));
}

void GetGroups(am::Alertmanager& am, http::Request& req, http::Response& res) {
  auto f = ParseFilter(req, res);
  if (!f) return;
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const auto& g : am.Groups(*f)) {
    w.BeginObject();
    w.Key("alerts").BeginArray();
    for (const auto& v : g.alerts) WriteGettableAlert(w, v);
    w.EndArray();
    w.Key("labels");
    WriteLabelSet(w, g.labels);
    w.Key("receiver").BeginObject().Key("name").String(g.receiver).EndObject();
    w.EndObject();
  }
  w.EndArray();
  SetJson(res, 200, std::move(out));
}

void GetSilences(am::Alertmanager& am, http::Request& req, http::Response& res) {
  Matchers filter;
  if (!ParseFilterMatchers(req, res, &filter)) return;
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const auto& v : am.ListSilences(filter)) WriteSilence(w, v);
  w.EndArray();
  SetJson(res, 200, std::move(out));
}

void PostSilence(am::Alertmanager& am, http::Request& req, http::Response& res) {
  am::Silence s;
  if (auto err = DecodePostableSilence(req.body, &s)) {
    SetSwaggerError(res, err->http_status, err->code, err->message);
    return;
  }
  auto id = am.SetSilence(std::move(s));
  if (!id.ok()) {
    int code = id.status().code() == absl::StatusCode::kNotFound ? 404 : 400;
    if (code == 400 && id.status().code() != absl::StatusCode::kInvalidArgument) code = 500;
    SetMessageError(res, code, SV(id.status().message()));
    return;
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("silenceID").String(*id).EndObject();
  SetJson(res, 200, std::move(out));
}

bool ValidUuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

void SilenceById(am::Alertmanager& am, http::Request& req, http::Response& res) {
  std::string id(req.PathParam("id"));
  if (!ValidUuid(id)) {
    SetSwaggerError(res, 422, 601, absl::StrCat("silenceID in path must be of type uuid: \"", id, "\""));
    return;
  }
  if (req.method == "DELETE") {
    absl::Status st = am.ExpireSilence(id);
    if (st.ok() || st.code() == absl::StatusCode::kFailedPrecondition) {
      // Alertmanager 0.25 answers 200 for a silence that was already expired.
      res.status = 200;
      return;
    }
    SetMessageError(res, st.code() == absl::StatusCode::kNotFound ? 404 : 500, SV(st.message()));
    return;
  }
  auto v = am.GetSilence(id);
  if (!v.ok()) {
    SetMessageError(res, v.status().code() == absl::StatusCode::kNotFound ? 404 : 500, SV(v.status().message()));
    return;
  }
  std::string out;
  JsonWriter w(&out);
  WriteSilence(w, *v);
  SetJson(res, 200, std::move(out));
}

void Status(am::Alertmanager& am, const BuildInfo& build, http::Request&, http::Response& res) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("cluster").BeginObject().Key("peers").BeginArray().EndArray().Key("status").String("disabled").EndObject();
  w.Key("config").BeginObject().Key("original").String(am.OriginalConfig()).EndObject();
  w.Key("uptime").String(FormatAmTime(am.StartTime()));
  w.Key("versionInfo").BeginObject();
  w.Key("branch").String(build.branch);
  w.Key("buildDate").String(build.build_date);
  w.Key("buildUser").String(build.build_user);
  w.Key("goVersion").String(build.go_version);
  w.Key("revision").String(build.revision);
  w.Key("version").String(build.version);
  w.EndObject();
  w.EndObject();
  SetJson(res, 200, std::move(out));
}

void Receivers(am::Alertmanager& am, http::Request&, http::Response& res) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const auto& name : am.ReceiverNames()) w.BeginObject().Key("name").String(name).EndObject();
  w.EndArray();
  SetJson(res, 200, std::move(out));
}

}  // namespace

void RegisterAlertmanagerRoutes(const Api& api, http::Router& router) {
  am::Alertmanager* am = api.deps().alertmanager;
  if (am == nullptr) return;
  // The readiness gate and CORS of the other API families, without their
  // JSON envelope.
  auto wrap = [&api, am](void (*f)(am::Alertmanager&, http::Request&, http::Response&)) -> http::Handler {
    return [&api, am, f](http::Request& req, http::Response& res) {
      if (!api.Ready()) {
        res.SetError(503, "Service Unavailable");
        return;
      }
      f(*am, req, res);
    };
  };
  router.Get("/api/v2/alerts", wrap(GetAlerts));
  router.Post("/api/v2/alerts", wrap(PostAlerts));
  router.Get("/api/v2/alerts/groups", wrap(GetGroups));
  router.Get("/api/v2/silences", wrap(GetSilences));
  router.Post("/api/v2/silences", wrap(PostSilence));
  router.Get("/api/v2/silence/:id", wrap(SilenceById));
  router.Handle("DELETE", "/api/v2/silence/:id", wrap(SilenceById));
  router.Get("/api/v2/receivers", wrap(Receivers));
  BuildInfo build = api.deps().build_info;
  router.Get("/api/v2/status", [&api, am, build](http::Request& req, http::Response& res) {
    if (!api.Ready()) {
      res.SetError(503, "Service Unavailable");
      return;
    }
    Status(*am, build, req, res);
  });
}

}  // namespace pharos::api::internal
