#include "bridge/sim/wsb_builder.h"

#include "bridge/sim/json_fields.h"
#include "tests/unit/sim/sim_fixtures.h"

#include <boost/test/unit_test.hpp>

#include <utility>

namespace bridge::sim {
namespace {

// The seed's anonymised GUIDs and the real ones create.json uses in their place.
const std::pair<std::string, std::string> kAnonymised[] = {
    {"5d1e2f3a-b4a7-44c7-9a30-8e89f52e575d", "xxxxxxxx-b4a7-44c7-9a30-8e89f52e575d"},
    {"9a7b3c2d-53f2-4f3d-b21a-e94494ec338c", "xxxxxxxx-53f2-4f3d-b21a-e94494ec338c"},
    {"3f0e7c1a-54a7-4f3b-9b81-dd2661e45600", "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600"},
    {"e3c1f0a2-7b4d-4c59-8e1f-2a6b9d0c4e71", "exxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"},
};

std::string anonymise(std::string text) {
  for (const auto& [real, seed] : kAnonymised) {
    const std::size_t at = text.find(real);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, real + " not in the WSB");
    text.replace(at, real.size(), seed);
  }
  return text;
}

// "object{Oprindelse:object{…},BeskedIdentifier:string,…}": member names, order and JSON types.
std::string shape(const Json& v) {
  if (v.is_object()) {
    std::string out = "object{";
    for (const auto& [key, member] : v.items()) out += key + ":" + shape(member) + ",";
    return out + "}";
  }
  return json_type_name(v);
}

Json seed_header() {
  Json flat = Json::parse(test::read_file("tests/fixtures/wsb/seed_flat_with_body.json"));
  flat.erase("Body");
  return flat;
}

Step step_of(const std::string& fixture, std::size_t index = 0) {
  return test::load_fixture(fixture).steps.at(index);
}

BOOST_AUTO_TEST_SUITE(wsb_builder)

BOOST_AUTO_TEST_CASE(the_create_fixture_is_the_seed_byte_for_byte_flat) {
  const Step step = step_of("create.json");
  BOOST_TEST(anonymise(wsb_text(step)) ==
             test::read_file("tests/fixtures/wsb/seed_flat_with_body.json"));
}

BOOST_AUTO_TEST_CASE(the_create_fixture_is_the_seed_byte_for_byte_as_two_texts) {
  Step step = step_of("create.json");
  step.layout = Layout::pair;
  BOOST_TEST(anonymise(wsb_text(step)) ==
             test::read_file("tests/fixtures/wsb/seed_header_and_body.json"));
}

BOOST_AUTO_TEST_CASE(every_fixture_step_has_the_seeds_header_fields_order_and_types) {
  const std::string expected = shape(seed_header());
  for (const std::string& file : test::scenario_files()) {
    Result<Scenario> s = load_scenario_file(file);
    BRIDGE_REQUIRE_OK(s);
    for (const Step& step : s.value().steps) {
      BOOST_TEST_CONTEXT(file << " " << step.id) {
        BOOST_TEST(shape(wsb_header(step)) == expected);
        if (step.body)
          BOOST_TEST(shape(*step.body) == "object{Indkaldelsehaendelsestype:integer,}");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(header_values_come_from_the_step) {
  const Step step = step_of("joint_participants.json", 1);
  const Json h = wsb_header(step);
  BOOST_TEST(h["Oprindelse"]["RegistrerendeMyndighed"].dump() ==
             R"({"OrganisationType":9,"OrganisationKode":"5105"})");
  BOOST_TEST(h["Oprindelse"]["RegistrerendeBruger"]["KaldendeMyndighed"]["OrganisationKode"] ==
             "5105");
  BOOST_TEST(h["EksternIdentifier"] == step.indkaldelse);
  BOOST_TEST(h["Identifikation"] == step.cpr);
  BOOST_TEST(h["AendringstypeId"] == 2);
  BOOST_TEST(h["AendringstypeNavn"] == "Update");
  BOOST_TEST(h["EntitetstypeId"] == 90000);
  BOOST_TEST(h["VersionIdentifier"].is_null());
  BOOST_TEST(h["BeskedIdentifier"] ==
             default_besked_identifier("joint_participants", "participant"));
}

BOOST_AUTO_TEST_CASE(a_step_without_haendelsestype_has_no_body_in_any_layout) {
  Step step = step_of("delete.json", 1);
  BOOST_REQUIRE(!step.body.has_value());
  const std::string header = wsb_header(step).dump();
  step.layout = Layout::flat;
  BOOST_TEST(wsb_text(step) == header + "\n");
  BOOST_TEST(!Json::parse(wsb_text(step)).contains("Body"));
  step.layout = Layout::pair;
  BOOST_TEST(wsb_text(step) == header + "\n");
  step.layout = Layout::header_body;
  BOOST_TEST(wsb_text(step) == "{\"Header\":" + header + "}\n");
  step.layout = Layout::array;
  BOOST_TEST(wsb_text(step) == "[" + header + ",{}]\n");
}

BOOST_AUTO_TEST_CASE(header_body_and_array_layouts_carry_header_and_body) {
  Step step = step_of("create.json");
  const std::string header = wsb_header(step).dump();
  step.layout = Layout::header_body;
  BOOST_TEST(wsb_text(step) ==
             "{\"Header\":" + header + ",\"Body\":{\"Indkaldelsehaendelsestype\":3}}\n");
  step.layout = Layout::array;
  BOOST_TEST(wsb_text(step) == "[" + header + ",{\"Indkaldelsehaendelsestype\":3}]\n");
}

BOOST_AUTO_TEST_CASE(an_explicit_body_object_is_sent_as_given) {
  Json doc = test::minimal_document();
  doc["steps"][0].erase("haendelsestype");
  doc["steps"][0]["body"] = Json{{"indkaldelseshaendelsestype", 3}};
  Result<Scenario> s = scenario_from_json(doc, "t.json");
  BRIDGE_REQUIRE_OK(s);
  const Json sent = Json::parse(wsb_text(s.value().steps[0]));
  BOOST_TEST(sent["Body"].dump() == R"({"indkaldelseshaendelsestype":3})");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace bridge::sim
