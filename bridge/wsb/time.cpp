// parse_haendelses_tid(): the HaendelsesTid format of the WSB header (domain.md §3.5). The seed
// sends six fraction digits and "+02:00"; .NET's "o" format sends seven and "Z" or an offset, so
// 0 to 7 digits and any offset are accepted. Everything else is rejected rather than guessed.

#include "bridge/wsb/wsb.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bridge::wsb {
namespace {

constexpr int kMaxFractionDigits = 7;  // .NET DateTime ticks: 100 ns

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). Done by
// hand so the result never depends on the process time zone, as timegm/mktime would.
constexpr std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}
static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);

constexpr bool is_leap_year(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int days_in_month(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Reads the text left to right; every read fails (returns false) without consuming on mismatch.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }
  bool next_is_digit() const { return !at_end() && is_digit(text_[pos_]); }

  bool literal(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Exactly `count` ASCII digits (no sign, no spaces).
  bool digits(int count, int& value) {
    if (text_.size() - pos_ < static_cast<std::size_t>(count)) return false;
    int result = 0;
    for (int i = 0; i < count; ++i) {
      const char c = text_[pos_ + static_cast<std::size_t>(i)];
      if (!is_digit(c)) return false;
      result = result * 10 + (c - '0');
    }
    pos_ += static_cast<std::size_t>(count);
    value = result;
    return true;
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// ".154073" → 154073000 ns; no fraction → 0. nullopt for "." without digits or more than 7.
std::optional<std::int64_t> read_fraction_ns(Cursor& cursor) {
  if (!cursor.literal('.')) return 0;
  std::int64_t value = 0;
  int count = 0;
  int digit = 0;
  while (count < kMaxFractionDigits && cursor.next_is_digit() && cursor.digits(1, digit)) {
    value = value * 10 + digit;
    ++count;
  }
  if (count == 0 || cursor.next_is_digit()) return std::nullopt;
  for (int i = count; i < 9; ++i) value *= 10;
  return value;
}

// "Z" → 0; "+02:00" → 120; "-05:30" → -330. nullopt when absent or out of range.
std::optional<int> read_offset_minutes(Cursor& cursor) {
  if (cursor.literal('Z')) return 0;
  int sign = 0;
  if (cursor.literal('+')) {
    sign = 1;
  } else if (cursor.literal('-')) {
    sign = -1;
  } else {
    return std::nullopt;
  }
  int hours = 0;
  int minutes = 0;
  if (!cursor.digits(2, hours) || !cursor.literal(':') || !cursor.digits(2, minutes)) {
    return std::nullopt;
  }
  if (hours > 23 || minutes > 59) return std::nullopt;
  return sign * (hours * 60 + minutes);
}

}  // namespace

std::optional<TimePoint> parse_haendelses_tid(std::string_view text) {
  Cursor cursor(text);
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!cursor.digits(4, year) || !cursor.literal('-') || !cursor.digits(2, month) ||
      !cursor.literal('-') || !cursor.digits(2, day) || !cursor.literal('T') ||
      !cursor.digits(2, hour) || !cursor.literal(':') || !cursor.digits(2, minute) ||
      !cursor.literal(':') || !cursor.digits(2, second)) {
    return std::nullopt;
  }
  const std::optional<std::int64_t> fraction_ns = read_fraction_ns(cursor);
  if (!fraction_ns) return std::nullopt;
  const std::optional<int> offset_minutes = read_offset_minutes(cursor);
  if (!offset_minutes || !cursor.at_end()) return std::nullopt;

  // No leap second (:60) and no 24:00:00: neither comes out of .NET's DateTime.
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }

  const std::int64_t seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second - *offset_minutes * 60;
  // TimePoint counts nanoseconds in 64 bits (years 1677 to 2262): refuse what it cannot hold
  // instead of overflowing.
  using std::chrono::duration_cast;
  constexpr std::int64_t kMaxSeconds =
      duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count() - 1;
  constexpr std::int64_t kMinSeconds =
      duration_cast<std::chrono::seconds>(TimePoint::duration::min()).count() + 1;
  if (seconds > kMaxSeconds || seconds < kMinSeconds) return std::nullopt;
  return TimePoint(duration_cast<TimePoint::duration>(std::chrono::seconds(seconds)) +
                   duration_cast<TimePoint::duration>(std::chrono::nanoseconds(*fraction_ns)));
}

}  // namespace bridge::wsb
