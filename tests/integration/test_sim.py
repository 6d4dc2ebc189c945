"""`wsrm-bridge sim`, the DFDG simulator (docs/simulator.md), run as the real binary against a
small webhook receiver written here with Python's http.server on loopback.

The receiver records every POST (path, headers, bytes) and answers from a script (e.g. 503 first,
to see DFDG's retry). With `fetch=True` it also plays the bridge's enrichment: after each 2xx it
GETs the indkaldelse from the simulator's REST endpoint (port from --port-file) with the WSB's
Identifikation as CPR, in a thread of its own, and records the answer. Checked:

  * every push arrives on the right path with the bearer token, application/json and the step's
    WSB; the create fixture is the seed of domain.md 3.4 byte for byte (anonymised GUIDs aside);
  * a 503 is retried after the (capped) delay; a push given up on holds back the citizen's later
    messages to that recipient, other citizens go on; while one is retried, the citizen's later
    messages wait; SIGTERM ends a retry loop at once (exit 1);
  * with --pace fetch the "bridge" sees each step's own state: every fixture scenario, run
    together, yields exactly the resource (or 404) the scenario file says for each step,
    computed here independently (RFC 7396 merge patches, name-based BeskedIdentifiers);
  * the REST endpoint (--serve): 200 with the resource, 400 without x-civilregistrationIdentifier,
    404 for an unknown id, another CPR (after a CPR change) or a deleted indkaldelse, history
    rows, 401 with --rest-token, 405 for POST, GET counts in /_sim/status;
  * --generate is deterministic in --seed (byte-identical pushes), another seed differs;
  * scenario errors exit 2 naming the file and the JSON pointer; --help explains the options.
"""

import copy
import glob
import http.client
import http.server
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from bridge_harness import SOURCE_DIR, bridge_binary

SCENARIOS = os.path.join(SOURCE_DIR, "tests", "fixtures", "scenarios")
SEED_FLAT = os.path.join(SOURCE_DIR, "tests", "fixtures", "wsb", "seed_flat_with_body.json")
TOKEN = "sim-it-token"
# bridge/sim/scenario.cpp: default BeskedIdentifier = uuid5(this, "<scenario>/<step id>").
SIM_NAMESPACE = uuid.UUID("6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b")
CPR_HEADER = "x-civilregistrationIdentifier"
HEADER_FIELDS = ["Oprindelse", "BeskedIdentifier", "HaendelsesTid", "Miljoe",
                 "KorrelationsIdentifier", "EntitetstypeId", "EntitetstypeNavn",
                 "EksternIdentifier", "VersionIdentifier", "Identifikation",
                 "IdentifikationstypeId", "IdentifikationstypeNavn", "AendringstypeId",
                 "AendringstypeNavn"]


def split_wsb(data):
    """(header, body or None) of a pushed document in any of the four layouts."""
    text = data.decode("utf-8")
    decoder = json.JSONDecoder()
    first, end = decoder.raw_decode(text.lstrip())
    rest = text.lstrip()[end:].strip()
    if rest:  # two JSON texts, as the seed prints them
        return first, decoder.raw_decode(rest)[0]
    if isinstance(first, list):
        return first[0], first[1]
    if "Header" in first:
        return first["Header"], first.get("Body")
    body = first.pop("Body", None)
    return first, body


def merge_patch(target, patch):
    """RFC 7396, written here independently of the simulator's nlohmann/json."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


def expected_states(path):
    """[(step, BeskedIdentifier, expected REST answer)] of a scenario file: (200, resource) or
    (404, None) as the bridge should see it while the step is current."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    last = {}
    out = []
    for step in doc["steps"]:
        key = step["indkaldelse"].lower()
        if "resource" in step:
            state = step["resource"]
        elif "resource_patch" in step:
            state = merge_patch(last[key], step["resource_patch"])
        else:
            state = last.get(key)
        last[key] = state
        besked = step.get("besked_identifier") or str(
            uuid.uuid5(SIM_NAMESPACE, f"{doc['name']}/{step['id']}"))
        visible = step.get("visible", True)
        answer = (200, state) if state is not None and visible else (404, None)
        out.append((step, besked, answer, doc))
    return out


def rest_get(port, path, cpr=None, token=None, method="GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {}
    if cpr is not None:
        headers[CPR_HEADER] = cpr
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=b"" if method == "POST" else None, headers=headers)
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


class Receiver:
    """A webhook on loopback. `answer(post_number, header)` gives the HTTP status for each POST
    (default 200). With fetch=True every 2xx is followed by a GET of the indkaldelse from the
    simulator (whose REST port is read from `port_file`)."""

    def __init__(self, answer=None, fetch=False, port_file=None, rest_token=None):
        self.answer = answer or (lambda n, header: 200)
        self.fetch = fetch
        self.port_file = port_file
        self.rest_token = rest_token
        self.lock = threading.Lock()
        self.posts = []    # dicts: n, path, headers, body, header, status, t
        self.fetches = []  # dicts: besked, path, status, body
        self.fetch_threads = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as libcurl reuses its connection

            def do_POST(self):
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                header, _ = split_wsb(data)
                with receiver.lock:
                    n = len(receiver.posts) + 1
                    status = receiver.answer(n, header)
                    receiver.posts.append({"n": n, "path": self.path, "body": data,
                                           "headers": {k.lower(): v for k, v in self.headers.items()},
                                           "header": header, "status": status,
                                           "t": time.monotonic()})
                out = json.dumps({"BeskedIdentifier": header.get("BeskedIdentifier"),
                                  "outcome": "stored", "status": "accepted"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
                self.wfile.flush()
                if receiver.fetch and 200 <= status < 300:
                    t = threading.Thread(target=receiver._fetch, args=(header, self.path))
                    with receiver.lock:
                        receiver.fetch_threads.append(t)
                    t.start()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _fetch(self, header, path):
        time.sleep(0.005)  # like the bridge: enrichment runs after the 2xx
        with open(self.port_file, encoding="utf-8") as f:
            port = int(dict(l.strip().split("=", 1) for l in f if "=" in l)["rest"])
        status, _, body = rest_get(port, f"/v1/Indkaldelse/{header['EksternIdentifier']}",
                                   cpr=header["Identifikation"], token=self.rest_token)
        with self.lock:
            self.fetches.append({"besked": header["BeskedIdentifier"], "path": path,
                                 "status": status, "body": json.loads(body)})

    def close(self):
        for t in list(self.fetch_threads):
            t.join(10)
        self.server.shutdown()
        self.server.server_close()


class SimTestCase(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="wsrm-sim-it-")
        self.addCleanup(self.tmp.cleanup)
        self.port_file = os.path.join(self.tmp.name, "sim.ports")
        self.summary_file = os.path.join(self.tmp.name, "summary.json")
        self.outputs = []

    def receiver(self, **kw):
        kw.setdefault("port_file", self.port_file)
        r = Receiver(**kw)
        self.addCleanup(r.close)
        return r

    def sim_args(self, receiver, *args, retry_cap_ms=20):
        return [bridge_binary(), "sim", "--webhook", receiver.url, "--token", TOKEN,
                "--port-file", self.port_file, "--summary-json", self.summary_file,
                "--retry-cap-ms", str(retry_cap_ms), *args]

    def run_sim(self, receiver, *args, rc=0, timeout=60, retry_cap_ms=20):
        p = subprocess.run(self.sim_args(receiver, *args, retry_cap_ms=retry_cap_ms),
                           capture_output=True, text=True, timeout=timeout)
        self.outputs.append(p.stdout + p.stderr)
        self.assertEqual(p.returncode, rc, f"exit code of sim {' '.join(args)}:\n{p.stdout}"
                                           f"{p.stderr}")
        return p

    def summary(self):
        with open(self.summary_file, encoding="utf-8") as f:
            return json.load(f)

    def write_scenario(self, name, doc):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            if isinstance(doc, str):
                f.write(doc)
            else:
                json.dump(doc, f, ensure_ascii=False)
        return path

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            for text in getattr(self, "outputs", []):
                print(f"\n----- sim output ({self.id()}) -----\n{text}----- end -----")
        return out


def two_citizens():
    """A scenario with citizen A (two steps) and citizen B (one step), all to the jobcenter."""
    with open(os.path.join(SCENARIOS, "create.json"), encoding="utf-8") as f:
        base = json.load(f)
    a1 = copy.deepcopy(base["steps"][0])
    for k in ("besked_identifier", "korrelations_identifier", "description"):
        a1.pop(k, None)
    a1["id"] = "a1"
    a2 = copy.deepcopy(a1)
    a2.update(id="a2", aendringstype=2, haendelsestype=2)
    a2.pop("resource")
    a2["resource_patch"] = {"titel": "Jobsamtale (flyttet)"}
    b1 = copy.deepcopy(a1)
    b1.update(id="b1", cpr="0707814432", indkaldelse="74255320-82ea-4074-8533-4469e6fb77d0")
    b1["resource"] = dict(b1["resource"], indkaldelseId=b1["indkaldelse"])
    return {"name": "two-citizens", "organisations": base["organisations"], "steps": [a1, a2, b1]}


class PushTests(SimTestCase):

    def test_create_pushes_the_seed_with_the_token_and_retries_a_503(self):
        r = self.receiver(answer=lambda n, h: 503 if n == 1 else 200)
        p = self.run_sim(r, "--scenario", os.path.join(SCENARIOS, "create.json"),
                         "--pace", "none")
        self.assertEqual(len(r.posts), 2, r.posts)
        first, second = r.posts
        self.assertEqual([first["status"], second["status"]], [503, 200])
        self.assertEqual(first["body"], second["body"], "a retry sends the same bytes")
        for post in r.posts:
            self.assertEqual(post["path"], "/wsb/8/44000")
            self.assertEqual(post["headers"].get("authorization"), f"Bearer {TOKEN}")
            self.assertEqual(post["headers"].get("content-type"), "application/json")
        # The seed, byte for byte, once its anonymised GUIDs are put back.
        body = second["body"].decode("utf-8")
        for real, seed in (("5d1e2f3a-b4a7-44c7-9a30-8e89f52e575d", "xxxxxxxx-b4a7-44c7-9a30-8e89f52e575d"),
                           ("9a7b3c2d-53f2-4f3d-b21a-e94494ec338c", "xxxxxxxx-53f2-4f3d-b21a-e94494ec338c"),
                           ("3f0e7c1a-54a7-4f3b-9b81-dd2661e45600", "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600"),
                           ("e3c1f0a2-7b4d-4c59-8e1f-2a6b9d0c4e71", "exxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")):
            body = body.replace(real, seed)
        with open(SEED_FLAT, encoding="utf-8") as f:
            self.assertEqual(body, f.read())
        header = second["header"]
        self.assertEqual(list(header), HEADER_FIELDS)
        self.assertIn("attempt 1: HTTP 503; retry in 20 ms", p.stdout)
        self.assertIn("attempt 2: HTTP 200 stored/accepted", p.stdout)
        self.assertIn("result: every push was answered 2xx (exit 0)", p.stdout)
        self.assertNotIn("1111111111", p.stdout, "CPR numbers are masked in the log")
        s = self.summary()
        self.assertEqual(s["exit_code"], 0)
        self.assertEqual(s["totals"]["retries"], 1)
        self.assertEqual(s["steps"][0]["pushes"][0]["attempts"], 2)
        self.assertEqual(s["steps"][0]["expect"],
                         {"jc": ["GetIndkaldelseVersion1", "GetIndkaldelseshaendelseVersion1"],
                          "ak": []})

    def test_a_push_given_up_on_holds_back_the_citizens_later_messages(self):
        scenario = self.write_scenario("two.json", two_citizens())
        r = self.receiver(answer=lambda n, h: 500 if h["Identifikation"] == "1111111111" else 200)
        p = self.run_sim(r, "--scenario", scenario, "--max-attempts", "3", "--pace", "none", rc=1)
        by_step = {}
        for post in r.posts:
            by_step.setdefault(post["header"]["BeskedIdentifier"], []).append(post["status"])
        ids = {s: str(uuid.uuid5(SIM_NAMESPACE, f"two-citizens/{s}")) for s in ("a1", "a2", "b1")}
        self.assertEqual(by_step.get(ids["a1"]), [500, 500, 500])
        self.assertNotIn(ids["a2"], by_step, "a2 must be held back behind the failed a1")
        self.assertEqual(by_step.get(ids["b1"]), [200], "another citizen is not held back")
        self.assertIn("GIVING UP after 3 attempt(s)", p.stdout)
        self.assertIn("HELD BACK", p.stdout)
        states = {st["step"]: [x["state"] for x in st["pushes"]] for st in self.summary()["steps"]}
        self.assertEqual(states, {"a1": ["failed"], "a2": ["held_back"], "b1": ["delivered"]})

    def test_while_a_push_is_retried_the_citizens_later_messages_wait(self):
        scenario = self.write_scenario("two.json", two_citizens())
        failures = {"left": 2}

        def answer(n, header):
            if header["Identifikation"] == "1111111111" and failures["left"] > 0:
                failures["left"] -= 1
                return 503
            return 200

        r = self.receiver(answer=answer)
        self.run_sim(r, "--scenario", scenario, "--pace", "none", retry_cap_ms=300)
        a = [p for p in r.posts if p["header"]["Identifikation"] == "1111111111"]
        self.assertEqual([(p["header"]["AendringstypeId"], p["status"]) for p in a],
                         [(1, 503), (1, 503), (1, 200), (2, 200)])
        b = [p for p in r.posts if p["header"]["Identifikation"] == "0707814432"]
        self.assertEqual(len(b), 1)
        self.assertLess(b[0]["t"], a[2]["t"], "B is pushed while A's first message is retried")
        self.assertGreaterEqual(a[2]["t"] - a[0]["t"], 0.55, "delays of min(300 ms, 1 s, 3 s)")

    def test_sigterm_ends_the_retries_at_once(self):
        r = self.receiver(answer=lambda n, h: 503)
        proc = subprocess.Popen(self.sim_args(r, "--scenario", os.path.join(SCENARIOS, "create.json"),
                                              "--max-attempts", "0", retry_cap_ms=5000),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not r.posts and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertTrue(r.posts, "no push arrived")
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        self.outputs.append(out + err)
        self.assertLess(time.monotonic() - start, 3.0)
        self.assertEqual(proc.returncode, 1, out + err)
        self.assertTrue(self.summary()["interrupted"])

    def test_generate_is_deterministic_in_the_seed(self):
        def pushes(seed):
            r = self.receiver()
            self.run_sim(r, "--generate", "--citizens", "6", "--events", "40", "--seed", str(seed),
                         "--pace", "none")
            return sorted((p["path"], p["body"]) for p in r.posts)

        first, again, other = pushes(11), pushes(11), pushes(12)
        self.assertGreaterEqual(len(first), 40)
        self.assertEqual(first, again, "the same seed must give byte-identical pushes")
        self.assertNotEqual(first, other)
        paths = {p for p, _ in first}
        self.assertTrue(any(p.startswith("/wsb/8/") for p in paths), paths)
        self.assertTrue(any(p.startswith("/wsb/9/") for p in paths), paths)
        for _, body in first:
            header, _ = split_wsb(body)
            self.assertEqual(list(header), HEADER_FIELDS)
            self.assertRegex(header["Identifikation"], r"^\d{10}$")

        files = [os.path.join(self.tmp.name, f"gen{i}.json") for i in (1, 2)]
        for f in files:
            subprocess.run([bridge_binary(), "sim", "--generate", "--seed", "11", "--citizens", "6",
                            "--events", "40", "--write-scenario", f], check=True, timeout=60)
        with open(files[0], "rb") as a, open(files[1], "rb") as b:
            self.assertEqual(a.read(), b.read())
        check = subprocess.run([bridge_binary(), "sim", "--check", "--scenario", files[0]],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


class PacingTests(SimTestCase):

    def test_the_bridge_sees_each_steps_own_state_in_every_fixture_scenario(self):
        files = sorted(glob.glob(os.path.join(SCENARIOS, "*.json")))
        self.assertGreaterEqual(len(files), 12)
        r = self.receiver(fetch=True)
        args = []
        for f in files:
            args += ["--scenario", f]
        self.run_sim(r, *args, "--pace", "fetch", "--pace-timeout-ms", "10000", timeout=120)
        for t in list(r.fetch_threads):
            t.join(10)
        posts = {}
        for p in r.posts:
            posts.setdefault(p["header"]["BeskedIdentifier"], []).append(p)
        fetched = {}
        for f in r.fetches:
            fetched.setdefault(f["besked"], []).append(f)
        expected_pushes = 0
        for path in files:
            for step, besked, (status, resource), doc in expected_states(path):
                with self.subTest(scenario=doc["name"], step=step["id"]):
                    want_paths = sorted(f"/wsb/{doc['organisations'][k]['type']}/"
                                        f"{doc['organisations'][k]['code']}"
                                        for k in step["recipients"])
                    got = posts.get(besked, [])
                    expected_pushes += len(want_paths)
                    self.assertEqual(sorted(p["path"] for p in got), want_paths)
                    for p in got:
                        self.assertEqual(p["header"]["Identifikation"], step["cpr"])
                        self.assertEqual(p["header"]["EksternIdentifier"], step["indkaldelse"])
                        self.assertEqual(p["header"]["AendringstypeId"], step["aendringstype"])
                    layout = step.get("layout", "flat")
                    if layout == "pair" and got:
                        self.assertIn(b"}\n\n{", got[0]["body"])
                    seen = fetched.get(besked, [])
                    self.assertEqual(len(seen), len(want_paths), "one fetch per push")
                    for f in seen:
                        self.assertEqual(f["status"], status, f)
                        if status == 200:
                            self.assertEqual(f["body"], resource)
        self.assertEqual(len(r.posts), expected_pushes)
        s = self.summary()
        self.assertEqual(s["totals"]["pace_timeouts"], 0)
        self.assertTrue(all(st["pace"] == "fetched" for st in s["steps"]), s["steps"])


class RestTests(SimTestCase):

    def test_rest_endpoint_answers_like_the_indkaldelse_service(self):
        r = self.receiver()
        cpr_change = os.path.join(SCENARIOS, "cpr_change.json")
        delete = os.path.join(SCENARIOS, "delete.json")
        proc = subprocess.Popen(self.sim_args(r, "--scenario", cpr_change, "--scenario", delete,
                                              "--pace", "none", "--serve",
                                              "--rest-token", "rest-secret"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(self.summary_file) and time.monotonic() < deadline:
                self.assertIsNone(proc.poll(), "sim exited before serving")
                time.sleep(0.05)
            self.assertEqual(self.summary()["exit_code"], 0)
            with open(self.port_file, encoding="utf-8") as f:
                port = int(f.read().strip().split("=", 1)[1])
            states = expected_states(cpr_change)
            final = states[-1][2][1]
            iid = states[0][0]["indkaldelse"]
            old_cpr, new_cpr = states[0][0]["cpr"], states[-1][0]["cpr"]
            path = f"/v1/Indkaldelse/{iid}"
            tok = "rest-secret"

            status, headers, body = rest_get(port, path, cpr=new_cpr, token=tok)
            self.assertEqual(status, 200, body)
            self.assertTrue(headers["content-type"].startswith("application/json"))
            self.assertEqual(json.loads(body), final)

            status, _, body = rest_get(port, path, token=tok)
            self.assertEqual(status, 400)
            self.assertIn(CPR_HEADER, json.loads(body)["reason"])
            self.assertEqual(rest_get(port, path, cpr=old_cpr, token=tok)[0], 404,
                             "after the CPR change the old CPR does not see it")
            self.assertEqual(rest_get(port, "/v1/Indkaldelse/9e0cadf0-245e-4f33-b7d6-45314c87ec14",
                                      cpr=new_cpr, token=tok)[0], 404)
            status, headers, _ = rest_get(port, path, cpr=new_cpr)
            self.assertEqual(status, 401)
            self.assertEqual(headers.get("www-authenticate"), "Bearer")
            self.assertEqual(rest_get(port, path, cpr=new_cpr, token="wrong")[0], 401)
            self.assertEqual(rest_get(port, path, cpr=new_cpr, token=tok, method="POST")[0], 405)

            status, _, body = rest_get(port, f"/v1/Indkaldelse/historik/{iid}", cpr=new_cpr,
                                       token=tok)
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body), [s[2][1] for s in states])

            deleted = expected_states(delete)
            did, dcpr = deleted[0][0]["indkaldelse"], deleted[0][0]["cpr"]
            self.assertEqual(rest_get(port, f"/v1/Indkaldelse/{did}", cpr=dcpr, token=tok)[0], 404)
            status, _, body = rest_get(port, f"/v1/Indkaldelse/historik/{did}", cpr=dcpr, token=tok)
            self.assertEqual((status, json.loads(body)), (200, [deleted[0][2][1]]))

            status, _, body = rest_get(port, "/_sim/status")
            self.assertEqual(status, 200)
            counts = json.loads(body)["indkaldelser"]
            self.assertEqual(counts[iid]["gets"], 2)  # the 400, 401s and 405 are not fetches
            self.assertEqual(counts[did]["state"], "none")
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=20)
            self.outputs.append(out + err)
        self.assertEqual(proc.returncode, 0, out + err)
        self.assertIn("serving REST", out)


class UsageTests(SimTestCase):

    def run_bad(self, *args):
        p = subprocess.run([bridge_binary(), "sim", *args], capture_output=True, text=True,
                           timeout=60)
        self.outputs.append(p.stdout + p.stderr)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        return p.stderr

    def test_scenario_errors_exit_2_naming_the_file_and_the_pointer(self):
        doc = two_citizens()
        doc["steps"][1]["recipients"] = ["jc", "kommune"]
        bad = self.write_scenario("bad.json", doc)
        err = self.run_bad("--scenario", bad, "--webhook", "http://127.0.0.1:9")
        self.assertIn(f"{bad}: /steps/1/recipients/1: unknown organisation 'kommune'", err)
        syntax = self.write_scenario("syntax.json", '{\n  "name": "x",\n  "steps": [,]\n}\n')
        err = self.run_bad("--check", "--scenario", syntax)
        self.assertIn(f"{syntax}:3:13: not valid JSON", err)

    def test_pushing_needs_a_webhook_and_something_to_push(self):
        self.assertIn("--webhook", self.run_bad("--scenario", os.path.join(SCENARIOS, "create.json")))
        self.assertIn("--generate", self.run_bad("--webhook", "http://127.0.0.1:9"))
        self.run_bad("--scenario", os.path.join(SCENARIOS, "create.json"), "--pace", "slow")
        self.assertIn("http:// or https://", self.run_bad(
            "--scenario", os.path.join(SCENARIOS, "create.json"), "--webhook", "127.0.0.1:9"))

    def test_help_explains_every_option(self):
        p = subprocess.run([bridge_binary(), "sim", "--help"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0)
        for option in ("--scenario", "--webhook", "--token", "--rest-host", "--rest-port",
                       "--rest-prefix", "--rest-token", "--port-file", "--serve", "--pace",
                       "--pace-timeout-ms", "--retry-cap-ms", "--max-attempts", "--generate",
                       "--citizens", "--events", "--seed", "--summary-json", "--write-scenario",
                       "--check", "x-civilregistrationIdentifier", "Exit codes"):
            self.assertIn(option, p.stdout)


if __name__ == "__main__":
    unittest.main()
