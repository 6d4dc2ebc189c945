#pragma once
// Fixture access and printing for the unit_wsb tests: fixtures are files under
// tests/fixtures/wsb/ named for the case they cover.

#include "bridge/wsb/wsb.h"
#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>

// Printing for BOOST_TEST; found by argument-dependent lookup.
namespace bridge::wsb {
inline std::ostream& operator<<(std::ostream& os, Layout layout) { return os << to_string(layout); }
inline std::ostream& operator<<(std::ostream& os, Verdict verdict) {
  return os << (verdict == Verdict::accepted ? "accepted" : "quarantined");
}
}  // namespace bridge::wsb

// Printing of the optional Header members for BOOST_TEST ("nullopt" when empty).
namespace boost::test_tools::tt_detail {
template <class T>
struct print_log_value<std::optional<T>> {
  void operator()(std::ostream& os, const std::optional<T>& value) {
    if (value) {
      os << *value;
    } else {
      os << "nullopt";
    }
  }
};
}  // namespace boost::test_tools::tt_detail

namespace bridge::wsb::test {

inline std::string read_fixture(const std::string& name) {
  const std::string path = std::string(BRIDGE_SOURCE_DIR) + "/tests/fixtures/wsb/" + name;
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in.good(), "cannot open " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The fixture parsed; stops the test case when it is not a document.
inline Document parse_fixture(const std::string& name) {
  Result<Document> document = parse(read_fixture(name));
  BRIDGE_REQUIRE_OK(document);
  return std::move(document).value();
}

// The problem recorded at `pointer`, or nullptr.
inline const Problem* find_problem(const Document& document, const std::string& pointer) {
  for (const Problem& problem : document.problems) {
    if (problem.pointer == pointer) return &problem;
  }
  return nullptr;
}

// All problems, one per line, for failure messages.
inline std::string describe_problems(const Document& document) {
  std::string out;
  for (const Problem& problem : document.problems) {
    out += "\n  " + problem.pointer + " " + problem.message;
  }
  return out.empty() ? "(no problems)" : out;
}

// Microseconds since the Unix epoch, to compare HaendelsesTid exactly.
inline std::int64_t epoch_us(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace bridge::wsb::test
