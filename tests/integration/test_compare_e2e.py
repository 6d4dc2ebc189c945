"""Acceptance of comparison runs (issue 5), end to end on loopback with real processes only.

One class-level setup plays the scenarios once with ONE simulator process that both pushes the
WSBs to a real bridge (--webhook; the bridge's [dfdg] points at the simulator's REST port) and
plays the legacy WsrmService (--legacy-port). `wsrm-bridge shadow` records, per organisation
(the jobcenter 8/44000 and the a-kasse 9/5105):

  * the legacy side: sub-queue `shadow` of the simulator's legacy service (and `shadow2`, a second
    legacy recording of the same period);
  * the bridge side: sub-queue `shadow` of the bridge's consumer (sub_queues = ["shadow"]).

Then `wsrm-bridge compare`:

  1. clean: recordings vs recordings and recording vs the bridge's store pass (exit 0), every
     message paired, the only non-equal fields are the two the shipped rules ignore; the JUnit
     XML is well formed with no failure; the Get… responses of the recordings validate against
     the XSD. A copy of the rules without the ignore rules fails (the clean assertion can fail).
  2. each --inject kind (a legacy-only simulator run per kind, recorded and compared against the
     bridge recording of the setup; the expectation comes from the injection the simulator
     reports, the mapping row from docs/mapping-tables.md, never from compare itself);
  3. the noise baseline (Diffy's rule, computed here from the [noise] table of the rules);
  4. runs stored in the bridge's SQLite file (compare_run), and usage errors (exit 2).
"""

import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
import tomllib
import unittest
import xml.etree.ElementTree as ET

from bridge_harness import OP_AKASSE, OP_HAENDELSE, OP_INDKALDELSE, BridgeTestCase
from compare_harness import (RULES, Sim, compare, find_local, mapping_rows, read_log,
                             recorded_items, scenario, set_element_text, shadow,
                             start_bridge_for_sim, validate_recording)

TOKEN = "compare-e2e-token"
JC, AK = "8/44000", "9/5105"
ORGS = (JC, AK)
CONSUMER = {JC: "jobcenter-kerteminde", AK: "akasse-fyn"}
OPERATIONS = {JC: [OP_INDKALDELSE, OP_HAENDELSE], AK: [OP_AKASSE]}
SCENARIOS = [scenario(n) for n in ("create.json", "seed.json", "update.json",
                                   "joint_participants.json", "akasse_own.json")]
# The shipped rules ignore exactly these: each service assigns them itself.
IGNORED = {"WSRMMetadata/MessageIdentifier", "WSRMMetadata/MessageQueuedDateTime"}


def expected_counts():
    """(organisation, operation) → number of messages, from the scenarios' hand-written
    `expect` (never from the bridge's routing)."""
    out = {}
    for path in SCENARIOS:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for step in doc["steps"]:
            for key, ops in step.get("expect", {}).items():
                org = doc["organisations"][key]
                for op in ops:
                    k = (f"{org['type']}/{org['code']}", op)
                    out[k] = out.get(k, 0) + 1
    return out


def without_indexes(path):
    return re.sub(r"\[\d+\]", "", path)


def slug(org):
    return org.replace("/", "-")


class CompareEndToEnd(BridgeTestCase):

    # ------------------------------------------------------------------------ the setup

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = tempfile.mkdtemp(prefix="wsrm-it-compare-e2e-")
        cls.addClassCleanup(shutil.rmtree, cls.work, True)
        cls.rows = mapping_rows()
        cls.expected = expected_counts()

        cls.bridge, rest_port = start_bridge_for_sim(
            cls.work, {org: (CONSUMER[org], OPERATIONS[org]) for org in ORGS}, TOKEN)
        cls.addClassCleanup(cls.bridge.stop)
        bridge_url = f"http://127.0.0.1:{cls.bridge.soap_port}"

        # One simulator: WSB pushes to the bridge AND the legacy service, two legacy sub-queues.
        sim = Sim(cls.work, "clean", [
            "--webhook", f"http://127.0.0.1:{cls.bridge.webhook_port}", "--token", TOKEN,
            "--rest-port", str(rest_port), "--rest-token", "sim-token", "--retry-cap-ms", "50",
            "--legacy-sub-queue", "shadow", "--legacy-sub-queue", "shadow2",
            "--scenario", *SCENARIOS])
        cls.addClassCleanup(sim.stop)
        s = sim.summary
        if not (s["all_delivered"] and s["exit_code"] == 0 and s["injections"] == []
                and s["legacy"]["totals"]["failed"] == 0):
            raise AssertionError("clean simulator run failed:\n" + sim.text())
        cls.pushes = sum(len(step["pushes"]) for step in s["steps"])
        cls.wait_for_pipeline()

        cls.legacy, cls.noise, cls.recorded = {}, {}, {}
        for org in ORGS:
            cls.legacy[org] = os.path.join(cls.work, f"legacy-{slug(org)}")
            cls.noise[org] = os.path.join(cls.work, f"legacy2-{slug(org)}")
            cls.recorded[org] = os.path.join(cls.work, f"bridge-{slug(org)}")
            shadow(sim.legacy_url, org, "shadow", cls.legacy[org])
            shadow(sim.legacy_url, org, "shadow2", cls.noise[org])
            shadow(bridge_url, org, "shadow", cls.recorded[org])
        sim.stop()

    @classmethod
    def wait_for_pipeline(cls):
        """Until the bridge's pipeline has taken every push past enrichment (as
        test_pipeline_e2e waits), with nothing parked."""
        deadline = time.monotonic() + 60
        while True:
            db = sqlite3.connect(f"file:{cls.bridge.db_path}?mode=ro", uri=True, timeout=10)
            try:
                rows = db.execute("SELECT besked_identifier, stage FROM inbox_message").fetchall()
            finally:
                db.close()
            pending = [r for r in rows if r[1] in ("received", "enriched")]
            if len(rows) >= cls.pushes and not pending:
                parked = [r for r in rows if r[1] == "parked"]
                if parked:
                    raise AssertionError(f"parked: {parked}\n{cls.bridge.stderr_text()[-4000:]}")
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"pipeline did not finish ({len(rows)} of {cls.pushes}, "
                                     f"pending {pending}):\n{cls.bridge.stderr_text()[-4000:]}")
            time.sleep(0.05)

    def setUp(self):
        super().setUp()
        self.bridges = [self.bridge]  # its stderr is printed when a test fails

    # ------------------------------------------------------------------------ helpers

    def compare(self, name, legacy, **kw):
        return compare(self.tmp, name, legacy, **kw)

    def assert_exit(self, run, code, verdict):
        self.assertEqual(run.returncode, code, run.output)
        self.assertIsNotNone(run.result, "no JSON result\n" + run.output)
        self.assertEqual(run.result["format"], "wsrm-compare-result/1")
        self.assertEqual(run.result["verdict"], verdict, run.output)
        self.assertEqual(run.result["failures"] == [], verdict == "pass", run.output)

    def assert_clean(self, run, org):
        """A comparison of the clean setup: pass, every message paired, only the ignored fields
        differ, and they are ignored."""
        self.assert_exit(run, 0, "pass")
        r = run.result
        self.assertEqual(r["organisation"], org)
        self.assertEqual([o["operation"] for o in r["operations"]], sorted(OPERATIONS[org]))
        for o in r["operations"]:
            n = self.expected[(org, o["operation"])]
            self.assertGreater(n, 0)
            self.assertEqual((o["legacy_messages"], o["bridge_messages"], o["pairs"]), (n, n, n),
                             o["operation"])
            self.assertEqual((o["legacy_only"], o["bridge_only"]), ([], []), o["operation"])
            self.assertEqual((o["pairs_with_differences"], o["exceeded"]), (0, False))
        differing = set()
        for f in r["fields"]:
            raw = f["different"] + f["missing"] + f["extra"]
            self.assertEqual(f["counted"], 0, f)
            self.assertFalse(f["exceeded"], f)
            self.assertEqual(f["noise"], 0, f)
            if raw + f["equivalent"]:
                differing.add(f["field"])
                self.assertIn(f["field"], IGNORED, f"a field that is not ignored differs: {f}")
                self.assertEqual(f["ignored"], raw, f)
                self.assertIsNotNone(f["ignore"], f)
        # Each side assigns its own MessageIdentifier: it differs in every pair, and is ignored.
        for op in OPERATIONS[org]:
            f = run.field(op, "WSRMMetadata/MessageIdentifier")
            self.assertEqual((f["different"], f["ignored"]), (f["observed"], f["observed"]))
            self.assertEqual(f["observed"], self.expected[(org, op)])
        self.assertIn("WSRMMetadata/MessageIdentifier", differing)
        self.assertTrue(r["differences"])
        for d in r["differences"]:
            self.assertIn(d["field"], IGNORED, d)
            self.assertEqual((d["outcome"], d["standing"]), ("different", "ignored"), d)
            self.assertRegex(d["rule"], r"rules\.toml:\d+$")
        rules = {u["path"]: u for u in r["ignore_rules"]}
        self.assertEqual(set(rules), IGNORED)
        self.assertGreater(rules["WSRMMetadata/MessageIdentifier"]["matched"], 0)

    def assert_junit(self, run, failures):
        """The JUnit file is well-formed XML whose failure counts add up to `failures` (None:
        at least one)."""
        tree = ET.parse(run.junit_path)  # raises on malformed XML
        root = tree.getroot()
        self.assertEqual(root.tag, "testsuites")
        suites = root.findall("testsuite")
        self.assertEqual(sorted(s.get("name") for s in suites),
                         [o["operation"] for o in run.result["operations"]])
        failed = root.findall("testsuite/testcase/failure")
        self.assertEqual(int(root.get("failures")), len(failed))
        self.assertEqual(int(root.get("tests")), len(root.findall("testsuite/testcase")))
        self.assertEqual(sum(int(s.get("failures")) for s in suites), len(failed))
        if failures is None:
            self.assertGreater(len(failed), 0)
        else:
            self.assertEqual(len(failed), failures, ET.tostring(root, encoding="unicode"))
        return root

    def bridge_runs(self):
        db = sqlite3.connect(f"file:{self.bridge.db_path}?mode=ro", uri=True, timeout=10)
        try:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM compare_run ORDER BY id")]
        finally:
            db.close()

    def legacy_only_run(self, name, *args):
        """A legacy-only simulator run (the same scenarios) with `args` (e.g. --inject …), its
        injected organisation recorded from sub-queue `shadow`. Returns (sim, injection,
        recording); the simulator is stopped."""
        sim = Sim(self.tmp, name, [*args, "--scenario", *SCENARIOS])
        try:
            self.assertEqual(sim.summary["exit_code"], 0, sim.text())
            inj = sim.injection()
            rec = os.path.join(self.tmp, f"{name}-{slug(inj['organisation'])}")
            shadow(sim.legacy_url, inj["organisation"], "shadow", rec)
        finally:
            sim.stop()
        return sim, inj, rec

    # ------------------------------------------------------------------------ 1. clean

    def test_1_clean_run_passes_for_both_organisations(self):
        # The recordings hold valid Get… responses (xmllint against wsdl/xsd).
        for org in ORGS:
            for rec in (self.legacy[org], self.noise[org], self.recorded[org]):
                with self.subTest(recording=rec):
                    self.assertEqual(validate_recording(rec), len(OPERATIONS[org]))
                    got = {op: len(v) for op, v in recorded_items(rec).items()}
                    self.assertEqual(got, {op: self.expected[(org, op)]
                                           for op in OPERATIONS[org]})

        for org in ORGS:
            with self.subTest(org=org, bridge="recording"):
                run = self.compare(f"clean-{slug(org)}", self.legacy[org],
                                   bridge=self.recorded[org])
                self.assert_clean(run, org)
                self.assertIn("Verdict: PASS", run.proc.stdout)
                self.assert_junit(run, 0)
            with self.subTest(org=org, bridge="store"):
                run = self.compare(f"clean-store-{slug(org)}", self.legacy[org],
                                   store=self.bridge.db_path, consumer=CONSUMER[org])
                self.assert_clean(run, org)
                self.assertIn(CONSUMER[org], run.result["sources"]["bridge"])
            with self.subTest(org=org, noise="identical second legacy recording"):
                run = self.compare(f"clean-noise-{slug(org)}", self.legacy[org],
                                   bridge=self.recorded[org], noise=self.noise[org])
                self.assert_clean(run, org)
                self.assertEqual(run.result["noise_baseline"],
                                 {"pairs": sum(self.expected[(org, op)]
                                               for op in OPERATIONS[org])})

        # Sanity: the clean assertion can fail. Without the shipped ignore rules the two fields
        # each service assigns itself are counted and the run fails.
        with open(RULES, encoding="utf-8") as f:
            text = f.read()
        stripped, n = re.subn(r"\[\[ignore\]\]\npath = [^\n]*\nreason = [^\n]*\n", "", text)
        self.assertEqual(n, 2, "the shipped rules changed shape")
        rules = os.path.join(self.tmp, "rules-without-ignore.toml")
        with open(rules, "w", encoding="utf-8") as f:
            f.write(stripped)
        run = self.compare("no-ignore", self.legacy[JC], bridge=self.recorded[JC], rules=rules)
        self.assert_exit(run, 1, "fail")
        with self.assertRaises(AssertionError):
            self.assert_clean(run, JC)
        counted = {d["field"] for d in run.counted()}
        self.assertIn("WSRMMetadata/MessageIdentifier", counted)
        self.assertLessEqual(counted, IGNORED)
        self.assert_junit(run, None)

    # ------------------------------------------------------------------------ 2. injections

    def check_field_difference(self, run, inj, outcome):
        """Exactly one counted difference: the injected element, attributed to its row."""
        op, path = inj["operation"], inj["path"]
        self.assertNotEqual(path, "")
        row = self.rows[op].get(path)
        self.assertTrue(row, f"docs/mapping-tables.md has no row for {op} {path}")
        self.assert_exit(run, 1, "fail")
        [d] = run.counted()
        self.assertEqual((d["operation"], d["field"], without_indexes(d["path"])), (op, path, path))
        self.assertEqual((d["outcome"], d["standing"]), (outcome, "counted"))
        self.assertEqual(d["row"], row)
        self.assertIn(inj["indkaldelse"], d["key"])
        self.assertEqual(d["bridge"], inj["original_value"])
        self.assertEqual(d["legacy"], inj["legacy_value"] or "")
        f = run.field(op, path)
        self.assertEqual((f["row"], f["counted"], f["exceeded"]), (row, 1, True))
        self.assertEqual(f[outcome], 1)
        self.assertTrue(any(row in failure for failure in run.result["failures"]),
                        run.result["failures"])
        for o in run.result["operations"]:
            self.assertEqual((o["legacy_only"], o["bridge_only"]), ([], []))
            self.assertEqual(o["pairs_with_differences"], 1 if o["operation"] == op else 0)
        junit = self.assert_junit(run, None)
        self.assertTrue(any(row in (fl.get("message") or "")
                            for fl in junit.iter("failure")), "JUnit failure names the row")

    def test_2_each_injected_difference_is_found(self):
        # Targets spread over both organisations; the simulator reports what it hit.
        cases = [("wrong-code", "wrong-code"),
                 ("missing-element", "missing-element@akasse_own/create-7"),
                 ("date-precision", "date-precision@akasse_own/create-10"),
                 ("extra-message", "extra-message@joint_participants/participant"),
                 ("missing-message", "missing-message@akasse_own/cancel-15")]
        hit = set()
        for kind, arg in cases:
            with self.subTest(kind=kind):
                sim, inj, rec = self.legacy_only_run(kind, "--inject", arg)
                self.assertEqual(inj["kind"], kind)
                org, op = inj["organisation"], inj["operation"]
                hit.add(org)
                self.assertIn(op, OPERATIONS[org])
                run = self.compare(f"inject-{kind}", rec, bridge=self.recorded[org])
                self.assertEqual(run.result["organisation"], org)

                if kind == "wrong-code":
                    self.check_field_difference(run, inj, "different")
                elif kind == "missing-element":
                    self.assertIsNone(inj["legacy_value"])
                    # The legacy item lacks it: the bridge's element is "extra".
                    self.check_field_difference(run, inj, "extra")
                elif kind == "date-precision":
                    # A legal, equivalent value: reported, not counted; the run passes.
                    self.assert_exit(run, 0, "pass")
                    self.assertEqual(run.counted(), [])
                    [d] = [d for d in run.result["differences"] if d["field"] not in IGNORED]
                    self.assertEqual((d["operation"], d["field"], d["outcome"], d["standing"]),
                                     (op, inj["path"], "equivalent", None))
                    self.assertEqual((d["legacy"], d["bridge"]),
                                     (inj["legacy_value"], inj["original_value"]))
                    self.assertIn(inj["indkaldelse"], d["key"])
                    self.assertTrue(d["reason"])
                    self.assertEqual(d["row"], self.rows[op][inj["path"]])
                    self.assertEqual(run.operation(op)["pairs_equivalent_only"], 1)
                    self.assertEqual(run.field(op, inj["path"])["equivalent"], 1)
                    for o in run.result["operations"]:
                        self.assertEqual((o["legacy_only"], o["bridge_only"]), ([], []))
                    self.assert_junit(run, 0)
                else:
                    self.assert_exit(run, 1, "fail")
                    self.assertEqual(run.counted(), [], "unmatched messages are not field "
                                                         "differences")
                    for o in run.result["operations"]:
                        if o["operation"] != op:
                            self.assertEqual((o["legacy_only"], o["bridge_only"]), ([], []))
                    o = run.operation(op)
                    n = self.expected[(org, op)]
                    if kind == "extra-message":
                        self.assertEqual((o["legacy_messages"], o["bridge_messages"]), (n + 1, n))
                        self.assertEqual(o["bridge_only"], [])
                        [u] = o["legacy_only"]
                        self.assertEqual(o["pairs"], n)
                        # The copy has its own event time (legacy_value).
                        self.assertIn(inj["legacy_value"], u["key"])
                        # Against the bridge's store, compare explains it from the bridge's
                        # inbox: the WSBs it received for that indkaldelse, all queued (none
                        # of them is for the copy's time). The progress bar is drawn on request.
                        stored = self.compare(f"inject-{kind}-store", rec,
                                              store=self.bridge.db_path,
                                              consumer=CONSUMER[org], progress="always")
                        self.assert_exit(stored, 1, "fail")
                        [us] = stored.operation(op)["legacy_only"]
                        self.assertTrue(us["hints"], us)
                        for h in us["hints"]:
                            self.assertTrue(h.startswith("WSB "), h)
                            self.assertIn("queued", h)
                        self.assertIn("bridge inbox: WSB ", stored.proc.stdout)
                        self.assertIn("comparing [", stored.proc.stderr)
                    else:
                        self.assertEqual((o["legacy_messages"], o["bridge_messages"]), (n - 1, n))
                        self.assertEqual(o["legacy_only"], [])
                        [u] = o["bridge_only"]
                        self.assertEqual(o["pairs"], n - 1)
                        self.assertIn(inj["original_value"], u["key"])
                    self.assertIn(inj["indkaldelse"], u["key"])
                    self.assertTrue(o["exceeded"])
                    self.assert_junit(run, 1)
        self.assertEqual(hit, set(ORGS), "the injections cover both organisations")

    # ------------------------------------------------------------------------ 3. noise

    def test_3_noise_baseline(self):
        """Two wrong-code injections on the same field of two messages (legacy vs bridge: 2 of n
        pairs differ there); the second legacy recording (sub-queue shadow2, the same messages)
        is edited back to the original value in one or both of them:

          * both edited: the legacy recordings differ in that field as often as legacy and
            bridge do → noise: reported with standing "noise", out of the verdict (pass);
            without --noise the same field is counted (fail);
          * one edited: legacy vs bridge (2/n) exceeds the noise rate (1/n) by more than
            [noise] absolute and relative → still counted with --noise (fail).
        The expected standing is computed here from the rules' [noise] table (Diffy's rule)."""
        sim = Sim(self.tmp, "noise", ["--legacy-sub-queue", "shadow", "--legacy-sub-queue",
                                      "shadow2", "--inject", "wrong-code", "--inject",
                                      "wrong-code@update/move", "--scenario", *SCENARIOS])
        try:
            self.assertEqual(sim.summary["exit_code"], 0, sim.text())
            first, second = sim.summary["injections"]
            # The premise: the same field of the same operation, in two different messages.
            self.assertEqual((first["organisation"], first["operation"], first["path"]),
                             (second["organisation"], second["operation"], second["path"]),
                             sim.summary["injections"])
            ids = [sim.message_identifier(i) for i in (first, second)]
            self.assertNotEqual(ids[0], ids[1])
            org, op, path = first["organisation"], first["operation"], first["path"]
            legacy = os.path.join(self.tmp, "noise-legacy")
            second_rec = os.path.join(self.tmp, "noise-legacy2")
            shadow(sim.legacy_url, org, "shadow", legacy)
            shadow(sim.legacy_url, org, "shadow2", second_rec)
        finally:
            sim.stop()
        n = self.expected[(org, op)]
        row = self.rows[op][path]

        noise_both = os.path.join(self.tmp, "noise-both")
        noise_one = os.path.join(self.tmp, "noise-one")
        shutil.copytree(second_rec, noise_both)
        shutil.copytree(second_rec, noise_one)
        for inj, mid in zip((first, second), ids):
            set_element_text(noise_both, op, mid, path, inj["legacy_value"],
                             inj["original_value"])
        set_element_text(noise_one, op, ids[0], path, first["legacy_value"],
                         first["original_value"])
        # The edited recordings are still valid recordings (sha256 updated): they read, and
        # against the first legacy recording differ in exactly that field.
        for rec, differing in ((noise_both, 2), (noise_one, 1)):
            run = self.compare(f"legacy-vs-{os.path.basename(rec)}", legacy, bridge=rec)
            self.assert_exit(run, 1, "fail")
            self.assertEqual({(d["field"], d["outcome"]) for d in run.counted()},
                             {(path, "different")})
            self.assertEqual(run.field(op, path)["different"], differing)

        with open(RULES, "rb") as f:
            noise_rule = tomllib.load(f)["noise"]

        def significant(rate, noise_rate):
            return (rate - noise_rate > noise_rule["absolute"]
                    and rate > noise_rate * (1 + noise_rule["relative"]))

        # Without --noise: counted.
        run = self.compare("noise-off", legacy, bridge=self.recorded[org])
        self.assert_exit(run, 1, "fail")
        f = run.field(op, path)
        self.assertEqual((f["different"], f["counted"], f["noise"], f["noise_rate"]),
                         (2, 2, 0, None))
        self.assertEqual(f["observed"], n)
        self.assertEqual({d["standing"] for d in run.differences(field=path)}, {"counted"})
        self.assertIsNone(run.result["noise_baseline"])

        # With the baseline that differs there as often: noise, out of the verdict.
        self.assertFalse(significant(2 / n, 2 / n))
        run = self.compare("noise-both", legacy, bridge=self.recorded[org], noise=noise_both)
        self.assert_exit(run, 0, "pass")
        f = run.field(op, path)
        self.assertEqual((f["different"], f["noise"], f["counted"], f["exceeded"]),
                         (2, 2, 0, False))
        self.assertAlmostEqual(f["noise_rate"], 2 / n)
        self.assertEqual(f["row"], row)
        ds = run.differences(field=path)
        self.assertEqual(len(ds), 2)
        for d in ds:
            self.assertEqual((d["outcome"], d["standing"], d["row"]), ("different", "noise", row))
        self.assertEqual(sorted(d["legacy"] for d in ds),
                         sorted([first["legacy_value"], second["legacy_value"]]))
        self.assertEqual(run.counted(), [])
        self.assertEqual(run.result["noise_baseline"],
                         {"pairs": sum(self.expected[(org, o)] for o in OPERATIONS[org])})
        self.assertIn("Noise (differs between the legacy recordings too)", run.proc.stdout)
        self.assert_junit(run, 0)

        # With the baseline that differs there only half as often: significant, counted.
        self.assertTrue(significant(2 / n, 1 / n))
        run = self.compare("noise-one", legacy, bridge=self.recorded[org], noise=noise_one)
        self.assert_exit(run, 1, "fail")
        f = run.field(op, path)
        self.assertEqual((f["different"], f["noise"], f["counted"], f["exceeded"]),
                         (2, 0, 2, True))
        self.assertAlmostEqual(f["noise_rate"], 1 / n)
        self.assertEqual({d["standing"] for d in run.differences(field=path)}, {"counted"})

        # A baseline that differs in another field only does not excuse this one.
        other = os.path.join(self.tmp, "noise-other-field")
        shutil.copytree(noise_both, other)
        items = recorded_items(other)[op]
        item = next(i for i in items
                    if find_local(i, "WSRMMetadata/MessageIdentifier").text == ids[0])
        other_path = "Title"
        title = find_local(item, other_path)
        self.assertIsNotNone(title, "the injected item has no Title to edit")
        # Undo the edits of `path` (both messages back to the injected values), change Title.
        for inj, mid in zip((first, second), ids):
            set_element_text(other, op, mid, path, inj["original_value"], inj["legacy_value"])
        set_element_text(other, op, ids[0], other_path, title.text, title.text + " (edited)")
        run = self.compare("noise-other-field", legacy, bridge=self.recorded[org], noise=other)
        self.assert_exit(run, 1, "fail")
        f = run.field(op, path)
        self.assertEqual((f["counted"], f["noise"], f["noise_rate"]), (2, 0, 0))
        t = run.field(op, other_path)
        self.assertAlmostEqual(t["noise_rate"], 1 / n)
        self.assertEqual((t["different"], t["noise"], t["counted"]), (0, 0, 0))

    # ------------------------------------------------------------------------ 4. storage

    def test_4_runs_are_stored_and_usage_errors_exit_2(self):
        before = self.bridge_runs()
        run = self.compare("stored-pass", self.legacy[JC], store=self.bridge.db_path,
                           consumer=CONSUMER[JC], save=True)
        self.assert_clean(run, JC)
        self.assertIn("run stored in", run.proc.stdout)
        after = self.bridge_runs()
        self.assertEqual(len(after), len(before) + 1)
        stored = after[-1]
        self.assertEqual((stored["label"], stored["organisation"], stored["passed"]),
                         ("stored-pass", JC, 1))
        self.assertEqual((stored["legacy_only"], stored["bridge_only"], stored["counted"]),
                         (0, 0, 0))
        self.assertEqual(stored["pairs"], sum(o["pairs"] for o in run.result["operations"]))
        self.assertEqual(json.loads(stored["result_json"])["verdict"], "pass")
        db = sqlite3.connect(f"file:{self.bridge.db_path}?mode=ro", uri=True, timeout=10)
        try:
            fields = db.execute("SELECT field, ignored FROM compare_field WHERE run_id = ?",
                                (stored["id"],)).fetchall()
        finally:
            db.close()
        self.assertEqual(len(fields), len(run.result["fields"]))
        self.assertGreater(dict(fields)["WSRMMetadata/MessageIdentifier"], 0)

        # A failing run is stored as failed: a copy of the legacy recording with one element
        # changed by hand (no simulator involved).
        edited = os.path.join(self.tmp, "legacy-edited")
        shutil.copytree(self.legacy[JC], edited)
        item = next(i for i in recorded_items(edited)[OP_INDKALDELSE]
                    if find_local(i, "Title") is not None)
        mid = find_local(item, "WSRMMetadata/MessageIdentifier").text
        title = find_local(item, "Title").text
        set_element_text(edited, OP_INDKALDELSE, mid, "Title", title, title + "!")
        run = self.compare("stored-fail", edited, store=self.bridge.db_path,
                           consumer=CONSUMER[JC], save=True)
        self.assert_exit(run, 1, "fail")
        [d] = run.counted()
        self.assertEqual((d["field"], d["row"]), ("Title", self.rows[OP_INDKALDELSE]["Title"]))
        stored = self.bridge_runs()[-1]
        self.assertEqual((stored["label"], stored["passed"], stored["counted"]),
                         ("stored-fail", 0, 1))
        self.assertEqual(json.loads(stored["result_json"])["verdict"], "fail")

        # Usage errors: exit 2, the message names the path, nothing is stored.
        count = len(self.bridge_runs())
        empty = os.path.join(self.tmp, "not-a-recording")
        os.mkdir(empty)
        foreign = os.path.join(self.tmp, "foreign")
        os.mkdir(foreign)
        with open(os.path.join(foreign, "recording.json"), "w", encoding="utf-8") as f:
            f.write('{"format": "something-else/1"}')
        missing_store = os.path.join(self.tmp, "no-such.db")
        # A response changed after recording without updating its sha256 in log.jsonl (what
        # set_element_text does): refused, naming the file.
        tampered = os.path.join(self.tmp, "tampered")
        shutil.copytree(self.legacy[JC], tampered)
        line = next(l for l in read_log(tampered) if l["call"] == OP_INDKALDELSE)
        tampered_file = os.path.join(tampered, line["file"])
        with open(tampered_file, "ab") as f:
            f.write(b"\n")
        run = self.compare("usage-tampered", tampered, bridge=self.recorded[JC], junit=False)
        self.assertEqual(run.returncode, 2, run.output)
        self.assertIn(tampered_file, run.proc.stderr)
        self.assertIn("SHA-256", run.proc.stderr)
        for name, legacy, kw, named in (
                ("usage-empty", empty, {"store": self.bridge.db_path,
                                        "consumer": CONSUMER[JC], "save": True}, empty),
                ("usage-foreign", foreign, {"bridge": self.recorded[JC]}, foreign),
                ("usage-store", self.legacy[JC], {"store": missing_store,
                                                  "consumer": CONSUMER[JC]}, missing_store)):
            with self.subTest(case=name):
                run = self.compare(name, legacy, junit=False, **kw)
                self.assertEqual(run.returncode, 2, run.output)
                self.assertIn(named, run.proc.stderr)
                self.assertIsNone(run.result, "no JSON result on a usage error")
        self.assertEqual(len(self.bridge_runs()), count)
        # One consumer's recordings: a legacy recording of the jobcenter against the bridge
        # recording of the a-kasse is refused.
        run = self.compare("usage-organisations", self.legacy[JC], bridge=self.recorded[AK],
                           junit=False)
        self.assertEqual(run.returncode, 2, run.output)
        self.assertIn(f"organisation {JC}", run.proc.stderr)
        self.assertIn(AK, run.proc.stderr)
        # A noise baseline of another consumer would pair nothing and quietly remove nothing:
        # refused as well.
        run = self.compare("usage-noise-organisation", self.legacy[JC], bridge=self.recorded[JC],
                           noise=self.legacy[AK], junit=False)
        self.assertEqual(run.returncode, 2, run.output)
        self.assertIn("noise baseline", run.proc.stderr)
        self.assertIn(AK, run.proc.stderr)
        # The bridge side must be given one way or the other.
        run = self.compare("usage-no-bridge", self.legacy[JC], junit=False)
        self.assertEqual(run.returncode, 2, run.output)
        self.assertIn("--bridge", run.proc.stderr)


if __name__ == "__main__":
    unittest.main()
