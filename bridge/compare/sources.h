#pragma once
// The two sides of a comparison run: a recording made by `wsrm-bridge shadow` (docs/shadow.md)
// or the bridge's own store.

#include "bridge/compare/compare.h"

#include <string>
#include <vector>

namespace bridge::compare {

struct Side {
  std::string source;              // "recording DIR" or "store FILE, consumer NAME"
  std::string organisation;        // "8/44000" when the recording names it
  std::vector<Item> items;         // in the order they were handed out
  std::vector<std::string> notes;  // what was read but does not count, and why
};

// The messages of a recording directory by the recording rules (docs/shadow.md): only
// sequences with a successful TerminateSequence count, and of each the last successful Get… of
// every operation before the terminate. Each response file is checked against the log's SHA-256.
// A torn last line (a recorder killed mid-write) is skipped with a note; any other bad line is an
// error naming file:line.
Result<Side> read_recording(const std::string& dir);

// The messages the bridge queued for `consumer` (its main queue, or `sub_queue`), from its
// SQLite file.
Result<Side> read_store(const std::string& path, const std::string& consumer,
                        const std::string& sub_queue);

// Keeps the messages handed out (recorded or queued) in [since, until) (xsd:dateTime with a zone;
// an empty bound is open). Fails on a bound that is not such a dateTime, naming it.
Result<void> keep_period(Side& side, const std::string& since, const std::string& until);

}  // namespace bridge::compare
