#pragma once
// One line of a recording's log.jsonl (docs/shadow.md, "Recording format"): one JSON object per
// call, in call order. The line is the commit of its response file.

#include "bridge/core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridge::shadow {

inline constexpr const char* kCreateSequence = "CreateSequence";
inline constexpr const char* kTerminateSequence = "TerminateSequence";
inline constexpr const char* kCloseSequence = "CloseSequence";

// True for the WsrmService calls; every other call is a Get… of the message service.
bool is_sequence_call(std::string_view call);

struct Fault {
  std::optional<std::string> code;  // the WSRM fault code (detail/WsrmFault/Code); null without
  std::string string;               // faultstring
};

// (ServiceName, MessageCount) in the order of the CreateSequenceResponse.
using Inventory = std::vector<std::pair<std::string, std::int64_t>>;

struct LogLine {
  std::int64_t n = 0;
  std::string at;  // UTC, milliseconds, e.g. 2026-11-28T04:00:01.456Z
  std::string call;
  std::optional<std::string> sequence;
  long http_status = 0;
  std::string file;  // relative to the recording directory
  std::int64_t bytes = 0;
  std::string sha256;
  std::optional<std::int64_t> items;   // Get… lines; null when the response has no items element
  std::optional<Inventory> inventory;  // CreateSequence lines; null when not a CreateSequence
                                       // response (a fault)
  std::optional<Fault> fault;

  // HTTP 200 without a fault: the call did what it was asked.
  bool successful() const { return http_status == 200 && !fault; }
};

// "responses/000007-GetIndkaldelseVersion1.xml"
std::string response_file_name(std::int64_t n, std::string_view call);

// The line as one JSON object without the trailing newline. "items" is written on Get… lines
// only and "inventory" on CreateSequence lines only.
std::string to_json_line(const LogLine& line);

// Parses one line (without its newline). Errors say which field is missing or wrong.
Result<LogLine> parse_log_line(std::string_view text);

}  // namespace bridge::shadow
