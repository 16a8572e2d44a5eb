"""Real PromQL clients against pharos: Debian's promtool (query instant,
range, series, labels) and the requests Grafana's Prometheus data source
sends. Each is sent to pharos and to a real Prometheus 2.42 holding the same
data (loaded by remote write), and the answers are compared."""

import json
import re
import subprocess

import promql_data as d
from harness import IntegrationTest, get, post_form, wait_until

PROM_CONFIG = "global:\n  scrape_interval: 1h\nscrape_configs: []\n"


class PromqlClientsTest(IntegrationTest):
    def start_both(self):
        p = self.start_pharos()
        prom = self.start_prometheus(PROM_CONFIG, ["--web.enable-remote-write-receiver"])
        self.end = d.end_time()
        series = d.build_series(self.end)
        d.load(p.url, series)
        d.load(prom.url, series)
        return p, prom

    def promtool(self, *args, ordered=False):
        r = subprocess.run(["promtool", "query", *args], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"promtool {args}: {r.stderr}")
        lines = r.stdout.splitlines()
        return lines if ordered else sorted(lines)

    def assertSameOutput(self, got, want, what):
        """promtool lines equal but for float rounding (summation order)."""
        self.assertEqual(len(got), len(want), (what, got, want))
        num = re.compile(r"(?:(?<=> )|^)(\S+)(?= @\[)")
        for g, w in zip(got, want):
            self.assertEqual(num.sub("V", g), num.sub("V", w), what)
            mg, mw = num.search(g), num.search(w)
            if mg and mw:
                self.assertTrue(d.close(float(mg.group(1)), float(mw.group(1))), (what, g, w))

    def test_promtool_and_grafana(self):
        p, prom = self.start_both()
        end, start = self.end, self.end - d.SPAN_S

        # promtool query instant / range / series / labels: same output.
        for expr in ['sum by (job) (rate(http_requests_total[5m]))',
                     'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
                     'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes',
                     'up == 0', 'scalar(sum(up))']:
            want = self.promtool("instant", f"--time={end}", prom.url, expr)
            got = self.promtool("instant", f"--time={end}", p.url, expr)
            self.assertTrue(want, expr)
            self.assertSameOutput(got, want, expr)
            args = ["range", f"--start={start}", f"--end={end}", "--step=1m"]
            want = self.promtool(*args, prom.url, expr, ordered=True)
            self.assertTrue(want, expr)
            self.assertSameOutput(self.promtool(*args, p.url, expr, ordered=True), want, expr)
        args = ["series", f"--start={start}", f"--end={end}"]
        for m in (['--match=up'], ['--match=http_requests_total{status="500",job="api"}', '--match=up']):
            want = self.promtool(*args, *m, prom.url)
            self.assertTrue(want)
            self.assertEqual(self.promtool(*args, *m, p.url), want, m)
        for name in ("handler", "__name__", "job"):
            want = self.promtool("labels", f"--start={start}", f"--end={end}", prom.url, name)
            self.assertEqual(self.promtool("labels", f"--start={start}", f"--end={end}", p.url, name), want)

        # Grafana's data source: POST forms for queries.
        for path, params in [
            ("/api/v1/query", {"query": 'sum(rate(http_requests_total{status=~"5.."}[5m])) by (handler)',
                               "time": str(end)}),
            ("/api/v1/query_range", {"query": "rate(node_cpu_seconds_total{mode=\"idle\"}[5m])",
                                     "start": str(start), "end": str(end), "step": "30"}),
            ("/api/v1/query_range", {"query": "1 - avg by (instance) (rate(node_cpu_seconds_total[5m]))",
                                     "start": str(start + 0.5), "end": str(end), "step": "60"}),
        ]:
            a = post_form(prom.url + path, params)
            b = post_form(p.url + path, params)
            self.assertEqual((b.status, a.status), (200, 200), b.text)
            ja, jb = a.json(), b.json()
            self.assertEqual(jb["status"], "success")
            self.assertIsNone(d.diff_data(ja["data"], jb["data"]), params)
        # An error answers with Prometheus' status code and errorType.
        a = post_form(prom.url + "/api/v1/query", {"query": "sum(", "time": str(end)})
        b = post_form(p.url + "/api/v1/query", {"query": "sum(", "time": str(end)})
        self.assertEqual(b.status, a.status)
        self.assertEqual(b.json(), a.json())

        # Label names and values, series: GET as Grafana sends them.
        rng = {"start": str(start), "end": str(end)}
        for path, params in [
            ("/api/v1/labels", rng),
            ("/api/v1/labels", dict(rng, **{"match[]": "http_requests_total"})),
            ("/api/v1/label/__name__/values", rng),
            ("/api/v1/label/handler/values", dict(rng, **{"match[]": 'http_requests_total{job="api"}'})),
            ("/api/v1/label/instance/values", dict(rng, **{"match[]": ['{__name__=~"node_.*"}', "up"]})),
            ("/api/v1/series", dict(rng, **{"match[]": 'http_requests_total{handler="/login",method="GET"}'})),
            ("/api/v1/series", dict(rng, **{"match[]": ["up", "pg_settings_max_connections"]})),
        ]:
            a, b = get(prom.url + path, params), get(p.url + path, params)
            self.assertEqual(b.status, a.status, (path, b.text))
            ja, jb = a.json(), b.json()
            if path == "/api/v1/series":
                key = lambda s: json.dumps(s, sort_keys=True)
                ja["data"].sort(key=key)
                jb["data"].sort(key=key)
            self.assertEqual(jb, ja, (path, params))
        # A bad match[] reads as Prometheus' parser error.
        params = dict(rng, **{"match[]": "up{"})
        a, b = get(prom.url + "/api/v1/labels", params), get(p.url + "/api/v1/labels", params)
        self.assertEqual((b.status, b.json()), (a.status, a.json()))

        # Build info: the same fields.
        a = get(prom.url + "/api/v1/status/buildinfo").json()
        b = get(p.url + "/api/v1/status/buildinfo").json()
        self.assertEqual(b["status"], "success")
        self.assertEqual(sorted(b["data"]), sorted(a["data"]))

    def test_metadata(self):
        body = ("# HELP shop_orders_total Orders placed.\n# TYPE shop_orders_total counter\n"
                "shop_orders_total{kind=\"a\"} 3\n"
                "# HELP shop_queue_depth Items waiting.\n# TYPE shop_queue_depth gauge\n"
                "# UNIT shop_queue_depth items\nshop_queue_depth 7\n"
                "# HELP shop_latency_seconds Latency.\n# TYPE shop_latency_seconds histogram\n"
                "shop_latency_seconds_bucket{le=\"1\"} 1\nshop_latency_seconds_bucket{le=\"+Inf\"} 2\n"
                "shop_latency_seconds_sum 1.5\nshop_latency_seconds_count 2\n")
        url = self.serve_http(lambda m, path, h, b: (200, {"Content-Type": "text/plain; version=0.0.4"},
                                                        body.encode()))
        target = url[len("http://"):]
        cfg = (f"global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
               f"  - job_name: shop\n    static_configs:\n      - targets: ['{target}']\n")
        p = self.start_pharos(cfg)
        prom = self.start_prometheus(cfg)

        def md(u, params=None):
            return get(u + "/api/v1/metadata", params).json()
        for u in (p.url, prom.url):
            wait_until(lambda u=u: "shop_orders_total" in md(u)["data"], 30, what=f"metadata at {u}")
        for params in (None, {"metric": "shop_queue_depth"}, {"metric": "nope"}, {"limit": "1"},
                       {"limit": "0"}, {"limit_per_metric": "1"}):
            want, got = md(prom.url, params), md(p.url, params)
            if params == {"limit": "1"}:  # Prometheus picks any one family (Go map order)
                self.assertEqual(len(got["data"]), 1)
                continue
            self.assertEqual(got, want, params)
        r = get(p.url + "/api/v1/metadata", {"limit": "x"})
        want = get(prom.url + "/api/v1/metadata", {"limit": "x"})
        self.assertEqual((r.status, r.json()), (want.status, want.json()))


if __name__ == "__main__":
    import unittest
    unittest.main()
