#pragma once
// The long-lived objects a subcommand works with, built from the configuration in one place and
// passed down by reference (no globals): clock, store, consumer registry, queue, metrics.

#include "bridge/app/config.h"
#include "bridge/core/clock.h"
#include "bridge/core/metrics.h"
#include "bridge/queue/queue.h"
#include "bridge/store/inbox.h"
#include "bridge/store/store.h"
#include "bridge/wsb/wsb.h"

#include <memory>

namespace bridge::app {

class Runtime {
 public:
  static Result<std::unique_ptr<Runtime>> open(const Config& config);

  const Clock& clock() const { return clock_; }
  store::QueueStore& store() { return *store_; }
  store::InboxStore& inbox() { return *inbox_; }
  // The receiver's rules: entity type, Miljoe allow-list, and the recipient organisations
  // (the [webhook] list, or else every consumer's organisations).
  const wsb::Rules& wsb_rules() const { return rules_; }
  const queue::ConsumerRegistry& consumers() const { return consumers_; }
  queue::WsrmQueue& queue() { return *queue_; }
  Metrics& metrics() { return metrics_; }

 private:
  explicit Runtime(const Config& config);
  SystemClock clock_;
  std::unique_ptr<store::QueueStore> store_;
  std::unique_ptr<store::InboxStore> inbox_;
  wsb::Rules rules_;
  queue::ConsumerRegistry consumers_;
  std::unique_ptr<queue::WsrmQueue> queue_;
  Metrics metrics_;
};

}  // namespace bridge::app
