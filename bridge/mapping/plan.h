#pragma once
// Internal to bridge/mapping: a table compiled against the item's element tree.

#include "bridge/mapping/mapping.h"

#include <array>
#include <cstdint>
#include <regex>
#include <string_view>

namespace bridge::mapping {

// An XSD pattern made only of literal characters and character classes ([0-9a-fA-F]), each
// optionally repeated {n} or {n,m}, e.g. the Guid and CPR patterns. Such a pattern matches
// exactly the values std::regex (ECMAScript, whole value) matches, byte for byte, without its
// cost. compile() refuses anything else (escapes, '.', alternatives, groups, negated classes,
// other quantifiers, non-ASCII): those patterns are checked with std::regex.
class SimplePattern {
 public:
  static std::optional<SimplePattern> compile(std::string_view pattern);
  bool matches(std::string_view text) const;

 private:
  struct Atom {
    std::array<bool, 256> set{};  // by unsigned byte value
    std::size_t min = 1, max = 1;
  };
  std::vector<Atom> atoms_;
  std::size_t min_length_ = 0, max_length_ = 0;
  bool fixed_ = true;  // every atom repeats exactly min == max times
};

// Facet checks of one leaf element, compiled once.
struct LeafCheck {
  std::vector<std::regex> patterns;  // anchored: XSD patterns match the whole value
  // By the index of `patterns`: the same pattern as a SimplePattern, used instead of the regex
  // when the pattern is simple enough.
  std::vector<std::optional<SimplePattern>> simple;
};

struct PlanNode {
  const ElementNode* element = nullptr;
  std::string path;             // below the item, e.g. "Address/StreetName"
  bool required = false;        // min_occurs >= 1
  bool chain_required = false;  // this and every ancestor up to the item are required
  std::size_t order = 0;        // pre-order index, for the schema-order check
  const Row* row = nullptr;
  const NotMapped* not_mapped = nullptr;
  bool has_rows = false;    // a row on this node or below
  std::string open, close;  // tags, with xmlns where the namespace changes
  std::shared_ptr<LeafCheck> check;
  std::vector<PlanNode> children;
};

struct CompiledTable {
  OperationInfo info;
  std::shared_ptr<ElementNode> tree;
  PlanNode root;  // the item element itself; its children are the item's content
  std::vector<std::unique_ptr<Row>> rows;
  std::vector<std::unique_ptr<NotMapped>> not_mapped;
  std::map<std::string, PlanNode*> by_path;
};

struct MappingSet::Impl {
  std::map<std::string, CompiledTable> tables;
};

// Transforms (transform.cpp).
// Forward: the element text for a JSON value, or nullopt when the value is null. Errors name the
// row and the value.
Result<std::optional<std::string>> apply_forward(const Row& row, const nlohmann::json& value);
// Backward: the JSON value for element text; `problem` is set when the text does not invert.
nlohmann::json apply_backward(const Row& row, const std::string& text, std::string& problem);
// Whether `text` is a valid value of the leaf's type and facets; otherwise a sentence why not.
std::optional<std::string> check_value(const PlanNode& leaf, const std::string& text);

}  // namespace bridge::mapping
