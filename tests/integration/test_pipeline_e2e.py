"""End to end on loopback: `wsrm-bridge sim` plays DFDG, the bridge ingests, enriches, routes,
maps and queues, and a SOAP client polls each legacy consumer (issue 4's acceptance).

What each consumer must receive is the scenario files' hand-written `expect` (from the seed's
sending rules, not from the bridge's routing table). The values are checked field by field
against the scenario's own source data with a mapping written here from contract.md §3-4,
independently of mappings/. Every SOAP response is validated against the XSD (SoapClient).

The second test is the "contract is data" acceptance: item elements renamed in a copy of the XSD
plus the matching edited rows serve valid items with no C++ change.
"""

import glob
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

from bridge_harness import (AKASSE, GET_OPERATIONS, ITEM_ELEMENT, MESSAGE_ID_NAMESPACE, NS_AMS,
                            NS_V11, OP_AKASSE, OP_HAENDELSE, OP_INDKALDELSE, SOURCE_DIR,
                            WSDL_DIR, BridgeTestCase, inventory, items, ok, sequence_identifier,
                            validate_bytes)

SCENARIO_DIR = os.path.join(SOURCE_DIR, "tests", "fixtures", "scenarios")
MAPPINGS_DIR = os.path.join(SOURCE_DIR, "mappings")
TOKEN = "e2e-token"

NS_RUS = "http://service.bm.dk/pjaktass/2015/01/21/RequestUserStructure/"
NS_ROS = "http://service.bm.dk/pjaktass/2015/01/21/RequestOrganisationStructure/"
NS_RUT = "http://service.bm.dk/pjaktass/2015/01/21/RequestUserTypeIdentifierCodeList/"
NS_CLB = "http://service.bm.dk/pjaktass/2013/06/07/CodeListBase/"
NS_RUM = "http://service.bm.dk/RequestUserMetadata/2015/01/21/"

# contract.md §3.2 element ← §4.2 REST member (the code lists keep the values: legacy = code).
FIELDS = [
    ("IndkaldelseStatusTypeIdentifier", "status"),
    ("InterviewTypeIdentifier", "samtaleType"),
    ("InterviewContactTypeIdentifier", "afholdelsesform"),
    ("InterviewFormTypeIdentifier", "moedeGruppeType"),
    ("StartDateTime", "starttidspunkt"),
    ("EndDateTime", "sluttidspunkt"),
    ("DurationMinutes", "varighed"),
    ("Title", "titel"),
    ("Description", "beskrivelse"),
    ("InterviewLocationDescription", "lokation"),
    ("PhoneNumber", "telefonnummer"),
    ("DigitalMeetingLink", "digitaltMoedelink"),
    ("CaseworkerName", "ansvarligSagsbehandler"),
    ("ReBookingPossible", "ombookingMulig"),
    ("ReBookingDeadline", "ombookingsfrist"),
    ("CancellationPossible", "aflysningMulig"),
    ("CancellationDeadline", "aflysningsfrist"),
    ("SelfBooked", "selvbooket"),
    ("OwnerSystemTypeIdentifier", "ejersystem"),
    ("GroupMeetingIdentifier", "gruppemoedeId"),
    ("UnemploymentFundParticipationStatusTypeIdentifier", "akasseDeltagelsesstatus"),
]
ADDRESS = [("StreetName", "vejnavn"), ("StreetBuildingIdentifier", "husnummer"),
           ("FloorIdentifier", "etage"), ("SuiteIdentifier", "doer"),
           ("PostCodeIdentifier", "postnummer"), ("DistrictName", "postdistrikt")]
PARTICIPANT = [("Name", "navn"), ("ContactDetails", "kontaktdetaljer"),
               ("PhoneNumber", "telefonnummer"), ("Email", "email"),
               ("OrganisationTypeIdentifier", "organisationType"),
               ("OrganisationCode", "organisationKode")]
DELETE = 3
DELETED_STATUS = 3  # mappings/pipeline/policy.toml: a Delete the GET no longer shows


def text_of(value):
    """How a JSON value is written as element text; None: the element is left out."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def merge_patch(target, patch):
    """RFC 7396."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Step:
    """One scenario step with the REST state the bridge saw for it."""

    def __init__(self, scenario, raw, state, visible, last_visible, organisations):
        self.scenario = scenario
        self.raw = raw
        self.state = state              # the resource while this step is current, or None
        self.visible = visible
        self.last_visible = last_visible  # the newest state a GET showed before or at this step
        self.organisations = organisations

    @property
    def name(self):
        return f"{self.scenario}/{self.raw['id']}"

    @property
    def besked(self):
        if "besked_identifier" in self.raw:
            return self.raw["besked_identifier"]
        return str(uuid.uuid5(uuid.UUID("6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b"), self.name))

    def haendelsestype(self):
        if "haendelsestype" in self.raw:
            return self.raw["haendelsestype"]
        for k, v in (self.raw.get("body") or {}).items():
            if re.fullmatch(r"indkaldelses?haendelsestype", k, re.I):
                return v
        return None

    def source(self):
        """The resource the item must show: the step's, or for a Delete the last one shown."""
        if self.raw["aendringstype"] == DELETE and not (self.visible and self.state):
            return dict(self.last_visible, status=DELETED_STATUS)
        return self.state


def load_steps(paths):
    steps = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        states, last_visible = {}, {}
        for raw in doc["steps"]:
            key = raw["indkaldelse"]
            if "resource" in raw:
                states[key] = raw["resource"]
            elif "resource_patch" in raw:
                states[key] = merge_patch(states.get(key), raw["resource_patch"])
            visible = raw.get("visible", True) and states.get(key) is not None
            if visible:
                last_visible[key] = states[key]
            steps.append(Step(doc["name"], raw, states.get(key), visible, last_visible.get(key),
                              doc["organisations"]))
    return steps


def child(element, ns, name):
    return element.find("{%s}%s" % (ns, name))


def child_text(element, ns, name):
    c = child(element, ns, name)
    return None if c is None else (c.text or "")


class PipelineEndToEnd(BridgeTestCase):

    def start_bridge(self, consumers, wsdl_dir=WSDL_DIR, mappings_dir=MAPPINGS_DIR):
        rest_port = free_port()
        bridge = self.new_bridge(
            start=False, consumers=consumers, webhook={"bearer_token": TOKEN},
            server={"wsdl_dir": wsdl_dir},
            sections={"dfdg": {"base_url": f"http://127.0.0.1:{rest_port}",
                               "bearer_token": "sim-token", "backoff_initial_ms": 20},
                      "pipeline": {"workers": 2, "retry_initial_ms": 100,
                                   "poll_interval_ms": 20},
                      "mappings": {"dir": mappings_dir}})
        bridge.start()
        return bridge, rest_port

    def run_sim(self, bridge, rest_port, scenarios):
        summary = os.path.join(self.tmp, "summary.json")
        cmd = [bridge.binary, "sim", "--webhook", f"http://127.0.0.1:{bridge.webhook_port}",
               "--token", TOKEN, "--rest-port", str(rest_port), "--rest-token", "sim-token",
               "--retry-cap-ms", "50", "--summary-json", summary, "--serve", "--port-file",
               os.path.join(self.tmp, "sim.ports"), "--scenario", *scenarios]
        log = open(os.path.join(self.tmp, "sim.log"), "wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        self.addCleanup(lambda: (proc.poll() is None and proc.terminate(), proc.wait(10),
                                 log.close()))
        # --serve keeps the REST endpoint up after the pushes (the bridge may still GET).
        deadline = time.monotonic() + 120
        while not os.path.exists(summary):
            self.assertIsNone(proc.poll(), "sim exited early:\n" + self.sim_log())
            self.assertLess(time.monotonic(), deadline, "sim did not finish:\n" + self.sim_log())
            time.sleep(0.05)
        time.sleep(0.1)
        with open(summary, encoding="utf-8") as f:
            result = json.load(f)
        self.assertTrue(result["all_delivered"], self.sim_log())
        return result

    def sim_log(self):
        with open(os.path.join(self.tmp, "sim.log"), encoding="utf-8", errors="replace") as f:
            return f.read()[-6000:]

    def wait_for_pipeline(self, bridge, expected_messages):
        deadline = time.monotonic() + 60
        while True:
            db = sqlite3.connect(f"file:{bridge.db_path}?mode=ro", uri=True)
            try:
                rows = db.execute("SELECT besked_identifier, stage, last_error FROM "
                                  "inbox_message").fetchall()
            finally:
                db.close()
            pending = [r for r in rows if r[1] in ("received", "enriched")]
            if len(rows) >= expected_messages and not pending:
                return rows
            self.assertLess(time.monotonic(), deadline,
                            f"pipeline did not finish: {pending}\n{bridge.stderr_text()[-4000:]}")
            time.sleep(0.05)

    def poll(self, bridge, org):
        """Every item of the consumer, per operation, over one real sequence."""
        client = bridge.client()
        r = client.create_sequence(org)
        ok(r)
        ident = sequence_identifier(r)
        counts = {name: n for name, _, n in inventory(r)}
        got = {}
        for op in GET_OPERATIONS:
            resp = client.get_items(org, op, ident)
            ok(resp)
            got[op] = items(resp, op)
            self.assertEqual(len(got[op]), counts.get(op, 0), f"{op}: inventory vs items")
        ok(client.terminate_sequence(org, ident))
        return got

    # ------------------------------------------------------------------------------------

    def test_every_scenario_reaches_exactly_the_expected_consumers_with_the_source_values(self):
        scenarios = sorted(glob.glob(os.path.join(SCENARIO_DIR, "*.json")))
        self.assertGreaterEqual(len(scenarios), 13)
        steps = load_steps(scenarios)
        orgs = steps[0].organisations
        consumers = [
            {"id": "jc", "organisations": [{"type": orgs["jc"]["type"], "code": orgs["jc"]["code"]}],
             "message_types": [OP_INDKALDELSE, OP_HAENDELSE]},
            {"id": "ak", "organisations": [{"type": orgs["ak"]["type"], "code": orgs["ak"]["code"]}],
             "message_types": [OP_AKASSE]},
        ]
        bridge, rest_port = self.start_bridge(consumers)
        summary = self.run_sim(bridge, rest_port, scenarios)
        self.assertEqual(len(summary["steps"]), len(steps))
        for s, reported in zip(steps, summary["steps"]):
            self.assertEqual(reported["besked_identifier"], s.besked, s.name)
        pushes = sum(len(s.raw["recipients"]) for s in steps)
        rows = self.wait_for_pipeline(bridge, pushes)
        self.assertFalse([r for r in rows if r[1] == "parked"], "parked messages")

        # Expected: (consumer, operation) → MessageIdentifiers, from `expect` only.
        expected = {}
        by_id = {}
        for s in steps:
            for org_key, ops in s.raw["expect"].items():
                for op in ops:
                    mid = str(uuid.uuid5(MESSAGE_ID_NAMESPACE, f"{s.besked}/{op}/{org_key}"))
                    expected.setdefault((org_key, op), []).append(mid)
                    by_id[mid] = (s, op, org_key)
        self.assertGreater(len(by_id), 40)

        for org_key in ("jc", "ak"):
            org = (orgs[org_key]["type"], orgs[org_key]["code"])
            got = self.poll(bridge, org)
            for op in GET_OPERATIONS:
                elements = got[op]
                ids = [child_text(child(e, NS_V11, "WSRMMetadata"), NS_V11, "MessageIdentifier")
                       for e in elements]
                want = expected.get((org_key, op), [])
                self.assertEqual(sorted(ids), sorted(want),
                                 f"{org_key} {op}: missing {sorted(set(want) - set(ids))}, "
                                 f"extra {sorted(set(ids) - set(want))}")
                # One indkaldelse's items come in step order.
                order = [by_id[i][0] for i in ids]
                for ind in {s.raw["indkaldelse"] for s in order}:
                    seq = [steps.index(s) for s in order if s.raw["indkaldelse"] == ind]
                    self.assertEqual(seq, sorted(seq), f"{org_key} {op} {ind}: queue order")
                for e in elements:
                    mid = child_text(child(e, NS_V11, "WSRMMetadata"), NS_V11, "MessageIdentifier")
                    s, _, _ = by_id[mid]
                    with self.subTest(step=s.name, operation=op, consumer=org_key):
                        self.check_metadata(e, s)
                        if op == OP_HAENDELSE:
                            self.check_haendelse(e, s)
                        else:
                            self.check_indkaldelse(e, s)
            # Delivered means delivered: a second sequence is empty.
            again = self.poll(bridge, org)
            self.assertEqual(sum(len(v) for v in again.values()), 0)

    def check_metadata(self, item, s):
        meta = child(item, NS_V11, "WSRMMetadata")
        reg = s.raw["registrant"]
        org = s.organisations[reg["org"]]
        calling = s.organisations[reg.get("kaldende_org", reg["org"])]
        self.assertEqual(child_text(meta, NS_V11, "ClientSystemTypeIdentifier"),
                         str(reg.get("system_id", 1)))
        auth = child(meta, NS_V11, "RegisteringAuthority")
        self.assertEqual(child_text(auth, NS_AMS, "OrganisationTypeIdentifier"), str(org["type"]))
        self.assertEqual(child_text(auth, NS_AMS, "OrganisationCode"), org["code"])
        user = child(meta, NS_V11, "RegisteringUser")
        rus = child(user, NS_RUS, "RequestUserStructure")
        self.assertEqual(child_text(rus, NS_RUS, "UserFullName"), reg["brugernavn"])
        self.assertEqual(child_text(child(rus, NS_RUT, "RequestUserTypeIdentifier"), NS_CLB,
                                    "CodeListItemIdentifier"), str(reg["brugertype"]))
        self.assertEqual(child_text(rus, NS_RUS, "UserIdentifier"), reg["brugeridentifikation"])
        self.assertEqual(child_text(rus, NS_RUS, "UserEmail"), text_of(reg.get("brugeremail")))
        ros = child(user, NS_ROS, "RequestOrganisationStructure")
        self.assertEqual(child_text(child(ros, NS_ROS, "OrganisationTypeIdentifier"), NS_CLB,
                                    "CodeListItemIdentifier"), str(calling["type"]))
        self.assertEqual(child_text(ros, NS_ROS, "OrganisationCode"), calling["code"])
        self.assertEqual(child_text(user, NS_RUM, "RegistrationDateTime"), s.raw["haendelsestid"])
        self.assertIsNotNone(child_text(meta, NS_V11, "MessageQueuedDateTime"))

    def check_indkaldelse(self, item, s):
        src = s.source()
        self.assertIsNotNone(src, "an item needs a resource")
        self.assertEqual(child_text(item, NS_V11, "PersonCivilRegistrationIdentifier"), s.raw["cpr"])
        self.assertEqual(child_text(item, NS_V11, "IndkaldelseIdentifier"), s.raw["indkaldelse"])
        for element, member in FIELDS:
            self.assertEqual(child_text(item, NS_V11, element), text_of(src.get(member)), element)
        address = child(item, NS_V11, "Address")
        if src.get("adresse"):
            self.assertIsNotNone(address)
            for element, member in ADDRESS:
                self.assertEqual(child_text(address, NS_V11, element),
                                 text_of(src["adresse"].get(member)), "Address/" + element)
        else:
            self.assertIsNone(address)
        participants = src.get("myndighedsdeltagere") or []
        collection = child(item, NS_V11, "AuthorityParticipantCollection")
        found = [] if collection is None else collection.findall("{%s}AuthorityParticipant" % NS_V11)
        self.assertEqual(len(found), len(participants))
        for got, want in zip(found, participants):
            for element, member in PARTICIPANT:
                self.assertEqual(child_text(got, NS_V11, element), text_of(want.get(member)),
                                 "AuthorityParticipant/" + element)

    def check_haendelse(self, item, s):
        self.assertEqual(child_text(item, NS_V11, "PersonCivilRegistrationIdentifier"), s.raw["cpr"])
        self.assertEqual(child_text(item, NS_V11, "IndkaldelseIdentifier"), s.raw["indkaldelse"])
        self.assertEqual(child_text(item, NS_V11, "IndkaldelseshaendelseTypeIdentifier"),
                         str(s.haendelsestype()))
        self.assertEqual(child_text(item, NS_V11, "EventDateTime"), s.raw["haendelsestid"])
        src = s.source() or {}
        self.assertEqual(child_text(item, NS_V11, "InterviewTypeIdentifier"),
                         text_of(src.get("samtaleType")))

    # ------------------------------------------------------------------------------------

    def test_renamed_item_elements_serve_from_data_only(self):
        # A copy of the contract with item elements renamed, and the rows edited to match: the
        # same binary serves it (no C++ knows these names).
        renames = {"Title": "Overskrift", "StartDateTime": "Starttidspunkt",
                   "CaseworkerName": "Sagsbehandler"}
        wsdl = os.path.join(self.tmp, "wsdl")
        shutil.copytree(WSDL_DIR, wsdl)
        maps = os.path.join(self.tmp, "mappings")
        shutil.copytree(MAPPINGS_DIR, maps)
        xsd_path = os.path.join(wsdl, "xsd", "WsrmMessageService-v11.xsd")
        with open(xsd_path, encoding="utf-8") as f:
            xsd = f.read()
        for old, new in renames.items():
            xsd, n = re.subn(f'<xsd:element name="{old}"', f'<xsd:element name="{new}"', xsd)
            self.assertEqual(n, 1, old)
        with open(xsd_path, "w", encoding="utf-8") as f:
            f.write(xsd)
        for path in glob.glob(os.path.join(maps, "*.toml")):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for old, new in renames.items():
                text = text.replace(f'path = "{old}"', f'path = "{new}"')
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        # The unedited tables do not fit the renamed contract: serve would refuse them.
        check = subprocess.run([self.bridge_binary(), "mappings", "check", "--mappings",
                                MAPPINGS_DIR, "--wsdl", wsdl], capture_output=True, text=True)
        self.assertEqual(check.returncode, 1, check.stdout + check.stderr)
        self.assertIn("unknown element path", check.stderr)

        steps = load_steps([os.path.join(SCENARIO_DIR, "create.json")])
        orgs = steps[0].organisations
        consumers = [{"id": "jc", "organisations": [{"type": orgs["jc"]["type"],
                                                      "code": orgs["jc"]["code"]}],
                      "message_types": [OP_INDKALDELSE, OP_HAENDELSE]}, AKASSE]
        bridge, rest_port = self.start_bridge(consumers, wsdl_dir=wsdl, mappings_dir=maps)
        self.run_sim(bridge, rest_port, [os.path.join(SCENARIO_DIR, "create.json")])
        self.wait_for_pipeline(bridge, 1)
        client = bridge.client(validate=False)  # the served contract is the renamed copy
        org = (orgs["jc"]["type"], orgs["jc"]["code"])
        r = client.create_sequence(org)
        ok(r)
        resp = client.get_items(org, OP_INDKALDELSE, sequence_identifier(r))
        ok(resp)
        found = items(resp, OP_INDKALDELSE)
        self.assertEqual(len(found), 1)
        item = found[0]
        src = steps[0].source()
        for old, new in renames.items():
            self.assertIsNone(child(item, NS_V11, old), old)
        self.assertEqual(child_text(item, NS_V11, "Overskrift"), src["titel"])
        self.assertEqual(child_text(item, NS_V11, "Starttidspunkt"), src["starttidspunkt"])
        # Valid against the renamed copy, invalid against the original contract.
        response = ET.Element("{%s}%sResponse" % (NS_V11, OP_INDKALDELSE))
        response.append(item)
        data = ET.tostring(response, encoding="utf-8")
        validate_bytes(data, "WsrmMessageService-v11.xsd", "renamed item",
                       xsd_dir=os.path.join(wsdl, "xsd"))
        with self.assertRaises(AssertionError):
            validate_bytes(data, "WsrmMessageService-v11.xsd", "renamed item vs original")

    def bridge_binary(self):
        from bridge_harness import bridge_binary
        return bridge_binary()


if __name__ == "__main__":
    unittest.main()
