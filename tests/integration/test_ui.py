"""The expression browser at /, driven in headless Chromium: a newcomer types
a query and sees a table, a graph, or the error in place."""

import time

from harness import IntegrationTest, remote_write, wait_until
from webdriver import Browser


class UiTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.p = self.start_pharos()
        now = int(time.time() * 1000)
        samples = [(now - 600_000 + i * 15_000, float(i)) for i in range(41)]
        r = remote_write(self.p.url, [
            ({"__name__": "ui_demo", "job": "a"}, samples),
            ({"__name__": "ui_demo", "job": "b"}, [(t, v * 2) for t, v in samples]),
        ])
        self.assertEqual(r.status, 204, r.text)
        self.browser = Browser(self.workdir)
        self.addCleanup(self.browser.close)

    def test_table_for_instant_query(self):
        b = self.browser
        b.get(self.p.url + "/")
        b.type("#expr", "ui_demo")
        b.click("#execute")
        rows = wait_until(lambda: b.js("return [...document.querySelectorAll('#result-table tr')]"
                                       ".map(r => r.innerText)"), 20, what="table rows")
        self.assertEqual(len(rows), 2)
        self.assertIn('ui_demo{job="a"}', rows[0])
        self.assertIn("40", rows[0])
        self.assertIn('ui_demo{job="b"}', rows[1])
        self.assertIn("80", rows[1])

    def test_graph_for_range_query(self):
        b = self.browser
        b.get(self.p.url + "/?g0.expr=ui_demo&g0.tab=0")
        paths = wait_until(lambda: b.js(
            "return [...document.querySelectorAll('#chart path.series')].map(p => p.getAttribute('d'))"),
            20, what="graph lines")
        self.assertEqual(len(paths), 2)
        for d in paths:
            self.assertGreater(d.count("L"), 10, "a line through many points")
        legend = b.text("#legend")
        self.assertIn('ui_demo{job="a"}', legend)
        b.screenshot(f"{self.workdir}/graph.png")

    def test_error_shown_in_place(self):
        b = self.browser
        b.get(self.p.url + "/")
        b.type("#expr", "sum(")
        b.click("#execute")
        msg = wait_until(lambda: b.js("const e = document.getElementById('error');"
                                      "return e.hidden ? '' : e.innerText"), 20, what="error box")
        self.assertIn("parse error", msg)
        self.assertIn("bad_data", msg)
