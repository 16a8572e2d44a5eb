"""Durability: every sample acknowledged before a kill -9 is there after the
restart (20 cycles under continuous remote-write load), and a full disk
answers 503 without crashing, then ingestion resumes when space returns."""

import os
import random
import subprocess
import threading
import time

from harness import IntegrationTest, Pharos, free_port, get, remote_write, wait_until


class Writer(threading.Thread):
    """Sends batches continuously; remembers what was acknowledged (2xx)."""

    def __init__(self, url_fn, series=20, metric="durable_total"):
        super().__init__(daemon=True)
        self.url_fn = url_fn
        self.series = series
        self.metric = metric
        self.acked = {}  # series index -> list of (ts, value)
        self.attempted = 0
        self.refused = []
        self.stop_flag = threading.Event()
        self.ts = int(time.time() * 1000) - 60_000

    def run(self):
        while not self.stop_flag.is_set():
            self.ts += 10
            batch = [({"__name__": self.metric, "series": str(i)}, [(self.ts, float(self.ts % 100000))])
                     for i in range(self.series)]
            self.attempted += 1
            try:
                r = remote_write(self.url_fn(), batch, timeout=5)
            except OSError:
                time.sleep(0.01)
                continue
            if 200 <= r.status < 300:
                for i in range(self.series):
                    self.acked.setdefault(i, []).append((self.ts, float(self.ts % 100000)))
            else:
                self.refused.append((r.status, r.text))
                time.sleep(0.01)


def stored(p, metric, series_index, window_s, at_s=None):
    """Samples of one series in the window ending at `at_s` (now by default)."""
    r = p.query(f'{metric}{{series="{series_index}"}}[{window_s}s]', time_s=at_s)
    assert r["status"] == "success", r
    out = []
    for s in r["data"]["result"]:
        out += [(int(round(float(t) * 1000)), float(v)) for t, v in s["values"]]
    return out


class DurabilityTest(IntegrationTest):
    def test_kill9_loses_nothing_acknowledged(self):
        port = free_port()
        data = os.path.join(self.workdir, "data")
        args = ["--storage.wal.fsync=batch"]
        p = self.track(Pharos(self.workdir, args=args, port=port, data_dir=data, name="pharos-0"))
        p.wait_ready()
        w = Writer(lambda: p.url)
        w.start()
        rng = random.Random(7)
        for cycle in range(20):
            time.sleep(rng.uniform(0.2, 0.8))
            p.kill9()
            p = self.track(Pharos(self.workdir, args=args, port=port, data_dir=data,
                                  name=f"pharos-{cycle + 1}"))
            p.wait_ready(60)
        time.sleep(0.5)
        w.stop_flag.set()
        w.join(10)
        total_acked = sum(len(v) for v in w.acked.values())
        self.assertGreater(total_acked, 1000, "the writer made progress across restarts")
        # The writer's timestamps advance 10 ms per request, faster than the
        # clock when requests are quick: read at the newest one, with a range
        # reaching back to the oldest.
        at_s = w.ts / 1000 + 1
        window = int(at_s - min(t for v in w.acked.values() for t, _ in v) / 1000) + 60
        missing = 0
        for i, acked in w.acked.items():
            have = set(stored(p, w.metric, i, window, at_s))
            missing += sum(1 for s in acked if s not in have)
        self.assertEqual(missing, 0, f"{missing} of {total_acked} acknowledged samples lost")
        print(f"\nacknowledged {total_acked} samples in {w.attempted} requests over 20 kill -9 cycles; "
              f"none lost")

    def test_full_disk_503_then_resume(self):
        mnt = os.path.join(self.workdir, "small")
        os.makedirs(mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest(f"cannot mount a small tmpfs here: {r.stderr.strip()}")
        self.addCleanup(lambda: subprocess.run(["umount", "-l", mnt]))
        p = self.start_pharos(args=["--storage.wal.fsync=batch"], data_dir=os.path.join(mnt, "data"))
        # Fill the file system, leaving a little room.
        ballast = os.path.join(mnt, "ballast")
        with open(ballast, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * (1 << 20))
                    f.flush()
            except OSError:
                pass
        w = Writer(lambda: p.url, series=200, metric="disk_total")
        w.start()
        wait_until(lambda: any(s == 503 for s, _ in w.refused), 60, what="a 503 for a full disk")
        status, text = next((s, t) for s, t in w.refused if s == 503)
        self.assertRegex(text.lower(), r"space|disk")
        self.assertTrue(p.alive())
        self.assertEqual(get(p.url + "/-/healthy").status, 200)
        acked_before = sum(len(v) for v in w.acked.values())
        os.remove(ballast)
        wait_until(lambda: sum(len(v) for v in w.acked.values()) > acked_before + 200, 60,
                   what="ingestion to resume once space returns")
        w.stop_flag.set()
        w.join(10)
        window = 3600
        for i in (0, 199):
            have = set(stored(p, w.metric, i, window, w.ts / 1000 + 1))
            lost = [s for s in w.acked.get(i, []) if s not in have]
            self.assertEqual(lost, [], f"series {i}: acknowledged samples lost")
