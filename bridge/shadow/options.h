#pragma once
// The options of `wsrm-bridge shadow` and their validation (docs/shadow.md, "Options").
// Validation does all the checks that need no network, so that a bad invocation exits 2 before
// the first call.

#include "bridge/core/result.h"

#include <cstdint>
#include <optional>
#include <string>

namespace bridge::shadow {

// Exit codes of `wsrm-bridge shadow`; an Error's code is the exit code it leads to.
enum class ShadowErrc {
  stopped = 1,  // an HTTP error, a fault or an unreachable endpoint stopped the run
  usage = 2,    // bad options, an unusable recording directory, a manifest mismatch
};

struct Organisation {
  int type = 0;      // OrganisationTypeIdentifier, 1..100
  std::string code;  // OrganisationCode, 1..20 characters
};

struct ShadowOptions {
  std::string url;  // service base, without a trailing '/'
  std::string org;  // TYPE/CODE as given; parsed into `organisation` by validate_options
  Organisation organisation;
  std::string sub_queue;  // empty with --main-queue
  bool main_queue = false;
  std::string out;
  std::string cert;
  std::string key;
  std::string ca;
  bool follow = false;
  bool until_empty = false;
  int interval_s = 10;
  int max_sequences = 0;  // 0: no limit
  int timeout_s = 30;
  std::int64_t max_response_bytes = 64LL * 1024 * 1024;
};

// "8/44000" -> {8, "44000"}; type 1..100, code 1..20 characters without control characters.
Result<Organisation> parse_organisation(const std::string& text);

// Checks every option and their combinations, fills `organisation` and normalises `url`.
// Errors carry ShadowErrc::usage and say which option is wrong and why.
Result<void> validate_options(ShadowOptions& options);

// The SubQueueIdentifier to send; nullopt with --main-queue.
std::optional<std::string> sub_queue_of(const ShadowOptions& options);

}  // namespace bridge::shadow
