"""Scraping: targets API, parse errors, staleness, limits, and real exporters
from Debian's packages (node, PostgreSQL with a real server, Redis with a real
server)."""

import os
import threading
import time

from harness import IntegrationTest, free_port, get, wait_until


class Target:
    """A /metrics endpoint whose body the test changes at will."""

    def __init__(self, test, body, content_type="text/plain; version=0.0.4"):
        self.body = body
        self.content_type = content_type
        self.scrapes = 0
        self.lock = threading.Lock()

        def handle(method, path, headers, req_body):
            with self.lock:
                self.scrapes += 1
                self.last_headers = headers
                return 200, {"Content-Type": self.content_type}, self.body.encode()
        self.url = test.serve_http(handle)
        self.address = self.url[len("http://"):]


def scrape_config(jobs, interval="1s", extra=""):
    out = f"global:\n  scrape_interval: {interval}\n  scrape_timeout: {interval}\nscrape_configs:\n"
    for name, targets, job_extra in jobs:
        out += f"  - job_name: {name}\n    static_configs:\n      - targets: {targets!r}\n{job_extra}"
    return out + extra


class ScrapeTest(IntegrationTest):
    def targets(self, p, state=None):
        params = {"state": state} if state else None
        return get(p.url + "/api/v1/targets", params).json()["data"]

    def wait_scraped(self, p, job, health="up"):
        def ok():
            for t in self.targets(p)["activeTargets"]:
                if t["labels"].get("job") == job and t["health"] == health:
                    return t
            return None
        return wait_until(ok, 30, what=f"target of job {job} with health {health}")

    def test_targets_api_shape_and_samples(self):
        t = Target(self, '# HELP app_requests_total Requests.\n# TYPE app_requests_total counter\n'
                         'app_requests_total{path="/a"} 10\napp_requests_total{path="/b"} 20\n')
        p = self.start_pharos(scrape_config([("app", [t.address], "")]))
        tgt = self.wait_scraped(p, "app")
        for key in ("discoveredLabels", "labels", "scrapePool", "scrapeUrl", "globalUrl",
                    "lastError", "lastScrape", "lastScrapeDuration", "health",
                    "scrapeInterval", "scrapeTimeout"):
            self.assertIn(key, tgt)
        self.assertEqual(tgt["labels"], {"instance": t.address, "job": "app"})
        self.assertEqual(tgt["scrapePool"], "app")
        self.assertEqual(tgt["scrapeUrl"], f"http://{t.address}/metrics")
        self.assertEqual(tgt["lastError"], "")
        self.assertEqual(tgt["discoveredLabels"]["__address__"], t.address)
        self.assertIn("droppedTargets", self.targets(p))
        # Prometheus asks for OpenMetrics first, then the text format.
        self.assertIn("application/openmetrics-text", t.last_headers.get("Accept", ""))
        r = p.query('app_requests_total{path="/b"}')
        self.assertEqual(r["data"]["result"][0]["value"][1], "20")
        r = p.query('scrape_samples_scraped{job="app"}')
        self.assertEqual(r["data"]["result"][0]["value"][1], "2")

    def test_parse_error_stores_nothing_and_sets_up_0(self):
        t = Target(self, 'good_metric 1\nbroken_metric{a="1" 2\n')
        p = self.start_pharos(scrape_config([("bad", [t.address], "")]))
        tgt = self.wait_scraped(p, "bad", health="down")
        self.assertTrue(tgt["lastError"])
        r = get(p.url + "/api/v1/series", {"match[]": "good_metric"}).json()
        self.assertEqual(r["data"], [], "nothing of a body that fails to parse is stored")
        r = p.query('up{job="bad"}')
        self.assertEqual(r["data"]["result"][0]["value"][1], "0")

    def test_staleness_when_series_disappears(self):
        t = Target(self, 'm{a="1"} 1\nm{a="2"} 2\n')
        p = self.start_pharos(scrape_config([("st", [t.address], "")]))
        wait_until(lambda: len(p.query("m")["data"]["result"]) == 2, 30, what="both series")
        t.body = 'm{a="1"} 1\n'
        # A stale marker ends m{a="2"} at once instead of after the 5m lookback.
        wait_until(lambda: len(p.query("m")["data"]["result"]) == 1, 30, what="stale m{a=2}")

    def test_sample_limit(self):
        body = "".join(f'many{{i="{i}"}} {i}\n' for i in range(20))
        t = Target(self, body)
        p = self.start_pharos(scrape_config([("lim", [t.address], "    sample_limit: 10\n")]))
        tgt = self.wait_scraped(p, "lim", health="down")
        self.assertIn("sample limit", tgt["lastError"])
        self.assertEqual(get(p.url + "/api/v1/series", {"match[]": "many"}).json()["data"], [])

    def test_relabel_drops_target_and_metric(self):
        a = Target(self, "keep_me 1\ndrop_me 2\n")
        b = Target(self, "keep_me 1\n")
        cfg = scrape_config([("rl", [a.address, b.address], f"""    relabel_configs:
      - source_labels: [__address__]
        regex: '{b.address}'
        action: drop
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: drop_me
        action: drop
""")])
        p = self.start_pharos(cfg)
        self.wait_scraped(p, "rl")
        data = self.targets(p)
        self.assertEqual(len(data["activeTargets"]), 1)
        self.assertEqual(len(data["droppedTargets"]), 1)
        self.assertEqual(data["droppedTargets"][0]["discoveredLabels"]["__address__"], b.address)
        wait_until(lambda: get(p.url + "/api/v1/series", {"match[]": "keep_me"}).json()["data"], 20,
                   what="keep_me")
        self.assertEqual(get(p.url + "/api/v1/series", {"match[]": "drop_me"}).json()["data"], [])

    def test_file_sd_is_reread_when_it_changes(self):
        a = Target(self, "from_a 1\n")
        b = Target(self, "from_b 1\n")
        sd = self.write("targets.json", f'[{{"targets": ["{a.address}"], "labels": {{"team": "x"}}}}]')
        p = self.start_pharos(f"""global:
  scrape_interval: 1s
scrape_configs:
  - job_name: fsd
    file_sd_configs:
      - files: ['{os.path.join(self.workdir, "*.json")}']
        refresh_interval: 1s
""")
        tgt = self.wait_scraped(p, "fsd")
        self.assertEqual(tgt["labels"]["team"], "x")
        self.write("targets.json", f'[{{"targets": ["{b.address}"], "labels": {{"team": "y"}}}}]')

        def switched():
            ts = self.targets(p)["activeTargets"]
            return len(ts) == 1 and ts[0]["labels"]["team"] == "y" and ts[0]["health"] == "up"
        wait_until(switched, 30, what="file_sd change picked up")

    def test_real_exporters(self):
        redis = self.start_redis()
        pg = self.start_postgres()
        node_port, pg_port, redis_port = free_port(), free_port(), free_port()
        self.start_exporter("node-exporter", [
            "prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{node_port}"], node_port)
        env = dict(os.environ, DATA_SOURCE_NAME=pg.dsn)
        self.start_exporter("postgres-exporter", [
            "prometheus-postgres-exporter", f"--web.listen-address=127.0.0.1:{pg_port}"], pg_port, env=env)
        self.start_exporter("redis-exporter", [
            "prometheus-redis-exporter", "-redis.addr", f"redis://127.0.0.1:{redis.port}",
            "-web.listen-address", f"127.0.0.1:{redis_port}"], redis_port)
        cfg = scrape_config([
            ("node", [f"127.0.0.1:{node_port}"], ""),
            ("postgres", [f"127.0.0.1:{pg_port}"], ""),
            ("redis", [f"127.0.0.1:{redis_port}"], ""),
        ], interval="2s")
        p = self.start_pharos(cfg)
        for job in ("node", "postgres", "redis"):
            self.wait_scraped(p, job)
        checks = {
            "node_memory_MemTotal_bytes": "node",
            "pg_up": "postgres",
            "pg_stat_database_numbackends": "postgres",
            "redis_up": "redis",
        }
        for metric, job in checks.items():
            r = wait_until(lambda: p.query(f'{metric}{{job="{job}"}}')["data"]["result"], 30,
                           what=metric)
            self.assertTrue(r)
        self.assertEqual(p.query('pg_up{job="postgres"}')["data"]["result"][0]["value"][1], "1")
        self.assertEqual(p.query('redis_up{job="redis"}')["data"]["result"][0]["value"][1], "1")
