#include "bridge/sim/json_fields.h"

#include "bridge/sim/scenario.h"

#include <algorithm>

namespace bridge::sim {

std::string pointer_to(std::string_view parent, std::string_view key) {
  std::string out(parent);
  out += '/';
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_to(std::string_view parent, std::size_t index) {
  return std::string(parent) + "/" + std::to_string(index);
}

std::string json_type_name(const Json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  return value.type_name();
}

Result<Json> parse_json_text(std::string_view text, const std::string& file) {
  // nlohmann/json reports syntax errors by exception; this is the one place that catches it.
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    const std::size_t offset = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    const std::string_view before = text.substr(0, offset);
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t last_newline = before.rfind('\n');
    const std::size_t column =
        1 + (last_newline == std::string_view::npos ? offset : offset - last_newline - 1);
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error …": keep
    // the part after the position, which says what was expected.
    const std::size_t colon = what.find(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return make_error(ErrorDomain::config, static_cast<int>(SimErrc::scenario_syntax),
                      file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                          ": not valid JSON: " + what);
  }
}

Error FieldReader::error() const {
  return make_error(ErrorDomain::config, static_cast<int>(SimErrc::scenario_invalid), message_);
}

void FieldReader::fail(std::string_view pointer, const std::string& message) {
  if (failed()) return;
  message_ = file_ + ": " + (pointer.empty() ? std::string("(document)") : std::string(pointer)) +
             ": " + message;
}

bool FieldReader::object(const Json& value, std::string_view pointer,
                         std::initializer_list<std::string_view> allowed) {
  if (!value.is_object()) {
    fail(pointer, "must be an object, got " + json_type_name(value));
    return false;
  }
  for (const auto& [key, member] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      fail(pointer_to(pointer, key), "unknown member '" + key + "' (known: " + known + ")");
      return false;
    }
  }
  return true;
}

const Json* FieldReader::find(const Json& object, std::string_view pointer, std::string_view key,
                              bool required) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  if (it == object.end()) {
    if (required) fail(pointer_to(pointer, key), "is required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> FieldReader::string(const Json& object, std::string_view pointer,
                                               std::string_view key, bool required) {
  const Json* v = find(object, pointer, key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(pointer_to(pointer, key), "must be a string, got " + json_type_name(*v));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::int64_t> FieldReader::integer(const Json& object, std::string_view pointer,
                                                 std::string_view key, bool required) {
  const Json* v = find(object, pointer, key, required);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    fail(pointer_to(pointer, key), "must be an integer, got " + json_type_name(*v));
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<bool> FieldReader::boolean(const Json& object, std::string_view pointer,
                                         std::string_view key, bool required) {
  const Json* v = find(object, pointer, key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    fail(pointer_to(pointer, key), "must be true or false, got " + json_type_name(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

}  // namespace bridge::sim
