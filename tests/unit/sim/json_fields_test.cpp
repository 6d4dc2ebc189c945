#include "bridge/sim/json_fields.h"

#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>

namespace bridge::sim {
namespace {

BOOST_AUTO_TEST_SUITE(json_fields)

BOOST_AUTO_TEST_CASE(pointers_escape_tilde_and_slash) {
  BOOST_TEST(pointer_to("", "steps") == "/steps");
  BOOST_TEST(pointer_to("/steps", 3) == "/steps/3");
  BOOST_TEST(pointer_to("/organisations", "a/b~c") == "/organisations/a~1b~0c");
}

BOOST_AUTO_TEST_CASE(type_names_tell_integers_from_other_numbers) {
  BOOST_TEST(json_type_name(Json(3)) == "integer");
  BOOST_TEST(json_type_name(Json(3.5)) == "number");
  BOOST_TEST(json_type_name(Json("x")) == "string");
  BOOST_TEST(json_type_name(Json()) == "null");
}

BOOST_AUTO_TEST_CASE(the_first_error_is_kept) {
  FieldReader r("f.json");
  const Json doc = Json::parse(R"({"a": "x", "b": 1})");
  BOOST_TEST(!r.integer(doc, "", "a", true).has_value());
  BOOST_TEST(!r.string(doc, "", "b", true).has_value());
  BOOST_TEST(r.failed());
  BOOST_TEST(r.error().message == "f.json: /a: must be an integer, got string");
  BOOST_TEST((r.error().domain == ErrorDomain::config));
}

BOOST_AUTO_TEST_CASE(optional_members_may_be_absent) {
  FieldReader r("f.json");
  const Json doc = Json::parse(R"({"a": true})");
  BOOST_TEST(!r.string(doc, "", "missing", false).has_value());
  BOOST_TEST(r.boolean(doc, "", "a", true).value());
  BOOST_TEST(!r.failed());
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_line_and_column) {
  Result<Json> r = parse_json_text("{\"a\": 1,\n \"b\": tru}", "x.json");
  BOOST_REQUIRE(!r);
  BOOST_TEST_INFO(r.error().message);
  BOOST_TEST(r.error().message.find("x.json:2:") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace bridge::sim
