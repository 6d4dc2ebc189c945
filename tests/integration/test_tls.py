"""HTTPS with client certificates: the certificate, not the ActiveOrganisationHeader, decides who
the caller is (contract.md section 1; faults 4575 and 1013 of section 5).

A throw-away PKI is made with the openssl CLI: CA, a server certificate for 127.0.0.1, client
certificates for a jobcenter (registered by SHA-256 fingerprint) and an a-kasse (registered by
subject), a CA-signed certificate that no consumer lists, and a rogue CA whose certificate copies
the a-kasse's subject."""

import shutil
import socket
import ssl
import tempfile
import time
import unittest

from bridge_harness import (
    AKASSE, AKASSE_ORG, FAULT_INSUFFICIENT_PERMISSIONS, FAULT_NOT_AUTHORIZED, HAENDELSE_ITEM,
    INDKALDELSE_ITEM, JOBCENTER, JOBCENTER_ORG, OP_AKASSE, OP_HAENDELSE, OP_INDKALDELSE,
    BridgeTestCase, Pki, envelope, create_sequence_body, expect_fault, http_post_bytes, inventory,
    items, message_ids, metric, ok, org_header, sequence_identifier, sequence_response_identifier,
    soap_action)

AKASSE_SUBJECT = "/CN=akasse-client/O=A-kasse Test"
ENDPOINT = "https://127.0.0.1/11/WsrmMessageService.svc"


class TlsTests(BridgeTestCase):

    @classmethod
    def setUpClass(cls):
        cls.pki_dir = tempfile.mkdtemp(prefix="wsrm-it-pki-")
        pki = cls.pki = Pki(cls.pki_dir)
        pki.make_ca("ca", "wsrm-bridge test CA")
        pki.make_ca("rogue-ca", "rogue CA")
        pki.make_cert("server", "/CN=127.0.0.1", "ca", server=True)
        pki.make_cert("jobcenter", "/CN=jobcenter-client/O=Jobcenter Test", "ca")
        pki.make_cert("akasse", AKASSE_SUBJECT, "ca")
        pki.make_cert("stranger", "/CN=stranger/O=Nobody", "ca")
        pki.make_cert("rogue", AKASSE_SUBJECT, "rogue-ca")  # same subject, wrong CA

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki_dir, True)

    def setUp(self):
        super().setUp()
        pki = self.pki
        jobcenter = dict(JOBCENTER, certificate_fingerprints=[pki.fingerprint("jobcenter")])
        akasse = dict(AKASSE, certificate_subjects=[AKASSE_SUBJECT])
        tls = {"certificate": pki.path("server.crt"), "private_key": pki.path("server.key"),
               "ca": pki.path("ca.crt"), "require_client_certificate": True}
        self.bridge = self.new_bridge(start=False, consumers=(jobcenter, akasse), tls=tls,
                                      server={"service_endpoint": ENDPOINT})
        self.ind_ids = self.bridge.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM,
                                             count=3, key="i")
        self.hae_ids = self.bridge.queue_add(JOBCENTER["id"], OP_HAENDELSE, HAENDELSE_ITEM,
                                             count=1, key="h")
        self.ak_ids = self.bridge.queue_add(AKASSE["id"], OP_AKASSE, INDKALDELSE_ITEM, count=2,
                                            key="a")
        self.bridge.start()

    def https_client(self, cert, **kw):
        return self.bridge.client(ssl_context=self.pki.client_context(cert, **kw))

    def assert_refused(self, cert, max_tls12):
        """The TLS handshake fails: no HTTP exchange is possible with this certificate."""
        ctx = self.pki.client_context(cert, max_tls12=max_tls12)
        raw = socket.create_connection(("127.0.0.1", self.bridge.soap_port), timeout=10)
        stage = "handshake"
        try:
            with self.assertRaises((ssl.SSLError, ConnectionError, socket.timeout)) as caught:
                tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
                raw = tls
                stage = "first request"
                # With TLS 1.3 the server checks the client certificate after the client's side
                # of the handshake is done, so the refusal surfaces on the first read.
                head, data = http_post_bytes(soap_action("CreateSequence"),
                                             envelope(create_sequence_body(),
                                                      [org_header(AKASSE_ORG)]))
                tls.sendall(head + data)
                got = tls.recv(65536)
                if not got:
                    raise ConnectionAbortedError("closed without a response")
                self.fail(f"the server answered a refused certificate: {got[:300]!r}")
            if max_tls12:
                self.assertEqual(stage, "handshake", f"TLS 1.2 must fail in the handshake, failed "
                                                     f"at the {stage}: {caught.exception!r}")
            return caught.exception
        finally:
            raw.close()

    # --- the happy path ----------------------------------------------------------------------

    def test_full_sequence_over_https_with_client_certificate(self):
        c = self.https_client("jobcenter")
        r = c.create_sequence(JOBCENTER_ORG)
        seq = sequence_identifier(r)
        self.assertEqual(sorted(inventory(r)), [(OP_INDKALDELSE, ENDPOINT, 3),
                                                (OP_HAENDELSE, ENDPOINT, 1)])
        r = c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq)
        self.assertEqual(message_ids(items(r, OP_INDKALDELSE)), self.ind_ids)
        self.assertEqual(sequence_response_identifier(r), seq)
        r = c.get_items(JOBCENTER_ORG, OP_HAENDELSE, seq)
        self.assertEqual(message_ids(items(r, OP_HAENDELSE)), self.hae_ids)
        self.assertEqual(sequence_identifier(c.terminate_sequence(JOBCENTER_ORG, seq)), seq)
        self.assertEqual(inventory(c.create_sequence(JOBCENTER_ORG)), [])
        # The contract is served over HTTPS too.
        status, _, body = c.get("/WsrmService.svc?wsdl")
        self.assertEqual(status, 200)
        self.assertIn(b"wsdl:definitions", body)

    def test_certificate_registered_by_subject_identifies_its_consumer(self):
        c = self.https_client("akasse")
        seq = sequence_identifier(c.create_sequence(AKASSE_ORG))
        r = c.get_items(AKASSE_ORG, OP_AKASSE, seq)
        self.assertEqual(message_ids(items(r, OP_AKASSE)), self.ak_ids)
        ok(c.terminate_sequence(AKASSE_ORG, seq))

    # --- refusals ---------------------------------------------------------------------------

    def test_certificate_from_another_ca_is_refused_at_handshake(self):
        # TLS 1.2: the handshake itself fails.
        e = self.assert_refused("rogue", max_tls12=True)
        self.assertIsInstance(e, (ssl.SSLError, ConnectionError), repr(e))
        # TLS 1.3 (the client's default): no response either.
        self.assert_refused("rogue", max_tls12=False)
        # No client certificate at all.
        self.assert_refused(None, max_tls12=True)
        self.assert_refused(None, max_tls12=False)
        # The server is fine and still serves registered callers, and it counted the refusals.
        time.sleep(0.1)
        ok(self.https_client("akasse").create_sequence(AKASSE_ORG))
        self.assertEqual(metric(self.bridge.metrics(), "wsrm_bridge_connection_errors_total",
                                reason="tls"), 4)

    def test_ca_signed_but_unregistered_certificate_gets_fault_4575(self):
        c = self.https_client("stranger")
        for org in (JOBCENTER_ORG, AKASSE_ORG, (8, "99999")):
            f = expect_fault(c.create_sequence(org), FAULT_NOT_AUTHORIZED)
            self.assertTrue(f.faultcode.endswith("Client"), f.faultcode)
        expect_fault(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE,
                                 "0f0e0d0c-0b0a-4909-8807-060504030201"), FAULT_NOT_AUTHORIZED)
        # Nothing was handed out to the stranger.
        r = self.https_client("jobcenter").create_sequence(JOBCENTER_ORG)
        self.assertEqual(sorted(inventory(r)), [(OP_INDKALDELSE, ENDPOINT, 3),
                                                (OP_HAENDELSE, ENDPOINT, 1)])

    def test_registered_certificate_acting_for_foreign_organisation_gets_fault_1013(self):
        jc = self.https_client("jobcenter")
        # The a-kasse's organisation (a real consumer), and one nobody has.
        expect_fault(jc.create_sequence(AKASSE_ORG), FAULT_INSUFFICIENT_PERMISSIONS)
        expect_fault(jc.create_sequence((8, "99999")), FAULT_INSUFFICIENT_PERMISSIONS)
        ak = self.https_client("akasse")
        seq = sequence_identifier(ak.create_sequence(AKASSE_ORG))
        # With the a-kasse's sequence Identifier the jobcenter certificate still gets 1013.
        expect_fault(jc.get_items(AKASSE_ORG, OP_AKASSE, seq), FAULT_INSUFFICIENT_PERMISSIONS)
        expect_fault(jc.terminate_sequence(AKASSE_ORG, seq), FAULT_INSUFFICIENT_PERMISSIONS)
        # The a-kasse's sequence is untouched.
        r = ak.get_items(AKASSE_ORG, OP_AKASSE, seq)
        self.assertEqual(message_ids(items(r, OP_AKASSE)), self.ak_ids)


if __name__ == "__main__":
    unittest.main()
