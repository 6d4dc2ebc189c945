"""`wsrm-bridge sim --legacy-port`: the simulator also plays the legacy DFDG WSRM system.

* Legacy only: a plain SOAP client polls each organisation (main queue and the `shadow`
  sub-queue); every response validates against the XSD (SoapClient runs xmllint) and the items
  per organisation and operation are exactly the steps' hand-written `expect`.
* Next to a real bridge: the same scenarios pushed to the bridge too; every legacy item equals
  the bridge's item element by element (namespace URI + local name, leaf texts) except
  MessageIdentifier and MessageQueuedDateTime. This is what shows that the simulator's own
  templates (bridge/sim/legacy/) and the bridge's mapping tables (mappings/) agree.
* Each --inject kind changes exactly what it reports, and bad --inject values are usage errors.
"""

import glob
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import unittest

from bridge_harness import (GET_OPERATIONS, NS_V11, OP_AKASSE, OP_HAENDELSE, OP_INDKALDELSE,
                            SOURCE_DIR, BridgeTestCase, SoapClient, bridge_binary, inventory,
                            items, ok, sequence_identifier)

SCENARIO_DIR = os.path.join(SOURCE_DIR, "tests", "fixtures", "scenarios")
MAPPINGS_DIR = os.path.join(SOURCE_DIR, "mappings")
TOKEN = "legacy-e2e-token"
NS_RUM = "http://service.bm.dk/RequestUserMetadata/2015/01/21/"
# Values the legacy system assigns itself: never compared.
OWN = {"{%s}WSRMMetadata/{%s}MessageIdentifier" % (NS_V11, NS_V11),
       "{%s}WSRMMetadata/{%s}MessageQueuedDateTime" % (NS_V11, NS_V11)}
LEGACY_ONLY_SCENARIOS = ["seed.json", "joint_participants.json", "akasse_own.json", "delete.json",
                         "update.json", "hidden_update.json", "cpr_change.json"]


def scenario(name):
    return os.path.join(SCENARIO_DIR, name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def leaves(element, prefix=""):
    """[(path of namespace-qualified names, text)] of every leaf, in document order."""
    out = []
    for c in element:
        path = f"{prefix}/{c.tag}" if prefix else c.tag
        if len(c) == 0:
            out.append((path, c.text or ""))
        else:
            out.extend(leaves(c, path))
    return out


def split_path(path):
    """'{a}X/{b}Y' → ['{a}X', '{b}Y'] (namespace URIs contain '/')."""
    parts, i = [], 0
    while i < len(path):
        if path[i] == "{":
            end = path.index("}", i)
            j = path.find("/", end)
        else:
            j = path.find("/", i)
        j = len(path) if j < 0 else j
        parts.append(path[i:j])
        i = j + 1
    return parts


def plain_path(path):
    return "/".join(local(p) for p in split_path(path))


def canonical(item):
    return [(p, t) for p, t in leaves(item) if p not in OWN]


def item_key(org, op, item):
    """(organisation, operation, indkaldelse, event time to the second)."""
    ind = item.findtext("{%s}IndkaldelseIdentifier" % NS_V11)
    when = item.findtext("{%s}WSRMMetadata/{%s}RegisteringUser/{%s}RegistrationDateTime"
                         % (NS_V11, NS_V11, NS_RUM))
    return (f"{org[0]}/{org[1]}", op, ind, when[:19])


def expected_items(files):
    """(org "8/44000", op) → sorted [(indkaldelse, haendelsestid)], from `expect` only."""
    out = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for step in doc["steps"]:
            for key, ops in step.get("expect", {}).items():
                org = doc["organisations"][key]
                for op in ops:
                    out.setdefault((f"{org['type']}/{org['code']}", op), []).append(
                        (step["indkaldelse"], step["haendelsestid"]))
    return {k: sorted(v) for k, v in out.items()}


ORGS = [(8, "44000"), (9, "5105")]


class Sim:
    """One `wsrm-bridge sim` process with --legacy-port 0 and --serve."""

    def __init__(self, test, args, name="sim"):
        self.dir = test.tmp
        self.port_file = os.path.join(self.dir, f"{name}.ports")
        self.summary_path = os.path.join(self.dir, f"{name}.summary.json")
        self.log_path = os.path.join(self.dir, f"{name}.log")
        cmd = [bridge_binary(), "sim", "--legacy-port", "0", "--port-file", self.port_file,
               "--summary-json", self.summary_path, "--serve", *args]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        test.addCleanup(self.stop)
        deadline = time.monotonic() + 120
        while not os.path.exists(self.summary_path):
            if self.proc.poll() is not None:
                raise AssertionError(f"sim exited with {self.proc.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                raise AssertionError("sim did not finish:\n" + self.text())
            time.sleep(0.05)
        time.sleep(0.05)
        with open(self.summary_path, encoding="utf-8") as f:
            self.summary = json.load(f)
        with open(self.port_file, encoding="utf-8") as f:
            self.ports = dict(line.strip().split("=", 1) for line in f if "=" in line)
        self.legacy_port = int(self.ports["legacy"])

    def text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-8000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def poll(port, org, sub_queue=None, endpoint=None):
    """op → [item elements] of one real sequence (Create, every Get…, Terminate)."""
    client = SoapClient(port)
    try:
        r = ok(client.create_sequence(org, sub_queue))
        ident = sequence_identifier(r)
        lines = inventory(r)
        counts = {name: n for name, _, n in lines}
        if endpoint is not None:
            for _, url, _ in lines:
                assert url == endpoint, f"ServiceEndpoint {url}, expected {endpoint}"
        got = {}
        for op in GET_OPERATIONS:
            got[op] = items(ok(client.get_items(org, op, ident)), op)
            assert len(got[op]) == counts.get(op, 0), f"{op}: inventory vs items"
        ok(client.terminate_sequence(org, ident))
        return got
    finally:
        client.close()


def keyed(port, sub_queue=None):
    """(org, op, indkaldelse, time) → canonical leaves, for every organisation."""
    out = {}
    for org in ORGS:
        for op, elements in poll(port, org, sub_queue).items():
            for e in elements:
                k = item_key(org, op, e)
                assert k not in out, f"two items with key {k}"
                out[k] = canonical(e)
    return out


class SimLegacy(BridgeTestCase):

    def test_legacy_only_serves_the_expected_items_valid_against_the_xsd(self):
        files = [scenario(n) for n in LEGACY_ONLY_SCENARIOS]
        sim = Sim(self, ["--scenario", *files])
        self.assertEqual(sim.summary["exit_code"], 0, sim.text())
        self.assertEqual(sim.summary["injections"], [])
        legacy = sim.summary["legacy"]
        self.assertEqual(legacy["sub_queues"], ["shadow"])
        self.assertEqual(legacy["totals"]["failed"], 0)
        endpoint = f"http://127.0.0.1:{sim.legacy_port}/11/WsrmMessageService.svc"
        self.assertEqual(legacy["service_endpoint"], endpoint)
        want = expected_items(files)
        self.assertGreater(sum(len(v) for v in want.values()), 20)
        for sub_queue in (None, "shadow"):
            got = {}
            for org in ORGS:
                for op, elements in poll(sim.legacy_port, org, sub_queue, endpoint).items():
                    for e in elements:
                        when = e.findtext("{%s}WSRMMetadata/{%s}RegisteringUser/{%s}"
                                          "RegistrationDateTime" % (NS_V11, NS_V11, NS_RUM))
                        got.setdefault((f"{org[0]}/{org[1]}", op), []).append(
                            (e.findtext("{%s}IndkaldelseIdentifier" % NS_V11), when))
            self.assertEqual({k: sorted(v) for k, v in got.items()}, want, f"sub-queue {sub_queue}")
            # Delivered means delivered, per queue.
            for org in ORGS:
                self.assertEqual(sum(len(v) for v in poll(sim.legacy_port, org, sub_queue).values()),
                                 0)
        # An organisation the scenarios do not have is not a consumer (fault 1013).
        client = SoapClient(sim.legacy_port)
        r = client.create_sequence((8, "99999"))
        self.assertIsNotNone(r.fault)
        self.assertEqual(r.fault.code, 1013)

    def test_legacy_items_equal_the_bridge_items_field_by_field(self):
        files = sorted(glob.glob(os.path.join(SCENARIO_DIR, "*.json")))
        # The mapping tables as the bridge ships them; rules of the comparison tool that live in
        # the same folder (compare.toml) are not mapping tables and are left behind.
        mappings = os.path.join(self.tmp, "mappings")
        shutil.copytree(MAPPINGS_DIR, mappings, ignore=shutil.ignore_patterns("compare.toml"))
        rest_port = free_port()
        consumers = [
            {"id": "jc", "organisations": [{"type": 8, "code": "44000"}],
             "message_types": [OP_INDKALDELSE, OP_HAENDELSE]},
            {"id": "ak", "organisations": [{"type": 9, "code": "5105"}],
             "message_types": [OP_AKASSE]},
        ]
        bridge = self.new_bridge(
            start=False, consumers=consumers, webhook={"bearer_token": TOKEN},
            sections={"dfdg": {"base_url": f"http://127.0.0.1:{rest_port}",
                               "bearer_token": "sim-token", "backoff_initial_ms": 20},
                      "pipeline": {"workers": 2, "retry_initial_ms": 100, "poll_interval_ms": 20},
                      "mappings": {"dir": mappings}})
        bridge.start()
        sim = Sim(self, ["--webhook", f"http://127.0.0.1:{bridge.webhook_port}", "--token", TOKEN,
                         "--rest-port", str(rest_port), "--rest-token", "sim-token",
                         "--retry-cap-ms", "50", "--scenario", *files])
        self.assertTrue(sim.summary["all_delivered"], sim.text())
        self.assertEqual(sim.summary["exit_code"], 0, sim.text())
        pushes = sum(len(s["pushes"]) for s in sim.summary["steps"])
        self.wait_for_pipeline(bridge, pushes)

        legacy = keyed(sim.legacy_port, "shadow")
        ours = {}
        for org, cid in zip(ORGS, ("jc", "ak")):
            for op, elements in poll(bridge.soap_port, org).items():
                for e in elements:
                    ours[item_key(org, op, e)] = canonical(e)
        self.assertGreater(len(legacy), 40)
        self.assertEqual(sorted(legacy), sorted(ours), "the same messages on both sides")
        for k in sorted(legacy):
            with self.subTest(item=k):
                self.assertEqual(legacy[k], ours[k], f"{k}: legacy vs bridge")

    def wait_for_pipeline(self, bridge, expected):
        deadline = time.monotonic() + 60
        while True:
            db = sqlite3.connect(f"file:{bridge.db_path}?mode=ro", uri=True)
            try:
                rows = db.execute("SELECT stage FROM inbox_message").fetchall()
            finally:
                db.close()
            if len(rows) >= expected and not [r for r in rows if r[0] in ("received", "enriched")]:
                return
            self.assertLess(time.monotonic(), deadline, bridge.stderr_text()[-4000:])
            time.sleep(0.05)

    # ------------------------------------------------------------------------------------

    def run_legacy(self, name, extra=()):
        files = [scenario("create.json"), scenario("joint_participants.json"),
                 scenario("akasse_own.json")]
        sim = Sim(self, ["--scenario", *files, *extra], name=name)
        self.assertEqual(sim.summary["exit_code"], 0, sim.text())
        return sim, keyed(sim.legacy_port, "shadow")

    def test_each_injection_changes_exactly_what_it_reports(self):
        _, base = self.run_legacy("base")
        for kind in ("wrong-code", "missing-element", "date-precision", "extra-message",
                     "missing-message"):
            with self.subTest(kind=kind):
                sim, got = self.run_legacy(kind, ["--inject", kind])
                [inj] = sim.summary["injections"]
                self.assertIn(f"legacy: injection {json.dumps(inj, separators=(',', ':'), ensure_ascii=False)}",
                              sim.text())
                self.assertEqual(inj["kind"], kind)
                # The default target: the first message of the first file.
                self.assertEqual((inj["scenario"], inj["step"], inj["organisation"],
                                  inj["operation"]), ("create", "create-1", "8/44000",
                                                      OP_INDKALDELSE))
                base_keys, got_keys = set(base), set(got)
                if kind == "missing-message":
                    self.assertEqual(inj["path"], "")
                    [gone] = base_keys - got_keys
                    self.assertEqual(got_keys - base_keys, set())
                    self.assertEqual(gone[:3], (inj["organisation"], inj["operation"],
                                                inj["indkaldelse"]))
                    continue
                if kind == "extra-message":
                    self.assertEqual(inj["path"], "")
                    [extra] = got_keys - base_keys
                    self.assertEqual(base_keys - got_keys, set())
                    self.assertEqual(extra[:3], (inj["organisation"], inj["operation"],
                                                 inj["indkaldelse"]))
                    self.assertEqual(extra[3], inj["legacy_value"][:19])
                    original = next(k for k in base if k[:3] == extra[:3]
                                    and k[3] == inj["original_value"][:19])
                    diff = [(a, b) for a, b in zip(base[original], got[extra]) if a != b]
                    self.assertEqual(len(base[original]), len(got[extra]))
                    self.assertTrue(diff)
                    for (path, old), (_, new) in diff:
                        self.assertIn(plain_path(path), ("WSRMMetadata/RegisteringUser/"
                                                         "RegistrationDateTime", "EventDateTime"))
                        self.assertEqual((old, new), (inj["original_value"], inj["legacy_value"]))
                    continue
                self.assertEqual(base_keys, got_keys)
                changed = [k for k in base if base[k] != got[k]]
                self.assertEqual(len(changed), 1, changed)
                [k] = changed
                self.assertEqual(k[:3], (inj["organisation"], inj["operation"], inj["indkaldelse"]))
                before = {plain_path(p): t for p, t in base[k]}
                after = {plain_path(p): t for p, t in got[k]}
                self.assertNotEqual(inj["path"], "")
                if kind == "missing-element":
                    self.assertIsNone(inj["legacy_value"])
                    self.assertEqual(set(before) - set(after), {inj["path"]})
                    self.assertEqual(set(after) - set(before), set())
                    self.assertEqual(before[inj["path"]], inj["original_value"])
                else:
                    self.assertEqual(set(before), set(after))
                    diff = {p for p in before if before[p] != after[p]}
                    self.assertEqual(diff, {inj["path"]})
                    self.assertEqual(before[inj["path"]], inj["original_value"])
                    self.assertEqual(after[inj["path"]], inj["legacy_value"])

    def test_an_injection_can_name_its_step(self):
        sim, _ = self.run_legacy("named", ["--inject", "wrong-code@akasse_own/create-10",
                                           "--inject", "missing-message@participant"])
        a, b = sim.summary["injections"]
        self.assertEqual((a["kind"], a["scenario"], a["step"], a["organisation"], a["operation"]),
                         ("wrong-code", "akasse_own", "create-10", "9/5105", OP_AKASSE))
        self.assertEqual((b["kind"], b["step"]), ("missing-message", "participant"))
        states = [m["state"] for m in sim.summary["legacy"]["messages"]]
        self.assertEqual(states.count("not_queued"), 1)

    def test_bad_injections_are_usage_errors(self):
        def run(*args):
            return subprocess.run([bridge_binary(), "sim", "--legacy-port", "0", "--scenario",
                                   scenario("create.json"), *args],
                                  capture_output=True, text=True, timeout=60)
        p = run("--inject", "wrong-kind")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("wrong-kind", p.stderr)
        p = run("--inject", "wrong-code@no-such-step")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no-such-step", p.stderr)
        p = run("--scenario", scenario("hidden_update.json"), "--inject",
                "extra-message@hidden-update")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no applicable legacy message", p.stderr)
        p = run("--legacy-templates", self.tmp)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("GetIndkaldelseVersion1.xml", p.stderr)
        p = subprocess.run([bridge_binary(), "sim", "--scenario", scenario("create.json"),
                            "--inject", "wrong-code"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--legacy-port", p.stderr)
        h = subprocess.run([bridge_binary(), "sim", "--help"], capture_output=True, text=True,
                           timeout=60)
        for option in ("--legacy-port", "--legacy-templates", "--legacy-wsdl", "--legacy-db",
                       "--legacy-sub-queue", "--inject"):
            self.assertIn(option, h.stdout)


if __name__ == "__main__":
    unittest.main()
