// Tests bridge/dfdg/backoff.cpp: the ceiling doubles up to the cap, and every wait is drawn from
// [0, ceiling] (full jitter), reproducibly for a fixed seed.
#include "bridge/dfdg/backoff.h"

#include <boost/test/unit_test.hpp>

#include <vector>

namespace {

using bridge::dfdg::Backoff;

}  // namespace

BOOST_AUTO_TEST_SUITE(backoff)

BOOST_AUTO_TEST_CASE(ceiling_doubles_per_retry_up_to_the_cap) {
  const Backoff b(200, 5000, 1);
  const long expected[] = {200, 400, 800, 1600, 3200, 5000, 5000};
  for (int retry = 0; retry < 7; ++retry) {
    BOOST_TEST(b.ceiling(retry).count() == expected[retry], "retry " << retry);
  }
  BOOST_TEST(b.ceiling(1000000).count() == 5000);  // no overflow
}

BOOST_AUTO_TEST_CASE(waits_stay_within_zero_and_the_ceiling_and_use_the_range) {
  Backoff b(100, 1000, 7);
  for (int retry = 0; retry < 6; ++retry) {
    const long high = b.ceiling(retry).count();
    long largest = 0;
    for (int i = 0; i < 200; ++i) {
      const long wait = b.delay(retry).count();
      BOOST_TEST_REQUIRE(wait >= 0);
      BOOST_TEST_REQUIRE(wait <= high);
      if (wait > largest) largest = wait;
    }
    // 200 uniform draws all below half the ceiling would be a 2^-200 event: the range is used.
    BOOST_TEST(largest > high / 2, "retry " << retry);
  }
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_waits) {
  Backoff a(100, 5000, 99);
  Backoff b(100, 5000, 99);
  for (int retry = 0; retry < 8; ++retry) BOOST_TEST(a.delay(retry) == b.delay(retry));
}

BOOST_AUTO_TEST_CASE(zero_initial_wait_never_sleeps) {
  Backoff b(0, 0, 3);
  for (int retry = 0; retry < 4; ++retry) BOOST_TEST(b.delay(retry).count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
