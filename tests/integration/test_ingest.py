"""`wsrm-bridge ingest`: WSB documents from an NDJSON file or a directory of .json files go
through the webhook's parsing, classification and dedupe (docs/ingestion.md, "Operator
commands").

The real binary writes into a temporary SQLite file, read back read-only with sqlite3. Checked:
the exit code (1 when a document was malformed, else 0), the summary counts (accepted,
duplicate, conflict, quarantined by reason, malformed with file:line), the stored bytes, that a
second run only finds duplicates, and that the webhook sees ingested messages as duplicates."""

import json
import os
import re
import shutil
import unittest

from bridge_harness import (SEED_BESKED_ID, WSB_FIXTURES, WSB_TOKEN, BridgeTestCase, wsb_fixture,
                            wsb_id)

FLAT = "seed_flat_with_body.json"


def one_line(data):
    """A document as one NDJSON line (compact JSON)."""
    return json.dumps(json.loads(data.decode("utf-8")), ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def two_texts_on_one_line(besked_id):
    """The seed as the specification page prints it (header, then body), on one line."""
    texts = [t for t in wsb_fixture("seed_header_and_body.json", besked_id).split(b"\n")
             if t.strip()]
    assert len(texts) == 2, texts
    return texts[0] + b" " + texts[1]


class IngestTests(BridgeTestCase):

    def setUp(self):
        super().setUp()
        # Not started: ingest works on the SQLite file directly. Two consumers, so ingest needs
        # --recipient.
        self.bridge = self.new_bridge(start=False,
                                      webhook={"bearer_token": WSB_TOKEN, "miljoe_allowed": ["T3"]})

    def ingest(self, path, expect_rc, recipient="8/44000"):
        p = self.bridge.ingest(path, recipient)
        self.assertEqual(p.returncode, expect_rc, f"exit code of ingest {path}:\n{p.stdout}"
                                                  f"{p.stderr}")
        return p.stdout

    def summary(self, out):
        """{label: count} from the summary lines "  <label>   <n>"."""
        counts = {}
        for line in out.splitlines():
            m = re.match(r"^\s*(accepted|duplicate|conflict|quarantined \(([a-z_]+)\)|malformed)"
                         r"(?=\s).*?\s(\d+)\s*$", line)
            if m:
                label = m.group(1) if not m.group(1).startswith("malformed") else "malformed"
                self.assertNotIn(label, counts, f"{label} twice in the summary:\n{out}")
                counts[label] = int(m.group(3))
        return {k: v for k, v in counts.items() if v != 0}

    def write(self, name, lines):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(b"\n".join(lines) + b"\n")
        return path

    # --- NDJSON -------------------------------------------------------------------------------

    def test_ndjson_with_duplicate_conflict_quarantined_and_garbage(self):
        b = self.bridge
        seed = wsb_fixture(FLAT).strip()  # the seed (flat, with Body) is one line already
        conflict = seed.replace(b'"Indkaldelsehaendelsestype":3', b'"Indkaldelsehaendelsestype":5')
        self.assertNotEqual(conflict, seed)
        frist_id, pair_id = wsb_id("ingest", "frist"), wsb_id("ingest", "pair")
        frist = one_line(wsb_fixture("entity_90001_frist.json", frist_id))
        pair = two_texts_on_one_line(pair_id)
        path = self.write("messages.ndjson", [
            seed,                      # 1 accepted
            seed,                      # 2 duplicate
            conflict,                  # 3 conflict
            frist,                     # 4 quarantined (other_entity)
            b"",                       # 5 blank: not a document
            b"this is {not json",      # 6 malformed
            pair,                      # 7 accepted (two JSON texts on one line)
        ])
        out = self.ingest(path, 1)
        self.assertEqual(self.summary(out), {"accepted": 2, "duplicate": 1, "conflict": 1,
                                             "quarantined (other_entity)": 1, "malformed": 1},
                         out)
        self.assertIn(f"{path}:6", out, "the malformed line is named file:line")
        for n in (1, 2, 3, 4, 5, 7):
            self.assertNotIn(f"{path}:{n}:", out)

        rows = b.inbox_messages()
        self.assertEqual(set(rows), {SEED_BESKED_ID, frist_id, pair_id})
        self.assertEqual(rows[SEED_BESKED_ID]["raw"], seed)
        self.assertEqual(rows[SEED_BESKED_ID]["duplicates"], 1)
        self.assertEqual((rows[SEED_BESKED_ID]["status"], rows[SEED_BESKED_ID]["reason"]),
                         ("accepted", ""))
        self.assertEqual((rows[frist_id]["status"], rows[frist_id]["reason"]),
                         ("quarantined", "other_entity"))
        self.assertEqual(rows[frist_id]["raw"], frist)
        self.assertEqual(rows[pair_id]["raw"], pair)
        self.assertEqual(rows[pair_id]["status"], "accepted")
        for row in rows.values():
            self.assertEqual((row["recipient_type"], row["recipient_code"]), (8, "44000"))
        conflicts = b.inbox_conflicts()
        self.assertEqual([(c["besked_identifier"], c["raw"]) for c in conflicts],
                         [(SEED_BESKED_ID, conflict)])

        # The same file again: nothing new; the conflict line is a conflict again, the garbage
        # line still malformed (exit 1).
        out = self.ingest(path, 1)
        self.assertEqual(self.summary(out), {"duplicate": 4, "conflict": 1, "malformed": 1}, out)
        self.assertEqual(set(b.inbox_messages()), set(rows))

    def test_rerun_of_a_clean_file_gives_only_duplicates_and_webhook_agrees(self):
        b = self.bridge
        seed = wsb_fixture(FLAT).strip()
        schema_id, pair_id = wsb_id("rerun", "schema"), wsb_id("rerun", "pair")
        schema = one_line(wsb_fixture("missing_ekstern_identifier.json", schema_id))
        pair = two_texts_on_one_line(pair_id)
        path = self.write("clean.ndjson", [seed, schema, pair])
        out = self.ingest(path, 0)
        self.assertEqual(self.summary(out), {"accepted": 2, "quarantined (schema)": 1}, out)
        out = self.ingest(path, 0)
        self.assertEqual(self.summary(out), {"duplicate": 3}, out)
        rows = b.inbox_messages()
        self.assertEqual(set(rows), {SEED_BESKED_ID, schema_id, pair_id})
        self.assertTrue(all(r["duplicates"] == 1 for r in rows.values()), rows)
        self.assertEqual(b.inbox_conflicts(), [])

        # The webhook shares the inbox and its dedupe: the same bytes are a duplicate there,
        # other bytes under an ingested BeskedIdentifier a conflict.
        b.start()
        a = b.wsb_post(seed + b"\r\n", token=WSB_TOKEN)
        self.assertEqual((a.status, a.json.get("outcome")), (200, "duplicate"), a)
        a = b.wsb_post(schema, token=WSB_TOKEN)
        self.assertEqual((a.status, a.json.get("outcome"), a.json.get("reason")),
                         (200, "duplicate", "schema"), a)
        a = b.wsb_post(seed.replace(b'"SystemId":1', b'"SystemId":2'), token=WSB_TOKEN)
        self.assertEqual((a.status, a.json.get("outcome")), (200, "conflict"), a)
        b.stop()
        rows = b.inbox_messages()
        self.assertEqual(rows[SEED_BESKED_ID]["duplicates"], 2)
        self.assertEqual(len(b.inbox_conflicts()), 1)

    # --- a directory of .json files -------------------------------------------------------------

    def test_directory_of_json_files(self):
        b = self.bridge
        d = os.path.join(self.tmp, "drop")
        os.mkdir(d)
        files = {  # file name -> (fixture, BeskedIdentifier, status, reason)
            "a_seed_header_and_body.json": ("seed_header_and_body.json", None, "accepted", ""),
            "b_header_body_object.json": ("seed_header_body_object.json", wsb_id("dir", 1),
                                          "accepted", ""),
            "c_pair_array.json": ("seed_pair_array.json", wsb_id("dir", 2), "accepted", ""),
            "d_no_ekstern.json": ("missing_ekstern_identifier.json", wsb_id("dir", 3),
                                  "quarantined", "schema"),
            "e_miljoe_p.json": ("miljoe_p.json", wsb_id("dir", 4), "quarantined",
                                "miljoe_mismatch"),
        }
        posted = {}
        for name, (fixture, besked_id, status, reason) in files.items():
            data = wsb_fixture(fixture, besked_id)  # multi-line documents: one per file
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            posted[besked_id or SEED_BESKED_ID] = (data, status, reason)
        # Not .json: ignored.
        shutil.copy(os.path.join(WSB_FIXTURES, "not_json.txt"), os.path.join(d, "notes.txt"))
        out = self.ingest(d, 0)
        self.assertEqual(self.summary(out), {"accepted": 3, "quarantined (schema)": 1,
                                             "quarantined (miljoe_mismatch)": 1}, out)
        rows = b.inbox_messages()
        self.assertEqual(set(rows), set(posted))
        for besked_id, (data, status, reason) in posted.items():
            self.assertEqual(rows[besked_id]["raw"], data, besked_id)
            self.assertEqual((rows[besked_id]["status"], rows[besked_id]["reason"]),
                             (status, reason), besked_id)

        # A broken .json file: named in the summary, exit 1; the others are duplicates now.
        broken = os.path.join(d, "f_truncated.json")
        shutil.copy(os.path.join(WSB_FIXTURES, "truncated_header.json"), broken)
        out = self.ingest(d, 1)
        self.assertEqual(self.summary(out), {"duplicate": 5, "malformed": 1}, out)
        self.assertIn("f_truncated.json", out)
        self.assertEqual(set(b.inbox_messages()), set(posted))


if __name__ == "__main__":
    unittest.main()
