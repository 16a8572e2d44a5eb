#!/usr/bin/env python3
"""Server CPU and client latency per request, several servers interleaved.

request_cpu.py ROUNDS N PORT:PID=name ... -- KIND EXPR [KIND EXPR ...]

KIND is range (last hour of END_S at 15 s), instant (at END_S) or path (EXPR is
a path such as /api/v1/status/buildinfo). Per round and server: N requests
over that server's one keep-alive connection (http.client, as the benchmark
harness); server CPU = the change of the sum of /proc/PID/task/*/schedstat
run times, over N. Servers take turns going first. Prints, per query, the
median over rounds of the CPU per request (us) and the median latency (ms).
END_S (env, default 1795759200) is the end of the benchmark data set."""
import http.client, os, sys, time, urllib.parse, statistics
args = sys.argv[1:]; rounds, n = int(args[0]), int(args[1]); args = args[2:]
sep = args.index("--"); srvspec, qargs = args[:sep], args[sep+1:]
srv = []
for a in srvspec:
    pp, _, name = a.partition("="); port, pid = pp.split(":"); srv.append((int(port), int(pid), name))
end_s = int(os.environ.get("END_S", "1795759200"))
def cpu_ns(pid):
    t = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try: t += int(open(f"/proc/{pid}/task/{tid}/schedstat").read().split()[0])
        except OSError: pass
    return t
conns = {s[0]: http.client.HTTPConnection("127.0.0.1", s[0]) for s in srv}
for i in range(0, len(qargs), 2):
    kind, expr = qargs[i], qargs[i+1]
    if kind == "range": url = "/api/v1/query_range?" + urllib.parse.urlencode({"query": expr, "start": end_s-3600, "end": end_s, "step": "15"})
    elif kind == "instant": url = "/api/v1/query?" + urllib.parse.urlencode({"query": expr, "time": end_s})
    else: url = expr
    cpu = {s[2]: [] for s in srv}; lat = {s[2]: [] for s in srv}
    for r in range(rounds):
        order = srv[r % len(srv):] + srv[:r % len(srv)]
        for port, pid, name in order:
            c = conns[port]
            c0 = cpu_ns(pid)
            for k in range(n):
                t0 = time.perf_counter(); c.request("GET", url); resp = c.getresponse(); resp.read(); lat[name].append(time.perf_counter() - t0)
                assert resp.status == 200, resp.status
            time.sleep(0.001)
            cpu[name].append((cpu_ns(pid) - c0) / n / 1000)
    print("%-8s %-45s" % (kind, expr[:45]) + "".join("  %s: cpu %6.1f us  p50 %.3f ms" % (s[2], statistics.median(cpu[s[2]]), statistics.median(lat[s[2]]) * 1000) for s in srv), flush=True)
