#pragma once
// InboxStore on the bridge's SQLite file (WAL, synchronous=FULL). One connection writes (the
// group-commit writer calls store_batch from one thread at a time), one serves the queries.

#include "bridge/store/inbox.h"

#include <memory>
#include <mutex>

namespace bridge::store::sqlite {

class Connection;

class SqliteInbox final : public InboxStore {
 public:
  static Result<std::unique_ptr<SqliteInbox>> open(const std::string& path, int busy_timeout_ms);
  ~SqliteInbox() override;

  Result<std::vector<InboxOutcome>> store_batch(const std::vector<InboxRecord>& records) override;
  Result<std::vector<InboxEntry>> list(const InboxFilter& filter) override;
  Result<std::optional<InboxEntry>> find(const std::string& id_or_besked_identifier) override;
  Result<void> set_verdict(std::int64_t id, const std::string& status, const std::string& reason,
                           const std::string& detail) override;
  Result<InboxCounts> counts() override;
  Result<std::vector<InboxEntry>> due(TimePoint now, int limit, std::int64_t after_id) override;
  Result<void> save_snapshot(const SnapshotRecord& snapshot) override;
  Result<std::optional<SnapshotRecord>> snapshot_for(std::int64_t inbox_id) override;
  Result<std::optional<SnapshotRecord>> last_found_snapshot(
      const std::string& indkaldelse_id) override;
  Result<void> set_pipeline(std::int64_t id, const PipelineState& state) override;
  Result<void> quarantine(std::int64_t id, const std::string& reason,
                          const std::string& detail) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> stage_counts() override;

 private:
  SqliteInbox(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> reader);
  std::mutex write_mutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex read_mutex_;
  std::unique_ptr<Connection> reader_;
};

}  // namespace bridge::store::sqlite
