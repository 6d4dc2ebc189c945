#pragma once
// Reading a JSON document field by field with errors that name the file and the JSON pointer
// (RFC 6901) of the offending value: "create.json: /steps/2/cpr: must be 10 digits, got …".
// The first error is kept; readers go on returning empty values, so a loader can read a whole
// object and check failed() once.

#include "bridge/core/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace bridge::sim {

using Json = nlohmann::ordered_json;

// "/steps" + "id" → "/steps/id" (with ~ and / escaped); "/steps" + 3 → "/steps/3".
std::string pointer_to(std::string_view parent, std::string_view key);
std::string pointer_to(std::string_view parent, std::size_t index);

// "string", "integer", "object" … for messages.
std::string json_type_name(const Json& value);

// Parses JSON text; a syntax error names line and column ("file:3:17: …").
Result<Json> parse_json_text(std::string_view text, const std::string& file);

class FieldReader {
 public:
  explicit FieldReader(std::string file) : file_(std::move(file)) {}

  bool failed() const { return !message_.empty(); }
  // The first error, as ErrorDomain::config / SimErrc::scenario_invalid.
  Error error() const;
  // Records an error at `pointer` unless one is recorded already.
  void fail(std::string_view pointer, const std::string& message);

  // True when `value` is an object whose members are all in `allowed`; else records an error.
  bool object(const Json& value, std::string_view pointer,
              std::initializer_list<std::string_view> allowed);
  // The member `key` of `object`, or nullptr when absent (recording an error if `required`).
  const Json* find(const Json& object, std::string_view pointer, std::string_view key,
                   bool required);

  std::optional<std::string> string(const Json& object, std::string_view pointer,
                                    std::string_view key, bool required);
  std::optional<std::int64_t> integer(const Json& object, std::string_view pointer,
                                      std::string_view key, bool required);
  std::optional<bool> boolean(const Json& object, std::string_view pointer, std::string_view key,
                              bool required);

 private:
  std::string file_;
  std::string message_;
};

}  // namespace bridge::sim
