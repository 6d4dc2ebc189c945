// Tests bridge/mapping/xsd.cpp with load.cpp: "the contract is data" (architecture.md principle
// 1). Renaming item elements in a copy of the XSD and the paths of the affected rows in a copy of
// mappings/ is all it takes to serve the renamed contract; no C++ changes.
#include "bridge/mapping/mapping.h"
#include "tests/unit/mapping/fixtures.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

namespace {

using bridge::mapping::CheckReport;
using bridge::mapping::MappingSet;
using bridge::test::TempDir;
using namespace bridge::mapping::test;

struct Rename {
  std::string from, to;
};

// Item child elements renamed in the copy (Danish names, as a new contract version might).
const std::vector<Rename> kRenames = {{"Title", "Overskrift"},
                                      {"StartDateTime", "Starttidspunkt"},
                                      {"Address", "Adresse"},
                                      {"AuthorityParticipant", "Myndighedsdeltager"}};

// A copy of wsdl/xsd with the elements renamed; returns its directory.
std::string renamed_xsd(const TempDir& dir) {
  const std::string xsd = dir.file("xsd");
  copy_tree(real_xsd_dir(), xsd);
  const std::string file = xsd + "/" + kMessageXsd;
  std::string text = read_file(file);
  for (const auto& r : kRenames) {
    text = replace_all(text, "<xsd:element name=\"" + r.from + "\"",
                       "<xsd:element name=\"" + r.to + "\"");
  }
  write_file(file, text);
  return xsd;
}

// A copy of mappings/; with `edit_paths`, the paths of the rows on the renamed elements follow.
std::string copied_mappings(const TempDir& dir, bool edit_paths) {
  const std::string mappings = dir.file(edit_paths ? "mappings" : "mappings-unedited");
  copy_tree(real_mappings_dir(), mappings);
  if (!edit_paths) return mappings;
  const std::string file = mappings + "/_indkaldelse_fields.toml";
  std::string text = read_file(file);
  text = replace_all(text, "path = \"Title\"", "path = \"Overskrift\"");
  text = replace_all(text, "path = \"StartDateTime\"", "path = \"Starttidspunkt\"");
  text = replace_all(text, "path = \"Address/", "path = \"Adresse/");
  text = replace_all(text, "/AuthorityParticipant\"", "/Myndighedsdeltager\"");
  text = replace_all(text, "/AuthorityParticipant/", "/Myndighedsdeltager/");
  write_file(file, text);
  return mappings;
}

// Whether the XML has an element `name` (with or without attributes).
bool has_element(const std::string& xml, const std::string& name) {
  return xml.find("<" + name + ">") != std::string::npos ||
         xml.find("<" + name + " ") != std::string::npos;
}

// The tags of element `from` renamed to `to`; fails the test when there is none.
std::string rename_element(std::string xml, const std::string& from, const std::string& to) {
  BOOST_REQUIRE_MESSAGE(has_element(xml, from), "no element " + from + " to rename");
  for (const auto& [old_text, new_text] :
       {std::pair{"<" + from + ">", "<" + to + ">"}, std::pair{"<" + from + " ", "<" + to + " "},
        std::pair{"</" + from + ">", "</" + to + ">"}}) {
    for (auto at = xml.find(old_text); at != std::string::npos;
         at = xml.find(old_text, at + new_text.size())) {
      xml.replace(at, old_text.size(), new_text);
    }
  }
  return xml;
}

std::string forward_item(const MappingSet& set, const std::string& op, const Inputs& in) {
  auto out = set.forward(op, in.sources());
  BRIDGE_REQUIRE_OK(out);
  return out.value().item_xml;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(contract_is_data)

BOOST_AUTO_TEST_CASE(renamed_elements_need_only_the_row_paths_changed) {
  TempDir dir;
  const std::string xsd = renamed_xsd(dir);
  const std::string mappings = copied_mappings(dir, true);
  const auto original = load_real();
  const auto renamed = load_ok(mappings, xsd);
  const Inputs in = seed_inputs();
  for (const char* op : {"GetIndkaldelseVersion1", "GetAkasseIndkaldelseVersion1"}) {
    BOOST_TEST_CONTEXT(op) {
      const std::string before = forward_item(*original, op, in);
      const std::string after = forward_item(*renamed, op, in);
      for (const auto& r : kRenames) {
        BOOST_TEST(has_element(after, r.to), r.to);
        BOOST_TEST(!has_element(after, r.from), r.from);
      }
      // The same item, only the tags renamed.
      std::string expected = before;
      for (const auto& r : kRenames) expected = rename_element(expected, r.from, r.to);
      BOOST_TEST(after == expected);
      // Valid against the renamed contract, and the old item is not.
      const auto& info = *renamed->info(op);
      const std::string schema = xsd + "/" + kMessageXsd;
      const Validation v =
          validate_xml(dir, std::string(op) + "-renamed.xml", wrap_item(info, after), schema);
      BOOST_TEST(v.ok(), v.output);
      const Validation old =
          validate_xml(dir, std::string(op) + "-original.xml", wrap_item(info, before), schema);
      BOOST_TEST(!old.ok(), "the original item validates against the renamed XSD");
      // And backward reads the renamed item into the same view.
      auto back_before = original->backward(op, before);
      auto back_after = renamed->backward(op, after);
      BRIDGE_REQUIRE_OK(back_before);
      BRIDGE_REQUIRE_OK(back_after);
      BOOST_TEST(back_after.value().problems.empty());
      BOOST_TEST(back_after.value().view == back_before.value().view);
    }
  }
  // The table that does not use the renamed elements is unchanged.
  BOOST_TEST(forward_item(*renamed, "GetIndkaldelseshaendelseVersion1", in) ==
             forward_item(*original, "GetIndkaldelseshaendelseVersion1", in));
}

BOOST_AUTO_TEST_CASE(unedited_tables_against_the_renamed_contract_name_every_stale_row) {
  TempDir dir;
  const std::string xsd = renamed_xsd(dir);
  const std::string mappings = copied_mappings(dir, false);
  CheckReport report;
  MappingSet::load(mappings, xsd, report);
  BOOST_TEST(!report.ok());
  for (const char* id : {"titel", "start", "adresse-vejnavn", "adresse-postdistrikt",
                         "myndighedsdeltagere", "myndighedsdeltager-navn"}) {
    bool found = false;
    for (const auto& e : report.errors) {
      found = found || (e.starts_with("_indkaldelse_fields.toml:") &&
                        e.find("row '" + std::string(id) + "'") != std::string::npos &&
                        e.find("unknown element path") != std::string::npos);
    }
    BOOST_TEST(found, "no unknown-path error for row " << id << ":" << describe(report));
  }
}

BOOST_AUTO_TEST_SUITE_END()
