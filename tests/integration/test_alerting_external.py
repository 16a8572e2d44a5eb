"""Pharos' alerting rules notify external Alertmanagers (`alerting:`): a real
Alertmanager 0.25 receives an always-firing alert with the external labels,
routes it to a webhook, and resolves it once a rule file reload stops it; an
Alertmanager that never answers does not hold up delivery to another one."""

import json
import os
import signal
import socket
import threading
import time

from harness import IntegrationTest, Process, free_port, get, wait_until

AM_BIN = "/usr/bin/prometheus-alertmanager"

FIRING_RULES = """
groups:
  - name: external
    interval: 1s
    rules:
      - alert: AlwaysOn
        expr: vector(1)
        labels: {severity: page, team: infra}
        annotations:
          summary: "always on with value {{ $value }}"
"""

# Same group and alert, but the expression returns nothing.
SILENT_RULES = FIRING_RULES.replace("expr: vector(1)", "expr: vector(1) < 0")


class Recorder:
    """Collects the JSON bodies POSTed to a local HTTP server."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []

    def handler(self, method, path, headers, body):
        if method == "POST":
            with self.lock:
                self.posts.append((path, json.loads(body or b"null")))
        return 200, {"Content-Type": "application/json"}, b"{}"

    def snapshot(self):
        with self.lock:
            return list(self.posts)


class AlertingExternalTest(IntegrationTest):
    def start_alertmanager(self, webhook_url):
        if not os.path.exists(AM_BIN):
            self.fail("prometheus-alertmanager is not installed (scripts/setup.sh --test installs it)")
        port = free_port()
        cfg = self.write("alertmanager.yml", f"""
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: {webhook_url}
        send_resolved: true
""")
        storage = os.path.join(self.workdir, "am-data")
        p = self.track(Process("alertmanager", [
            AM_BIN, f"--config.file={cfg}", f"--storage.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
            "--log.level=warn"], self.workdir))
        p.url = f"http://127.0.0.1:{port}"
        p.addr = f"127.0.0.1:{port}"
        wait_until(lambda: get(p.url + "/-/ready", timeout=2).status == 200, 60,
                   what="alertmanager ready")
        return p

    def test_real_alertmanager_receives_and_resolves(self):
        hook = Recorder()
        hook_url = self.serve_http(hook.handler) + "/hook"
        am = self.start_alertmanager(hook_url)
        rules = self.write("rules.yml", FIRING_RULES)
        p = self.start_pharos(f"""
global:
  evaluation_interval: 1s
  external_labels: {{cluster: it-cluster, team: from-external}}
rule_files: ['{rules}']
scrape_configs: []
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['{am.addr}']
""", args=["--rules.alert.resend-delay=1s"])

        am_url = f"http://{am.addr}/api/v2/alerts"
        data = get(p.url + "/api/v1/alertmanagers").json()["data"]
        self.assertEqual(data, {"activeAlertmanagers": [{"url": am_url}], "droppedAlertmanagers": []})

        def in_alertmanager():
            alerts = get(am.url + "/api/v2/alerts").json()
            return [a for a in alerts if a["labels"].get("alertname") == "AlwaysOn"]
        alerts = wait_until(in_alertmanager, 30, interval=0.5, what="the alert in Alertmanager")
        self.assertEqual(len(alerts), 1)
        a = alerts[0]
        # External labels are added; the alert's own `team` wins over the external one.
        self.assertEqual(a["labels"], {"alertname": "AlwaysOn", "severity": "page", "team": "infra",
                                       "cluster": "it-cluster"})
        self.assertEqual(a["annotations"], {"summary": "always on with value 1"})
        self.assertEqual(a["status"]["state"], "active")
        self.assertEqual(a["receivers"], [{"name": "hook"}])

        def webhook(status):
            for _, body in hook.snapshot():
                if body.get("status") == status and any(
                        x["labels"].get("alertname") == "AlwaysOn" for x in body.get("alerts", [])):
                    return body
            return None
        fired = wait_until(lambda: webhook("firing"), 30, interval=0.5, what="the firing webhook")
        self.assertEqual(fired["alerts"][0]["labels"]["cluster"], "it-cluster")
        self.assertEqual(fired["alerts"][0]["annotations"]["summary"], "always on with value 1")

        metrics = get(p.url + "/metrics").text
        self.assertIn(f'prometheus_notifications_alertmanagers_discovered 1', metrics)
        self.assertIn('prometheus_notifications_queue_capacity 10000', metrics)
        sent = [l for l in metrics.splitlines()
                if l.startswith(f'prometheus_notifications_sent_total{{alertmanager="{am_url}"}}')]
        self.assertEqual(len(sent), 1)
        self.assertGreaterEqual(float(sent[0].split()[-1]), 1)

        # The rule stops firing after a rule file reload: the alert is resolved.
        with open(rules, "w") as f:
            f.write(SILENT_RULES)
        p.signal(signal.SIGHUP)
        wait_until(lambda: not in_alertmanager(), 60, interval=0.5, what="the alert resolved in Alertmanager")
        resolved = wait_until(lambda: webhook("resolved"), 60, interval=0.5, what="the resolved webhook")
        self.assertEqual(resolved["alerts"][0]["status"], "resolved")
        self.assertEqual(resolved["alerts"][0]["labels"]["team"], "infra")

    def test_hanging_alertmanager_does_not_block_another(self):
        # A socket that accepts connections and never answers.
        hang = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hang.bind(("127.0.0.1", 0))
        hang.listen(16)
        self.addCleanup(hang.close)
        held = []
        stop = threading.Event()

        def accept():
            hang.settimeout(0.2)
            while not stop.is_set():
                try:
                    conn, _ = hang.accept()
                    held.append(conn)
                except OSError:
                    continue
        t = threading.Thread(target=accept, daemon=True)
        t.start()
        self.addCleanup(lambda: [c.close() for c in held])
        self.addCleanup(stop.set)
        hang_addr = f"127.0.0.1:{hang.getsockname()[1]}"

        good = Recorder()
        good_url = self.serve_http(good.handler)
        good_addr = good_url[len("http://"):]
        rules = self.write("rules.yml", FIRING_RULES)
        p = self.start_pharos(f"""
global:
  evaluation_interval: 1s
  external_labels: {{cluster: it-cluster}}
rule_files: ['{rules}']
scrape_configs: []
alerting:
  alertmanagers:
    - timeout: 5s
      static_configs:
        - targets: ['{hang_addr}', '{good_addr}']
""")
        start = time.time()

        def delivered():
            return [b for path, b in good.snapshot() if path == "/api/v2/alerts"]
        posts = wait_until(delivered, 30, interval=0.1, what="delivery to the answering Alertmanager")
        # The first batch reached the answering one before the other's 5s timeout.
        self.assertLess(time.time() - start, 5)
        self.assertEqual(posts[0][0]["labels"], {"alertname": "AlwaysOn", "severity": "page", "team": "infra",
                                                 "cluster": "it-cluster"})
        wait_until(lambda: held, 10, what="pharos connecting to the hanging Alertmanager too")

        hang_url = f"http://{hang_addr}/api/v2/alerts"

        def errors():
            for l in get(p.url + "/metrics").text.splitlines():
                if l.startswith(f'prometheus_notifications_errors_total{{alertmanager="{hang_url}"}}'):
                    return float(l.split()[-1]) >= 1
            return False
        wait_until(errors, 30, interval=0.5, what="the hanging Alertmanager's timeout counted")
        metrics = get(p.url + "/metrics").text
        self.assertIn("prometheus_notifications_dropped_total 0", metrics)
        self.assertIn("prometheus_notifications_alertmanagers_discovered 2", metrics)

    def test_alertmanagers_api_follows_file_sd_relabeling_and_reload(self):
        ams = self.write("ams.json", json.dumps([
            {"targets": ["127.0.0.1:1", "127.0.0.1:2"], "labels": {"role": "keep"}},
            {"targets": ["127.0.0.1:3"], "labels": {"role": "skip"}}]))
        config = f"""
scrape_configs: []
alerting:
  alertmanagers:
    - path_prefix: /prefix
      file_sd_configs: [{{files: ['{ams}']}}]
      relabel_configs:
        - {{source_labels: [role], regex: skip, action: drop}}
    - scheme: https
      static_configs: [{{targets: ['127.0.0.1:4']}}]
"""
        p = self.start_pharos(config, args=["--alertmanager.notification-queue-capacity=123",
                                            "--no-alertmanager.drain-notification-queue-on-shutdown"])
        flags = get(p.url + "/api/v1/status/flags").json()["data"]
        self.assertEqual(flags["alertmanager.notification-queue-capacity"], "123")
        self.assertIn("prometheus_notifications_queue_capacity 123", get(p.url + "/metrics").text)

        def listed():
            d = get(p.url + "/api/v1/alertmanagers").json()["data"]
            return ([a["url"] for a in d["activeAlertmanagers"]], [a["url"] for a in d["droppedAlertmanagers"]])
        self.assertEqual(listed(), (["http://127.0.0.1:1/prefix/api/v2/alerts",
                                     "http://127.0.0.1:2/prefix/api/v2/alerts",
                                     "https://127.0.0.1:4/api/v2/alerts"],
                                    ["http://127.0.0.1:3/prefix/api/v2/alerts"]))
        self.assertIn("prometheus_notifications_alertmanagers_discovered 3", get(p.url + "/metrics").text)

        # A changed file_sd file is picked up without a reload.
        time.sleep(0.05)
        with open(ams, "w") as f:
            json.dump([{"targets": ["127.0.0.1:5"], "labels": {"role": "keep"}}], f)
        wait_until(lambda: listed() == (["http://127.0.0.1:5/prefix/api/v2/alerts",
                                         "https://127.0.0.1:4/api/v2/alerts"], []),
                   20, interval=0.2, what="the file_sd change")

        # A reload replaces the Alertmanagers.
        with open(os.path.join(self.workdir, "pharos.yml"), "w") as f:
            f.write("scrape_configs: []\nalerting:\n  alertmanagers:\n"
                    "    - static_configs: [{targets: ['127.0.0.1:6']}]\n")
        p.signal(signal.SIGHUP)
        wait_until(lambda: listed() == (["http://127.0.0.1:6/api/v2/alerts"], []), 20, interval=0.2,
                   what="the reloaded Alertmanagers")


if __name__ == "__main__":
    import unittest
    unittest.main()
