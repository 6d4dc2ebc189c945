"""Shared helpers for the wsrm-bridge integration, interop and TLS tests.

Everything here drives the real `wsrm-bridge` binary over real sockets on loopback:

* `Bridge` writes a configuration into a temporary directory, queues items with
  `wsrm-bridge queue add`, starts `wsrm-bridge serve` on port 0, waits for the port file, and
  stops it with SIGTERM (asserting exit code 0). Its stderr goes to a file that
  `BridgeTestCase` prints when a test fails.
* With `webhook={…}` the instance also serves the WSB webhook (`[webhook]`, port 0 too);
  `wsb_post()` posts one JSON document on a fresh connection, `Bridge.inbox_messages()` /
  `inbox_conflicts()` read the inbox tables read-only with sqlite3, and `Bridge.ingest()` /
  `inbox_cli()` run the operator commands. `wsb_fixture()` loads tests/fixtures/wsb with a
  fresh BeskedIdentifier.
* `SoapClient` is a small SOAP 1.1 client over http.client (keep-alive). It builds envelopes,
  parses responses and faults, and validates every response Body child (and every
  SequenceResponse header) against the served contract in wsdl/xsd with xmllint.

Environment (set by tests/integration/CMakeLists.txt):
  WSRM_BRIDGE      path of the wsrm-bridge binary (required)
  WSRM_SOURCE_DIR  the source tree (wsdl/, docs/examples/items/); default: two levels up
  WSRM_XMLLINT     xmllint (default: xmllint on PATH)
  WSRM_OPENSSL     openssl CLI (default: openssl on PATH)
Only the Python standard library is used here (zeep is used by tests/interop only).
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

# ----------------------------------------------------------------------------- paths

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.environ.get("WSRM_SOURCE_DIR", os.path.join(HERE, "..", "..")))
WSDL_DIR = os.path.join(SOURCE_DIR, "wsdl")
XSD_DIR = os.path.join(WSDL_DIR, "xsd")
ITEMS_DIR = os.path.join(SOURCE_DIR, "docs", "examples", "items")
INDKALDELSE_ITEM = os.path.join(ITEMS_DIR, "indkaldelse_registration.xml")
HAENDELSE_ITEM = os.path.join(ITEMS_DIR, "indkaldelseshaendelse_registration.xml")
XMLLINT = os.environ.get("WSRM_XMLLINT") or shutil.which("xmllint") or "xmllint"
OPENSSL = os.environ.get("WSRM_OPENSSL") or shutil.which("openssl") or "openssl"


def bridge_binary():
    path = os.environ.get("WSRM_BRIDGE")
    if not path:
        raise RuntimeError("WSRM_BRIDGE is not set: run these tests through ctest, or set it to "
                           "the wsrm-bridge binary")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"WSRM_BRIDGE={path} is not an executable")
    return path


# ----------------------------------------------------------------------------- contract constants

NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_AMS = "http://rep.oio.dk/ams.dk/xml/schemas/2005/09/01/"
NS_WSRM = "http://docs.oasis-open.org/ws-rx/wsrm/200602"
NS_V3 = "http://service.bm.dk/pjaktass/wsrm/3/"
NS_V11 = "http://service.bm.dk/pjaktass/wsrm/11/"
NS_FAULT = "http://service.bm.dk/pjaktass/wsrm/fault/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"

OP_INDKALDELSE = "GetIndkaldelseVersion1"
OP_HAENDELSE = "GetIndkaldelseshaendelseVersion1"
OP_AKASSE = "GetAkasseIndkaldelseVersion1"
GET_OPERATIONS = (OP_INDKALDELSE, OP_HAENDELSE, OP_AKASSE)
# The item element each Get… answers with (contract.md section 3).
ITEM_ELEMENT = {
    OP_INDKALDELSE: "IndkaldelseRegistration",
    OP_HAENDELSE: "IndkaldelseshaendelseRegistration",
    OP_AKASSE: "AkasseIndkaldelseRegistration",
}


def soap_action(operation):
    """The soapAction the WSDL binding declares for an operation."""
    if operation in ("CreateSequence", "CloseSequence", "TerminateSequence"):
        return NS_V3 + "IWsrmService/" + operation
    return NS_V11 + "IWsrmMessageService/" + operation


WSRM_SERVICE_PATH = "/WsrmService.svc"
MESSAGE_SERVICE_PATH = "/11/WsrmMessageService.svc"

# Fault codes (contract.md section 5).
FAULT_INSUFFICIENT_PERMISSIONS = 1013
FAULT_VALIDATION = 1014
FAULT_NOT_AUTHORIZED = 4575
FAULT_UNKNOWN_SEQUENCE = 2001

# The schema that validates a response element, by the element's namespace.
SCHEMA_BY_NAMESPACE = {
    NS_V3: "WsrmService.xsd",
    NS_V11: "WsrmMessageService-v11.xsd",
    NS_FAULT: "WsrmFault.xsd",
    NS_WSRM: "WsrmOasis.xsd",
}

GUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# `wsrm-bridge queue add` gives each message the name-based (version 5) GUID of
# "<key>/<operation>/<consumer>" in this name space (bridge/app/queue_cli.cpp, domain.md Q4).
# The tests compute the expected MessageIdentifiers independently with Python's uuid5.
MESSAGE_ID_NAMESPACE = uuid.UUID("3a0d9a57-4ad8-4c8f-9b0e-2f9c1d6a7e10")


def expected_message_ids(key, operation, consumer, count):
    """MessageIdentifiers of `queue add --key key --count count`, in queue order."""
    keys = [key] if count == 1 else [f"{key}-{i}" for i in range(1, count + 1)]
    return [str(uuid.uuid5(MESSAGE_ID_NAMESPACE, f"{k}/{operation}/{consumer}")) for k in keys]


def q(ns, local):
    return "{%s}%s" % (ns, local)


# ----------------------------------------------------------------------------- xmllint

class SchemaError(AssertionError):
    pass


def validate_element(element, schema=None, label="element"):
    """Validates one element (serialised on its own) against wsdl/xsd/<schema> with xmllint.

    The schema defaults to the one for the element's namespace. Raises SchemaError with
    xmllint's message and the XML when it does not validate."""
    ns = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
    if schema is None:
        schema = SCHEMA_BY_NAMESPACE.get(ns)
        if schema is None:
            raise SchemaError(f"{label}: no schema for namespace '{ns}' ({element.tag})")
    data = ET.tostring(element, encoding="utf-8")
    return validate_bytes(data, schema, label)


def validate_bytes(data, schema, label="document", xsd_dir=None):
    fd, path = tempfile.mkstemp(suffix=".xml", prefix="wsrm-validate-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        p = subprocess.run([XMLLINT, "--noout", "--nonet", "--schema",
                            os.path.join(xsd_dir or XSD_DIR, schema), path],
                           capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(path)
    if p.returncode != 0:
        text = data.decode("utf-8", "replace")
        if len(text) > 4000:
            text = text[:4000] + "…"
        raise SchemaError(f"{label} does not validate against {schema}:\n{p.stderr.strip()}\n"
                          f"--- XML ---\n{text}")


# ----------------------------------------------------------------------------- envelopes

def _esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def org_header(org):
    """ActiveOrganisationHeader for org = (type, code)."""
    t, code = org
    return (f'<ams:ActiveOrganisationHeader xmlns:ams="{NS_AMS}">'
            f"<ams:OrganisationTypeIdentifier>{_esc(t)}</ams:OrganisationTypeIdentifier>"
            f"<ams:OrganisationCode>{_esc(code)}</ams:OrganisationCode>"
            f"</ams:ActiveOrganisationHeader>")


def sequence_request_header(identifier):
    return (f'<wsrm:SequenceRequest xmlns:wsrm="{NS_WSRM}">'
            f"<wsrm:Identifier>{_esc(identifier)}</wsrm:Identifier></wsrm:SequenceRequest>")


def envelope(body, headers=()):
    head = "".join(headers)
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<s:Envelope xmlns:s="{NS_SOAP}"><s:Header>{head}</s:Header>'
            f"<s:Body>{body}</s:Body></s:Envelope>").encode("utf-8")


def create_sequence_body(sub_queue=None):
    if sub_queue is None:
        # As WCF clients send it: a nil SubQueueIdentifier means the main queue.
        return (f'<w:CreateSequence xmlns:w="{NS_V3}" xmlns:xsi="{NS_XSI}">'
                f'<w:SubQueueIdentifier xsi:nil="true"/></w:CreateSequence>')
    return (f'<w:CreateSequence xmlns:w="{NS_V3}"><w:SubQueueIdentifier>{_esc(sub_queue)}'
            f"</w:SubQueueIdentifier></w:CreateSequence>")


def identifier_body(operation, identifier):
    """CloseSequence / TerminateSequence body."""
    return (f'<w:{operation} xmlns:w="{NS_V3}" xmlns:wsrm="{NS_WSRM}">'
            f"<wsrm:Identifier>{_esc(identifier)}</wsrm:Identifier></w:{operation}>")


def get_body(operation):
    return f'<v:{operation}Request xmlns:v="{NS_V11}"/>'


# ----------------------------------------------------------------------------- responses

class SoapFault:
    def __init__(self, faultcode, faultstring, code, text, detail_element):
        self.faultcode = faultcode
        self.faultstring = faultstring
        self.code = code
        self.text = text
        self.detail_element = detail_element

    def __repr__(self):
        return f"SoapFault({self.faultcode}, {self.code}, {self.text!r})"


class SoapResponse:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.envelope = None
        self.header_children = []
        self.body_child = None
        self.fault = None

    def __repr__(self):
        return f"SoapResponse(status={self.status}, fault={self.fault}, raw={self.raw[:300]!r})"


def parse_soap_response(status, headers, raw):
    r = SoapResponse(status, headers, raw)
    try:
        env = ET.fromstring(raw)
    except ET.ParseError as e:
        raise AssertionError(f"HTTP {status}: the response is not XML ({e}): {raw[:1000]!r}")
    if env.tag != q(NS_SOAP, "Envelope"):
        raise AssertionError(f"HTTP {status}: the response is not a SOAP 1.1 Envelope: {raw[:1000]!r}")
    r.envelope = env
    header = env.find(q(NS_SOAP, "Header"))
    r.header_children = list(header) if header is not None else []
    body = env.find(q(NS_SOAP, "Body"))
    if body is None or len(body) != 1:
        raise AssertionError(f"HTTP {status}: the SOAP Body must have exactly one child: {raw[:1000]!r}")
    r.body_child = body[0]
    if r.body_child.tag == q(NS_SOAP, "Fault"):
        f = r.body_child
        detail = f.find("detail")
        wf = detail.find(q(NS_FAULT, "WsrmFault")) if detail is not None else None
        code = text = None
        if wf is not None:
            code_el = wf.find(q(NS_FAULT, "Code"))
            code = int(code_el.text) if code_el is not None and code_el.text else None
            text = wf.findtext(q(NS_FAULT, "Text"))
        r.fault = SoapFault(f.findtext("faultcode"), f.findtext("faultstring"), code, text, wf)
    return r


def validate_response(r):
    """Every Body child against its XSD; a fault's WsrmFault detail against WsrmFault.xsd; the
    SequenceResponse header against WsrmOasis.xsd. Checks the SOAP 1.1 fault shape too."""
    if r.fault is not None:
        f = r.fault
        if f.detail_element is None:
            raise SchemaError(f"fault without detail/WsrmFault: {r.raw[:2000]!r}")
        if f.faultcode is None or f.faultcode.split(":")[-1] not in ("Client", "Server"):
            raise SchemaError(f"faultcode must be soap:Client or soap:Server, got {f.faultcode!r}")
        if not f.faultstring:
            raise SchemaError("faultstring is empty")
        if r.status != 500:
            raise SchemaError(f"a SOAP 1.1 fault goes with HTTP 500, got {r.status}")
        validate_element(f.detail_element, "WsrmFault.xsd", "fault detail WsrmFault")
    else:
        validate_element(r.body_child, label=f"Body child {r.body_child.tag}")
    for h in r.header_children:
        if h.tag == q(NS_WSRM, "SequenceResponse"):
            validate_element(h, "WsrmOasis.xsd", "header SequenceResponse")


# ----------------------------------------------------------------------------- client

class SoapClient:
    """SOAP 1.1 over one keep-alive HTTP(S) connection (http.client reconnects by itself when
    the server closes the connection, e.g. after a fault)."""

    def __init__(self, port, host="127.0.0.1", ssl_context=None, timeout=30, validate=True):
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.timeout = timeout
        self.validate = validate
        self.responses = []  # every response, for later inspection
        self.conn = None

    def _connection(self):
        if self.conn is None:
            if self.ssl_context is not None:
                self.conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                        context=self.ssl_context)
            else:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def post_raw(self, path, data, headers):
        """POST bytes; returns (status, headers dict with lower-case names, body bytes).

        Like any keep-alive client, it retries once on a fresh connection when a reused
        connection turns out to have been closed by the server while idle (no response)."""
        reused = self.conn is not None and self.conn.sock is not None
        conn = self._connection()
        try:
            conn.request("POST", path, body=data, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            return self.post_raw(path, data, headers)
        except Exception:
            self.close()
            raise
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        if resp.will_close:
            self.close()
        return resp.status, hdrs, body

    def get(self, path):
        conn = self._connection()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
        except Exception:
            self.close()
            raise
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        if resp.will_close:
            self.close()
        return resp.status, hdrs, body

    def call(self, action, body, headers=(), path=None, validate=None):
        """Sends one envelope with SOAPAction `action` (quoted, as WCF does)."""
        if path is None:
            path = WSRM_SERVICE_PATH if action.startswith(NS_V3) else MESSAGE_SERVICE_PATH
        http_headers = {"Content-Type": "text/xml; charset=utf-8"}
        if action is not None:
            http_headers["SOAPAction"] = f'"{action}"'
        status, hdrs, raw = self.post_raw(path, envelope(body, headers), http_headers)
        if not hdrs.get("content-type", "").startswith("text/xml"):
            raise AssertionError(f"HTTP {status}: a SOAP 1.1 response is text/xml, got "
                                 f"Content-Type {hdrs.get('content-type')!r}: {raw[:500]!r}")
        r = parse_soap_response(status, hdrs, raw)
        self.responses.append(r)
        if self.validate if validate is None else validate:
            validate_response(r)
        return r

    # --- the six operations -------------------------------------------------------------

    def create_sequence(self, org, sub_queue=None):
        return self.call(soap_action("CreateSequence"), create_sequence_body(sub_queue),
                         [org_header(org)] if org else [])

    def close_sequence(self, org, identifier):
        return self.call(soap_action("CloseSequence"), identifier_body("CloseSequence", identifier),
                         [org_header(org)])

    def terminate_sequence(self, org, identifier):
        return self.call(soap_action("TerminateSequence"),
                         identifier_body("TerminateSequence", identifier), [org_header(org)])

    def get_items(self, org, operation, identifier):
        headers = [org_header(org)]
        if identifier is not None:
            headers.append(sequence_request_header(identifier))
        return self.call(soap_action(operation), get_body(operation), headers)


# --- reading responses ----------------------------------------------------------------------

def ok(r):
    """Asserts a non-fault HTTP 200 response and returns it."""
    if r.fault is not None or r.status != 200:
        raise AssertionError(f"expected a successful response, got HTTP {r.status} {r.fault}: "
                             f"{r.raw[:2000]!r}")
    return r


def expect_fault(r, code):
    if r.fault is None:
        raise AssertionError(f"expected fault {code}, got HTTP {r.status}: {r.raw[:2000]!r}")
    if r.fault.code != code:
        raise AssertionError(f"expected fault {code}, got {r.fault}")
    return r.fault


def sequence_identifier(r):
    """Identifier of a Create/Close/TerminateSequenceResponse."""
    ok(r)
    ident = r.body_child.findtext(q(NS_WSRM, "Identifier"))
    if ident is None or not GUID_RE.match(ident):
        raise AssertionError(f"no GUID Identifier in {r.raw[:2000]!r}")
    return ident


def inventory(r):
    """CreateSequenceResponse's ServiceItems as a list of (ServiceName, ServiceEndpoint,
    MessageCount)."""
    ok(r)
    if r.body_child.tag != q(NS_V3, "CreateSequenceResponse"):
        raise AssertionError(f"not a CreateSequenceResponse: {r.body_child.tag}")
    coll = r.body_child.find(q(NS_WSRM, "ServiceInventoryCollection"))
    if coll is None:
        raise AssertionError("CreateSequenceResponse without ServiceInventoryCollection")
    out = []
    for item in coll.findall(q(NS_WSRM, "ServiceItem")):
        out.append((item.findtext(q(NS_WSRM, "ServiceName")),
                    item.findtext(q(NS_WSRM, "ServiceEndpoint")),
                    int(item.findtext(q(NS_WSRM, "MessageCount")))))
    return out


def items(r, operation):
    """The item elements of a Get… response (checks the response element and item names)."""
    ok(r)
    if r.body_child.tag != q(NS_V11, operation + "Response"):
        raise AssertionError(f"expected {operation}Response, got {r.body_child.tag}")
    children = list(r.body_child)
    for c in children:
        if c.tag != q(NS_V11, ITEM_ELEMENT[operation]):
            raise AssertionError(f"unexpected child {c.tag} in {operation}Response")
    return children


def message_ids(item_elements):
    return [e.findtext(f"{{{NS_V11}}}WSRMMetadata/{{{NS_V11}}}MessageIdentifier")
            for e in item_elements]


def sequence_response_identifier(r):
    for h in r.header_children:
        if h.tag == q(NS_WSRM, "SequenceResponse"):
            return h.findtext(q(NS_WSRM, "Identifier"))
    return None


# ----------------------------------------------------------------------------- the server

def toml_str(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    return toml_str(v)


# Two consumers most tests use: a jobcenter and an a-kasse.
JOBCENTER = {"id": "jobcenter-kerteminde", "organisations": [{"type": 8, "code": "44000"}],
             "message_types": [OP_INDKALDELSE, OP_HAENDELSE]}
AKASSE = {"id": "akasse-demo", "organisations": [{"type": 9, "code": "1234"}],
          "message_types": [OP_AKASSE]}
JOBCENTER_ORG = (8, "44000")
AKASSE_ORG = (9, "1234")


class Bridge:
    """One wsrm-bridge instance with its own temporary directory, configuration and SQLite file."""

    def __init__(self, workdir, consumers=(JOBCENTER, AKASSE), server=None, queue=None, tls=None,
                 admin=True, log_level="info", name="bridge", webhook=None, webhook_tls=None,
                 sections=None):
        self.workdir = workdir
        self.name = name
        self.binary = bridge_binary()
        self.consumers = list(consumers)
        self.config_path = os.path.join(workdir, f"{name}.toml")
        self.port_file = os.path.join(workdir, f"{name}.ports")
        self.stderr_path = os.path.join(workdir, f"{name}.stderr")
        self.db_path = os.path.join(workdir, f"{name}.db")
        self.server_options = {"host": "127.0.0.1", "port": 0, "workers": 2,
                               "service_endpoint": "http://127.0.0.1:8080/11/WsrmMessageService.svc",
                               "wsdl_dir": WSDL_DIR}
        self.server_options.update(server or {})
        self.queue_options = {"max_messages_per_sequence": 500, "create_policy": "reuse"}
        self.queue_options.update(queue or {})
        self.tls = tls
        self.admin = admin
        self.log_level = log_level
        self.proc = None
        self.soap_port = None
        self.admin_port = None
        # The WSB webhook: None keeps it off; a dict (possibly empty) enables it on port 0 with
        # these [webhook] keys on top; webhook_tls is its [webhook.tls] table.
        self.webhook = None if webhook is None else dict(webhook)
        self.webhook_tls = webhook_tls
        self.webhook_port = None
        # Further top-level tables, e.g. {"dfdg": {...}, "pipeline": {...}, "mappings": {...}}.
        self.sections = dict(sections or {})
        self.logs = []  # stderr of every run of this instance, kept after the temp dir is gone
        self.clients = []
        self._stderr_file = None
        self.write_config()

    # --- configuration ----------------------------------------------------------------

    def write_config(self):
        lines = ["[server]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in self.server_options.items()]
        if self.tls:
            lines.append("[server.tls]")
            lines += [f"{k} = {toml_value(v)}" for k, v in self.tls.items()]
        lines += ["[admin]", f"enabled = {toml_value(bool(self.admin))}", 'host = "127.0.0.1"',
                  "port = 0"]
        lines += ["[store]", f"sqlite_path = {toml_str(self.db_path)}"]
        lines += ["[queue]"] + [f"{k} = {toml_value(v)}" for k, v in self.queue_options.items()]
        lines += ["[log]", 'format = "text"', f"level = {toml_str(self.log_level)}"]
        if self.webhook is not None:
            options = {"enabled": True, "host": "127.0.0.1", "port": 0}
            options.update(self.webhook)
            lines.append("[webhook]")
            lines += [f"{k} = {toml_value(v)}" for k, v in options.items()]
            if self.webhook_tls:
                lines.append("[webhook.tls]")
                lines += [f"{k} = {toml_value(v)}" for k, v in self.webhook_tls.items()]
        for name, table in self.sections.items():
            lines.append(f"[{name}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
        for c in self.consumers:
            lines.append("[[consumer]]")
            lines += [f"{k} = {toml_value(v)}" for k, v in c.items()]
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    # --- the queue CLI ----------------------------------------------------------------

    def queue_add(self, consumer, operation, item=INDKALDELSE_ITEM, count=1, key="k"):
        """Queues `count` items; returns their expected MessageIdentifiers in queue order."""
        cmd = [self.binary, "queue", "add", "-c", self.config_path, "--consumer", consumer,
               "--operation", operation, "--item", item, "--key", key]
        if count != 1:
            cmd += ["--count", str(count)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"queue add failed ({p.returncode}): {p.stdout}{p.stderr}")
        return expected_message_ids(key, operation, consumer, count)

    def queue_stats(self):
        p = subprocess.run([self.binary, "queue", "stats", "-c", self.config_path],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"queue stats failed ({p.returncode}): {p.stdout}{p.stderr}")
        return p.stdout

    # --- the inbox (WSB) ------------------------------------------------------------------

    def run_cli(self, *args, timeout=60):
        """`wsrm-bridge <args…>`, e.g. run_cli("inbox", "-c", b.config_path, "list"); returns
        the CompletedProcess (text)."""
        return subprocess.run([self.binary] + list(args), capture_output=True, text=True,
                              timeout=timeout)

    def inbox_cli(self, *args):
        """`wsrm-bridge inbox -c CONFIG <args…>`; asserts exit code 0 and returns stdout."""
        p = self.run_cli("inbox", "-c", self.config_path, *args)
        if p.returncode != 0:
            raise AssertionError(f"wsrm-bridge inbox {' '.join(args)} failed ({p.returncode}):\n"
                                 f"{p.stdout}{p.stderr}")
        return p.stdout

    def ingest(self, path, recipient=None):
        """`wsrm-bridge ingest -c CONFIG [--recipient R] PATH`; returns the CompletedProcess."""
        cmd = ["ingest", "-c", self.config_path]
        if recipient is not None:
            cmd += ["--recipient", recipient]
        return self.run_cli(*cmd, path)

    def _inbox_db(self):
        """A read-only connection to the SQLite file (the server may be running)."""
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    def inbox_messages(self):
        """{BeskedIdentifier: dict of the inbox_message row}; `raw` as bytes."""
        db = self._inbox_db()
        try:
            rows = db.execute("SELECT id, besked_identifier, source, recipient_type, "
                              "recipient_code, layout, CAST(raw AS BLOB) AS raw, sha256, status, "
                              "reason, detail, miljoe, duplicates FROM inbox_message "
                              "ORDER BY id").fetchall()
        finally:
            db.close()
        out = {}
        for r in rows:
            d = dict(r)
            d["raw"] = bytes(d["raw"])
            if d["besked_identifier"] in out:
                raise AssertionError(f"BeskedIdentifier {d['besked_identifier']} is stored twice")
            out[d["besked_identifier"]] = d
        return out

    def inbox_count(self):
        db = self._inbox_db()
        try:
            return db.execute("SELECT COUNT(*) FROM inbox_message").fetchone()[0]
        finally:
            db.close()

    def inbox_conflicts(self):
        """[dict of each inbox_conflict row] in id order; `raw` as bytes."""
        db = self._inbox_db()
        try:
            rows = db.execute("SELECT id, besked_identifier, source, CAST(raw AS BLOB) AS raw, "
                              "sha256 FROM inbox_conflict ORDER BY id").fetchall()
        finally:
            db.close()
        return [dict(r, raw=bytes(r["raw"])) for r in rows]

    def wsb_post(self, body, path="/wsb/8/44000", token=None, content_type="application/json",
                 **kw):
        """POST one WSB document to this instance's webhook (see wsb_post())."""
        return wsb_post(self.webhook_port, body, path=path, token=token,
                        content_type=content_type, **kw)

    # --- process ----------------------------------------------------------------------

    def start(self, timeout=15):
        assert self.proc is None, "already running"
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self._stderr_file = open(self.stderr_path, "ab")
        self._stderr_file.write(f"===== {self.name}: start {time.strftime('%H:%M:%S')} =====\n"
                                .encode())
        self._stderr_file.flush()
        self.proc = subprocess.Popen([self.binary, "serve", "-c", self.config_path, "--port-file",
                                      self.port_file], stdin=subprocess.DEVNULL,
                                     stdout=self._stderr_file, stderr=self._stderr_file)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.port_file):
                ports = {}
                with open(self.port_file, encoding="utf-8") as f:
                    for line in f:
                        if "=" in line:
                            k, v = line.strip().split("=", 1)
                            ports[k] = int(v)
                self.soap_port = ports["soap"]
                self.admin_port = ports.get("admin")
                self.webhook_port = ports.get("webhook") or None
                if self.webhook is not None and not self.webhook_port:
                    raise AssertionError(f"[webhook] is enabled but {self.port_file} has no "
                                         f"webhook port: {ports}")
                return self
            if self.proc.poll() is not None:
                self._collect()
                raise AssertionError(f"wsrm-bridge serve exited with {self.proc.returncode} "
                                     f"before listening:\n{self.stderr_text()}")
            time.sleep(0.02)
        self.kill()
        raise AssertionError(f"wsrm-bridge serve did not write {self.port_file} within {timeout} s")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, wait, and assert a clean exit (0)."""
        if self.proc is None:
            return 0
        self.close_clients()
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self._collect()
            raise AssertionError(f"wsrm-bridge did not exit within {timeout} s of SIGTERM")
        self._collect()
        if rc != 0:
            raise AssertionError(f"wsrm-bridge exited with {rc} after SIGTERM (expected 0)")
        return rc

    def kill(self):
        """kill -9: no drain, no clean-up."""
        if self.proc is None:
            return
        self.close_clients()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._collect()

    def _collect(self):
        self.proc = None
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None
        self.logs = [self.stderr_text()]

    def stderr_text(self):
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return "".join(self.logs)

    # --- clients ----------------------------------------------------------------------

    def client(self, **kw):
        """A SoapClient for this instance's SOAP port; closed when the instance stops (an idle
        keep-alive connection would otherwise hold up the drain for up to recv_timeout_s)."""
        c = SoapClient(self.soap_port, **kw)
        self.clients.append(c)
        return c

    def close_clients(self):
        for c in self.clients:
            c.close()
        self.clients = []

    def admin_get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def metrics(self):
        status, _, body = self.admin_get("/metrics")
        if status != 200:
            raise AssertionError(f"/metrics answered {status}")
        return parse_prometheus(body.decode("utf-8"))


# ----------------------------------------------------------------------------- Prometheus

_SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    """{(name, frozenset(labels.items())): value} of a Prometheus text exposition."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE_RE.match(line)
        if not m:
            raise AssertionError(f"not a Prometheus sample line: {line!r}")
        labels = dict(_LABEL_RE.findall(m.group(3) or ""))
        samples[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
    return samples


def metric(samples, name, **labels):
    """The value of the one sample of `name` whose labels include `labels` (None when absent)."""
    found = [v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls)]
    if len(found) > 1:
        raise AssertionError(f"{name}{labels} matches {len(found)} samples")
    return found[0] if found else None


# ----------------------------------------------------------------------------- test base

class BridgeTestCase(unittest.TestCase):
    """Gives each test a temporary directory and stops every Bridge it started (SIGTERM, exit 0)
    when the test ends. When a test fails, the stderr of its servers is printed."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix=f"wsrm-it-{self._testMethodName[:40]}-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.bridges = []

    def new_bridge(self, start=True, **kw):
        kw.setdefault("name", f"bridge{len(self.bridges) + 1}")
        b = Bridge(self.tmp, **kw)
        self.bridges.append(b)
        # Registered after rmtree, so it runs before it (cleanups run last-in first-out).
        self.addCleanup(self._stop_bridge, b)
        if start:
            b.start()
        return b

    def _stop_bridge(self, b):
        if b.proc is not None:
            b.stop()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            for b in getattr(self, "bridges", []):
                text = "".join(b.logs) or b.stderr_text()
                sys.stderr.write(f"\n----- stderr of {b.name} ({self.id()}) -----\n{text}"
                                 f"----- end of {b.name} -----\n")
            sys.stderr.flush()
        return out


# ----------------------------------------------------------------------------- raw sockets

def raw_connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return s


def read_until_closed(sock, limit_s):
    """Reads until the peer closes the connection or limit_s passes. Returns (data, closed,
    seconds)."""
    start = time.monotonic()
    data = b""
    sock.settimeout(0.2)
    while time.monotonic() - start < limit_s:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return data, True, time.monotonic() - start
        if not chunk:
            return data, True, time.monotonic() - start
        data += chunk
    return data, False, time.monotonic() - start


def http_post_bytes(action, body, path=WSRM_SERVICE_PATH, port=0, extra_headers=""):
    """A complete raw HTTP/1.1 POST request (for tests that send it in pieces)."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"{action}\"\r\n"
            f"Content-Length: {len(body)}\r\n{extra_headers}\r\n").encode("ascii")
    return head, body


def raw_exchange(port, data, limit_s):
    """Sends data on a new connection and reads one HTTP response (or until the server closes
    or limit_s passes). Returns (status, headers, body, seconds); status is None when no
    complete response arrived. A send that fails because the server closed early is tolerated."""
    sock = raw_connect(port)
    start = time.monotonic()
    try:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        got = b""
        sock.settimeout(0.1)
        while time.monotonic() - start < limit_s:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                break
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got:
                status, headers, body = parse_raw_http_response(got)
                n = int(headers.get("content-length", "-1"))
                if n >= 0 and len(body) >= n:
                    return status, headers, body, time.monotonic() - start
        if b"\r\n\r\n" in got and "content-length" not in parse_raw_http_response(got)[1]:
            status, headers, body = parse_raw_http_response(got)
            return status, headers, body, time.monotonic() - start
        return None, {}, got, time.monotonic() - start
    finally:
        sock.close()


def parse_raw_http_response(data):
    """(status, headers, body) of one raw HTTP/1.1 response held entirely in data."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = body[:int(headers["content-length"])]
    return status, headers, body


# ----------------------------------------------------------------------------- TLS material

def run_openssl(args, cwd):
    p = subprocess.run([OPENSSL] + args, cwd=cwd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {p.stderr}")
    return p.stdout


class Pki:
    """A throw-away PKI made with the openssl CLI: a CA, a server certificate for 127.0.0.1 and
    client certificates, plus a second (rogue) CA. EC P-256 keys keep it fast."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def _key(self, name):
        run_openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                     "-out", self.path(name + ".key")], self.dir)

    def make_ca(self, name, cn):
        self._key(name)
        run_openssl(["req", "-x509", "-new", "-key", self.path(name + ".key"), "-sha256",
                     "-days", "2", "-subj", f"/CN={cn}", "-out", self.path(name + ".crt"),
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"], self.dir)
        return self.path(name + ".crt")

    def make_cert(self, name, subject, ca, server=False):
        self._key(name)
        run_openssl(["req", "-new", "-key", self.path(name + ".key"), "-subj", subject,
                     "-out", self.path(name + ".csr")], self.dir)
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n")
            f.write("keyUsage=critical,digitalSignature,keyEncipherment\n")
            if server:
                f.write("extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
            else:
                f.write("extendedKeyUsage=clientAuth\n")
        run_openssl(["x509", "-req", "-in", self.path(name + ".csr"), "-CA", self.path(ca + ".crt"),
                     "-CAkey", self.path(ca + ".key"), "-CAcreateserial", "-sha256", "-days", "2",
                     "-extfile", ext, "-out", self.path(name + ".crt")], self.dir)
        return self.path(name + ".crt")

    def fingerprint(self, name):
        """SHA-256 fingerprint of <name>.crt as lower-case hex without colons."""
        out = run_openssl(["x509", "-in", self.path(name + ".crt"), "-noout", "-fingerprint",
                           "-sha256"], self.dir)
        return out.strip().split("=", 1)[1].replace(":", "").lower()

    def client_context(self, client=None, ca="ca", max_tls12=False):
        ctx = ssl.create_default_context(cafile=self.path(ca + ".crt"))
        ctx.check_hostname = True
        if client:
            ctx.load_cert_chain(self.path(client + ".crt"), self.path(client + ".key"))
        if max_tls12:
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        return ctx


def load_json(data):
    return json.loads(data.decode("utf-8"))


# ----------------------------------------------------------------------------- WSB webhook

WSB_FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures", "wsb")
# Every fixture in tests/fixtures/wsb carries the seed's BeskedIdentifier (domain.md 3.4).
SEED_BESKED_ID = "xxxxxxxx-b4a7-44c7-9a30-8e89f52e575d"
WSB_TOKEN = "it-token-7f3a9c"


def wsb_fixture(name, besked_id=None):
    """The bytes of tests/fixtures/wsb/<name>, with the seed's BeskedIdentifier replaced by
    `besked_id` when given (so that one test can post many distinct messages)."""
    with open(os.path.join(WSB_FIXTURES, name), "rb") as f:
        data = f.read()
    if besked_id is not None:
        old = SEED_BESKED_ID.encode("ascii")
        if data.count(old) != 1:
            raise AssertionError(f"{name}: expected the seed BeskedIdentifier exactly once")
        data = data.replace(old, besked_id.encode("ascii"))
    return data


def wsb_id(prefix, n):
    """A GUID-shaped, recognisable BeskedIdentifier."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"wsrm-it/{prefix}/{n}"))


class WsbAnswer:
    """One webhook answer: status, headers (lower-case names), body bytes and its JSON (None
    when the body is not JSON)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            self.json = None

    def __repr__(self):
        return f"WsbAnswer({self.status}, {self.body[:400]!r})"


def wsb_post(port, body, path="/wsb/8/44000", token=None, content_type="application/json",
             method="POST", headers=None, ssl_context=None, timeout=30):
    """One request on a fresh connection (as DFDG would send it): returns a WsbAnswer.
    `token` None sends no Authorization header; content_type None sends no Content-Type."""
    h = {}
    if content_type is not None:
        h["Content-Type"] = content_type
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    h.update(headers or {})
    if ssl_context is not None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=ssl_context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        return WsbAnswer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def wsb_received(samples):
    """{(outcome, reason): value} of the non-zero wsrm_bridge_wsb_received_total samples."""
    out = {}
    for (name, labels), v in samples.items():
        if name == "wsrm_bridge_wsb_received_total" and v != 0:
            d = dict(labels)
            out[(d.get("outcome"), d.get("reason", ""))] = v
    return out
