"""Robustness of the real wsrm-bridge: bad input, oversize and slow clients, the admin port,
a drain on SIGTERM, and the served contract files.

The server runs with 2 workers and small limits (max_request_bytes 65536, recv/send/transfer
time-outs 2 s) so that a misbehaving client would visibly hold a worker. After every bad input a
normal CreateSequence must still be answered promptly: the worker is free again and the process
did not crash. Every SOAP response is validated against wsdl/xsd with xmllint."""

import os
import signal
import threading
import time
import unittest

from bridge_harness import (
    AKASSE, AKASSE_ORG, FAULT_INSUFFICIENT_PERMISSIONS, FAULT_UNKNOWN_SEQUENCE, FAULT_VALIDATION,
    INDKALDELSE_ITEM, JOBCENTER, JOBCENTER_ORG, NS_V3, OP_INDKALDELSE, WSDL_DIR, XSD_DIR,
    BridgeTestCase, create_sequence_body, envelope, expect_fault, http_post_bytes, inventory,
    items, load_json, metric, ok, org_header, parse_raw_http_response, parse_soap_response,
    raw_connect,
    raw_exchange, read_until_closed, sequence_identifier, soap_action, validate_response)

WORKERS = 2
MAX_REQUEST_BYTES = 65536
TIMEOUT_S = 2  # recv_timeout_s = send_timeout_s = transfer_timeout_s
# A worker freed by a time-out must be free within the time-out plus this much.
SLACK_S = 1.2
# An answer to a complete but bad request must not wait for a time-out.
PROMPT_S = 1.0

LIMITS = {"workers": WORKERS, "max_request_bytes": MAX_REQUEST_BYTES, "recv_timeout_s": TIMEOUT_S,
          "send_timeout_s": TIMEOUT_S, "transfer_timeout_s": TIMEOUT_S}


class RobustnessTests(BridgeTestCase):

    def setUp(self):
        super().setUp()
        self.bridge = self.new_bridge(start=False, server=dict(LIMITS))
        self.ids = self.bridge.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM,
                                         count=2, key="r")
        self.bridge.start()

    def assert_still_serving(self, within=PROMPT_S):
        """A normal CreateSequence on a new connection is answered, and quickly."""
        c = self.bridge.client()
        t = time.monotonic()
        r = c.create_sequence(JOBCENTER_ORG)
        elapsed = time.monotonic() - t
        sequence_identifier(r)
        self.assertEqual(inventory(r)[0][2], 2)
        self.assertLess(elapsed, within, f"CreateSequence took {elapsed:.2f} s")
        c.close()
        self.assertTrue(self.bridge.running(), "the server process is gone")

    def post_raw(self, body, action=None, limit_s=TIMEOUT_S + 1.5):
        head, data = http_post_bytes(action or soap_action("CreateSequence"), body,
                                     port=self.bridge.soap_port)
        return raw_exchange(self.bridge.soap_port, head + data, limit_s)

    # --- bad input ------------------------------------------------------------------------

    def test_malformed_xml_gets_prompt_fault_1014_and_server_keeps_serving(self):
        h = [org_header(JOBCENTER_ORG)]
        good = envelope(create_sequence_body(), h)
        cases = {
            "not XML at all": b"this is not xml",
            "empty body": b"",
            "root is not a SOAP Envelope": b'<?xml version="1.0"?><foo/>',
            "mismatched end tag": envelope(f'<w:CreateSequence xmlns:w="{NS_V3}"></w:Foo>', h),
            "'<' inside text": good.replace(b"44000", b"44<000"),
            "undefined entity": good.replace(b"<s:Body>", b"<s:Body>&bogus;"),
            "document cut off": good[:-40],
            "Envelope never closed": good.replace(b"</s:Envelope>", b""),
            "second root after the Envelope": good + b"<trailing/>",
        }
        for name, body in cases.items():
            with self.subTest(name):
                status, headers, raw, elapsed = self.post_raw(body)
                self.assertIsNotNone(status, f"no HTTP response within {elapsed:.1f} s (the "
                                             f"server closed the connection or kept waiting)")
                r = parse_soap_response(status, headers, raw)
                expect_fault(r, FAULT_VALIDATION)
                validate_response(r)
                self.assertLess(elapsed, PROMPT_S, f"the fault came after {elapsed:.2f} s, "
                                                   f"although the whole request had been sent")
            self.assert_still_serving()

    def test_oversize_body_is_refused_and_server_keeps_serving(self):
        h = [org_header(JOBCENTER_ORG)]
        cases = {
            "100 KB element text in a header":
                envelope(create_sequence_body(),
                         h + ['<x:Pad xmlns:x="urn:pad">' + "y" * 100_000 + "</x:Pad>"]),
            "100 KB comment": envelope(create_sequence_body(), h + ["<!--" + "x" * 100_000 + "-->"]),
            "1 MB element text": envelope(create_sequence_body(),
                                          h + ['<x:Pad xmlns:x="urn:pad">' + "y" * 1_000_000 +
                                               "</x:Pad>"]),
        }
        for name, body in cases.items():
            with self.subTest(name):
                self.assertGreater(len(body), MAX_REQUEST_BYTES)
                status, headers, raw, elapsed = self.post_raw(body)
                self.assertNotEqual(status, 200, f"a {len(body)}-byte request was served although "
                                                 f"max_request_bytes = {MAX_REQUEST_BYTES}")
                self.assertIsNotNone(status, "no answer at all: expected HTTP 413 or a SOAP fault "
                                             "1014 (the connection was closed silently)")
                if status != 413:
                    r = parse_soap_response(status, headers, raw)
                    expect_fault(r, FAULT_VALIDATION)
                    validate_response(r)
            self.assert_still_serving()

    # --- slow clients ---------------------------------------------------------------------

    def test_sender_stalling_after_headers_is_cut_off_while_others_are_served(self):
        body = envelope(create_sequence_body(), [org_header(JOBCENTER_ORG)])
        head, data = http_post_bytes(soap_action("CreateSequence"), body, port=self.bridge.soap_port)
        stalled = raw_connect(self.bridge.soap_port)
        try:
            stalled.sendall(head + data[:20])  # headers and a little of the body, then nothing
            t0 = time.monotonic()
            time.sleep(0.2)  # a worker has taken the stalled connection
            # The other worker serves normal requests meanwhile, several of them.
            for _ in range(3):
                self.assert_still_serving()
            got, closed, _ = read_until_closed(stalled, 3 * TIMEOUT_S + 2)
            cut_after = time.monotonic() - t0
            self.assertTrue(closed, "the stalled connection was never closed by the server")
            self.assertNotIn(b"200 OK", got)
            self.assertLess(cut_after, TIMEOUT_S + SLACK_S,
                            f"the stalled sender held its worker for {cut_after:.1f} s; "
                            f"recv_timeout_s = transfer_timeout_s = {TIMEOUT_S}")
        finally:
            stalled.close()
        self.assert_still_serving()

    def test_sender_dripping_one_byte_at_a_time_is_cut_off_by_transfer_timeout(self):
        body = envelope(create_sequence_body(), [org_header(JOBCENTER_ORG)])
        head, data = http_post_bytes(soap_action("CreateSequence"), body, port=self.bridge.soap_port)
        request = head + data
        drip = raw_connect(self.bridge.soap_port)
        stop = threading.Event()
        sent = [0]

        def dripper():
            # Each byte well within recv_timeout_s, so only transfer_timeout_s can end it.
            for i in range(len(request)):
                if stop.wait(0.4):
                    return
                try:
                    drip.send(request[i:i + 1])
                    sent[0] += 1
                except OSError:
                    return

        t0 = time.monotonic()
        thread = threading.Thread(target=dripper, daemon=True)
        thread.start()
        try:
            time.sleep(0.5)
            self.assert_still_serving()
            got, closed, _ = read_until_closed(drip, 3 * TIMEOUT_S + 2)
            cut_after = time.monotonic() - t0
            self.assertTrue(closed, f"the dripping sender was not cut off ({sent[0]} bytes sent)")
            self.assertNotIn(b"200 OK", got)
            self.assertLess(cut_after, TIMEOUT_S + SLACK_S,
                            f"cut off after {cut_after:.1f} s; transfer_timeout_s = {TIMEOUT_S}")
        finally:
            stop.set()
            thread.join()
            drip.close()
        self.assert_still_serving()

    def test_client_disconnecting_mid_request_frees_the_worker(self):
        body = envelope(create_sequence_body(), [org_header(JOBCENTER_ORG)])
        head, data = http_post_bytes(soap_action("CreateSequence"), body, port=self.bridge.soap_port)
        for _ in range(WORKERS + 1):
            s = raw_connect(self.bridge.soap_port)
            s.sendall(head + data[: len(data) // 2])
            s.close()
        self.assert_still_serving()

    # --- admin port -------------------------------------------------------------------------

    def test_healthz_is_200_with_json(self):
        status, headers, body = self.bridge.admin_get("/healthz")
        self.assertEqual(status, 200)
        self.assertTrue(headers.get("content-type", "").startswith("application/json"), headers)
        doc = load_json(body)
        self.assertIsInstance(doc, dict)
        self.assertEqual(doc.get("status"), "ok")
        status, _, _ = self.bridge.admin_get("/no-such-page")
        self.assertEqual(status, 404)

    def test_metrics_match_what_the_test_did(self):
        b = self.bridge
        b.queue_add(AKASSE["id"], "GetAkasseIndkaldelseVersion1", INDKALDELSE_ITEM, count=1,
                    key="ak")
        m = b.metrics()
        self.assertEqual(metric(m, "wsrm_bridge_queue_depth", consumer=JOBCENTER["id"]), 2)
        self.assertEqual(metric(m, "wsrm_bridge_queue_depth", consumer=AKASSE["id"]), 1)
        age = metric(m, "wsrm_bridge_oldest_message_age_seconds", consumer=JOBCENTER["id"])
        self.assertIsNotNone(age)
        self.assertGreaterEqual(age, 0)
        self.assertLess(age, 120)
        self.assertEqual(metric(m, "wsrm_bridge_sequences", state="open"), 0)

        c = b.client()
        seq = sequence_identifier(c.create_sequence(JOBCENTER_ORG))         # CreateSequence 1
        sequence_identifier(c.create_sequence(JOBCENTER_ORG))               # CreateSequence 2 (reuse)
        items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq), OP_INDKALDELSE)  # Get 1
        expect_fault(c.create_sequence((8, "99999")), FAULT_INSUFFICIENT_PERMISSIONS)  # Create 3
        expect_fault(c.call(soap_action("TerminateSequence"), create_sequence_body(),
                            [org_header(JOBCENTER_ORG)]), FAULT_VALIDATION)  # Create 4: bad action
        expect_fault(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE,
                                 "0f0e0d0c-0b0a-4909-8807-060504030201"),
                     FAULT_UNKNOWN_SEQUENCE)                                 # Get 2
        m = b.metrics()
        self.assertEqual(metric(m, "wsrm_bridge_sequences", state="open"), 1)
        self.assertEqual(metric(m, "wsrm_bridge_queue_depth", consumer=JOBCENTER["id"]), 2,
                         "messages in an open sequence are not delivered yet")
        ok(c.terminate_sequence(JOBCENTER_ORG, seq))                         # Terminate 1
        sequence_identifier(c.create_sequence(AKASSE_ORG))                   # CreateSequence 5

        m = b.metrics()
        requests = "wsrm_bridge_soap_requests_total"
        self.assertEqual(metric(m, requests, operation="CreateSequence"), 5)
        self.assertEqual(metric(m, requests, operation=OP_INDKALDELSE), 2)
        self.assertEqual(metric(m, requests, operation="TerminateSequence"), 1)
        faults = "wsrm_bridge_soap_faults_total"
        self.assertEqual(metric(m, faults, operation="CreateSequence", code="1013"), 1)
        self.assertEqual(metric(m, faults, operation="CreateSequence", code="1014"), 1)
        self.assertEqual(metric(m, faults, operation=OP_INDKALDELSE, code="2001"), 1)
        self.assertEqual(sum(v for (n, _), v in m.items() if n == faults), 3)
        self.assertEqual(metric(m, "wsrm_bridge_queue_depth", consumer=JOBCENTER["id"]), 0)
        self.assertEqual(metric(m, "wsrm_bridge_queue_depth", consumer=AKASSE["id"]), 1)
        self.assertEqual(metric(m, "wsrm_bridge_oldest_message_age_seconds",
                                consumer=JOBCENTER["id"]), 0)
        self.assertGreater(metric(m, "wsrm_bridge_oldest_message_age_seconds",
                                  consumer=AKASSE["id"]), 0)
        self.assertEqual(metric(m, "wsrm_bridge_sequences", state="open"), 1)
        self.assertEqual(metric(m, "wsrm_bridge_sequences", state="terminated"), 1)
        self.assertEqual(metric(m, "wsrm_bridge_sequences", state="closed"), 0)
        self.assertEqual(metric(m, "wsrm_bridge_sequences", state="expired"), 0)

    # --- shutdown -------------------------------------------------------------------------------

    def test_sigterm_during_in_flight_request_completes_it_and_exits_0(self):
        b = self.bridge
        body = envelope(create_sequence_body(), [org_header(JOBCENTER_ORG)])
        head, data = http_post_bytes(soap_action("CreateSequence"), body, port=b.soap_port)
        s = raw_connect(b.soap_port)
        try:
            s.sendall(head + data[:50])
            time.sleep(0.3)  # a worker is reading the request
            pid = b.proc.pid
            os.kill(pid, signal.SIGTERM)
            time.sleep(0.5)  # the server is draining now
            self.assertIsNone(b.proc.poll(), "the server exited with a request in flight")
            s.sendall(data[50:])
            got, closed, _ = read_until_closed(s, 5)
        finally:
            s.close()
        self.assertIn(b"\r\n\r\n", got, f"no response to the in-flight request: {got!r}")
        status, headers, raw = parse_raw_http_response(got)
        r = parse_soap_response(status, headers, raw)
        validate_response(r)
        self.assertEqual(inventory(r)[0][2], 2, "the in-flight CreateSequence was served")
        self.assertEqual(b.stop(), 0)

    def test_sigterm_with_idle_keep_alive_connection_exits_promptly(self):
        # A long recv_timeout_s, as in production: an idle keep-alive connection (WCF clients keep
        # theirs open) must not hold up the drain until it times out.
        b = self.new_bridge(server={"recv_timeout_s": 10, "workers": WORKERS}, name="idle")
        idle = b.client()
        ok(idle.create_sequence(JOBCENTER_ORG))
        self.assertIsNotNone(idle.conn, "the connection was not kept alive")
        proc = b.proc
        t = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=8)
        except Exception:
            rc = None
        elapsed = time.monotonic() - t
        idle.close()
        self.assertEqual(rc, 0, f"no clean exit within 8 s of SIGTERM (idle keep-alive "
                                f"connection open; recv_timeout_s = 10)")
        self.assertLess(elapsed, 3.0, f"exit took {elapsed:.1f} s")
        b.stop()  # collects the log

    # --- the served contract ----------------------------------------------------------------------

    def test_wsdl_and_xsd_are_served_byte_for_byte(self):
        c = self.bridge.client()
        served = {
            "/WsrmService.svc?wsdl": os.path.join(WSDL_DIR, "WsrmService.wsdl"),
            "/PjaktassWCFTservice/WsrmService.svc?wsdl": os.path.join(WSDL_DIR, "WsrmService.wsdl"),
            "/11/WsrmMessageService.svc?wsdl": os.path.join(WSDL_DIR, "WsrmMessageService-v11.wsdl"),
        }
        for name in sorted(os.listdir(XSD_DIR)):
            if name.endswith(".xsd"):
                served[f"/xsd/{name}"] = os.path.join(XSD_DIR, name)
        for path, file in served.items():
            with self.subTest(path):
                status, headers, body = c.get(path)
                self.assertEqual(status, 200)
                self.assertTrue(headers.get("content-type", "").startswith("text/xml"), headers)
                with open(file, "rb") as f:
                    self.assertEqual(body, f.read(), f"{path} differs from {file}")
        # Nothing outside wsdl/ is reachable.
        for path in ("/NoSuchService.svc?wsdl", "/xsd/nothere.xsd", "/xsd/../../CMakeLists.txt",
                     "/xsd/%2e%2e/%2e%2e/CMakeLists.txt", "/../../etc/passwd", "/README.md",
                     "/typemap.dat"):
            with self.subTest(path):
                status, _, body = c.get(path)
                self.assertEqual(status, 404, f"{path}: {body[:200]!r}")
        self.assert_still_serving()


if __name__ == "__main__":
    unittest.main()
