"""The built-in Alertmanager through its real interfaces: API v2, amtool,
notifications to local webhook/Slack/PagerDuty recorders, a real
Prometheus 2.42 delivering alerts, and a restart in the middle.

Every test runs against pharos. With AM_BACKEND=alertmanager the same tests
run against Debian's Alertmanager 0.25 instead, which is how the expected
behaviour in this file was checked:

    AM_BACKEND=alertmanager PHAROS_BIN=build/pharos \
        python3 -m unittest tests/integration/test_alertmanager.py
"""

import json
import os
import shutil
import signal
import subprocess
import threading
import time

from harness import IntegrationTest, Process, free_port, get, http, wait_until

BACKEND = os.environ.get("AM_BACKEND", "pharos")
AM_BIN = "/usr/bin/prometheus-alertmanager"


def iso(t):
    """RFC 3339 with milliseconds, UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


class Recorder:
    """A local HTTP endpoint that records JSON requests. `fail` requests
    are answered with 500 before it starts answering 200."""

    def __init__(self, test, fail=0):
        self.requests = []
        self.fail = fail
        self.lock = threading.Lock()
        self.url = test.serve_http(self._handle)

    def _handle(self, method, path, headers, body):
        with self.lock:
            if self.fail > 0:
                self.fail -= 1
                return 500, {}, b"try again"
            try:
                payload = json.loads(body) if body else None
            except ValueError:
                payload = body
            self.requests.append({"path": path, "body": payload, "at": time.time(),
                                  "headers": dict(headers)})
        return 200, {"Content-Type": "application/json"}, b'{"status":"success"}'

    def bodies(self, path_prefix=""):
        with self.lock:
            return [r["body"] for r in self.requests if r["path"].startswith(path_prefix)]

    def wait_count(self, n, timeout=30, path_prefix=""):
        return wait_until(lambda: len(self.bodies(path_prefix)) >= n and self.bodies(path_prefix),
                          timeout, interval=0.1, what=f"{n} notifications at {self.url}{path_prefix}")


class AlertmanagerTest(IntegrationTest):
    # ------------------------------------------------------------ backends

    def start_am(self, config_text, data_dir=None, port=None):
        """Starts the backend with `config_text` as alertmanager.yml; returns
        an object with .url (the API base) and .stop()."""
        cfg = self.write("alertmanager.yml", config_text)
        data_dir = data_dir or os.path.join(self.workdir, "am-data")
        port = port or free_port()
        if BACKEND == "alertmanager":
            p = self.track(Process("alertmanager", [
                AM_BIN, f"--config.file={cfg}", f"--storage.path={data_dir}",
                f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
                "--log.level=debug"], self.workdir))
        else:
            prom_cfg = self.write("pharos.yml", "scrape_configs: []\n")
            p = self.track(Process("pharos", [
                os.environ["PHAROS_BIN"], f"--web.listen-address=127.0.0.1:{port}",
                f"--storage.tsdb.path={data_dir}", f"--config.file={prom_cfg}",
                f"--alertmanager.config.file={cfg}", "--log.level=debug"], self.workdir))
        p.url = f"http://127.0.0.1:{port}"
        p.port = port
        p.data_dir = data_dir

        def ready():
            if not p.alive():
                raise AssertionError(f"{p.name} exited:\n{p.log_tail()}")
            return get(p.url + "/-/ready", timeout=2).status == 200
        wait_until(ready, 30, what=f"{p.name} ready")
        return p

    def post_alerts(self, am, alerts):
        r = http("POST", am.url + "/api/v2/alerts", json.dumps(alerts).encode(),
                 {"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.text)

    def alerts(self, am, query=""):
        return get(am.url + "/api/v2/alerts" + query).json()

    def amtool(self, am, *args):
        r = subprocess.run(["amtool", f"--alertmanager.url={am.url}", *args],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, f"amtool {' '.join(args)}: {r.stdout}{r.stderr}")
        return r.stdout

    def webhook_config(self, url, group_wait="1s", group_interval="2s", repeat_interval="1h",
                       extra=""):
        return f"""
route:
  receiver: hook
  group_by: [alertname]
  group_wait: {group_wait}
  group_interval: {group_interval}
  repeat_interval: {repeat_interval}
receivers:
  - name: hook
    webhook_configs:
      - url: '{url}/hook'
{extra}
"""

    @staticmethod
    def alert(name, ends=None, starts=None, **labels):
        a = {"labels": {"alertname": name, **labels},
             "annotations": {"summary": f"{name} on {labels.get('instance', '?')}"},
             "generatorURL": "http://127.0.0.1/graph"}
        if starts is not None:
            a["startsAt"] = iso(starts)
        if ends is not None:
            a["endsAt"] = iso(ends)
        return a

    # ---------------------------------------------------------------- tests

    def test_grouping_and_resolve(self):
        rec = Recorder(self)
        am = self.start_am(self.webhook_config(rec.url))
        now = time.time()
        self.post_alerts(am, [self.alert("Disk", instance="a", starts=now - 5),
                              self.alert("Disk", instance="b", starts=now - 5),
                              self.alert("Cpu", instance="a", starts=now - 5)])
        bodies = rec.wait_count(2)
        time.sleep(0.5)
        self.assertEqual(len(rec.bodies()), 2, "one notification per group")
        by_group = {b["groupLabels"]["alertname"]: b for b in bodies}
        disk = by_group["Disk"]
        self.assertEqual(disk["version"], "4")
        self.assertEqual(disk["status"], "firing")
        self.assertEqual(disk["receiver"], "hook")
        self.assertEqual(disk["groupKey"], '{}:{alertname="Disk"}')
        self.assertEqual(disk["commonLabels"], {"alertname": "Disk"})
        self.assertEqual(disk["truncatedAlerts"], 0)
        self.assertEqual(sorted(a["labels"]["instance"] for a in disk["alerts"]), ["a", "b"])
        for a in disk["alerts"]:
            self.assertEqual(a["status"], "firing")
            self.assertEqual(a["endsAt"], "0001-01-01T00:00:00Z")
            self.assertEqual(len(a["fingerprint"]), 16)
            self.assertEqual(a["generatorURL"], "http://127.0.0.1/graph")
        self.assertEqual(by_group["Cpu"]["commonAnnotations"], {"summary": "Cpu on a"})

        # API v2 sees the alerts with their receivers and state.
        listed = self.alerts(am, '?filter=alertname="Disk"')
        self.assertEqual(len(listed), 2)
        for a in listed:
            self.assertEqual(a["receivers"], [{"name": "hook"}])
            self.assertEqual(a["status"], {"state": "active", "silencedBy": [], "inhibitedBy": []})
        groups = get(am.url + "/api/v2/alerts/groups").json()
        self.assertEqual(sorted(g["labels"]["alertname"] for g in groups), ["Cpu", "Disk"])
        self.assertEqual(groups[0]["receiver"], {"name": "hook"})

        # Resolving one alert of the group: the next flush reports it resolved.
        self.post_alerts(am, [self.alert("Disk", instance="a", starts=now - 5, ends=time.time())])
        bodies = rec.wait_count(3)
        third = bodies[2]
        self.assertEqual(third["groupLabels"], {"alertname": "Disk"})
        self.assertEqual(third["status"], "firing")
        states = {a["labels"]["instance"]: a["status"] for a in third["alerts"]}
        self.assertEqual(states, {"a": "resolved", "b": "firing"})
        # …and resolving the last one resolves the group.
        self.post_alerts(am, [self.alert("Disk", instance="b", starts=now - 5, ends=time.time())])
        bodies = rec.wait_count(4)
        self.assertEqual(bodies[3]["status"], "resolved")
        self.assertEqual([a["labels"]["instance"] for a in bodies[3]["alerts"]], ["b"])

    def test_repeat_interval_and_retry(self):
        rec = Recorder(self, fail=2)
        am = self.start_am(self.webhook_config(rec.url, group_interval="1s", repeat_interval="3s"))
        self.post_alerts(am, [self.alert("Flaky", instance="a")])
        # Two failures are retried within the flush; then one notification.
        first = rec.wait_count(1, timeout=20)
        t0 = rec.requests[0]["at"]
        self.assertEqual(first[0]["alerts"][0]["labels"]["alertname"], "Flaky")
        # Nothing changes: the same notification again only after repeat_interval.
        rec.wait_count(2, timeout=20)
        gap = rec.requests[1]["at"] - t0
        self.assertGreaterEqual(gap, 2.5, "repeat_interval respected")
        self.assertLess(gap, 10)

    def test_silences_with_amtool(self):
        rec = Recorder(self)
        am = self.start_am(self.webhook_config(rec.url))
        sid = self.amtool(am, "silence", "add", "alertname=Muted", "instance=~a|b",
                          "--comment=maintenance", "--author=ops", "--duration=1h").strip()
        self.assertEqual(len(sid), 36, sid)
        out = json.loads(self.amtool(am, "silence", "query", "-o", "json"))
        self.assertEqual([s["id"] for s in out], [sid])
        self.assertEqual(out[0]["createdBy"], "ops")
        self.assertEqual(out[0]["comment"], "maintenance")
        self.assertEqual(out[0]["status"]["state"], "active")
        matchers = sorted((m["name"], m["value"], m["isRegex"], m.get("isEqual", True))
                          for m in out[0]["matchers"])
        self.assertEqual(matchers, [("alertname", "Muted", False, True),
                                    ("instance", "a|b", True, True)])
        got = get(am.url + "/api/v2/silence/" + sid).json()
        self.assertEqual(got["id"], sid)

        self.post_alerts(am, [self.alert("Muted", instance="a"), self.alert("Loud", instance="a")])
        rec.wait_count(1)
        time.sleep(2.5)
        names = [b["groupLabels"]["alertname"] for b in rec.bodies()]
        self.assertEqual(names, ["Loud"], "the silenced alert does not notify")
        muted = self.alerts(am, '?filter=alertname="Muted"')
        self.assertEqual(muted[0]["status"]["state"], "suppressed")
        self.assertEqual(muted[0]["status"]["silencedBy"], [sid])
        # amtool's alert listing hides silenced alerts unless asked.
        self.assertNotIn("Muted", self.amtool(am, "alert", "query"))
        self.assertIn("Muted", self.amtool(am, "alert", "query", "--silenced"))

        self.amtool(am, "silence", "expire", sid)
        out = json.loads(self.amtool(am, "silence", "query", "--expired", "-o", "json"))
        self.assertEqual(out[0]["status"]["state"], "expired")
        # Once the silence is gone the alert notifies.
        rec.wait_count(2, timeout=15)
        self.assertEqual(rec.bodies()[1]["groupLabels"]["alertname"], "Muted")

        r = http("GET", am.url + "/api/v2/silence/00000000-0000-0000-0000-000000000000")
        self.assertEqual(r.status, 404)

    def test_inhibition(self):
        rec = Recorder(self)
        extra = """inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
"""
        am = self.start_am(self.webhook_config(rec.url, extra=extra))
        self.post_alerts(am, [self.alert("NodeDown", severity="critical", cluster="east"),
                              self.alert("HighLoad", severity="warning", cluster="east"),
                              self.alert("HighLatency", severity="warning", cluster="west")])
        rec.wait_count(2)
        time.sleep(2.5)
        names = sorted(b["groupLabels"]["alertname"] for b in rec.bodies())
        self.assertEqual(names, ["HighLatency", "NodeDown"])
        inhibited = self.alerts(am, '?filter=alertname="HighLoad"')[0]
        self.assertEqual(inhibited["status"]["state"], "suppressed")
        source = self.alerts(am, '?filter=alertname="NodeDown"')[0]
        self.assertEqual(inhibited["status"]["inhibitedBy"], [source["fingerprint"]])
        # Hidden from the default listing, shown when inhibited ones are asked for.
        self.assertEqual(len(self.alerts(am, "?inhibited=false")), 2)

    def test_restart_keeps_silences_and_notification_log(self):
        rec = Recorder(self)
        cfg = self.webhook_config(rec.url)
        am = self.start_am(cfg)
        port, data = am.port, am.data_dir
        sid = self.amtool(am, "silence", "add", "alertname=Muted", "--comment=c",
                          "--author=a", "--duration=1h").strip()
        alerts = [self.alert("Muted", instance="a"), self.alert("Sent", instance="a")]
        self.post_alerts(am, alerts)
        rec.wait_count(1)
        time.sleep(2.5)
        self.assertEqual(len(rec.bodies()), 1)
        am.stop()
        self._procs.remove(am)

        am = self.start_am(cfg, data_dir=data, port=port)
        out = json.loads(self.amtool(am, "silence", "query", "-o", "json"))
        self.assertEqual([s["id"] for s in out], [sid])
        self.post_alerts(am, alerts)
        time.sleep(4)
        self.assertEqual(len(rec.bodies()), 1,
                         "nothing is sent again before repeat_interval, silences still hold")

    def test_hanging_and_garbage_receivers_delay_nothing_else(self):
        import socket
        rec = Recorder(self)
        # A receiver that accepts connections and never answers, and one that
        # answers garbage.
        hang = socket.socket()
        hang.bind(("127.0.0.1", 0))
        hang.listen(16)
        self.addCleanup(hang.close)
        garbage = socket.socket()
        garbage.bind(("127.0.0.1", 0))
        garbage.listen(16)
        self.addCleanup(garbage.close)

        def answer_garbage():
            while True:
                try:
                    c, _ = garbage.accept()
                except OSError:
                    return
                c.recv(65536)
                c.sendall(b"\x00\x01 not http at all\r\n\r\n")
                c.close()
        threading.Thread(target=answer_garbage, daemon=True).start()
        cfg = f"""
route:
  receiver: good
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  routes:
    - matchers: [alertname="ToHang"]
      receiver: hang
    - matchers: [alertname="ToGarbage"]
      receiver: garbage
receivers:
  - name: good
    webhook_configs: [{{url: '{rec.url}/good'}}]
  - name: hang
    webhook_configs: [{{url: 'http://127.0.0.1:{hang.getsockname()[1]}/'}}]
  - name: garbage
    webhook_configs: [{{url: 'http://127.0.0.1:{garbage.getsockname()[1]}/'}}]
"""
        am = self.start_am(cfg)
        self.post_alerts(am, [self.alert("ToHang"), self.alert("ToGarbage")])
        time.sleep(0.5)
        t0 = time.time()
        self.post_alerts(am, [self.alert("Good", instance="a")])
        rec.wait_count(1, timeout=10)
        self.assertLess(rec.requests[0]["at"] - t0, 8, "group_wait plus a little, not the 10 s flush timeout")
        # The API keeps answering promptly meanwhile.
        t1 = time.time()
        self.assertEqual(len(self.alerts(am)), 3)
        self.assertLess(time.time() - t1, 5)

    def test_bad_input(self):
        rec = Recorder(self)
        am = self.start_am(self.webhook_config(rec.url))
        for body in [b"{", b'[{"labels": "x"}]', b'[{"annotations": {}}]',
                     b'[{"labels": {"a": "b"}, "startsAt": "yesterday"}]']:
            r = http("POST", am.url + "/api/v2/alerts", body, {"Content-Type": "application/json"})
            # Alertmanager answers 400 for a body it cannot decode and 422
            # for one that fails validation (a missing labels field).
            self.assertIn(r.status, (400, 422), body)
            self.assertTrue(r.text.strip(), "the 400 says what was wrong")
        r = http("POST", am.url + "/api/v2/silences", b'{"matchers": []}',
                 {"Content-Type": "application/json"})
        self.assertEqual(r.status, 422)
        silence = {"matchers": [{"name": "a", "value": "(", "isRegex": True}], "createdBy": "x",
                   "comment": "c", "startsAt": iso(time.time()), "endsAt": iso(time.time() + 60)}
        r = http("POST", am.url + "/api/v2/silences", json.dumps(silence).encode(),
                 {"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertIn("invalid", r.text)
        self.assertEqual(get(am.url + "/api/v2/silences").json(), [])
        self.assertEqual(self.alerts(am), [])

    def test_status_and_receivers(self):
        rec = Recorder(self)
        am = self.start_am(self.webhook_config(rec.url))
        st = get(am.url + "/api/v2/status").json()
        self.assertIn("route:", st["config"]["original"])
        self.assertIn("versionInfo", st)
        self.assertIn("uptime", st)
        self.assertEqual(st["cluster"]["status"], "disabled")
        recv = get(am.url + "/api/v2/receivers").json()
        self.assertEqual(recv, [{"name": "hook"}])
        self.assertIn("receiver: hook", self.amtool(am, "config", "show"))

    def test_guide_config_routes_by_severity(self):
        if BACKEND == "alertmanager":
            # Alertmanager 0.25 posts PagerDuty v1 events to PagerDuty's own
            # host whatever `url` says; pharos honours `url`.
            self.skipTest("would contact events.pagerduty.com")
        rec = Recorder(self)
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "seed",
                               "monitoring-guide.md")) as f:
            guide = f.read()
        start = guide.index("# alertmanager.yml")
        text = guide[start:guide.index("```", start)]
        text = text.replace("'YOUR_SLACK_WEBHOOK_URL'", f"'{rec.url}/slack'")
        text = text.replace("service_key: 'YOUR_PAGERDUTY_KEY'",
                            f"service_key: 'pd-key'\n        url: '{rec.url}/pagerduty'")
        # The guide waits 10 s per group; the test waits 1 s.
        text = text.replace("group_wait: 10s", "group_wait: 1s")
        am = self.start_am(text)
        self.post_alerts(am, [self.alert("ServiceDown", severity="critical", instance="x"),
                              self.alert("HighLatency", severity="warning", instance="x"),
                              self.alert("Other", instance="x")])
        rec.wait_count(3)
        time.sleep(1)
        with rec.lock:
            reqs = list(rec.requests)
        self.assertEqual(len(reqs), 3)
        paths = {r["path"]: r["body"] for r in reqs}
        pd = paths["/pagerduty"]
        self.assertEqual(pd["service_key"], "pd-key")
        self.assertEqual(pd["event_type"], "trigger")
        self.assertEqual(pd["description"], "[FIRING:1] ServiceDown critical (x)")
        self.assertEqual(pd["details"]["num_firing"], "1")
        slack_bodies = [r["body"] for r in reqs if r["path"] == "/slack"]
        by_channel = {b["channel"]: b for b in slack_bodies}
        self.assertEqual(by_channel["#warnings"]["attachments"][0]["title"], "AutoDealGenie Warning")
        self.assertEqual(by_channel["#warnings"]["attachments"][0]["text"], "HighLatency on x")
        self.assertEqual(by_channel["#alerts"]["attachments"][0]["title"], "AutoDealGenie Alert")
        self.assertEqual(by_channel["#alerts"]["attachments"][0]["text"], "Other on x\\n")

    def test_prometheus_delivers_alerts(self):
        if not shutil.which("prometheus"):
            self.fail("prometheus is not installed (scripts/setup.sh --test installs it)")
        rec = Recorder(self)
        am = self.start_am(self.webhook_config(rec.url))
        rules = self.write("rules.yml", """
groups:
  - name: always
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: page}
        annotations: {summary: "value {{ $value }}"}
""")
        self.start_prometheus(f"""
global: {{evaluation_interval: 1s, external_labels: {{cluster: test}}}}
rule_files: ['{rules}']
alerting:
  alertmanagers:
    - static_configs: [{{targets: ['127.0.0.1:{am.port}']}}]
""", extra_args=["--rules.alert.resend-delay=1s"])
        body = rec.wait_count(1, timeout=60)[0]
        a = body["alerts"][0]
        self.assertEqual(a["labels"], {"alertname": "AlwaysFiring", "severity": "page",
                                       "cluster": "test"})
        self.assertEqual(a["annotations"], {"summary": "value 1"})
        self.assertTrue(a["generatorURL"].startswith("http://"))
        listed = self.alerts(am)
        self.assertEqual(listed[0]["labels"]["alertname"], "AlwaysFiring")


class AlertmanagerConfigCliTest(IntegrationTest):
    """The guide's alertmanager.yml through `pharos check` and the server."""

    def guide_text(self):
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "seed",
                               "monitoring-guide.md")) as f:
            guide = f.read()
        start = guide.index("# alertmanager.yml")
        return guide[start:guide.index("```", start)]

    def pharos(self, *args):
        return subprocess.run([os.environ["PHAROS_BIN"], *args], capture_output=True, text=True, timeout=30)

    def test_guide_as_printed_is_refused_naming_key_and_line(self):
        path = self.write("alertmanager.yml", self.guide_text())
        r = self.pharos("check", "alertmanager-config", path)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"{path}:4:", r.stdout)
        self.assertIn("slack_api_url", r.stdout)
        self.assertIn('unsupported scheme "" for URL', r.stdout)
        # amtool says the same about it.
        a = subprocess.run(["amtool", "check-config", path], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(a.returncode, 0)
        self.assertIn('unsupported scheme "" for URL', a.stdout + a.stderr)
        # The server refuses to start with it.
        port = free_port()
        p = self.track(Process("pharos", [
            os.environ["PHAROS_BIN"], f"--web.listen-address=127.0.0.1:{port}",
            f"--storage.tsdb.path={self.workdir}/data", f"--alertmanager.config.file={path}"], self.workdir))
        self.assertNotEqual(p.proc.wait(30), 0)
        self.assertIn("slack_api_url", p.log_tail())

    def test_filled_guide_checks_like_amtool(self):
        text = self.guide_text().replace("YOUR_SLACK_WEBHOOK_URL", "http://127.0.0.1:1/slack")
        path = self.write("alertmanager.yml", text)
        r = self.pharos("check", "alertmanager-config", path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout)
        self.assertIn(" - 3 receivers", r.stdout)
        a = subprocess.run(["amtool", "check-config", path], capture_output=True, text=True, timeout=30)
        self.assertEqual(a.returncode, 0, a.stdout + a.stderr)
        self.assertIn(" - 3 receivers", a.stdout)

    def test_inline_section_is_checked_and_reload_refuses_a_bad_one(self):
        good = ("alertmanager:\n  route: {receiver: x}\n  receivers: [{name: x}]\n")
        path = self.write("pharos.yml", good)
        r = self.pharos("check", "config", path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("alertmanager section is valid", r.stdout)
        bad = "alertmanager:\n  route: {receiver: nobody}\n  receivers: [{name: x}]\n"
        bad_path = self.write("bad.yml", bad)
        r = self.pharos("check", "config", bad_path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("nobody", r.stderr)

        p = self.start_pharos(good)
        self.assertEqual(get(p.url + "/api/v2/receivers").json(), [{"name": "x"}])
        with open(p.url and os.path.join(self.workdir, "pharos.yml"), "w") as f:
            f.write(bad)
        p.signal(signal.SIGHUP)
        wait_until(lambda: "prometheus_config_last_reload_successful 0" in get(p.url + "/metrics").text,
                   20, what="the reload refused")
        self.assertEqual(get(p.url + "/api/v2/receivers").json(), [{"name": "x"}])
        with open(os.path.join(self.workdir, "pharos.yml"), "w") as f:
            f.write(good.replace("name: x", "name: y").replace("receiver: x", "receiver: y"))
        p.signal(signal.SIGHUP)
        wait_until(lambda: get(p.url + "/api/v2/receivers").json() == [{"name": "y"}], 20,
                   what="the reload applied")
