"""Integration-test support: start pharos and real peers on loopback.

Standard library only. Every process started here listens on 127.0.0.1 on a
free port, writes its output to a file in the test's temporary directory
(printed when a test fails), and is stopped when the test ends.
"""

import contextlib
import gzip
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PHAROS_BIN = os.environ.get("PHAROS_BIN", "")
SOURCE_DIR = os.environ.get(
    "PHAROS_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
SHARED_DIR = os.path.abspath(os.path.join(SOURCE_DIR, "..", "shared"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout=30.0, interval=0.05, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


# --------------------------------------------------------------------- HTTP

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def http(method, url, body=None, headers=None, timeout=30):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = r.read()
            if r.headers.get("Content-Encoding") == "gzip":
                data = gzip.decompress(data)
            return Response(r.status, r.headers, data)
    except urllib.error.HTTPError as e:
        data = e.read()
        if e.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return Response(e.code, e.headers, data)


def get(url, params=None, **kw):
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    return http("GET", url, **kw)


def post_form(url, params, **kw):
    body = urllib.parse.urlencode(params, doseq=True).encode()
    return http("POST", url, body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"}, **kw)


# ------------------------------------------------- remote write (protobuf + snappy)

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field_bytes(num, data):
    return _varint((num << 3) | 2) + _varint(len(data)) + data


def encode_write_request(series):
    """series: list of (labels dict, [(ts_ms, value), ...]) -> WriteRequest bytes."""
    out = bytearray()
    for labels, samples in series:
        ts = bytearray()
        for name in sorted(labels):
            lab = _field_bytes(1, name.encode()) + _field_bytes(2, str(labels[name]).encode())
            ts += _field_bytes(1, lab)
        for t, v in samples:
            smp = b"\x09" + struct.pack("<d", float(v)) + b"\x10" + _varint(t & 0xFFFFFFFFFFFFFFFF)
            ts += _field_bytes(2, smp)
        out += _field_bytes(1, bytes(ts))
    return bytes(out)


def snappy_block(data):
    """Snappy block format made only of literals: valid for every decoder."""
    out = bytearray(_varint(len(data)))
    pos = 0
    while pos < len(data):
        chunk = data[pos:pos + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + struct.pack("<H", n)
        out += chunk
        pos += len(chunk)
    return bytes(out)


def remote_write(base_url, series, timeout=30):
    body = snappy_block(encode_write_request(series))
    return http("POST", base_url + "/api/v1/write", body=body, timeout=timeout, headers={
        "Content-Type": "application/x-protobuf",
        "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0",
    })


# ----------------------------------------------------------------- processes

class Process:
    """A child process with its output in a log file; stopped on close()."""

    def __init__(self, name, argv, workdir, env=None, user=None):
        self.name = name
        self.argv = argv
        self.log_path = os.path.join(workdir, f"{name}.log")
        self._log = open(self.log_path, "ab")
        if user:
            argv = ["runuser", "-u", user, "--"] + argv
        self.proc = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT, cwd=workdir,
            env=env, start_new_session=True)

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, n=60):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    def signal(self, sig):
        if self.alive():
            os.killpg(self.proc.pid, sig)

    def kill9(self):
        self.signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout=15):
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._log.close()
        return self.proc.returncode


class Pharos(Process):
    def __init__(self, workdir, args=(), port=None, data_dir=None, config=None, name="pharos"):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir or os.path.join(workdir, "data")
        argv = [PHAROS_BIN, f"--web.listen-address=127.0.0.1:{self.port}",
                f"--storage.tsdb.path={self.data_dir}"]
        if config is not None:
            argv.append(f"--config.file={config}")
        argv += list(args)
        super().__init__(name, argv, workdir)

    def wait_ready(self, timeout=30):
        def ready():
            if not self.alive():
                raise AssertionError(f"pharos exited with {self.proc.returncode}:\n{self.log_tail()}")
            return get(self.url + "/-/ready", timeout=2).status == 200
        wait_until(ready, timeout, what="pharos /-/ready")
        return self

    def api(self, path, params=None):
        r = get(self.url + path, params)
        return r

    def query(self, expr, time_s=None):
        p = {"query": expr}
        if time_s is not None:
            p["time"] = str(time_s)
        return get(self.url + "/api/v1/query", p).json()


class IntegrationTest(unittest.TestCase):
    """Base class: a temp dir per test and automatic cleanup of processes."""

    def setUp(self):
        if not PHAROS_BIN or not os.path.exists(PHAROS_BIN):
            self.fail("PHAROS_BIN must point at the pharos binary (ctest sets it)")
        self.workdir = tempfile.mkdtemp(prefix="pharos-it-")
        os.chmod(self.workdir, 0o755)
        self._procs = []
        self._servers = []

    def tearDown(self):
        failed = self._outcome is not None and any(
            err for _, err in getattr(self._outcome, "errors", []) if err)
        if not failed and hasattr(self._outcome, "result"):
            res = self._outcome.result
            failed = any(t is self for t, _ in res.failures + res.errors)
        for p in reversed(self._procs):
            p.stop()
            if failed:
                print(f"\n----- {p.name} log ({p.log_path}) -----\n{p.log_tail()}")
        for s in self._servers:
            s.shutdown()
            s.server_close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def track(self, proc):
        self._procs.append(proc)
        return proc

    def write(self, name, content):
        path = os.path.join(self.workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
        return path

    def start_pharos(self, config_text=None, args=(), **kw):
        config = self.write("pharos.yml", config_text) if config_text is not None else None
        return self.track(Pharos(self.workdir, args=args, config=config, **kw)).wait_ready()

    def serve_http(self, handler_fn):
        """Starts a local HTTP server; handler_fn(method, path, headers, body) ->
        (status, headers dict, body bytes). Returns the base URL."""

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _do(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                status, headers, data = handler_fn(self.command, self.path, self.headers, body)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _do

            def log_message(self, *a):
                pass

        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        self._servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    # ---------------------------------------------------------- real peers

    def start_prometheus(self, config_text, extra_args=()):
        if not shutil.which("prometheus"):
            self.fail("prometheus is not installed (scripts/setup.sh --test installs it)")
        port = free_port()
        # "PROM_PORT" in the config stands for Prometheus' own port.
        cfg = self.write("prometheus.yml", config_text.replace("PROM_PORT", str(port)))
        data = os.path.join(self.workdir, "prom-data")
        p = self.track(Process("prometheus", [
            "prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            *extra_args], self.workdir))
        p.url = f"http://127.0.0.1:{port}"
        wait_until(lambda: get(p.url + "/-/ready", timeout=2).status == 200, 60,
                   what="prometheus ready")
        return p

    def start_redis(self):
        port = free_port()
        p = self.track(Process("redis", [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", self.workdir], self.workdir))
        p.port = port
        wait_until(lambda: socket.create_connection(("127.0.0.1", port), 1).close() or True,
                   20, what="redis")
        return p

    def start_postgres(self, password="secret"):
        bindir = "/usr/lib/postgresql/15/bin"
        pgdata = os.path.join(self.workdir, "pgdata")
        sock = os.path.join(self.workdir, "pgsock")
        os.makedirs(sock, exist_ok=True)
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            shutil.chown(self.workdir, user)
            shutil.chown(sock, user)
        pwfile = self.write("pgpass.txt", password + "\n")
        if user:
            shutil.chown(pwfile, user)
        cmd = [f"{bindir}/initdb", "-D", pgdata, "-U", "postgres", "--auth=scram-sha-256",
               f"--pwfile={pwfile}", "-E", "UTF8"]
        if user:
            cmd = ["runuser", "-u", user, "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        p = self.track(Process("postgres", [
            f"{bindir}/postgres", "-D", pgdata, "-p", str(port), "-k", sock,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], self.workdir, user=user))
        p.port = port
        p.password = password
        p.dsn = f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres?sslmode=disable"
        wait_until(lambda: subprocess.run(
            [f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL).returncode == 0, 60, what="postgres")
        return p

    def start_exporter(self, name, argv, port, env=None):
        p = self.track(Process(name, argv, self.workdir, env=env))
        p.port = port
        p.url = f"http://127.0.0.1:{port}"
        wait_until(lambda: get(p.url + "/metrics", timeout=5).status == 200, 60,
                   what=f"{name} /metrics")
        return p


@contextlib.contextmanager
def env_vars(**kw):
    old = {k: os.environ.get(k) for k in kw}
    os.environ.update({k: str(v) for k, v in kw.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
