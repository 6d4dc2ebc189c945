// Tests bridge/report/readiness.cpp: the readiness rules of docs/report.md, on a store built by
// hand with the real schema.
#define BOOST_TEST_MODULE unit_report
#include "bridge/report/report.h"
#include "tests/unit/report/store_fixture.h"
#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>

namespace {

using namespace bridge::report;
using namespace bridge::report::test;

const std::string kA = "GetIndkaldelseVersion1";
const std::string kB = "GetIndkaldelseshaendelseVersion1";
const std::string kC = "GetAkasseIndkaldelseVersion1";

std::vector<bridge::queue::Consumer> consumers() {
  return {{"jobcenter", {{8, "44000"}}, {kA, kB}, {"shadow"}, {}, {}},
          {"akasse", {{9, "5105"}}, {kC}, {}, {}, {}}};
}

std::vector<std::string> codes(const std::vector<Reason>& reasons) {
  std::vector<std::string> out;
  for (const auto& r : reasons) out.push_back(r.code);
  std::sort(out.begin(), out.end());
  return out;
}

const ConsumerReadiness& consumer(const ReportData& d, const std::string& id) {
  for (const auto& r : d.readiness) {
    if (r.consumer == id) return r;
  }
  BOOST_FAIL("no readiness for " + id);
  throw 0;
}

const OperationReadiness& operation(const ConsumerReadiness& c, const std::string& op) {
  for (const auto& o : c.operations) {
    if (o.operation == op) return o;
  }
  BOOST_FAIL("no readiness for " + op);
  throw 0;
}

// The jobcenter: compared yesterday (operation A failed on Title, B passed), polls the bridge.
// The a-kasse: compared 10 days ago, a quarantined message, a mapping gap, never polled.
void fill(StoreFixture& s) {
  s.run(1, "8/44000", kNow - 3 * kDay, true,
        R"({"operations":[{"operation":"GetIndkaldelseVersion1","exceeded":false,"pairs":7},)"
        R"({"operation":"GetIndkaldelseshaendelseVersion1","exceeded":false,"pairs":7}]})");
  s.run(2, "8/44000", kNow - kDay, false,
        R"({"operations":[{"operation":"GetIndkaldelseVersion1","exceeded":true,"pairs":7,)"
        R"("pairs_with_differences":1,"legacy_only":[],"bridge_only":[]},)"
        R"({"operation":"GetIndkaldelseshaendelseVersion1","exceeded":false,"pairs":7}],)"
        R"("fields":[{"operation":"GetIndkaldelseVersion1","field":"Title","row":"_f.toml#titel",)"
        R"("observed":7,"counted":1,"exceeded":true}],)"
        R"("differences":[{"operation":"GetIndkaldelseVersion1","field":"Title",)"
        R"("outcome":"different","standing":"counted","key":"k / 0101901234",)"
        R"("legacy":"A 0101901234","bridge":"B","reason":"r"}]})",
        7, 1);
  s.field(2, kA, "Title", "_f.toml#titel", 7, 1);
  s.field(2, kA, "WSRMMetadata/MessageIdentifier", "_m.toml#id", 7, 7, 7);
  s.run(3, "9/5105", kNow - 10 * kDay, true,
        R"({"operations":[{"operation":"GetAkasseIndkaldelseVersion1","exceeded":false}]})");
  s.sequence("s1", "jobcenter", "", "terminated", kNow - 2 * kHour, std::to_string(kNow - kHour));
  s.sequence("s2", "akasse", "shadow", "terminated", kNow - kHour);  // a sub-queue: not a poll
  s.inbox("b1", kNow - 2 * kDay, 9, "5105", "quarantined", "unroutable", "quarantined");
  s.inbox("b2", kNow - 2 * kDay, 8, "44000");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(readiness)

BOOST_AUTO_TEST_CASE(each_blocking_rule_gives_its_reason_and_nothing_else) {
  StoreFixture s;
  fill(s);
  auto data = gather(s.path(), consumers(), coverage_of({kA, kB, kC}, kC), options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const auto& d = data.value();

  const auto& jc = consumer(d, "jobcenter");
  BOOST_TEST(!jc.ready);
  BOOST_TEST(!jc.legacy_off);
  BOOST_TEST(codes(operation(jc, kA).reasons) == std::vector<std::string>{"differences"},
             boost::test_tools::per_element());
  const std::string& sentence = operation(jc, kA).reasons.at(0).sentence;
  BOOST_TEST(sentence.find("#2") != std::string::npos);
  BOOST_TEST(sentence.find("1 of 7 message pair(s) differ") != std::string::npos);
  BOOST_TEST(sentence.find("Title") != std::string::npos);
  BOOST_TEST(sentence.find("_f.toml#titel") != std::string::npos);
  BOOST_TEST(operation(jc, kB).ready);
  BOOST_TEST(operation(jc, kB).reasons.empty());
  // It polled the main queue an hour ago: no polling reason.
  BOOST_TEST(codes(jc.reasons) == std::vector<std::string>{"differences"},
             boost::test_tools::per_element());

  const auto& ak = consumer(d, "akasse");
  BOOST_TEST(!ak.ready);
  BOOST_TEST(codes(operation(ak, kC).reasons) ==
                 (std::vector<std::string>{"mapping_gap", "quarantined", "stale_comparison"}),
             boost::test_tools::per_element());
  for (const auto& r : operation(ak, kC).reasons) {
    BOOST_TEST(r.blocks_switch);
    if (r.code == "stale_comparison") {
      BOOST_TEST(r.sentence.find("older than the 7 days") != std::string::npos);
    }
    if (r.code == "quarantined") BOOST_TEST(r.sentence.find("1 unroutable") != std::string::npos);
    if (r.code == "mapping_gap") BOOST_TEST(r.sentence.find("Description") != std::string::npos);
  }
  // Only a sub-queue sequence: it still uses the legacy service, which does not block the
  // switch but keeps the legacy service on.
  const auto polling = std::find_if(ak.reasons.begin(), ak.reasons.end(),
                                    [](const Reason& r) { return r.code == "legacy_polling"; });
  BOOST_REQUIRE(polling != ak.reasons.end());
  BOOST_TEST(!polling->blocks_switch);
  BOOST_TEST(polling->sentence.find("never polled") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_clean_fresh_comparison_and_polling_make_a_consumer_ready_and_legacy_off) {
  StoreFixture s;
  s.run(1, "9/5105", kNow - kHour, true,
        R"({"operations":[{"operation":"GetAkasseIndkaldelseVersion1","exceeded":false}]})");
  s.sequence("s1", "akasse", "", "open", kNow - 2 * kHour);
  auto data = gather(s.path(), {consumers()[1]}, coverage_of({kC}), options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const auto& ak = data.value().readiness.at(0);
  BOOST_TEST(ak.ready);
  BOOST_TEST(ak.legacy_off);
  BOOST_TEST(ak.reasons.empty());

  // The same store seen 25 hours later: still ready to switch, but the legacy service cannot go.
  auto later_options = options_at_now();
  later_options.now_ms += 23 * kHour;
  auto later = gather(s.path(), {consumers()[1]}, coverage_of({kC}), later_options);
  BRIDGE_REQUIRE_OK(later);
  BOOST_TEST(later.value().readiness.at(0).ready);
  BOOST_TEST(!later.value().readiness.at(0).legacy_off);
  BOOST_TEST(
      codes(later.value().readiness.at(0).reasons) == std::vector<std::string>{"legacy_polling"},
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_operation_missing_from_the_latest_run_is_not_compared) {
  StoreFixture s;
  s.run(1, "8/44000", kNow - kHour, true,
        R"({"operations":[{"operation":"GetIndkaldelseVersion1","exceeded":false}]})");
  auto data = gather(s.path(), {consumers()[0]}, coverage_of({kA, kB}), options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const auto& jc = data.value().readiness.at(0);
  BOOST_TEST(operation(jc, kA).ready);
  BOOST_TEST(codes(operation(jc, kB).reasons) == std::vector<std::string>{"not_compared"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_fresh_store_has_no_comparison_and_an_unknown_operation_no_table) {
  StoreFixture s;
  auto data = gather(s.path(), {consumers()[1]}, coverage_of({kA}), options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const auto& op = data.value().readiness.at(0).operations.at(0);
  BOOST_TEST(codes(op.reasons) == (std::vector<std::string>{"mapping_gap", "stale_comparison"}),
             boost::test_tools::per_element());
  for (const auto& r : op.reasons) {
    if (r.code == "stale_comparison") {
      BOOST_TEST(r.sentence.find("No comparison run") != std::string::npos);
    } else {
      BOOST_TEST(r.sentence.find("no mapping table") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
