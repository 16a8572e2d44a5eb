"""Differential test: the same data (promql_data) loaded by remote write into
pharos and into a real Prometheus 2.42, then the dashboard and alert queries
of the monitoring guide, the benchmark's queries and a few hundred generated
ones run as instant and range queries on both; the answers must agree within
a relative 1e-9 (NaN equals NaN).

Known differences between 2.42 (the peer here) and 2.53 (what pharos
implements) are avoided or skipped with the reason in SKIPPED below."""

import itertools
import os
import re
import time

import promql_data as d
from harness import IntegrationTest, SHARED_DIR

PROM_CONFIG = "global:\n  scrape_interval: 1h\nscrape_configs: []\n"

# The dashboard and alert expressions of the monitoring guide.
GUIDE = [
    'rate(http_requests_total[5m])',
    'rate(http_requests_total{status=~"5.."}[5m]) / rate(http_requests_total[5m])',
    'histogram_quantile(0.95, http_request_duration_seconds_bucket)',
    'pg_stat_database_numbackends',
    'rate(http_requests_total{status=~"5.."}[5m]) > 0.05',
    'histogram_quantile(0.95, http_request_duration_seconds_bucket) > 2',
    'up{job="autodealgenie-backend"} == 0',
    'pg_stat_database_numbackends / pg_settings_max_connections > 0.8',
    'process_resident_memory_bytes / node_memory_MemTotal_bytes > 0.8',
]

# Functions that 2.42 does not have or answers differently than 2.53.
SKIPPED = {
    "mad_over_time": "2.54+ only",
    "sort_by_label": "2.54+ only (experimental)",
    "sort_by_label_desc": "2.54+ only (experimental)",
}


def bench_queries():
    path = os.path.join(SHARED_DIR, "bench", "queries.txt")
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    out.append(line.split(None, 1)[1])
    return out


def generated_queries():
    sel = ['http_requests_total{handler="/login"}', 'node_cpu_seconds_total{mode="user"}',
           'node_memory_MemAvailable_bytes', 'http_request_duration_seconds_count{job="api"}']
    range_fns = ["rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
                 "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
                 "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time",
                 "absent_over_time"]
    out = []
    for fn, s, w in itertools.product(range_fns, sel, ["1m", "5m"]):
        out.append(f"{fn}({s}[{w}])")
    for s in sel:
        out += [f"quantile_over_time(0.9, {s}[5m])", f"predict_linear({s}[10m], 600)",
                f"holt_winters({s}[10m], 0.5, 0.3)", f"timestamp({s})", f"{s} offset 5m",
                f"{s} offset -2m", f"rate({s}[5m] offset 3m)", f"{s} @ end()", f"rate({s}[5m] @ start())",
                f"max_over_time(rate({s}[1m])[10m:1m])", f"avg_over_time({s}[5m:])",
                f"deriv({s}[10m:30s])", f"last_over_time({s}[3m:20s] offset 1m)"]
    inner = ['rate(http_requests_total[5m])', 'node_memory_MemAvailable_bytes',
             'irate(node_cpu_seconds_total[2m])']
    aggs = ["sum", "avg", "min", "max", "count", "stddev", "stdvar", "group"]
    for agg, e, grouping in itertools.product(aggs, inner, ["", " by (job)", " without (instance)", " by (instance, job)"]):
        out.append(f"{agg}{grouping} ({e})")
    for e in inner:
        out += [f"topk(3, {e})", f"bottomk(2, {e}) by (job)", f"quantile(0.75, {e})",
                f"quantile by (job) (0.2, {e})", f'count_values("v", round({e}))', f"sort_desc({e})",
                f"sort({e})", f"count(count by (job) ({e}))"]
    for fn in ["abs", "ceil", "floor", "round", "sqrt", "exp", "ln", "log2", "log10", "sgn",
               "-", "hour", "minute", "day_of_week", "day_of_month", "day_of_year", "days_in_month",
               "month", "year", "acos", "asin", "atan", "cos", "sin", "tan", "cosh", "sinh", "tanh",
               "acosh", "asinh", "atanh", "deg", "rad"]:
        arg = "rate(node_cpu_seconds_total[5m])" if fn not in ("exp",) else "rate(node_cpu_seconds_total[5m]) * 3"
        if fn in ("hour", "minute", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month", "year"):
            out.append(f"{fn}(timestamp(up))")
            out.append(f"{fn}()")
        else:
            out.append(f"{fn}({arg})" if fn != "-" else f"-{arg}")
    out += ["round(node_memory_MemAvailable_bytes, 1000)", "clamp(rate(http_requests_total[5m]), 0.2, 5)",
            "clamp_min(node_memory_MemAvailable_bytes, 3e9)", "clamp_max(node_memory_MemAvailable_bytes, 3e9)",
            "scalar(sum(up))", "vector(1)", "time()", "pi()", "absent(nonexistent_metric)",
            'absent(up{job="nope"})', 'absent(up{job="api"})',
            'label_replace(up, "host", "$1", "instance", "(.*):.*")',
            'label_join(up, "both", "/", "job", "instance")',
            'histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]))',
            'histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))',
            'histogram_quantile(0.9, sum by (le, operation) (rate(db_query_duration_seconds_bucket[5m])))',
            'rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])']
    a = 'sum by (job, instance) (rate(http_requests_total[5m]))'
    b = 'sum by (job, instance) (rate(http_requests_total{status="500"}[5m]))'
    for op in ["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "== bool", "> bool",
               "and", "or", "unless", "atan2"]:
        out.append(f"{a} {op} {b}")
        if op not in ("and", "or", "unless"):
            out.append(f"{a} {op} 2")
            out.append(f"10 {op} {b}")
    out += [f"{b} / on (job, instance) group_left {a}",
            'rate(http_requests_total[5m]) / on (job, instance) group_left sum by (job, instance) (rate(http_requests_total[5m]))',
            'sum by (job, instance) (rate(http_requests_total[5m])) * on (instance) group_right (job) up',
            'up * ignoring (job) group_left process_resident_memory_bytes',
            'up and on (job) up offset 10m', 'up unless on (instance) (up == 0)',
            'node_memory_MemAvailable_bytes / ignoring (job) node_memory_MemTotal_bytes',
            '(up == 1) or vector(0)', '1 + 2 * 3 ^ 2 ^ 0.5', '-up ^ 2',
            'sum(rate(http_requests_total[5m])) by (status) / ignoring (status) group_left sum(rate(http_requests_total[5m]))']
    return out


class PromqlDifferentialTest(IntegrationTest):
    def test_same_answers_as_prometheus(self):
        started = time.time()
        p = self.start_pharos()
        prom = self.start_prometheus(PROM_CONFIG, ["--web.enable-remote-write-receiver"])
        end = d.end_time()
        series = d.build_series(end)
        d.load(p.url, series)
        d.load(prom.url, series)
        queries = GUIDE + bench_queries() + generated_queries()
        start = end - d.SPAN_S
        evals = [("instant", {"time": str(end)}), ("instant", {"time": str(start + 40.25)}),
                 ("range", {"start": str(start), "end": str(end), "step": "60"}),
                 ("range", {"start": str(start + 7), "end": str(end - 100), "step": "37"})]
        failures, compared, skipped = [], 0, []
        for q in queries:
            fn = re.match(r"\s*(\w+)\(", q)
            if fn and fn.group(1) in SKIPPED:
                skipped.append(q)
                continue
            for kind, params in evals:
                path = "/api/v1/query" if kind == "instant" else "/api/v1/query_range"
                params = dict(params, query=q)
                sa, a = d.query(prom.url, params, path)
                sb, b = d.query(p.url, params, path)
                compared += 1
                if a["status"] != "success":
                    if (sb, b.get("errorType")) != (sa, a.get("errorType")):
                        failures.append(f"{kind} {q} {params}: prometheus error {a.get('error')}, pharos {sb} {b}")
                    continue
                if b["status"] != "success":
                    failures.append(f"{kind} {q} {params}: pharos error {b.get('error')}")
                    continue
                diff = d.diff_data(a["data"], b["data"])
                if diff:
                    failures.append(f"{kind} {q} {params}: {diff}")
        print(f"\ndifferential: {len(queries)} queries, {compared} evaluations, {len(failures)} differ, "
              f"{len(skipped)} skipped, {time.time() - started:.1f}s")
        self.assertGreater(len(queries), 300)
        self.assertEqual(failures, [], "\n".join(failures[:30]))


if __name__ == "__main__":
    import unittest
    unittest.main()
