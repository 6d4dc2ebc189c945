#pragma once
// Group commit for the inbox: concurrent receivers hand their records to one writer thread, which
// stores everything waiting in one transaction (one fsync) and then releases each receiver with
// its outcome. Under load the fsync cost is shared; alone, a record is committed at once.

#include "bridge/core/result.h"
#include "bridge/store/inbox.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace bridge::webhook {

class InboxWriter {
 public:
  explicit InboxWriter(store::InboxStore& store, std::size_t max_batch = 512);
  // Stores what is still waiting, then stops the thread.
  ~InboxWriter();
  InboxWriter(const InboxWriter&) = delete;
  InboxWriter& operator=(const InboxWriter&) = delete;

  // Blocks until the record is durably stored, or storing failed (then nothing was stored and
  // the sender must not be acknowledged).
  Result<store::InboxOutcome> submit(store::InboxRecord record);

  std::uint64_t batches() const { return batches_; }

 private:
  struct Pending {
    store::InboxRecord record;
    std::promise<Result<store::InboxOutcome>> done;
  };
  void run();

  store::InboxStore& store_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> pending_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> batches_{0};
  std::thread thread_;
};

}  // namespace bridge::webhook
