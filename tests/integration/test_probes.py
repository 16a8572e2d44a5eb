"""Probes through the real binary: dependency checks from the `probes:`
section feed /health/detailed and the TSDB, and /probe answers like
blackbox_exporter with Debian's own module file."""

import os
import signal

from harness import IntegrationTest, get, wait_until

BLACKBOX_FILE = "/etc/prometheus/blackbox.yml"


class ProbesTest(IntegrationTest):
    def config(self, redis_port, http_port, critical="true"):
        return f"""
global:
  scrape_interval: 15s
scrape_configs: []
probes:
  modules:
    redis_ping: {{prober: redis, timeout: 1s}}
    web_2xx: {{prober: http, timeout: 1s}}
  targets:
    - {{name: redis, module: redis_ping, target: '127.0.0.1:{redis_port}', interval: 1s, critical: {critical}}}
    - {{name: web, module: web_2xx, target: 'http://127.0.0.1:{http_port}/ok', interval: 1s, critical: false}}
"""

    def start_web(self):
        def handler(method, path, headers, body):
            return (200, {"Content-Type": "text/plain"}, b"fine\n")
        url = self.serve_http(handler)
        return type("Web", (), {"url": url, "port": int(url.rsplit(":", 1)[1])})

    def services(self, p):
        r = get(p.url + "/health/detailed")
        return r.status, r.json()

    def test_dependency_health_follows_the_server(self):
        redis = self.start_redis()
        web = self.start_web()
        p = self.start_pharos(self.config(redis.port, web.port))

        def healthy():
            code, body = self.services(p)
            return code == 200 and body["services"].get("redis") == "healthy" \
                and body["services"].get("web") == "healthy" and body
        wait_until(healthy, 30, what="both probes healthy")

        r = p.query('probe_success{job="probe/redis"}')
        self.assertEqual(r["data"]["result"][0]["value"][1], "1")
        self.assertEqual(r["data"]["result"][0]["metric"]["instance"], f"127.0.0.1:{redis.port}")
        r = p.query('probe_http_status_code{job="probe/web"}')
        self.assertEqual(r["data"]["result"][0]["value"][1], "200")

        # The critical dependency goes away: degraded, 503, and the reason.
        redis.signal(signal.SIGKILL)

        def degraded():
            code, body = self.services(p)
            return code == 503 and body["status"] == "degraded" and \
                body["services"]["redis"].startswith("unhealthy: ") and body
        body = wait_until(degraded, 30, what="redis unhealthy and the answer degraded")
        self.assertEqual(body["services"]["web"], "healthy")
        wait_until(lambda: p.query('probe_success{job="probe/redis"}')["data"]["result"][0]["value"][1] == "0",
                   30, what="probe_success 0 stored")

    def test_non_critical_failure_does_not_degrade(self):
        redis = self.start_redis()
        web = self.start_web()
        p = self.start_pharos(self.config(redis.port, web.port, critical="false"))
        redis.signal(signal.SIGKILL)

        def reported():
            code, body = self.services(p)
            return body["services"].get("redis", "").startswith("unhealthy: ") and (code, body)
        code, body = wait_until(reported, 30, what="redis reported unhealthy")
        self.assertEqual(code, 200)
        self.assertEqual(body["status"], "healthy")

    def test_probe_endpoint_with_debians_module_file(self):
        if not os.path.exists(BLACKBOX_FILE):
            self.fail(f"{BLACKBOX_FILE} is missing (scripts/setup.sh --test installs prometheus-blackbox-exporter)")
        web = self.start_web()
        p = self.start_pharos("scrape_configs: []\n", args=[f"--probes.config.file={BLACKBOX_FILE}"])
        r = get(p.url + "/probe", {"module": "http_2xx", "target": f"http://127.0.0.1:{web.port}/"})
        self.assertEqual(r.status, 200, r.text)
        self.assertRegex(r.text, r"(?m)^probe_success 1$")
        self.assertRegex(r.text, r"(?m)^probe_http_status_code 200$")
        r = get(p.url + "/probe", {"module": "no_such_module", "target": "127.0.0.1:1"})
        self.assertEqual(r.status, 400)
        self.assertIn("no_such_module", r.text)

    def test_unknown_module_refused_at_start(self):
        import subprocess
        from harness import PHAROS_BIN
        cfg = self.write("bad.yml", "probes:\n  targets:\n    - {name: x, module: nope, target: '127.0.0.1:1'}\n")
        data = os.path.join(self.workdir, "data")
        r = subprocess.run([PHAROS_BIN, f"--config.file={cfg}", f"--storage.tsdb.path={data}",
                            "--web.listen-address=127.0.0.1:0"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("nope", r.stderr)


class ProbeAlertRulesTest(IntegrationTest):
    """deploy/examples/probe_alerts.yml: each alert fires on data made to
    trigger it and stays quiet otherwise (promtool's unit-test format)."""

    def test_rules_pass_their_unit_tests(self):
        import shutil
        import subprocess
        from harness import SOURCE_DIR
        examples = os.path.join(SOURCE_DIR, "deploy", "examples")
        promtool = shutil.which("promtool")
        if promtool is None:
            self.fail("promtool is not installed (scripts/setup.sh --test installs prometheus)")
        r = subprocess.run([promtool, "test", "rules", "probe_alerts_test.yml"], cwd=examples,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout)
