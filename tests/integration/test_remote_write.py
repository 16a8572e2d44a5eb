"""Remote write 1.0 into pharos: our own encoder, malformed bodies, and a
real Prometheus 2.42 with remote_write pointed at pharos."""

import time

from harness import (IntegrationTest, encode_write_request, get, http, remote_write,
                     snappy_block, wait_until)


def series(p, match):
    return get(p.url + "/api/v1/series", {"match[]": match, "start": "0"}).json()


class RemoteWriteTest(IntegrationTest):
    def test_accepts_and_stores(self):
        p = self.start_pharos()
        now = int(time.time() * 1000)
        r = remote_write(p.url, [
            ({"__name__": "rw_test_total", "job": "a", "instance": "x"}, [(now - 2000, 1), (now - 1000, 2)]),
            ({"__name__": "rw_test_total", "job": "b", "instance": "y"}, [(now - 1000, 5)]),
        ])
        self.assertEqual(r.status, 204, r.text)
        got = series(p, "rw_test_total")
        self.assertEqual(got["status"], "success")
        self.assertEqual(sorted(s["job"] for s in got["data"]), ["a", "b"])

    def test_malformed_body_stores_nothing(self):
        p = self.start_pharos()
        now = int(time.time() * 1000)
        good = encode_write_request([({"__name__": "rw_bad_total", "job": "a"}, [(now, 1)])])
        # A valid first series followed by a truncated second one.
        bad = good + good[:-3]
        r = http("POST", p.url + "/api/v1/write", body=snappy_block(bad),
                 headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"})
        self.assertEqual(r.status, 400, r.text)
        self.assertTrue(r.text.strip(), "a 400 says what was wrong")
        self.assertEqual(series(p, "rw_bad_total")["data"], [])
        # Not snappy at all.
        r = http("POST", p.url + "/api/v1/write", body=b"\xff\xff\xff\xff\xff garbage",
                 headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"})
        self.assertEqual(r.status, 400, r.text)

    def test_invalid_labels_are_refused(self):
        p = self.start_pharos()
        now = int(time.time() * 1000)
        r = remote_write(p.url, [({"__name__": "ok_metric", "bad-label": "x"}, [(now, 1)])])
        self.assertEqual(r.status, 400, r.text)
        self.assertIn("bad-label", r.text)

    def test_real_prometheus_delivers_samples(self):
        p = self.start_pharos()
        self.start_prometheus(f"""
global:
  scrape_interval: 1s
  external_labels:
    origin: real-prometheus
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:PROM_PORT']
remote_write:
  - url: {p.url}/api/v1/write
    queue_config:
      batch_send_deadline: 1s
""")

        def delivered():
            d = series(p, 'prometheus_build_info{origin="real-prometheus"}')["data"]
            return d
        got = wait_until(delivered, 90, interval=0.5, what="samples from Prometheus' remote_write")
        self.assertEqual(got[0]["job"], "prometheus")
        up = series(p, 'up{job="prometheus",origin="real-prometheus"}')["data"]
        self.assertEqual(len(up), 1)
