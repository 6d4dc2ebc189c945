// Tests bridge/wsb/time.cpp: HaendelsesTid with 0 to 7 fraction digits and an offset, converted
// to UTC exactly (TimePoint counts nanoseconds here; 7 digits are 100 ns).
#include "bridge/wsb/wsb.h"
#include "tests/unit/wsb/fixtures.h"

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

namespace {

using bridge::wsb::parse_haendelses_tid;
using bridge::wsb::test::epoch_us;

// Epoch microseconds of the text, or a failed test case when it does not parse.
std::int64_t utc_us(const std::string& text) {
  const std::optional<bridge::TimePoint> t = parse_haendelses_tid(text);
  BOOST_REQUIRE_MESSAGE(t.has_value(), "rejected: " + text);
  return epoch_us(*t);
}

std::int64_t utc_ns(const std::string& text) {
  const std::optional<bridge::TimePoint> t = parse_haendelses_tid(text);
  BOOST_REQUIRE_MESSAGE(t.has_value(), "rejected: " + text);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t->time_since_epoch()).count();
}

void require_rejected(const std::string& text) {
  BOOST_TEST(!parse_haendelses_tid(text).has_value(), "accepted: " << text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(haendelses_tid)

BOOST_AUTO_TEST_CASE(seed_value_converts_to_utc_exactly) {
  // 2024-04-23T12:47:17.154073+02:00 = 2024-04-23T10:47:17.154073Z
  BOOST_TEST(utc_us("2024-04-23T12:47:17.154073+02:00") == 1713869237154073);
}

BOOST_AUTO_TEST_CASE(seven_fraction_digits_are_accepted) {
  BOOST_TEST(utc_ns("2024-04-23T12:47:17.1540734+02:00") == 1713869237154073400);
}

BOOST_AUTO_TEST_CASE(eight_fraction_digits_are_rejected) {
  require_rejected("2024-04-23T12:47:17.15407345+02:00");
}

BOOST_AUTO_TEST_CASE(every_fraction_length_from_0_to_7_is_accepted) {
  BOOST_TEST(utc_ns("2024-04-23T10:47:17Z") == 1713869237000000000);
  BOOST_TEST(utc_ns("2024-04-23T10:47:17.1Z") == 1713869237100000000);
  BOOST_TEST(utc_ns("2024-04-23T10:47:17.15Z") == 1713869237150000000);
  BOOST_TEST(utc_ns("2024-04-23T10:47:17.154Z") == 1713869237154000000);
  BOOST_TEST(utc_ns("2024-04-23T10:47:17.1540Z") == 1713869237154000000);
  BOOST_TEST(utc_ns("2024-04-23T10:47:17.15407Z") == 1713869237154070000);
  BOOST_TEST(utc_ns("2024-04-23T10:47:17.154073Z") == 1713869237154073000);
  BOOST_TEST(utc_ns("2024-04-23T10:47:17.0000001Z") == 1713869237000000100);
}

BOOST_AUTO_TEST_CASE(dot_without_fraction_digits_is_rejected) {
  require_rejected("2024-04-23T10:47:17.Z");
}

BOOST_AUTO_TEST_CASE(negative_offset_is_added) {
  BOOST_TEST(utc_us("2024-04-23T12:47:17-05:30") == 1713896237000000);  // 18:17:17Z
}

BOOST_AUTO_TEST_CASE(zero_offsets_equal_z) {
  BOOST_TEST(utc_us("2024-04-23T10:47:17+00:00") == 1713869237000000);
  BOOST_TEST(utc_us("2024-04-23T10:47:17-00:00") == 1713869237000000);
}

BOOST_AUTO_TEST_CASE(offset_can_move_the_date_back_over_new_year) {
  BOOST_TEST(utc_us("2024-01-01T00:30:00+01:00") == 1704065400000000);  // 2023-12-31T23:30Z
}

BOOST_AUTO_TEST_CASE(epoch_and_just_before_it_are_exact) {
  BOOST_TEST(utc_us("1970-01-01T00:00:00Z") == 0);
  BOOST_TEST(utc_us("1969-12-31T23:59:59Z") == -1000000);
}

BOOST_AUTO_TEST_CASE(leap_days_follow_the_gregorian_rules) {
  BOOST_TEST(utc_us("2024-02-29T00:00:00Z") == 1709164800000000);
  BOOST_TEST(utc_us("2000-02-29T12:00:00Z") == 951825600000000);
  require_rejected("2023-02-29T00:00:00Z");
  require_rejected("1900-02-29T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(missing_offset_is_rejected) {
  require_rejected("2024-04-23T12:47:17.154073");
  require_rejected("2024-04-23T12:47:17");
}

BOOST_AUTO_TEST_CASE(invalid_dates_are_rejected) {
  require_rejected("2024-13-01T00:00:00Z");
  require_rejected("2024-00-01T00:00:00Z");
  require_rejected("2024-04-00T00:00:00Z");
  require_rejected("2024-04-31T00:00:00Z");
  require_rejected("2024-01-32T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(invalid_times_are_rejected) {
  require_rejected("2024-04-23T24:00:00Z");
  require_rejected("2024-04-23T23:60:00Z");
  require_rejected("2024-04-23T23:59:60Z");
}

BOOST_AUTO_TEST_CASE(malformed_offsets_are_rejected) {
  require_rejected("2024-04-23T12:47:17+0200");
  require_rejected("2024-04-23T12:47:17+02");
  require_rejected("2024-04-23T12:47:17+24:00");
  require_rejected("2024-04-23T12:47:17+02:60");
  require_rejected("2024-04-23T12:47:17z");
}

BOOST_AUTO_TEST_CASE(other_shapes_are_rejected) {
  require_rejected("");
  require_rejected("2024-04-23");
  require_rejected("2024-04-23 12:47:17Z");
  require_rejected("2024-04-23t12:47:17Z");
  require_rejected(" 2024-04-23T12:47:17Z");
  require_rejected("2024-04-23T12:47:17Z ");
  require_rejected("2024-4-23T12:47:17Z");
  require_rejected("+2024-04-23T12:47:17Z");
  require_rejected("2024-04-23T12:47:17.154073+02:00x");
  require_rejected("2024-0a-23T12:47:17Z");
}

BOOST_AUTO_TEST_CASE(years_outside_what_timepoint_holds_are_rejected_not_overflowed) {
  // 64-bit nanoseconds cover 1677 to 2262.
  require_rejected("9999-12-31T23:59:59.9999999Z");
  require_rejected("0001-01-01T00:00:00Z");
  BOOST_TEST(utc_us("2262-01-01T00:00:00Z") == 9214646400000000);
}

BOOST_AUTO_TEST_SUITE_END()
