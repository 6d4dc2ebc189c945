// The unit_sim test module: scenario loading and validation (bridge/sim/scenario.cpp,
// step_reader.cpp, resource_shape.cpp) against tests/fixtures/scenarios/ and inline documents.
#define BOOST_TEST_MODULE unit_sim
#include "bridge/sim/scenario.h"

#include "bridge/core/uuid.h"
#include "tests/unit/sim/sim_fixtures.h"

#include <boost/test/unit_test.hpp>

#include <set>

namespace bridge::sim {
namespace {

using test::load_error;
using test::minimal_document;

#define REQUIRE_ERROR_CONTAINS(doc, text)                                                      \
  do {                                                                                         \
    const std::string message = load_error(doc);                                               \
    BOOST_TEST_INFO("error: " << message);                                                     \
    BOOST_TEST(message.find(text) != std::string::npos, "expected '" << text << "' in error"); \
  } while (0)

BOOST_AUTO_TEST_SUITE(scenario)

BOOST_AUTO_TEST_CASE(every_fixture_loads_and_states_an_expectation_for_every_organisation) {
  const auto files = test::scenario_files();
  BOOST_REQUIRE_GE(files.size(), 12u);
  std::set<std::string> names;
  for (const std::string& file : files) {
    BOOST_TEST_CONTEXT(file) {
      Result<Scenario> s = load_scenario_file(file);
      BRIDGE_REQUIRE_OK(s);
      BOOST_TEST(names.insert(s.value().name).second, "scenario name used twice");
      for (const Step& step : s.value().steps) {
        BOOST_TEST_CONTEXT(step.id) {
          BOOST_REQUIRE(step.expect.has_value());
          for (const Organisation& o : s.value().organisations) {
            BOOST_TEST(step.expect->count(o.key) == 1u, "no expectation for " << o.key);
          }
          // An organisation that is pushed nothing cannot be expected to receive anything.
          for (const auto& [key, ops] : *step.expect) {
            bool pushed = false;
            for (const Organisation& r : step.recipients) pushed = pushed || r.key == key;
            if (!pushed) BOOST_TEST(ops.empty(), key << " expects items but is no recipient");
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_create_fixture_carries_the_seed_header_values) {
  const Scenario s = test::load_fixture("create.json");
  BOOST_REQUIRE_EQUAL(s.steps.size(), 1u);
  const Step& step = s.steps[0];
  BOOST_TEST(step.cpr == "1111111111");
  BOOST_TEST(step.haendelsestid == "2024-04-23T12:47:17.154073+02:00");
  BOOST_TEST(step.miljoe == "T3");
  BOOST_TEST(step.registrant.authority.path() == "8/44000");
  BOOST_TEST(step.registrant.brugertype_navn == "Caseworker");
  BOOST_TEST(step.registrant.systemnavn == "Andet");
  BOOST_TEST(step.body->dump() == R"({"Indkaldelsehaendelsestype":3})");
}

BOOST_AUTO_TEST_CASE(omitted_fields_get_their_documented_defaults) {
  Result<Scenario> s = scenario_from_json(minimal_document(), "t.json");
  BRIDGE_REQUIRE_OK(s);
  const Step& step = s.value().steps[0];
  BOOST_TEST(step.besked_identifier == default_besked_identifier("mini", "s1"));
  BOOST_TEST(is_uuid(step.besked_identifier));
  BOOST_TEST(is_uuid(step.korrelations_identifier));
  BOOST_TEST(step.korrelations_identifier != step.besked_identifier);
  BOOST_TEST(step.miljoe == "T3");
  BOOST_TEST(step.layout == Layout::flat);
  BOOST_TEST(step.visible);
  BOOST_TEST(step.await_fetch);
  BOOST_TEST(step.aendringstype_navn == "Create");
  BOOST_TEST(step.registrant.brugertype_navn == "Caseworker");
  BOOST_TEST(step.registrant.brugeremail == "");
  BOOST_TEST(step.registrant.system_id == 1);
  BOOST_TEST(step.registrant.systemnavn == "Andet");
  BOOST_TEST(step.registrant.calling.path() == "8/44000");
  BOOST_TEST(step.resource_given);
}

BOOST_AUTO_TEST_CASE(default_besked_identifier_is_stable_and_differs_per_step) {
  BOOST_TEST(default_besked_identifier("create", "create-1") ==
             default_besked_identifier("create", "create-1"));
  BOOST_TEST(default_besked_identifier("create", "create-1") !=
             default_besked_identifier("create", "create-2"));
  BOOST_TEST(default_besked_identifier("a", "b") != default_besked_identifier("b", "a"));
}

BOOST_AUTO_TEST_CASE(a_missing_required_field_names_the_file_and_pointer) {
  Json doc = minimal_document();
  doc["steps"][0].erase("cpr");
  REQUIRE_ERROR_CONTAINS(doc, "t.json: /steps/0/cpr: is required");
}

BOOST_AUTO_TEST_CASE(an_unknown_recipient_names_the_array_element) {
  Json doc = minimal_document();
  doc["steps"][0]["recipients"] = Json::array({"jc", "kommune"});
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/recipients/1: unknown organisation 'kommune'");
}

BOOST_AUTO_TEST_CASE(an_unknown_member_is_refused_so_typos_do_not_pass) {
  Json doc = minimal_document();
  doc["steps"][0]["recpients"] = Json::array();
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/recpients: unknown member 'recpients'");
}

BOOST_AUTO_TEST_CASE(a_json_syntax_error_names_line_and_column) {
  Result<Scenario> s = parse_scenario("{\n  \"name\": \"x\",\n  \"steps\": [,]\n}", "s.json");
  BOOST_REQUIRE(!s);
  BOOST_TEST_INFO(s.error().message);
  BOOST_TEST(s.error().message.find("s.json:3:13: not valid JSON") == 0u);
  BOOST_TEST(s.error().code == static_cast<int>(SimErrc::scenario_syntax));
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_is_an_error_naming_it) {
  Result<Scenario> s = load_scenario_file("/nonexistent/scenario.json");
  BOOST_REQUIRE(!s);
  BOOST_TEST(s.error().code == static_cast<int>(SimErrc::scenario_unreadable));
  BOOST_TEST(s.error().message.find("/nonexistent/scenario.json") == 0u);
}

BOOST_AUTO_TEST_CASE(a_step_id_used_twice_is_refused) {
  Json doc = minimal_document();
  doc["steps"].push_back(doc["steps"][0]);
  REQUIRE_ERROR_CONTAINS(doc, "/steps/1/id: step id 's1' is used twice");
}

BOOST_AUTO_TEST_CASE(the_seeds_anonymised_identifier_is_a_guid_with_hidden_digits) {
  Json doc = minimal_document();
  doc["steps"][0]["indkaldelse"] = "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600";
  if (doc["steps"][0].contains("resource") && doc["steps"][0]["resource"].is_object()) {
    doc["steps"][0]["resource"]["indkaldelseId"] = "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600";
  }
  Result<Scenario> loaded = scenario_from_json(doc, "t.json");
  BOOST_TEST(static_cast<bool>(loaded), (loaded ? std::string() : loaded.error().message));
}

BOOST_AUTO_TEST_CASE(values_of_the_wrong_form_are_refused) {
  Json doc = minimal_document();
  doc["steps"][0]["indkaldelse"] = "3f0e7c1a-54a7-4f3b-9b81";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/indkaldelse: must be a GUID");
  doc = minimal_document();
  doc["steps"][0]["indkaldelse"] = "zzzzzzzz-54a7-4f3b-9b81-dd2661e45600";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/indkaldelse: must be a GUID");
  doc = minimal_document();
  doc["steps"][0]["cpr"] = "111111-1111";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/cpr: a CPR number is 10 digits");
  doc = minimal_document();
  doc["steps"][0]["haendelsestid"] = "2024-04-23 12:47";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/haendelsestid: must be an ISO 8601 date-time");
  doc = minimal_document();
  doc["steps"][0]["aendringstype"] = "1";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/aendringstype: must be an integer, got string");
  doc = minimal_document();
  doc["organisations"]["ak"]["code"] = 5105;
  REQUIRE_ERROR_CONTAINS(doc, "/organisations/ak/code: must be a string, got integer");
  doc = minimal_document();
  doc["steps"][0]["layout"] = "xml";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/layout: must be \"flat\"");
}

BOOST_AUTO_TEST_CASE(an_unknown_aendringstype_needs_its_name) {
  Json doc = minimal_document();
  doc["steps"][0]["aendringstype"] = 7;
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/aendringstype_navn: is required for aendringstype 7");
  doc["steps"][0]["aendringstype_navn"] = "Merge";
  BRIDGE_REQUIRE_OK(scenario_from_json(doc, "t.json"));
}

BOOST_AUTO_TEST_CASE(haendelsestype_and_body_exclude_each_other) {
  Json doc = minimal_document();
  doc["steps"][0]["body"] = Json::object();
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/body: give either haendelsestype or body");
}

BOOST_AUTO_TEST_CASE(an_unknown_operation_in_expect_is_refused) {
  Json doc = minimal_document();
  doc["steps"][0]["expect"]["jc"] = Json::array({"GetIndkaldelse"});
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/expect/jc/0: must be one of GetIndkaldelseVersion1");
}

BOOST_AUTO_TEST_CASE(a_resource_field_of_the_wrong_type_names_its_pointer) {
  Json doc = minimal_document();
  doc["steps"][0]["resource"]["varighed"] = "30";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/resource/varighed: must be an integer or null");
}

BOOST_AUTO_TEST_CASE(an_unknown_resource_field_is_refused_also_when_nested) {
  Json doc = minimal_document();
  doc["steps"][0]["resource"]["adresse"]["vej"] = "Hans Schacksvej";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/resource/adresse/vej: unknown field 'vej'");
  doc = minimal_document();
  doc["steps"][0]["resource"]["myndighedsdeltagere"] = Json::array({Json{{"name", "x"}}});
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/resource/myndighedsdeltagere/0/name: unknown field");
}

BOOST_AUTO_TEST_CASE(the_resource_must_belong_to_the_steps_indkaldelse) {
  Json doc = minimal_document();
  doc["steps"][0]["resource"]["indkaldelseId"] = "74255320-82ea-4074-8533-4469e6fb77d0";
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/resource/indkaldelseId: is 74255320");
  doc = minimal_document();
  doc["steps"][0]["resource"].erase("status");
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/resource/status: is required in the REST resource");
}

BOOST_AUTO_TEST_CASE(resource_and_resource_patch_exclude_each_other) {
  Json doc = minimal_document();
  doc["steps"][0]["resource_patch"] = Json{{"titel", "x"}};
  REQUIRE_ERROR_CONTAINS(doc, "/steps/0/resource_patch: give either resource or resource_patch");
}

BOOST_AUTO_TEST_CASE(a_patch_needs_an_earlier_resource_of_the_same_indkaldelse) {
  Json doc = minimal_document();
  Json second = doc["steps"][0];
  second["id"] = "s2";
  second["indkaldelse"] = "74255320-82ea-4074-8533-4469e6fb77d0";
  second.erase("resource");
  second["resource_patch"] = Json{{"titel", "Ny titel"}};
  doc["steps"].push_back(second);
  REQUIRE_ERROR_CONTAINS(doc, "/steps/1/resource_patch: no earlier step of indkaldelse");
}

BOOST_AUTO_TEST_SUITE_END()

// RFC 7396 merge patches over the previous state of the same indkaldelse.
BOOST_AUTO_TEST_SUITE(resource_patch)

Json with_second_step(const Json& patch) {
  Json doc = minimal_document();
  Json second = doc["steps"][0];
  second["id"] = "s2";
  second["aendringstype"] = 2;
  second.erase("resource");
  if (!patch.is_null()) second["resource_patch"] = patch;
  doc["steps"].push_back(second);
  return doc;
}

const Step& second_step(const Result<Scenario>& s) { return s.value().steps.at(1); }

BOOST_AUTO_TEST_CASE(a_patch_changes_nested_members_and_keeps_the_rest) {
  Result<Scenario> s = scenario_from_json(
      with_second_step(Json::parse(R"({"titel": "Ny titel", "adresse": {"husnummer": "6"}})")),
      "t.json");
  BRIDGE_REQUIRE_OK(s);
  const Json& r = second_step(s).resource;
  BOOST_TEST(r["titel"] == "Ny titel");
  BOOST_TEST(r["adresse"]["husnummer"] == "6");
  BOOST_TEST(r["adresse"]["vejnavn"] == "Hans Schacksvej");
  BOOST_TEST(r["samtaleType"] == 7);
  BOOST_TEST(second_step(s).resource_given);
  // The first step's state is untouched.
  BOOST_TEST(s.value().steps[0].resource["titel"] == "Jobsamtale");
}

BOOST_AUTO_TEST_CASE(a_null_in_the_patch_removes_the_member) {
  Result<Scenario> s =
      scenario_from_json(with_second_step(Json::parse(R"({"adresse": null})")), "t.json");
  BRIDGE_REQUIRE_OK(s);
  BOOST_TEST(!second_step(s).resource.contains("adresse"));
}

BOOST_AUTO_TEST_CASE(an_array_in_the_patch_replaces_the_whole_array) {
  Result<Scenario> s = scenario_from_json(
      with_second_step(Json::parse(R"({"myndighedsdeltagere": [{"navn": "Lene Dahl"}]})")),
      "t.json");
  BRIDGE_REQUIRE_OK(s);
  BOOST_TEST(second_step(s).resource["myndighedsdeltagere"].dump() == R"([{"navn":"Lene Dahl"}])");
}

BOOST_AUTO_TEST_CASE(a_step_without_resource_keeps_the_previous_state) {
  Result<Scenario> s = scenario_from_json(with_second_step(Json()), "t.json");
  BRIDGE_REQUIRE_OK(s);
  BOOST_TEST(second_step(s).resource == s.value().steps[0].resource);
  BOOST_TEST(!second_step(s).resource_given);
}

BOOST_AUTO_TEST_CASE(a_patched_resource_is_checked_like_a_whole_one) {
  const std::string message = load_error(with_second_step(Json{{"status", "aflyst"}}));
  BOOST_TEST_INFO(message);
  BOOST_TEST(message.find("/steps/1/resource_patch/status: must be an integer") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_update_fixture_chains_its_patches) {
  const Scenario s = test::load_fixture("update.json");
  BOOST_REQUIRE_EQUAL(s.steps.size(), 3u);
  BOOST_TEST(s.steps[0].resource["starttidspunkt"] == "2024-05-14T10:00:00+02:00");
  BOOST_TEST(s.steps[1].resource["starttidspunkt"] == "2024-05-16T13:00:00+02:00");
  BOOST_TEST(s.steps[2].resource["starttidspunkt"] == "2024-05-16T13:00:00+02:00");
  BOOST_TEST(s.steps[2].resource["afholdelsesform"] == 8);
  BOOST_TEST(s.steps[1].resource["afholdelsesform"] == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace bridge::sim
