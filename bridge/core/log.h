#pragma once
// Logging set-up: text or JSON lines on stderr, CPR numbers masked by default.

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace bridge {

struct LogOptions {
  std::string format = "text";  // text | json
  std::string level = "info";
  bool mask_cpr = true;
};

// Installs the process-wide logger. Called once by main() before anything logs.
void init_logging(const LogOptions& options);

// Replaces every CPR-shaped number (ten digits, optionally DDMMYY-NNNN) that stands alone with
// "**********", so logs carry no civil registration numbers.
std::string mask_cpr(std::string_view text);

// Escapes text for a JSON string value (quotes not included).
std::string json_escape(std::string_view text);

}  // namespace bridge
