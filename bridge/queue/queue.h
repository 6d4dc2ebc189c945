#pragma once
// The WSRM queue and sequence semantics of contract.md §2, over a QueueStore. This is what the
// SOAP service calls; it decides what each stored state means for the caller.

#include "bridge/core/clock.h"
#include "bridge/core/result.h"
#include "bridge/core/uuid.h"
#include "bridge/queue/consumers.h"
#include "bridge/store/store.h"

#include <chrono>
#include <mutex>
#include <optional>

namespace bridge::queue {

// Codes of ErrorDomain::queue. Store failures keep ErrorDomain::store.
enum class QueueErrc {
  unknown_sequence = 1,     // no such sequence for this consumer (also: another consumer's)
  sequence_not_open = 2,    // closed, terminated or expired: Get… is refused
  sequence_terminated = 3,  // CloseSequence after TerminateSequence
  sequence_returned = 4,    // TerminateSequence after close/expiry: messages come again
  unknown_sub_queue = 5,    // SubQueueIdentifier not configured for the consumer
  not_receiver = 6,         // enqueue of a message type the consumer does not receive
  unknown_consumer = 7,
};

struct QueueSettings {
  int max_messages_per_sequence = 500;  // "højest 500 beskeder pr. afhentning"
  store::CreatePolicy create_policy = store::CreatePolicy::reuse;
  std::chrono::seconds sequence_timeout{30 * 60};
};

struct EnqueueRequest {
  std::string consumer;
  std::string operation;
  std::string message_identifier;
  std::string idempotency_key;  // the source message's key (a BeskedIdentifier); per operation
  std::string item_xml;
};

class WsrmQueue {
 public:
  WsrmQueue(store::QueueStore& store, const ConsumerRegistry& consumers, const Clock& clock,
            QueueSettings settings, std::optional<std::uint64_t> uuid_seed = std::nullopt);

  // Stores the message in the consumer's queue and in each of its sub-queues. Idempotent on
  // (consumer, idempotency_key): returns how many queues got a new row.
  Result<int> enqueue(const EnqueueRequest& request) { return enqueue_batch({request}); }
  // The same for many messages in one transaction (all or nothing); returns the new rows.
  Result<int> enqueue_batch(const std::vector<EnqueueRequest>& requests);

  Result<store::SequenceView> create_sequence(const Consumer& consumer,
                                              const std::string& sub_queue);
  Result<void> close_sequence(const Consumer& consumer, const std::string& identifier);
  Result<void> terminate_sequence(const Consumer& consumer, const std::string& identifier);
  Result<std::vector<std::string>> items(const Consumer& consumer, const std::string& identifier,
                                         const std::string& operation);
  // Rule 6 for all consumers; the server calls it periodically.
  Result<int> expire_stale_sequences();

  const QueueSettings& settings() const { return settings_; }

 private:
  TimePoint expire_before(TimePoint now) const { return now - settings_.sequence_timeout; }
  std::string new_identifier();

  store::QueueStore& store_;
  const ConsumerRegistry& consumers_;
  const Clock& clock_;
  QueueSettings settings_;
  std::mutex uuid_mutex_;
  UuidGenerator uuids_;
};

}  // namespace bridge::queue
