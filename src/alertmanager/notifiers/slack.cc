// The Slack notifier: 0.25's notify/slack request (one attachment), the
// title cut to 1024 runes, 5xx retried.
#include <memory>

#include "absl/strings/str_cat.h"
#include "alertmanager/notifiers/http_sender.h"
#include "alertmanager/notifiers/notify_util.h"
#include "alertmanager/notifiers/render.h"
#include "alertmanager/notifiers/notifiers.h"
#include "common/go_quote.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "common/strings.h"

namespace pharos::am {
namespace {

using notifiers::HttpSender;
using notifiers::Renderer;

constexpr size_t kMaxTitleRunes = 1024;

// Writes `key` only when `value` is not empty (Go's omitempty; every field
// of 0.25's SlackField, SlackAction and its confirm object has it).
void OmitEmpty(JsonWriter& w, std::string_view key, const std::string& value) {
  if (!value.empty()) w.Key(key).String(value);
}

class SlackNotifier final : public Integration {
 public:
  SlackNotifier(const SlackConfig& cfg, ReceiverKey key, std::shared_ptr<const Templates> templates,
                std::unique_ptr<HttpSender> sender)
      : cfg_(cfg), key_(std::move(key)), templates_(std::move(templates)), sender_(std::move(sender)) {}

  const ReceiverKey& key() const override { return key_; }
  bool SendResolved() const override { return cfg_.common.send_resolved; }

  Result Notify(const NotifyContext& ctx, const std::vector<Alert>& alerts) override {
    Renderer r(*templates_, ctx, alerts);
    std::string body;
    JsonWriter w(&body);
    std::string channel = r.Text(cfg_.channel);
    w.BeginObject();
    OmitEmpty(w, "channel", channel);
    OmitEmpty(w, "username", r.Text(cfg_.username));
    OmitEmpty(w, "icon_emoji", r.Text(cfg_.icon_emoji));
    OmitEmpty(w, "icon_url", r.Text(cfg_.icon_url));
    if (cfg_.link_names) w.Key("link_names").Bool(true);
    w.Key("attachments").BeginArray().BeginObject();
    auto title_and_cut = notifiers::TruncateInRunes(r.Text(cfg_.title), kMaxTitleRunes);
    const std::string title = std::move(title_and_cut.first);
    const bool cut = title_and_cut.second;  // (no structured binding: lambdas capture it)
    if (cut) {
      log::Warn("notify", "Truncated title", {{"integration", "slack"}, {"key", ctx.group_key}, {"max_runes", kMaxTitleRunes}});
    }
    OmitEmpty(w, "title", title);
    OmitEmpty(w, "title_link", r.Text(cfg_.title_link));
    OmitEmpty(w, "pretext", r.Text(cfg_.pretext));
    w.Key("text").String(r.Text(cfg_.text));
    w.Key("fallback").String(r.Text(cfg_.fallback));
    w.Key("callback_id").String(r.Text(cfg_.callback_id));
    if (!cfg_.fields.empty()) {
      w.Key("fields").BeginArray();
      for (const auto& f : cfg_.fields) {
        w.BeginObject();
        OmitEmpty(w, "title", r.Text(f.title));
        OmitEmpty(w, "value", r.Text(f.value));
        w.Key("short").Bool(f.has_short ? f.short_field : cfg_.short_fields);
        w.EndObject();
      }
      w.EndArray();
    }
    if (!cfg_.actions.empty()) {
      w.Key("actions").BeginArray();
      for (const auto& a : cfg_.actions) {
        w.BeginObject();
        OmitEmpty(w, "type", r.Text(a.type));
        OmitEmpty(w, "text", r.Text(a.text));
        OmitEmpty(w, "url", r.Text(a.url));
        OmitEmpty(w, "style", r.Text(a.style));
        OmitEmpty(w, "name", r.Text(a.name));
        OmitEmpty(w, "value", r.Text(a.value));
        if (a.has_confirm) {
          w.Key("confirm").BeginObject();
          OmitEmpty(w, "text", r.Text(a.confirm_text));
          OmitEmpty(w, "title", r.Text(a.confirm_title));
          OmitEmpty(w, "ok_text", r.Text(a.confirm_ok_text));
          OmitEmpty(w, "dismiss_text", r.Text(a.confirm_dismiss_text));
          w.EndObject();
        }
        w.EndObject();
      }
      w.EndArray();
    }
    OmitEmpty(w, "image_url", r.Text(cfg_.image_url));
    OmitEmpty(w, "thumb_url", r.Text(cfg_.thumb_url));
    w.Key("footer").String(r.Text(cfg_.footer));
    OmitEmpty(w, "color", r.Text(cfg_.color));
    const std::vector<std::string> kDefaultMrkdwn = {"fallback", "pretext", "text"};
    const auto& mrkdwn = cfg_.mrkdwn_in.empty() ? kDefaultMrkdwn : cfg_.mrkdwn_in;
    w.Key("mrkdwn_in").BeginArray();
    for (const auto& m : mrkdwn) w.String(m);
    w.EndArray();
    w.EndObject().EndArray().EndObject();
    body.push_back('\n');
    if (!r.error().ok()) return {r.error(), false};

    auto resp = sender_->PostJson(cfg_.api_url, body);
    std::string where = absl::StrCat("channel ", GoQuote(channel), ": ");
    if (!resp.ok()) return {absl::Status(resp.status().code(), absl::StrCat(where, resp.status().message())), true};
    // 0.25 retries only 5xx for Slack (429 included: not retried).
    Result res = notifiers::CheckStatus(resp->status, resp->body, notifiers::RetryPolicy{});
    if (!res.status.ok()) res.status = absl::Status(res.status.code(), absl::StrCat(where, res.status.message()));
    return res;
  }

 private:
  SlackConfig cfg_;
  ReceiverKey key_;
  std::shared_ptr<const Templates> templates_;
  std::unique_ptr<HttpSender> sender_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Integration>> NewSlackNotifier(const SlackConfig& cfg, ReceiverKey key,
                                                               std::shared_ptr<const Templates> templates,
                                                               const NotifierOptions& options) {
  if (cfg.api_url.empty()) return absl::InvalidArgumentError("slack_config: api_url is empty");
  auto sender = HttpSender::Make(cfg.common.http_config, options.timeout);
  if (!sender.ok()) return sender.status();
  return std::unique_ptr<Integration>(
      new SlackNotifier(cfg, std::move(key), std::move(templates), *std::move(sender)));
}

}  // namespace pharos::am
