// Tests bridge/shadow/options.cpp: --org parsing and the option combinations.
#include "bridge/shadow/options.h"

#include <boost/test/unit_test.hpp>

namespace {

using bridge::shadow::parse_organisation;
using bridge::shadow::ShadowErrc;
using bridge::shadow::ShadowOptions;
using bridge::shadow::validate_options;

ShadowOptions valid() {
  ShadowOptions o;
  o.url = "http://127.0.0.1:8080/";
  o.org = "8/44000";
  o.sub_queue = "shadow";
  o.out = "/tmp/recording";
  return o;
}

// The message of a refused option set, which must be a usage error (exit 2).
std::string refusal(ShadowOptions o) {
  const auto r = validate_options(o);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == static_cast<int>(ShadowErrc::usage));
  return r.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(options)

BOOST_AUTO_TEST_CASE(organisation_is_type_slash_code) {
  const auto org = parse_organisation("8/44000");
  BOOST_REQUIRE(org);
  BOOST_TEST(org.value().type == 8);
  BOOST_TEST(org.value().code == "44000");
}

BOOST_AUTO_TEST_CASE(bad_organisations_are_refused_with_the_reason) {
  for (const char* bad : {"8", "8-44000", "/44000", "x/44000", "0/44000", "101/44000", "8/",
                          "8/123456789012345678901", "8 /44000", "8/44\n000"}) {
    const auto org = parse_organisation(bad);
    BOOST_TEST(!org, bad);
    if (!org) BOOST_TEST(org.error().message.find("--org") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(valid_options_pass_and_the_url_loses_its_trailing_slash) {
  ShadowOptions o = valid();
  BOOST_TEST(static_cast<bool>(validate_options(o)));
  BOOST_TEST(o.url == "http://127.0.0.1:8080");
  BOOST_TEST(o.organisation.type == 8);
}

BOOST_AUTO_TEST_CASE(without_sub_queue_main_queue_must_be_asked_for) {
  ShadowOptions o = valid();
  o.sub_queue.clear();
  BOOST_TEST(refusal(o).find("--main-queue") != std::string::npos);
  o.main_queue = true;
  BOOST_TEST(static_cast<bool>(validate_options(o)));
  BOOST_TEST(!bridge::shadow::sub_queue_of(o).has_value());
}

BOOST_AUTO_TEST_CASE(sub_queue_and_main_queue_exclude_each_other) {
  ShadowOptions o = valid();
  o.main_queue = true;
  BOOST_TEST(refusal(o).find("exclude") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_values_are_usage_errors) {
  ShadowOptions o = valid();
  o.url = "ftp://x";
  BOOST_TEST(refusal(o).find("--url") != std::string::npos);
  o = valid();
  o.timeout_s = 0;
  BOOST_TEST(refusal(o).find("--timeout-s") != std::string::npos);
  o = valid();
  o.max_response_bytes = 10;
  BOOST_TEST(refusal(o).find("--max-response-bytes") != std::string::npos);
  o = valid();
  o.max_sequences = -1;
  BOOST_TEST(refusal(o).find("--max-sequences") != std::string::npos);
  o = valid();
  o.follow = true;
  o.until_empty = true;
  BOOST_TEST(refusal(o).find("--follow") != std::string::npos);
  o = valid();
  o.out.clear();
  BOOST_TEST(refusal(o).find("--out") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tls_files_must_be_readable_and_need_https) {
  ShadowOptions o = valid();
  o.url = "https://127.0.0.1:8443";
  o.cert = "/nonexistent/client.pem";
  BOOST_TEST(refusal(o).find("--cert /nonexistent/client.pem") != std::string::npos);
  o = valid();
  o.url = "https://127.0.0.1:8443";
  o.key = "/etc/hostname";
  BOOST_TEST(refusal(o).find("--key needs --cert") != std::string::npos);
  o = valid();
  o.ca = "/etc/hostname";  // readable, but the URL is plain http
  BOOST_TEST(refusal(o).find("https") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
