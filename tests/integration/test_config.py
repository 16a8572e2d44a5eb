"""Configuration: the guide's prometheus.yml, `pharos check config`, errors
with positions, and reload (SIGHUP and POST /-/reload) refusing bad configs."""

import re
import signal
import subprocess
import time

from harness import PHAROS_BIN, IntegrationTest, get, http, wait_until

# The prometheus.yml of the monitoring guide, as printed there.
GUIDE_PROMETHEUS_YML = """global:
  scrape_interval: 15s
  evaluation_interval: 15s

scrape_configs:
  - job_name: 'autodealgenie-backend'
    static_configs:
      - targets: ['backend:8000']
    metrics_path: '/metrics'

  - job_name: 'postgres'
    static_configs:
      - targets: ['postgres-exporter:9187']

  - job_name: 'redis'
    static_configs:
      - targets: ['redis-exporter:9121']
"""


def check_config(path):
    return subprocess.run([PHAROS_BIN, "check", "config", path], capture_output=True, text=True,
                          timeout=30)


class ConfigTest(IntegrationTest):
    def test_deploy_example_config_checks(self):
        import os
        from harness import SOURCE_DIR
        lines, inside = [], False
        with open(os.path.join(SOURCE_DIR, "deploy", "k8s", "configmap.yaml")) as f:
            for line in f:
                if line.strip() == "pharos.yml: |":
                    inside = True
                elif inside:
                    lines.append(line[4:])
        self.assertTrue(lines)
        r = check_config(self.write("pharos.yml", "".join(lines)))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout)

    def test_guide_config_checks(self):
        r = check_config(self.write("prometheus.yml", GUIDE_PROMETHEUS_YML))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout)

    def test_unknown_key_names_file_line_column(self):
        path = self.write("bad.yml", "global:\n  scrape_interval: 15s\n  scrape_intervl: 1m\n")
        r = check_config(path)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stdout + r.stderr, re.escape(path) + r":3:3:.*scrape_intervl")

    def test_wrong_type_names_position(self):
        path = self.write("bad.yml", "scrape_configs:\n  - job_name: x\n    scrape_interval: soon\n")
        r = check_config(path)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stdout + r.stderr, re.escape(path) + r":3:\d+:.*soon")

    def test_server_refuses_bad_config_at_start(self):
        path = self.write("bad.yml", "scrape_configs: 12\n")
        r = subprocess.run([PHAROS_BIN, f"--config.file={path}",
                            f"--storage.tsdb.path={self.workdir}/d", "--web.listen-address=127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("bad.yml:1:", r.stderr)

    def test_the_guides_config_starts_the_server(self):
        p = self.start_pharos(GUIDE_PROMETHEUS_YML)
        jobs = {t["scrapePool"] for t in get(p.url + "/api/v1/targets").json()["data"]["activeTargets"]}
        self.assertEqual(jobs, {"autodealgenie-backend", "postgres", "redis"})

    def _jobs(self, p):
        return {t["scrapePool"] for t in get(p.url + "/api/v1/targets").json()["data"]["activeTargets"]}

    def test_reload_by_sighup_and_http(self):
        cfg = "scrape_configs:\n  - job_name: one\n    static_configs:\n      - targets: ['127.0.0.1:1']\n"
        p = self.start_pharos(cfg, args=["--web.enable-lifecycle"])
        self.assertEqual(self._jobs(p), {"one"})

        self.write("pharos.yml", cfg.replace("one", "two"))
        p.signal(signal.SIGHUP)
        wait_until(lambda: self._jobs(p) == {"two"}, 20, what="SIGHUP reload")

        self.write("pharos.yml", cfg.replace("one", "three"))
        r = http("POST", p.url + "/-/reload")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self._jobs(p), {"three"})

        # A bad config is refused with the reason; the old one keeps running.
        self.write("pharos.yml", "scrape_configs:\n  - job_name: [\n")
        r = http("POST", p.url + "/-/reload")
        self.assertEqual(r.status, 500)
        self.assertIn("pharos.yml", r.text)
        self.assertEqual(self._jobs(p), {"three"})
        p.signal(signal.SIGHUP)
        time.sleep(1)
        self.assertTrue(p.alive())
        self.assertEqual(self._jobs(p), {"three"})

    def test_reload_endpoint_needs_lifecycle_flag(self):
        p = self.start_pharos("scrape_configs: []\n")
        r = http("POST", p.url + "/-/reload")
        self.assertEqual(r.status, 403)

    def test_status_config_masks_secrets(self):
        cfg = """scrape_configs:
  - job_name: secret
    basic_auth:
      username: u
      password: hunter2
    static_configs:
      - targets: ['127.0.0.1:1']
"""
        p = self.start_pharos(cfg)
        yaml_text = get(p.url + "/api/v1/status/config").json()["data"]["yaml"]
        self.assertIn("<secret>", yaml_text)
        self.assertNotIn("hunter2", yaml_text)
