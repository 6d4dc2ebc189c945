// Tests bridge/mapping/transform.cpp: code lists (unknown codes pass through and are counted;
// translated legacy values both ways) and the backward reading of legacy lexical forms.
#include "bridge/mapping/mapping.h"
#include "tests/unit/mapping/fixtures.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <string>

namespace {

using bridge::mapping::MappingSet;
using bridge::test::TempDir;
using namespace bridge::mapping::test;

// The text of the element at `path` in the item an operation writes for `in`.
std::string forward_text(const MappingSet& set, const std::string& op, const Inputs& in,
                         const std::string& path) {
  auto out = set.forward(op, in.sources());
  BRIDGE_REQUIRE_OK(out);
  pugi::xml_document doc;
  const std::string xml = wrap_item(*set.info(op), out.value().item_xml);
  BOOST_REQUIRE(doc.load_string(xml.c_str()));
  const pugi::xml_node node = find_path(item_of(doc), path);
  BOOST_REQUIRE_MESSAGE(node, path + " is missing in " + xml);
  return node.text().get();
}

json backward_view(const MappingSet& set, const std::string& op, const Inputs& in) {
  auto out = set.forward(op, in.sources());
  BRIDGE_REQUIRE_OK(out);
  auto back = set.backward(op, out.value().item_xml);
  BRIDGE_REQUIRE_OK(back);
  return back.value().view;
}

json samtaletype_back(const MappingSet& set, const std::string& op, const Inputs& in) {
  const json view = backward_view(set, op, in);
  return value_at(&view, "/indkaldelse/samtaleType"_json_pointer);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(code_lists)

BOOST_AUTO_TEST_CASE(unknown_samtaletype_passes_through_and_is_counted) {
  const auto set = load_real();
  const auto& samtaletype = set->codelists().at("samtaletype");
  BOOST_REQUIRE(samtaletype.find("99") == nullptr);
  Inputs in = seed_inputs();
  in.indkaldelse["samtaleType"] = 99;
  const auto before = samtaletype.unknown_count();
  // One samtaletype row in each table: one count per forward.
  BOOST_TEST(forward_text(*set, "GetIndkaldelseVersion1", in, "InterviewTypeIdentifier") == "99");
  BOOST_TEST(samtaletype.unknown_count() == before + 1);
  BOOST_TEST(forward_text(*set, "GetIndkaldelseshaendelseVersion1", in,
                          "InterviewTypeIdentifier") == "99");
  BOOST_TEST(samtaletype.unknown_count() == before + 2);
  // A known code is not counted.
  in.indkaldelse["samtaleType"] = 7;
  BOOST_TEST(forward_text(*set, "GetIndkaldelseVersion1", in, "InterviewTypeIdentifier") == "7");
  BOOST_TEST(samtaletype.unknown_count() == before + 2);
}

BOOST_AUTO_TEST_CASE(unknown_haendelsestype_passes_through_both_ways) {
  const auto set = load_real();
  const auto& list = set->codelists().at("indkaldelsehaendelsestype");
  Inputs in = seed_inputs();
  in.wsb["Body"]["Indkaldelsehaendelsestype"] = 4711;
  const auto before = list.unknown_count();
  const json view = backward_view(*set, "GetIndkaldelseshaendelseVersion1", in);
  BOOST_TEST(value_at(&view, "/wsb/Body/Indkaldelsehaendelsestype"_json_pointer) == 4711);
  // Counted once forward and once backward.
  BOOST_TEST(list.unknown_count() == before + 2);
  // Other lists are not touched by it.
  BOOST_TEST(set->codelists().at("status").unknown_count() == 0);
}

BOOST_AUTO_TEST_CASE(code_list_with_a_different_legacy_value_translates_both_ways) {
  TempDir dir;
  const std::string mappings = dir.file("mappings");
  copy_tree(real_mappings_dir(), mappings);
  fs::copy_file(source_path("tests/fixtures/mapping/codelists/samtaletype_translated.toml"),
                mappings + "/codelists/samtaletype.toml", fs::copy_options::overwrite_existing);
  const auto set = load_ok(mappings, real_xsd_dir());
  const auto& list = set->codelists().at("samtaletype");
  Inputs in = seed_inputs();
  BOOST_REQUIRE(in.indkaldelse["samtaleType"] == 7);
  for (const char* op : {"GetIndkaldelseVersion1", "GetIndkaldelseshaendelseVersion1"}) {
    BOOST_TEST_CONTEXT(op) {
      BOOST_TEST(forward_text(*set, op, in, "InterviewTypeIdentifier") == "107");
      BOOST_TEST(samtaletype_back(*set, op, in) == 7);
    }
  }
  in.indkaldelse["samtaleType"] = 4;
  BOOST_TEST(forward_text(*set, "GetIndkaldelseVersion1", in, "InterviewTypeIdentifier") == "104");
  BOOST_TEST(samtaletype_back(*set, "GetIndkaldelseVersion1", in) == 4);
  BOOST_TEST(list.unknown_count() == 0);
  // A code this list does not know still passes through unchanged, both ways.
  in.indkaldelse["samtaleType"] = 9;
  BOOST_TEST(forward_text(*set, "GetIndkaldelseVersion1", in, "InterviewTypeIdentifier") == "9");
  BOOST_TEST(samtaletype_back(*set, "GetIndkaldelseVersion1", in) == 9);
  BOOST_TEST(list.unknown_count() == 3);  // forward_text, then forward and backward
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(backward_lexical_forms)

BOOST_AUTO_TEST_CASE(legacy_booleans_one_and_zero_read_as_true_and_false) {
  const auto set = load_real();
  Inputs in = seed_inputs();
  auto out = set->forward("GetIndkaldelseVersion1", in.sources());
  BRIDGE_REQUIRE_OK(out);
  // xsd:boolean also allows 1 and 0; a recorded legacy item may use them.
  std::string xml = out.value().item_xml;
  xml = replace_all(xml, ">true</ReBookingPossible>", ">1</ReBookingPossible>");
  xml = replace_all(xml, ">false</SelfBooked>", ">0</SelfBooked>");
  auto back = set->backward("GetIndkaldelseVersion1", xml);
  BRIDGE_REQUIRE_OK(back);
  BOOST_TEST(back.value().problems.empty());
  const json& view = back.value().view;
  BOOST_TEST(value_at(&view, "/indkaldelse/ombookingMulig"_json_pointer) == true);
  BOOST_TEST(value_at(&view, "/indkaldelse/selvbooket"_json_pointer) == false);
}

BOOST_AUTO_TEST_CASE(values_that_do_not_invert_and_unknown_elements_are_problems) {
  const auto set = load_real();
  Inputs in = seed_inputs();
  auto out = set->forward("GetIndkaldelseVersion1", in.sources());
  BRIDGE_REQUIRE_OK(out);
  std::string xml = out.value().item_xml;
  xml = replace_all(xml, ">30</DurationMinutes>", ">halv time</DurationMinutes>");
  xml = replace_all(xml, "<Title", "<Frobnicate>x</Frobnicate><Title");
  auto back = set->backward("GetIndkaldelseVersion1", xml);
  BRIDGE_REQUIRE_OK(back);
  const auto& problems = back.value().problems;
  BOOST_REQUIRE_EQUAL(problems.size(), 2u);
  BOOST_TEST(problems[0].find("DurationMinutes") != std::string::npos, problems[0]);
  BOOST_TEST(problems[0].find("halv time") != std::string::npos, problems[0]);
  BOOST_TEST(problems[1].find("Frobnicate") != std::string::npos, problems[1]);
  // The rest is still read.
  BOOST_TEST(value_at(&back.value().view, "/indkaldelse/titel"_json_pointer) ==
             in.indkaldelse["titel"]);
}

BOOST_AUTO_TEST_SUITE_END()
