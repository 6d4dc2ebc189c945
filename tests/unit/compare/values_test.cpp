// Tests bridge/compare/values.cpp: one legacy value against one bridge value, by XSD type.
#define BOOST_TEST_MODULE unit_compare
#include "bridge/compare/values.h"

#include <boost/test/unit_test.hpp>

#include <ostream>

namespace bridge::compare {
inline std::ostream& operator<<(std::ostream& os, Verdict v) { return os << to_string(v); }
}  // namespace bridge::compare

namespace {

using bridge::compare::compare_values;
using bridge::compare::Verdict;
using Kind = bridge::mapping::ValueKind;

Verdict verdict(Kind kind, const char* legacy, const char* bridge) {
  const auto r = compare_values(kind, legacy, bridge);
  BOOST_TEST_MESSAGE(legacy << " vs " << bridge << ": " << to_string(r.verdict) << " (" << r.reason
                            << ")");
  // Symmetric: the order of the two sides never changes the verdict.
  BOOST_TEST(compare_values(kind, bridge, legacy).verdict == r.verdict);
  if (r.verdict != Verdict::equal) BOOST_TEST(!r.reason.empty());
  return r.verdict;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(values)

BOOST_AUTO_TEST_CASE(the_same_text_is_equal_for_every_type) {
  for (Kind k : {Kind::string, Kind::integer, Kind::boolean, Kind::date_time, Kind::date,
                 Kind::decimal, Kind::any_uri}) {
    BOOST_TEST((verdict(k, "x7", "x7") == Verdict::equal));
  }
}

BOOST_AUTO_TEST_CASE(strings_differing_only_in_whitespace_are_equivalent) {
  BOOST_TEST((verdict(Kind::string, "Jobcenter  Kerteminde ", "Jobcenter Kerteminde") ==
              Verdict::equivalent));
  BOOST_TEST(
      (verdict(Kind::string, "Jobcenter Odense", "Jobcenter Kerteminde") == Verdict::different));
  BOOST_TEST((verdict(Kind::string, "Jobsamtale", "jobsamtale") == Verdict::different));
}

BOOST_AUTO_TEST_CASE(one_and_true_are_the_same_boolean) {
  BOOST_TEST((verdict(Kind::boolean, "1", "true") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::boolean, "0", "false") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::boolean, "1", "false") == Verdict::different));
  BOOST_TEST((verdict(Kind::boolean, "yes", "true") == Verdict::different));
}

BOOST_AUTO_TEST_CASE(numbers_compare_by_value) {
  BOOST_TEST((verdict(Kind::integer, "007", "7") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::integer, "+7", "7") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::integer, "-0", "0") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::integer, "17", "7") == Verdict::different));
  BOOST_TEST((verdict(Kind::decimal, "7.50", "7.5") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::decimal, ".5", "0.5") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::decimal, "7.05", "7.5") == Verdict::different));
  BOOST_TEST((verdict(Kind::integer, "7a", "7") == Verdict::different));
}

BOOST_AUTO_TEST_CASE(date_precision_alone_is_equivalent_not_different) {
  // The seed's HaendelsesTid has 6 fraction digits; a legacy system may keep 3, or none.
  BOOST_TEST((verdict(Kind::date_time, "2024-04-23T12:47:17.154+02:00",
                      "2024-04-23T12:47:17.154073+02:00") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::date_time, "2024-04-23T12:47:17+02:00",
                      "2024-04-23T12:47:17.154073+02:00") == Verdict::equivalent));
  // Rounded instead of truncated.
  BOOST_TEST((verdict(Kind::date_time, "2024-04-23T12:47:17.155+02:00",
                      "2024-04-23T12:47:17.1546+02:00") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::date_time, "2024-04-23T12:47:17.100+02:00",
                      "2024-04-23T12:47:17.1+02:00") == Verdict::equivalent));
  // More than rounding apart: different.
  BOOST_TEST((verdict(Kind::date_time, "2024-04-23T12:47:17.150+02:00",
                      "2024-04-23T12:47:17.154073+02:00") == Verdict::different));
  BOOST_TEST((verdict(Kind::date_time, "2024-04-23T12:47:18+02:00",
                      "2024-04-23T12:47:17.154073+02:00") == Verdict::different));
}

BOOST_AUTO_TEST_CASE(the_same_instant_in_another_offset_is_equivalent) {
  const auto r =
      compare_values(Kind::date_time, "2024-05-02T09:00:00+02:00", "2024-05-02T07:00:00Z");
  BOOST_TEST((r.verdict == Verdict::equivalent));
  BOOST_TEST(r.reason.find("offsets") != std::string::npos, r.reason);
  BOOST_TEST((verdict(Kind::date_time, "2024-05-02T07:00:00+00:00", "2024-05-02T07:00:00Z") ==
              Verdict::equivalent));
  BOOST_TEST((verdict(Kind::date_time, "2024-05-02T09:00:00+02:00", "2024-05-02T09:00:00Z") ==
              Verdict::different));
  // Across midnight and a month end.
  BOOST_TEST((verdict(Kind::date_time, "2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00Z") ==
              Verdict::equivalent));
}

BOOST_AUTO_TEST_CASE(a_date_time_without_a_zone_cannot_be_compared_with_one_that_has_one) {
  const auto r =
      compare_values(Kind::date_time, "2024-05-02T09:00:00", "2024-05-02T09:00:00+02:00");
  BOOST_TEST((r.verdict == Verdict::different));
  BOOST_TEST(r.reason.find("no time zone") != std::string::npos, r.reason);
  BOOST_TEST(
      (verdict(Kind::date_time, "not a time", "2024-05-02T09:00:00Z") == Verdict::different));
}

BOOST_AUTO_TEST_CASE(dates_compare_by_day_and_zone) {
  BOOST_TEST((verdict(Kind::date, "2024-05-02Z", "2024-05-02+00:00") == Verdict::equivalent));
  BOOST_TEST((verdict(Kind::date, "2024-05-02", "2024-05-03") == Verdict::different));
  BOOST_TEST((verdict(Kind::date, "2024-05-02", "2024-05-02Z") == Verdict::different));
}

BOOST_AUTO_TEST_SUITE_END()
