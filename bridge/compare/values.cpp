#include "bridge/compare/values.h"

#include <charconv>
#include <cstdint>
#include <optional>

namespace bridge::compare {

namespace {

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// XSD whiteSpace="collapse": runs of blanks become one space, none at either end.
std::string collapse(std::string_view s) {
  std::string out;
  bool pending = false;
  for (char c : s) {
    if (is_xml_space(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

// A decimal in canonical form: no '+', no leading zeros, no trailing fraction zeros, "-0" → "0".
std::optional<std::string> canonical_decimal(std::string_view s) {
  std::string t = collapse(s);
  std::string_view v = t;
  bool negative = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    negative = v[0] == '-';
    v.remove_prefix(1);
  }
  const auto dot = v.find('.');
  std::string_view whole = v.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : v.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  for (char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  std::string out = whole.empty() ? "0" : std::string(whole);
  if (!fraction.empty()) out += "." + std::string(fraction);
  if (negative && out != "0") out = "-" + out;
  return out;
}

std::optional<bool> boolean_of(std::string_view s) {
  const std::string t = collapse(s);
  if (t == "true" || t == "1") return true;
  if (t == "false" || t == "0") return false;
  return std::nullopt;
}

// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Instant {
  std::int64_t seconds = 0;  // UTC seconds since 1970 (local seconds when there is no zone)
  std::string fraction;      // fraction digits as written, trailing zeros removed
  int fraction_digits = 0;   // as written
  bool has_zone = false;
  int offset_minutes = 0;
  std::string zone_text;
};

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool digits(std::size_t n, std::int64_t& out) {
    if (s_.size() - i_ < n) return false;
    out = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s_[i_ + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    i_ += n;
    return true;
  }
  bool take(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool at_end() const { return i_ == s_.size(); }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  std::string_view rest() const { return s_.substr(i_); }
  std::size_t pos() const { return i_; }
  void skip(std::size_t n) { i_ += n; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

bool read_date(Reader& r, std::int64_t& days) {
  const bool negative = r.take('-');
  std::size_t n = 0;
  while (n < r.rest().size() && r.rest()[n] >= '0' && r.rest()[n] <= '9') ++n;
  if (n < 4 || n > 12) return false;
  std::int64_t year = 0, month = 0, day = 0;
  if (!r.digits(n, year) || !r.take('-') || !r.digits(2, month) || !r.take('-') ||
      !r.digits(2, day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  days = days_from_civil(negative ? -year : year, static_cast<unsigned>(month),
                         static_cast<unsigned>(day));
  return true;
}

bool read_zone(Reader& r, Instant& t) {
  if (r.at_end()) return true;
  t.has_zone = true;
  t.zone_text = std::string(r.rest());
  if (r.take('Z')) return r.at_end();
  const char sign = r.peek();
  if (sign != '+' && sign != '-') return false;
  r.skip(1);
  std::int64_t hh = 0, mm = 0;
  if (!r.digits(2, hh) || !r.take(':') || !r.digits(2, mm) || !r.at_end()) return false;
  t.offset_minutes = static_cast<int>((hh * 60 + mm) * (sign == '-' ? -1 : 1));
  return true;
}

std::optional<Instant> date_time_of(std::string_view text) {
  const std::string s = collapse(text);
  Reader r(s);
  Instant t;
  std::int64_t days = 0, hh = 0, mi = 0, ss = 0;
  if (!read_date(r, days) || !r.take('T') || !r.digits(2, hh) || !r.take(':') || !r.digits(2, mi) ||
      !r.take(':') || !r.digits(2, ss)) {
    return std::nullopt;
  }
  if (r.take('.')) {
    const auto rest = r.rest();
    std::size_t n = 0;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 0) return std::nullopt;
    t.fraction_digits = static_cast<int>(n);
    t.fraction = std::string(rest.substr(0, n));
    while (!t.fraction.empty() && t.fraction.back() == '0') t.fraction.pop_back();
    r.skip(n);
  }
  if (!read_zone(r, t)) return std::nullopt;
  t.seconds = days * 86400 + hh * 3600 + mi * 60 + ss - std::int64_t{t.offset_minutes} * 60;
  return t;
}

std::optional<Instant> date_of(std::string_view text) {
  const std::string s = collapse(text);
  Reader r(s);
  Instant t;
  std::int64_t days = 0;
  if (!read_date(r, days) || !read_zone(r, t)) return std::nullopt;
  t.seconds = days * 86400;  // a date's zone does not move the day it names
  return t;
}

ValueComparison same(std::string reason) { return {Verdict::equivalent, std::move(reason)}; }

ValueComparison differ(std::string_view legacy, std::string_view bridge, const char* what) {
  // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false positive) on the chain of
  // operator+ this would otherwise be.
  std::string reason;
  reason.reserve(legacy.size() + bridge.size() + 40);
  reason.append("'").append(legacy).append("' and '").append(bridge).append("' are different ");
  reason.append(what);
  return {Verdict::different, std::move(reason)};
}

ValueComparison compare_date_times(std::string_view legacy, std::string_view bridge) {
  const auto a = date_time_of(legacy), b = date_time_of(bridge);
  if (!a || !b) return differ(legacy, bridge, "texts (not both xsd:dateTime)");
  if (a->has_zone != b->has_zone) {
    return {Verdict::different, "one of '" + std::string(legacy) + "' and '" + std::string(bridge) +
                                    "' has no time zone: XSD cannot compare them"};
  }
  if (a->seconds != b->seconds) return differ(legacy, bridge, "instants");
  std::string reasons;
  if (a->fraction != b->fraction) {
    // Agree up to the shorter precision (a truncation or rounding to fewer digits).
    const std::size_t n = std::min(a->fraction_digits, b->fraction_digits);
    const auto pad = [n](std::string f) {
      f.resize(std::max(f.size(), n), '0');
      return f.substr(0, n);
    };
    const std::string fa = pad(a->fraction), fb = pad(b->fraction);
    bool close = fa == fb;
    if (!close && n > 0) {
      // Rounded instead of truncated: the last kept digit differs by one.
      std::int64_t ia = 0, ib = 0;
      std::from_chars(fa.data(), fa.data() + fa.size(), ia);
      std::from_chars(fb.data(), fb.data() + fb.size(), ib);
      close = ia - ib == 1 || ib - ia == 1;
    }
    if (!close) return differ(legacy, bridge, "instants (fractions of a second)");
    reasons = "the same instant to " + std::to_string(n) + " fraction digit(s) (" +
              std::to_string(a->fraction_digits) + " vs " + std::to_string(b->fraction_digits) +
              ")";
  } else if (a->fraction_digits != b->fraction_digits) {
    reasons = "the same instant written with " + std::to_string(a->fraction_digits) + " and " +
              std::to_string(b->fraction_digits) + " fraction digits";
  }
  if (a->zone_text != b->zone_text) {
    if (!reasons.empty()) reasons += "; ";
    reasons +=
        a->offset_minutes == b->offset_minutes
            ? "the same offset written as '" + a->zone_text + "' and '" + b->zone_text + "'"
            : "the same instant in offsets '" + a->zone_text + "' and '" + b->zone_text + "'";
  }
  if (reasons.empty()) reasons = "the same instant in another lexical form";
  return same(reasons);
}

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::equal:
      return "equal";
    case Verdict::equivalent:
      return "equivalent";
    case Verdict::different:
      return "different";
  }
  return "?";
}

ValueComparison compare_values(mapping::ValueKind kind, std::string_view legacy,
                               std::string_view bridge) {
  if (legacy == bridge) return {};
  switch (kind) {
    case mapping::ValueKind::string:
    case mapping::ValueKind::any_uri:
      if (collapse(legacy) == collapse(bridge)) return same("the same text apart from whitespace");
      return differ(legacy, bridge, "texts");
    case mapping::ValueKind::integer:
    case mapping::ValueKind::decimal: {
      const auto a = canonical_decimal(legacy), b = canonical_decimal(bridge);
      if (a && b && *a == *b) return same("the same number " + *a + " written differently");
      return differ(legacy, bridge, "numbers");
    }
    case mapping::ValueKind::boolean: {
      const auto a = boolean_of(legacy), b = boolean_of(bridge);
      if (a && b && *a == *b) {
        return same(std::string("'") + std::string(legacy) + "' and '" + std::string(bridge) +
                    "' are the same boolean");
      }
      return differ(legacy, bridge, "booleans");
    }
    case mapping::ValueKind::date_time:
      return compare_date_times(legacy, bridge);
    case mapping::ValueKind::date: {
      const auto a = date_of(legacy), b = date_of(bridge);
      if (a && b && a->seconds == b->seconds && a->offset_minutes == b->offset_minutes &&
          a->has_zone == b->has_zone) {
        return same("the same date written differently");
      }
      return differ(legacy, bridge, "dates");
    }
  }
  return differ(legacy, bridge, "values");
}

std::optional<std::int64_t> epoch_ms_of(std::string_view date_time) {
  const auto t = date_time_of(date_time);
  if (!t || !t->has_zone) return std::nullopt;
  std::string ms = t->fraction.substr(0, 3);
  ms.resize(3, '0');
  return t->seconds * 1000 + std::stoi(ms);
}

std::string canonical_key(mapping::ValueKind kind, std::string_view text, int fraction_digits) {
  switch (kind) {
    case mapping::ValueKind::integer:
    case mapping::ValueKind::decimal:
      if (auto d = canonical_decimal(text)) return *d;
      break;
    case mapping::ValueKind::boolean:
      if (auto b = boolean_of(text)) return *b ? "true" : "false";
      break;
    case mapping::ValueKind::date_time:
      if (auto t = date_time_of(text)) {
        std::string out = std::to_string(t->seconds);
        std::string f =
            t->fraction.substr(0, static_cast<std::size_t>(std::max(0, fraction_digits)));
        while (!f.empty() && f.back() == '0') f.pop_back();
        if (!f.empty()) out += "." + f;
        if (!t->has_zone) out += " (no zone)";
        return out;
      }
      break;
    case mapping::ValueKind::date:
      if (auto t = date_of(text)) return std::to_string(t->seconds / 86400) + "d";
      break;
    case mapping::ValueKind::string:
    case mapping::ValueKind::any_uri:
      break;
  }
  return collapse(text);
}

}  // namespace bridge::compare
