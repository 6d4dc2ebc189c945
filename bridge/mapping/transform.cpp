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
// writes a value that would make the consumer reject the whole response. A hand-written reader
// of exactly the forms
//   dateTime  -?YYYY+-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?
//   date      -?YYYY+-MM-DD(Z|(+|-)hh:mm)?
// (a year of four or more ASCII digits; every other field exactly two).
class LexicalReader {
 public:
  explicit LexicalReader(std::string_view s) : s_(s) {}
  bool at_end() const { return i_ == s_.size(); }
  bool take(char c) {
    if (i_ == s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  // Exactly two digits.
  bool two_digits(int& value) {
    if (s_.size() - i_ < 2 || !digit(s_[i_]) || !digit(s_[i_ + 1])) return false;
    value = (s_[i_] - '0') * 10 + (s_[i_ + 1] - '0');
    i_ += 2;
    return true;
  }
  // -?[0-9]{4,}-MM-DD, in range: month 1-12, the day within the month (leap years by the
  // Gregorian rule, negative years as libxml2 counts them: -0004 is a leap year), no year 0,
  // and a year that fits in 64 bits.
  bool date() {
    const std::size_t start = i_;
    take('-');
    const std::size_t first_digit = i_;
    while (i_ < s_.size() && digit(s_[i_])) ++i_;
    if (i_ - first_digit < 4) return false;
    const auto year = parse_int(s_.substr(start, i_ - start));
    int month = 0, day = 0;
    if (!take('-') || !two_digits(month) || !take('-') || !two_digits(day)) return false;
    if (!year || *year == 0) return false;  // XSD 1.0 has no year 0000
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return false;
    const std::int64_t y = *year;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  }
  // hh:mm:ss(.s+)?, in range: 00:00:00 to 23:59:59, or 24:00:00 with only zeros as fraction.
  bool time() {
    int hour = 0, minute = 0, second = 0;
    if (!two_digits(hour) || !take(':') || !two_digits(minute) || !take(':') ||
        !two_digits(second)) {
      return false;
    }
    bool zero_fraction = true;
    if (take('.')) {
      const std::size_t first_digit = i_;
      for (; i_ < s_.size() && digit(s_[i_]); ++i_) zero_fraction = zero_fraction && s_[i_] == '0';
      if (i_ == first_digit) return false;
    }
    const bool midnight = hour == 24 && minute == 0 && second == 0 && zero_fraction;
    return midnight || (hour <= 23 && minute <= 59 && second <= 59);
  }
  // (Z|(+|-)hh:mm)? and then the end of the text; an offset of at most ±14:00.
  bool zone_and_end() {
    if (take('Z')) return at_end();
    if (at_end()) return true;
    if (!take('+') && !take('-')) return false;
    int hh = 0, mm = 0;
    if (!two_digits(hh) || !take(':') || !two_digits(mm) || !at_end()) return false;
    return mm <= 59 && (hh < 14 || (hh == 14 && mm == 0));
  }

 private:
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  std::string_view s_;
  std::size_t i_ = 0;
};

bool is_date_time(std::string_view s) {
  LexicalReader r(s);
  return r.date() && r.take('T') && r.time() && r.zone_and_end();
}

bool is_date(std::string_view s) {
  LexicalReader r(s);
  return r.date() && r.zone_and_end();
}

// An integer JSON value in decimal, as json::dump() writes it.
std::string integer_text(const nlohmann::json& value) {
  char buffer[24];
  const auto written =
      value.is_number_unsigned()
          ? std::to_chars(buffer, buffer + sizeof buffer, value.get<std::uint64_t>())
          : std::to_chars(buffer, buffer + sizeof buffer, value.get<std::int64_t>());
  return std::string(buffer, written.ptr);
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

// ---- simple patterns -------------------------------------------------------------------------

std::optional<SimplePattern> SimplePattern::compile(std::string_view pattern) {
  // Characters that stand for themselves, outside a class and inside one. Everything special to
  // ECMAScript (and '-', '^' and ']' inside a class, '{' and '}' outside a quantifier) refuses
  // the pattern, as does anything but printable ASCII.
  const auto literal = [](char c) {
    return c >= 0x20 && c <= 0x7E &&
           std::string_view("^$\\.*+?()[]{}|").find(c) == std::string_view::npos;
  };
  const auto class_literal = [](char c) {
    return c >= 0x20 && c <= 0x7E && std::string_view("\\[]^-").find(c) == std::string_view::npos;
  };
  // A decimal number of at most 4 digits (a quantifier bound).
  const auto number = [&](std::size_t& i, std::size_t& value) {
    const std::size_t first = i;
    value = 0;
    while (i < pattern.size() && pattern[i] >= '0' && pattern[i] <= '9' && i - first < 4) {
      value = value * 10 + static_cast<std::size_t>(pattern[i] - '0');
      ++i;
    }
    return i > first && (i == pattern.size() || pattern[i] < '0' || pattern[i] > '9');
  };
  SimplePattern out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    Atom atom;
    if (pattern[i] == '[') {
      ++i;
      bool any = false;
      while (i < pattern.size() && pattern[i] != ']') {
        const char lo = pattern[i];
        if (!class_literal(lo)) return std::nullopt;
        char hi = lo;
        if (i + 1 < pattern.size() && pattern[i + 1] == '-') {
          if (i + 2 >= pattern.size() || !class_literal(pattern[i + 2])) return std::nullopt;
          hi = pattern[i + 2];
          if (hi < lo) return std::nullopt;
          i += 3;
        } else {
          ++i;
        }
        for (int c = lo; c <= hi; ++c) atom.set[static_cast<unsigned char>(c)] = true;
        any = true;
      }
      if (i == pattern.size() || !any) return std::nullopt;  // unterminated or empty class
      ++i;                                                   // ']'
    } else if (literal(pattern[i])) {
      atom.set[static_cast<unsigned char>(pattern[i])] = true;
      ++i;
    } else {
      return std::nullopt;
    }
    if (i < pattern.size() && pattern[i] == '{') {
      ++i;
      if (!number(i, atom.min)) return std::nullopt;
      atom.max = atom.min;
      if (i < pattern.size() && pattern[i] == ',') {
        ++i;
        if (!number(i, atom.max) || atom.max < atom.min) return std::nullopt;
      }
      if (i == pattern.size() || pattern[i] != '}') return std::nullopt;
      ++i;
    }
    out.min_length_ += atom.min;
    out.max_length_ += atom.max;
    out.fixed_ = out.fixed_ && atom.min == atom.max;
    out.atoms_.push_back(atom);
  }
  return out;
}

bool SimplePattern::matches(std::string_view text) const {
  if (text.size() < min_length_ || text.size() > max_length_) return false;
  const auto in = [](const Atom& a, char c) { return a.set[static_cast<unsigned char>(c)]; };
  if (fixed_) {  // one way to split the text: min_length_ == text.size()
    std::size_t i = 0;
    for (const Atom& a : atoms_) {
      for (std::size_t k = 0; k < a.min; ++k) {
        if (!in(a, text[i++])) return false;
      }
    }
    return true;
  }
  // The positions in the text each prefix of the atoms can end at.
  std::vector<char> reach(text.size() + 1, 0), next(text.size() + 1, 0);
  reach[0] = 1;
  for (const Atom& a : atoms_) {
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (std::size_t p = 0; p <= text.size(); ++p) {
      if (!reach[p]) continue;
      for (std::size_t k = 0;; ++k) {
        if (k >= a.min) {
          next[p + k] = 1;
          any = true;
        }
        if (k == a.max || p + k == text.size() || !in(a, text[p + k])) break;
      }
    }
    if (!any) return false;
    reach.swap(next);
  }
  return reach[text.size()] != 0;
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
      if (value.is_string()) {
        return std::optional<std::string>{value.get_ref<const std::string&>()};
      }
      if (row.transform == Transform::string && value.is_number_integer()) {
        return std::optional<std::string>{integer_text(value)};
      }
      return value_error(row, "expected a string, found " + json_type(value));
    case Transform::integer:
      if (value.is_number_integer()) return std::optional<std::string>{integer_text(value)};
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
        code = integer_text(value);
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
    const LeafCheck& check = *leaf.check;
    for (std::size_t i = 0; i < check.patterns.size(); ++i) {
      const bool match = i < check.simple.size() && check.simple[i]
                             ? check.simple[i]->matches(text)
                             : std::regex_match(text, check.patterns[i]);
      if (!match) {
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
