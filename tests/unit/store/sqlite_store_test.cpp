// Tests bridge/store/sqlite/sqlite_store.cpp (with schema.cpp and db.cpp behind it) on real
// SQLite files in a temporary directory.
#define BOOST_TEST_MODULE unit_store
#include "bridge/store/sqlite/sqlite_store.h"

#include "bridge/core/clock.h"
#include "bridge/store/sqlite/sqlite_inbox.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using bridge::ErrorDomain;
using bridge::TimePoint;
using bridge::store::CreateParams;
using bridge::store::EnqueueOutcome;
using bridge::store::NewMessage;
using bridge::store::QueueKey;
using bridge::store::SequenceLookup;
using bridge::store::SequenceState;
using bridge::store::StoreErrc;
using bridge::store::sqlite::SqliteStore;

const TimePoint kT0 = bridge::from_epoch_ms(1'713'869'237'154);  // 2024-04-23T10:47:17.154Z
const std::string kOp = "GetIndkaldelseVersion1";

std::unique_ptr<SqliteStore> open_store(const std::string& path, int pool_size = 2) {
  auto s = SqliteStore::open({path, pool_size, 5000});
  BRIDGE_REQUIRE_OK(s);
  return std::move(s).value();
}

NewMessage message(const std::string& consumer, int n, TimePoint queued_at,
                   const std::string& sub_queue = "") {
  const std::string id = "m-" + std::to_string(n);
  return {{consumer, sub_queue}, kOp,      id, "besked-" + std::to_string(n),
          "<x>" + id + "</x>",   queued_at};
}

void enqueue(SqliteStore& s, const NewMessage& m) {
  auto r = s.enqueue(m);
  BRIDGE_REQUIRE_OK(r);
  BOOST_REQUIRE(r.value() == EnqueueOutcome::inserted);
}

CreateParams params(const std::string& id, int max, TimePoint now) {
  return {id, max, bridge::store::CreatePolicy::reuse, now, now - 30min};
}

// A raw SQLite handle on the same file, to look at and tamper with what the store wrote.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    BOOST_REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    const std::string text = err ? err : "";
    sqlite3_free(err);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << text);
  }
  // The first column of every row, as text.
  std::vector<std::string> column(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    BOOST_REQUIRE_MESSAGE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK,
                          sql << ": " << sqlite3_errmsg(db_));
    std::vector<std::string> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* p = sqlite3_column_text(stmt, 0);
      out.push_back(p ? reinterpret_cast<const char*>(p) : "NULL");
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sqlite_store)

BOOST_AUTO_TEST_CASE(opening_a_new_file_creates_the_schema_at_the_current_version) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("new.db");
  open_store(path);

  RawDb raw(path);
  const auto tables = raw.column(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "ORDER BY name");
  BOOST_TEST(tables == std::vector<std::string>({"bridge_schema", "compare_field", "compare_run",
                                                 "dfdg_snapshot", "inbox_conflict", "inbox_message",
                                                 "queue_item", "queue_message", "wsrm_sequence"}),
             boost::test_tools::per_element());
  BOOST_TEST(raw.column("SELECT version FROM bridge_schema") == std::vector<std::string>({"6"}),
             boost::test_tools::per_element());
  BOOST_TEST(raw.column("PRAGMA journal_mode") == std::vector<std::string>({"wal"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reopening_keeps_the_data_and_records_the_version_once) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("reopen.db");
  {
    auto s = open_store(path);
    enqueue(*s, message("jc-a", 1, kT0));
  }
  auto s = open_store(path);
  auto again = s->enqueue(message("jc-a", 1, kT0));
  BRIDGE_REQUIRE_OK(again);
  BOOST_TEST((again.value() == EnqueueOutcome::duplicate));
  auto st = s->stats();
  BRIDGE_REQUIRE_OK(st);
  BOOST_REQUIRE_EQUAL(st.value().consumers.size(), 1u);
  BOOST_TEST(st.value().consumers[0].pending == 1);

  RawDb raw(path);
  BOOST_TEST(raw.column("SELECT COUNT(*) FROM bridge_schema") == std::vector<std::string>({"1"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_file_from_a_newer_version_is_refused_with_schema_too_new_naming_the_file) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("newer.db");
  open_store(path);
  {
    RawDb raw(path);
    raw.exec("INSERT INTO bridge_schema (version) VALUES (7)");
  }
  auto s = SqliteStore::open({path, 2, 5000});
  BRIDGE_REQUIRE_ERROR(s, ErrorDomain::store, StoreErrc::schema_too_new);
  BOOST_TEST(s.error().message.find(path) != std::string::npos);
  BOOST_TEST(s.error().message.find("version 7") != std::string::npos);

  // Refusing must not have touched the file.
  RawDb raw(path);
  BOOST_TEST(raw.column("SELECT version FROM bridge_schema ORDER BY version") ==
                 std::vector<std::string>({"6", "7"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_version_1_file_is_upgraded_and_its_queued_items_are_still_served) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("v1.db");
  {
    // The layout of schema version 1: item_xml inside queue_message.
    RawDb raw(path);
    raw.exec(
        "CREATE TABLE bridge_schema (version INTEGER NOT NULL);"
        "INSERT INTO bridge_schema VALUES (1);"
        "CREATE TABLE queue_message (seq INTEGER PRIMARY KEY AUTOINCREMENT, consumer TEXT NOT "
        "NULL, sub_queue TEXT NOT NULL, operation TEXT NOT NULL, message_identifier TEXT NOT "
        "NULL, idempotency_key TEXT NOT NULL, item_xml TEXT NOT NULL, queued_at_ms INTEGER NOT "
        "NULL, state INTEGER NOT NULL DEFAULT 0, sequence_id TEXT, delivered_at_ms INTEGER, "
        "delivery_count INTEGER NOT NULL DEFAULT 0, UNIQUE (consumer, sub_queue, "
        "idempotency_key));"
        "CREATE TABLE wsrm_sequence (id TEXT PRIMARY KEY, consumer TEXT NOT NULL, sub_queue "
        "TEXT NOT NULL, state TEXT NOT NULL, created_at_ms INTEGER NOT NULL, ended_at_ms "
        "INTEGER, message_count INTEGER NOT NULL);"
        "INSERT INTO queue_message (consumer, sub_queue, operation, message_identifier, "
        "idempotency_key, item_xml, queued_at_ms) VALUES ('jc-a', '', 'Op', 'm-1', 'k-1', "
        "'<x>kept</x>', 1700000000000);");
  }
  auto s = open_store(path);
  const auto now = bridge::from_epoch_ms(1700000001000);
  bridge::store::CreateParams p{"22222222-2222-4222-8222-222222222222", 500,
                                bridge::store::CreatePolicy::reuse, now,
                                now - std::chrono::hours(1)};
  auto view = s->create_sequence({"jc-a", ""}, p);
  BRIDGE_REQUIRE_OK(view);
  BOOST_REQUIRE_EQUAL(view.value().inventory.size(), 1u);
  auto items = s->sequence_items("jc-a", p.new_identifier, "Op", p.expire_before);
  BRIDGE_REQUIRE_OK(items);
  BOOST_TEST((items.value().items == std::vector<std::string>{"<x>kept</x>"}));
  RawDb raw(path);
  BOOST_TEST(raw.column("SELECT version FROM bridge_schema") == std::vector<std::string>({"6"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_version_3_inbox_is_rebuilt_keyed_on_besked_and_recipient) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("v3.db");
  {
    // Version 3: inbox_message unique on besked_identifier alone, no pipeline state.
    RawDb raw(path);
    raw.exec(
        "CREATE TABLE bridge_schema (version INTEGER NOT NULL); INSERT INTO bridge_schema "
        "VALUES (3);"
        "CREATE TABLE inbox_message (id INTEGER PRIMARY KEY AUTOINCREMENT, besked_identifier "
        "TEXT NOT NULL UNIQUE, received_at_ms INTEGER NOT NULL, source TEXT NOT NULL, "
        "recipient_type INTEGER NOT NULL, recipient_code TEXT NOT NULL, layout TEXT NOT NULL, "
        "raw BLOB NOT NULL, sha256 TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, "
        "detail TEXT NOT NULL, cpr TEXT NOT NULL, ekstern_identifier TEXT NOT NULL, "
        "entitetstype_id INTEGER, aendringstype_id INTEGER, miljoe TEXT NOT NULL, haendelses_tid "
        "TEXT NOT NULL, duplicates INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX inbox_message_status ON inbox_message (status, reason, id);"
        "INSERT INTO inbox_message (besked_identifier, received_at_ms, source, recipient_type, "
        "recipient_code, layout, raw, sha256, status, reason, detail, cpr, ekstern_identifier, "
        "miljoe, haendelses_tid, duplicates) VALUES "
        "('b-1', 1, 'webhook', 8, '44000', 'flat', '{}', 'h1', 'accepted', '', '', '1', 'e', "
        "'T3', 't', 2),"
        "('b-2', 2, 'webhook', 8, '99999', 'flat', '{}', 'h2', 'quarantined', "
        "'unknown_recipient', 'd', '1', 'e', 'T3', 't', 0);");
  }
  auto inbox = bridge::store::sqlite::SqliteInbox::open(path, 1000);
  BRIDGE_REQUIRE_OK(inbox);
  auto& in = *inbox.value();
  auto all = in.list({"", "", 100, ""});
  BRIDGE_REQUIRE_OK(all);
  BOOST_REQUIRE_EQUAL(all.value().size(), 2u);
  BOOST_TEST(all.value()[0].record.besked_identifier == "b-1");
  BOOST_TEST(all.value()[0].duplicates == 2);
  BOOST_TEST(all.value()[0].pipeline.stage == "received");
  BOOST_TEST(all.value()[1].pipeline.stage == "quarantined");
  // The same BeskedIdentifier for another recipient is a message of its own now.
  bridge::store::InboxRecord r = all.value()[0].record;
  r.recipient_type = 9;
  r.recipient_code = "5105";
  auto stored = in.store_batch({r, all.value()[0].record});
  BRIDGE_REQUIRE_OK(stored);
  BOOST_TEST((stored.value() ==
              std::vector<bridge::store::InboxOutcome>{bridge::store::InboxOutcome::stored,
                                                       bridge::store::InboxOutcome::duplicate}));
  RawDb raw(path);
  BOOST_TEST(raw.column("SELECT version FROM bridge_schema") == std::vector<std::string>({"6"}),
             boost::test_tools::per_element());
  // Rows from before version 6 have no store time; the new one has its own.
  BOOST_TEST(raw.column("SELECT stored_at_ms > 0 FROM inbox_message ORDER BY id") ==
                 std::vector<std::string>({"0", "0", "1"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_version_5_inbox_gets_the_store_time_column_and_new_rows_fill_it) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("v5.db");
  open_store(path);
  {
    // Version 5 had no inbox_message.stored_at_ms.
    RawDb raw(path);
    raw.exec(
        "ALTER TABLE inbox_message DROP COLUMN stored_at_ms; UPDATE bridge_schema SET "
        "version = 5;");
  }
  auto inbox = bridge::store::sqlite::SqliteInbox::open(path, 1000);
  BRIDGE_REQUIRE_OK(inbox);
  bridge::store::InboxRecord r;
  r.besked_identifier = "b-5";
  r.received_at = std::chrono::system_clock::now();
  r.source = "webhook";
  r.recipient_type = 8;
  r.recipient_code = "44000";
  r.layout = "flat";
  r.raw = "{}";
  r.sha256 = "h";
  r.status = "accepted";
  BRIDGE_REQUIRE_OK(inbox.value()->store_batch({r}));
  RawDb raw(path);
  BOOST_TEST(raw.column("SELECT version FROM bridge_schema") == std::vector<std::string>({"6"}),
             boost::test_tools::per_element());
  BOOST_TEST(raw.column("SELECT stored_at_ms >= received_at_ms FROM inbox_message") ==
                 std::vector<std::string>({"1"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_file_that_cannot_be_opened_is_unavailable_naming_the_file) {
  bridge::test::TempDir dir;
  const std::string path = dir.file("no-such-dir/queue.db");
  auto s = SqliteStore::open({path, 1, 100});
  BRIDGE_REQUIRE_ERROR(s, ErrorDomain::store, StoreErrc::unavailable);
  BOOST_TEST(s.error().message.find(path) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stats_report_pending_in_sequence_delivered_oldest_and_sequence_states) {
  bridge::test::TempDir dir;
  auto s = open_store(dir.file("stats.db"));

  // jc-a: five messages; two delivered, two in an open sequence, one queued.
  for (int i = 0; i < 5; ++i) enqueue(*s, message("jc-a", i, kT0 + std::chrono::seconds(i)));
  const TimePoint now = kT0 + 1h;
  auto first = s->create_sequence({"jc-a", ""}, params("seq-a1", 2, now));
  BRIDGE_REQUIRE_OK(first);
  auto term = s->terminate_sequence("jc-a", "seq-a1", now, now - 30min);
  BRIDGE_REQUIRE_OK(term);
  auto second = s->create_sequence({"jc-a", ""}, params("seq-a2", 2, now));
  BRIDGE_REQUIRE_OK(second);

  // jc-b: two messages in a closed sequence, so queued again.
  enqueue(*s, message("jc-b", 10, kT0 + 10s));
  enqueue(*s, message("jc-b", 11, kT0 + 11s));
  auto b = s->create_sequence({"jc-b", ""}, params("seq-b1", 10, now));
  BRIDGE_REQUIRE_OK(b);
  auto closed = s->close_sequence("jc-b", "seq-b1", now, now - 30min);
  BRIDGE_REQUIRE_OK(closed);

  // jc-c: one message in a sequence that the sweeper expires; then a delivered-only consumer.
  enqueue(*s, message("jc-c", 20, kT0 + 20s));
  auto c = s->create_sequence({"jc-c", ""}, params("seq-c1", 10, now));
  BRIDGE_REQUIRE_OK(c);
  auto swept = s->expire_sequences(now + 1s, now + 31min);
  BRIDGE_REQUIRE_OK(swept);
  BOOST_TEST(swept.value() == 2);  // seq-a2 is just as old as seq-c1

  enqueue(*s, message("jc-d", 30, kT0 + 30s));
  const TimePoint later = now + 2h;
  auto d = s->create_sequence({"jc-d", ""}, params("seq-d1", 10, later));
  BRIDGE_REQUIRE_OK(d);
  auto dterm = s->terminate_sequence("jc-d", "seq-d1", later, later - 30min);
  BRIDGE_REQUIRE_OK(dterm);
  // And one open sequence, for jc-a again: it takes m-2 and m-3, which expiry gave back.
  auto a3 = s->create_sequence({"jc-a", ""}, params("seq-a3", 2, later));
  BRIDGE_REQUIRE_OK(a3);

  auto st = s->stats();
  BRIDGE_REQUIRE_OK(st);
  const auto& q = st.value();
  BOOST_REQUIRE_EQUAL(q.consumers.size(), 4u);
  BOOST_TEST(q.consumers[0].consumer == "jc-a");
  BOOST_TEST(q.consumers[0].pending == 3);
  BOOST_TEST(q.consumers[0].in_sequence == 2);
  BOOST_TEST(q.consumers[0].delivered == 2);
  BOOST_REQUIRE(q.consumers[0].oldest_pending.has_value());
  BOOST_TEST(bridge::to_epoch_ms(*q.consumers[0].oldest_pending) == bridge::to_epoch_ms(kT0 + 2s));

  BOOST_TEST(q.consumers[1].consumer == "jc-b");
  BOOST_TEST(q.consumers[1].pending == 2);
  BOOST_TEST(q.consumers[1].in_sequence == 0);
  BOOST_TEST(q.consumers[1].delivered == 0);
  BOOST_REQUIRE(q.consumers[1].oldest_pending.has_value());
  BOOST_TEST(bridge::to_epoch_ms(*q.consumers[1].oldest_pending) == bridge::to_epoch_ms(kT0 + 10s));

  BOOST_TEST(q.consumers[2].consumer == "jc-c");
  BOOST_TEST(q.consumers[2].pending == 1);
  BOOST_TEST(q.consumers[2].in_sequence == 0);

  BOOST_TEST(q.consumers[3].consumer == "jc-d");
  BOOST_TEST(q.consumers[3].pending == 0);
  BOOST_TEST(q.consumers[3].delivered == 1);
  BOOST_TEST(!q.consumers[3].oldest_pending.has_value());

  BOOST_TEST(q.sequences_open == 1);        // seq-a3
  BOOST_TEST(q.sequences_terminated == 2);  // seq-a1, seq-d1
  BOOST_TEST(q.sequences_closed == 1);      // seq-b1
  BOOST_TEST(q.sequences_expired == 2);     // seq-a2, seq-c1
}

BOOST_AUTO_TEST_CASE(stats_of_an_empty_store_are_all_zero) {
  bridge::test::TempDir dir;
  auto s = open_store(dir.file("empty.db"));
  auto st = s->stats();
  BRIDGE_REQUIRE_OK(st);
  BOOST_TEST(st.value().consumers.empty());
  BOOST_TEST(st.value().sequences_open + st.value().sequences_terminated +
                 st.value().sequences_closed + st.value().sequences_expired ==
             0);
}

BOOST_AUTO_TEST_CASE(sequence_items_are_per_operation_in_queue_order_and_unknown_for_others) {
  bridge::test::TempDir dir;
  auto s = open_store(dir.file("items.db"));
  enqueue(*s, message("jc-a", 1, kT0));
  NewMessage other = message("jc-a", 2, kT0 + 1s);
  other.operation = "GetIndkaldelseshaendelseVersion1";
  other.item_xml = "<y>2</y>";
  enqueue(*s, other);
  enqueue(*s, message("jc-a", 3, kT0 + 2s));
  auto seq = s->create_sequence({"jc-a", ""}, params("seq-1", 10, kT0 + 3s));
  BRIDGE_REQUIRE_OK(seq);

  auto items = s->sequence_items("jc-a", "seq-1", kOp, kT0);
  BRIDGE_REQUIRE_OK(items);
  BOOST_TEST((items.value().lookup == SequenceLookup::found));
  BOOST_TEST(items.value().items == std::vector<std::string>({"<x>m-1</x>", "<x>m-3</x>"}),
             boost::test_tools::per_element());

  auto foreign = s->sequence_items("jc-b", "seq-1", kOp, kT0);
  BRIDGE_REQUIRE_OK(foreign);
  BOOST_TEST((foreign.value().lookup == SequenceLookup::unknown));
  BOOST_TEST(foreign.value().items.empty());

  // Past its limit an open sequence reads as expired even before the sweeper has run.
  auto stale = s->sequence_items("jc-a", "seq-1", kOp, kT0 + 1h);
  BRIDGE_REQUIRE_OK(stale);
  BOOST_TEST((stale.value().state == SequenceState::expired));
  BOOST_TEST(stale.value().items.empty());
}

BOOST_AUTO_TEST_CASE(concurrent_enqueue_from_four_threads_loses_nothing) {
  bridge::test::TempDir dir;
  auto s = open_store(dir.file("concurrent.db"), 4);
  constexpr int kThreads = 4;
  constexpr int kEach = 150;
  constexpr int kShared = 25;  // keys every thread sends: exactly one insert each
  std::atomic<int> inserted{0}, duplicates{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach + kShared; ++i) {
        const int n = i < kEach ? t * 10000 + i : 1000000 + (i - kEach);
        auto r = s->enqueue(message("jc-a", n, kT0 + std::chrono::milliseconds(n)));
        if (!r) {
          ++failures;
        } else if (r.value() == EnqueueOutcome::inserted) {
          ++inserted;
        } else {
          ++duplicates;
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(inserted.load() == kThreads * kEach + kShared);
  BOOST_TEST(duplicates.load() == (kThreads - 1) * kShared);

  auto st = s->stats();
  BRIDGE_REQUIRE_OK(st);
  BOOST_REQUIRE_EQUAL(st.value().consumers.size(), 1u);
  BOOST_TEST(st.value().consumers[0].pending == kThreads * kEach + kShared);

  auto seq = s->create_sequence({"jc-a", ""}, params("all", 100000, kT0 + 1h));
  BRIDGE_REQUIRE_OK(seq);
  auto items = s->sequence_items("jc-a", "all", kOp, kT0);
  BRIDGE_REQUIRE_OK(items);
  const std::set<std::string> distinct(items.value().items.begin(), items.value().items.end());
  BOOST_TEST(distinct.size() == static_cast<std::size_t>(kThreads * kEach + kShared));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sqlite_store_batches)

BOOST_AUTO_TEST_CASE(enqueue_batch_stores_all_in_order_and_reports_duplicates) {
  bridge::test::TempDir dir;
  auto store = bridge::store::sqlite::SqliteStore::open({dir.file("b.db"), 2, 5000});
  BOOST_TEST_REQUIRE(store.has_value());
  const auto now = bridge::from_epoch_ms(1700000000000);
  std::vector<bridge::store::NewMessage> batch;
  for (int i = 0; i < 3; ++i) {
    batch.push_back({{"c", ""},
                     "Op",
                     "m" + std::to_string(i),
                     "k" + std::to_string(i),
                     "<x>" + std::to_string(i) + "</x>",
                     now});
  }
  batch.push_back(batch[1]);  // the same key twice in one batch
  auto outcomes = store.value()->enqueue_batch(batch);
  BOOST_TEST_REQUIRE(outcomes.has_value());
  using bridge::store::EnqueueOutcome;
  BOOST_TEST((outcomes.value() ==
              std::vector<EnqueueOutcome>{EnqueueOutcome::inserted, EnqueueOutcome::inserted,
                                          EnqueueOutcome::inserted, EnqueueOutcome::duplicate}));
  bridge::store::CreateParams p{"11111111-1111-4111-8111-111111111111", 500,
                                bridge::store::CreatePolicy::reuse, now,
                                now - std::chrono::hours(1)};
  BOOST_TEST_REQUIRE(store.value()->create_sequence({"c", ""}, p).has_value());
  auto items = store.value()->sequence_items("c", p.new_identifier, "Op", p.expire_before);
  BOOST_TEST_REQUIRE(items.has_value());
  BOOST_TEST((items.value().items == std::vector<std::string>{"<x>0</x>", "<x>1</x>", "<x>2</x>"}));
}

BOOST_AUTO_TEST_CASE(
    a_cutover_marks_waiting_messages_before_the_cutoff_delivered_and_nothing_else) {
  bridge::test::TempDir dir;
  auto s = open_store(dir.file("cut.db"));
  // jc: m-1 and m-2 before the cut-off, m-3 after; its shadow copy of m-1; another consumer.
  enqueue(*s, message("jc", 1, kT0));
  enqueue(*s, message("jc", 2, kT0 + 1min));
  enqueue(*s, message("jc", 3, kT0 + 10min));
  enqueue(*s, message("jc", 1, kT0, "shadow"));
  enqueue(*s, message("ak", 4, kT0));
  const TimePoint cutoff = kT0 + 5min;

  auto dry = s->mark_delivered_before({"jc", ""}, cutoff, kT0 + 20min, true);
  BRIDGE_REQUIRE_OK(dry);
  BOOST_REQUIRE_EQUAL(dry.value().messages.size(), 2u);
  BOOST_TEST(dry.value().messages[0].message_identifier == "m-1");
  BOOST_TEST(dry.value().messages[1].message_identifier == "m-2");

  // Nothing changed by the dry run: a sequence still takes all three.
  auto seq = s->create_sequence({"jc", ""},
                                params("11111111-1111-4111-8111-111111111111", 500, kT0 + 20min));
  BRIDGE_REQUIRE_OK(seq);
  BOOST_TEST(seq.value().inventory.at(0).message_count == 3);
  // An open sequence refuses the cut-over and changes nothing.
  auto refused = s->mark_delivered_before({"jc", ""}, cutoff, kT0 + 20min, false);
  BRIDGE_REQUIRE_OK(refused);
  BOOST_TEST(refused.value().open_sequences == 1);
  BOOST_TEST(refused.value().messages.empty());
  BRIDGE_REQUIRE_OK(
      s->close_sequence("jc", "11111111-1111-4111-8111-111111111111", kT0 + 21min, kT0 - 1h));

  auto done = s->mark_delivered_before({"jc", ""}, cutoff, kT0 + 22min, false);
  BRIDGE_REQUIRE_OK(done);
  BOOST_TEST(done.value().messages.size() == 2u);
  // The next sequence holds only the message queued after the cut-off; the shadow sub-queue and
  // the other consumer keep theirs.
  auto next = s->create_sequence({"jc", ""},
                                 params("22222222-2222-4222-8222-222222222222", 500, kT0 + 23min));
  BRIDGE_REQUIRE_OK(next);
  BOOST_TEST(next.value().inventory.at(0).message_count == 1);
  auto items = s->sequence_items("jc", "22222222-2222-4222-8222-222222222222", kOp, kT0 - 1h);
  BRIDGE_REQUIRE_OK(items);
  BOOST_TEST((items.value().items == std::vector<std::string>{"<x>m-3</x>"}));
  auto stats = s->stats();
  BRIDGE_REQUIRE_OK(stats);
  for (const auto& c : stats.value().consumers) {
    if (c.consumer == "jc" && c.sub_queue.empty()) BOOST_TEST(c.delivered == 2);
    if (c.sub_queue == "shadow") BOOST_TEST(c.pending == 1);
    if (c.consumer == "ak") BOOST_TEST(c.pending == 1);
  }
  // Again: nothing left to mark.
  auto again = s->mark_delivered_before({"jc", ""}, cutoff, kT0 + 24min, false);
  BRIDGE_REQUIRE_OK(again);
  BOOST_TEST(again.value().open_sequences == 1);  // the sequence just created is open
}

BOOST_AUTO_TEST_SUITE_END()
