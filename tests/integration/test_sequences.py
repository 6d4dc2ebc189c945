"""WSRM sequence behaviour of the real wsrm-bridge over SOAP/HTTP (contract.md sections 2, 3, 5).

Every SOAP response of these tests is validated with xmllint against wsdl/xsd (the SoapClient
does it on each call: the Body child by its namespace, a fault's WsrmFault detail against
WsrmFault.xsd, the SequenceResponse header against WsrmOasis.xsd)."""

import os
import time
import unittest

from bridge_harness import (
    AKASSE, AKASSE_ORG, FAULT_INSUFFICIENT_PERMISSIONS, FAULT_UNKNOWN_SEQUENCE, FAULT_VALIDATION,
    GUID_RE, HAENDELSE_ITEM, INDKALDELSE_ITEM, JOBCENTER, JOBCENTER_ORG, NS_V11, NS_V3,
    OP_AKASSE, OP_HAENDELSE, OP_INDKALDELSE, BridgeTestCase, create_sequence_body,
    expect_fault, expected_message_ids, inventory, items, message_ids, ok, org_header,
    sequence_identifier, sequence_request_header, sequence_response_identifier, soap_action)

ENDPOINT = "https://bridge.example.test/11/WsrmMessageService.svc"
UNKNOWN_ID = "0f0e0d0c-0b0a-4909-8807-060504030201"


def titles(elements):
    return [e.findtext(f"{{{NS_V11}}}Title") for e in elements]


class SequenceTests(BridgeTestCase):

    def start_bridge(self, **kw):
        kw.setdefault("server", {"service_endpoint": ENDPOINT})
        return self.new_bridge(**kw)

    # --- the happy path ----------------------------------------------------------------

    def test_full_sequence_create_get_each_operation_terminate(self):
        b = self.start_bridge(start=False)
        ind_ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=3, key="ind")
        hae_ids = b.queue_add(JOBCENTER["id"], OP_HAENDELSE, HAENDELSE_ITEM, count=2, key="hae")
        ak_ids = b.queue_add(AKASSE["id"], OP_AKASSE, INDKALDELSE_ITEM, count=2, key="ak")
        b.start()
        c = b.client()

        r = c.create_sequence(JOBCENTER_ORG)
        seq = sequence_identifier(r)
        self.assertEqual(sorted(inventory(r)), [(OP_INDKALDELSE, ENDPOINT, 3),
                                                (OP_HAENDELSE, ENDPOINT, 2)])

        r = c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq)
        got = items(r, OP_INDKALDELSE)
        self.assertEqual(message_ids(got), ind_ids, "MessageIdentifiers as queued, in queue order")
        self.assertEqual(titles(got), ["Jobsamtale 1", "Jobsamtale 2", "Jobsamtale 3"])
        self.assertEqual(sequence_response_identifier(r), seq, "header SequenceResponse")
        # Calling twice returns the same items.
        again = items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq), OP_INDKALDELSE)
        self.assertEqual(message_ids(again), ind_ids)

        r = c.get_items(JOBCENTER_ORG, OP_HAENDELSE, seq)
        self.assertEqual(message_ids(items(r, OP_HAENDELSE)), hae_ids)
        self.assertEqual(sequence_response_identifier(r), seq)

        r = c.terminate_sequence(JOBCENTER_ORG, seq)
        self.assertEqual(sequence_identifier(r), seq)
        self.assertEqual(r.body_child.tag, f"{{{NS_V3}}}TerminateSequenceResponse")

        # Delivered messages never come again.
        r = c.create_sequence(JOBCENTER_ORG)
        self.assertNotEqual(sequence_identifier(r), seq)
        self.assertEqual(inventory(r), [])

        # The a-kasse consumer's own queue, with the third operation.
        r = c.create_sequence(AKASSE_ORG)
        ak_seq = sequence_identifier(r)
        self.assertEqual(inventory(r), [(OP_AKASSE, ENDPOINT, 2)])
        r = c.get_items(AKASSE_ORG, OP_AKASSE, ak_seq)
        self.assertEqual(message_ids(items(r, OP_AKASSE)), ak_ids)
        self.assertEqual(sequence_response_identifier(r), ak_seq)
        ok(c.terminate_sequence(AKASSE_ORG, ak_seq))
        self.assertEqual(inventory(c.create_sequence(AKASSE_ORG)), [])

    def test_1201_messages_drain_in_exactly_three_sequences_of_500_500_201(self):
        b = self.start_bridge(start=False)
        ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=1201, key="bulk")
        b.start()
        c = b.client()
        sequences = []
        delivered = []
        while True:
            r = c.create_sequence(JOBCENTER_ORG)
            seq = sequence_identifier(r)
            inv = inventory(r)
            if not inv:
                break
            self.assertLess(len(sequences), 3, "more than three sequences for 1,201 messages")
            self.assertEqual(len(inv), 1)
            self.assertEqual(inv[0][0], OP_INDKALDELSE)
            got = items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq), OP_INDKALDELSE)
            self.assertEqual(len(got), inv[0][2], "items returned = ServiceItem MessageCount")
            sequences.append((seq, inv[0][2]))
            delivered += message_ids(got)
            ok(c.terminate_sequence(JOBCENTER_ORG, seq))
        self.assertEqual([n for _, n in sequences], [500, 500, 201])
        self.assertEqual(len({s for s, _ in sequences}), 3, "three distinct Identifiers")
        self.assertEqual(delivered, ids, "every message exactly once, in queue order")

    # --- rules 3, 5, 7 ------------------------------------------------------------------

    def test_close_then_create_redelivers_same_identifiers_in_same_order(self):
        b = self.start_bridge(start=False)
        ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=5, key="c")
        b.start()
        c = b.client()
        first = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, first),
                                           OP_INDKALDELSE)), ids)
        r = c.close_sequence(JOBCENTER_ORG, first)
        self.assertEqual(r.body_child.tag, f"{{{NS_V3}}}CloseSequenceResponse")
        self.assertEqual(sequence_identifier(r), first)

        r = c.create_sequence(JOBCENTER_ORG)
        second = sequence_identifier(r)
        self.assertNotEqual(second, first, "a closed sequence is not reused")
        self.assertEqual(inventory(r), [(OP_INDKALDELSE, ENDPOINT, 5)])
        got = items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, second), OP_INDKALDELSE)
        self.assertEqual(message_ids(got), ids, "same MessageIdentifiers, same order")
        # The closed one is gone for Get.
        expect_fault(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, first), FAULT_UNKNOWN_SEQUENCE)
        ok(c.terminate_sequence(JOBCENTER_ORG, second))

    def test_create_twice_without_terminate_returns_same_sequence_with_reuse_policy(self):
        b = self.start_bridge(start=False)
        ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=2, key="r")
        b.start()
        c = b.client()
        r1 = c.create_sequence(JOBCENTER_ORG)
        first = sequence_identifier(r1)
        # A message arriving meanwhile does not change the open sequence.
        b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=1, key="late")
        r2 = c.create_sequence(JOBCENTER_ORG)
        self.assertEqual(sequence_identifier(r2), first)
        self.assertEqual(inventory(r2), inventory(r1))
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, first),
                                           OP_INDKALDELSE)), ids)

    def test_create_twice_with_close_and_create_policy_gives_new_sequence_same_messages(self):
        b = self.start_bridge(start=False, queue={"create_policy": "close-and-create"})
        ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=2, key="cc")
        b.start()
        c = b.client()
        first = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        r = c.create_sequence(JOBCENTER_ORG)
        second = sequence_identifier(r)
        self.assertNotEqual(second, first)
        self.assertEqual(inventory(r), [(OP_INDKALDELSE, ENDPOINT, 2)])
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, second),
                                           OP_INDKALDELSE)), ids)
        expect_fault(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, first), FAULT_UNKNOWN_SEQUENCE)

    def test_empty_queue_gives_new_identifier_and_empty_inventory(self):
        b = self.start_bridge(start=False)
        b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=1, key="e")
        b.start()
        c = b.client()
        # Nothing queued at all for the a-kasse consumer.
        r = c.create_sequence(AKASSE_ORG)
        self.assertRegex(sequence_identifier(r), GUID_RE)
        self.assertEqual(inventory(r), [])
        coll = r.body_child.find("{http://docs.oasis-open.org/ws-rx/wsrm/200602}"
                                 "ServiceInventoryCollection")
        self.assertIsNotNone(coll, "an empty ServiceInventoryCollection is still present")
        self.assertEqual(len(coll), 0)

        used = set()
        seq = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        used.add(seq)
        ok(c.terminate_sequence(JOBCENTER_ORG, seq))
        for _ in range(2):
            r = c.create_sequence(JOBCENTER_ORG)
            empty = sequence_identifier(r)
            self.assertNotIn(empty, used, "an empty queue gives a new Identifier")
            used.add(empty)
            self.assertEqual(inventory(r), [])

    def test_open_sequence_expires_after_sequence_timeout_and_messages_come_again(self):
        b = self.start_bridge(start=False, queue={"sequence_timeout_s": 1, "sweep_interval_s": 1})
        ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=3, key="x")
        b.start()
        c = b.client()
        first = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        time.sleep(2.2)
        expect_fault(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, first), FAULT_UNKNOWN_SEQUENCE)
        r = c.create_sequence(JOBCENTER_ORG)
        second = sequence_identifier(r)
        self.assertNotEqual(second, first)
        self.assertEqual(inventory(r), [(OP_INDKALDELSE, ENDPOINT, 3)])
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, second),
                                           OP_INDKALDELSE)), ids)

    def test_sub_queue_is_its_own_fifo_queue(self):
        jobcenter = dict(JOBCENTER, sub_queues=["shadow"])
        b = self.start_bridge(start=False, consumers=(jobcenter, AKASSE))
        ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=2, key="s")
        b.start()
        c = b.client()
        main = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        r = c.create_sequence(JOBCENTER_ORG, sub_queue="shadow")
        shadow = sequence_identifier(r)
        self.assertNotEqual(shadow, main)
        self.assertEqual(inventory(r), [(OP_INDKALDELSE, ENDPOINT, 2)])
        ok(c.terminate_sequence(JOBCENTER_ORG, main))
        # Delivering the main queue does not deliver the sub-queue's copy.
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, shadow),
                                           OP_INDKALDELSE)), ids)
        ok(c.terminate_sequence(JOBCENTER_ORG, shadow))
        self.assertEqual(inventory(c.create_sequence(JOBCENTER_ORG, sub_queue="shadow")), [])
        expect_fault(c.create_sequence(JOBCENTER_ORG, sub_queue="no-such-queue"), FAULT_VALIDATION)

    def test_cutover_marks_the_backlog_delivered_and_keeps_later_messages_and_sub_queues(self):
        jobcenter = dict(JOBCENTER, sub_queues=["shadow"])
        b = self.start_bridge(start=False, consumers=(jobcenter, AKASSE))
        b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=3, key="before")
        cutoff = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
        time.sleep(1.5)
        later = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=1,
                            key="after")
        listing = os.path.join(self.tmp, "cutover.csv")
        cut = ["queue", "cutover", "-c", b.config_path, "--consumer", JOBCENTER["id"],
               "--before", cutoff]
        dry = b.run_cli(*cut, "--dry-run")
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("3 message(s) would be marked", dry.stdout)
        p = b.run_cli(*cut, "--list", listing)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("marked 3 message(s) delivered", p.stdout)
        with open(listing, encoding="utf-8") as f:
            rows = f.read().splitlines()
        self.assertEqual(rows[0], "operation,message_identifier,queued_at")
        self.assertEqual([r.split(",")[1] for r in rows[1:]],
                         expected_message_ids("before", OP_INDKALDELSE, JOBCENTER["id"], 3))
        b.start()
        c = b.client()
        # The consumer gets only what was queued after the cut-off; the shadow copy keeps all.
        seq = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq),
                                           OP_INDKALDELSE)), later)
        shadow = c.create_sequence(JOBCENTER_ORG, sub_queue="shadow")
        self.assertEqual(inventory(shadow), [(OP_INDKALDELSE, ENDPOINT, 4)])
        # With a sequence open the cut-over is refused and changes nothing.
        refused = b.run_cli(*cut)
        self.assertEqual(refused.returncode, 1, refused.stdout + refused.stderr)
        self.assertIn("open sequence", refused.stderr)
        bad = b.run_cli("queue", "cutover", "-c", b.config_path, "--consumer", "nobody")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("nobody", bad.stderr)

    # --- rule 4 and fault 2001 ----------------------------------------------------------

    def test_terminate_twice_succeeds(self):
        b = self.start_bridge(start=False)
        b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=2, key="t")
        b.start()
        c = b.client()
        seq = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        self.assertEqual(sequence_identifier(c.terminate_sequence(JOBCENTER_ORG, seq)), seq)
        self.assertEqual(sequence_identifier(c.terminate_sequence(JOBCENTER_ORG, seq)), seq)
        self.assertEqual(inventory(c.create_sequence(JOBCENTER_ORG)), [])

    def test_get_after_terminate_faults_2001(self):
        b = self.start_bridge(start=False)
        b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=1, key="g")
        b.start()
        c = b.client()
        seq = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        ok(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq))
        ok(c.terminate_sequence(JOBCENTER_ORG, seq))
        f = expect_fault(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq), FAULT_UNKNOWN_SEQUENCE)
        self.assertTrue(f.faultcode.endswith("Client"), f.faultcode)
        expect_fault(c.get_items(JOBCENTER_ORG, OP_HAENDELSE, seq), FAULT_UNKNOWN_SEQUENCE)

    def test_get_with_unknown_identifier_faults_2001(self):
        b = self.start_bridge()
        c = b.client()
        expect_fault(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, UNKNOWN_ID), FAULT_UNKNOWN_SEQUENCE)
        expect_fault(c.terminate_sequence(JOBCENTER_ORG, UNKNOWN_ID), FAULT_UNKNOWN_SEQUENCE)
        expect_fault(c.close_sequence(JOBCENTER_ORG, UNKNOWN_ID), FAULT_UNKNOWN_SEQUENCE)

    def test_get_without_sequence_request_header_faults_1014(self):
        b = self.start_bridge()
        c = b.client()
        expect_fault(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, None), FAULT_VALIDATION)

    # --- rule 1: consumers are isolated ---------------------------------------------------

    def test_other_consumer_cannot_see_or_end_a_sequence_and_gets_same_fault_as_unknown(self):
        other = {"id": "jobcenter-other", "organisations": [{"type": 8, "code": "55000"}],
                 "message_types": [OP_INDKALDELSE, OP_HAENDELSE]}
        other_org = (8, "55000")
        b = self.start_bridge(start=False, consumers=(JOBCENTER, other, AKASSE))
        ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=3, key="a")
        b.start()
        a = b.client()
        bc = b.client()
        seq = sequence_identifier(a.create_sequence(JOBCENTER_ORG))

        # B does not see A's messages.
        self.assertEqual(inventory(bc.create_sequence(other_org)), [])

        def same_as_unknown(call):
            foreign = expect_fault(call(seq), FAULT_UNKNOWN_SEQUENCE)
            unknown = expect_fault(call(UNKNOWN_ID), FAULT_UNKNOWN_SEQUENCE)
            self.assertEqual(foreign.faultcode, unknown.faultcode)
            self.assertEqual(foreign.text.replace(seq, "<id>"), unknown.text.replace(UNKNOWN_ID, "<id>"),
                             "a foreign sequence must be indistinguishable from an unknown one")
            self.assertEqual(foreign.faultstring.replace(seq, "<id>"),
                             unknown.faultstring.replace(UNKNOWN_ID, "<id>"))

        same_as_unknown(lambda i: bc.get_items(other_org, OP_INDKALDELSE, i))
        same_as_unknown(lambda i: bc.get_items(AKASSE_ORG, OP_AKASSE, i))
        same_as_unknown(lambda i: bc.terminate_sequence(other_org, i))
        same_as_unknown(lambda i: bc.close_sequence(other_org, i))
        same_as_unknown(lambda i: bc.terminate_sequence(AKASSE_ORG, i))

        # A's sequence is untouched: still open, same messages, and A can end it.
        r = a.create_sequence(JOBCENTER_ORG)
        self.assertEqual(sequence_identifier(r), seq)
        got = items(a.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq), OP_INDKALDELSE)
        self.assertEqual(message_ids(got), ids)
        ok(a.terminate_sequence(JOBCENTER_ORG, seq))

    # --- rule 8: durability -----------------------------------------------------------------

    def test_kill_9_between_create_and_terminate_redelivers_same_messages_after_restart(self):
        b = self.start_bridge(start=False)
        ind_ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=4, key="k")
        hae_ids = b.queue_add(JOBCENTER["id"], OP_HAENDELSE, HAENDELSE_ITEM, count=1, key="kh")
        b.start()
        c = b.client()
        seq = sequence_identifier(c.create_sequence(JOBCENTER_ORG))
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, seq),
                                           OP_INDKALDELSE)), ind_ids)
        c.close()
        b.kill()  # SIGKILL: no drain, no clean-up

        b.start()  # same configuration, same SQLite file
        c = b.client()
        r = c.create_sequence(JOBCENTER_ORG)
        again = sequence_identifier(r)
        self.assertEqual(sorted(inventory(r)), [(OP_INDKALDELSE, ENDPOINT, 4),
                                                (OP_HAENDELSE, ENDPOINT, 1)])
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_INDKALDELSE, again),
                                           OP_INDKALDELSE)), ind_ids)
        self.assertEqual(message_ids(items(c.get_items(JOBCENTER_ORG, OP_HAENDELSE, again),
                                           OP_HAENDELSE)), hae_ids)
        ok(c.terminate_sequence(JOBCENTER_ORG, again))
        self.assertEqual(inventory(c.create_sequence(JOBCENTER_ORG)), [])

    # --- request faults -----------------------------------------------------------------------

    def test_unknown_organisation_faults_1013(self):
        b = self.start_bridge()
        c = b.client()
        f = expect_fault(c.create_sequence((8, "99999")), FAULT_INSUFFICIENT_PERMISSIONS)
        self.assertTrue(f.faultcode.endswith("Client"), f.faultcode)
        expect_fault(c.get_items((77, "1"), OP_INDKALDELSE, UNKNOWN_ID),
                     FAULT_INSUFFICIENT_PERMISSIONS)
        expect_fault(c.terminate_sequence((8, "99999"), UNKNOWN_ID), FAULT_INSUFFICIENT_PERMISSIONS)
        ok(c.create_sequence(JOBCENTER_ORG))

    def test_missing_active_organisation_header_faults_1014(self):
        b = self.start_bridge()
        c = b.client()
        expect_fault(c.create_sequence(None), FAULT_VALIDATION)
        r = c.call(soap_action(OP_INDKALDELSE), f'<v:{OP_INDKALDELSE}Request xmlns:v="{NS_V11}"/>',
                   [sequence_request_header(UNKNOWN_ID)])
        expect_fault(r, FAULT_VALIDATION)
        ok(c.create_sequence(JOBCENTER_ORG))

    def test_wrong_soapaction_faults_1014(self):
        b = self.start_bridge()
        c = b.client()
        body = create_sequence_body()
        headers = [org_header(JOBCENTER_ORG)]
        # Another operation's action, an unknown action, and no SOAPAction header at all.
        expect_fault(c.call(soap_action("TerminateSequence"), body, headers), FAULT_VALIDATION)
        expect_fault(c.call("urn:wrong", body, headers, path="/WsrmService.svc"), FAULT_VALIDATION)
        expect_fault(c.call(None, body, headers, path="/WsrmService.svc"), FAULT_VALIDATION)
        # A v11 action on a v3 body.
        expect_fault(c.call(soap_action(OP_INDKALDELSE), body, headers), FAULT_VALIDATION)
        ok(c.call(soap_action("CreateSequence"), body, headers))

    def test_unknown_operation_faults_1014(self):
        b = self.start_bridge()
        c = b.client()
        headers = [org_header(JOBCENTER_ORG)]
        expect_fault(c.call(NS_V3 + "IWsrmService/FrobnicateSequence",
                            f'<w:FrobnicateSequence xmlns:w="{NS_V3}"/>', headers),
                     FAULT_VALIDATION)
        expect_fault(c.call(NS_V11 + "IWsrmMessageService/GetSomethingElseVersion1",
                            f'<v:GetSomethingElseVersion1Request xmlns:v="{NS_V11}"/>', headers),
                     FAULT_VALIDATION)
        # A known element name in a foreign namespace is not the operation either.
        expect_fault(c.call(soap_action("CreateSequence"),
                            '<CreateSequence xmlns="urn:not-the-contract"/>', headers),
                     FAULT_VALIDATION)
        ok(c.create_sequence(JOBCENTER_ORG))


if __name__ == "__main__":
    unittest.main()
