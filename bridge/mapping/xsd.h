#pragma once
// Just enough XML Schema to check mapping tables against the served contract and to write items
// in schema order: global elements, named and anonymous complex types with xsd:sequence (and
// complexContent extension), element refs, and simple types restricted from the built-in types.
// Anything else the schema uses (xsd:choice, xsd:all, groups, substitution) is refused at load
// with a message naming the file and the construct, so a new contract never half-works.

#include "bridge/core/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bridge::mapping {

// The built-in type a simple type is finally restricted from, as far as the engine cares.
enum class ValueKind { string, integer, boolean, date_time, date, decimal, any_uri };
const char* to_string(ValueKind kind);

struct SimpleType {
  ValueKind kind = ValueKind::string;
  std::string builtin;                // e.g. "int", "string", "dateTime"
  std::string name;                   // the named type, e.g. "Guid"; empty when anonymous
  std::vector<std::string> patterns;  // xsd:pattern facets along the restriction chain
  std::optional<std::int64_t> min_length, max_length;
  std::optional<std::int64_t> min_inclusive, max_inclusive;
};

// One element declaration as it appears inside its parent, types resolved.
struct ElementNode {
  std::string name;  // local name
  std::string ns;    // namespace URI (elementFormDefault="qualified" is assumed)
  int min_occurs = 1;
  int max_occurs = 1;                                  // -1: unbounded
  std::optional<SimpleType> simple;                    // leaf element
  std::vector<std::shared_ptr<ElementNode>> children;  // complex element: sequence in order
  std::string declared_in;                             // "file.xsd:line" of the declaration
  bool is_leaf() const { return simple.has_value(); }
  bool repeated() const { return max_occurs != 1; }
};

class Schema {
 public:
  // Reads every *.xsd file of a directory (e.g. wsdl/xsd). Errors name the file.
  static Result<Schema> load_directory(const std::string& directory);

  // The tree of the element `child` declared inside global element {ns}`parent`, e.g. the item
  // IndkaldelseRegistration inside GetIndkaldelseVersion1Response. Errors say what is missing.
  Result<std::shared_ptr<ElementNode>> child_tree(const std::string& ns, const std::string& parent,
                                                  const std::string& child) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace bridge::mapping
