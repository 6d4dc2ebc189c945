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

 private:
  SqliteInbox(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> reader);
  std::mutex write_mutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex read_mutex_;
  std::unique_ptr<Connection> reader_;
};

}  // namespace bridge::store::sqlite
