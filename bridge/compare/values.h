#pragma once
// Comparing one legacy value with one bridge value by its XSD type (issue: comparison runs).
// Text that differs can still mean the same value: "1" and "true" are one boolean, "007" and
// "7" one integer, "…17.154+02:00" and "…15.154073Z" … see compare_values. Such pairs are
// *equivalent*, with the reason, so a comparison report never calls them differences.

#include "bridge/mapping/xsd.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bridge::compare {

enum class Verdict { equal, equivalent, different };
const char* to_string(Verdict v);

struct ValueComparison {
  Verdict verdict = Verdict::equal;
  std::string reason;  // why equivalent or different; empty when equal
};

// `legacy` and `bridge` are element texts as found. Rules by type:
// - any type: the same text is equal;
// - string: equal after XSD whitespace collapsing is equivalent ("whitespace");
// - anyURI: XSD collapses its whitespace, so that is equivalent too;
// - integer, decimal: the same number in another lexical form ("+7", "007", "7.50" vs "7.5");
// - boolean: "1"/"true" and "0"/"false";
// - dateTime: the same instant with another offset or number of fraction digits; values that
//   agree to the precision of the less precise one are equivalent ("precision"), because legacy
//   systems round or truncate fractions; a value without a time zone against one with a zone
//   is different (XSD calls them incomparable);
// - date: the same day, "Z" and "+00:00" alike.
ValueComparison compare_values(mapping::ValueKind kind, std::string_view legacy,
                               std::string_view bridge);

// A value in a canonical text, for matching messages by key: whitespace collapsed, numbers and
// booleans canonical, a dateTime as UTC seconds since 1970 plus at most `fraction_digits`
// truncated fraction digits (so that a legacy value with less precision still matches). A text
// that does not parse as its type is kept as it is (collapsed).
std::string canonical_key(mapping::ValueKind kind, std::string_view text, int fraction_digits);

// An xsd:dateTime with a time zone as milliseconds since 1970 (UTC); nullopt for anything else.
std::optional<std::int64_t> epoch_ms_of(std::string_view date_time);

}  // namespace bridge::compare
