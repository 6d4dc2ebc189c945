"""`wsrm-bridge shadow` against the real bridge on loopback (docs/shadow.md).

The shadow acts as a legacy consumer of the sub-queue `shadow` of the jobcenter consumer and
records every raw response into a recording directory. These tests read the recording the way
`wsrm-bridge compare` does (read_recording() and terminated_messages() below are that reader,
written from docs/shadow.md independently of the C++), and check it against what was queued:

  (a) everything queued for the sub-queue is recorded once, the files match the log's sha256,
      and the production consumer's main queue still holds all its messages;
  (b) kill -9 of the shadow at random points, several times, then a resume: every queued
      message appears exactly once across the terminated sequences;
  (c) HTTPS with a client certificate against a bridge with TLS;
  (d) an undeclared sub-queue: the bridge's fault is recorded and reported, exit 1;
  (e) a recording directory of another source is refused, exit 2.
"""

import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import time
import unittest
import xml.etree.ElementTree as ET

from bridge_harness import (
    AKASSE, HAENDELSE_ITEM, INDKALDELSE_ITEM, JOBCENTER, JOBCENTER_ORG, NS_SOAP, NS_V11,
    OP_HAENDELSE, OP_INDKALDELSE, BridgeTestCase, Pki, bridge_binary, inventory, items,
    message_ids, ok, sequence_identifier)

SEQUENCE_CALLS = ("CreateSequence", "TerminateSequence", "CloseSequence")
SHADOW_JOBCENTER = dict(JOBCENTER, sub_queues=["shadow"])
ORG = "%d/%s" % JOBCENTER_ORG


def free_port():
    """A port that is free now (the bridge must advertise its own ServiceEndpoint, so its port
    has to be known before it starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- the reader

def successful(line):
    return line["http_status"] == 200 and line["fault"] is None


def read_recording(directory, test):
    """(manifest, lines) of a recording. Checks what a reader relies on: n counts 1, 2, 3…; every
    line's file exists with its bytes and sha256; a torn last line is ignored."""
    with open(os.path.join(directory, "recording.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    test.assertEqual(manifest["format"], "wsrm-recording/1")
    with open(os.path.join(directory, "log.jsonl"), "rb") as f:
        data = f.read()
    lines = []
    for raw in data.split(b"\n")[:-1]:  # whatever follows the last newline is torn
        lines.append(json.loads(raw))
    for i, line in enumerate(lines, start=1):
        test.assertEqual(line["n"], i, f"log line {i}")
        test.assertEqual(line["file"], "responses/%06d-%s.xml" % (i, line["call"]))
        with open(os.path.join(directory, line["file"]), "rb") as f:
            body = f.read()
        test.assertEqual(len(body), line["bytes"], line["file"])
        test.assertEqual(hashlib.sha256(body).hexdigest(), line["sha256"], line["file"])
        test.assertRegex(line["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        if line["call"] in SEQUENCE_CALLS:
            test.assertNotIn("items", line)
        else:
            test.assertIn("items", line)
        test.assertEqual("inventory" in line, line["call"] == "CreateSequence")
    return manifest, lines


def response_items(directory, line):
    """The item elements of a recorded Get… response."""
    with open(os.path.join(directory, line["file"]), "rb") as f:
        env = ET.fromstring(f.read())
    body = env.find(f"{{{NS_SOAP}}}Body")
    response = body.find(f"{{{NS_V11}}}{line['call']}Response")
    return list(response)


def terminated_messages(directory, lines):
    """The reader rule of docs/shadow.md: a sequence counts once a successful TerminateSequence
    line for it exists; for each such sequence, the LAST successful Get… response of each
    operation recorded before that terminate line holds its messages. Returns
    {operation: [MessageIdentifier, …]} in recording order, and the number of terminated
    sequences."""
    out = {}
    counted = set()
    for index, line in enumerate(lines):
        if line["call"] != "TerminateSequence" or not successful(line):
            continue
        sequence = line["sequence"]
        if sequence in counted:
            continue  # terminating twice is a success; the messages count once
        counted.add(sequence)
        last_get = {}
        for earlier in lines[:index]:
            if (earlier["call"] not in SEQUENCE_CALLS and earlier["sequence"] == sequence
                    and successful(earlier)):
                last_get[earlier["call"]] = earlier
        for operation, get in sorted(last_get.items()):
            got = response_items(directory, get)
            if len(got) != get["items"]:
                raise AssertionError(f"{get['file']}: {len(got)} items, the log says "
                                     f"{get['items']}")
            out.setdefault(operation, []).extend(message_ids(got))
    return out, len(counted)


# ----------------------------------------------------------------------------- the tests

class ShadowTests(BridgeTestCase):

    def setUp(self):
        super().setUp()
        self.out = os.path.join(self.tmp, "recording")

    def start_bridge(self, scheme="http", tls=None, consumers=(SHADOW_JOBCENTER, AKASSE),
                     queue=None, fill=None):
        port = free_port()
        endpoint = f"{scheme}://127.0.0.1:{port}/11/WsrmMessageService.svc"
        b = self.new_bridge(start=False, consumers=consumers, tls=tls, queue=queue,
                            server={"port": port, "service_endpoint": endpoint})
        queued = fill(b) if fill else None
        b.start()
        self.assertEqual(b.soap_port, port)
        b.url = f"{scheme}://127.0.0.1:{port}"
        b.endpoint = endpoint
        return b, queued

    def shadow_args(self, bridge, *extra, sub_queue="shadow", out=None):
        args = [bridge_binary(), "shadow", "--url", bridge.url, "--org", ORG,
                "--out", out or self.out]
        if sub_queue is not None:
            args += ["--sub-queue", sub_queue]
        return args + list(extra)

    def run_shadow(self, bridge, *extra, sub_queue="shadow", out=None, timeout=120):
        p = subprocess.run(self.shadow_args(bridge, *extra, sub_queue=sub_queue, out=out),
                           capture_output=True, text=True, timeout=timeout)
        self.last_output = f"exit {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}"
        return p

    @staticmethod
    def queue_jobcenter(ind, hae):
        def fill(b):
            return {OP_INDKALDELSE: b.queue_add(JOBCENTER["id"], OP_INDKALDELSE,
                                                INDKALDELSE_ITEM, count=ind, key="ind"),
                    OP_HAENDELSE: b.queue_add(JOBCENTER["id"], OP_HAENDELSE, HAENDELSE_ITEM,
                                              count=hae, key="hae")}
        return fill

    def assert_main_queue_untouched(self, bridge, queued, client=None):
        """The production consumer still gets every queued message: drains the main queue (as
        that consumer would) and compares."""
        c = client or bridge.client()
        got = {}
        for _ in range(1000):
            r = c.create_sequence(JOBCENTER_ORG)
            seq = sequence_identifier(r)
            inv = inventory(r)
            for op, endpoint, _count in inv:
                self.assertEqual(endpoint, bridge.endpoint)
                got.setdefault(op, []).extend(message_ids(items(c.get_items(JOBCENTER_ORG, op,
                                                                            seq), op)))
            ok(c.terminate_sequence(JOBCENTER_ORG, seq))
            if not inv:
                break
        self.assertEqual(got, queued, "the main queue must hold every message")

    # --- (a) ---------------------------------------------------------------------------

    def test_a_records_the_sub_queue_and_leaves_the_main_queue_alone(self):
        b, queued = self.start_bridge(fill=self.queue_jobcenter(5, 2))
        p = self.run_shadow(b)
        self.assertEqual(p.returncode, 0, self.last_output)

        manifest, lines = read_recording(self.out, self)
        self.assertEqual(manifest["url"], b.url)
        self.assertEqual(manifest["organisation"], {"type": 8, "code": "44000"})
        self.assertEqual(manifest["sub_queue"], "shadow")
        self.assertRegex(manifest["tool"], r"^wsrm-bridge \S+ shadow$")
        self.assertEqual([l["call"] for l in lines],
                         ["CreateSequence", OP_INDKALDELSE, OP_HAENDELSE, "TerminateSequence",
                          "CreateSequence", "TerminateSequence"], self.last_output)
        self.assertEqual(lines[0]["inventory"], {OP_HAENDELSE: 2, OP_INDKALDELSE: 5})
        self.assertEqual(lines[4]["inventory"], {}, "the run ends on an empty inventory")
        seq = lines[0]["sequence"]
        self.assertTrue(all(l["sequence"] == seq for l in lines[:4]))
        self.assertTrue(all(successful(l) for l in lines), lines)
        self.assertEqual(lines[1]["items"], 5)
        self.assertEqual(lines[2]["items"], 2)

        got, terminated = terminated_messages(self.out, lines)
        self.assertEqual(terminated, 2)
        self.assertEqual(got, queued, "the recording holds exactly what was queued, in order")
        # The raw bytes are recorded: the item elements are the queued items.
        item = response_items(self.out, lines[1])[0]
        self.assertEqual(item.findtext(f"{{{NS_V11}}}Title"), "Jobsamtale 1")

        # One stdout line per call, and the summary.
        out_lines = p.stdout.splitlines()
        self.assertEqual(len(out_lines), len(lines) + 1, p.stdout)
        self.assertRegex(out_lines[1], rf"^000002 {OP_INDKALDELSE} sequence={seq} items=5 "
                                       r"http=200$")
        self.assertIn(f"messages recorded: {OP_INDKALDELSE} 5, {OP_HAENDELSE} 2", out_lines[-1])

        # Not stolen: the production consumer still gets every message.
        self.assert_main_queue_untouched(b, queued)

        # Running again resumes the recording: n goes on, the manifest stays.
        with open(os.path.join(self.out, "recording.json"), "rb") as f:
            manifest_bytes = f.read()
        p = self.run_shadow(b)
        self.assertEqual(p.returncode, 0, self.last_output)
        _, again = read_recording(self.out, self)
        self.assertEqual([l["call"] for l in again[len(lines):]],
                         ["CreateSequence", "TerminateSequence"])
        with open(os.path.join(self.out, "recording.json"), "rb") as f:
            self.assertEqual(f.read(), manifest_bytes)

    # --- (b) ---------------------------------------------------------------------------

    def log_line_count(self):
        try:
            with open(os.path.join(self.out, "log.jsonl"), "rb") as f:
                return f.read().count(b"\n")
        except FileNotFoundError:
            return 0

    def test_b_kill_9_at_random_points_then_resume_records_every_message_exactly_once(self):
        b, queued = self.start_bridge(queue={"max_messages_per_sequence": 5},
                                      fill=self.queue_jobcenter(400, 100))
        rng = random.Random(int(os.environ.get("WSRM_SHADOW_SEED", "20261128")))
        killed_mid_run = 0
        for attempt in range(8):
            before = self.log_line_count()
            proc = subprocess.Popen(self.shadow_args(b), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            # Kill after a random number of calls, plus a random fraction of the next one, so
            # that the kill lands anywhere: between calls, in a request, in a write.
            target = before + rng.randint(3, 40)
            deadline = time.monotonic() + 30
            while (self.log_line_count() < target and proc.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.004))
            if proc.poll() is None:
                killed_mid_run += 1
            proc.kill()
            proc.wait()
            stderr = proc.stderr.read().decode("utf-8", "replace")
            proc.stderr.close()
            # Killed (-9), or finished on its own; never an error.
            self.assertIn(proc.returncode, (-signal.SIGKILL, 0), stderr)
        self.assertGreaterEqual(killed_mid_run, 6, "the kills must hit running recorders")
        p = self.run_shadow(b)
        self.assertEqual(p.returncode, 0, self.last_output)

        _, lines = read_recording(self.out, self)
        got, terminated = terminated_messages(self.out, lines)
        for op, ids in queued.items():
            self.assertEqual(len(got.get(op, [])), len(set(got.get(op, []))),
                             f"{op}: a message counted twice")
            self.assertEqual(sorted(got.get(op, [])), sorted(ids), f"{op}: lost or foreign")
        # 500 messages at 5 per sequence, plus the final empty one.
        self.assertGreaterEqual(terminated, 500 // 5 + 1)
        self.assertEqual(lines[-1]["call"], "TerminateSequence")
        self.assertEqual(lines[-2]["inventory"], {})
        self.assert_main_queue_untouched(b, queued)

    def test_sigterm_mid_run_ends_the_sequence_cleanly_and_a_resume_finishes(self):
        b, queued = self.start_bridge(queue={"max_messages_per_sequence": 5},
                                      fill=self.queue_jobcenter(300, 60))
        for calls_before_signal in (10, 23):  # between sequences, and in the middle of one
            before = self.log_line_count()
            proc = subprocess.Popen(self.shadow_args(b), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 30
            while (self.log_line_count() < before + calls_before_signal
                   and proc.poll() is None and time.monotonic() < deadline):
                time.sleep(0.0005)
            self.assertIsNone(proc.poll(), "the shadow must still be running")
            proc.send_signal(signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=60)
            self.assertEqual(proc.returncode, 0, stdout + stderr)
            self.assertIn("SIGTERM received", stderr)
            self.assertIn("summary:", stdout)
            _, lines = read_recording(self.out, self)
            # The last sequence was terminated (all Gets recorded) or closed (stopped between
            # Gets); either way nothing of it is left open.
            self.assertIn(lines[-1]["call"], ("TerminateSequence", "CloseSequence"), stdout)
            self.assertTrue(successful(lines[-1]), lines[-1])
            self.assertLess(len(lines), 300, "stopped early, not at the end")
        p = self.run_shadow(b)
        self.assertEqual(p.returncode, 0, self.last_output)
        _, lines = read_recording(self.out, self)
        got, _ = terminated_messages(self.out, lines)
        self.assertEqual(got, queued)

    def test_follow_keeps_polling_records_new_messages_and_stops_on_sigterm(self):
        b, queued = self.start_bridge(fill=self.queue_jobcenter(2, 1))
        proc = subprocess.Popen(self.shadow_args(b, "--follow", "--interval-s", "1"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            log = os.path.join(self.out, "log.jsonl")

            def wait_for_empty_inventories(count):
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    if os.path.exists(log):
                        with open(log, encoding="utf-8") as f:
                            empty = sum(1 for raw in f if raw.endswith("\n")
                                        and json.loads(raw).get("inventory") == {})
                        if empty >= count:
                            return
                    time.sleep(0.1)
                self.fail("the shadow did not poll an empty inventory in time")

            wait_for_empty_inventories(1)
            # Queued while the shadow waits: the next poll records them.
            more = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=3,
                               key="later")
            wait_for_empty_inventories(2)
            proc.send_signal(signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 0, stdout + stderr)
        self.assertIn("SIGTERM received", stderr)
        _, lines = read_recording(self.out, self)
        got, _ = terminated_messages(self.out, lines)
        expected = dict(queued)
        expected[OP_INDKALDELSE] = queued[OP_INDKALDELSE] + more
        self.assertEqual(got, expected)

    # --- (c) ---------------------------------------------------------------------------

    def test_c_https_with_a_client_certificate(self):
        pki = Pki(os.path.join(self.tmp, "pki"))
        pki.make_ca("ca", "wsrm-bridge shadow test CA")
        pki.make_cert("server", "/CN=127.0.0.1", "ca", server=True)
        pki.make_cert("jobcenter", "/CN=jobcenter-client/O=Jobcenter Test", "ca")
        jobcenter = dict(SHADOW_JOBCENTER,
                         certificate_fingerprints=[pki.fingerprint("jobcenter")])
        tls = {"certificate": pki.path("server.crt"), "private_key": pki.path("server.key"),
               "ca": pki.path("ca.crt"), "require_client_certificate": True}
        b, queued = self.start_bridge(scheme="https", tls=tls, consumers=(jobcenter, AKASSE),
                                      fill=self.queue_jobcenter(3, 1))
        cert = ["--cert", pki.path("jobcenter.crt"), "--key", pki.path("jobcenter.key"),
                "--ca", pki.path("ca.crt")]

        # Without a client certificate the server refuses the handshake: exit 1, nothing
        # recorded, and the message names the URL and the call.
        p = self.run_shadow(b, "--ca", pki.path("ca.crt"))
        self.assertEqual(p.returncode, 1, self.last_output)
        self.assertIn(f"CreateSequence to {b.url}/WsrmService.svc", p.stderr)
        _, lines = read_recording(self.out, self)
        self.assertEqual(lines, [])

        p = self.run_shadow(b, *cert)
        self.assertEqual(p.returncode, 0, self.last_output)
        _, lines = read_recording(self.out, self)
        got, terminated = terminated_messages(self.out, lines)
        self.assertEqual(got, queued)
        self.assertEqual(terminated, 2)
        self.assert_main_queue_untouched(
            b, queued, client=b.client(ssl_context=pki.client_context("jobcenter")))

    # --- (d) ---------------------------------------------------------------------------

    def test_d_an_undeclared_sub_queue_is_the_bridges_fault_exit_1(self):
        b, queued = self.start_bridge(fill=self.queue_jobcenter(2, 1))
        p = self.run_shadow(b, sub_queue="no-such-queue")
        self.assertEqual(p.returncode, 1, self.last_output)
        self.assertIn(f"CreateSequence to {b.url}/WsrmService.svc: HTTP 500, fault 1014",
                      p.stderr)
        manifest, lines = read_recording(self.out, self)
        self.assertEqual(manifest["sub_queue"], "no-such-queue")
        self.assertEqual(len(lines), 1)
        line = lines[0]
        self.assertEqual((line["call"], line["http_status"], line["sequence"]),
                         ("CreateSequence", 500, None))
        self.assertIsNone(line["inventory"])
        self.assertEqual(line["fault"]["code"], "1014")
        self.assertTrue(line["fault"]["string"])
        with open(os.path.join(self.out, line["file"]), "rb") as f:
            self.assertIn(b"Fault>", f.read())
        self.assertIn("fault=1014", p.stdout)
        self.assert_main_queue_untouched(b, queued)

    def test_unreachable_endpoint_exit_1_and_nothing_recorded(self):
        port = free_port()
        p = subprocess.run([bridge_binary(), "shadow", "--url", f"http://127.0.0.1:{port}",
                            "--org", ORG, "--sub-queue", "shadow", "--out", self.out,
                            "--timeout-s", "5"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(f"CreateSequence to http://127.0.0.1:{port}/WsrmService.svc: connection "
                      "failed", p.stderr)
        _, lines = read_recording(self.out, self)
        self.assertEqual(lines, [])

    # --- (e) ---------------------------------------------------------------------------

    def test_e_a_recording_of_another_source_is_refused_exit_2(self):
        b, queued = self.start_bridge(fill=self.queue_jobcenter(2, 1))
        p = self.run_shadow(b)
        self.assertEqual(p.returncode, 0, self.last_output)
        with open(os.path.join(self.out, "log.jsonl"), "rb") as f:
            log_before = f.read()
        for org, queue in (("8/44001", ["--sub-queue", "shadow"]),
                           (ORG, ["--sub-queue", "other"]),
                           (ORG, ["--main-queue"])):
            cmd = [bridge_binary(), "shadow", "--url", b.url, "--org", org, "--out",
                   self.out] + queue
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, f"{org} {queue}: {p.stdout}{p.stderr}")
            self.assertIn("recording.json records", p.stderr)
            self.assertIn("another --out directory", p.stderr)
        with open(os.path.join(self.out, "log.jsonl"), "rb") as f:
            self.assertEqual(f.read(), log_before, "a refused run writes nothing")
        # A non-empty directory that is not a recording is refused too.
        other = os.path.join(self.tmp, "not-a-recording")
        os.makedirs(other)
        open(os.path.join(other, "notes.txt"), "w").close()
        p = self.run_shadow(b, out=other)
        self.assertEqual(p.returncode, 2, self.last_output)
        self.assertIn("has no recording.json", p.stderr)
        # And the bridge was not called by any refused run: the sub-queue is drained once only.
        self.assertEqual(terminated_messages(self.out, read_recording(self.out, self)[1])[0],
                         queued)

    def test_usage_errors_exit_2_before_any_call(self):
        base = [bridge_binary(), "shadow", "--url", "http://127.0.0.1:9", "--out", self.out]
        cases = [
            (["--org", "8-44000", "--sub-queue", "s"], "--org"),
            (["--org", "0/44000", "--sub-queue", "s"], "--org"),
            (["--org", "8/44000"], "--sub-queue NAME is required"),
            (["--org", "8/44000", "--sub-queue", "s", "--main-queue"], "exclude"),
            (["--org", "8/44000", "--sub-queue", "s", "--follow", "--until-empty"], "excludes"),
            (["--org", "8/44000", "--sub-queue", "s", "--interval-s", "5"], "--follow"),
            (["--org", "8/44000", "--sub-queue", "s", "--cert", "/nonexistent.pem"], "--cert"),
        ]
        for args, expected in cases:
            p = subprocess.run(base + args, capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 2, f"{args}: {p.stdout}{p.stderr}")
            self.assertIn(expected, p.stdout + p.stderr, args)
        self.assertFalse(os.path.exists(self.out), "nothing is created on a usage error")


if __name__ == "__main__":
    unittest.main()
