"""Rule files through the server: recording rules written back, an alert
going pending then firing, /api/v1/rules and /api/v1/alerts, and a reload
with a broken rule file refused."""

import signal
import time

from harness import IntegrationTest, get, remote_write, wait_until

RULES = """
groups:
  - name: demo
    interval: 1s
    rules:
      - record: job:demo_total:sum
        expr: sum by (job) (demo_total)
      - alert: DemoHigh
        expr: demo_total > 10
        for: 2s
        labels: {severity: warning}
        annotations:
          summary: "demo is {{ $value }} on {{ $labels.instance }}"
"""


class RulesTest(IntegrationTest):
    def test_rules_record_and_alert(self):
        rules = self.write("rules.yml", RULES)
        p = self.start_pharos(f"global:\n  evaluation_interval: 1s\nrule_files: ['{rules}']\nscrape_configs: []\n")
        stop = time.time() + 60

        def feed():
            now = int(time.time() * 1000)
            remote_write(p.url, [({"__name__": "demo_total", "job": "j", "instance": "a"}, [(now, 42)]),
                                 ({"__name__": "demo_total", "job": "j", "instance": "b"}, [(now, 1)])])

        def firing():
            feed()
            alerts = get(p.url + "/api/v1/alerts").json()["data"]["alerts"]
            return [a for a in alerts if a["state"] == "firing"]
        alerts = wait_until(firing, 30, interval=0.5, what="DemoHigh firing")
        self.assertLess(time.time(), stop)
        self.assertEqual(len(alerts), 1)
        a = alerts[0]
        self.assertEqual(a["labels"]["alertname"], "DemoHigh")
        self.assertEqual(a["labels"]["instance"], "a")
        self.assertEqual(a["annotations"]["summary"], "demo is 42 on a")
        self.assertEqual(a["value"], "4.2e+01")

        r = p.query("job:demo_total:sum")
        self.assertEqual(r["data"]["result"][0]["value"][1], "43")
        r = p.query('ALERTS{alertname="DemoHigh",alertstate="firing"}')
        self.assertEqual(len(r["data"]["result"]), 1)

        groups = get(p.url + "/api/v1/rules").json()["data"]["groups"]
        self.assertEqual(groups[0]["name"], "demo")
        kinds = [r["type"] for r in groups[0]["rules"]]
        self.assertEqual(kinds, ["recording", "alerting"])
        self.assertEqual(groups[0]["rules"][1]["state"], "firing")

        # A broken rule file is refused on reload; the rules keep running.
        with open(rules, "w") as f:
            f.write("groups:\n  - name: demo\n    rules:\n      - record: x\n        expr: sum(\n")
        p.signal(signal.SIGHUP)
        wait_until(lambda: "prometheus_config_last_reload_successful 0" in get(p.url + "/metrics").text,
                   20, what="the reload refused")
        groups = get(p.url + "/api/v1/rules").json()["data"]["groups"]
        self.assertEqual(len(groups[0]["rules"]), 2)
