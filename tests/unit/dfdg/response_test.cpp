// Tests bridge/dfdg/response.cpp: which HTTP statuses are retried or mean "not visible"
// (domain.md §4.4), and which 2xx bodies are found, empty or unusable.
#include "bridge/dfdg/response.h"

#include "bridge/dfdg/client.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using bridge::dfdg::BodyKind;
using bridge::dfdg::classify_status;
using bridge::dfdg::read_body;
using bridge::dfdg::StatusClass;

}  // namespace

BOOST_AUTO_TEST_SUITE(response)

BOOST_AUTO_TEST_CASE(statuses_are_classified_as_documented) {
  BOOST_TEST((classify_status(200) == StatusClass::success));
  BOOST_TEST((classify_status(204) == StatusClass::success));
  BOOST_TEST((classify_status(403) == StatusClass::not_visible));
  BOOST_TEST((classify_status(404) == StatusClass::not_visible));
  for (const long s : {400L, 401L, 405L, 409L, 410L, 412L, 415L, 301L, 302L, 304L, 100L, 0L}) {
    BOOST_TEST((classify_status(s) == StatusClass::permanent), "status " << s);
  }
  for (const long s : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) {
    BOOST_TEST((classify_status(s) == StatusClass::retry), "status " << s);
  }
}

BOOST_AUTO_TEST_CASE(an_object_is_found) {
  const auto r = read_body(R"({"indkaldelseId":"x","status":1})");
  BOOST_TEST((r.kind == BodyKind::object));
  BOOST_TEST(r.json["status"] == 1);
}

BOOST_AUTO_TEST_CASE(empty_white_space_and_null_are_empty) {
  for (const std::string body : {"", " \r\n\t", "null", " null\n"}) {
    const auto r = read_body(body);
    BOOST_TEST((r.kind == BodyKind::empty), "body '" << body << "'");
    BOOST_TEST(r.json.is_null());
  }
}

BOOST_AUTO_TEST_CASE(other_json_is_not_an_object_and_says_what_it_is) {
  const auto array = read_body("[{}]");
  BOOST_TEST((array.kind == BodyKind::not_object));
  BOOST_TEST(array.problem.find("an array") != std::string::npos, array.problem);
  BOOST_TEST((read_body("\"x\"").kind == BodyKind::not_object));
  BOOST_TEST((read_body("42").kind == BodyKind::not_object));
  BOOST_TEST((read_body("false").kind == BodyKind::not_object));
}

BOOST_AUTO_TEST_CASE(non_json_gives_the_position_but_never_quotes_the_body) {
  const auto r = read_body("<html>0101701234</html>");
  BOOST_TEST((r.kind == BodyKind::not_json));
  BOOST_TEST(r.problem.find("byte 1") != std::string::npos, r.problem);
  BOOST_TEST(r.problem.find("0101701234") == std::string::npos, r.problem);
  BOOST_TEST(r.problem.find("html") == std::string::npos, r.problem);
  BOOST_TEST((read_body("{\"a\":").kind == BodyKind::not_json));
}

BOOST_AUTO_TEST_CASE(every_error_code_has_its_own_sentence) {
  using bridge::dfdg::DfdgErrc;
  const std::string transient = to_string(DfdgErrc::transient);
  const std::string permanent = to_string(DfdgErrc::permanent);
  const std::string bad_response = to_string(DfdgErrc::bad_response);
  const std::string invalid_options = to_string(DfdgErrc::invalid_options);
  BOOST_TEST(!transient.empty());
  BOOST_TEST(transient != permanent);
  BOOST_TEST(permanent != bad_response);
  BOOST_TEST(bad_response != invalid_options);
}

BOOST_AUTO_TEST_SUITE_END()
