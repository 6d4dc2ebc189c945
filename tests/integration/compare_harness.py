"""Helpers of the comparison-run acceptance test (test_compare_e2e.py): the simulator in legacy
mode, `wsrm-bridge shadow` recordings (read, validated, edited) and `wsrm-bridge compare` runs,
all on the real binary over loopback.

The mapping row of an element is read here from docs/mapping-tables.md (the Element and Row
columns), independently of the comparison engine's own attribution.
"""

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from bridge_harness import (Bridge, ITEM_ELEMENT, NS_SOAP, NS_V11, SOURCE_DIR, bridge_binary,
                            validate_element)

SCENARIO_DIR = os.path.join(SOURCE_DIR, "tests", "fixtures", "scenarios")
MAPPINGS_DIR = os.path.join(SOURCE_DIR, "mappings")
WSDL_DIR = os.path.join(SOURCE_DIR, "wsdl")
RULES = os.path.join(MAPPINGS_DIR, "compare", "rules.toml")
MAPPING_TABLES_DOC = os.path.join(SOURCE_DIR, "docs", "mapping-tables.md")
SEQUENCE_CALLS = ("CreateSequence", "TerminateSequence", "CloseSequence")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_bridge_for_sim(work, organisations, token):
    """A real bridge for comparison runs: one consumer per organisation ({"8/44000": (id,
    [operations])}), each with the `shadow` sub-queue; the webhook takes `token`; [dfdg] points
    at a simulator's REST port, which is returned with the started bridge (the caller starts
    the simulator there and stops the bridge)."""
    rest_port, soap_port = free_port(), free_port()
    consumers = [{"id": consumer, "organisations": [{"type": int(org.split("/")[0]),
                                                     "code": org.split("/")[1]}],
                  "message_types": operations, "sub_queues": ["shadow"]}
                 for org, (consumer, operations) in organisations.items()]
    bridge = Bridge(
        work, consumers=consumers, webhook={"bearer_token": token},
        server={"port": soap_port,
                "service_endpoint": f"http://127.0.0.1:{soap_port}/11/WsrmMessageService.svc"},
        sections={"dfdg": {"base_url": f"http://127.0.0.1:{rest_port}",
                           "bearer_token": "sim-token", "backoff_initial_ms": 20},
                  "pipeline": {"workers": 2, "retry_initial_ms": 100, "poll_interval_ms": 20},
                  "mappings": {"dir": MAPPINGS_DIR}})
    bridge.start()
    if bridge.soap_port != soap_port:
        bridge.stop()
        raise AssertionError(f"the bridge listens on {bridge.soap_port}, not {soap_port}")
    return bridge, rest_port


def scenario(name):
    return os.path.join(SCENARIO_DIR, name)


def local(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def find_local(element, path):
    """The first element at `path` ("A/B/C", local names) below `element`, or None."""
    node = element
    for step in path.split("/"):
        node = next((c for c in node if local(c.tag) == step), None)
        if node is None:
            return None
    return node


def leaves(element, prefix=""):
    """[(path of local names, text)] of every leaf below `element`, in document order."""
    out = []
    for c in element:
        path = f"{prefix}/{local(c.tag)}" if prefix else local(c.tag)
        if len(c) == 0:
            out.append((path, c.text or ""))
        else:
            out.extend(leaves(c, path))
    return out


# ----------------------------------------------------------------------------- the simulator

class Sim:
    """One `wsrm-bridge sim --legacy-port 0 --serve` process (with or without --webhook); waits
    for its summary JSON (written once every step is played)."""

    def __init__(self, workdir, name, args, timeout=120):
        self.name = name
        self.port_file = os.path.join(workdir, f"{name}.ports")
        self.summary_path = os.path.join(workdir, f"{name}.summary.json")
        self.log_path = os.path.join(workdir, f"{name}.log")
        cmd = [bridge_binary(), "sim", "--legacy-port", "0", "--port-file", self.port_file,
               "--summary-json", self.summary_path, "--serve", *args]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not os.path.exists(self.summary_path):
                if self.proc.poll() is not None:
                    raise AssertionError(f"sim {name} exited with {self.proc.returncode}:\n"
                                         f"{self.text()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"sim {name} did not finish:\n{self.text()}")
                time.sleep(0.05)
            while True:  # the file may exist before its last byte is written
                try:
                    with open(self.summary_path, encoding="utf-8") as f:
                        self.summary = json.load(f)
                    break
                except ValueError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            with open(self.port_file, encoding="utf-8") as f:
                ports = dict(line.strip().split("=", 1) for line in f if "=" in line)
            self.legacy_port = int(ports["legacy"])
            self.legacy_url = f"http://127.0.0.1:{self.legacy_port}"
        except BaseException:
            self.stop()
            raise

    def text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-8000:]

    def injection(self):
        """The one injection of this run, as the summary reports it."""
        injections = self.summary["injections"]
        if len(injections) != 1:
            raise AssertionError(f"sim {self.name}: expected one injection, got {injections}")
        return injections[0]

    def message_identifier(self, inj):
        """The legacy MessageIdentifier of the message an injection hit (from the summary's
        legacy.messages)."""
        found = [m["message_identifier"] for m in self.summary["legacy"]["messages"]
                 if (m["scenario"], m["step"], m["organisation"], m["operation"])
                 == (inj["scenario"], inj["step"], inj["organisation"], inj["operation"])
                 and not m["extra"]]
        if len(found) != 1:
            raise AssertionError(f"sim {self.name}: {len(found)} legacy messages for {inj}")
        return found[0]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()


# ----------------------------------------------------------------------------- shadow

def shadow(url, org, sub_queue, out, timeout=60):
    """Records `org` ("8/44000") of the WsrmService at `url` into `out`; asserts exit 0."""
    p = subprocess.run([bridge_binary(), "shadow", "--url", url, "--org", org, "--sub-queue",
                        sub_queue, "--out", out, "--timeout-s", "20"],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError(f"shadow {url} {org} {sub_queue} exited with {p.returncode}:\n"
                             f"{p.stdout}{p.stderr}")
    return p


def read_log(directory):
    with open(os.path.join(directory, "log.jsonl"), "rb") as f:
        return [json.loads(line) for line in f.read().split(b"\n") if line.strip()]


def successful(line):
    return line["http_status"] == 200 and line["fault"] is None


def get_lines(directory):
    """The successful Get… lines of a recording."""
    return [l for l in read_log(directory)
            if l["call"] not in SEQUENCE_CALLS and successful(l)]


def response_element(directory, line):
    with open(os.path.join(directory, line["file"]), "rb") as f:
        env = ET.fromstring(f.read())
    body = env.find(f"{{{NS_SOAP}}}Body")
    return body.find(f"{{{NS_V11}}}{line['call']}Response")


def recorded_items(directory):
    """{operation: [item elements]} of every successful Get… of a recording (the test's
    recordings are single-run, every non-empty sequence terminated)."""
    out = {}
    for line in get_lines(directory):
        out.setdefault(line["call"], []).extend(list(response_element(directory, line)))
    return out


def validate_recording(directory):
    """Every successful Get… response of a recording against the XSD (xmllint); returns how many
    responses were validated."""
    n = 0
    for line in get_lines(directory):
        response = response_element(directory, line)
        if response is None:
            raise AssertionError(f"{directory}/{line['file']}: no {line['call']}Response")
        validate_element(response, label=f"{directory}/{line['file']}")
        n += 1
    return n


def set_element_text(directory, operation, message_identifier, path, old, new):
    """Edits one leaf of one recorded item byte-wise: in the Get… response of `operation` that
    holds the item with `message_identifier`, the element at `path` (local names below the item)
    goes from `old` to `new`. The log line's bytes and sha256 are updated, so the recording stays
    valid. Returns the recorded file's name."""
    leaf = path.split("/")[-1]
    item_name = ITEM_ELEMENT[operation]
    log_path = os.path.join(directory, "log.jsonl")
    lines = read_log(directory)
    for line in lines:
        if line["call"] != operation or not successful(line):
            continue
        file_path = os.path.join(directory, line["file"])
        with open(file_path, "rb") as f:
            raw = f.read()
        at = raw.find(f">{message_identifier}<".encode())
        if at < 0:
            continue
        start = max(m.start() for m in re.finditer(rb"<(?:\w+:)?" + item_name.encode() + rb"[\s>]",
                                                   raw[:at]))
        end = re.compile(rb"</(?:\w+:)?" + item_name.encode() + rb">").search(raw, at).end()
        item = raw[start:end]
        pattern = re.compile(rb"(<(?:\w+:)?" + leaf.encode() + rb"(?:\s[^>]*)?>)([^<]*)"
                             rb"(</(?:\w+:)?" + leaf.encode() + rb">)")
        # Element text as written (entities and character references resolved).
        text = lambda raw_text: ET.fromstring(b"<x>" + raw_text + b"</x>").text or ""
        found = [m for m in pattern.finditer(item) if text(m.group(2)) == old]
        if len(found) != 1:
            raise AssertionError(f"{file_path}: {len(found)} <{leaf}>{old}</{leaf}> in the item "
                                 f"{message_identifier}; cannot edit it unambiguously")
        m = found[0]
        edited = item[:m.start(2)] + escape(new).encode() + item[m.end(2):]
        data = raw[:start] + edited + raw[end:]
        # The edit changed exactly that leaf of that item, nothing else.
        before = {find_local(i, "WSRMMetadata/MessageIdentifier").text: leaves(i)
                  for i in ET.fromstring(raw).iter(f"{{{NS_V11}}}{item_name}")}
        after = {find_local(i, "WSRMMetadata/MessageIdentifier").text: leaves(i)
                 for i in ET.fromstring(data).iter(f"{{{NS_V11}}}{item_name}")}
        changed = [(k, p) for k in before for (p, a), (_, b) in zip(before[k], after[k]) if a != b]
        if changed != [(message_identifier, path)]:
            raise AssertionError(f"{file_path}: the edit changed {changed}")
        with open(file_path, "wb") as f:
            f.write(data)
        line["bytes"] = len(data)
        line["sha256"] = hashlib.sha256(data).hexdigest()
        with open(log_path, "w", encoding="utf-8") as f:
            for l in lines:
                f.write(json.dumps(l, separators=(",", ":")) + "\n")
        return line["file"]
    raise AssertionError(f"{directory}: no {operation} response holds {message_identifier}")


# ----------------------------------------------------------------------------- compare

class CompareRun:
    def __init__(self, proc, result, junit_path):
        self.proc = proc
        self.returncode = proc.returncode
        self.result = result  # the JSON result, or None
        self.junit_path = junit_path

    @property
    def output(self):
        return (f"exit {self.proc.returncode}\n--- stdout\n{self.proc.stdout}--- stderr\n"
                f"{self.proc.stderr}")

    def operation(self, name):
        found = [o for o in self.result["operations"] if o["operation"] == name]
        if len(found) != 1:
            raise AssertionError(f"operation {name}: {len(found)} in the result\n{self.output}")
        return found[0]

    def differences(self, **match):
        return [d for d in self.result["differences"]
                if all(d.get(k) == v for k, v in match.items())]

    def counted(self):
        """Differences that count against the verdict."""
        return [d for d in self.result["differences"]
                if d["outcome"] != "equivalent" and d["standing"] == "counted"]

    def field(self, operation, field):
        found = [f for f in self.result["fields"]
                 if f["operation"] == operation and f["field"] == field]
        if len(found) != 1:
            raise AssertionError(f"field {operation} {field}: {len(found)} in the result")
        return found[0]


def compare(workdir, name, legacy, bridge=None, store=None, consumer=None, noise=None,
            rules=RULES, extra=(), junit=True, save=False, progress="never", timeout=60):
    """`wsrm-bridge compare` with the source tree's mappings and contract; writes the JSON (and
    JUnit) result into workdir/<name>.json (.xml). `save=False` adds --no-save."""
    json_path = os.path.join(workdir, f"{name}.json")
    junit_path = os.path.join(workdir, f"{name}.xml") if junit else None
    for p in (json_path, junit_path):
        if p and os.path.exists(p):
            os.unlink(p)
    cmd = [bridge_binary(), "compare", "--legacy", legacy, "--rules", rules, "--mappings",
           MAPPINGS_DIR, "--wsdl", WSDL_DIR, "--json", json_path, "--progress", progress,
           "--label", name]
    if bridge is not None:
        cmd += ["--bridge", bridge]
    if store is not None:
        cmd += ["--bridge-store", store, "--consumer", consumer]
    if noise is not None:
        cmd += ["--noise", noise]
    if junit_path:
        cmd += ["--junit", junit_path]
    if not save:
        cmd.append("--no-save")
    cmd += list(extra)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    result = None
    if os.path.exists(json_path):
        with open(json_path, encoding="utf-8") as f:
            result = json.load(f)
    return CompareRun(p, result, junit_path)


# ----------------------------------------------------------------------------- mapping rows

def mapping_rows(doc=MAPPING_TABLES_DOC):
    """{operation: {element path: "file#id"}} from the tables of docs/mapping-tables.md."""
    out = {}
    operation = None
    columns = None
    with open(doc, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = re.match(r"^## (?:<a id=\"[^\"]*\"></a>)?(Get\w+)\s*$", line)
            if m:
                operation, columns = m.group(1), None
                out[operation] = {}
                continue
            if line.startswith("## "):
                operation, columns = None, None
                continue
            if operation is None or not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if columns is None:
                columns = cells
                continue
            if set(line) <= set("|-: "):
                continue
            row = dict(zip(columns, cells))
            element = re.search(r"`([^`]+)`", row["Element"]).group(1)
            ref = re.search(r"`([^`]+)`", row["Row"])
            out[operation][element] = ref.group(1) if ref else ""
    return out
