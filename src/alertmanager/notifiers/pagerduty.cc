// The PagerDuty notifier: 0.25's notify/pagerduty message for the Events
// API v2 (routing_key) and v1 (service_key). The dedup/incident key is the
// SHA-256 of the group key; summary/description are cut to 1024 runes;
// details larger than 512 KB are replaced by a note, as 0.25 does.
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "alertmanager/notifiers/http_sender.h"
#include "alertmanager/notifiers/notify_util.h"
#include "alertmanager/notifiers/render.h"
#include "alertmanager/notifiers/notifiers.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "common/strings.h"

namespace pharos::am {
namespace {

using notifiers::HttpSender;
using notifiers::Renderer;

constexpr size_t kMaxSummaryRunes = 1024;      // v2 payload.summary, v1 description
constexpr size_t kMaxEventBytes = 512000;
constexpr std::string_view kDetailsRemoved =
    "Custom details have been removed because the original event exceeds the maximum size of 512KB";

void OmitEmpty(JsonWriter& w, std::string_view key, const std::string& value) {
  if (!value.empty()) w.Key(key).String(value);
}

// The message of a 400 answer: {"status","message","errors":[...]} becomes
// "message: error1,error2" (0.25's errDetails); nothing for other answers.
std::string PagerdutyErrorDetails(int status, std::string_view body) {
  if (status != 400) return "";
  // A small, bounded reader for the three fields: the answer is PagerDuty's
  // fixed shape, anything else yields no details.
  std::string message;
  std::vector<std::string> errors;
  auto read_string = [&](size_t& i, std::string* out) -> bool {
    if (i >= body.size() || body[i] != '"') return false;
    for (++i; i < body.size(); ++i) {
      char c = body[i];
      if (c == '"') {
        ++i;
        return true;
      }
      if (c == '\\' && i + 1 < body.size()) {
        char e = body[++i];
        out->push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
      } else {
        out->push_back(c);
      }
    }
    return false;
  };
  auto skip_ws = [&](size_t& i) {
    while (i < body.size() && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t')) ++i;
  };
  size_t i = 0;
  skip_ws(i);
  if (i >= body.size() || body[i] != '{') return "";
  ++i;
  while (true) {
    skip_ws(i);
    std::string key;
    if (!read_string(i, &key)) return "";
    skip_ws(i);
    if (i >= body.size() || body[i] != ':') return "";
    ++i;
    skip_ws(i);
    if (key == "errors" && i < body.size() && body[i] == '[') {
      ++i;
      while (true) {
        skip_ws(i);
        if (i < body.size() && body[i] == ']') {
          ++i;
          break;
        }
        std::string e;
        if (!read_string(i, &e)) return "";
        errors.push_back(std::move(e));
        skip_ws(i);
        if (i < body.size() && body[i] == ',') ++i;
      }
    } else {
      std::string v;
      if (!read_string(i, &v)) return "";
      if (key == "message") message = v;
    }
    skip_ws(i);
    if (i < body.size() && body[i] == ',') {
      ++i;
      continue;
    }
    if (i < body.size() && body[i] == '}') break;
    return "";
  }
  return absl::StrCat(message, ": ", absl::StrJoin(errors, ","));
}

class PagerdutyNotifier final : public Integration {
 public:
  PagerdutyNotifier(const PagerdutyConfig& cfg, ReceiverKey key, std::shared_ptr<const Templates> templates,
                    std::unique_ptr<HttpSender> sender)
      : cfg_(cfg), key_(std::move(key)), templates_(std::move(templates)), sender_(std::move(sender)) {
    v1_ = !cfg_.service_key.empty();
    if (v1_) {
      url_ = cfg_.url_set ? cfg_.url : std::string(kPagerdutyV1Url);
    } else {
      url_ = cfg_.url.empty() ? std::string(kPagerdutyV2Url) : cfg_.url;
    }
  }

  const ReceiverKey& key() const override { return key_; }
  bool SendResolved() const override { return cfg_.common.send_resolved; }

  Result Notify(const NotifyContext& ctx, const std::vector<Alert>& alerts) override {
    Renderer r(*templates_, ctx, alerts);
    bool resolved = r.data().status == "resolved";
    std::map<std::string, std::string> details;
    for (const auto& [k, v] : cfg_.details) {
      auto s = templates_->ExecuteText(v, r.dot());
      if (!s.ok()) {
        return {absl::InvalidArgumentError(absl::StrCat("\"", k, "\": failed to template \"", v, "\": ",
                                                        s.status().message())),
                false};
      }
      details[k] = *s;
    }
    std::string key_hash = notifiers::GroupKeyHash(ctx.group_key);
    std::string body;
    if (v1_) {
      auto desc_and_cut = notifiers::TruncateInRunes(r.Text(cfg_.description), kMaxSummaryRunes);
      const std::string desc = std::move(desc_and_cut.first);
      const bool cut = desc_and_cut.second;  // (no structured binding: lambdas capture it)
      if (cut) Warn("Truncated description", ctx);
      std::string service_key = r.Text(cfg_.service_key);
      std::string client, client_url;
      if (!resolved) {
        client = r.Text(cfg_.client);
        client_url = r.Text(cfg_.client_url);
      }
      if (!r.error().ok()) {
        return {absl::InvalidArgumentError(
                    absl::StrCat("failed to template PagerDuty v1 message: ", r.error().message())),
                false};
      }
      if (service_key.empty()) return {absl::InvalidArgumentError("service key cannot be empty"), false};
      auto encode = [&](const std::map<std::string, std::string>& d) {
        std::string out;
        JsonWriter w(&out);
        w.BeginObject();
        w.Key("service_key").String(service_key);
        w.Key("incident_key").String(key_hash);
        w.Key("event_type").String(resolved ? "resolve" : "trigger");
        OmitEmpty(w, "description", desc);
        w.Key("event_action").String("");
        w.Key("payload").Null();
        OmitEmpty(w, "client", client);
        OmitEmpty(w, "client_url", client_url);
        if (!d.empty()) {
          w.Key("details");
          notifiers::WriteStringMap(w, d);
        }
        w.EndObject();
        out.push_back('\n');
        return out;
      };
      body = encode(details);
      if (body.size() > kMaxEventBytes) {
        Warn("Truncated details: the event exceeds 512KB", ctx);
        body = encode({{"error", std::string(kDetailsRemoved)}});
      }
    } else {
      std::string severity = cfg_.severity.empty() ? std::string("error") : cfg_.severity;
      std::string source_tmpl = cfg_.source.empty() ? cfg_.client : cfg_.source;
      auto summary_and_cut = notifiers::TruncateInRunes(r.Text(cfg_.description), kMaxSummaryRunes);
      const std::string summary = std::move(summary_and_cut.first);
      const bool cut = summary_and_cut.second;  // (no structured binding: lambdas capture it)
      if (cut) Warn("Truncated summary", ctx);
      std::string client = r.Text(cfg_.client), client_url = r.Text(cfg_.client_url);
      std::string routing_key = r.Text(cfg_.routing_key);
      std::string source = r.Text(source_tmpl), sev = r.Text(severity), clazz = r.Text(cfg_.clazz),
                  component = r.Text(cfg_.component), group = r.Text(cfg_.group);
      std::vector<PagerdutyImage> images;
      for (const auto& im : cfg_.images) {
        PagerdutyImage x{r.Text(im.src), r.Text(im.alt), r.Text(im.href)};
        if (!x.src.empty()) images.push_back(std::move(x));
      }
      std::vector<PagerdutyLink> links;
      for (const auto& l : cfg_.links) {
        PagerdutyLink x{r.Text(l.href), r.Text(l.text)};
        if (!x.href.empty()) links.push_back(std::move(x));
      }
      if (!r.error().ok()) {
        return {absl::InvalidArgumentError(
                    absl::StrCat("failed to template PagerDuty v2 message: ", r.error().message())),
                false};
      }
      if (routing_key.empty()) return {absl::InvalidArgumentError("routing key cannot be empty"), false};
      auto encode = [&](const std::map<std::string, std::string>& d) {
        std::string out;
        JsonWriter w(&out);
        w.BeginObject();
        w.Key("routing_key").String(routing_key);
        w.Key("dedup_key").String(key_hash);
        w.Key("event_action").String(resolved ? "resolve" : "trigger");
        w.Key("payload").BeginObject();
        w.Key("summary").String(summary);
        w.Key("source").String(source);
        w.Key("severity").String(sev);
        OmitEmpty(w, "class", clazz);
        OmitEmpty(w, "component", component);
        OmitEmpty(w, "group", group);
        if (!d.empty()) {
          w.Key("custom_details");
          notifiers::WriteStringMap(w, d);
        }
        w.EndObject();
        OmitEmpty(w, "client", client);
        OmitEmpty(w, "client_url", client_url);
        if (!images.empty()) {
          w.Key("images").BeginArray();
          for (const auto& im : images) {
            w.BeginObject().Key("src").String(im.src).Key("alt").String(im.alt).Key("href").String(im.href);
            w.EndObject();
          }
          w.EndArray();
        }
        if (!links.empty()) {
          w.Key("links").BeginArray();
          for (const auto& l : links) {
            w.BeginObject().Key("href").String(l.href).Key("text").String(l.text).EndObject();
          }
          w.EndArray();
        }
        w.EndObject();
        out.push_back('\n');
        return out;
      };
      body = encode(details);
      if (body.size() > kMaxEventBytes) {
        Warn("Truncated details: the event exceeds 512KB", ctx);
        body = encode({{"error", std::string(kDetailsRemoved)}});
      }
    }

    auto resp = sender_->PostJson(url_, body);
    if (!resp.ok()) {
      return {absl::Status(resp.status().code(),
                           absl::StrCat(v1_ ? "failed to post message to PagerDuty v1: "
                                            : "failed to post message to PagerDuty: ",
                                        resp.status().message())),
              true};
    }
    notifiers::RetryPolicy policy;
    // v1 answers 403 when rate limited, v2 429.
    policy.retry_codes = {v1_ ? 403 : 429};
    policy.details = PagerdutyErrorDetails;
    return notifiers::CheckStatus(resp->status, resp->body, policy);
  }

 private:
  void Warn(std::string_view msg, const NotifyContext& ctx) const {
    log::Warn("notify", msg, {{"integration", "pagerduty"}, {"key", ctx.group_key}, {"max_runes", kMaxSummaryRunes}});
  }

  PagerdutyConfig cfg_;
  ReceiverKey key_;
  std::shared_ptr<const Templates> templates_;
  std::unique_ptr<HttpSender> sender_;
  bool v1_ = false;
  std::string url_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Integration>> NewPagerdutyNotifier(const PagerdutyConfig& cfg, ReceiverKey key,
                                                                   std::shared_ptr<const Templates> templates,
                                                                   const NotifierOptions& options) {
  if (cfg.service_key.empty() && cfg.routing_key.empty()) {
    return absl::InvalidArgumentError("pagerduty_config: one of service_key or routing_key is required");
  }
  auto sender = HttpSender::Make(cfg.common.http_config, options.timeout);
  if (!sender.ok()) return sender.status();
  return std::unique_ptr<Integration>(
      new PagerdutyNotifier(cfg, std::move(key), std::move(templates), *std::move(sender)));
}

}  // namespace pharos::am
