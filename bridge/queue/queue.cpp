#include "bridge/queue/queue.h"

#include <algorithm>

namespace bridge::queue {
namespace {

Error queue_error(QueueErrc code, std::string message) {
  return make_error(ErrorDomain::queue, static_cast<int>(code), std::move(message));
}

Error unknown_sequence(const std::string& identifier) {
  return queue_error(QueueErrc::unknown_sequence,
                     "sequence " + identifier + " is unknown for this organisation");
}

}  // namespace

WsrmQueue::WsrmQueue(store::QueueStore& store, const ConsumerRegistry& consumers,
                     const Clock& clock, QueueSettings settings,
                     std::optional<std::uint64_t> uuid_seed)
    : store_(store),
      consumers_(consumers),
      clock_(clock),
      settings_(settings),
      uuids_(uuid_seed ? UuidGenerator(*uuid_seed) : UuidGenerator()) {}

std::string WsrmQueue::new_identifier() {
  std::lock_guard lock(uuid_mutex_);
  return uuids_.next();
}

Result<int> WsrmQueue::enqueue_batch(const std::vector<EnqueueRequest>& requests) {
  const TimePoint now = clock_.now();
  std::vector<store::NewMessage> messages;
  for (const auto& r : requests) {
    const Consumer* c = consumers_.by_id(r.consumer);
    if (!c) {
      return queue_error(QueueErrc::unknown_consumer,
                         "consumer '" + r.consumer + "' is not configured");
    }
    if (std::find(c->message_types.begin(), c->message_types.end(), r.operation) ==
        c->message_types.end()) {
      return queue_error(
          QueueErrc::not_receiver,
          "consumer '" + r.consumer + "' does not receive " + r.operation + " messages");
    }
    // One source message (a BeskedIdentifier) may yield items for several operations: the
    // operation is part of the stored key.
    const std::string key = r.idempotency_key + "/" + r.operation;
    messages.push_back({{c->id, ""}, r.operation, r.message_identifier, key, r.item_xml, now});
    for (const auto& q : c->sub_queues) {
      messages.push_back({{c->id, q}, r.operation, r.message_identifier, key, r.item_xml, now});
    }
  }
  BRIDGE_TRY(auto outcomes, store_.enqueue_batch(messages));
  return static_cast<int>(
      std::count(outcomes.begin(), outcomes.end(), store::EnqueueOutcome::inserted));
}

Result<store::SequenceView> WsrmQueue::create_sequence(const Consumer& consumer,
                                                       const std::string& sub_queue) {
  if (!sub_queue.empty() && std::find(consumer.sub_queues.begin(), consumer.sub_queues.end(),
                                      sub_queue) == consumer.sub_queues.end()) {
    return queue_error(
        QueueErrc::unknown_sub_queue,
        "SubQueueIdentifier '" + sub_queue + "' is not configured for this organisation");
  }
  const TimePoint now = clock_.now();
  store::CreateParams p{new_identifier(), settings_.max_messages_per_sequence,
                        settings_.create_policy, now, expire_before(now)};
  return store_.create_sequence({consumer.id, sub_queue}, p);
}

Result<void> WsrmQueue::close_sequence(const Consumer& consumer, const std::string& identifier) {
  const TimePoint now = clock_.now();
  BRIDGE_TRY(auto r, store_.close_sequence(consumer.id, identifier, now, expire_before(now)));
  if (r.lookup == store::SequenceLookup::unknown) return unknown_sequence(identifier);
  // Closing again, or closing what already expired, changes nothing: retry-safe.
  if (r.state_before == store::SequenceState::terminated) {
    return queue_error(
        QueueErrc::sequence_terminated,
        "sequence " + identifier + " is already terminated; its messages were delivered");
  }
  return ok();
}

Result<void> WsrmQueue::terminate_sequence(const Consumer& consumer,
                                           const std::string& identifier) {
  const TimePoint now = clock_.now();
  BRIDGE_TRY(auto r, store_.terminate_sequence(consumer.id, identifier, now, expire_before(now)));
  if (r.lookup == store::SequenceLookup::unknown) return unknown_sequence(identifier);
  // Rule 4: terminating twice is a success. A closed or expired sequence gave its messages back
  // to the queue; acknowledging them now would be a lie, so the caller is told they come again.
  if (r.state_before == store::SequenceState::closed ||
      r.state_before == store::SequenceState::expired) {
    return queue_error(QueueErrc::sequence_returned,
                       "sequence " + identifier + " was " + store::to_string(r.state_before) +
                           "; its messages are queued again and come in the next sequence");
  }
  return ok();
}

Result<std::vector<std::string>> WsrmQueue::items(const Consumer& consumer,
                                                  const std::string& identifier,
                                                  const std::string& operation) {
  BRIDGE_TRY(auto r, store_.sequence_items(consumer.id, identifier, operation,
                                           expire_before(clock_.now())));
  if (r.lookup == store::SequenceLookup::unknown) return unknown_sequence(identifier);
  if (r.state != store::SequenceState::open) {
    return queue_error(QueueErrc::sequence_not_open,
                       "sequence " + identifier + " is " + store::to_string(r.state));
  }
  return std::move(r.items);
}

Result<int> WsrmQueue::expire_stale_sequences() {
  const TimePoint now = clock_.now();
  return store_.expire_sequences(expire_before(now), now);
}

}  // namespace bridge::queue
