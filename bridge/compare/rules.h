#pragma once
// The rules of a comparison run, from a TOML file (mappings/compare/rules.toml by default; the
// format is in docs/comparison.md): business keys per operation, keys of repeated elements, ignore
// rules with their reason, noise settings and the thresholds of the verdict. Every path is an
// element path below the item, as in docs/mapping-tables.md; Comparer::create checks them
// against the XSD, so a misspelt path is an error at file:line, never a rule that never fires.

#include "bridge/core/result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::compare {

// Codes of ErrorDomain::compare.
enum class CompareErrc {
  rules = 1,   // the rules file is wrong
  input = 2,   // a recording or store cannot be read
  xml = 3,     // an item or response is not the XML it should be
  output = 4,  // a result file cannot be written
};

struct RepeatKey {
  std::string operation;         // empty: every operation with that path
  std::string path;              // the repeated element
  std::vector<std::string> key;  // paths below it whose texts identify one occurrence
  std::string where;             // "file:line"
};

struct IgnoreRule {
  std::string operation;  // empty: every operation
  std::string path;       // the field, or a container: the rule covers everything below it
  std::string reason;
  std::string ticket;  // optional
  std::string where;
  bool covers(const std::string& operation_name, const std::string& field) const;
};

struct FieldThreshold {
  std::string operation;  // empty: every operation
  std::string path;
  double max_rate = 0;
  std::string where;
};

struct OperationThreshold {
  std::string operation;
  std::optional<double> message_rate;
  std::optional<std::int64_t> unmatched;
  std::string where;
};

struct Rules {
  std::string file;  // where they were read from ("(built-in)" for defaults in tests)
  std::map<std::string, std::vector<std::string>> keys;  // operation → key paths
  int key_fraction_digits = 0;  // dateTime keys compared to whole seconds by default
  std::vector<RepeatKey> repeats;
  std::vector<IgnoreRule> ignores;
  // Verdict: a run fails when, in an operation, the share of pairs with a counted difference
  // exceeds message_rate, a field's counted differences / observations exceed field_rate, or
  // the unmatched messages (legacy-only + bridge-only) exceed `unmatched`.
  double message_rate = 0;
  double field_rate = 0;
  std::int64_t unmatched = 0;
  std::vector<FieldThreshold> field_thresholds;
  std::vector<OperationThreshold> operation_thresholds;
  // Diffy's rule: a field that also differs between two legacy recordings is noise unless its
  // difference rate exceeds the noise rate by more than `noise_absolute` AND by more than
  // `noise_relative` of the noise rate.
  double noise_relative = 0.2;
  double noise_absolute = 0.01;
  std::size_t max_examples_per_field = 20;

  static Result<Rules> load(const std::string& path);
  static Result<Rules> parse(std::string_view text, const std::string& source);

  double field_threshold(const std::string& operation, const std::string& field) const;
  double message_threshold(const std::string& operation) const;
  std::int64_t unmatched_threshold(const std::string& operation) const;
  const IgnoreRule* ignore_for(const std::string& operation, const std::string& field) const;
};

}  // namespace bridge::compare
