// The webhook notifier: 0.25's notify/webhook message (template.Data plus
// version "4", groupKey and truncatedAlerts), alerts cut to max_alerts.
#include <memory>

#include "absl/strings/str_cat.h"
#include "alertmanager/notifiers/http_sender.h"
#include "alertmanager/notifiers/notify_util.h"
#include "alertmanager/notifiers/render.h"
#include "alertmanager/notifiers/notifiers.h"
#include "common/json_writer.h"
#include "common/strings.h"

namespace pharos::am {
namespace {

using notifiers::CheckStatus;
using notifiers::HttpSender;
using notifiers::Renderer;

class WebhookNotifier final : public Integration {
 public:
  WebhookNotifier(const WebhookConfig& cfg, ReceiverKey key, std::shared_ptr<const Templates> templates,
                  std::unique_ptr<HttpSender> sender)
      : cfg_(cfg), key_(std::move(key)), templates_(std::move(templates)), sender_(std::move(sender)) {}

  const ReceiverKey& key() const override { return key_; }
  bool SendResolved() const override { return cfg_.common.send_resolved; }

  Result Notify(const NotifyContext& ctx, const std::vector<Alert>& alerts) override {
    std::vector<Alert> kept = alerts;
    uint64_t truncated = 0;
    if (cfg_.max_alerts != 0 && kept.size() > cfg_.max_alerts) {
      truncated = kept.size() - cfg_.max_alerts;
      kept.resize(cfg_.max_alerts);
    }
    Renderer r(*templates_, ctx, kept);
    std::string body;
    JsonWriter w(&body);
    w.BeginObject();
    notifiers::WriteDataFields(w, r.data());
    w.Key("version").String("4");
    w.Key("groupKey").String(ctx.group_key);
    w.Key("truncatedAlerts").Uint(truncated);
    w.EndObject();
    body.push_back('\n');  // Go's json.Encoder ends the value with a newline

    auto resp = sender_->PostJson(cfg_.url, body);
    if (!resp.ok()) return {resp.status(), true};
    notifiers::RetryPolicy policy;
    std::string url = http::RedactUrl(cfg_.url);
    // "unexpected status code N: URL: BODY", as 0.25 reports it.
    policy.details = [url](int, std::string_view body) {
      return absl::StrCat(url, ": ", AV(body.substr(0, 4096)));
    };
    return CheckStatus(resp->status, resp->body, policy);
  }

 private:
  WebhookConfig cfg_;
  ReceiverKey key_;
  std::shared_ptr<const Templates> templates_;
  std::unique_ptr<HttpSender> sender_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Integration>> NewWebhookNotifier(const WebhookConfig& cfg, ReceiverKey key,
                                                                 std::shared_ptr<const Templates> templates,
                                                                 const NotifierOptions& options) {
  if (cfg.url.empty()) return absl::InvalidArgumentError("webhook_config: url is empty");
  auto sender = HttpSender::Make(cfg.common.http_config, options.timeout);
  if (!sender.ok()) return sender.status();
  return std::unique_ptr<Integration>(
      new WebhookNotifier(cfg, std::move(key), std::move(templates), *std::move(sender)));
}

}  // namespace pharos::am
