// Tests bridge/dfdg/options.cpp: option checks at create() (each error names the option) and the
// request URL (base + path template, the id escaped into one path segment).
#include "bridge/dfdg/options.h"

#include "bridge/dfdg/client.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

namespace {

using bridge::ErrorDomain;
using bridge::dfdg::ClientOptions;
using bridge::dfdg::DfdgErrc;
using bridge::dfdg::escape_path_segment;
using bridge::dfdg::indkaldelse_url;
using bridge::dfdg::validate_options;

ClientOptions valid() {
  ClientOptions o;
  o.base_url = "https://dfdg.example/api";
  return o;
}

// The option must be refused, and the message must name it.
void require_invalid(const ClientOptions& o, const std::string& option) {
  auto checked = validate_options(o);
  BRIDGE_REQUIRE_ERROR(checked, ErrorDomain::dfdg, DfdgErrc::invalid_options);
  BOOST_TEST(checked.error().message.find(option) != std::string::npos, checked.error().message);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(options)

BOOST_AUTO_TEST_CASE(defaults_with_a_base_url_are_valid) {
  auto checked = validate_options(valid());
  BRIDGE_REQUIRE_OK(checked);
}

BOOST_AUTO_TEST_CASE(empty_or_schemeless_base_url_is_refused) {
  ClientOptions o = valid();
  o.base_url = "";
  require_invalid(o, "base_url");
  o.base_url = "dfdg.example/api";
  require_invalid(o, "base_url");
  o.base_url = "ftp://dfdg.example/api";
  require_invalid(o, "base_url");
  o.base_url = "HTTPS://dfdg.example";
  BRIDGE_REQUIRE_OK(validate_options(o));
}

BOOST_AUTO_TEST_CASE(path_without_the_id_placeholder_is_refused) {
  ClientOptions o = valid();
  o.indkaldelse_path = "/v1/Indkaldelse/{id}";
  require_invalid(o, "indkaldelse_path");
}

BOOST_AUTO_TEST_CASE(bearer_token_with_a_line_break_is_refused) {
  ClientOptions o = valid();
  o.bearer_token = "abc\r\nX-Other: 1";
  require_invalid(o, "bearer_token");
}

BOOST_AUTO_TEST_CASE(unreadable_pem_files_are_refused_by_option_name) {
  bridge::test::TempDir dir;
  const std::string missing = dir.file("missing.pem");
  ClientOptions o = valid();
  o.client_certificate = missing;
  require_invalid(o, "client_certificate");
  o = valid();
  o.ca_file = missing;
  require_invalid(o, "ca_file");

  const std::string pem = dir.file("client.pem");
  std::ofstream(pem) << "-----BEGIN CERTIFICATE-----\n";
  o = valid();
  o.client_certificate = pem;
  o.client_key = missing;
  require_invalid(o, "client_key");
  o.client_key = pem;
  o.ca_file = pem;
  BRIDGE_REQUIRE_OK(validate_options(o));
}

BOOST_AUTO_TEST_CASE(client_key_without_certificate_is_refused) {
  bridge::test::TempDir dir;
  const std::string pem = dir.file("key.pem");
  std::ofstream(pem) << "-----BEGIN PRIVATE KEY-----\n";
  ClientOptions o = valid();
  o.client_key = pem;
  require_invalid(o, "client_key");
}

BOOST_AUTO_TEST_CASE(numbers_out_of_range_are_refused) {
  ClientOptions o = valid();
  o.max_attempts = 0;
  require_invalid(o, "max_attempts");
  o = valid();
  o.request_timeout_ms = 0;
  require_invalid(o, "request_timeout_ms");
  o = valid();
  o.connect_timeout_ms = -1;
  require_invalid(o, "connect_timeout_ms");
  o = valid();
  o.backoff_initial_ms = 500;
  o.backoff_max_ms = 100;
  require_invalid(o, "backoff_max_ms");
  o = valid();
  o.max_response_bytes = 0;
  require_invalid(o, "max_response_bytes");
}

BOOST_AUTO_TEST_CASE(create_returns_the_option_error) {
  ClientOptions o = valid();
  o.base_url.clear();
  auto created = bridge::dfdg::CurlClient::create(o);
  BRIDGE_REQUIRE_ERROR(created, ErrorDomain::dfdg, DfdgErrc::invalid_options);
  BOOST_TEST(created.error().message.find("base_url") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(id_is_escaped_into_one_path_segment) {
  BOOST_TEST(escape_path_segment("3f0e7c1a-54a7_x.y~z") == "3f0e7c1a-54a7_x.y~z");
  BOOST_TEST(escape_path_segment("a/b?c#d%e f") == "a%2Fb%3Fc%23d%25e%20f");
  BOOST_TEST(escape_path_segment("..") == "..");  // cannot leave the segment without a '/'
  BOOST_TEST(escape_path_segment("ø") == "%C3%B8");
  BOOST_TEST(escape_path_segment("") == "");
}

BOOST_AUTO_TEST_CASE(url_joins_base_and_path_and_fills_every_placeholder) {
  ClientOptions o = valid();
  BOOST_TEST(indkaldelse_url(o, "id 1") == "https://dfdg.example/api/v1/Indkaldelse/id%201");
  o.base_url = "https://dfdg.example/api//";
  o.indkaldelse_path = "v1/Indkaldelse/{indkaldelseId}/x/{indkaldelseId}";
  BOOST_TEST(indkaldelse_url(o, "{indkaldelseId}") ==
             "https://dfdg.example/api/v1/Indkaldelse/%7BindkaldelseId%7D/x/"
             "%7BindkaldelseId%7D");
}

BOOST_AUTO_TEST_SUITE_END()
