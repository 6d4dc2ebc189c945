#pragma once
// QueueStore on one SQLite file in WAL mode. Each call borrows a connection from a small pool,
// so concurrent readers (Get… polls) never wait for each other; writers take the write lock at
// BEGIN IMMEDIATE and wait up to busy_timeout_ms for it.

#include "bridge/store/store.h"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace bridge::store::sqlite {

class Connection;

struct SqliteOptions {
  std::string path;
  int pool_size = 4;
  int busy_timeout_ms = 5000;
};

class SqliteStore final : public QueueStore {
 public:
  // Opens the file, creates or migrates the schema, and fills the connection pool.
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteOptions& options);
  ~SqliteStore() override;

  Result<std::vector<EnqueueOutcome>> enqueue_batch(
      const std::vector<NewMessage>& messages) override;
  Result<SequenceView> create_sequence(const QueueKey& queue, const CreateParams& params) override;
  Result<EndResult> close_sequence(const std::string& consumer, const std::string& identifier,
                                   TimePoint now, TimePoint expire_before) override;
  Result<EndResult> terminate_sequence(const std::string& consumer, const std::string& identifier,
                                       TimePoint now, TimePoint expire_before) override;
  Result<ItemsResult> sequence_items(const std::string& consumer, const std::string& identifier,
                                     const std::string& operation,
                                     TimePoint expire_before) override;
  Result<int> expire_sequences(TimePoint expire_before, TimePoint now) override;
  Result<QueueStats> stats() override;
  Result<CutoverResult> mark_delivered_before(const QueueKey& queue, TimePoint before,
                                              TimePoint now, bool dry_run) override;

 private:
  class Lease;
  explicit SqliteStore(std::vector<std::unique_ptr<Connection>> pool);
  Lease borrow();
  void give_back(Connection* c);
  // Close and terminate: expire stale sequences, look the sequence up for this consumer, and run
  // end_open on it when it is open; one write transaction.
  Result<EndResult> end_sequence(const std::string& consumer, const std::string& id, TimePoint now,
                                 TimePoint expire_before,
                                 const std::function<Result<void>(Connection&)>& end_open);

  std::mutex mutex_;
  std::condition_variable available_;
  // Writers of this process queue here and wake the moment the previous one commits; SQLite's
  // busy handler (which sleeps in growing steps) is then only met by writers of other processes.
  std::mutex write_mutex_;
  std::vector<std::unique_ptr<Connection>> owned_;
  std::vector<Connection*> idle_;
};

}  // namespace bridge::store::sqlite
