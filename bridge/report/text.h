#pragma once
// Small text helpers shared by the report's writers (private to bridge/report).

#include <cstdint>
#include <string>
#include <string_view>

namespace bridge::report {

// "YYYY-MM-DD" of a UTC instant.
std::string format_day_utc(std::int64_t ms);
// "2026-11-28T04:37:30.101Z".
std::string format_iso_utc(std::int64_t ms);
// 0.142857 → "14.3 %".
std::string format_percent(double rate);
// A number for SVG coordinates: at most two decimals, no exponent.
std::string format_coord(double value);
// Text of `text` with CPR-shaped numbers masked unless `unmask`.
std::string maybe_mask(std::string_view text, bool unmask);

}  // namespace bridge::report
