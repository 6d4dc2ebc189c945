// Tests bridge/routing/load.cpp: the real rule file loads and holds every seed sentence verbatim;
// each kind of mistake in a rule file is an error naming the file, the line and the key. This
// file also defines the unit_routing test module.
#define BOOST_TEST_MODULE unit_routing
#include "bridge/routing/routing.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace {

using bridge::ErrorDomain;
using bridge::routing::RoutingErrc;
using bridge::routing::RoutingTable;
using bridge::routing::Rule;

const std::string kRuleFile = BRIDGE_SOURCE_DIR "/mappings/routing/indkaldelse.toml";

// Lines 1-12: two roles and a samtaletype set, so the first rule a test appends is on line 13.
const std::string kPrelude = R"([[role]]
name = "jobcenter"
organisation_types = [8]
status = "confirmed: test"
[[role]]
name = "borger"
brugertype_ids = [1]
status = "confirmed: test"
[[samtaletype_set]]
name = "joint"
ids = [17]
status = "assumed: test"
)";

// Lines 13-17 when appended to kPrelude; a test adds its own keys after them (line 18 on).
const std::string kRuleHead = R"([[rule]]
id = "r1"
sentence = "En sætning"
status = "assumed: test"
recipient = "jobcenter"
)";

const std::string kDeliver = R"(outcome = "deliver"
operations = [{ name = "GetIndkaldelseVersion1" }]
)";

// The error message for a table that must not load.
std::string error_of(const std::string& text, RoutingErrc expected = RoutingErrc::invalid) {
  auto table = RoutingTable::parse(text, "bad.toml");
  BRIDGE_REQUIRE_ERROR(table, ErrorDomain::routing, expected);
  return table.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(load_rule_file)

BOOST_AUTO_TEST_CASE(the_real_rule_file_loads_with_its_rules_in_file_order) {
  auto table = RoutingTable::load(kRuleFile);
  BRIDGE_REQUIRE_OK(table);
  std::vector<std::string> ids;
  for (const auto& rule : table.value().rules()) {
    ids.push_back(rule.id);
    BOOST_TEST_CONTEXT(rule.id) {
      BOOST_TEST((rule.status.starts_with("confirmed") || rule.status.starts_with("assumed")));
      BOOST_TEST(!rule.sentence.empty());
      BOOST_TEST(rule.line > 0);
    }
  }
  const std::vector<std::string> expected = {"jobcenter-egne",
                                             "jobcenter-borger",
                                             "jobcenter-akasse-faelles",
                                             "jobcenter-akasse-egne-sendes-ikke",
                                             "akasse-faelles",
                                             "akasse-egne",
                                             "myndighedsdeltagere-faelles-jobcenter",
                                             "myndighedsdeltagere-faelles-akasse"};
  BOOST_TEST(ids == expected, boost::test_tools::per_element());
  BOOST_TEST(table.value().file_name() == "indkaldelse.toml");
}

BOOST_AUTO_TEST_CASE(every_seed_sentence_is_implemented_verbatim_by_a_rule) {
  // domain.md §6.1, the Danish original, sentence by sentence.
  const std::vector<std::string> seed = {
      "WSB besked, som genereres, når en indkaldelse bliver oprettet/opdateret (herunder når "
      "myndighedsdeltagere på fælles jobsamtale opdateres).",
      "Alle indkaldelser som oprettes eller opdateres, herunder aflyses, af jobcentret eller af "
      "borger til afholdelse i jobcentret",
      "A-kassens oprettelser og opdateringer til indkaldelser til fælles jobsamtale (id 17)",
      "Dvs. der sendes ikke WSB til jobcentret om a-kassens indkaldelser til CV-samtaler, "
      "jobsamtaler og rådighedssamtaler. Ved behov må disse læses i "
      "IndkaldelseService#GetIndkaldelser.",
      "A-kassens og jobcentrets indkaldelser til fælles jobsamtale (id 17)",
      "A-kassen opretter, retter eller aflyser indkaldelser af typen CV-samtaler (id 10), "
      "rådighedssamtaler (id 15) og jobsamtaler (id 7)",
  };
  auto table = RoutingTable::load(kRuleFile);
  BRIDGE_REQUIRE_OK(table);
  const auto& rules = table.value().rules();
  for (const auto& sentence : seed) {
    BOOST_TEST(std::any_of(rules.begin(), rules.end(),
                           [&](const Rule& r) { return r.sentence == sentence; }),
               sentence);
  }
  for (const auto& rule : rules) {
    const bool in_seed = std::find(seed.begin(), seed.end(), rule.sentence) != seed.end();
    BOOST_TEST(in_seed, rule.id);
  }
}

BOOST_AUTO_TEST_CASE(roles_and_sets_of_the_real_file_say_what_is_assumed) {
  auto table = RoutingTable::load(kRuleFile);
  BRIDGE_REQUIRE_OK(table);
  const RoutingTable& t = table.value();
  BOOST_TEST(t.roles().size() == 3u);
  for (const auto& role : t.roles()) {
    if (role.name == "akasse") BOOST_TEST(role.status.starts_with("assumed: "), role.status);
  }
  const auto* joint = t.samtaletype_set("faelles_jobsamtale");
  BOOST_REQUIRE(joint);
  BOOST_TEST(joint->ids == std::vector<int>{17}, boost::test_tools::per_element());
  BOOST_TEST(joint->status.starts_with("assumed: "));
  const auto* own = t.samtaletype_set("akasse_egne");
  BOOST_REQUIRE(own);
  BOOST_TEST(own->ids == (std::vector<int>{7, 10, 15}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(operation_names_are_free_strings) {
  auto table = RoutingTable::parse(kPrelude + kRuleHead + R"(outcome = "deliver"
operations = [{ name = "GetSomethingNewVersion7" }]
)",
                                   "ok.toml");
  BRIDGE_REQUIRE_OK(table);
  BOOST_TEST(table.value().rules().front().operations.front().name == "GetSomethingNewVersion7");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(load_errors)

BOOST_AUTO_TEST_CASE(missing_file_is_unreadable_naming_the_path) {
  bridge::test::TempDir dir;
  auto table = RoutingTable::load(dir.file("none.toml"));
  BRIDGE_REQUIRE_ERROR(table, ErrorDomain::routing, RoutingErrc::unreadable);
  BOOST_TEST(table.error().message ==
             dir.file("none.toml") + ": cannot read the routing rule file");
}

BOOST_AUTO_TEST_CASE(load_error_names_the_file_path_and_line) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("rules.toml");
  std::ofstream(path) << kPrelude + kRuleHead + "outcome = \"deliver\"\n";
  auto table = RoutingTable::load(path);
  BRIDGE_REQUIRE_ERROR(table, ErrorDomain::routing, RoutingErrc::invalid);
  BOOST_TEST(table.error().message ==
             path + ":13: [[rule]] r1: operations: a deliver rule needs a non-empty array of them");
}

BOOST_AUTO_TEST_CASE(toml_syntax_error_names_file_line_and_column) {
  const std::string message = error_of(kPrelude + "[[rule]\n", RoutingErrc::syntax);
  BOOST_TEST(message.starts_with("bad.toml:13:"), message);
}

BOOST_AUTO_TEST_CASE(unknown_key_in_a_rule_names_line_and_key) {
  BOOST_TEST(error_of(kPrelude + kRuleHead + "samtaletype_not = \"joint\"\n" + kDeliver) ==
             "bad.toml:18: [[rule]] r1: unknown key 'samtaletype_not'");
}

BOOST_AUTO_TEST_CASE(unknown_keys_in_roles_sets_operations_and_top_level_are_errors) {
  BOOST_TEST(error_of("[[role]]\nname = \"x\"\norganisation_types = [3]\nstatus = \"assumed: "
                      "t\"\ncolour = \"red\"\n") == "bad.toml:5: [[role]] x: unknown key 'colour'");
  BOOST_TEST(error_of(kPrelude + "[[samtaletype_set]]\nname = \"s\"\nids = [1]\nstatus = "
                                 "\"assumed: t\"\nid = [2]\n") ==
             "bad.toml:17: [[samtaletype_set]] s: unknown key 'id'");
  BOOST_TEST(error_of(kPrelude + kRuleHead +
                      "outcome = \"deliver\"\noperations = [{ name = \"A\", if = \"x\" }]\n") ==
             "bad.toml:19: [[rule]] r1: operations: unknown key 'if'");
  BOOST_TEST(error_of(kPrelude + kRuleHead + kDeliver + "[routing]\n") ==
             "bad.toml:20: top level: unknown key 'routing'");
}

BOOST_AUTO_TEST_CASE(empty_operation_name_is_an_error) {
  BOOST_TEST(
      error_of(kPrelude + kRuleHead + "outcome = \"deliver\"\noperations = [{ name = \"\" }]\n") ==
      "bad.toml:19: [[rule]] r1: operations: name must not be empty");
  BOOST_TEST(error_of(kPrelude + kRuleHead +
                      "outcome = \"deliver\"\noperations = [{ when = \"haendelsestype\" }]\n") ==
             "bad.toml:19: [[rule]] r1: operations: name is required");
}

BOOST_AUTO_TEST_CASE(unknown_role_in_a_condition_is_an_error) {
  BOOST_TEST(error_of(kPrelude + kRuleHead + "registrant = [\"jobcenter\", \"akase\"]\n" +
                      kDeliver) == "bad.toml:18: [[rule]] r1: registrant: unknown role 'akase'");
  BOOST_TEST(error_of(kPrelude + R"([[rule]]
id = "r1"
sentence = "s"
status = "assumed: t"
recipient = "jobcentre"
)" + kDeliver) == "bad.toml:17: [[rule]] r1: recipient: unknown role 'jobcentre'");
}

BOOST_AUTO_TEST_CASE(a_user_type_role_cannot_be_a_recipient) {
  BOOST_TEST(error_of(kPrelude + R"([[rule]]
id = "r1"
sentence = "s"
status = "assumed: t"
recipient = "borger"
)" + kDeliver) ==
             "bad.toml:17: [[rule]] r1: recipient: role 'borger' has no "
             "organisation_types, so it can never match here");
}

BOOST_AUTO_TEST_CASE(unknown_samtaletype_set_is_an_error) {
  BOOST_TEST(error_of(kPrelude + kRuleHead + "samtaletype_in = \"faelles\"\n" + kDeliver) ==
             "bad.toml:18: [[rule]] r1: samtaletype_in: unknown samtaletype_set 'faelles'");
}

BOOST_AUTO_TEST_CASE(duplicate_rule_id_names_both_lines) {
  BOOST_TEST(error_of(kPrelude + kRuleHead + kDeliver + kRuleHead + kDeliver) ==
             "bad.toml:20: [[rule]] r1: id is also used at line 13");
}

BOOST_AUTO_TEST_CASE(rule_without_outcome_is_an_error) {
  BOOST_TEST(error_of(kPrelude + kRuleHead) ==
             "bad.toml:13: [[rule]] r1: outcome is required (\"deliver\" with operations, or "
             "\"skip\")");
}

BOOST_AUTO_TEST_CASE(outcome_and_operations_must_agree) {
  BOOST_TEST(error_of(kPrelude + kRuleHead + "outcome = \"send\"\n") ==
             "bad.toml:18: [[rule]] r1: outcome = \"send\" is unknown (known: \"deliver\", "
             "\"skip\")");
  BOOST_TEST(
      error_of(kPrelude + kRuleHead +
               "outcome = \"skip\"\noperations = [{ name = \"GetIndkaldelseVersion1\" }]\n") ==
      "bad.toml:19: [[rule]] r1: operations: a skip rule delivers nothing");
  BOOST_TEST(error_of(kPrelude + kRuleHead + "outcome = \"deliver\"\noperations = []\n") ==
             "bad.toml:19: [[rule]] r1: operations: a deliver rule needs a non-empty array of "
             "them");
  BOOST_TEST(error_of(kPrelude + kRuleHead +
                      "outcome = \"deliver\"\noperations = [{ name = \"A\", when = "
                      "\"haendelsestype\" }]\n") ==
             "bad.toml:19: [[rule]] r1: operations: at least one must apply always (without "
             "`when`)");
  BOOST_TEST(
      error_of(kPrelude + kRuleHead +
               "outcome = \"deliver\"\noperations = [{ name = \"A\", when = \"always\" }]\n") ==
      "bad.toml:19: [[rule]] r1: operations: when = \"always\" is unknown (known: "
      "\"haendelsestype\")");
}

BOOST_AUTO_TEST_CASE(rule_without_id_sentence_or_status_is_an_error) {
  BOOST_TEST(error_of(kPrelude + "[[rule]]\nsentence = \"s\"\nstatus = \"assumed: t\"\n" +
                      kDeliver) == "bad.toml:13: [[rule]]: id is required");
  BOOST_TEST(error_of(kPrelude + "[[rule]]\nid = \"r1\"\nstatus = \"assumed: t\"\n" + kDeliver) ==
             "bad.toml:13: [[rule]] r1: sentence is required");
  BOOST_TEST(error_of(kPrelude + "[[rule]]\nid = \"r1\"\nsentence = \"s\"\nstatus = \"maybe\"\n" +
                      kDeliver) ==
             "bad.toml:16: [[rule]] r1: status must start with \"confirmed\" or \"assumed\", not "
             "'maybe'");
}

BOOST_AUTO_TEST_CASE(an_organisation_type_belongs_to_one_role) {
  BOOST_TEST(error_of(kPrelude + "[[role]]\nname = \"akasse\"\norganisation_types = [9, 8]\n"
                                 "status = \"assumed: t\"\n") ==
             "bad.toml:13: [[role]] akasse: organisation type 8 is already role 'jobcenter'");
  BOOST_TEST(error_of(kPrelude + "[[role]]\nname = \"jobcenter\"\norganisation_types = [3]\n"
                                 "status = \"assumed: t\"\n") ==
             "bad.toml:13: [[role]] jobcenter: name is also used at line 1");
  BOOST_TEST(error_of("[[role]]\nname = \"x\"\norganisation_types = [101]\nstatus = \"assumed: "
                      "t\"\n") ==
             "bad.toml:3: [[role]] x: organisation_types: 101 is outside 1..100");
}

BOOST_AUTO_TEST_CASE(a_file_without_rules_is_an_error) {
  BOOST_TEST(error_of(kPrelude) ==
             "bad.toml:1: top level: no [[rule]]: every message would be undecidable");
}

BOOST_AUTO_TEST_SUITE_END()
