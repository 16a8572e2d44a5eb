"""Differential: the same rules, data and alertmanager.yml through pharos
(rules + built-in Alertmanager) and through Prometheus 2.42 + Alertmanager
0.25. The alerts (labels, annotations, state) and the notification groups
that reach the webhooks must be the same."""

import json
import os
import shutil
import threading
import time

from harness import IntegrationTest, Process, free_port, get, remote_write, wait_until

AM_BIN = "/usr/bin/prometheus-alertmanager"

RULES = """
groups:
  - name: diff
    interval: 1s
    rules:
      - alert: HighValue
        expr: demo_gauge > 10
        labels: {severity: critical}
        annotations:
          summary: "{{ $labels.instance }} is at {{ $value }}"
          description: "{{ $labels.job }} / {{ humanize $value }}"
      - alert: LowValue
        expr: demo_gauge < 5
        for: 2s
        labels: {severity: warning}
        annotations:
          summary: "{{ $labels.instance }} is low ({{ $value | printf \\"%.1f\\" }})"
      - alert: Always
        expr: vector(1)
        labels: {severity: info, team: "{{ 1 | humanize }}"}
"""

AM_CONFIG = """
route:
  receiver: default
  group_by: [alertname, severity]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: [severity="critical"]
      receiver: crit
      continue: true
    - matchers: [severity=~"critical|warning"]
      receiver: team
      group_by: ['...']
inhibit_rules:
  - source_matchers: [alertname="HighValue"]
    target_matchers: [alertname="LowValue"]
    equal: [job]
receivers:
  - name: default
    webhook_configs: [{url: 'HOOK/default'}]
  - name: crit
    webhook_configs: [{url: 'HOOK/crit'}]
  - name: team
    webhook_configs: [{url: 'HOOK/team'}]
"""

SERIES = [
    ({"__name__": "demo_gauge", "job": "api", "instance": "a"}, 42.0),
    ({"__name__": "demo_gauge", "job": "api", "instance": "b"}, 7.0),
    ({"__name__": "demo_gauge", "job": "db", "instance": "c"}, 1.5),
    ({"__name__": "demo_gauge", "job": "api", "instance": "d"}, 2.0),
]


class Recorder:
    def __init__(self, test):
        self.requests = []
        self.lock = threading.Lock()

        def handle(method, path, headers, body):
            with self.lock:
                self.requests.append((path, json.loads(body)))
            return 200, {}, b"ok"
        self.url = test.serve_http(handle)

    def latest_by_group(self):
        """The last notification of each (path, groupKey), normalized."""
        out = {}
        with self.lock:
            reqs = list(self.requests)
        for path, b in reqs:
            alerts = sorted(
                (json.dumps(a["labels"], sort_keys=True), json.dumps(a["annotations"], sort_keys=True),
                 a["status"], a["fingerprint"]) for a in b["alerts"])
            out[(path, b["groupKey"])] = {
                "receiver": b["receiver"], "status": b["status"], "groupLabels": b["groupLabels"],
                "commonLabels": b["commonLabels"], "commonAnnotations": b["commonAnnotations"],
                "alerts": alerts}
        return out


class AlertingDifferentialTest(IntegrationTest):
    def feeder(self, urls, stop):
        def run():
            while not stop.is_set():
                now = int(time.time() * 1000)
                for u in urls:
                    try:
                        remote_write(u, [(labels, [(now, v)]) for labels, v in SERIES])
                    except Exception:  # noqa: BLE001 - a server may still be starting
                        pass
                stop.wait(0.5)
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t

    def test_same_alerts_and_notifications(self):
        for tool in ("prometheus", AM_BIN):
            if not shutil.which(tool):
                self.fail(f"{tool} is not installed (scripts/setup.sh --test installs it)")
        rules = self.write("rules.yml", RULES)
        rec_pharos, rec_peer = Recorder(self), Recorder(self)

        # The peers: Alertmanager 0.25 fed by Prometheus 2.42.
        am_port = free_port()
        am_cfg = self.write("peer-am.yml", AM_CONFIG.replace("HOOK", rec_peer.url))
        am = self.track(Process("alertmanager", [
            AM_BIN, f"--config.file={am_cfg}", f"--storage.path={os.path.join(self.workdir, 'am')}",
            f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="], self.workdir))
        wait_until(lambda: get(f"http://127.0.0.1:{am_port}/-/ready", timeout=2).status == 200, 30,
                   what="alertmanager ready")
        prom = self.start_prometheus(f"""
global: {{evaluation_interval: 1s, external_labels: {{cluster: diff}}}}
rule_files: ['{rules}']
alerting:
  alertmanagers:
    - static_configs: [{{targets: ['127.0.0.1:{am_port}']}}]
""", extra_args=["--web.enable-remote-write-receiver", "--rules.alert.resend-delay=1s"])

        # Pharos with the same rules and the same alertmanager.yml inline.
        inline = "\n".join("  " + line for line in AM_CONFIG.replace("HOOK", rec_pharos.url).splitlines())
        p = self.start_pharos(f"""
global: {{evaluation_interval: 1s, external_labels: {{cluster: diff}}}}
rule_files: ['{rules}']
alertmanager:
{inline}
""", args=["--rules.alert.resend-delay=1s"])

        stop = threading.Event()
        self.addCleanup(stop.set)
        self.feeder([p.url, prom.url], stop)

        def settled():
            a, b = rec_pharos.latest_by_group(), rec_peer.latest_by_group()
            # LowValue fires after `for: 2s` (its inhibiting HighValue is
            # firing by then); wait for its notifications on both sides and
            # for both sides to agree.
            have_high = any("LowValue" in k[1] for k in b)
            return have_high and a == b and a
        try:
            wait_until(settled, 60, interval=0.5, what="the same notification groups")
        except AssertionError:
            a, b = rec_pharos.latest_by_group(), rec_peer.latest_by_group()
            for k in sorted(set(a) | set(b)):
                if a.get(k) != b.get(k):
                    print(f"\n{k}\n  pharos: {a.get(k)}\n  peer:   {b.get(k)}")
            raise
        groups = rec_pharos.latest_by_group()
        paths = sorted({k[0] for k in groups})
        self.assertEqual(paths, ["/crit", "/default", "/team"])

        # The rule-side view: the same alerts in /api/v1/alerts.
        def alerts(url):
            out = get(url + "/api/v1/alerts").json()["data"]["alerts"]
            return sorted((json.dumps(a["labels"], sort_keys=True), json.dumps(a["annotations"], sort_keys=True),
                           a["state"]) for a in out)
        wait_until(lambda: alerts(p.url) == alerts(prom.url), 20, interval=0.5, what="the same /api/v1/alerts")
        self.assertEqual(len(alerts(p.url)), 4)

        # And the Alertmanager-side view: the same alerts with the same state.
        def am_alerts(url):
            out = get(url + "/api/v2/alerts").json()
            return sorted((a["fingerprint"], json.dumps(a["labels"], sort_keys=True), a["status"]["state"],
                           tuple(sorted(r["name"] for r in a["receivers"]))) for a in out)
        wait_until(lambda: am_alerts(p.url) == am_alerts(f"http://127.0.0.1:{am_port}"), 20, interval=0.5,
                   what="the same /api/v2/alerts")
        am.stop()
