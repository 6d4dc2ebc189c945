// Tests bridge/mapping/load.cpp: the real tables load against the real XSD with full coverage,
// and every load-time check stops a broken table with a message naming the file, the line and the
// row or element (fixtures: tests/fixtures/mapping/tables/ and load_errors/). This file also
// defines the unit_mapping test module.
#define BOOST_TEST_MODULE unit_mapping
#include "bridge/mapping/mapping.h"
#include "tests/unit/mapping/fixtures.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

using bridge::ErrorDomain;
using bridge::mapping::CheckReport;
using bridge::mapping::Coverage;
using bridge::mapping::MappingErrc;
using bridge::mapping::MappingSet;
using bridge::test::TempDir;
using namespace bridge::mapping::test;

const std::string kFixtures = source_path("tests/fixtures/mapping");

// A mappings directory in `dir` with the real code lists and shared rows, plus `tables` (paths of
// fixture files, copied under their own names).
std::string make_mappings(const TempDir& dir, const std::vector<std::string>& tables) {
  const std::string mappings = dir.file("mappings");
  fs::create_directories(mappings);
  copy_tree(real_mappings_dir() + "/codelists", mappings + "/codelists");
  fs::copy_file(real_mappings_dir() + "/_wsrm_metadata.toml", mappings + "/_wsrm_metadata.toml");
  for (const auto& t : tables) fs::copy_file(t, mappings + "/" + fs::path(t).filename().string());
  return mappings;
}

CheckReport load_report(const std::string& mappings) {
  CheckReport report;
  const auto set = MappingSet::load(mappings, real_xsd_dir(), report);
  BOOST_REQUIRE(set != nullptr);
  return report;
}

struct Place {
  std::string file;
  int line = 0;
  std::string message;
};

// "file:line: message" (line 0 when the error has none).
Place place_of(const std::string& error) {
  static const std::regex with_line(R"(^([^:]+):([0-9]+): (.*)$)");
  static const std::regex without_line(R"(^([^:]+): (.*)$)");
  std::smatch m;
  if (std::regex_match(error, m, with_line)) return {m[1], std::stoi(m[2]), m[3]};
  if (std::regex_match(error, m, without_line)) return {m[1], 0, m[2]};
  return {"", 0, error};
}

// The lines of the [[row]], [[not_mapped]] or [[value]] entry holding `marker`: from its header
// to the marker's line.
std::pair<int, int> defect_span(const std::string& text,
                                const std::string& marker_text = "# defect") {
  const int marker = line_containing(text, marker_text);
  BOOST_REQUIRE_MESSAGE(marker > 0, "the fixture has no '" + marker_text + "'");
  int header = 0, line = 0;
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l) && ++line <= marker;) {
    if (l.starts_with("[[")) header = line;
  }
  BOOST_REQUIRE(header > 0);
  return {header, marker};
}

struct ErrorCase {
  std::string fixture;   // in load_errors/
  std::string names;     // the row or element the message must name
  std::string fragment;  // what the message must say
};

void require_error_at_defect(const ErrorCase& c) {
  BOOST_TEST_CONTEXT(c.fixture) {
    TempDir dir;
    const std::string fixture = kFixtures + "/load_errors/" + c.fixture;
    const std::string mappings = make_mappings(dir, {fixture});
    const CheckReport report = load_report(mappings);
    BOOST_TEST(!report.ok());
    const auto [first, last] = defect_span(read_file(fixture));
    bool found = false;
    for (const auto& e : report.errors) {
      const Place p = place_of(e);
      if (p.file == c.fixture && p.line >= first && p.line <= last &&
          p.message.find(c.names) != std::string::npos &&
          p.message.find(c.fragment) != std::string::npos) {
        found = true;
      }
    }
    BOOST_TEST(found, "no error '" << c.fixture << ":" << first << ".." << last << ": …" << c.names
                                   << "… " << c.fragment << "…' in:" << describe(report));
    // Serving refuses the set, and its error lists the same problems.
    auto checked = MappingSet::load_checked(mappings, real_xsd_dir());
    BRIDGE_REQUIRE_ERROR(checked, ErrorDomain::mapping, MappingErrc::table);
    for (const auto& e : report.errors) {
      BOOST_TEST(checked.error().message.find(e) != std::string::npos, e);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(real_tables)

BOOST_AUTO_TEST_CASE(load_against_the_served_xsd_without_errors_or_gaps) {
  CheckReport report;
  const auto set = MappingSet::load(real_mappings_dir(), real_xsd_dir(), report);
  BOOST_TEST_REQUIRE(report.ok(), describe(report));
  for (const auto& w : report.warnings) BOOST_TEST(w.find("gap") == std::string::npos, w);
  BRIDGE_REQUIRE_OK(MappingSet::load_checked(real_mappings_dir(), real_xsd_dir()));
  const std::vector<std::string> expected = {
      "GetAkasseIndkaldelseVersion1", "GetIndkaldelseVersion1", "GetIndkaldelseshaendelseVersion1"};
  BOOST_TEST(set->operations() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_leaf_of_every_operation_is_covered) {
  const auto set = load_real();
  for (const auto& op : set->operations()) {
    BOOST_TEST_CONTEXT(op) {
      const auto& info = *set->info(op);
      BOOST_TEST(!info.coverage.empty());
      std::set<std::string> paths;
      for (const auto& leaf : info.coverage) {
        BOOST_TEST_CONTEXT(leaf.path) {
          BOOST_TEST(paths.insert(leaf.path).second, "listed twice");
          BOOST_TEST((leaf.coverage != Coverage::gap), "gap");
          if (leaf.required) {
            BOOST_TEST((leaf.coverage == Coverage::mapped || leaf.coverage == Coverage::defaulted),
                       "a required leaf without a row");
          }
          if (leaf.row != nullptr) BOOST_TEST(leaf.row->path == leaf.path);
          if (leaf.coverage == Coverage::not_mapped) {
            BOOST_TEST_REQUIRE(leaf.reason != nullptr);
            BOOST_TEST(!leaf.reason->reason.empty());
          }
        }
      }
      // Every row that maps a leaf shows up in the coverage.
      for (const auto* row : info.rows) {
        if (row->transform == bridge::mapping::Transform::each) continue;
        BOOST_TEST(paths.contains(row->path), row->reference());
      }
    }
  }
  // The sizes of contract.md §3.1-3.3: 12 WSRMMetadata leaves; 35 and 5 item leaves after it.
  BOOST_TEST(set->info("GetIndkaldelseVersion1")->coverage.size() == 12u + 35u);
  BOOST_TEST(set->info("GetAkasseIndkaldelseVersion1")->coverage.size() == 12u + 35u);
  BOOST_TEST(set->info("GetIndkaldelseshaendelseVersion1")->coverage.size() == 12u + 5u);
}

BOOST_AUTO_TEST_CASE(the_small_fixture_tables_load_without_errors) {
  TempDir dir;
  const std::string mappings = make_mappings(dir, {kFixtures + "/tables/indkaldelse_minimal.toml",
                                                   kFixtures + "/tables/haendelse_minimal.toml"});
  const CheckReport report = load_report(mappings);
  BOOST_TEST(report.ok(), describe(report));
  // The optional elements without a row are gaps: warnings naming the table and the element.
  bool title_gap = false;
  for (const auto& w : report.warnings) {
    title_gap = title_gap || (w.starts_with("indkaldelse_minimal.toml: ") &&
                              w.find("gap: optional element Title ") != std::string::npos);
  }
  BOOST_TEST(title_gap, describe(report));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(load_checks)

BOOST_AUTO_TEST_CASE(unknown_element_path) {
  require_error_at_defect(
      {"indkaldelse_unknown_element_path.toml", "row 'titel' (Titel)", "unknown element path"});
  // The message lists what the item has, so the typo is easy to see.
  TempDir dir;
  const auto report = load_report(
      make_mappings(dir, {kFixtures + "/load_errors/indkaldelse_unknown_element_path.toml"}));
  BOOST_REQUIRE(!report.errors.empty());
  BOOST_TEST(report.errors[0].find("the item has: WSRMMetadata, ") != std::string::npos,
             report.errors[0]);
  BOOST_TEST(report.errors[0].find("Title") != std::string::npos, report.errors[0]);
}

BOOST_AUTO_TEST_CASE(row_out_of_schema_order) {
  require_error_at_defect({"indkaldelse_out_of_schema_order.toml", "row 'indkaldelse-id'",
                           "out of schema order; it must come before row 'status'"});
}

BOOST_AUTO_TEST_CASE(transform_that_does_not_fit_the_xsd_type) {
  require_error_at_defect({"indkaldelse_boolean_on_int.toml",
                           "row 'status' (IndkaldelseStatusTypeIdentifier)",
                           "transform 'boolean' does not fit xsd type int"});
}

BOOST_AUTO_TEST_CASE(required_element_without_row_or_reason) {
  TempDir dir;
  const std::string fixture = kFixtures + "/load_errors/haendelse_required_without_row.toml";
  const auto report = load_report(make_mappings(dir, {fixture}));
  // No row means no line in the table: the message names the table and the element, and where
  // the XSD declares it.
  const std::string xsd_text = read_file(real_xsd_dir() + "/" + kMessageXsd);
  const int declared = line_containing(xsd_text, "<xsd:element name=\"EventDateTime\"");
  BOOST_REQUIRE(declared > 0);
  const std::string expected =
      "haendelse_required_without_row.toml: required element "
      "EventDateTime (WsrmMessageService-v11.xsd:" +
      std::to_string(declared) + ") has no row and no not_mapped reason";
  const bool found =
      std::find(report.errors.begin(), report.errors.end(), expected) != report.errors.end();
  BOOST_TEST(found, "expected '" << expected << "' in:" << describe(report));
}

BOOST_AUTO_TEST_CASE(not_mapped_on_a_required_element) {
  require_error_at_defect({"haendelse_not_mapped_required.toml", "not_mapped 'EventDateTime'",
                           "the element is required, so it cannot be left out"});
}

BOOST_AUTO_TEST_CASE(unknown_code_list) {
  require_error_at_defect(
      {"indkaldelse_unknown_codelist.toml", "row 'status'", "'statuskoder' is unknown"});
}

BOOST_AUTO_TEST_CASE(each_on_an_element_that_does_not_repeat) {
  require_error_at_defect({"indkaldelse_each_on_single_element.toml", "row 'titel' (Title)",
                           "transform 'each' needs a repeated complex element"});
}

BOOST_AUTO_TEST_CASE(each_on_a_container_that_does_not_repeat) {
  require_error_at_defect({"indkaldelse_each_on_single_container.toml", "row 'adresse' (Address)",
                           "transform 'each' needs a repeated complex element"});
}

BOOST_AUTO_TEST_CASE(each_source_outside_an_each_row) {
  require_error_at_defect({"indkaldelse_each_source_outside_each.toml", "row 'titel' (Title)",
                           "an each: source is only valid below a row with transform 'each'"});
}

BOOST_AUTO_TEST_CASE(duplicate_row_id) {
  require_error_at_defect({"indkaldelse_duplicate_row_id.toml", "row id 'cpr'", "is used twice"});
}

BOOST_AUTO_TEST_CASE(source_inside_another_rows_source) {
  require_error_at_defect({"indkaldelse_overlapping_sources.toml", "row 'indkaldelse-id'",
                           "lies inside the source of row 'cpr'"});
}

BOOST_AUTO_TEST_CASE(unknown_key_in_a_row) {
  require_error_at_defect(
      {"indkaldelse_unknown_row_key.toml", "row 'status'", "unknown key 'codeliste'"});
}

BOOST_AUTO_TEST_CASE(default_that_violates_the_xsd_facet) {
  require_error_at_defect({"indkaldelse_default_violates_facet.toml",
                           "row 'cpr' (PersonCivilRegistrationIdentifier)",
                           "'12345' does not match the pattern [0-9]{10}"});
}

BOOST_AUTO_TEST_CASE(errors_in_an_included_file_name_the_included_file) {
  TempDir dir;
  const std::string mappings = make_mappings(dir, {kFixtures + "/tables/haendelse_minimal.toml"});
  const std::string shared = mappings + "/_wsrm_metadata.toml";
  const std::string text =
      replace_all(read_file(shared), "path = \"WSRMMetadata/MessageIdentifier\"",
                  "path = \"WSRMMetadata/MessageId\"");
  write_file(shared, text);
  const auto report = load_report(mappings);
  const auto [first, last] = defect_span(text, "\"WSRMMetadata/MessageId\"");
  bool found = false;
  for (const auto& e : report.errors) {
    const Place p = place_of(e);
    found = found || (p.file == "_wsrm_metadata.toml" && p.line >= first && p.line <= last &&
                      p.message.starts_with("row 'message-identifier' (WSRMMetadata/MessageId)") &&
                      p.message.find("unknown element path") != std::string::npos);
  }
  BOOST_TEST(found, "expected '_wsrm_metadata.toml:" << first << ".." << last
                                                     << ": row 'message-identifier' …' in:"
                                                     << describe(report));
}

BOOST_AUTO_TEST_CASE(code_list_with_an_ambiguous_legacy_value) {
  TempDir dir;
  const std::string mappings = make_mappings(dir, {kFixtures + "/tables/haendelse_minimal.toml"});
  fs::copy_file(kFixtures + "/codelists/moedeform_ambiguous_legacy.toml",
                mappings + "/codelists/moedeform.toml", fs::copy_options::overwrite_existing);
  const auto report = load_report(mappings);
  const std::string text = read_file(mappings + "/codelists/moedeform.toml");
  const auto [first, last] = defect_span(text);
  bool found = false;
  for (const auto& e : report.errors) {
    const Place p = place_of(e);
    found = found || (p.file == "codelists/moedeform.toml" && p.line >= first && p.line <= last &&
                      p.message.find("legacy code 1 is listed twice") != std::string::npos);
  }
  BOOST_TEST(found, describe(report));
}

BOOST_AUTO_TEST_SUITE_END()
