"""Acceptance of the migration report (issue 6), end to end with real processes and a real browser.

One class-level setup builds a populated store by running the real flow on loopback:

  * a bridge (webhook + pipeline) with two consumers, the jobcenter 8/44000 and the a-kasse
    9/5105, each with a `shadow` sub-queue;
  * ONE simulator process that pushes the scenarios' WSBs to the bridge (--webhook), serves the
    REST resources, and plays the legacy WsrmService (--legacy-port) with one injected difference
    (--inject wrong-code);
  * `wsrm-bridge shadow` recordings of the legacy side per organisation; in the recording of the
    organisation the injection hit, one item's CPR number is also changed by hand (so a CPR
    number is a difference example the report must mask);
  * three comparison runs stored in the bridge's file (--bridge-store … --save-to): for the other
    organisation a failing run (a Title edited by hand) and then a clean one; for the injected
    organisation the failing one;
  * a legacy SOAP client polling the bridge's MAIN queue for the other organisation's consumer
    (CreateSequence, Get…, TerminateSequence) — the injected organisation's consumer never polls;
  * two posts the bridge quarantines (not WSB documents) for the injected organisation, one sent
    twice (a duplicate), and one conflict.

Then `wsrm-bridge report`, and headless Chromium renders report.html (--dump-dom, --screenshot).
Every expected figure is computed here from the SQLite file (python's sqlite3) and the compare
JSON results, never from report.json; report.json and the CSV files must then agree with them.
The screenshot is kept in the build tree (printed at the end).
"""

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
from datetime import datetime, timezone
from html.parser import HTMLParser

from bridge_harness import (OP_AKASSE, OP_HAENDELSE, OP_INDKALDELSE, BridgeTestCase, SoapClient,
                            bridge_binary, inventory, ok, sequence_identifier)
from compare_harness import (MAPPINGS_DIR, WSDL_DIR, Sim, compare, find_local, mapping_rows,
                             recorded_items, scenario, set_element_text, shadow,
                             start_bridge_for_sim)

TOKEN = "report-e2e-token"
JC, AK = "8/44000", "9/5105"
ORGS = (JC, AK)
CONSUMER = {JC: "jobcenter-kerteminde", AK: "akasse-fyn"}
OPERATIONS = {JC: [OP_INDKALDELSE, OP_HAENDELSE], AK: [OP_AKASSE]}
SCENARIOS = [scenario(n) for n in ("create.json", "seed.json", "update.json",
                                   "joint_participants.json", "akasse_own.json")]
CPR_RE = re.compile(r"(?<!\d)(\d{6}-?\d{4})(?!\d)")
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "wbr", "source"}


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def artifacts_dir():
    """Where the screenshot and a copy of the report are kept: $WSRM_REPORT_ARTIFACTS, else
    beside the binary under test in the build tree."""
    d = os.environ.get("WSRM_REPORT_ARTIFACTS") or os.path.join(
        os.path.dirname(os.path.dirname(bridge_binary())), "test-artifacts", "report")
    os.makedirs(d, exist_ok=True)
    return d


def anchor(operation, row_id):
    return re.sub(r"[^a-z0-9-]", "-", f"{operation}-{row_id}".lower())


def slug(org):
    return org.replace("/", "-")


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[
        :-3] + "Z"


# ----------------------------------------------------------------------------- the DOM

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.parts = [], []

    def text(self):
        return "".join(p if isinstance(p, str) else p.text() for p in self.parts)

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag=None, **attrs):
        """Descendants with `tag` (None: any) whose attributes equal `attrs` (data_x → data-x;
        True: present)."""
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        out = []
        for n in self.iter():
            if n is self or (tag and n.tag != tag):
                continue
            if all((k in n.attrs) if v is True else n.attrs.get(k) == v for k, v in want.items()):
                out.append(n)
        return out

    def one(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        if len(found) != 1:
            raise AssertionError(f"{len(found)} <{tag} {attrs}> in the DOM")
        return found[0]


class DomBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.parts.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.parts.append(n)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.parts.append(data)


def parse_dom(text):
    b = DomBuilder()
    b.feed(text)
    b.close()
    return b.root


# ----------------------------------------------------------------------------- the test

class ReportEndToEnd(BridgeTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = tempfile.mkdtemp(prefix="wsrm-it-report-")
        cls.addClassCleanup(shutil.rmtree, cls.work, True)
        cls.rows = mapping_rows()

        cls.bridge, rest_port = start_bridge_for_sim(
            cls.work, {org: (CONSUMER[org], OPERATIONS[org]) for org in ORGS}, TOKEN)
        cls.addClassCleanup(cls.bridge.stop)

        sim = Sim(cls.work, "sim", [
            "--webhook", f"http://127.0.0.1:{cls.bridge.webhook_port}", "--token", TOKEN,
            "--rest-port", str(rest_port), "--rest-token", "sim-token", "--retry-cap-ms", "50",
            "--legacy-sub-queue", "shadow", "--inject", "wrong-code", "--scenario", *SCENARIOS])
        cls.addClassCleanup(sim.stop)
        if not (sim.summary["all_delivered"] and sim.summary["exit_code"] == 0):
            raise AssertionError("simulator run failed:\n" + sim.text())
        cls.injection = sim.injection()
        cls.bad = cls.injection["organisation"]  # the organisation with differences
        cls.good = AK if cls.bad == JC else JC
        cls.pushes = sum(len(step["pushes"]) for step in sim.summary["steps"])
        cls.wait_for_pipeline()
        cls.legacy = {}
        for org in ORGS:
            cls.legacy[org] = os.path.join(cls.work, f"legacy-{slug(org)}")
            shadow(sim.legacy_url, org, "shadow", cls.legacy[org])
        sim.stop()

        # A CPR number as a difference: one item's PersonCivilRegistrationIdentifier changed.
        cls.cprs = set()
        edited = False
        for op, items in recorded_items(cls.legacy[cls.bad]).items():
            for item in items:
                cpr = find_local(item, "PersonCivilRegistrationIdentifier")
                if cpr is None or not cpr.text:
                    continue
                cls.cprs.add(cpr.text)
                if not edited:
                    new = cpr.text[:-1] + str((int(cpr.text[-1]) + 1) % 10)
                    mid = find_local(item, "WSRMMetadata/MessageIdentifier").text
                    set_element_text(cls.legacy[cls.bad], op, mid,
                                     "PersonCivilRegistrationIdentifier", cpr.text, new)
                    cls.cprs.add(new)
                    edited = True
        if not edited:
            raise AssertionError(f"no item of {cls.bad} has a CPR number to edit")

        # Three stored runs, in this order: good (failing, Title edited), good (clean), bad.
        good_edited = os.path.join(cls.work, "legacy-good-edited")
        shutil.copytree(cls.legacy[cls.good], good_edited)
        titled = [(op, i) for op, items in recorded_items(good_edited).items() for i in items
                  if find_local(i, "Title") is not None and find_local(i, "Title").text]
        if not titled:
            raise AssertionError(f"no item of {cls.good} has a Title to edit")
        op, item = titled[0]
        set_element_text(good_edited, op, find_local(item, "WSRMMetadata/MessageIdentifier").text,
                         "Title", find_local(item, "Title").text,
                         find_local(item, "Title").text + " (edited)")
        cls.results = {}
        # The bad run is stored --unmask: its stored result holds the CPR numbers, which the
        # report must mask itself.
        for name, org, legacy, extra in (("good-old", cls.good, good_edited, ()),
                                         ("good-latest", cls.good, cls.legacy[cls.good], ()),
                                         ("bad-latest", cls.bad, cls.legacy[cls.bad],
                                          ("--unmask",))):
            run = compare(cls.work, name, legacy, store=cls.bridge.db_path,
                          consumer=CONSUMER[org], save=True, junit=False, extra=extra)
            if run.returncode not in (0, 1) or run.result is None:
                raise AssertionError(f"compare {name}:\n{run.output}")
            cls.results[name] = run.result
            time.sleep(0.01)  # distinct start times
        if cls.results["good-latest"]["verdict"] != "pass" or \
                cls.results["bad-latest"]["verdict"] != "fail":
            raise AssertionError(f"unexpected verdicts: {cls.results}")

        # A legacy SOAP client switched to the bridge: the good consumer polls its main queue.
        client = SoapClient(cls.bridge.soap_port)
        org = (int(cls.good.split("/")[0]), cls.good.split("/")[1])
        r = ok(client.create_sequence(org))
        ident = sequence_identifier(r)
        served = [name for name, _, _ in inventory(r)]
        if not served:
            raise AssertionError(f"the bridge holds no message for {cls.good}")
        for op in served:
            ok(client.get_items(org, op, ident))
        ok(client.terminate_sequence(org, ident))
        client.close()

        # Quarantined posts for the bad organisation, a duplicate and a conflict.
        path = "/wsb/" + cls.bad
        for body in (b'{"note": "not a WSB document"}', b'{"note": "not a WSB document"}',
                     b'{"BeskedIdentifier": "report-it-conflict", "x": 1}',
                     b'{"BeskedIdentifier": "report-it-conflict", "x": 2}'):
            answer = cls.bridge.wsb_post(body, path=path, token=TOKEN)
            if answer.status != 200:
                raise AssertionError(f"post to {path}: {answer.status}")

        # The report, "now" one minute from now.
        cls.now_ms = int(time.time() * 1000) + 60000
        cls.out = os.path.join(cls.work, "report")
        p = subprocess.run([bridge_binary(), "report", "-c", cls.bridge.config_path, "--out",
                            cls.out, "--mappings", MAPPINGS_DIR, "--wsdl", WSDL_DIR, "--now",
                            iso(cls.now_ms)], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError(f"report exited {p.returncode}:\n{p.stdout}{p.stderr}")
        cls.report_stdout = p.stdout
        with open(os.path.join(cls.out, "report.json"), encoding="utf-8") as f:
            cls.json = json.load(f)

        # The browser.
        chromium = find_chromium()
        if chromium is None:
            raise AssertionError("headless Chromium is needed for the report test and was not "
                                 "found: install the Debian package `chromium` "
                                 "(scripts/install-deps)")
        url = "file://" + os.path.join(cls.out, "report.html")
        profile = os.path.join(cls.work, "chromium-profile")
        common = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                  f"--user-data-dir={profile}", "--virtual-time-budget=5000"]
        p = subprocess.run(common + ["--dump-dom", url], capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0 or "<html" not in p.stdout:
            raise AssertionError(f"chromium --dump-dom failed ({p.returncode}):\n{p.stderr[-3000:]}")
        cls.dom_text = p.stdout
        cls.dom = parse_dom(p.stdout)
        keep = artifacts_dir()
        cls.screenshot = os.path.join(keep, "report.png")
        if os.path.exists(cls.screenshot):
            os.unlink(cls.screenshot)
        p = subprocess.run(common + [f"--screenshot={cls.screenshot}", "--window-size=1280,3000",
                                     "--hide-scrollbars", url],
                           capture_output=True, text=True, timeout=120)
        cls.screenshot_log = p.stderr[-3000:]
        shutil.copytree(cls.out, os.path.join(keep, "report"), dirs_exist_ok=True)
        print(f"\nreport screenshot: {cls.screenshot}\nreport copy: {os.path.join(keep, 'report')}",
              flush=True)

    @classmethod
    def wait_for_pipeline(cls):
        deadline = time.monotonic() + 60
        while True:
            rows = cls.query("SELECT stage FROM inbox_message")
            if len(rows) >= cls.pushes and not [r for r in rows if r[0] in ("received",
                                                                            "enriched")]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"pipeline did not finish:\n"
                                     f"{cls.bridge.stderr_text()[-4000:]}")
            time.sleep(0.05)

    @classmethod
    def query(cls, sql, *args):
        db = sqlite3.connect(f"file:{cls.bridge.db_path}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def setUp(self):
        super().setUp()
        self.bridges = [self.bridge]

    # ------------------------------------------------------------------------ helpers

    def consumer_row(self, table_id, consumer):
        return self.dom.one("table", id=table_id).one("tr", data_consumer=consumer)

    def figure(self, node, name):
        return node.one(data_figure=name).text().strip()

    # ------------------------------------------------------------------------ tests

    def test_1_every_chart_rendered_and_the_page_is_self_contained(self):
        body = self.dom.one("body")
        charts = self.dom.find_all("svg", **{"class": "chart"})
        self.assertEqual(len(charts), 3)
        self.assertEqual(body.attrs.get("data-charts-ok"), f"{len(charts)}/{len(charts)}",
                         "the page's self-check (getBBox and data marks) did not pass")
        self.assertEqual({c.attrs["data-chart"] for c in charts},
                         {"field-rates", "compare-trend", "ingest-daily"})
        for c in charts:
            self.assertEqual(int(c.attrs["data-marks"]), len(c.find_all(data_mark=True)))
        # No external asset, nothing fetched.
        self.assertEqual(self.dom.find_all("link"), [])
        self.assertEqual([n for n in self.dom.iter() if "src" in n.attrs], [])
        for section in ("readiness", "coverage", "comparison", "consumers", "ingest"):
            self.dom.one("section", id=section)
        # The screenshot was taken and is a PNG of the requested size.
        self.assertTrue(os.path.exists(self.screenshot), self.screenshot_log)
        with open(self.screenshot, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual((int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")),
                         (1280, 3000))

    def test_2_readiness_follows_the_rules(self):
        bad, good = CONSUMER[self.bad], CONSUMER[self.good]
        latest = {org: self.query("SELECT id, passed FROM compare_run WHERE organisation = ? "
                                  "ORDER BY started_at_ms DESC, id DESC LIMIT 1", org)[0]
                  for org in ORGS}
        self.assertEqual(latest[self.good][1], 1)
        self.assertEqual(latest[self.bad][1], 0)
        quarantined = {org: self.query(
            "SELECT COUNT(*) FROM inbox_message WHERE recipient_type = ? AND recipient_code = ? "
            "AND (status = 'quarantined' OR stage = 'quarantined')",
            int(org.split("/")[0]), org.split("/")[1])[0][0] for org in ORGS}
        self.assertEqual(quarantined[self.good], 0)
        self.assertGreater(quarantined[self.bad], 0)

        g = self.consumer_row("readiness-consumers", good)
        self.assertEqual((g.attrs["data-ready"], g.attrs["data-legacy-off"]), ("true", "true"))
        self.assertEqual(g.find_all("li", data_reason=True), [])
        b = self.consumer_row("readiness-consumers", bad)
        self.assertEqual((b.attrs["data-ready"], b.attrs["data-legacy-off"]), ("false", "false"))
        codes = {li.attrs["data-reason"] for li in b.find_all("li", data_reason=True)}
        self.assertEqual(codes, {"differences", "quarantined", "legacy_polling"})
        polling = b.one("li", data_reason="legacy_polling").text()
        self.assertIn("never polled", polling)
        self.assertIn(str(quarantined[self.bad]) + " message(s)", b.one(
            "li", data_reason="quarantined").text())

        # Per operation: the operations the bad run failed on name the run and the row.
        result = self.results["bad-latest"]
        failed = {o["operation"] for o in result["operations"] if o["exceeded"]} | \
                 {f["operation"] for f in result["fields"] if f["exceeded"]}
        self.assertIn(self.injection["operation"], failed)
        ops = self.dom.one("table", id="readiness-operations")
        for org in ORGS:
            for op in OPERATIONS[org]:
                row = ops.one("tr", data_consumer=CONSUMER[org], data_operation=op)
                reasons = {li.attrs["data-reason"]: li.text()
                           for li in row.find_all("li", data_reason=True)}
                if org == self.good:
                    self.assertEqual((row.attrs["data-ready"], reasons), ("true", {}))
                    continue
                self.assertEqual(row.attrs["data-ready"], "false")
                self.assertEqual("differences" in reasons, op in failed, reasons)
                if op in failed:
                    self.assertIn(f"#{latest[self.bad][0]}", reasons["differences"])
                    for f in result["fields"]:
                        if f["operation"] == op and f["exceeded"]:
                            self.assertIn(f["field"], reasons["differences"])
                            self.assertIn(f["row"], reasons["differences"])
        # report.json agrees.
        by_consumer = {r["consumer"]: r for r in self.json["readiness"]}
        self.assertEqual((by_consumer[good]["ready"], by_consumer[good]["legacy_off"]),
                         (True, True))
        self.assertEqual((by_consumer[bad]["ready"], by_consumer[bad]["legacy_off"]),
                         (False, False))
        with open(os.path.join(self.out, "readiness.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual({(r["consumer"], r["ready"]) for r in rows if r["operation"] == ""},
                         {(good, "yes"), (bad, "no")})

    def test_3_comparison_runs_top_differences_and_trend(self):
        runs = self.query("SELECT id, organisation, pairs, counted, passed FROM compare_run "
                          "ORDER BY started_at_ms, id")
        self.assertEqual(len(runs), 3)
        trend = self.dom.one("svg", data_chart="compare-trend")
        self.assertEqual(len(trend.find_all("circle", data_mark="point")), 2 * len(runs))
        latest = self.dom.one("table", id="compare-latest")
        for org in ORGS:
            rid, _, pairs, counted, _ = [r for r in runs if r[1] == org][-1]
            row = latest.one("tr", data_organisation=org)
            self.assertEqual(row.attrs["data-run"], str(rid))
            self.assertEqual(self.figure(row, "pairs"), str(pairs))
            self.assertEqual(self.figure(row, "counted"), str(counted))

        # Top differences: every counted field of the bad run's JSON, with its row linked.
        result = self.results["bad-latest"]
        counted = {(f["operation"], f["field"]): f for f in result["fields"] if f["counted"] > 0}
        self.assertIn((self.injection["operation"], self.injection["path"]), counted)
        self.assertIn("PersonCivilRegistrationIdentifier", {k[1] for k in counted})
        top = self.dom.one("table", id="compare-top")
        for (op, field), f in counted.items():
            row = top.one("tr", data_organisation=self.bad, data_operation=op, data_field=field)
            self.assertEqual(self.figure(row, "counted"), f"{f['counted']} of {f['observed']}")
            self.assertEqual(f["row"], self.rows[op][field])
            href = row.one("a").attrs["href"]
            self.assertTrue(href.endswith("mapping-tables.md#" + anchor(op, f["row"].split("#")[1])),
                            href)
            example = next(d for d in result["differences"]
                           if (d["operation"], d["field"], d["standing"]) == (op, field, "counted"))
            if field != "PersonCivilRegistrationIdentifier":
                self.assertIn(f"'{example['legacy']}'", row.text())
                self.assertIn(f"'{example['bridge']}'", row.text())
            else:
                self.assertIn("'**********'", row.text())
        # Field rates of the latest runs from compare_field.
        fields = self.query("SELECT f.operation, f.field, f.different + f.missing + f.extra - "
                            "f.ignored - f.noise, f.observed FROM compare_field f JOIN compare_run "
                            "r ON r.id = f.run_id WHERE r.id = ?",
                            [r for r in runs if r[1] == self.bad][-1][0])
        table = self.dom.one("table", id="compare-fields")
        for op, field, c, observed in fields:
            if c > 0:
                row = table.one("tr", data_organisation=self.bad, data_operation=op,
                                data_field=field)
                self.assertEqual(self.figure(row, "counted"), str(c))
                self.assertEqual(self.figure(row, "rate"), f"{100 * c / observed:.1f} %")
        self.assertEqual(len(self.json["comparison"]["runs"]), len(runs))

    def test_4_consumers(self):
        for org in ORGS:
            c = CONSUMER[org]
            row = self.consumer_row("consumers-table", c)
            backlog = self.query("SELECT COUNT(*) FROM queue_message WHERE consumer = ? AND "
                                 "sub_queue = '' AND state IN (0, 1)", c)[0][0]
            self.assertEqual(self.figure(row, "backlog"), str(backlog))
            states = dict(self.query("SELECT state, COUNT(*) FROM wsrm_sequence WHERE consumer = ? "
                                     "AND sub_queue = '' GROUP BY state", c))
            for state in ("open", "terminated", "closed", "expired"):
                self.assertEqual(self.figure(row, state), str(states.get(state, 0)), state)
            delivered = self.query("SELECT operation, COUNT(*) FROM queue_message WHERE consumer "
                                   "= ? AND sub_queue = '' AND state = 2 GROUP BY operation "
                                   "ORDER BY operation", c)
            text = self.figure(row, "delivered")
            if org == self.good:
                self.assertTrue(delivered)
                self.assertEqual(backlog, 0)
                self.assertEqual(states.get("terminated"), 1)
                created, ended = self.query("SELECT MAX(created_at_ms), MAX(ended_at_ms) FROM "
                                            "wsrm_sequence WHERE consumer = ? AND sub_queue = '' "
                                            "AND state = 'terminated'", c)[0]
                self.assertEqual(row.one(data_figure="last_poll").attrs["data-ms"],
                                 str(max(created, ended)))
            else:
                self.assertEqual(delivered, [])
                self.assertGreater(backlog, 0)
                self.assertIn("never", row.one(data_figure="last_poll").text())
            self.assertEqual(text, ", ".join(f"{op}: {n}" for op, n in delivered) or "none")
            j = next(x for x in self.json["consumers"] if x["consumer"] == c)
            self.assertEqual(j["backlog"], backlog)

    def test_5_ingest_health(self):
        figures = self.dom.one("table", id="ingest-figures")
        expected = {
            "messages": self.query("SELECT COUNT(*) FROM inbox_message")[0][0],
            "duplicates": self.query("SELECT SUM(duplicates) FROM inbox_message")[0][0],
            "conflicts": self.query("SELECT COUNT(*) FROM inbox_conflict")[0][0],
            "quarantined": self.query("SELECT COUNT(*) FROM inbox_message WHERE status = "
                                      "'quarantined' OR stage = 'quarantined'")[0][0],
            "parked": self.query("SELECT COUNT(*) FROM inbox_message WHERE stage = 'parked'")[0][0],
        }
        # + the two quarantined posts (the duplicate and the conflict are not stored again)
        self.assertEqual(expected["messages"], self.pushes + 2)
        self.assertGreaterEqual(expected["duplicates"], 1)
        self.assertEqual(expected["conflicts"], 1)
        self.assertEqual(expected["quarantined"], 2)
        for name, value in expected.items():
            self.assertEqual(self.figure(figures, name), str(value), name)
            self.assertEqual(self.json["ingest"][name], value, name)
        days = self.query("SELECT MIN(received_at_ms) / 86400000, MAX(received_at_ms) / 86400000 "
                          "FROM inbox_message")[0]
        daily = self.dom.one("svg", data_chart="ingest-daily")
        self.assertEqual(len(daily.find_all("rect", data_mark="bar")), days[1] - days[0] + 1)
        quarantine = self.dom.one("table", id="ingest-quarantine")
        self.assertEqual(self.figure(quarantine.one("tr", data_recipient=self.bad,
                                                    data_reason="schema"), "count"), "2")
        columns = {r[1] for r in self.query("PRAGMA table_info(inbox_message)")}
        latency = figures.one(data_figure="latency")
        if "stored_at_ms" not in columns:
            self.assertIn("not recorded", latency.text())
            self.assertIsNone(self.json["ingest"]["ack_latency"])
        else:
            values = sorted(r[0] for r in self.query(
                "SELECT stored_at_ms - received_at_ms FROM inbox_message WHERE stored_at_ms > 0"))
            if not values:
                self.assertIn("not recorded", latency.text())
            else:
                def rank(p):
                    return values[max(1, -(-p * len(values) // 100)) - 1]
                self.assertEqual((latency.attrs["data-p50"], latency.attrs["data-p90"],
                                  latency.attrs["data-p99"]),
                                 (str(rank(50)), str(rank(90)), str(rank(99))))
        with open(os.path.join(self.out, "ingest_daily.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(sum(int(r["messages"]) for r in rows), expected["messages"])

    def test_6_no_cpr_number_appears_unmasked(self):
        cprs = set(self.cprs)
        cprs |= {r[0] for r in self.query("SELECT DISTINCT cpr FROM inbox_message") if r[0]}
        self.assertTrue(any(CPR_RE.fullmatch(c) for c in cprs), cprs)
        texts = {"DOM": self.dom_text}
        for name in os.listdir(self.out):
            with open(os.path.join(self.out, name), encoding="utf-8") as f:
                texts[name] = f.read()
        for where, text in texts.items():
            for cpr in cprs:
                self.assertNotIn(cpr, text, f"{where} shows a CPR number unmasked")
        self.assertIn("**********", self.dom_text)
        # And the test can fail: the stored result (compare --unmask) holds the CPR numbers.
        raw = self.query("SELECT result_json FROM compare_run ORDER BY id DESC LIMIT 1")[0][0]
        self.assertTrue(any(c in raw for c in cprs))

    def test_7_coverage_links_to_the_mapping_tables(self):
        table = self.dom.one("table", id="coverage-operations")
        for op in (OP_INDKALDELSE, OP_HAENDELSE, OP_AKASSE):
            row = table.one("tr", data_operation=op)
            self.assertTrue(row.one("a").attrs["href"].endswith(
                f"mapping-tables.md#{anchor(op, 'table')}"))
        elements = self.dom.one("table", id="coverage-elements")
        for op, paths in self.rows.items():
            for path, ref in paths.items():
                if not ref:
                    continue
                rows = [r for r in elements.find_all("tr", data_operation=op)
                        if r.find_all("code") and r.find_all("code")[0].text() == path]
                self.assertEqual(len(rows), 1, (op, path))
                self.assertTrue(rows[0].one("a").attrs["href"].endswith(
                    "#" + anchor(op, ref.split("#")[1])))
        with open(os.path.join(self.out, "coverage.csv"), encoding="utf-8", newline="") as f:
            n = sum(1 for _ in csv.DictReader(f))
        self.assertEqual(n, sum(len(p) for p in self.rows.values()))


if __name__ == "__main__":
    unittest.main()
