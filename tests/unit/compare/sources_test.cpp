// Tests bridge/compare/sources.cpp, output.cpp and the store's compare tables: recordings read by
// the recording rules of docs/shadow.md (only terminated sequences count, the last Get… wins,
// torn last lines, SHA-256 checks), the bridge's store as a side, and the JSON / JUnit outputs.
#include "bridge/compare/sources.h"

#include "bridge/compare/output.h"
#include "bridge/core/hash.h"
#include "bridge/store/sqlite/sqlite_compare.h"
#include "bridge/store/sqlite/sqlite_store.h"
#include "tests/unit/mapping/fixtures.h"

#include <boost/test/unit_test.hpp>
#include <pugixml.hpp>

#include <filesystem>

namespace {

using namespace bridge::compare;
using bridge::mapping::test::load_real;
using bridge::mapping::test::read_file;
using bridge::mapping::test::seed_inputs;
using bridge::mapping::test::source_path;
using bridge::mapping::test::write_file;
using bridge::test::TempDir;

const std::string kOp = "GetIndkaldelseVersion1";
const std::string kNs = "http://service.bm.dk/pjaktass/wsrm/11/";

std::string seed_item() {
  auto set = load_real();
  auto in = seed_inputs();
  return set->forward(kOp, in.sources()).value().item_xml;
}

std::string response(int items) {
  std::string body;
  for (int i = 0; i < items; ++i) {
    body += "<IndkaldelseRegistration>" + seed_item() + "</IndkaldelseRegistration>";
  }
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><" + kOp +
         "Response xmlns=\"" + kNs + "\">" + body + "</" + kOp + "Response></s:Body></s:Envelope>";
}

// A recording directory written by hand, line by line.
class Recording {
 public:
  explicit Recording(const TempDir& dir) : root_(dir.file("rec")) {
    std::filesystem::create_directories(root_ + "/responses");
    write_file(
        root_ + "/recording.json",
        R"({"format": "wsrm-recording/1", "url": "http://x", "organisation": {"type": 8, "code": "44000"}, "sub_queue": "shadow", "created_at": "2026-11-28T04:00:00.000Z", "tool": "test"})");
  }
  void call(const std::string& call, const std::string& sequence, const std::string& body,
            int status = 200, bool write_body = true) {
    ++n_;
    char name[64];
    std::snprintf(name, sizeof name, "responses/%06d-%s.xml", n_, call.c_str());
    if (write_body) write_file(root_ + "/" + name, body);
    nlohmann::json line = {{"n", n_},
                           {"at", "2026-11-28T04:00:0" + std::to_string(n_ % 10) + ".000Z"},
                           {"call", call},
                           {"sequence", sequence},
                           {"http_status", status},
                           {"file", name},
                           {"bytes", body.size()},
                           {"sha256", bridge::sha256_hex(body)},
                           {"fault", nullptr}};
    log_ += line.dump() + "\n";
    write_file(root_ + "/log.jsonl", log_);
  }
  void append_raw(const std::string& text) {
    log_ += text;
    write_file(root_ + "/log.jsonl", log_);
  }
  const std::string& dir() const { return root_; }

 private:
  std::string root_;
  std::string log_;
  int n_ = 0;
};

const std::string kTerminated =
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>";

}  // namespace

BOOST_AUTO_TEST_SUITE(recordings)

BOOST_AUTO_TEST_CASE(only_terminated_sequences_count_and_the_last_get_of_each_wins) {
  TempDir tmp;
  Recording rec(tmp);
  rec.call("CreateSequence", "s1", kTerminated);
  rec.call(kOp, "s1", response(1));
  rec.call(kOp, "s1", response(2));  // called again: the same sequence's items, the last counts
  rec.call("TerminateSequence", "s1", kTerminated);
  rec.call("CreateSequence", "s2", kTerminated);
  rec.call(kOp, "s2", response(3));  // never terminated: comes again later
  auto side = read_recording(rec.dir());
  BOOST_REQUIRE_MESSAGE(side, (side ? "" : side.error().message));
  BOOST_TEST(side.value().items.size() == 2u);
  BOOST_TEST(side.value().organisation == "8/44000");
  BOOST_TEST(side.value().items[0].origin.find("000003-GetIndkaldelseVersion1.xml item 1") !=
                 std::string::npos,
             side.value().items[0].origin);
  BOOST_REQUIRE_EQUAL(side.value().notes.size(), 1u);
  BOOST_TEST(side.value().notes[0].find("s2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failed_terminate_does_not_acknowledge) {
  TempDir tmp;
  Recording rec(tmp);
  rec.call("CreateSequence", "s1", kTerminated);
  rec.call(kOp, "s1", response(1));
  rec.call("TerminateSequence", "s1", kTerminated, 500);
  auto side = read_recording(rec.dir());
  BOOST_REQUIRE(side);
  BOOST_TEST(side.value().items.empty());
}

BOOST_AUTO_TEST_CASE(a_torn_last_line_is_skipped_with_a_note_but_a_torn_middle_line_is_an_error) {
  TempDir tmp;
  Recording rec(tmp);
  rec.call("CreateSequence", "s1", kTerminated);
  rec.call(kOp, "s1", response(1));
  rec.call("TerminateSequence", "s1", kTerminated);
  rec.append_raw("{\"n\": 4, \"call\": \"CreateSeq");
  auto side = read_recording(rec.dir());
  BOOST_REQUIRE_MESSAGE(side, (side ? "" : side.error().message));
  BOOST_TEST(side.value().items.size() == 1u);
  BOOST_REQUIRE(!side.value().notes.empty());
  BOOST_TEST(side.value().notes[0].find("log.jsonl:4") != std::string::npos, side.value().notes[0]);

  rec.append_raw("\n");
  rec.call("CreateSequence", "s2", kTerminated);
  auto broken = read_recording(rec.dir());
  BOOST_REQUIRE(!broken);
  BOOST_TEST(broken.error().message.find("log.jsonl:4") != std::string::npos,
             broken.error().message);
}

BOOST_AUTO_TEST_CASE(a_response_file_changed_after_recording_is_refused) {
  TempDir tmp;
  Recording rec(tmp);
  rec.call("CreateSequence", "s1", kTerminated);
  rec.call(kOp, "s1", response(1));
  rec.call("TerminateSequence", "s1", kTerminated);
  const std::string file = rec.dir() + "/responses/000002-GetIndkaldelseVersion1.xml";
  write_file(file, read_file(file) + " ");
  auto side = read_recording(rec.dir());
  BOOST_REQUIRE(!side);
  BOOST_TEST(side.error().message.find("SHA-256") != std::string::npos, side.error().message);
  BOOST_TEST(side.error().message.find("000002-GetIndkaldelseVersion1.xml") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_directory_that_is_no_recording_is_refused_by_name) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.file("empty"));
  auto side = read_recording(tmp.file("empty"));
  BOOST_REQUIRE(!side);
  BOOST_TEST(side.error().message.find("recording.json") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(store_side)

BOOST_AUTO_TEST_CASE(queued_items_are_read_per_consumer_and_runs_are_stored) {
  TempDir tmp;
  const std::string db = tmp.file("bridge.db");
  {
    auto store = bridge::store::sqlite::SqliteStore::open({db, 1, 5000});
    BOOST_REQUIRE(store);
    std::vector<bridge::store::NewMessage> msgs(2);
    msgs[0].queue = {"jc", ""};
    msgs[0].operation = kOp;
    msgs[0].message_identifier = "m1";
    msgs[0].idempotency_key = "k1";
    msgs[0].item_xml = seed_item();
    msgs[1] = msgs[0];
    msgs[1].queue = {"ak", ""};
    msgs[1].message_identifier = "m2";
    BOOST_REQUIRE(store.value()->enqueue_batch(msgs));
  }
  auto side = read_store(db, "jc", "");
  BOOST_REQUIRE_MESSAGE(side, (side ? "" : side.error().message));
  BOOST_REQUIRE_EQUAL(side.value().items.size(), 1u);
  BOOST_TEST(side.value().items[0].operation == kOp);
  BOOST_TEST(std::string(side.value().items[0].node.first_child().name()) == "WSRMMetadata");

  bridge::store::sqlite::CompareRunRow run;
  run.label = "week 48";
  run.passed = true;
  run.pairs = 1;
  run.result_json = "{}";
  auto id = bridge::store::sqlite::save_compare_run(db, run, {{kOp, "Title", "r#t", 1, 1}});
  BOOST_REQUIRE(id);
  BOOST_TEST(id.value() == 1);

  auto missing = read_store(tmp.file("nope.db"), "jc", "");
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().message.find("nope.db") != std::string::npos);
  BOOST_TEST(!std::filesystem::exists(tmp.file("nope.db")));  // never created by reading
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(outputs)

BOOST_AUTO_TEST_CASE(json_and_junit_carry_the_verdict_the_row_and_a_masked_example) {
  auto mappings = load_real();
  auto schema = bridge::mapping::Schema::load_directory(source_path("wsdl/xsd")).value();
  auto rules = Rules::load(source_path("mappings/compare/rules.toml")).value();
  auto comparer = Comparer::create(mappings, schema, rules).value();
  const std::string bridge_xml = seed_item();
  // The CPR of the seed is 10 digits; the legacy copy has another one.
  const auto cpr_at = bridge_xml.find("PersonCivilRegistrationIdentifier");
  BOOST_REQUIRE(cpr_at != std::string::npos);
  const auto value_at = bridge_xml.find('>', cpr_at) + 1;
  std::string legacy_xml = bridge_xml;
  legacy_xml.replace(value_at, 10, "0101011234");
  const RunResult r = comparer.run({parse_item(kOp, legacy_xml, "l").value()},
                                   {parse_item(kOp, bridge_xml, "b").value()}, nullptr);
  BOOST_REQUIRE(!r.passed);
  RunInfo info;
  info.legacy_source = "recording L";
  info.bridge_source = "recording B";
  const auto j = to_json(r, info);
  BOOST_TEST(j["format"] == "wsrm-compare-result/1");
  BOOST_TEST(j["verdict"] == "fail");
  bool found = false;
  for (const auto& d : j["differences"]) {
    if (d["field"] == "PersonCivilRegistrationIdentifier") {
      found = true;
      BOOST_TEST(d["legacy"] == "**********");
      BOOST_TEST(d["row"] == "_indkaldelse_fields.toml#cpr");
      BOOST_TEST(d["standing"] == "counted");
    }
  }
  BOOST_TEST(found);
  BOOST_TEST(j.dump().find("0101011234") == std::string::npos);

  const std::string junit = to_junit(r, info);
  pugi::xml_document doc;
  BOOST_REQUIRE(doc.load_string(junit.c_str()));
  const auto failure =
      doc.select_node("//testcase[@name='PersonCivilRegistrationIdentifier']/failure");
  BOOST_REQUIRE(failure);
  BOOST_TEST(std::string(failure.node().attribute("message").value())
                 .find("_indkaldelse_fields.toml#cpr") != std::string::npos);
  BOOST_TEST(doc.select_node("/testsuites").node().attribute("failures").as_int() >= 1);

  const std::string summary = terminal_summary(r, info);
  BOOST_TEST(summary.find("Verdict: FAIL") != std::string::npos);
  BOOST_TEST(summary.find("0101011234") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(periods)

BOOST_AUTO_TEST_CASE(only_messages_handed_out_in_the_period_are_kept_and_the_rest_is_noted) {
  Side side;
  for (const char* at : {"2026-11-22T23:59:59.999Z", "2026-11-23T01:00:00+01:00",
                         "2026-11-25T10:00:00Z", "2026-11-30T00:00:00Z"}) {
    side.items.push_back(parse_item(kOp, "<Title>x</Title>", at, at).value());
  }
  BOOST_REQUIRE(keep_period(side, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"));
  BOOST_REQUIRE_EQUAL(side.items.size(), 2u);
  BOOST_TEST(side.items[0].origin == "2026-11-23T01:00:00+01:00");  // the same instant: kept
  BOOST_TEST(side.items[1].origin == "2026-11-25T10:00:00Z");
  BOOST_REQUIRE_EQUAL(side.notes.size(), 1u);
  BOOST_TEST(side.notes[0].find("2 message(s)") != std::string::npos);

  auto bad = keep_period(side, "last monday", "");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().message.find("'last monday'") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
