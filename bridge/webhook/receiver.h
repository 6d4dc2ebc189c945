#pragma once
// What the bridge does with the bytes of one received WSB, whether it came over the webhook or
// from `wsrm-bridge ingest`: parse, classify, and build the inbox record. Storing is the caller's
// (through InboxWriter or a batch), so both paths share the same validation and dedupe.

#include "bridge/core/clock.h"
#include "bridge/core/result.h"
#include "bridge/store/inbox.h"
#include "bridge/wsb/wsb.h"

#include <string>
#include <string_view>

namespace bridge::webhook {

// Bytes that are not JSON at all are the only input refused with an error; the caller answers
// HTTP 400 or reports the line, and logs the size and hash. JSON of another shape is a record,
// quarantined as a schema problem.
Result<store::InboxRecord> make_record(std::string_view raw, const wsb::Organisation& recipient,
                                       std::string source, const wsb::Rules& rules,
                                       TimePoint received_at);

const char* to_string(store::InboxOutcome outcome);

}  // namespace bridge::webhook
