#pragma once
// Shared helpers of the unit_mapping tests: the real tables and XSD of the source tree, the seed
// inputs (tests/fixtures/wsb, tests/fixtures/dfdg, tests/fixtures/mapping), xmllint validation,
// and element lookup by path in an item. Expectations are derived from the inputs and the XSD,
// never from the engine's own output.

#include "bridge/mapping/mapping.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::mapping::test {

namespace fs = std::filesystem;
using nlohmann::json;

inline std::string source_path(const std::string& relative) {
  return std::string(BRIDGE_SOURCE_DIR) + "/" + relative;
}
inline std::string real_mappings_dir() { return source_path("mappings"); }
inline std::string real_xsd_dir() { return source_path("wsdl/xsd"); }
inline constexpr const char* kMessageXsd = "WsrmMessageService-v11.xsd";

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in.good(), "cannot open " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  BOOST_REQUIRE_MESSAGE(out.flush().good(), "cannot write " + path);
}

inline json read_json(const std::string& path) { return json::parse(read_file(path)); }

// Every occurrence of `from` replaced; fails the test when there is none (the edit would be a
// silent no-op and the test would prove nothing).
inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  std::size_t count = 0;
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    ++count;
  }
  BOOST_REQUIRE_MESSAGE(count > 0, "'" + from + "' does not occur in the text to edit");
  return text;
}

inline void copy_tree(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

// The report's lines, for failure messages.
inline std::string describe(const CheckReport& report) {
  std::string out;
  for (const auto& e : report.errors) out += "\n  error: " + e;
  for (const auto& w : report.warnings) out += "\n  warning: " + w;
  return out.empty() ? " (empty report)" : out;
}

// The tables of a mappings directory; stops the test case unless they load without errors.
inline std::shared_ptr<MappingSet> load_ok(const std::string& mappings_dir,
                                           const std::string& xsd_dir) {
  CheckReport report;
  auto set = MappingSet::load(mappings_dir, xsd_dir, report);
  BOOST_REQUIRE_MESSAGE(set != nullptr, "load returned no set");
  BOOST_REQUIRE_MESSAGE(report.ok(),
                        "the tables in " + mappings_dir + " have errors:" + describe(report));
  return set;
}

inline std::shared_ptr<MappingSet> load_real() {
  return load_ok(real_mappings_dir(), real_xsd_dir());
}

// The three sources of a forward call, owned.
struct Inputs {
  json wsb, indkaldelse, bridge;
  Sources sources() const { return Sources{&wsb, &indkaldelse, &bridge}; }
  // The source object a row kind reads (nullptr for const and each).
  const json* root(SourceKind kind) const {
    switch (kind) {
      case SourceKind::wsb:
        return &wsb;
      case SourceKind::indkaldelse:
        return &indkaldelse;
      case SourceKind::bridge:
        return &bridge;
      case SourceKind::each:
      case SourceKind::constant:
        return nullptr;
    }
    return nullptr;
  }
};

// The seed: the WSB of the page (header with "Body"), the REST resource of contract.md §4.2 for
// its EksternIdentifier, and a bridge context.
inline Inputs seed_inputs() {
  Inputs in;
  in.wsb = read_json(source_path("tests/fixtures/wsb/seed_flat_with_body.json"));
  in.indkaldelse = read_json(source_path("tests/fixtures/dfdg/indkaldelse_seed.json"));
  in.bridge = read_json(source_path("tests/fixtures/mapping/bridge_context_seed.json"));
  return in;
}

// The value at `pointer`, or null when the path does not exist.
inline json value_at(const json* root, const json::json_pointer& pointer) {
  if (root == nullptr || !root->contains(pointer)) return nullptr;
  return root->at(pointer);
}

// The item wrapped in its response element, as a consumer sees it. With `prefixed`, the response
// and item elements use a prefix and no default namespace is in scope: the item's content must
// then carry its own namespaces (architecture.md: namespace-complete on its own).
inline std::string wrap_item(const OperationInfo& info, const std::string& item_xml,
                             bool prefixed = false) {
  if (prefixed) {
    return "<r:" + info.response + " xmlns:r=\"" + info.ns + "\"><r:" + info.item + ">" + item_xml +
           "</r:" + info.item + "></r:" + info.response + ">";
  }
  return "<" + info.response + " xmlns=\"" + info.ns + "\"><" + info.item + ">" + item_xml + "</" +
         info.item + "></" + info.response + ">";
}

struct Validation {
  int status = -1;
  std::string output;  // what xmllint printed
  bool ok() const { return status == 0; }
};

// xmllint --noout --schema <xsd> <files...>; one process for many files.
inline Validation xmllint(const std::string& xsd, const std::vector<std::string>& files,
                          const std::string& output_file) {
  std::string command = std::string(BRIDGE_XMLLINT) + " --noout --schema '" + xsd + "'";
  for (const auto& f : files) command += " '" + f + "'";
  command += " >'" + output_file + "' 2>&1";
  Validation v;
  v.status = std::system(command.c_str());
  v.output = read_file(output_file);
  return v;
}

// Writes `xml` into `dir` and validates it against `xsd`.
inline Validation validate_xml(const bridge::test::TempDir& dir, const std::string& name,
                               const std::string& xml, const std::string& xsd) {
  const std::string file = dir.file(name);
  write_file(file, xml);
  return xmllint(xsd, {file}, dir.file(name + ".xmllint.txt"));
}

inline std::string_view local_name(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

// The element at `path` below `item` ("A/B[2]/C"; an index counts same-named siblings from 1),
// by local names; an empty node when there is none.
inline pugi::xml_node find_path(pugi::xml_node item, const std::string& path) {
  pugi::xml_node node = item;
  std::size_t start = 0;
  while (node && start <= path.size()) {
    const auto slash = path.find('/', start);
    std::string step =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    int index = 1;
    if (const auto bracket = step.find('['); bracket != std::string::npos) {
      index = std::stoi(step.substr(bracket + 1));
      step.resize(bracket);
    }
    pugi::xml_node found;
    for (pugi::xml_node c : node.children()) {
      if (c.type() == pugi::node_element && local_name(c.name()) == step && --index == 0) {
        found = c;
        break;
      }
    }
    node = found;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return node;
}

// The item element of a wrapped response document.
inline pugi::xml_node item_of(const pugi::xml_document& doc) {
  return doc.document_element().first_child();
}

// The legacy value of `code` in mappings/codelists/<list>.toml (read here with toml++, not
// through the engine), or the code itself when the list does not know it.
inline std::string legacy_code(const std::string& codelists_dir, const std::string& list,
                               const std::string& code) {
  for (const auto& entry : fs::directory_iterator(codelists_dir)) {
    const toml::table doc = toml::parse_file(entry.path().string());
    const std::string name = doc["name"].value_or(entry.path().stem().string());
    if (name != list) continue;
    const toml::array* values = doc["value"].as_array();
    BOOST_REQUIRE(values != nullptr);
    for (const auto& v : *values) {
      const toml::table& t = *v.as_table();
      auto text = [](const toml::node* n) -> std::optional<std::string> {
        if (n == nullptr) return std::nullopt;
        if (n->is_integer()) return std::to_string(*n->value<std::int64_t>());
        return n->value<std::string>();
      };
      if (text(t.get("code")) == code) return text(t.get("legacy")).value_or(code);
    }
    return code;
  }
  BOOST_FAIL("no code list named " + list + " in " + codelists_dir);
  return code;
}

// The text a row should write for a JSON value, derived from the transform's contract
// (contract.md §3: ints as decimal, booleans as true/false, strings and dateTimes unchanged).
inline std::optional<std::string> expected_text(const Row& row, const json& value,
                                                const std::string& codelists_dir) {
  if (row.kind == SourceKind::constant) return row.constant;
  if (value.is_null()) return row.default_value;
  switch (row.transform) {
    case Transform::boolean:
      return value.get<bool>() ? "true" : "false";
    case Transform::integer:
      return value.dump();
    case Transform::code:
      return legacy_code(codelists_dir, row.codelist_name,
                         value.is_string() ? value.get<std::string>() : value.dump());
    default:
      return value.is_string() ? value.get<std::string>() : value.dump();
  }
}

// The row with transform 'each' that a row with an each: source is below.
inline const Row* each_parent(const OperationInfo& info, const Row& row) {
  const Row* best = nullptr;
  for (const Row* r : info.rows) {
    if (r->transform == Transform::each && row.path.starts_with(r->path + "/") &&
        (best == nullptr || r->path.size() > best->path.size())) {
      best = r;
    }
  }
  return best;
}

// The line of the first occurrence of `needle` in `text` (1-based); 0 when absent.
inline int line_containing(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

}  // namespace bridge::mapping::test
