#pragma once
// The SOAP 1.1 requests a legacy consumer sends (the same envelopes as scripts/legacy_client.py)
// and what shadow reads from the responses (contract.md §2, §3 and §5).

#include "bridge/shadow/log_line.h"
#include "bridge/shadow/options.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::shadow {

inline constexpr const char* kNsWsrm3 = "http://service.bm.dk/pjaktass/wsrm/3/";
inline constexpr const char* kNsV11 = "http://service.bm.dk/pjaktass/wsrm/11/";
inline constexpr const char* kNsOasis = "http://docs.oasis-open.org/ws-rx/wsrm/200602";
inline constexpr const char* kNsFault = "http://service.bm.dk/pjaktass/wsrm/fault/";

// "http://service.bm.dk/pjaktass/wsrm/3/IWsrmService/CreateSequence" for the sequence calls,
// "http://service.bm.dk/pjaktass/wsrm/11/IWsrmMessageService/<Op>" for every Get….
std::string soap_action(std::string_view call);

std::string create_sequence_envelope(const Organisation& org,
                                     const std::optional<std::string>& sub_queue);
// TerminateSequence or CloseSequence of `identifier`.
std::string end_sequence_envelope(const Organisation& org, std::string_view call,
                                  std::string_view identifier);
// <Op>Request with the SequenceRequest/Identifier header.
std::string get_envelope(const Organisation& org, std::string_view operation,
                         std::string_view identifier);

// A ServiceName is sent back as an element name and becomes part of a file name.
bool is_valid_operation_name(std::string_view name);

struct ServiceItem {
  std::string name;      // ServiceName: the Get… operation to call
  std::string endpoint;  // ServiceEndpoint; may be empty
  std::int64_t count = 0;
};

// What a response says. `problem` is set when the body is not the expected answer (not XML, not
// a SOAP envelope, another element); a fault is read whatever the HTTP status.
struct Reading {
  std::optional<Fault> fault;
  std::string problem;
  std::optional<std::string> identifier;   // Create/Terminate/CloseSequenceResponse
  std::optional<Inventory> inventory;      // CreateSequenceResponse, for the log line
  std::vector<ServiceItem> service_items;  // CreateSequenceResponse, in response order
  std::optional<std::int64_t> items;       // <Op>Response: its element children

  bool understood() const { return problem.empty() && !fault; }
};

Reading read_response(std::string_view call, std::string_view body);

}  // namespace bridge::shadow
