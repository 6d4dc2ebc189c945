#include "bridge/webhook/inbox_writer.h"

#include <vector>

namespace bridge::webhook {

InboxWriter::InboxWriter(store::InboxStore& store, std::size_t max_batch)
    : store_(store), max_batch_(max_batch), thread_([this] { run(); }) {}

InboxWriter::~InboxWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Result<store::InboxOutcome> InboxWriter::submit(store::InboxRecord record) {
  std::future<Result<store::InboxOutcome>> result;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(Pending{std::move(record), {}});
    result = pending_.back().done.get_future();
  }
  wake_.notify_one();
  return result.get();
}

void InboxWriter::run() {
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !pending_.empty() || stopping_; });
      if (pending_.empty()) return;  // stopping, and nothing left to store
      while (!pending_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    std::vector<store::InboxRecord> records;
    records.reserve(batch.size());
    for (auto& p : batch) records.push_back(std::move(p.record));
    auto outcomes = store_.store_batch(records);
    ++batches_;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (outcomes) {
        batch[i].done.set_value(outcomes.value()[i]);
      } else {
        batch[i].done.set_value(outcomes.error());
      }
    }
  }
}

}  // namespace bridge::webhook
