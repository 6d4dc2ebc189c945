// Tests bridge/report/csv.cpp: RFC 4180 quoting and the files written.
#include "bridge/report/report.h"

#include <boost/test/unit_test.hpp>

using bridge::report::csv_field;
using bridge::report::csv_record;

BOOST_AUTO_TEST_SUITE(csv)

BOOST_AUTO_TEST_CASE(plain_fields_are_not_quoted) {
  BOOST_TEST(csv_field("GetIndkaldelseVersion1") == "GetIndkaldelseVersion1");
  BOOST_TEST(csv_field("") == "");
  BOOST_TEST(csv_field("a b") == "a b");
}

BOOST_AUTO_TEST_CASE(commas_quotes_and_line_breaks_are_quoted_and_quotes_doubled) {
  BOOST_TEST(csv_field("a,b") == "\"a,b\"");
  BOOST_TEST(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  BOOST_TEST(csv_field("one\ntwo") == "\"one\ntwo\"");
  BOOST_TEST(csv_field("cr\r") == "\"cr\r\"");
  BOOST_TEST(csv_field(" padded") == "\" padded\"");
}

BOOST_AUTO_TEST_CASE(records_end_with_crlf) {
  BOOST_TEST(csv_record({"a", "b,c", ""}) == "a,\"b,c\",\r\n");
}

BOOST_AUTO_TEST_SUITE_END()
