#pragma once
// Fixture access for the unit_sim tests: scenario files under tests/fixtures/scenarios/, the
// seed WSB under tests/fixtures/wsb/, and small scenarios written inline.

#include "bridge/sim/scenario.h"
#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

// Printing for BOOST_TEST; found by argument-dependent lookup.
namespace bridge::sim {
inline std::ostream& operator<<(std::ostream& os, Layout layout) { return os << to_string(layout); }
}  // namespace bridge::sim

namespace bridge::sim::test {

inline std::string source_path(const std::string& relative) {
  return std::string(BRIDGE_SOURCE_DIR) + "/" + relative;
}

inline std::string read_file(const std::string& relative) {
  const std::string path = source_path(relative);
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in.good(), "cannot open " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Every tests/fixtures/scenarios/*.json, sorted by name.
inline std::vector<std::string> scenario_files() {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(source_path("tests/fixtures/scenarios"))) {
    if (e.path().extension() == ".json") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline Scenario load_fixture(const std::string& name) {
  Result<Scenario> s = load_scenario_file(source_path("tests/fixtures/scenarios/" + name));
  BRIDGE_REQUIRE_OK(s);
  return std::move(s).value();
}

// A small valid scenario document; tests change one thing and look at the error.
inline Json minimal_document() {
  return Json::parse(R"({
    "name": "mini",
    "organisations": {"jc": {"type": 8, "code": "44000"}, "ak": {"type": 9, "code": "5105"}},
    "steps": [{
      "id": "s1",
      "indkaldelse": "3f0e7c1a-54a7-4f3b-9b81-dd2661e45600",
      "cpr": "1111111111",
      "aendringstype": 1,
      "haendelsestype": 3,
      "registrant": {"org": "jc", "brugertype": 2, "brugernavn": "Birgitte Holm Madsen",
                     "brugeridentifikation": "b6f0c3d2-8e41-4a7f-9c25-61d3e8a0f4b7"},
      "haendelsestid": "2024-04-23T12:47:17.154073+02:00",
      "recipients": ["jc"],
      "resource": {"indkaldelseId": "3f0e7c1a-54a7-4f3b-9b81-dd2661e45600", "status": 1,
                   "samtaleType": 7, "titel": "Jobsamtale",
                   "adresse": {"vejnavn": "Hans Schacksvej", "husnummer": "4",
                               "postnummer": "5300", "postdistrikt": "Kerteminde"},
                   "myndighedsdeltagere": []},
      "expect": {"jc": ["GetIndkaldelseVersion1", "GetIndkaldelseshaendelseVersion1"], "ak": []}
    }]
  })");
}

// The error message of loading `doc` (the test fails when it loads).
inline std::string load_error(const Json& doc) {
  Result<Scenario> s = scenario_from_json(doc, "t.json");
  BOOST_REQUIRE_MESSAGE(!s, "expected an error, the scenario loaded");
  return s.error().message;
}

}  // namespace bridge::sim::test
