"""A deterministic PromQL test data set, loaded by remote write into pharos
and a real Prometheus, and helpers to compare their query answers.

The data: counters (with resets), gauges, classic histograms, series that stop
for longer than the lookback delta, and series that end with a staleness
marker; a few hundred series at a 15 s interval over 30 minutes, ending on a
minute boundary shortly before now (Prometheus' head accepts them in order).
"""

import math
import random
import struct
import time

from harness import get, post_form, remote_write

STEP_S = 15
SPAN_S = 1800
STALE_NAN = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000002))[0]

HANDLERS = ["/api/v1/orders", "/api/v1/users", "/login", "/health", "/"]
BUCKETS = ["0.005", "0.01", "0.05", "0.1", "0.5", "1", "2.5", "+Inf"]


def end_time():
    """The data's last timestamp (seconds): a minute boundary before now."""
    return (int(time.time()) // 60) * 60 - 60


def build_series(end_s, seed=42):
    rnd = random.Random(seed)
    start_s = end_s - SPAN_S
    times = list(range(start_s, end_s + 1, STEP_S))
    out = []

    def add(labels, fn, gap=None, stale_at=None):
        samples = []
        for i, t in enumerate(times):
            if gap and gap[0] <= t - start_s < gap[1]:
                continue
            if stale_at is not None and t - start_s > stale_at:
                break
            samples.append((t * 1000, fn(i, t)))
        if stale_at is not None:
            samples.append(((start_s + stale_at + STEP_S) * 1000 + 1, STALE_NAN))
        out.append((labels, samples))

    def counter(rate, reset_at=None):
        # Counters start far from zero: Prometheus 2.42 and 2.53 extrapolate
        # rate() differently towards zero when a window reaches past the
        # first sample (2.53 caps the extrapolation at half a sample interval
        # before it applies the zero rule; pharos follows 2.53), and the
        # differential test compares with 2.42.
        state = {"v": rnd.uniform(1e5, 1e6)}

        def fn(i, t):
            if reset_at is not None and i == reset_at:
                state["v"] = 0.0
            state["v"] += rate * STEP_S * rnd.uniform(0.5, 1.5)
            return round(state["v"], 3)
        return fn

    def gauge(base, spread):
        return lambda i, t: round(base + spread * math.sin(i / 7.0) + rnd.uniform(-spread, spread) / 10, 4)

    n = 0
    for job in ["api", "worker"]:
        for inst in ["10.0.0.1:9100", "10.0.0.2:9100"]:
            for h in HANDLERS:
                for method in ["GET", "POST"]:
                    for status in ["200", "404", "500"]:
                        n += 1
                        rate = {"200": 5.0, "404": 0.3, "500": 0.1}[status] * rnd.uniform(0.5, 2)
                        gap = (600, 1020) if n % 17 == 0 else None
                        stale = 1200 if n % 23 == 0 else None
                        add({"__name__": "http_requests_total", "job": job, "instance": inst, "handler": h,
                             "method": method, "status": status},
                            counter(rate, reset_at=50 if n % 11 == 0 else None), gap=gap, stale_at=stale)
                # A classic histogram per handler: cumulative buckets,
                # precomputed per timestamp so every bucket series agrees.
                weights = sorted(rnd.uniform(0, 1) for _ in BUCKETS[:-1]) + [1.0]
                rows, total, hsum, acc = [], [float(int(1e5 * w)) for w in weights], 2e4, []
                for _ in times:
                    reqs = rnd.randint(0, 40)
                    for j in range(len(BUCKETS)):
                        total[j] += int(reqs * weights[j])
                    hsum += reqs * rnd.uniform(0.01, 0.5)
                    rows.append(list(total))
                    acc.append(round(hsum, 4))
                hist = {"job": job, "instance": inst, "handler": h}
                for k, le in enumerate(BUCKETS):
                    add(dict(hist, __name__="http_request_duration_seconds_bucket", le=le),
                        lambda i, t, k=k, rows=rows: rows[i][k])
                add(dict(hist, __name__="http_request_duration_seconds_sum"), lambda i, t, acc=acc: acc[i])
                add(dict(hist, __name__="http_request_duration_seconds_count"),
                    lambda i, t, rows=rows: rows[i][-1])
            add({"__name__": "process_resident_memory_bytes", "job": job, "instance": inst},
                gauge(2e8, 3e7))
            add({"__name__": "up", "job": job, "instance": inst},
                (lambda i, t: 0.0 if 40 <= i < 60 else 1.0) if inst.startswith("10.0.0.2") else (lambda i, t: 1.0))
    for inst in ["10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100"]:
        add({"__name__": "node_memory_MemTotal_bytes", "job": "node", "instance": inst}, lambda i, t: 8e9)
        add({"__name__": "node_memory_MemAvailable_bytes", "job": "node", "instance": inst}, gauge(3e9, 1e9),
            gap=(300, 700) if inst.endswith("3:9100") else None)
        add({"__name__": "process_resident_memory_bytes", "job": "node", "instance": inst}, gauge(5e7, 1e7))
        for cpu in ["0", "1"]:
            for mode in ["idle", "user", "system", "iowait"]:
                add({"__name__": "node_cpu_seconds_total", "job": "node", "instance": inst, "cpu": cpu,
                     "mode": mode}, counter({"idle": 0.7, "user": 0.2, "system": 0.08, "iowait": 0.02}[mode]))
    for cache in ["sessions", "products"]:
        add({"__name__": "cache_hits_total", "job": "api", "cache": cache}, counter(50))
        add({"__name__": "cache_misses_total", "job": "api", "cache": cache}, counter(5))
    for op in ["select", "insert", "update"]:
        for k, le in enumerate(BUCKETS):
            def fn(i, t, k=k, op=op):
                return float(int((i * (k + 1) * 3 + len(op)) ** 1.1) + 100000 * (k + 1))
            add({"__name__": "db_query_duration_seconds_bucket", "job": "db", "operation": op, "le": le}, fn)
    add({"__name__": "pg_stat_database_numbackends", "job": "pg", "datname": "app"}, gauge(40, 30))
    add({"__name__": "pg_settings_max_connections", "job": "pg"}, lambda i, t: 100.0)
    add({"__name__": "up", "job": "autodealgenie-backend", "instance": "backend:8000"},
        lambda i, t: 0.0 if i > 100 else 1.0)
    return out


def load(url, series, batch=40):
    for i in range(0, len(series), batch):
        r = remote_write(url, series[i:i + batch], timeout=60)
        if r.status // 100 != 2:
            raise AssertionError(f"remote write to {url}: {r.status} {r.text[:300]}")


# ------------------------------------------------------------- comparison

def fval(s):
    return float(s)


def close(a, b, rel=1e-9):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    if math.isinf(a) or math.isinf(b):
        return False
    return abs(a - b) <= rel * max(abs(a), abs(b)) or abs(a - b) < 1e-12


def _key(metric):
    return tuple(sorted(metric.items()))


def diff_data(a, b):
    """Compares two /api/v1/query or query_range 'data' objects; returns a
    description of the first difference or None."""
    if a["resultType"] != b["resultType"]:
        return f"resultType {a['resultType']} != {b['resultType']}"
    rt = a["resultType"]
    if rt in ("scalar", "string"):
        ra, rb = a["result"], b["result"]
        if ra[0] != rb[0]:
            return f"timestamp {ra[0]} != {rb[0]}"
        if rt == "scalar" and not close(fval(ra[1]), fval(rb[1])):
            return f"value {ra[1]} != {rb[1]}"
        if rt == "string" and ra[1] != rb[1]:
            return f"string {ra[1]!r} != {rb[1]!r}"
        return None
    ma = {_key(s["metric"]): s for s in a["result"]}
    mb = {_key(s["metric"]): s for s in b["result"]}
    if len(ma) != len(a["result"]) or len(mb) != len(b["result"]):
        return "duplicate series in a result"
    if set(ma) != set(mb):
        only_a = sorted(set(ma) - set(mb))[:3]
        only_b = sorted(set(mb) - set(ma))[:3]
        return f"series differ: only in first {only_a} ({len(set(ma) - set(mb))}), only in second {only_b} ({len(set(mb) - set(ma))})"
    for k, sa in ma.items():
        sb = mb[k]
        if rt == "vector":
            pa, pb = [sa["value"]], [sb["value"]]
        else:
            pa, pb = sa["values"], sb["values"]
        if [p[0] for p in pa] != [p[0] for p in pb]:
            return f"{dict(k)}: timestamps differ ({len(pa)} vs {len(pb)} points)"
        for (t, va), (_, vb) in zip(pa, pb):
            if not close(fval(va), fval(vb)):
                return f"{dict(k)} @{t}: {va} != {vb}"
    return None


def query(url, params, path="/api/v1/query", method="GET"):
    r = post_form(url + path, params) if method == "POST" else get(url + path, params)
    return r.status, r.json()
