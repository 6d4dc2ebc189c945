#pragma once
// The mapping engine: tables of rows that link one XSD element path of a legacy item to one
// source value, read forward (WSB + REST snapshot + bridge context → item XML, in schema order)
// and backward (item XML → the canonical JSON view) with the same rows. Tables, code lists and
// the XSD are data (mappings/, wsdl/xsd/); no item field is named in C++. See docs/mapping.md.

#include "bridge/core/result.h"
#include "bridge/mapping/xsd.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bridge::mapping {

// Codes of ErrorDomain::mapping.
enum class MappingErrc {
  schema = 1,  // the XSD cannot be read or uses an unsupported construct
  table = 2,   // a table or code list is wrong (load/check)
  unknown_operation = 3,
  value = 4,  // forward: a source value does not fit its row (type, required)
};

// ---- code lists ------------------------------------------------------------------------------

struct CodeValue {
  std::string code;    // the value on the new (WSB/REST) side, as text
  std::string legacy;  // the value in the legacy item (usually the same)
  std::string name;
  std::string status;  // "confirmed: <url>" or "assumed: <reason>"
};

class CodeList {
 public:
  std::string name, description, status, file;
  std::vector<CodeValue> values;

  // Forward: the legacy code, or the code itself (counted) when the list does not know it.
  std::string to_legacy(const std::string& code) const;
  // Backward: the new-side code, or the legacy code itself (counted) when unknown.
  std::string from_legacy(const std::string& legacy) const;
  std::int64_t unknown_count() const { return unknown_->load(); }
  const CodeValue* find(const std::string& code) const;

  void index();  // after loading: builds the lookup maps

 private:
  std::map<std::string, std::size_t> by_code_, by_legacy_;
  std::shared_ptr<std::atomic<std::int64_t>> unknown_ =
      std::make_shared<std::atomic<std::int64_t>>(0);
};

// ---- tables ----------------------------------------------------------------------------------

enum class SourceKind { wsb, indkaldelse, bridge, each, constant };
const char* to_string(SourceKind kind);

// Named transforms; each has an exact inverse on the values it produces.
enum class Transform { string, integer, boolean, date_time, date, code, each };
const char* to_string(Transform t);

// One reference token of a row's JSON pointer, split at load so that forward() walks the sources
// once per lookup (one find per level) instead of resolving the pointer text.
struct PointerToken {
  std::string key;  // the unescaped token: an object member's name
  // The array index the token names ("0", or digits without a leading zero); npos otherwise, so
  // that an array has no element for it, as with nlohmann::json's own pointer lookups.
  std::size_t index = static_cast<std::size_t>(-1);
};

struct Row {
  std::string id;    // unique in its table; "file#id" names it in reports
  std::string file;  // the file the row was written in (a table or an included file)
  int line = 0;
  std::string path;    // element path below the item, e.g. "Address/StreetName"
  std::string source;  // as written, e.g. "indkaldelse:/adresse/vejnavn" or "const:1"
  SourceKind kind = SourceKind::wsb;
  nlohmann::json::json_pointer pointer;  // for every kind but constant
  std::vector<PointerToken> tokens;      // `pointer` split into its tokens (forward reads these)
  std::string constant;                  // for SourceKind::constant
  Transform transform = Transform::string;
  std::string codelist_name;
  const CodeList* codelist = nullptr;
  std::optional<std::string> default_value;  // used when the source has no value
  std::string note;
  std::string reference() const { return file + "#" + id; }
};

struct NotMapped {
  std::string path;
  std::string reason;
  std::string file;
  int line = 0;
};

// Coverage of one leaf element of an item.
enum class Coverage { mapped, defaulted, not_mapped, gap };
const char* to_string(Coverage c);

struct LeafCoverage {
  std::string path;
  std::string xsd_type;  // e.g. "int", "Guid (string)"
  bool required = false;
  Coverage coverage = Coverage::gap;
  const Row* row = nullptr;           // mapped / defaulted
  const NotMapped* reason = nullptr;  // not_mapped
};

struct Table;  // compiled: rows + the item's element tree

// ---- forward / backward ----------------------------------------------------------------------

// The three sources a row can read. `indkaldelse` may be null (not fetched / not visible).
struct Sources {
  const nlohmann::json* wsb = nullptr;          // WSB header object with "Body" holding the body
  const nlohmann::json* indkaldelse = nullptr;  // the REST snapshot
  const nlohmann::json* bridge = nullptr;       // bridge context: MessageIdentifier, QueuedAt, …
};

struct ForwardResult {
  std::string item_xml;               // inner content of the item element, namespace-complete
  std::vector<std::string> warnings;  // e.g. an optional container dropped for a missing part
};

// One value read back, with the row that produced it (for comparison and attribution).
struct Field {
  std::string xml_path;  // e.g. "AuthorityParticipantCollection/AuthorityParticipant[2]/Name"
  const Row* row = nullptr;
  std::string text;  // the element text as found
};

struct BackwardResult {
  nlohmann::json view;                // {"wsb": {...}, "indkaldelse": {...}, "bridge": {...}}
  std::vector<Field> fields;          // every mapped element found, in document order
  std::vector<std::string> problems;  // unexpected elements, values that do not invert, …
};

struct OperationInfo {
  std::string operation;  // e.g. GetIndkaldelseVersion1
  std::string ns;         // namespace of the response and item elements
  std::string response;   // response element
  std::string item;       // item element inside the response
  std::string file;       // the table file
  std::string description;
  std::vector<const Row*> rows;
  std::vector<const NotMapped*> not_mapped;
  std::vector<LeafCoverage> coverage;
};

// The result of loading a mappings directory: every problem found, not only the first.
struct CheckReport {
  std::vector<std::string> errors;    // "file:line: row 'id': message" — any error stops serving
  std::vector<std::string> warnings;  // e.g. optional elements without a row (gaps)
  bool ok() const { return errors.empty(); }
};

class MappingSet {
 public:
  // Loads mappings_dir/*.toml (tables; files starting with '_' are only included), the code
  // lists in mappings_dir/codelists/, and checks every table against the schemas in xsd_dir.
  // Returns the set even when the report has errors (for `mappings check`); callers that serve
  // must refuse a set whose report is not ok().
  static std::shared_ptr<MappingSet> load(const std::string& mappings_dir,
                                          const std::string& xsd_dir, CheckReport& report);
  // load() that fails with one error listing every problem (for serve and the pipeline).
  static Result<std::shared_ptr<MappingSet>> load_checked(const std::string& mappings_dir,
                                                          const std::string& xsd_dir);

  std::vector<std::string> operations() const;
  const OperationInfo* info(const std::string& operation) const;
  const std::map<std::string, CodeList>& codelists() const { return codelists_; }

  Result<ForwardResult> forward(const std::string& operation, const Sources& sources) const;
  Result<BackwardResult> backward(const std::string& operation, const std::string& item_xml) const;

  // The row that writes the element at `xml_path` (indexes like "[2]" are ignored), if any.
  const Row* row_for_path(const std::string& operation, const std::string& xml_path) const;

  ~MappingSet();
  struct Impl;

 private:
  MappingSet();
  std::map<std::string, CodeList> codelists_;
  std::unique_ptr<Impl> impl_;
};

// The tables as Markdown (one section per operation; rows, code lists, coverage).
std::string render_markdown(const MappingSet& set);

}  // namespace bridge::mapping
