// Tests bridge/shadow/log_line.cpp: the log.jsonl line format of docs/shadow.md.
#include "bridge/shadow/log_line.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

namespace {

using bridge::shadow::LogLine;
using bridge::shadow::parse_log_line;
using bridge::shadow::to_json_line;

LogLine get_line() {
  LogLine line;
  line.n = 7;
  line.at = "2026-11-28T04:00:01.456Z";
  line.call = "GetIndkaldelseVersion1";
  line.sequence = "1a25015d-46a1-48a2-9203-8929ff2f1094";
  line.http_status = 200;
  line.file = "responses/000007-GetIndkaldelseVersion1.xml";
  line.bytes = 5123;
  line.sha256 = std::string(64, 'a');
  line.items = 3;
  return line;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(log_line)

BOOST_AUTO_TEST_CASE(response_file_name_is_n_zero_padded_to_six_and_the_call) {
  BOOST_TEST(bridge::shadow::response_file_name(7, "GetIndkaldelseVersion1") ==
             "responses/000007-GetIndkaldelseVersion1.xml");
  BOOST_TEST(bridge::shadow::response_file_name(1234567, "CreateSequence") ==
             "responses/1234567-CreateSequence.xml");
}

BOOST_AUTO_TEST_CASE(get_line_has_the_documented_fields_in_order_on_one_line) {
  const std::string text = to_json_line(get_line());
  BOOST_TEST(text.find('\n') == std::string::npos);
  BOOST_TEST(text ==
             "{\"n\":7,\"at\":\"2026-11-28T04:00:01.456Z\",\"call\":\"GetIndkaldelseVersion1\","
             "\"sequence\":\"1a25015d-46a1-48a2-9203-8929ff2f1094\",\"http_status\":200,"
             "\"file\":\"responses/000007-GetIndkaldelseVersion1.xml\",\"bytes\":5123,"
             "\"sha256\":\"" +
                 std::string(64, 'a') + "\",\"items\":3,\"fault\":null}");
}

BOOST_AUTO_TEST_CASE(create_line_carries_inventory_and_no_items) {
  LogLine line = get_line();
  line.call = "CreateSequence";
  line.items.reset();
  line.inventory = bridge::shadow::Inventory{{"GetIndkaldelseVersion1", 3},
                                             {"GetIndkaldelseshaendelseVersion1", 1}};
  const auto j = nlohmann::json::parse(to_json_line(line));
  BOOST_TEST(!j.contains("items"));
  BOOST_TEST(j["inventory"]["GetIndkaldelseVersion1"] == 3);
  BOOST_TEST(j["inventory"]["GetIndkaldelseshaendelseVersion1"] == 1);
  line.inventory.reset();  // a fault answered: no inventory, but the key stays
  BOOST_TEST(nlohmann::json::parse(to_json_line(line))["inventory"].is_null());
}

BOOST_AUTO_TEST_CASE(terminate_line_has_neither_items_nor_inventory) {
  LogLine line = get_line();
  line.call = "TerminateSequence";
  const auto j = nlohmann::json::parse(to_json_line(line));
  BOOST_TEST(!j.contains("items"));
  BOOST_TEST(!j.contains("inventory"));
}

BOOST_AUTO_TEST_CASE(fault_line_round_trips_with_code_and_string) {
  LogLine line = get_line();
  line.http_status = 500;
  line.items.reset();
  line.fault = bridge::shadow::Fault{"2001", "Unknown or closed sequence \"x\""};
  const auto parsed = parse_log_line(to_json_line(line));
  BOOST_REQUIRE(parsed);
  const LogLine& back = parsed.value();
  BOOST_TEST(!back.successful());
  BOOST_REQUIRE(back.fault.has_value());
  BOOST_TEST(*back.fault->code == "2001");
  BOOST_TEST(back.fault->string == "Unknown or closed sequence \"x\"");
  BOOST_TEST(!back.items.has_value());
  BOOST_TEST(nlohmann::json::parse(to_json_line(line))["items"].is_null());
}

BOOST_AUTO_TEST_CASE(written_line_reads_back_equal) {
  const auto parsed = parse_log_line(to_json_line(get_line()));
  BOOST_REQUIRE(parsed);
  BOOST_TEST(to_json_line(parsed.value()) == to_json_line(get_line()));
  BOOST_TEST(parsed.value().successful());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_a_faultstring_is_replaced_not_thrown) {
  LogLine line = get_line();
  line.fault = bridge::shadow::Fault{std::nullopt, std::string("bad \xff byte")};
  const std::string text = to_json_line(line);
  BOOST_TEST(static_cast<bool>(parse_log_line(text)));
}

BOOST_AUTO_TEST_CASE(malformed_lines_are_errors_that_name_the_problem) {
  BOOST_TEST(!parse_log_line("{\"n\":1,\"at\":\"x\""));
  BOOST_TEST(!parse_log_line("[1,2]"));
  const auto missing = parse_log_line("{\"n\":1,\"at\":\"x\",\"call\":\"CreateSequence\"}");
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().message.find("missing or mistyped") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
