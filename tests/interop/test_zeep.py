"""Interop: a stock SOAP client (python3-zeep) built from the WSDL the running bridge serves.

zeep reads /WsrmService.svc?wsdl and /11/WsrmMessageService.svc?wsdl (and the XSDs they import
by relative URL) from the server itself, so these tests also prove the served contract is
complete and self-consistent. The WSDL port addresses are placeholders, hence create_service with
the real address. Headers go in through _soapheaders, as a zeep user would pass them."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from bridge_harness import (  # noqa: E402
    AKASSE, AKASSE_ORG, HAENDELSE_ITEM, INDKALDELSE_ITEM, JOBCENTER, JOBCENTER_ORG, NS_FAULT,
    NS_V11, NS_V3, OP_AKASSE, OP_HAENDELSE, OP_INDKALDELSE, BridgeTestCase, GUID_RE,
    parse_soap_response, validate_response)

try:
    import lxml.etree
    import zeep
    import zeep.exceptions
    import zeep.plugins
    import zeep.transports
except ImportError as e:  # fail loudly: interop is a requirement, not an option
    raise ImportError(f"python3-zeep is required for the interop tests (apt install python3-zeep "
                      f"and run them with /usr/bin/python3): {e}")

ENDPOINT = "http://127.0.0.1:8080/11/WsrmMessageService.svc"
V3_BINDING = f"{{{NS_V3}}}BasicHttpBinding_IWsrmService"
V11_BINDING = f"{{{NS_V11}}}BasicHttpBinding_IWsrmMessageService"


def org(o):
    return {"ActiveOrganisationHeader": {"OrganisationTypeIdentifier": o[0],
                                         "OrganisationCode": o[1]}}


REQUEST_USER = {"RequestUserMetadata": {
    "RequestUserStructure": {"UserFullName": "Sagsbehandler Navn",
                             "RequestUserTypeIdentifier": {"CodeListItemIdentifier": 2},
                             "UserIdentifier": "e1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b"},
    "RequestOrganisationStructure": {"OrganisationTypeIdentifier": {"CodeListItemIdentifier": 8},
                                     "OrganisationCode": "44000"}}}


class XsdCheck(zeep.plugins.Plugin):
    """Validates the Body child of every response zeep receives with xmllint (as the stdlib
    client does), before zeep interprets it."""

    def __init__(self):
        self.checked = 0

    def ingress(self, envelope, http_headers, operation):
        raw = lxml.etree.tostring(envelope)
        r = parse_soap_response(500 if b"Fault>" in raw else 200, http_headers, raw)
        validate_response(r)
        self.checked += 1
        return envelope, http_headers


class ZeepInteropTests(BridgeTestCase):

    def setUp(self):
        super().setUp()
        b = self.bridge = self.new_bridge(start=False, server={"service_endpoint": ENDPOINT})
        self.ind_ids = b.queue_add(JOBCENTER["id"], OP_INDKALDELSE, INDKALDELSE_ITEM, count=2,
                                   key="z")
        self.hae_ids = b.queue_add(JOBCENTER["id"], OP_HAENDELSE, HAENDELSE_ITEM, count=1, key="zh")
        self.ak_ids = b.queue_add(AKASSE["id"], OP_AKASSE, INDKALDELSE_ITEM, count=1, key="za")
        b.start()
        base = f"http://127.0.0.1:{b.soap_port}"
        self.transport = zeep.transports.Transport(timeout=30, operation_timeout=30)
        self.addCleanup(self.transport.session.close)
        self.xsd_check = XsdCheck()
        self.v3_client = zeep.Client(f"{base}/WsrmService.svc?wsdl", transport=self.transport,
                                     plugins=[self.xsd_check])
        self.v11_client = zeep.Client(f"{base}/11/WsrmMessageService.svc?wsdl",
                                      transport=self.transport, plugins=[self.xsd_check])
        self.v3 = self.v3_client.create_service(V3_BINDING, f"{base}/WsrmService.svc")
        self.v11 = self.v11_client.create_service(V11_BINDING, f"{base}/11/WsrmMessageService.svc")

    def get(self, operation, organisation, identifier):
        headers = dict(org(organisation), SequenceRequest={"Identifier": identifier})
        return getattr(self.v11, operation)(_soapheaders=headers)

    def test_full_sequence_through_zeep_client_built_from_served_wsdl(self):
        created = self.v3.CreateSequence(_soapheaders=dict(org(JOBCENTER_ORG), **REQUEST_USER))
        seq = created.Identifier
        self.assertRegex(seq, GUID_RE)
        lines = sorted((i.ServiceName, i.ServiceEndpoint, i.MessageCount)
                       for i in created.ServiceInventoryCollection.ServiceItem)
        self.assertEqual(lines, [(OP_INDKALDELSE, ENDPOINT, 2), (OP_HAENDELSE, ENDPOINT, 1)])

        r = self.get(OP_INDKALDELSE, JOBCENTER_ORG, seq)
        self.assertEqual(r.header.SequenceResponse.Identifier, seq)
        regs = r.body.IndkaldelseRegistration
        self.assertEqual([x.WSRMMetadata.MessageIdentifier for x in regs], self.ind_ids)
        self.assertEqual([x.Title for x in regs], ["Jobsamtale 1", "Jobsamtale 2"])
        for x in regs:
            self.assertEqual(x.PersonCivilRegistrationIdentifier, "1111111111")
            self.assertEqual(x.IndkaldelseIdentifier, "3f0e7c1a-54a7-4f3b-9b81-dd2661e45600")
            self.assertEqual(x.IndkaldelseStatusTypeIdentifier, 1)
            self.assertEqual(x.DurationMinutes, 30)
            self.assertIs(x.ReBookingPossible, True)
            self.assertEqual(x.WSRMMetadata.RegisteringAuthority.OrganisationCode, "44000")
            self.assertIsNotNone(x.WSRMMetadata.MessageQueuedDateTime)

        r = self.get(OP_HAENDELSE, JOBCENTER_ORG, seq)
        events = r.body.IndkaldelseshaendelseRegistration
        self.assertEqual([x.WSRMMetadata.MessageIdentifier for x in events], self.hae_ids)
        self.assertEqual(events[0].IndkaldelseshaendelseTypeIdentifier, 3)
        self.assertEqual(events[0].EventDateTime.year, 2024)

        done = self.v3.TerminateSequence(Identifier=seq, _soapheaders=org(JOBCENTER_ORG))
        self.assertEqual(done, seq)
        again = self.v3.CreateSequence(_soapheaders=org(JOBCENTER_ORG))
        self.assertNotEqual(again.Identifier, seq)
        # zeep reads an empty ServiceInventoryCollection as None.
        coll = again.ServiceInventoryCollection
        self.assertEqual(list(coll.ServiceItem or []) if coll is not None else [], [])

        # The a-kasse operation, and CloseSequence: the messages come again.
        ak = self.v3.CreateSequence(_soapheaders=org(AKASSE_ORG)).Identifier
        r = self.get(OP_AKASSE, AKASSE_ORG, ak)
        self.assertEqual([x.WSRMMetadata.MessageIdentifier for x in r.body.AkasseIndkaldelseRegistration],
                         self.ak_ids)
        self.assertEqual(self.v3.CloseSequence(Identifier=ak, _soapheaders=org(AKASSE_ORG)), ak)
        ak2 = self.v3.CreateSequence(_soapheaders=org(AKASSE_ORG)).Identifier
        self.assertNotEqual(ak2, ak)
        r = self.get(OP_AKASSE, AKASSE_ORG, ak2)
        self.assertEqual([x.WSRMMetadata.MessageIdentifier for x in r.body.AkasseIndkaldelseRegistration],
                         self.ak_ids)
        self.assertEqual(self.xsd_check.checked, 10, "every response went through xmllint")

    def test_fault_surfaces_as_zeep_fault_with_code_2001_in_detail(self):
        seq = self.v3.CreateSequence(_soapheaders=org(JOBCENTER_ORG)).Identifier
        self.v3.TerminateSequence(Identifier=seq, _soapheaders=org(JOBCENTER_ORG))
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            self.get(OP_INDKALDELSE, JOBCENTER_ORG, seq)
        f = caught.exception
        self.assertTrue(f.code.endswith("Client"), f.code)
        self.assertTrue(f.message)
        self.assertIsNotNone(f.detail, "the fault has no detail")
        code = f.detail.findtext(f"{{{NS_FAULT}}}WsrmFault/{{{NS_FAULT}}}Code")
        self.assertEqual(code, "2001")
        # The detail parses with the served schema's WsrmFault element.
        element = self.v11_client.get_element(f"{{{NS_FAULT}}}WsrmFault")
        parsed = element.parse(f.detail.find(f"{{{NS_FAULT}}}WsrmFault"), self.v11_client.wsdl.types)
        self.assertEqual(parsed.Code, 2001)
        self.assertTrue(parsed.Text)

        # And one from WsrmService: an unknown organisation is 1013.
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            self.v3.CreateSequence(_soapheaders=org((8, "99999")))
        self.assertEqual(caught.exception.detail.findtext(
            f"{{{NS_FAULT}}}WsrmFault/{{{NS_FAULT}}}Code"), "1013")
        self.assertEqual(self.xsd_check.checked, 4, "the faults went through xmllint too")


if __name__ == "__main__":
    unittest.main()
