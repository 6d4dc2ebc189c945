#pragma once
// Comparison runs (docs/comparison.md): the messages a legacy WSRM service handed a consumer set
// against the messages the bridge hands it, matched by business key and compared field by field
// on the XML (namespace URIs, XSD types, repeated elements by key). Every difference names the
// mapping row that wrote the element; ignore rules and a noise baseline take known differences
// out of the verdict without hiding them.

#include "bridge/compare/rules.h"
#include "bridge/compare/values.h"
#include "bridge/core/result.h"
#include "bridge/mapping/mapping.h"
#include "bridge/mapping/xsd.h"

#include <pugixml.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridge::compare {

// ---- items -----------------------------------------------------------------------------------

// One message as one side sent it: the children of `node` are its fields.
struct Item {
  std::string operation;
  std::string
      origin;  // where it came from: "<recording>/responses/000007-….xml item 2", "store seq 41"
  std::string at;  // when it was recorded or queued (ISO 8601); may be empty
  std::shared_ptr<const pugi::xml_document> doc;  // owns `node`
  pugi::xml_node node;
  // Namespace declarations in force at `node` from its ancestors (prefix → URI; "" = default).
  std::vector<std::pair<std::string, std::string>> scope;
};

// The item elements of one Get… response document: the children of Body/<Op>Response.
// A SOAP fault or another response element is an error naming `origin`.
Result<std::vector<Item>> items_of_response(const std::string& operation,
                                            std::shared_ptr<const pugi::xml_document> doc,
                                            const std::string& origin, const std::string& at);

// One item from its XML text: either the item element itself or the item's content (the fields
// as siblings, as the bridge's store keeps them), which is wrapped in an element.
Result<Item> parse_item(const std::string& operation, std::string_view xml, std::string origin,
                        std::string at = {});

// ---- one pair --------------------------------------------------------------------------------

// What became of one leaf element when a pair was compared. missing: the legacy item has it and
// the bridge's does not; extra: the other way round.
enum class Outcome { equal, equivalent, different, missing, extra };
const char* to_string(Outcome o);

struct FieldResult {
  std::string path;   // with indexes of repeated elements: "…/AuthorityParticipant[2]/Name"
  std::string field;  // without indexes: the field's name in statistics and rules
  Outcome outcome = Outcome::equal;
  std::string reason;  // why equivalent or different
  std::string legacy, bridge;
};

// ---- a run -----------------------------------------------------------------------------------

// How a difference counts: against the verdict, or taken out by an ignore rule or as noise.
enum class Standing { counted, ignored, noise };
const char* to_string(Standing s);

struct Difference {
  std::string operation;
  std::string key;  // the business key of the pair, readable
  FieldResult field;
  Standing standing = Standing::counted;
  std::string row;   // mapping row "file#id" that writes the element, or "" (no row)
  std::string rule;  // for ignored: "file:line" of the ignore rule
  std::string legacy_origin, bridge_origin;
};

struct FieldStats {
  std::string operation, field;
  std::string row;            // "file#id", or "" when no row writes the element
  std::string xsd_type;       // e.g. "dateTime"
  std::int64_t observed = 0;  // pairs in which either side has the field
  std::int64_t equal = 0, equivalent = 0, different = 0, missing = 0, extra = 0;
  std::int64_t ignored = 0, noise = 0;  // of different + missing + extra
  double rate = 0;                      // counted differences / observed
  double noise_rate = -1;               // in the noise baseline; -1 without one
  double threshold = 0;
  bool exceeded = false;
  std::string ignore_reason, ignore_ticket, ignore_rule;
  std::int64_t counted() const { return different + missing + extra - ignored - noise; }
};

struct Unmatched {
  std::string key;
  std::string origin;
  std::string at;
  std::vector<std::string> key_values;  // the key's texts, one per key path
  std::vector<std::string> hints;       // why, when the bridge's inbox can tell (compare CLI)
};

struct OperationStats {
  std::string operation;
  std::int64_t legacy_messages = 0, bridge_messages = 0;
  std::int64_t pairs = 0;
  std::int64_t pairs_with_differences = 0;  // with at least one counted difference
  std::int64_t pairs_equivalent_only = 0;   // no counted difference, at least one equivalent
  std::vector<Unmatched> legacy_only;       // the bridge did not send it: a routing gap
  std::vector<Unmatched> bridge_only;       // the bridge sent one too many
  double message_rate = 0;                  // pairs_with_differences / pairs
  double message_threshold = 0;
  std::int64_t unmatched_threshold = 0;
  bool exceeded = false;
};

struct IgnoreUse {
  std::string rule;  // "file:line"
  std::string operation, path, reason, ticket;
  std::int64_t matched = 0;
};

struct RunResult {
  std::vector<OperationStats> operations;
  std::vector<FieldStats> fields;         // every field seen in a pair, by operation and path
  std::vector<Difference> differences;    // every non-equal field (examples capped per field)
  std::int64_t differences_left_out = 0;  // beyond the cap; their counts are in `fields`
  std::vector<IgnoreUse> ignore_rules;
  bool noise_baseline = false;
  std::int64_t noise_pairs = 0;
  bool passed = true;
  std::vector<std::string> failures;  // why the verdict failed, one line each
};

using Progress = std::function<void(std::size_t done, std::size_t total)>;

// Compares items of the three operations with one set of mapping tables (for attribution and
// the operations' item elements), the XSD (for value types and repeated elements) and rules.
class Comparer {
 public:
  static Result<Comparer> create(std::shared_ptr<const mapping::MappingSet> mappings,
                                 const mapping::Schema& schema, Rules rules);

  // Field by field; repeated elements are matched by their configured key, else by position.
  std::vector<FieldResult> compare_pair(const Item& legacy, const Item& bridge) const;

  // The business key of an item (configured per operation), readable and normalised by type.
  std::string key_of(const Item& item) const;

  // Matches the messages of both sides by key, compares every pair, applies ignore rules, the
  // noise baseline (`noise`: a second legacy recording of the same period, or null) and the
  // thresholds.
  RunResult run(const std::vector<Item>& legacy, const std::vector<Item>& bridge,
                const std::vector<Item>* noise, const Progress& progress = {}) const;

  const Rules& rules() const { return rules_; }
  struct OperationModel;

 private:
  Comparer() = default;
  const OperationModel* model(const std::string& operation) const;

  std::shared_ptr<const mapping::MappingSet> mappings_;
  Rules rules_;
  std::map<std::string, std::shared_ptr<const OperationModel>> models_;
};

}  // namespace bridge::compare
