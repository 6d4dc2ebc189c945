#pragma once
// The storage interface of the WSRM queue. SQLite implements it (store/sqlite); a PostgreSQL
// backend will implement the same interface so several bridge instances can share one database.
// Every method is one transaction: it either commits completely or changes nothing.

#include "bridge/core/clock.h"
#include "bridge/core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bridge::store {

// Codes of ErrorDomain::store.
enum class StoreErrc {
  unavailable = 1,     // the database cannot be opened or is busy past the time-out
  corrupt = 2,         // a statement failed in a way that is not the caller's fault
  schema_too_new = 3,  // the file was written by a newer wsrm-bridge
};

// One FIFO queue: a consumer's main queue (sub_queue "") or one of its configured sub-queues.
struct QueueKey {
  std::string consumer;
  std::string sub_queue;
};

struct NewMessage {
  QueueKey queue;
  std::string operation;  // the Get… operation that serves it, e.g. GetIndkaldelseVersion1
  std::string message_identifier;  // the legacy MessageIdentifier inside item_xml
  std::string idempotency_key;     // (BeskedIdentifier, operation) as one string; unique per queue
  std::string item_xml;            // the item exactly as served; never rebuilt at poll time
  TimePoint queued_at;
};

enum class EnqueueOutcome { inserted, duplicate };

enum class CreatePolicy { reuse, close_and_create };

struct CreateParams {
  std::string new_identifier;  // used when a new sequence is opened
  int max_messages = 500;
  CreatePolicy policy = CreatePolicy::reuse;
  TimePoint now;
  TimePoint expire_before;  // open sequences created before this are closed as expired first
};

struct InventoryLine {
  std::string operation;
  int message_count = 0;
};

struct SequenceView {
  std::string identifier;
  bool reused = false;                   // an open sequence was returned again (rule 3)
  std::vector<InventoryLine> inventory;  // sorted by operation name; only counts > 0
};

enum class SequenceState { open, terminated, closed, expired };
const char* to_string(SequenceState s);

// What the caller may learn about a sequence. A foreign sequence is reported as unknown, exactly
// like one that never existed (rule 1: consumers never learn of each other's sequences).
enum class SequenceLookup { found, unknown };

struct EndResult {
  SequenceLookup lookup = SequenceLookup::unknown;
  SequenceState state_before = SequenceState::open;  // valid when found
};

struct ItemsResult {
  SequenceLookup lookup = SequenceLookup::unknown;
  SequenceState state = SequenceState::open;  // valid when found
  std::vector<std::string> items;             // only when found and open
};

// Figures of one queue: a consumer's main queue (sub_queue "") or one of its sub-queues.
struct ConsumerStats {
  std::string consumer;
  std::string sub_queue;
  std::int64_t pending = 0;      // queued or in an open sequence, not yet delivered
  std::int64_t in_sequence = 0;  // part of an open sequence
  std::int64_t delivered = 0;
  std::optional<TimePoint> oldest_pending;
};

struct QueueStats {
  std::vector<ConsumerStats> consumers;  // sorted by consumer id, then sub-queue
  std::int64_t sequences_open = 0;
  std::int64_t sequences_terminated = 0;
  std::int64_t sequences_closed = 0;
  std::int64_t sequences_expired = 0;
};

// What a cut-over marked (or, dry, would mark) delivered.
struct CutoverMessage {
  std::string operation;
  std::string message_identifier;
  TimePoint queued_at;
};
struct CutoverResult {
  std::int64_t open_sequences = 0;       // > 0: refused, nothing changed
  std::vector<CutoverMessage> messages;  // in queue order
};

class QueueStore {
 public:
  virtual ~QueueStore() = default;

  // Stores all messages in one transaction. Idempotent on (queue, idempotency_key): a message
  // whose key is already in its queue stores nothing and is reported as a duplicate.
  virtual Result<std::vector<EnqueueOutcome>> enqueue_batch(
      const std::vector<NewMessage>& messages) = 0;

  Result<EnqueueOutcome> enqueue(const NewMessage& message) {
    BRIDGE_TRY(auto outcomes, enqueue_batch({message}));
    return outcomes.front();
  }

  // Rules 2, 3, 6, 7: expire stale sequences, reuse or close the open one, then take the oldest
  // queued messages (at most max_messages) into a new sequence.
  virtual Result<SequenceView> create_sequence(const QueueKey& queue,
                                               const CreateParams& params) = 0;

  // Rule 5: the messages go back to the queue in their original order. Idempotent.
  virtual Result<EndResult> close_sequence(const std::string& consumer,
                                           const std::string& identifier, TimePoint now,
                                           TimePoint expire_before) = 0;

  // Rule 4: the messages are delivered and never handed out again. Idempotent.
  virtual Result<EndResult> terminate_sequence(const std::string& consumer,
                                               const std::string& identifier, TimePoint now,
                                               TimePoint expire_before) = 0;

  // The stored items of one operation in the sequence, in queue order.
  virtual Result<ItemsResult> sequence_items(const std::string& consumer,
                                             const std::string& identifier,
                                             const std::string& operation,
                                             TimePoint expire_before) = 0;

  // Rule 6 for every consumer at once (the background sweeper). Returns how many were expired.
  virtual Result<int> expire_sequences(TimePoint expire_before, TimePoint now) = 0;

  virtual Result<QueueStats> stats() = 0;

  // The cut-over of a consumer from the legacy service (docs/cutover.md): every message of the
  // queue that waits (not in a sequence) and was queued before `before` is marked delivered at
  // `now`, as if the consumer had received it, because it got those changes from the legacy
  // service. Refused (open_sequences > 0, nothing changed) while the queue has an open sequence.
  // With dry_run nothing changes and the result lists what would be marked.
  virtual Result<CutoverResult> mark_delivered_before(const QueueKey& queue, TimePoint before,
                                                      TimePoint now, bool dry_run) = 0;
};

}  // namespace bridge::store
