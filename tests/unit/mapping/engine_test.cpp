// Tests bridge/mapping/engine.cpp: forward with the seed (WSB of the page, the REST resource of
// contract.md §4.2, a bridge context) for every operation, checked against the XSD with xmllint
// and field by field against the inputs; value errors at forward; row_for_path.
#include "bridge/mapping/mapping.h"
#include "tests/unit/mapping/fixtures.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using bridge::ErrorDomain;
using bridge::mapping::ForwardResult;
using bridge::mapping::MappingErrc;
using bridge::mapping::MappingSet;
using bridge::mapping::OperationInfo;
using bridge::mapping::Row;
using bridge::mapping::SourceKind;
using bridge::mapping::Transform;
using bridge::test::TempDir;
using namespace bridge::mapping::test;

const std::vector<std::string> kOperations = {
    "GetAkasseIndkaldelseVersion1", "GetIndkaldelseVersion1", "GetIndkaldelseshaendelseVersion1"};

ForwardResult forward_ok(const MappingSet& set, const std::string& op, const Inputs& in) {
  auto r = set.forward(op, in.sources());
  BRIDGE_REQUIRE_OK(r);
  return std::move(r).value();
}

std::string forward_error(const MappingSet& set, const std::string& op, const Inputs& in) {
  auto r = set.forward(op, in.sources());
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::mapping, MappingErrc::value);
  return r.error().message;
}

// The item document of an operation's wrapped output.
struct Parsed {
  pugi::xml_document doc;
  pugi::xml_node item;
};

void parse_wrapped(const OperationInfo& info, const std::string& item_xml, Parsed& out) {
  const std::string xml = wrap_item(info, item_xml);
  const auto result = out.doc.load_string(xml.c_str());
  BOOST_REQUIRE_MESSAGE(result, "not well-formed: " << result.description() << "\n" << xml);
  out.item = item_of(out.doc);
}

// The path below the item of every element, with an index on repeated siblings; leaves only.
void collect_leaves(pugi::xml_node node, const std::string& path,
                    std::vector<std::pair<std::string, pugi::xml_node>>& out) {
  std::map<std::string, int> seen;
  bool has_element_child = false;
  for (pugi::xml_node c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    has_element_child = true;
    const std::string name(local_name(c.name()));
    const int index = ++seen[name];
    // Index every step; find_path() reads "[1]" like no index.
    const std::string step = name + "[" + std::to_string(index) + "]";
    collect_leaves(c, path.empty() ? step : path + "/" + step, out);
  }
  if (!has_element_child && !path.empty()) out.emplace_back(path, node);
}

// Each row's expected text checked against the element it writes (rows below an 'each' row once
// per element of the source array, by index).
void check_values_against_inputs(const MappingSet& set, const std::string& op, const Inputs& in,
                                 pugi::xml_node item) {
  const OperationInfo& info = *set.info(op);
  const std::string codelists = real_mappings_dir() + "/codelists";
  for (const Row* row : info.rows) {
    BOOST_TEST_CONTEXT(op << " row " << row->reference() << " (" << row->path << " <- "
                          << row->source << ")") {
      if (row->transform == Transform::each) {
        const json array = value_at(in.root(row->kind), row->pointer);
        const std::size_t expected = array.is_array() ? array.size() : 0;
        std::size_t found = 0;
        while (find_path(item, row->path + "[" + std::to_string(found + 1) + "]")) ++found;
        BOOST_TEST(found == expected);
        continue;
      }
      if (row->kind == SourceKind::each) {
        const Row* parent = each_parent(info, *row);
        BOOST_REQUIRE(parent != nullptr);
        const json array = value_at(in.root(parent->kind), parent->pointer);
        BOOST_REQUIRE(array.is_array());
        const std::string rest = row->path.substr(parent->path.size());
        for (std::size_t i = 0; i < array.size(); ++i) {
          const std::string path = parent->path + "[" + std::to_string(i + 1) + "]" + rest;
          const auto expected = expected_text(*row, value_at(&array[i], row->pointer), codelists);
          const pugi::xml_node element = find_path(item, path);
          if (expected) {
            BOOST_TEST_REQUIRE(static_cast<bool>(element), path << " is missing");
            BOOST_TEST(element.text().get() == *expected, path);
          } else {
            BOOST_TEST(!element, path << " is written though its source is null");
          }
        }
        continue;
      }
      const auto expected =
          expected_text(*row, value_at(in.root(row->kind), row->pointer), codelists);
      const pugi::xml_node element = find_path(item, row->path);
      if (expected) {
        BOOST_TEST_REQUIRE(static_cast<bool>(element), row->path << " is missing");
        BOOST_TEST(element.text().get() == *expected);
      } else {
        BOOST_TEST(!element, row->path << " is written though its source is null");
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(forward_seed)

BOOST_AUTO_TEST_CASE(seed_items_validate_against_the_xsd) {
  const auto set = load_real();
  const Inputs in = seed_inputs();
  TempDir dir;
  const std::string xsd = real_xsd_dir() + "/" + kMessageXsd;
  BOOST_TEST(set->operations() == kOperations, boost::test_tools::per_element());
  for (const auto& op : kOperations) {
    BOOST_TEST_CONTEXT(op) {
      const ForwardResult out = forward_ok(*set, op, in);
      const OperationInfo& info = *set->info(op);
      const Validation v = validate_xml(dir, op + ".xml", wrap_item(info, out.item_xml), xsd);
      BOOST_TEST(v.ok(), "xmllint: " << v.output << "\nitem: " << out.item_xml);
      // No default namespace in scope around the item: its content must still be valid.
      const Validation p =
          validate_xml(dir, op + "-prefixed.xml", wrap_item(info, out.item_xml, true), xsd);
      BOOST_TEST(p.ok(), "xmllint (prefixed wrapper): " << p.output);
      BOOST_TEST(out.warnings.empty(), "warnings: " << out.warnings.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(seed_items_follow_schema_order) {
  const auto set = load_real();
  const Inputs in = seed_inputs();
  for (const auto& op : kOperations) {
    BOOST_TEST_CONTEXT(op) {
      // The coverage lists the item's leaves in schema pre-order, so the first appearance of a
      // child name below a parent path gives that parent's sequence.
      std::map<std::string, std::vector<std::string>> sequence;
      for (const auto& leaf : set->info(op)->coverage) {
        std::string parent;
        std::size_t start = 0;
        while (true) {
          const auto slash = leaf.path.find('/', start);
          const std::string name = leaf.path.substr(start, slash - start);
          auto& names = sequence[parent];
          if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
          if (slash == std::string::npos) break;
          parent = leaf.path.substr(0, slash);
          start = slash + 1;
        }
      }
      Parsed parsed;
      parse_wrapped(*set->info(op), forward_ok(*set, op, in).item_xml, parsed);
      std::function<void(pugi::xml_node, const std::string&)> check = [&](pugi::xml_node node,
                                                                          const std::string& path) {
        const auto& names = sequence[path];
        std::ptrdiff_t last = -1;
        for (pugi::xml_node c : node.children()) {
          if (c.type() != pugi::node_element) continue;
          const std::string name(local_name(c.name()));
          const auto at = std::find(names.begin(), names.end(), name);
          BOOST_TEST_REQUIRE((at != names.end()), name << " is not a child of '" << path << "'");
          const auto position = at - names.begin();
          BOOST_TEST(position >= last,
                     name << " comes after a later sibling below '" << path << "'");
          last = position;
          check(c, path.empty() ? name : path + "/" + name);
        }
      };
      check(parsed.item, "");
    }
  }
}

BOOST_AUTO_TEST_CASE(null_sources_leave_optional_elements_out_never_empty) {
  const auto set = load_real();
  const Inputs in = seed_inputs();
  // The seed resource has these optional sources null; their elements must be absent.
  const std::vector<std::string> absent = {
      "Address/FloorIdentifier",
      "Address/SuiteIdentifier",
      "DigitalMeetingLink",
      "CancellationDeadline",
      "GroupMeetingIdentifier",
      "UnemploymentFundParticipationStatusTypeIdentifier",
      "AuthorityParticipantCollection/AuthorityParticipant[2]/PhoneNumber"};
  for (const char* op : {"GetIndkaldelseVersion1", "GetAkasseIndkaldelseVersion1"}) {
    BOOST_TEST_CONTEXT(op) {
      Parsed parsed;
      parse_wrapped(*set->info(op), forward_ok(*set, op, in).item_xml, parsed);
      for (const auto& path : absent) BOOST_TEST(!find_path(parsed.item, path), path);
      // Their siblings with values are there (the lookup works).
      BOOST_TEST(static_cast<bool>(find_path(parsed.item, "Address/StreetName")));
      BOOST_TEST(static_cast<bool>(
          find_path(parsed.item, "AuthorityParticipantCollection/AuthorityParticipant[2]/Email")));
      std::vector<std::pair<std::string, pugi::xml_node>> leaves;
      collect_leaves(parsed.item, "", leaves);
      BOOST_TEST(leaves.size() > 20u);
      for (const auto& [path, node] : leaves) {
        BOOST_TEST(std::string(node.text().get()).size() > 0u, path << " is written empty");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(characters_xml_cannot_carry_are_left_out_with_a_warning) {
  const auto set = load_real();
  Inputs in = seed_inputs();
  // A C0 control, U+FFFF and U+FFFE: not XML 1.0 characters. U+FFFD and U+EFBF stay.
  in.indkaldelse["titel"] =
      std::string("A\x01") + "B\xEF\xBF\xBF" + "C\xEF\xBF\xBE" + "D\xEF\xBF\xBD\xEE\xBE\xBF";
  const ForwardResult r = forward_ok(*set, "GetIndkaldelseVersion1", in);
  Parsed parsed;
  parse_wrapped(*set->info("GetIndkaldelseVersion1"), r.item_xml, parsed);
  const auto title = find_path(parsed.item, "Title");
  BOOST_REQUIRE(static_cast<bool>(title));
  BOOST_TEST(std::string(title.text().get()) == "ABCD\xEF\xBF\xBD\xEE\xBE\xBF");
  BOOST_TEST(r.warnings.size() == 1u);
  BOOST_TEST(r.warnings.front().find("Title") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(seed_values_equal_the_inputs_row_by_row) {
  const auto set = load_real();
  const Inputs in = seed_inputs();
  for (const auto& op : kOperations) {
    BOOST_TEST_CONTEXT(op) {
      Parsed parsed;
      parse_wrapped(*set->info(op), forward_ok(*set, op, in).item_xml, parsed);
      check_values_against_inputs(*set, op, in, parsed.item);
      // Every element written belongs to a row.
      std::vector<std::pair<std::string, pugi::xml_node>> leaves;
      collect_leaves(parsed.item, "", leaves);
      for (const auto& [path, node] : leaves) {
        BOOST_TEST(set->row_for_path(op, path) != nullptr, path << " has no row");
      }
    }
  }
  // A few values spelled out from the fixtures, so a wrong pointer cannot go unnoticed.
  Parsed parsed;
  parse_wrapped(*set->info("GetIndkaldelseVersion1"),
                forward_ok(*set, "GetIndkaldelseVersion1", in).item_xml, parsed);
  BOOST_TEST(find_path(parsed.item, "PersonCivilRegistrationIdentifier").text().get() ==
             in.wsb["Identifikation"].get<std::string>());
  BOOST_TEST(find_path(parsed.item, "IndkaldelseIdentifier").text().get() ==
             in.indkaldelse["indkaldelseId"].get<std::string>());
  BOOST_TEST(find_path(parsed.item, "WSRMMetadata/MessageIdentifier").text().get() ==
             in.bridge["MessageIdentifier"].get<std::string>());
  BOOST_TEST(find_path(parsed.item, "Description").text().get() ==
             in.indkaldelse["beskrivelse"].get<std::string>());
  BOOST_TEST(find_path(parsed.item, "AuthorityParticipantCollection/AuthorityParticipant[2]/Name")
                 .text()
                 .get() == in.indkaldelse["myndighedsdeltagere"][1]["navn"].get<std::string>());
}

BOOST_AUTO_TEST_CASE(backward_of_the_seed_reads_the_inputs_back) {
  const auto set = load_real();
  const Inputs in = seed_inputs();
  for (const auto& op : kOperations) {
    BOOST_TEST_CONTEXT(op) {
      const ForwardResult out = forward_ok(*set, op, in);
      auto back = set->backward(op, out.item_xml);
      BRIDGE_REQUIRE_OK(back);
      BOOST_TEST(
          back.value().problems.empty(),
          "first problem: " << (back.value().problems.empty() ? "" : back.value().problems[0]));
      for (const auto& field : back.value().fields) {
        BOOST_TEST(field.row == set->row_for_path(op, field.xml_path), field.xml_path);
      }
      const json& view = back.value().view;
      BOOST_TEST(value_at(&view, "/wsb/Identifikation"_json_pointer) == in.wsb["Identifikation"]);
      BOOST_TEST(value_at(&view, "/bridge/MessageIdentifier"_json_pointer) ==
                 in.bridge["MessageIdentifier"]);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(forward_value_errors)

BOOST_AUTO_TEST_CASE(required_element_without_value_names_the_element_and_the_source) {
  const auto set = load_real();
  {
    Inputs in = seed_inputs();
    in.indkaldelse["status"] = nullptr;
    const std::string message = forward_error(*set, "GetIndkaldelseVersion1", in);
    BOOST_TEST(message.find("IndkaldelseStatusTypeIdentifier") != std::string::npos, message);
    BOOST_TEST(message.find("indkaldelse:/status") != std::string::npos, message);
  }
  {
    Inputs in = seed_inputs();
    in.wsb.erase("Identifikation");
    const std::string message = forward_error(*set, "GetAkasseIndkaldelseVersion1", in);
    BOOST_TEST(message.find("PersonCivilRegistrationIdentifier") != std::string::npos, message);
    BOOST_TEST(message.find("wsb:/Identifikation") != std::string::npos, message);
  }
  {
    Inputs in = seed_inputs();
    in.wsb["Body"].erase("Indkaldelsehaendelsestype");
    const std::string message = forward_error(*set, "GetIndkaldelseshaendelseVersion1", in);
    BOOST_TEST(message.find("IndkaldelseshaendelseTypeIdentifier") != std::string::npos, message);
    BOOST_TEST(message.find("wsb:/Body/Indkaldelsehaendelsestype") != std::string::npos, message);
  }
  {
    // A required leaf inside a required container.
    Inputs in = seed_inputs();
    in.wsb["Oprindelse"]["RegistrerendeMyndighed"].erase("OrganisationKode");
    const std::string message = forward_error(*set, "GetIndkaldelseshaendelseVersion1", in);
    BOOST_TEST(
        message.find("WSRMMetadata/RegisteringAuthority/OrganisationCode") != std::string::npos,
        message);
    BOOST_TEST(message.find("wsb:/Oprindelse/RegistrerendeMyndighed/OrganisationKode") !=
                   std::string::npos,
               message);
  }
  {
    // No REST snapshot at all (not fetched): the required status has no value.
    Inputs in = seed_inputs();
    bridge::mapping::Sources sources = in.sources();
    sources.indkaldelse = nullptr;
    auto r = set->forward("GetIndkaldelseVersion1", sources);
    BRIDGE_REQUIRE_ERROR(r, ErrorDomain::mapping, MappingErrc::value);
    BOOST_TEST(r.error().message.find("indkaldelse:/status") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(cpr_breaking_the_pattern_names_the_row_and_the_pattern) {
  const auto set = load_real();
  for (const std::string bad : {"111111-1111", "11111111", "11111111112", "abcdefghij"}) {
    Inputs in = seed_inputs();
    in.wsb["Identifikation"] = bad;
    for (const auto& op : kOperations) {
      const std::string message = forward_error(*set, op, in);
      BOOST_TEST(message.find("#cpr") != std::string::npos, message);
      BOOST_TEST(message.find("PersonCivilRegistrationIdentifier") != std::string::npos, message);
      BOOST_TEST(message.find("[0-9]{10}") != std::string::npos, message);
      BOOST_TEST(message.find(bad) != std::string::npos, message);
    }
  }
}

BOOST_AUTO_TEST_CASE(values_of_the_wrong_type_or_outside_the_xsd_type_are_errors) {
  const auto set = load_real();
  struct Case {
    const char* pointer;
    json value;
    const char* row;
  };
  const std::vector<Case> cases = {
      {"/varighed", "tredive", "#varighed"},
      {"/varighed", 2147483648LL, "#varighed"},  // one above xsd:int
      {"/varighed", -2147483649LL, "#varighed"},
      {"/ombookingMulig", "ja", "#ombooking-mulig"},
      {"/starttidspunkt", "2. maj 2024 kl. 9", "#start"},
      {"/starttidspunkt", "2024-13-02T09:00:00+02:00", "#start"},  // month 13
      {"/starttidspunkt", "2024-05-02T25:00:00+02:00", "#start"},  // hour 25
      {"/gruppemoedeId", "not-a-guid", "#gruppemoede"},
      {"/samtaleType", true, "#samtaletype"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.pointer << " = " << c.value.dump()) {
      Inputs in = seed_inputs();
      in.indkaldelse[json::json_pointer(c.pointer)] = c.value;
      const std::string message = forward_error(*set, "GetIndkaldelseVersion1", in);
      BOOST_TEST(message.find(c.row) != std::string::npos, message);
    }
  }
  // The edges of xsd:int still pass.
  for (const long long edge : {2147483647LL, -2147483648LL}) {
    Inputs in = seed_inputs();
    in.indkaldelse["varighed"] = edge;
    BRIDGE_REQUIRE_OK(set->forward("GetIndkaldelseVersion1", in.sources()));
  }
}

BOOST_AUTO_TEST_CASE(forward_accepts_exactly_the_values_xmllint_accepts) {
  // xmllint is the oracle: a value forward accepts must validate in the item, and a value it
  // refuses must not (a served item the consumer rejects fails its whole response).
  const auto set = load_real();
  const Inputs seed = seed_inputs();
  const std::string op = "GetIndkaldelseVersion1";
  const OperationInfo& info = *set->info(op);
  const std::string seed_item = wrap_item(info, forward_ok(*set, op, seed).item_xml);
  struct Candidate {
    SourceKind kind;
    const char* pointer;
    const char* path;
    std::vector<json> values;
  };
  const std::vector<Candidate> candidates = {
      {SourceKind::indkaldelse,
       "/starttidspunkt",
       "StartDateTime",
       {"2024-02-29T00:00:00Z",      "2023-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z",      "2024-05-02T24:00:00+02:00",
        "2024-05-02T24:00:00.000Z",  "2024-05-02T24:00:01Z",
        "2024-05-02T09:60:00Z",      "2024-05-02T09:00:60Z",
        "2024-05-02T09:00:00+14:00", "2024-05-02T09:00:00+14:30",
        "2024-05-02T09:00:00-14:00", "2024-05-02T09:00:00+13:59",
        "2024-05-02T09:00:00+15:00", "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",      "-0004-02-29T00:00:00Z",
        "-0001-02-29T00:00:00Z",     "2024-05-02T09:00:00.1234567+02:00",
        "12345-01-01T00:00:00Z",     "2024-05-02T09:00:00.Z",
        "2024-05-02T09:00:00",       "2024-05-02T9:00:00Z",
        "2024-05-02T09:00Z",         "2024-05-02"}},
      {SourceKind::indkaldelse,
       "/varighed",
       "DurationMinutes",
       {2147483647, 2147483648LL, -2147483648LL, -2147483649LL, 0, "+30", "030"}},
      {SourceKind::wsb,
       "/Oprindelse/RegistrerendeMyndighed/OrganisationType",
       "WSRMMetadata/RegisteringAuthority/OrganisationTypeIdentifier",
       {0, 1, 100, 101, 55}},
      {SourceKind::wsb,
       "/Oprindelse/RegistrerendeMyndighed/OrganisationKode",
       "WSRMMetadata/RegisteringAuthority/OrganisationCode",
       {"", "4", "12345678901234567890", "123456789012345678901", "ææææææææææææææææææææ"}},
      {SourceKind::wsb,
       "/EksternIdentifier",
       "IndkaldelseIdentifier",
       {"xxxxxxxx-54a7-4f3b-9b81-dd2661e45600", "3F0E7C1A-54A7-4F3B-9B81-DD2661E45600",
        "3f0e7c1a54a74f3b9b81dd2661e45600", "{3f0e7c1a-54a7-4f3b-9b81-dd2661e45600}",
        "3f0e7c1a-54a7-4f3b-9b81-dd2661e4560g"}},
  };
  TempDir dir;
  const std::string xsd = real_xsd_dir() + "/" + kMessageXsd;
  int n = 0;
  for (const auto& c : candidates) {
    for (const auto& value : c.values) {
      BOOST_TEST_CONTEXT(c.path << " = " << value.dump()) {
        Inputs in = seed_inputs();
        json* root = c.kind == SourceKind::wsb ? &in.wsb : &in.indkaldelse;
        (*root)[json::json_pointer(c.pointer)] = value;
        const bool engine_ok = static_cast<bool>(set->forward(op, in.sources()));
        pugi::xml_document doc;
        BOOST_REQUIRE(doc.load_string(seed_item.c_str()));
        pugi::xml_node element = find_path(item_of(doc), c.path);
        BOOST_REQUIRE(element);
        element.text().set(value.is_string() ? value.get<std::string>().c_str()
                                             : value.dump().c_str());
        std::ostringstream xml;
        doc.save(xml, "", pugi::format_raw);
        const Validation v =
            validate_xml(dir, "candidate-" + std::to_string(++n) + ".xml", xml.str(), xsd);
        BOOST_TEST(engine_ok == v.ok(),
                   "forward " << (engine_ok ? "accepts" : "refuses") << ", xmllint "
                              << (v.ok() ? "accepts" : "refuses") << ": " << v.output);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(optional_container_missing_a_required_child_is_left_out_with_a_warning) {
  const auto set = load_real();
  Inputs in = seed_inputs();
  in.indkaldelse["adresse"]["vejnavn"] = nullptr;
  const ForwardResult out = forward_ok(*set, "GetIndkaldelseVersion1", in);
  const OperationInfo& info = *set->info("GetIndkaldelseVersion1");
  Parsed parsed;
  parse_wrapped(info, out.item_xml, parsed);
  BOOST_TEST(!find_path(parsed.item, "Address"));
  BOOST_TEST(static_cast<bool>(find_path(parsed.item, "InterviewLocationDescription")));
  BOOST_REQUIRE_EQUAL(out.warnings.size(), 1u);
  BOOST_TEST(out.warnings[0].find("Address") != std::string::npos, out.warnings[0]);
  BOOST_TEST(out.warnings[0].find("StreetName") != std::string::npos, out.warnings[0]);
  TempDir dir;
  const Validation v = validate_xml(dir, "item.xml", wrap_item(info, out.item_xml),
                                    real_xsd_dir() + "/" + kMessageXsd);
  BOOST_TEST(v.ok(), v.output);

  // Every part of the address null: left out without a warning (nothing was lost).
  Inputs none = seed_inputs();
  none.indkaldelse["adresse"] = nullptr;
  const ForwardResult quiet = forward_ok(*set, "GetIndkaldelseVersion1", none);
  BOOST_TEST(quiet.warnings.empty());
  BOOST_TEST(quiet.item_xml.find("Address") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unknown_operation_is_an_error) {
  const auto set = load_real();
  const Inputs in = seed_inputs();
  auto r = set->forward("GetFrobnicateVersion1", in.sources());
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::mapping, MappingErrc::unknown_operation);
  BOOST_TEST(r.error().message.find("GetFrobnicateVersion1") != std::string::npos);
  auto b = set->backward("GetFrobnicateVersion1", "<x/>");
  BRIDGE_REQUIRE_ERROR(b, ErrorDomain::mapping, MappingErrc::unknown_operation);
}

BOOST_AUTO_TEST_CASE(backward_of_malformed_xml_is_an_error) {
  const auto set = load_real();
  auto b = set->backward("GetIndkaldelseVersion1", "<WSRMMetadata><MessageIdentifier>");
  BRIDGE_REQUIRE_ERROR(b, ErrorDomain::mapping, MappingErrc::value);
  BOOST_TEST(b.error().message.find("not well-formed") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(row_for_path)

BOOST_AUTO_TEST_CASE(finds_the_row_of_an_indexed_path) {
  const auto set = load_real();
  const Row* row = set->row_for_path("GetIndkaldelseVersion1",
                                     "AuthorityParticipantCollection/AuthorityParticipant[2]/Name");
  BOOST_REQUIRE(row != nullptr);
  BOOST_TEST(row->path == "AuthorityParticipantCollection/AuthorityParticipant/Name");
  BOOST_TEST(row->source == "each:/navn");
  BOOST_TEST(row->file == "_indkaldelse_fields.toml");
  // The same row with or without an index, and for the a-kasse table that includes the file.
  BOOST_TEST(set->row_for_path("GetIndkaldelseVersion1",
                               "AuthorityParticipantCollection/AuthorityParticipant/Name") == row);
  const Row* akasse =
      set->row_for_path("GetAkasseIndkaldelseVersion1",
                        "AuthorityParticipantCollection[1]/AuthorityParticipant[17]/Name");
  BOOST_REQUIRE(akasse != nullptr);
  BOOST_TEST(akasse->id == row->id);
  const Row* each = set->row_for_path("GetIndkaldelseVersion1",
                                      "AuthorityParticipantCollection/AuthorityParticipant[3]");
  BOOST_REQUIRE(each != nullptr);
  BOOST_TEST((each->transform == Transform::each));
}

BOOST_AUTO_TEST_CASE(has_no_row_for_containers_unknown_paths_or_operations) {
  const auto set = load_real();
  BOOST_TEST(set->row_for_path("GetIndkaldelseVersion1", "AuthorityParticipantCollection") ==
             nullptr);
  BOOST_TEST(set->row_for_path("GetIndkaldelseVersion1", "Address") == nullptr);
  BOOST_TEST(set->row_for_path("GetIndkaldelseVersion1", "Adresse/StreetName") == nullptr);
  BOOST_TEST(set->row_for_path("GetIndkaldelseshaendelseVersion1", "Title") == nullptr);
  BOOST_TEST(set->row_for_path("GetFrobnicateVersion1", "Title") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
