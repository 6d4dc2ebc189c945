#include "bridge/sim/pusher.h"

#include <boost/test/unit_test.hpp>

namespace bridge::sim {
namespace {

using std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(pusher)

BOOST_AUTO_TEST_CASE(retry_delay_is_dfdgs_min_of_cap_and_two_to_the_n_minus_one_seconds) {
  const milliseconds three_hours(3 * 3600 * 1000);
  BOOST_TEST(retry_delay(1, three_hours).count() == 1000);
  BOOST_TEST(retry_delay(2, three_hours).count() == 3000);
  BOOST_TEST(retry_delay(3, three_hours).count() == 7000);
  BOOST_TEST(retry_delay(5, three_hours).count() == 31000);
  BOOST_TEST(retry_delay(13, three_hours).count() == 8191000);
  BOOST_TEST(retry_delay(14, three_hours).count() == three_hours.count());  // 16383 s > 3 h
  BOOST_TEST(retry_delay(1000, three_hours).count() == three_hours.count());
  BOOST_TEST(retry_delay(1, milliseconds(20)).count() == 20);
  BOOST_TEST(retry_delay(4, milliseconds(0)).count() == 0);
}

BOOST_AUTO_TEST_CASE(push_url_joins_webhook_and_recipient_with_one_slash) {
  const Organisation jc{"jc", 8, "44000", ""};
  BOOST_TEST(push_url("http://127.0.0.1:8081", jc) == "http://127.0.0.1:8081/wsb/8/44000");
  BOOST_TEST(push_url("http://127.0.0.1:8081//", jc) == "http://127.0.0.1:8081/wsb/8/44000");
  BOOST_TEST(push_url("https://bridge.example/dfdg/", jc) ==
             "https://bridge.example/dfdg/wsb/8/44000");
}

BOOST_AUTO_TEST_CASE(a_fresh_acceptance_is_a_2xx_not_saying_duplicate_or_quarantined) {
  const auto fresh = [](long status, const std::string& body) {
    return read_acceptance(HttpResult{status, body, ""}).fresh;
  };
  BOOST_TEST(fresh(200, R"({"BeskedIdentifier":"x","outcome":"stored","status":"accepted"})"));
  BOOST_TEST(fresh(204, ""));
  BOOST_TEST(fresh(200, "OK"));
  BOOST_TEST(!fresh(200, R"({"outcome":"duplicate","status":"accepted"})"));
  BOOST_TEST(!fresh(200, R"({"outcome":"conflict","status":"accepted"})"));
  BOOST_TEST(!fresh(200, R"({"outcome":"stored","status":"quarantined","reason":"schema"})"));
  BOOST_TEST(!fresh(503, R"({"outcome":"stored","status":"accepted"})"));
  const Acceptance a =
      read_acceptance(HttpResult{200, R"({"outcome":"stored","status":"accepted"})", ""});
  BOOST_TEST(a.outcome == "stored");
  BOOST_TEST(a.status == "accepted");
}

BOOST_AUTO_TEST_CASE(only_2xx_counts_as_delivered) {
  BOOST_TEST((HttpResult{200, "", ""}.delivered()));
  BOOST_TEST((HttpResult{299, "", ""}.delivered()));
  BOOST_TEST((!HttpResult{0, "", "connection refused"}.delivered()));
  BOOST_TEST((!HttpResult{302, "", ""}.delivered()));
  BOOST_TEST((!HttpResult{401, "", ""}.delivered()));
  BOOST_TEST((!HttpResult{503, "", ""}.delivered()));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace bridge::sim
