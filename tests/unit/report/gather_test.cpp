// Tests bridge/report/gather.cpp: the figures read from a hand-built store.
#include "bridge/report/report.h"
#include "tests/unit/report/store_fixture.h"
#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>

namespace {

using namespace bridge::report;
using namespace bridge::report::test;

const std::string kA = "GetIndkaldelseVersion1";

std::vector<bridge::queue::Consumer> jobcenter() {
  return {{"jobcenter", {{8, "44000"}}, {kA}, {"shadow"}, {}, {}}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gather_figures)

BOOST_AUTO_TEST_CASE(a_missing_store_is_an_error_and_is_not_created) {
  bridge::test::TempDir tmp;
  const std::string path = tmp.file("absent.db");
  auto data = gather(path, jobcenter(), Coverage{}, options_at_now());
  BOOST_REQUIRE(!data.has_value());
  BOOST_TEST(data.error().message.find(path) != std::string::npos);
  BOOST_TEST(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(consumer_figures_count_only_the_main_queue) {
  StoreFixture s;
  s.message("jobcenter", "", kA, "k1", 2, kNow - 5 * kHour);
  s.message("jobcenter", "", kA, "k2", 1, kNow - 4 * kHour);
  s.message("jobcenter", "", kA, "k3", 0, kNow - 3 * kHour);
  s.message("jobcenter", "shadow", kA, "k1", 0, kNow - 9 * kHour);
  s.sequence("s1", "jobcenter", "", "terminated", kNow - 6 * kHour,
             std::to_string(kNow - 5 * kHour));
  s.sequence("s2", "jobcenter", "", "expired", kNow - 30 * kHour, std::to_string(kNow - kHour));
  s.sequence("s3", "jobcenter", "", "closed", kNow - 40 * kHour, std::to_string(kNow - 39 * kHour));
  s.sequence("s4", "jobcenter", "shadow", "open", kNow - kHour);
  auto data = gather(s.path(), jobcenter(), Coverage{}, options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const auto& c = data.value().consumers.at(0);
  BOOST_TEST(c.backlog == 2);
  BOOST_REQUIRE(c.oldest_undelivered_ms.has_value());
  BOOST_TEST(*c.oldest_undelivered_ms == kNow - 4 * kHour);
  BOOST_REQUIRE(c.delivered_by_operation.size() == 1u);
  BOOST_TEST(c.delivered_by_operation[0].count == 1);
  BOOST_TEST((c.sequences_terminated == 1 && c.sequences_expired == 1 && c.sequences_closed == 1));
  BOOST_TEST(c.sequences_open == 0);
  // The expiry an hour ago is the bridge's doing; the terminate 5 hours ago was the last poll.
  BOOST_REQUIRE(c.last_poll_ms.has_value());
  BOOST_TEST(*c.last_poll_ms == kNow - 5 * kHour);
  BOOST_TEST(c.polls_bridge);
}

BOOST_AUTO_TEST_CASE(top_differences_take_the_latest_run_and_mask_cpr) {
  StoreFixture s;
  s.run(1, "8/44000", kNow - 2 * kDay, false, "{}", 7, 3);
  s.field(1, kA, "Title", "_f.toml#titel", 7, 3);
  s.run(2, "8/44000", kNow - kDay, false,
        R"({"differences":[{"operation":"GetIndkaldelseVersion1","field":"Cpr",)"
        R"("outcome":"different","standing":"counted","key":"x / 0101901234",)"
        R"("legacy":"0101901234","bridge":"010190-1235","reason":"r"}]})",
        7, 1);
  s.field(2, kA, "Cpr", "_f.toml#cpr", 7, 1);
  s.field(2, kA, "Title", "_f.toml#titel", 7, 0);
  auto data = gather(s.path(), jobcenter(), Coverage{}, options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const auto& d = data.value();
  BOOST_REQUIRE(d.runs.size() == 2u);
  BOOST_TEST((!d.runs[0].latest && d.runs[1].latest));
  BOOST_TEST(d.latest_fields.size() == 2u);
  BOOST_REQUIRE(d.top_differences.size() == 1u);
  const auto& t = d.top_differences[0];
  BOOST_TEST(t.field == "Cpr");
  BOOST_TEST(t.has_example);
  BOOST_TEST(t.legacy == "**********");
  BOOST_TEST(t.bridge == "**********");
  BOOST_TEST(t.key == "x / **********");

  auto unmasked_options = options_at_now();
  unmasked_options.unmask = true;
  auto unmasked = gather(s.path(), jobcenter(), Coverage{}, unmasked_options);
  BRIDGE_REQUIRE_OK(unmasked);
  BOOST_TEST(unmasked.value().top_differences.at(0).legacy == "0101901234");
}

BOOST_AUTO_TEST_CASE(ingest_figures_and_ack_latency_percentiles) {
  StoreFixture s;
  s.inbox("b1", kNow - 2 * kDay, 8, "44000", "accepted", "", "queued", 2);
  s.inbox("b2", kNow - 2 * kDay + 1000, 8, "44000", "accepted", "", "parked", 0, "DFDG 500");
  s.inbox("b3", kNow, 8, "99", "quarantined", "unknown_recipient", "quarantined");
  s.sql(
      "INSERT INTO inbox_conflict (besked_identifier, received_at_ms, source, raw, sha256) "
      "VALUES ('b1', 1, 'webhook', 'x', 'y')");
  if (!s.has_column("inbox_message", "stored_at_ms")) {
    auto before = gather(s.path(), jobcenter(), Coverage{}, options_at_now());
    BRIDGE_REQUIRE_OK(before);
    BOOST_TEST(!before.value().ingest.latency_recorded);
    s.sql("ALTER TABLE inbox_message ADD COLUMN stored_at_ms INTEGER NOT NULL DEFAULT 0");
  }
  // 100 messages stored 1..100 ms after receipt; b1..b3 keep 0 (not measured).
  for (int i = 1; i <= 100; ++i) {
    s.inbox("l" + std::to_string(i), kNow - kDay, 8, "44000");
    s.sql("UPDATE inbox_message SET stored_at_ms = received_at_ms + " + std::to_string(i) +
          " WHERE besked_identifier = 'l" + std::to_string(i) + "'");
  }
  auto data = gather(s.path(), jobcenter(), Coverage{}, options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const auto& in = data.value().ingest;
  BOOST_TEST(in.messages == 103);
  BOOST_TEST(in.duplicates == 2);
  BOOST_TEST(in.conflicts == 1);
  BOOST_TEST(in.parked == 1);
  BOOST_TEST(in.quarantined_total == 1);
  BOOST_REQUIRE(in.per_day.size() == 3u);  // two days ago, yesterday, today
  BOOST_TEST(in.per_day[0].count == 2);
  BOOST_TEST(in.per_day[1].count == 100);
  BOOST_TEST(in.per_day[2].count == 1);
  BOOST_TEST(in.latency_recorded);
  BOOST_TEST(in.latency_samples == 100);
  BOOST_TEST((in.p50_ms == 50 && in.p90_ms == 90 && in.p99_ms == 99));
}

BOOST_AUTO_TEST_CASE(iso8601_instants_and_dates_parse) {
  BOOST_TEST(parse_iso8601_ms("2026-11-28T12:00:00Z").value() == kNow);
  BOOST_TEST(parse_iso8601_ms("2026-11-28T13:00:00.000+01:00").value() == kNow);
  BOOST_TEST(parse_iso8601_ms("2026-11-28").value() == kNow - 12 * kHour);
  BOOST_TEST(!parse_iso8601_ms("2026-11-28T12:00:00").has_value());
  BOOST_TEST(!parse_iso8601_ms("yesterday").has_value());
  BOOST_TEST(format_minute_utc(kNow) == "2026-11-28 12:00 UTC");
}

BOOST_AUTO_TEST_SUITE_END()
