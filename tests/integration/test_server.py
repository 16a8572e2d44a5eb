"""The server on its embedded default: health, self-metrics, request ids,
flags, and scraping itself."""

import json
import os
import re
import time

from harness import IntegrationTest, get, http, wait_until


class ServerTest(IntegrationTest):
    def test_health_endpoints(self):
        p = self.start_pharos()
        r = get(p.url + "/-/healthy")
        self.assertEqual(r.status, 200)
        r = get(p.url + "/-/ready")
        self.assertEqual(r.status, 200)
        r = get(p.url + "/health")
        self.assertEqual(r.status, 200)
        body = r.json()
        self.assertEqual(body["status"], "healthy")
        self.assertIn("timestamp", body)
        r = get(p.url + "/health/detailed")
        self.assertEqual(r.status, 200, r.text)
        body = r.json()
        self.assertEqual(body["status"], "healthy")
        self.assertRegex(body["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        for component in ("storage", "wal", "scraping"):
            self.assertEqual(body["services"].get(component), "healthy", body)

    def test_request_id_is_taken_or_generated(self):
        p = self.start_pharos(args=["--log.format=json", "--log.level=debug"])
        r = get(p.url + "/api/v1/labels", headers={"X-Request-ID": "abc-123"})
        self.assertEqual(r.headers.get("X-Request-ID"), "abc-123")
        r = get(p.url + "/api/v1/labels")
        generated = r.headers.get("X-Request-ID")
        self.assertTrue(generated)
        self.assertNotEqual(generated, "abc-123")

        def logged():
            lines = [json.loads(l) for l in open(p.log_path) if l.startswith("{")]
            return [l for l in lines if l.get("request_id") == "abc-123"]
        wait_until(logged, 10, what="a JSON log line carrying the request id")

    def test_self_metrics(self):
        p = self.start_pharos()
        get(p.url + "/api/v1/labels")
        r = get(p.url + "/metrics")
        self.assertEqual(r.status, 200)
        text = r.text
        for name in ("process_resident_memory_bytes", "process_cpu_seconds_total",
                     "process_open_fds", "pharos_http_requests_total",
                     "pharos_http_request_duration_seconds_bucket",
                     "pharos_tsdb_head_series", "pharos_tsdb_head_samples_appended_total",
                     "pharos_tsdb_wal_fsync_duration_seconds_bucket",
                     "pharos_tsdb_wal_corruptions_total", "pharos_scrape_pool_targets"):
            self.assertRegex(text, r"(?m)^" + re.escape(name) + r"[ {]", name)
        self.assertRegex(text, r'pharos_http_requests_total\{[^}]*handler="/api/v1/labels"')

    def test_scrapes_itself_by_default(self):
        p = self.start_pharos()

        def up_series():
            r = get(p.url + "/api/v1/series", {"match[]": 'up{job="pharos"}'}).json()
            return r["data"]
        data = wait_until(up_series, 30, what="up{job=\"pharos\"}")
        self.assertEqual(data[0]["instance"], f"127.0.0.1:{p.port}")
        names = get(p.url + "/api/v1/label/__name__/values").json()["data"]
        for n in ("scrape_duration_seconds", "scrape_samples_scraped",
                  "scrape_samples_post_metric_relabeling", "scrape_series_added",
                  "process_resident_memory_bytes"):
            self.assertIn(n, names)

    def test_status_flags_and_buildinfo(self):
        p = self.start_pharos(args=["--storage.tsdb.retention.time=30d"])
        flags = get(p.url + "/api/v1/status/flags").json()["data"]
        self.assertEqual(flags["storage.tsdb.retention.time"], "30d")
        info = get(p.url + "/api/v1/status/buildinfo").json()
        self.assertEqual(info["status"], "success")
        self.assertIn("version", info["data"])

    def test_bad_flag_exits_with_message(self):
        import subprocess
        from harness import PHAROS_BIN
        r = subprocess.run([PHAROS_BIN, "--storage.tsdb.retention.time=thirty"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--storage.tsdb.retention.time", r.stderr)
