// Tests bridge/wsb/parse.cpp (with json_texts.cpp and header_fields.cpp) against contract.md §4.1
// and domain.md §3.4-3.6, on the fixtures in tests/fixtures/wsb/. This file also defines the
// unit_wsb test module.
#define BOOST_TEST_MODULE unit_wsb
#include "bridge/wsb/wsb.h"
#include "tests/unit/support/result.h"
#include "tests/unit/wsb/fixtures.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace {

using bridge::ErrorDomain;
using bridge::wsb::Document;
using bridge::wsb::Layout;
using bridge::wsb::parse;
using bridge::wsb::WsbErrc;
using bridge::wsb::test::describe_problems;
using bridge::wsb::test::epoch_us;
using bridge::wsb::test::find_problem;
using bridge::wsb::test::parse_fixture;
using bridge::wsb::test::read_fixture;
using nlohmann::json;

// 2024-04-23T12:47:17.154073+02:00 = 2024-04-23T10:47:17.154073Z
constexpr std::int64_t kSeedHaendelsesTidUs = 1713869237154073;

// The seed as the page shows it: header, blank line, body.
Document seed() { return parse_fixture("seed_header_and_body.json"); }

// The problem at `pointer`, or a failed test case naming all problems.
const bridge::wsb::Problem& require_problem(const Document& document, const std::string& pointer) {
  const bridge::wsb::Problem* problem = find_problem(document, pointer);
  BOOST_REQUIRE_MESSAGE(problem != nullptr,
                        "no problem at " + pointer + ": " + describe_problems(document));
  return *problem;
}

void require_no_problems(const Document& document) {
  BOOST_REQUIRE_MESSAGE(document.problems.empty(), describe_problems(document));
}

std::string error_message_of(const std::string& bytes) {
  const auto result = parse(bytes);
  BOOST_REQUIRE(!result);
  return result.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parse_layouts)

BOOST_AUTO_TEST_CASE(seed_example_parses_with_all_header_fields) {
  const Document d = seed();
  require_no_problems(d);
  const bridge::wsb::Header& h = d.fields;
  BOOST_REQUIRE(h.registrerende_myndighed.has_value());
  BOOST_TEST(h.registrerende_myndighed->type == 8);
  BOOST_TEST(h.registrerende_myndighed->code == "44000");
  BOOST_TEST(h.brugertype_id == 2);
  BOOST_TEST(h.brugertype_navn == "Caseworker");
  BOOST_TEST(h.brugernavn == "xxxxxx");
  BOOST_TEST(h.brugeridentifikation == "exxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
  BOOST_TEST(h.brugeremail == "xxxxxx@netcompany.com");
  BOOST_REQUIRE(h.kaldende_myndighed.has_value());
  BOOST_TEST(h.kaldende_myndighed->type == 8);
  BOOST_TEST(h.kaldende_myndighed->code == "44000");
  BOOST_TEST(h.system_id == 1);
  BOOST_TEST(h.systemnavn == "Andet");
  BOOST_TEST(h.besked_identifier == "xxxxxxxx-b4a7-44c7-9a30-8e89f52e575d");
  BOOST_TEST(h.haendelses_tid == "2024-04-23T12:47:17.154073+02:00");
  BOOST_REQUIRE(h.haendelses_tid_utc.has_value());
  BOOST_TEST(epoch_us(*h.haendelses_tid_utc) == kSeedHaendelsesTidUs);
  BOOST_TEST(h.miljoe == "T3");
  BOOST_TEST(h.korrelations_identifier == "xxxxxxxx-53f2-4f3d-b21a-e94494ec338c");
  BOOST_TEST(h.entitetstype_id == 90000);
  BOOST_TEST(h.entitetstype_navn == "Indkaldelse");
  BOOST_TEST(h.ekstern_identifier == "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600");
  BOOST_TEST(!h.version_identifier.has_value());
  BOOST_TEST(h.identifikation == "1111111111");
  BOOST_TEST(h.identifikationstype_id == 1);
  BOOST_TEST(h.identifikationstype_navn == "CPR");
  BOOST_TEST(h.aendringstype_id == 1);
  BOOST_TEST(h.aendringstype_navn == "Create");
  BOOST_TEST(h.indkaldelsehaendelsestype == 3);
}

BOOST_AUTO_TEST_CASE(seed_as_two_concatenated_texts_is_the_pair_layout) {
  const Document d = seed();
  BOOST_TEST(d.layout == Layout::pair);
  BOOST_TEST(d.header.size() == 14u);  // Oprindelse and 13 more
  BOOST_TEST(d.header.at("VersionIdentifier").is_null());
  BOOST_TEST(d.body == json::parse(R"({"Indkaldelsehaendelsestype":3})"));
}

BOOST_AUTO_TEST_CASE(flat_layout_takes_body_out_of_the_header) {
  const Document d = parse_fixture("seed_flat_with_body.json");
  require_no_problems(d);
  BOOST_TEST(d.layout == Layout::flat);
  BOOST_TEST(!d.header.contains("Body"));
  BOOST_TEST(d.header == seed().header);
  BOOST_TEST(d.body == seed().body);
  BOOST_TEST(d.fields.indkaldelsehaendelsestype == 3);
}

BOOST_AUTO_TEST_CASE(header_body_object_layout_gives_the_seed_header_and_body) {
  const Document d = parse_fixture("seed_header_body_object.json");
  require_no_problems(d);
  BOOST_TEST(d.layout == Layout::header_body);
  BOOST_TEST(d.header == seed().header);
  BOOST_TEST(d.body == seed().body);
  BOOST_TEST(d.fields.ekstern_identifier == "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600");
}

BOOST_AUTO_TEST_CASE(pair_array_layout_gives_the_seed_header_and_body) {
  const Document d = parse_fixture("seed_pair_array.json");
  require_no_problems(d);
  BOOST_TEST(d.layout == Layout::pair);
  BOOST_TEST(d.header == seed().header);
  BOOST_TEST(d.body == seed().body);
}

BOOST_AUTO_TEST_CASE(flat_layout_without_body_has_a_null_body_and_no_problem) {
  const Document d = parse_fixture("flat_without_body.json");
  require_no_problems(d);
  BOOST_TEST(d.layout == Layout::flat);
  BOOST_TEST(d.body.is_null());
  BOOST_TEST(!d.fields.indkaldelsehaendelsestype.has_value());
}

BOOST_AUTO_TEST_CASE(header_body_layout_without_body_has_a_null_body) {
  const Document d = parse_fixture("header_body_without_body.json");
  require_no_problems(d);
  BOOST_TEST(d.layout == Layout::header_body);
  BOOST_TEST(d.body.is_null());
}

BOOST_AUTO_TEST_CASE(members_next_to_header_and_body_are_reported_at_the_root) {
  const Document d = parse_fixture("header_body_with_extra_member.json");
  BOOST_TEST(d.layout == Layout::header_body);
  BOOST_TEST(d.problems.size() == 1u, describe_problems(d));
  BOOST_TEST(require_problem(d, "").message.find("Signatur") != std::string::npos);
  BOOST_TEST(d.header == seed().header);
}

BOOST_AUTO_TEST_CASE(body_that_is_not_an_object_is_kept_and_reported) {
  const auto result = parse(R"({"Header": {}, "Body": "ingen"})");
  BRIDGE_REQUIRE_OK(result);
  const Document& d = result.value();
  BOOST_TEST(d.body == json("ingen"));
  BOOST_TEST(require_problem(d, "/Body").message == "must be an object, not a string");
}

BOOST_AUTO_TEST_CASE(utf8_byte_order_mark_is_skipped) {
  const Document d = parse_fixture("seed_header_with_utf8_bom.json");
  require_no_problems(d);
  BOOST_TEST(d.layout == Layout::flat);
  BOOST_TEST(d.header == seed().header);
}

BOOST_AUTO_TEST_CASE(layout_names_are_stable) {
  BOOST_TEST(std::string(to_string(Layout::flat)) == "flat");
  BOOST_TEST(std::string(to_string(Layout::header_body)) == "header_body");
  BOOST_TEST(std::string(to_string(Layout::pair)) == "pair");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(parse_errors)

BOOST_AUTO_TEST_CASE(not_json_is_an_error_naming_the_offset) {
  const auto result = parse(read_fixture("not_json.txt"));
  BRIDGE_REQUIRE_ERROR(result, ErrorDomain::wsb, WsbErrc::not_json);
  BOOST_TEST(result.error().message.find("byte offset 0 (line 1, column 1)") != std::string::npos,
             result.error().message);
}

BOOST_AUTO_TEST_CASE(not_json_error_never_quotes_the_input) {
  // The fixture holds an (anonymised) CPR number; parse errors end up in logs.
  const std::string message = error_message_of(read_fixture("not_json.txt"));
  BOOST_TEST(message.find("1111111111") == std::string::npos, message);
  BOOST_TEST(message.find("last read") == std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(truncated_header_is_not_json_at_the_byte_where_it_breaks) {
  // The fixture is the seed header cut after 120 bytes, inside a string, then a newline.
  const auto result = parse(read_fixture("truncated_header.json"));
  BRIDGE_REQUIRE_ERROR(result, ErrorDomain::wsb, WsbErrc::not_json);
  BOOST_TEST(result.error().message.find("byte offset 120 ") != std::string::npos,
             result.error().message);
}

BOOST_AUTO_TEST_CASE(error_in_the_second_text_counts_from_the_start_of_the_input) {
  // 853 bytes of header, a blank line, then a body cut after its key: 885 bytes in all.
  const auto result = parse(read_fixture("seed_header_and_body_second_truncated.json"));
  BRIDGE_REQUIRE_ERROR(result, ErrorDomain::wsb, WsbErrc::not_json);
  BOOST_TEST(result.error().message.find("byte offset 885 (line 4, column 1)") != std::string::npos,
             result.error().message);
}

BOOST_AUTO_TEST_CASE(three_concatenated_texts_are_not_json_at_the_third) {
  const auto result = parse(read_fixture("three_concatenated_texts.json"));
  BRIDGE_REQUIRE_ERROR(result, ErrorDomain::wsb, WsbErrc::not_json);
  BOOST_TEST(result.error().message.find("byte offset 888 ") != std::string::npos,
             result.error().message);
}

BOOST_AUTO_TEST_CASE(empty_input_is_not_json) {
  BRIDGE_REQUIRE_ERROR(parse(""), ErrorDomain::wsb, WsbErrc::not_json);
  BRIDGE_REQUIRE_ERROR(parse(" \r\n"), ErrorDomain::wsb, WsbErrc::not_json);
}

BOOST_AUTO_TEST_CASE(json_but_string_is_not_a_document) {
  const auto result = parse(read_fixture("json_but_string.json"));
  BRIDGE_REQUIRE_ERROR(result, ErrorDomain::wsb, WsbErrc::not_a_document);
  BOOST_TEST(result.error().message.find("a string") != std::string::npos, result.error().message);
}

BOOST_AUTO_TEST_CASE(array_of_three_is_not_a_document) {
  const auto result = parse(read_fixture("pair_array_of_three.json"));
  BRIDGE_REQUIRE_ERROR(result, ErrorDomain::wsb, WsbErrc::not_a_document);
  BOOST_TEST(result.error().message.find("3 elements") != std::string::npos,
             result.error().message);
}

BOOST_AUTO_TEST_CASE(pair_array_with_a_string_body_is_not_a_document) {
  BRIDGE_REQUIRE_ERROR(parse(read_fixture("pair_array_with_string_body.json")), ErrorDomain::wsb,
                       WsbErrc::not_a_document);
}

BOOST_AUTO_TEST_CASE(object_followed_by_a_number_is_not_a_document) {
  BRIDGE_REQUIRE_ERROR(parse(read_fixture("two_texts_object_then_number.json")), ErrorDomain::wsb,
                       WsbErrc::not_a_document);
}

BOOST_AUTO_TEST_CASE(nesting_deeper_than_64_levels_is_not_json_without_overflowing_the_stack) {
  const std::string nested = std::string(100000, '[') + std::string(100000, ']');
  const auto result = parse(nested);
  BRIDGE_REQUIRE_ERROR(result, ErrorDomain::wsb, WsbErrc::not_json);
  BOOST_TEST(result.error().message.find("byte offset 64 ") != std::string::npos,
             result.error().message);
  // Brackets inside strings do not count.
  const std::string in_string = R"({"NytFelt": ")" + std::string(1000, '[') + R"("})";
  BRIDGE_REQUIRE_OK(parse(in_string));
  // 64 levels are still JSON (here: an array that is no document); 65 are not.
  BRIDGE_REQUIRE_ERROR(parse(std::string(64, '[') + std::string(64, ']')), ErrorDomain::wsb,
                       WsbErrc::not_a_document);
  BRIDGE_REQUIRE_ERROR(parse(std::string(65, '[') + std::string(65, ']')), ErrorDomain::wsb,
                       WsbErrc::not_json);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(parse_header_fields)

BOOST_AUTO_TEST_CASE(null_version_identifier_is_fine) {
  const Document d = parse_fixture("version_identifier_null.json");
  require_no_problems(d);
  BOOST_TEST(!d.fields.version_identifier.has_value());
}

BOOST_AUTO_TEST_CASE(string_version_identifier_is_kept) {
  const Document d = parse_fixture("version_identifier_string.json");
  require_no_problems(d);
  BOOST_TEST(d.fields.version_identifier == "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600");
}

BOOST_AUTO_TEST_CASE(unknown_haendelsestype_passes_through) {
  const Document d = parse_fixture("unknown_haendelsestype.json");
  require_no_problems(d);
  BOOST_TEST(d.fields.indkaldelsehaendelsestype == 999);
}

BOOST_AUTO_TEST_CASE(haendelsestype_key_spelled_with_an_s_is_matched) {
  const Document d = parse_fixture("body_key_indkaldelseshaendelsestype.json");
  require_no_problems(d);
  BOOST_TEST(d.fields.indkaldelsehaendelsestype == 4);
}

BOOST_AUTO_TEST_CASE(haendelsestype_key_is_matched_ignoring_case) {
  const Document d = parse_fixture("body_key_lower_case.json");
  require_no_problems(d);
  BOOST_TEST(d.fields.indkaldelsehaendelsestype == 5);
}

BOOST_AUTO_TEST_CASE(haendelsestype_key_in_a_flat_header_is_found_when_there_is_no_body) {
  const auto result = parse(R"({"Indkaldelseshaendelse": 6})");
  BRIDGE_REQUIRE_OK(result);
  BOOST_TEST(result.value().fields.indkaldelsehaendelsestype == 6);
}

BOOST_AUTO_TEST_CASE(haendelsestype_as_a_string_is_a_problem_at_the_body_pointer) {
  const Document d = parse_fixture("body_haendelsestype_string.json");
  BOOST_TEST(!d.fields.indkaldelsehaendelsestype.has_value());
  BOOST_TEST(require_problem(d, "/Body/Indkaldelsehaendelsestype").message ==
             "must be an integer, not a string");
}

BOOST_AUTO_TEST_CASE(unknown_extra_fields_are_kept_in_the_header_json) {
  const Document d = parse_fixture("unknown_extra_fields.json");
  require_no_problems(d);
  BOOST_TEST(d.header.at("NytFelt") == json("ny værdi"));
  BOOST_TEST(d.header.at("/Oprindelse/RegistrerendeBruger/Telefon"_json_pointer) ==
             json("+4512345678"));
  BOOST_TEST(d.body.at("Deltagelsesvalg") == json(2));
  BOOST_TEST(d.fields.indkaldelsehaendelsestype == 3);
  BOOST_TEST(d.fields.ekstern_identifier == "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600");
}

BOOST_AUTO_TEST_CASE(missing_ekstern_identifier_is_a_problem_naming_the_field) {
  const Document d = parse_fixture("missing_ekstern_identifier.json");
  BOOST_TEST(d.problems.size() == 1u, describe_problems(d));
  BOOST_TEST(require_problem(d, "/EksternIdentifier").message == "is missing");
  BOOST_TEST(d.fields.ekstern_identifier.empty());
}

BOOST_AUTO_TEST_CASE(number_organisationkode_is_a_problem_naming_pointer_and_types) {
  const Document d = parse_fixture("wrong_type_organisationkode_number.json");
  BOOST_TEST(d.problems.size() == 1u, describe_problems(d));
  BOOST_TEST(require_problem(d, "/Oprindelse/RegistrerendeMyndighed/OrganisationKode").message ==
             "must be a string, not a number");
  BOOST_TEST(!d.fields.registrerende_myndighed.has_value());
  BOOST_TEST(d.fields.kaldende_myndighed.has_value());
  // The mistyped value itself is still in the header JSON.
  BOOST_TEST(d.header.at("/Oprindelse/RegistrerendeMyndighed/OrganisationKode"_json_pointer) ==
             json(44000));
}

BOOST_AUTO_TEST_CASE(string_entitetstypeid_is_a_problem) {
  const Document d = parse_fixture("wrong_type_entitetstypeid_string.json");
  BOOST_TEST(require_problem(d, "/EntitetstypeId").message == "must be an integer, not a string");
  BOOST_TEST(!d.fields.entitetstype_id.has_value());
}

BOOST_AUTO_TEST_CASE(missing_oprindelse_is_one_problem_not_one_per_nested_field) {
  const Document d = parse_fixture("missing_oprindelse.json");
  BOOST_TEST(d.problems.size() == 1u, describe_problems(d));
  BOOST_TEST(require_problem(d, "/Oprindelse").message == "is missing");
}

BOOST_AUTO_TEST_CASE(integral_fraction_is_an_integer_but_a_real_fraction_is_a_problem) {
  const auto whole = parse(R"({"EntitetstypeId": 90000.0, "SystemId": 1.5})");
  BRIDGE_REQUIRE_OK(whole);
  BOOST_TEST(whole.value().fields.entitetstype_id == 90000);
  BOOST_TEST(find_problem(whole.value(), "/EntitetstypeId") == nullptr);
  // SystemId sits below Oprindelse, which is missing, so try it at the top level instead.
  const auto fraction = parse(R"({"AendringstypeId": 1.5})");
  BRIDGE_REQUIRE_OK(fraction);
  BOOST_TEST(require_problem(fraction.value(), "/AendringstypeId").message ==
             "must be an integer, not 1.5");
}

BOOST_AUTO_TEST_CASE(integer_out_of_int_range_is_a_problem) {
  const auto result = parse(R"({"EntitetstypeId": 99999999999})");
  BRIDGE_REQUIRE_OK(result);
  BOOST_TEST(require_problem(result.value(), "/EntitetstypeId").message.find("99999999999") !=
             std::string::npos);
  BOOST_TEST(!result.value().fields.entitetstype_id.has_value());
}

BOOST_AUTO_TEST_CASE(empty_object_reports_every_header_field_missing) {
  const auto result = parse("{}");
  BRIDGE_REQUIRE_OK(result);
  // Oprindelse and the 13 top-level fields after it; nothing below the missing Oprindelse.
  BOOST_TEST(result.value().problems.size() == 14u, describe_problems(result.value()));
}

BOOST_AUTO_TEST_CASE(seven_fraction_digits_are_accepted) {
  const Document d = parse_fixture("haendelsestid_7_fraction_digits.json");
  require_no_problems(d);
  BOOST_REQUIRE(d.fields.haendelses_tid_utc.has_value());
  BOOST_TEST(d.fields.haendelses_tid_utc->time_since_epoch().count() ==
             kSeedHaendelsesTidUs * 1000 + 400);
}

BOOST_AUTO_TEST_CASE(haendelsestid_without_fraction_in_utc_is_accepted) {
  const Document d = parse_fixture("haendelsestid_no_fraction_z.json");
  require_no_problems(d);
  BOOST_REQUIRE(d.fields.haendelses_tid_utc.has_value());
  BOOST_TEST(epoch_us(*d.fields.haendelses_tid_utc) == 1713869237000000);
}

BOOST_AUTO_TEST_CASE(haendelsestid_without_offset_is_a_problem_quoting_the_value) {
  const Document d = parse_fixture("haendelsestid_without_offset.json");
  BOOST_TEST(!d.fields.haendelses_tid_utc.has_value());
  BOOST_TEST(d.fields.haendelses_tid == "2024-04-23T12:47:17.154073");
  BOOST_TEST(require_problem(d, "/HaendelsesTid").message.find("'2024-04-23T12:47:17.154073'") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
