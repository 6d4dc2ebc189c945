#include "bridge/store/sqlite/sqlite_store.h"

#include "bridge/core/assert.h"
#include "bridge/store/sqlite/db.h"
#include "bridge/store/sqlite/schema.h"

#include <algorithm>

namespace bridge::store {

const char* to_string(SequenceState s) {
  switch (s) {
    case SequenceState::open:
      return "open";
    case SequenceState::terminated:
      return "terminated";
    case SequenceState::closed:
      return "closed";
    case SequenceState::expired:
      return "expired";
  }
  return "?";
}

}  // namespace bridge::store

namespace bridge::store::sqlite {
namespace {

// queue_message.state: 0 queued, 1 in an open sequence, 2 delivered (sequence terminated).

SequenceState parse_state(const std::string& s) {
  if (s == "open") return SequenceState::open;
  if (s == "terminated") return SequenceState::terminated;
  if (s == "closed") return SequenceState::closed;
  BRIDGE_ASSERT(s == "expired", "wsrm_sequence.state holds only the four states");
  return SequenceState::expired;
}

// Rule 6 for one consumer (or all, when consumer is empty): open sequences older than the limit
// are closed as expired and their messages go back to the queue in their original order.
Result<int> expire_stale(Connection& db, const std::string& consumer, TimePoint expire_before,
                         TimePoint now) {
  const std::string filter = consumer.empty() ? "" : " AND consumer = ?2";
  BRIDGE_TRY(auto back, db.prepare("UPDATE queue_message SET state = 0, sequence_id = NULL "
                                   "WHERE sequence_id IN (SELECT id FROM wsrm_sequence WHERE "
                                   "state = 'open' AND created_at_ms < ?1" +
                                   filter + ")"));
  back.bind(1, to_epoch_ms(expire_before));
  if (!consumer.empty()) back.bind(2, consumer);
  BRIDGE_TRY(back.run());
  BRIDGE_TRY(auto mark, db.prepare("UPDATE wsrm_sequence SET state = 'expired', ended_at_ms = ?3 "
                                   "WHERE state = 'open' AND created_at_ms < ?1" +
                                   filter));
  mark.bind(1, to_epoch_ms(expire_before)).bind(3, to_epoch_ms(now));
  if (!consumer.empty()) mark.bind(2, consumer);
  BRIDGE_TRY(mark.run());
  return static_cast<int>(db.changes());
}

Result<std::vector<InventoryLine>> inventory_of(Connection& db, const std::string& id) {
  BRIDGE_TRY(auto q, db.prepare("SELECT operation, COUNT(*) FROM queue_message "
                                "WHERE sequence_id = ?1 GROUP BY operation ORDER BY operation"));
  q.bind(1, id);
  std::vector<InventoryLine> lines;
  while (true) {
    BRIDGE_TRY(bool row, q.step());
    if (!row) break;
    lines.push_back({q.column_text(0), static_cast<int>(q.column_int(1))});
  }
  return lines;
}

Result<void> return_to_queue(Connection& db, const std::string& id, const char* new_state,
                             TimePoint now) {
  BRIDGE_TRY(auto back, db.prepare("UPDATE queue_message SET state = 0, sequence_id = NULL "
                                   "WHERE sequence_id = ?1 AND state = 1"));
  BRIDGE_TRY(back.bind(1, id).run());
  BRIDGE_TRY(auto mark, db.prepare("UPDATE wsrm_sequence SET state = ?2, ended_at_ms = ?3 "
                                   "WHERE id = ?1"));
  return mark.bind(1, id).bind(2, new_state).bind(3, to_epoch_ms(now)).run();
}

struct Found {
  bool found = false;
  SequenceState state = SequenceState::open;
  std::int64_t created_at_ms = 0;
};

Result<Found> find_sequence(Connection& db, const std::string& consumer, const std::string& id) {
  BRIDGE_TRY(auto q, db.prepare("SELECT state, created_at_ms FROM wsrm_sequence "
                                "WHERE id = ?1 AND consumer = ?2"));
  q.bind(1, id).bind(2, consumer);
  BRIDGE_TRY(bool row, q.step());
  if (!row) return Found{};
  return Found{true, parse_state(q.column_text(0)), q.column_int(1)};
}

}  // namespace

class SqliteStore::Lease {
 public:
  Lease(SqliteStore* store, Connection* c) : store_(store), c_(c) {}
  Lease(Lease&& o) noexcept : store_(o.store_), c_(o.c_) { o.c_ = nullptr; }
  ~Lease() {
    if (c_) store_->give_back(c_);
  }
  Connection& operator*() { return *c_; }

 private:
  SqliteStore* store_;
  Connection* c_;
};

SqliteStore::SqliteStore(std::vector<std::unique_ptr<Connection>> pool) : owned_(std::move(pool)) {
  for (auto& c : owned_) idle_.push_back(c.get());
}

SqliteStore::~SqliteStore() = default;

SqliteStore::Lease SqliteStore::borrow() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty(); });
  Connection* c = idle_.back();
  idle_.pop_back();
  return Lease(this, c);
}

void SqliteStore::give_back(Connection* c) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(c);
  }
  available_.notify_one();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteOptions& options) {
  std::vector<std::unique_ptr<Connection>> pool;
  for (int i = 0; i < std::max(1, options.pool_size); ++i) {
    BRIDGE_TRY(auto c, Connection::open(options.path, options.busy_timeout_ms));
    if (i == 0) BRIDGE_TRY(migrate(*c));
    pool.push_back(std::move(c));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(pool)));
}

Result<std::vector<EnqueueOutcome>> SqliteStore::enqueue_batch(
    const std::vector<NewMessage>& messages) {
  auto lease = borrow();
  Connection& db = *lease;
  std::lock_guard writer(write_mutex_);
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  std::vector<EnqueueOutcome> outcomes;
  outcomes.reserve(messages.size());
  for (const NewMessage& m : messages) {
    BRIDGE_TRY(auto ins,
               db.prepare("INSERT INTO queue_message (consumer, sub_queue, operation, "
                          "message_identifier, idempotency_key, queued_at_ms, state) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0) "
                          "ON CONFLICT (consumer, sub_queue, idempotency_key) DO NOTHING"));
    ins.bind(1, m.queue.consumer)
        .bind(2, m.queue.sub_queue)
        .bind(3, m.operation)
        .bind(4, m.message_identifier)
        .bind(5, m.idempotency_key)
        .bind(6, to_epoch_ms(m.queued_at));
    BRIDGE_TRY(ins.run());
    if (db.changes() != 1) {
      outcomes.push_back(EnqueueOutcome::duplicate);
      continue;
    }
    // The item text lives in its own table: sequence bookkeeping updates only the narrow
    // queue_message rows and never rewrites kilobytes of XML.
    BRIDGE_TRY(auto item, db.prepare("INSERT INTO queue_item (seq, item_xml) VALUES (?1, ?2)"));
    BRIDGE_TRY(item.bind(1, db.last_insert_rowid()).bind(2, m.item_xml).run());
    outcomes.push_back(EnqueueOutcome::inserted);
  }
  BRIDGE_TRY(tx.commit());
  return outcomes;
}

Result<SequenceView> SqliteStore::create_sequence(const QueueKey& queue, const CreateParams& p) {
  auto lease = borrow();
  Connection& db = *lease;
  std::lock_guard writer(write_mutex_);
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  BRIDGE_TRY(expire_stale(db, queue.consumer, p.expire_before, p.now));

  BRIDGE_TRY(auto open_q, db.prepare("SELECT id FROM wsrm_sequence WHERE consumer = ?1 AND "
                                     "sub_queue = ?2 AND state = 'open' ORDER BY created_at_ms"));
  open_q.bind(1, queue.consumer).bind(2, queue.sub_queue);
  std::vector<std::string> open_ids;
  while (true) {
    BRIDGE_TRY(bool row, open_q.step());
    if (!row) break;
    open_ids.push_back(open_q.column_text(0));
  }
  for (const auto& id : open_ids) {
    BRIDGE_TRY(auto lines, inventory_of(db, id));
    // Rule 3: the open sequence comes back unchanged. An empty open sequence is not worth
    // reusing: messages may have arrived since, so it is closed and a fresh one opened.
    if (p.policy == CreatePolicy::reuse && !lines.empty()) {
      BRIDGE_TRY(tx.commit());
      return SequenceView{id, true, std::move(lines)};
    }
    BRIDGE_TRY(return_to_queue(db, id, "closed", p.now));
  }

  BRIDGE_TRY(auto take,
             db.prepare("UPDATE queue_message SET state = 1, sequence_id = ?1, "
                        "delivery_count = delivery_count + 1 WHERE seq IN (SELECT seq FROM "
                        "queue_message WHERE consumer = ?2 AND sub_queue = ?3 AND state = 0 "
                        "ORDER BY seq LIMIT ?4)"));
  take.bind(1, p.new_identifier)
      .bind(2, queue.consumer)
      .bind(3, queue.sub_queue)
      .bind(4, static_cast<std::int64_t>(p.max_messages));
  BRIDGE_TRY(take.run());
  const std::int64_t taken = db.changes();
  BRIDGE_TRY(auto ins, db.prepare("INSERT INTO wsrm_sequence (id, consumer, sub_queue, state, "
                                  "created_at_ms, message_count) VALUES (?1, ?2, ?3, 'open', ?4, "
                                  "?5)"));
  ins.bind(1, p.new_identifier)
      .bind(2, queue.consumer)
      .bind(3, queue.sub_queue)
      .bind(4, to_epoch_ms(p.now))
      .bind(5, taken);
  BRIDGE_TRY(ins.run());
  BRIDGE_TRY(auto lines, inventory_of(db, p.new_identifier));
  BRIDGE_TRY(tx.commit());
  return SequenceView{p.new_identifier, false, std::move(lines)};
}

Result<EndResult> SqliteStore::end_sequence(
    const std::string& consumer, const std::string& id, TimePoint now, TimePoint expire_before,
    const std::function<Result<void>(Connection&)>& end_open) {
  auto lease = borrow();
  Connection& db = *lease;
  std::lock_guard writer(write_mutex_);
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  BRIDGE_TRY(expire_stale(db, consumer, expire_before, now));
  BRIDGE_TRY(Found f, find_sequence(db, consumer, id));
  if (f.found && f.state == SequenceState::open) BRIDGE_TRY(end_open(db));
  BRIDGE_TRY(tx.commit());  // also when not found: keeps the expiry done above
  if (!f.found) return EndResult{};
  return EndResult{SequenceLookup::found, f.state};
}

Result<EndResult> SqliteStore::close_sequence(const std::string& consumer, const std::string& id,
                                              TimePoint now, TimePoint expire_before) {
  return end_sequence(consumer, id, now, expire_before,
                      [&](Connection& db) { return return_to_queue(db, id, "closed", now); });
}

Result<EndResult> SqliteStore::terminate_sequence(const std::string& consumer,
                                                  const std::string& id, TimePoint now,
                                                  TimePoint expire_before) {
  return end_sequence(consumer, id, now, expire_before, [&](Connection& db) -> Result<void> {
    BRIDGE_TRY(auto done, db.prepare("UPDATE queue_message SET state = 2, delivered_at_ms = ?2 "
                                     "WHERE sequence_id = ?1 AND state = 1"));
    BRIDGE_TRY(done.bind(1, id).bind(2, to_epoch_ms(now)).run());
    BRIDGE_TRY(auto mark, db.prepare("UPDATE wsrm_sequence SET state = 'terminated', "
                                     "ended_at_ms = ?2 WHERE id = ?1"));
    return mark.bind(1, id).bind(2, to_epoch_ms(now)).run();
  });
}

Result<ItemsResult> SqliteStore::sequence_items(const std::string& consumer, const std::string& id,
                                                const std::string& operation,
                                                TimePoint expire_before) {
  auto lease = borrow();
  Connection& db = *lease;
  // One read snapshot for the lookup and the items: a concurrent Terminate cannot split them.
  BRIDGE_TRY(auto tx, Transaction::begin(db, false));
  BRIDGE_TRY(Found f, find_sequence(db, consumer, id));
  if (!f.found) return ItemsResult{};
  ItemsResult r{SequenceLookup::found, f.state, {}};
  // An open sequence past its limit is expired even before the sweeper has written it so.
  if (f.state == SequenceState::open && f.created_at_ms < to_epoch_ms(expire_before)) {
    r.state = SequenceState::expired;
  }
  if (r.state != SequenceState::open) return r;
  BRIDGE_TRY(auto q, db.prepare("SELECT i.item_xml FROM queue_message m JOIN queue_item i "
                                "ON i.seq = m.seq WHERE m.sequence_id = ?1 AND m.operation = ?2 "
                                "AND m.state = 1 ORDER BY m.seq"));
  q.bind(1, id).bind(2, operation);
  while (true) {
    BRIDGE_TRY(bool row, q.step());
    if (!row) break;
    r.items.push_back(q.column_text(0));
  }
  return r;
}

Result<int> SqliteStore::expire_sequences(TimePoint expire_before, TimePoint now) {
  auto lease = borrow();
  Connection& db = *lease;
  std::lock_guard writer(write_mutex_);
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  BRIDGE_TRY(int n, expire_stale(db, "", expire_before, now));
  BRIDGE_TRY(tx.commit());
  return n;
}

Result<CutoverResult> SqliteStore::mark_delivered_before(const QueueKey& queue, TimePoint before,
                                                         TimePoint now, bool dry_run) {
  auto lease = borrow();
  Connection& db = *lease;
  std::lock_guard writer(write_mutex_);
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  CutoverResult result;
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT COUNT(*) FROM wsrm_sequence WHERE consumer = ?1 AND "
                                  "sub_queue = ?2 AND state = 'open'"));
    q.bind(1, queue.consumer).bind(2, queue.sub_queue);
    BRIDGE_TRY(bool row, q.step());
    result.open_sequences = row ? q.column_int(0) : 0;
  }
  if (result.open_sequences > 0) return result;
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT operation, message_identifier, queued_at_ms FROM "
                                  "queue_message WHERE consumer = ?1 AND sub_queue = ?2 AND "
                                  "state = 0 AND queued_at_ms < ?3 ORDER BY seq"));
    q.bind(1, queue.consumer).bind(2, queue.sub_queue).bind(3, to_epoch_ms(before));
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      result.messages.push_back(
          {q.column_text(0), q.column_text(1), from_epoch_ms(q.column_int(2))});
    }
  }
  if (dry_run || result.messages.empty()) return result;
  BRIDGE_TRY(auto up, db.prepare("UPDATE queue_message SET state = 2, delivered_at_ms = ?4 WHERE "
                                 "consumer = ?1 AND sub_queue = ?2 AND state = 0 AND "
                                 "queued_at_ms < ?3"));
  up.bind(1, queue.consumer).bind(2, queue.sub_queue).bind(3, to_epoch_ms(before));
  up.bind(4, to_epoch_ms(now));
  BRIDGE_TRY(up.run());
  BRIDGE_TRY(tx.commit());
  return result;
}

Result<QueueStats> SqliteStore::stats() {
  auto lease = borrow();
  Connection& db = *lease;
  BRIDGE_TRY(auto tx, Transaction::begin(db, false));
  QueueStats s;
  BRIDGE_TRY(auto q,
             db.prepare("SELECT consumer, sub_queue, SUM(CASE WHEN state < 2 THEN 1 ELSE 0 END), "
                        "SUM(CASE WHEN state = 1 THEN 1 ELSE 0 END), "
                        "SUM(CASE WHEN state = 2 THEN 1 ELSE 0 END), "
                        "MIN(CASE WHEN state < 2 THEN queued_at_ms END) "
                        "FROM queue_message GROUP BY consumer, sub_queue "
                        "ORDER BY consumer, sub_queue"));
  while (true) {
    BRIDGE_TRY(bool row, q.step());
    if (!row) break;
    ConsumerStats c{q.column_text(0), q.column_text(1), q.column_int(2),
                    q.column_int(3),  q.column_int(4),  {}};
    if (!q.column_is_null(5)) c.oldest_pending = from_epoch_ms(q.column_int(5));
    s.consumers.push_back(std::move(c));
  }
  BRIDGE_TRY(auto seqs, db.prepare("SELECT state, COUNT(*) FROM wsrm_sequence GROUP BY state"));
  while (true) {
    BRIDGE_TRY(bool row, seqs.step());
    if (!row) break;
    const std::int64_t n = seqs.column_int(1);
    switch (parse_state(seqs.column_text(0))) {
      case SequenceState::open:
        s.sequences_open = n;
        break;
      case SequenceState::terminated:
        s.sequences_terminated = n;
        break;
      case SequenceState::closed:
        s.sequences_closed = n;
        break;
      case SequenceState::expired:
        s.sequences_expired = n;
        break;
    }
  }
  return s;
}

}  // namespace bridge::store::sqlite
