// The named transforms of mapping rows, their inverses, value checks against the XSD leaf type,
// and code list lookups.

#include "bridge/mapping/plan.h"

#include <charconv>
#include <cmath>

namespace bridge::mapping {

namespace {

Error value_error(const Row& row, const std::string& what) {
  return make_error(
      ErrorDomain::mapping, static_cast<int>(MappingErrc::value),
      "row " + row.reference() + " (" + row.path + " <- " + row.source + "): " + what);
}

std::string json_type(const nlohmann::json& v) {
  return std::string(v.type_name()) + " " + v.dump();
}

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// xsd:dateTime and xsd:date: the lexical form and the value ranges a validating consumer checks
// (month, day of the month, hour 00-23 or 24:00:00, offsets up to ±14:00), so forward never
// writes a value that would make the consumer reject the whole response.
bool valid_zone(const std::csub_match& sign_hh, const std::csub_match& mm) {
  if (!sign_hh.matched) return true;  // no offset, or Z
  const int hh = std::stoi(sign_hh.str().substr(1));
  const int minutes = std::stoi(mm.str());
  return minutes <= 59 && (hh < 14 || (hh == 14 && minutes == 0));
}

bool valid_date(const std::csub_match& year_text, const std::csub_match& month_text,
                const std::csub_match& day_text) {
  const auto year = parse_int(year_text.str());
  if (!year || *year == 0) return false;  // XSD 1.0 has no year 0000
  const int month = std::stoi(month_text.str());
  const int day = std::stoi(day_text.str());
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const std::int64_t y = *year;  // negative years as libxml2 counts them (-0004 is a leap year)
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?
bool is_date_time(std::string_view s) {
  static const std::regex re(
      R"((-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|([+-][0-9]{2}):([0-9]{2}))?)");
  std::cmatch m;
  if (!std::regex_match(s.data(), s.data() + s.size(), m, re)) return false;
  const int hour = std::stoi(m[4].str()), minute = std::stoi(m[5].str()),
            second = std::stoi(m[6].str());
  const bool midnight = hour == 24 && minute == 0 && second == 0 &&
                        m[7].str().find_first_not_of(".0") == std::string::npos;
  return valid_date(m[1], m[2], m[3]) &&
         (midnight || (hour <= 23 && minute <= 59 && second <= 59)) && valid_zone(m[9], m[10]);
}

bool is_date(std::string_view s) {
  static const std::regex re(
      R"((-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|([+-][0-9]{2}):([0-9]{2}))?)");
  std::cmatch m;
  if (!std::regex_match(s.data(), s.data() + s.size(), m, re)) return false;
  return valid_date(m[1], m[2], m[3]) && valid_zone(m[5], m[6]);
}

// The number of Unicode code points (the unit of XSD length facets) in UTF-8 text.
std::int64_t code_points(std::string_view s) {
  std::int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

const char* to_string(SourceKind kind) {
  switch (kind) {
    case SourceKind::wsb:
      return "wsb";
    case SourceKind::indkaldelse:
      return "indkaldelse";
    case SourceKind::bridge:
      return "bridge";
    case SourceKind::each:
      return "each";
    case SourceKind::constant:
      return "const";
  }
  return "?";
}

const char* to_string(Transform t) {
  switch (t) {
    case Transform::string:
      return "string";
    case Transform::integer:
      return "integer";
    case Transform::boolean:
      return "boolean";
    case Transform::date_time:
      return "datetime";
    case Transform::date:
      return "date";
    case Transform::code:
      return "code";
    case Transform::each:
      return "each";
  }
  return "?";
}

const char* to_string(Coverage c) {
  switch (c) {
    case Coverage::mapped:
      return "mapped";
    case Coverage::defaulted:
      return "default";
    case Coverage::not_mapped:
      return "not mapped";
    case Coverage::gap:
      return "gap";
  }
  return "?";
}

// ---- code lists ------------------------------------------------------------------------------

void CodeList::index() {
  by_code_.clear();
  by_legacy_.clear();
  for (std::size_t i = 0; i < values.size(); ++i) {
    by_code_.emplace(values[i].code, i);
    by_legacy_.emplace(values[i].legacy, i);
  }
}

const CodeValue* CodeList::find(const std::string& code) const {
  const auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &values[it->second];
}

std::string CodeList::to_legacy(const std::string& code) const {
  const auto it = by_code_.find(code);
  if (it == by_code_.end()) {
    unknown_->fetch_add(1, std::memory_order_relaxed);
    return code;
  }
  return values[it->second].legacy;
}

std::string CodeList::from_legacy(const std::string& legacy) const {
  const auto it = by_legacy_.find(legacy);
  if (it == by_legacy_.end()) {
    unknown_->fetch_add(1, std::memory_order_relaxed);
    return legacy;
  }
  return values[it->second].code;
}

// ---- forward ---------------------------------------------------------------------------------

Result<std::optional<std::string>> apply_forward(const Row& row, const nlohmann::json& value) {
  // null and "" are "no value": the element is left out (contract.md §3.2: optional elements
  // are never emitted empty), or the row's default is used.
  if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty())) {
    return std::optional<std::string>{};
  }
  switch (row.transform) {
    case Transform::string:
    case Transform::date_time:
    case Transform::date:
      if (value.is_string()) return std::optional<std::string>{value.get<std::string>()};
      if (row.transform == Transform::string && value.is_number_integer()) {
        return std::optional<std::string>{value.dump()};
      }
      return value_error(row, "expected a string, found " + json_type(value));
    case Transform::integer:
      if (value.is_number_integer()) return std::optional<std::string>{value.dump()};
      if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::floor(d) == d && std::abs(d) < 9e15) {
          return std::optional<std::string>{std::to_string(static_cast<std::int64_t>(d))};
        }
      }
      if (value.is_string() && is_digits(value.get<std::string>())) {
        return std::optional<std::string>{value.get<std::string>()};
      }
      return value_error(row, "expected an integer, found " + json_type(value));
    case Transform::boolean:
      if (value.is_boolean())
        return std::optional<std::string>{value.get<bool>() ? "true" : "false"};
      return value_error(row, "expected true or false, found " + json_type(value));
    case Transform::code: {
      std::string code;
      if (value.is_number_integer())
        code = value.dump();
      else if (value.is_string())
        code = value.get<std::string>();
      else
        return value_error(row, "expected a code (integer or string), found " + json_type(value));
      return std::optional<std::string>{row.codelist ? row.codelist->to_legacy(code) : code};
    }
    case Transform::each:
      break;
  }
  return value_error(row, "an 'each' row has no text value");
}

std::optional<std::string> check_value(const PlanNode& leaf, const std::string& text) {
  const SimpleType& type = *leaf.element->simple;
  switch (type.kind) {
    case ValueKind::integer: {
      const auto v = parse_int(text);
      if (!v) return "'" + text + "' is not an integer";
      if (type.min_inclusive && *v < *type.min_inclusive) {
        return text + " is below the minimum " + std::to_string(*type.min_inclusive);
      }
      if (type.max_inclusive && *v > *type.max_inclusive) {
        return text + " is above the maximum " + std::to_string(*type.max_inclusive);
      }
      break;
    }
    case ValueKind::boolean:
      if (text != "true" && text != "false" && text != "1" && text != "0") {
        return "'" + text + "' is not a boolean";
      }
      break;
    case ValueKind::date_time:
      if (!is_date_time(text)) return "'" + text + "' is not an xsd:dateTime";
      break;
    case ValueKind::date:
      if (!is_date(text)) return "'" + text + "' is not an xsd:date";
      break;
    case ValueKind::decimal: {
      static const std::regex re(R"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))");
      if (!std::regex_match(text, re)) return "'" + text + "' is not a decimal";
      break;
    }
    case ValueKind::string:
    case ValueKind::any_uri: {
      const auto n = code_points(text);
      if (type.min_length && n < *type.min_length) {
        return "'" + text + "' is shorter than " + std::to_string(*type.min_length);
      }
      if (type.max_length && n > *type.max_length) {
        return "a value of " + std::to_string(n) + " characters is longer than " +
               std::to_string(*type.max_length);
      }
      break;
    }
  }
  if (leaf.check) {
    for (std::size_t i = 0; i < leaf.check->patterns.size(); ++i) {
      if (!std::regex_match(text, leaf.check->patterns[i])) {
        return "'" + text + "' does not match the pattern " + type.patterns[i];
      }
    }
  }
  return std::nullopt;
}

// ---- backward --------------------------------------------------------------------------------

nlohmann::json apply_backward(const Row& row, const std::string& text, std::string& problem) {
  switch (row.transform) {
    case Transform::string:
    case Transform::date_time:
    case Transform::date:
      return text;
    case Transform::integer:
      if (const auto v = parse_int(text)) return *v;
      problem = "'" + text + "' is not an integer";
      return text;
    case Transform::boolean:
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      problem = "'" + text + "' is not a boolean";
      return text;
    case Transform::code: {
      const std::string code = row.codelist ? row.codelist->from_legacy(text) : text;
      if (const auto v = parse_int(code)) return *v;
      return code;
    }
    case Transform::each:
      break;
  }
  return text;
}

}  // namespace bridge::mapping
