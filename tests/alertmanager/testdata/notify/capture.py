#!/usr/bin/env python3
"""Captures golden notification payloads from the real Alertmanager 0.25.

Runs a recorder (HTTP on one port, SMTP on another, both 127.0.0.1), starts
/usr/bin/prometheus-alertmanager with config.yml (its URLs and smarthost
pointed at the recorder), posts the alerts of each scenario through
/api/v2/alerts with fixed startsAt/endsAt, and writes every request it
receives to <scenario>/<path>.json (HTTP: method, path, selected headers,
body) and <scenario>/email.txt (the SMTP conversation and the message).

Usage: capture.py [OUTDIR]   (default: the folder of this script)
Only 127.0.0.1 is contacted.
"""
import base64
import http.server
import json
import os
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
AM = "/usr/bin/prometheus-alertmanager"

lock = threading.Lock()
received = []  # (kind, name, record)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode()
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() in ("content-type", "user-agent")}
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = body
        name = self.path.strip("/")
        if name.startswith("generic/"):
            name = "pd1"
        with lock:
            received.append(("http", name,
                             {"method": "POST", "path": self.path,
                              "headers": hdrs, "body": parsed, "raw": body}))
        code = 202 if name.startswith("pd") else 200
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        out = b'{"status":"success","message":"Event processed"}' if code == 202 else b"ok"
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_CONNECT(self):
        # PagerDuty v1: Alertmanager 0.25 ignores `url` for service_key
        # configs and always posts to events.pagerduty.com. The config sends
        # it through this proxy, which terminates TLS with a certificate from
        # a throw-away CA that the config trusts, so nothing leaves 127.0.0.1.
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        conn = TLS_CTX.wrap_socket(self.connection, server_side=True)
        self.connection = conn
        self.rfile = conn.makefile("rb")
        self.wfile = conn.makefile("wb")
        self.close_connection = False
        self.handle_one_request()
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *a):
        pass


class SmtpHandler(socketserver.StreamRequestHandler):
    """A plain SMTP server that offers AUTH PLAIN/LOGIN/CRAM-MD5 and records
    the commands and the message."""

    def handle(self):
        log = []
        def send(line):
            log.append("S: " + line)
            self.wfile.write((line + "\r\n").encode())
        def recv():
            line = self.rfile.readline().decode().rstrip("\r\n")
            log.append("C: " + line)
            return line
        send("220 recorder ESMTP")
        data = None
        while True:
            line = recv()
            if not line:
                break
            cmd = line.split(" ")[0].upper()
            if cmd == "EHLO":
                self.wfile.write(b"250-recorder\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 SIZE 10240000\r\n")
                log.append("S: 250 (EHLO reply)")
            elif cmd == "AUTH":
                send("235 2.7.0 Authentication successful")
            elif cmd in ("MAIL", "RCPT", "RSET", "NOOP"):
                send("250 OK")
            elif cmd == "DATA":
                send("354 go ahead")
                lines = []
                while True:
                    l = self.rfile.readline().decode()
                    if l in (".\r\n", ".\n", ""):
                        break
                    lines.append(l)
                data = "".join(lines)
                send("250 OK queued")
            elif cmd == "QUIT":
                send("221 bye")
                break
            else:
                send("502 unknown")
        with lock:
            received.append(("smtp", "email", {"log": log, "data": data}))


class TS(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


TLS_CTX = None


def make_certs(work):
    global TLS_CTX
    def run(*args):
        subprocess.run(args, check=True, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
        "-days", "2", "-subj", "/CN=capture-ca")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
        "-subj", "/CN=events.pagerduty.com")
    with open(os.path.join(work, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:events.pagerduty.com\n")
    run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "srv.crt", "-days", "2", "-extfile", "ext.cnf")
    TLS_CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    TLS_CTX.load_cert_chain(os.path.join(work, "srv.crt"), os.path.join(work, "srv.key"))


def post_alerts(am_port, alerts):
    req = urllib.request.Request(
        "http://127.0.0.1:%d/api/v2/alerts" % am_port,
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(req, timeout=5).read()


def wait_for(n, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        with lock:
            if len(received) >= n:
                return
        time.sleep(0.1)
    raise SystemExit("timed out waiting for %d notifications, got %s" % (n, [r[1] for r in received]))


def take():
    with lock:
        out = list(received)
        received.clear()
    return out


def save(scenario, recs):
    d = os.path.join(OUT, scenario)
    os.makedirs(d, exist_ok=True)
    for kind, name, rec in recs:
        # Two groups: HighLatency/api (two alerts) and DiskFull/node (one).
        dumped = json.dumps(rec)
        suffix = "_disk" if "DiskFull" in dumped else "_long" if "LongSubject" in dumped else ""
        if kind == "http":
            with open(os.path.join(d, name + suffix + ".json"), "w") as f:
                json.dump(rec, f, indent=1, sort_keys=True)
                f.write("\n")
            # The exact bytes, for byte-for-byte comparison.
            with open(os.path.join(d, name + suffix + ".body"), "w", newline="") as f:
                f.write(rec["raw"])
        else:
            with open(os.path.join(d, "email" + suffix + ".txt"), "w", newline="") as f:
                f.write("\n".join(rec["log"]) + "\n----- DATA -----\n" + (rec["data"] or ""))


FIRING = [
    {"labels": {"alertname": "HighLatency", "job": "api", "instance": "a:9090", "severity": "page"},
     "annotations": {"summary": "Latency <high> & rising", "description": "p99 above 1s"},
     "startsAt": "2024-01-02T03:04:05.123Z", "generatorURL": "http://prom.example/graph?g0.expr=up&x=1"},
    {"labels": {"alertname": "HighLatency", "job": "api", "instance": "b:9090", "severity": "page"},
     "annotations": {"summary": "Latency <high> & rising", "description": "p99 above 2s"},
     "startsAt": "2024-01-02T03:05:00Z", "generatorURL": "http://prom.example/graph?g0.expr=up&x=2"},
]
RESOLVED = [dict(a, endsAt="2024-01-02T04:00:00Z") for a in FIRING]
# Later in the same group: C fires, then C resolves while D fires, for a
# notification with both firing and resolved alerts ("mixed").
C = {"labels": {"alertname": "HighLatency", "job": "api", "instance": "c:9090", "severity": "page"},
     "annotations": {"summary": "Latency <high> & rising", "description": "p99 above 3s"},
     "startsAt": "2024-01-02T03:10:00Z", "generatorURL": "http://prom.example/graph?g0.expr=up&x=3"}
D = {"labels": {"alertname": "HighLatency", "job": "api", "instance": "d:9090", "severity": "page"},
     "annotations": {"summary": "Latency <high> & rising", "description": "p99 above 4s"},
     "startsAt": "2024-01-02T03:20:00Z", "generatorURL": "http://prom.example/graph?g0.expr=up&x=4"}
# A second group with a single alert, no annotations and no generatorURL.
DISK = [{"labels": {"alertname": "DiskFull", "job": "node", "device": "/dev/sda1"},
         "startsAt": "2024-01-02T03:00:00Z"}]
# A third group whose subject passes Slack's and PagerDuty's 1024-rune limits
# (multi-byte runes, to tell runes from bytes).
LONG = [{"labels": {"alertname": "LongSubject", "job": "x", "detail": "\u00e9" * 1100},
         "startsAt": "2024-01-02T03:00:00Z"}]


def main():
    http_port, smtp_port, am_port = free_port(), free_port(), free_port()
    hs = TS(("127.0.0.1", http_port), Recorder)
    ss = TS(("127.0.0.1", smtp_port), SmtpHandler)
    for s in (hs, ss):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp()
    make_certs(work)
    with open(os.path.join(HERE, "config.yml.in")) as f:
        cfg = f.read().replace("@HTTP@", "127.0.0.1:%d" % http_port).replace("@SMTP@", "127.0.0.1:%d" % smtp_port).replace("@WORK@", work)
    shutil.copy(os.path.join(HERE, "custom.tmpl"), os.path.join(work, "custom.tmpl"))
    with open(os.path.join(work, "config.yml"), "w") as f:
        f.write(cfg)
    proc = subprocess.Popen([AM, "--config.file=" + os.path.join(work, "config.yml"),
                             "--storage.path=" + os.path.join(work, "data"),
                             "--web.listen-address=127.0.0.1:%d" % am_port,
                             "--web.external-url=http://am.example:9093",
                             "--cluster.listen-address="],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "am.log"), "w"))
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % am_port, timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        # Receivers: webhook, webhook-max, slack, slack-custom, pd2, pd1, email = 7 requests.
        post_alerts(am_port, FIRING + DISK + LONG)
        wait_for(21)
        time.sleep(1)
        save("firing", take())
        post_alerts(am_port, RESOLVED)
        # send_resolved: webhook (2), pagerduty (2), slack-custom, email: 6.
        wait_for(6)
        time.sleep(1.5)
        save("resolved", take())
        post_alerts(am_port, [C])
        wait_for(7)
        time.sleep(1)
        take()  # C alone: nothing new to compare
        post_alerts(am_port, [dict(C, endsAt="2024-01-02T04:00:00Z"), D])
        wait_for(7)
        time.sleep(1.5)
        save("mixed", take())
    finally:
        proc.terminate()
        proc.wait()
        if sys.exc_info()[0] is not None:
            sys.stderr.write(open(os.path.join(work, "am.log")).read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
