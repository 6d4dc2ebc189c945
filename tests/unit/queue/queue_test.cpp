// Tests bridge/queue/queue.cpp against contract.md §2, over a real SQLite store in a temporary
// directory, with a manual clock and a fixed uuid seed. This file also defines the unit_queue
// test module. The queue never inspects items, so items are small made-up XML strings.
#define BOOST_TEST_MODULE unit_queue
#include "bridge/queue/queue.h"

#include "bridge/core/clock.h"
#include "bridge/core/uuid.h"
#include "bridge/store/sqlite/sqlite_store.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using bridge::ErrorDomain;
using bridge::queue::Consumer;
using bridge::queue::ConsumerRegistry;
using bridge::queue::QueueErrc;
using bridge::queue::QueueSettings;
using bridge::queue::WsrmQueue;
using bridge::store::CreatePolicy;
using bridge::store::InventoryLine;
using bridge::store::SequenceView;
using bridge::store::sqlite::SqliteStore;

const std::string kIndkaldelse = "GetIndkaldelseVersion1";
const std::string kHaendelse = "GetIndkaldelseshaendelseVersion1";
const std::string kAkasse = "GetAkasseIndkaldelseVersion1";

// Two jobcentres and an a-kasse; only the first has a sub-queue.
std::vector<Consumer> test_consumers() {
  Consumer kerteminde;
  kerteminde.id = "jc-kerteminde";
  kerteminde.organisations = {{8, "44000"}};
  kerteminde.message_types = {kIndkaldelse, kHaendelse};
  kerteminde.sub_queues = {"shadow"};
  Consumer nyborg;
  nyborg.id = "jc-nyborg";
  nyborg.organisations = {{8, "45000"}};
  nyborg.message_types = {kIndkaldelse, kHaendelse};
  Consumer akasse;
  akasse.id = "akasse-3f";
  akasse.organisations = {{2, "3F"}};
  akasse.message_types = {kAkasse, kIndkaldelse};
  return {kerteminde, nyborg, akasse};
}

}  // namespace

// Equality and printing for BOOST_TEST; found by argument-dependent lookup.
namespace bridge::store {
bool operator==(const InventoryLine& a, const InventoryLine& b) {
  return a.operation == b.operation && a.message_count == b.message_count;
}
std::ostream& operator<<(std::ostream& os, const InventoryLine& l) {
  return os << l.operation << "=" << l.message_count;
}
}  // namespace bridge::store

namespace {

class QueueFixture {
 public:
  explicit QueueFixture(QueueSettings settings = {}) : settings_(settings) { open(); }

  // Drops the queue and the store and opens both again from the same file: a process restart.
  // A new process draws a new uuid seed, so it does not hand out the old identifiers again.
  void reopen() {
    queue_.reset();
    store_.reset();
    ++uuid_seed_;
    open();
  }

  WsrmQueue& queue() { return *queue_; }
  SqliteStore& store() { return *store_; }
  bridge::ManualClock& clock() { return clock_; }
  const Consumer& consumer(const std::string& id) {
    const Consumer* c = registry_.by_id(id);
    BOOST_REQUIRE(c != nullptr);
    return *c;
  }
  const Consumer& kerteminde() { return consumer("jc-kerteminde"); }
  const Consumer& nyborg() { return consumer("jc-nyborg"); }
  const Consumer& akasse() { return consumer("akasse-3f"); }

  // Enqueues one message whose item names the consumer, the operation and a running number, so a
  // test can tell every item apart. The clock moves 1 s per message, as real arrivals would.
  std::string enqueue(const std::string& consumer_id, const std::string& operation) {
    const int n = ++counter_;
    const std::string key = "besked-" + std::to_string(n) + "|" + operation;
    const std::string id = bridge::uuid_v5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", key);
    const std::string item = "<x op=\"" + operation + "\" for=\"" + consumer_id + "\" id=\"" + id +
                             "\">" + std::to_string(n) + "</x>";
    auto r = queue_->enqueue({consumer_id, operation, id, key, item});
    BRIDGE_REQUIRE_OK(r);
    BOOST_REQUIRE_GE(r.value(), 1);
    clock_.advance(1s);
    return item;
  }
  std::vector<std::string> enqueue_many(const std::string& consumer_id,
                                        const std::string& operation, int count) {
    std::vector<std::string> items;
    for (int i = 0; i < count; ++i) items.push_back(enqueue(consumer_id, operation));
    return items;
  }

  SequenceView create(const Consumer& c, const std::string& sub_queue = "") {
    auto r = queue_->create_sequence(c, sub_queue);
    BRIDGE_REQUIRE_OK(r);
    return r.value();
  }
  std::vector<std::string> items(const Consumer& c, const std::string& id,
                                 const std::string& operation) {
    auto r = queue_->items(c, id, operation);
    BRIDGE_REQUIRE_OK(r);
    return r.value();
  }
  void terminate(const Consumer& c, const std::string& id) {
    auto r = queue_->terminate_sequence(c, id);
    BRIDGE_REQUIRE_OK(r);
  }
  void close(const Consumer& c, const std::string& id) {
    auto r = queue_->close_sequence(c, id);
    BRIDGE_REQUIRE_OK(r);
  }

 private:
  void open() {
    auto s = SqliteStore::open({dir_.file("queue.db"), 2, 5000});
    BRIDGE_REQUIRE_OK(s);
    store_ = std::move(s).value();
    queue_ = std::make_unique<WsrmQueue>(*store_, registry_, clock_, settings_, uuid_seed_);
  }

  bridge::test::TempDir dir_;
  bridge::ManualClock clock_{bridge::from_epoch_ms(1'713'869'237'154)};  // 2024-04-23T10:47:17Z
  ConsumerRegistry registry_{test_consumers()};
  QueueSettings settings_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<WsrmQueue> queue_;
  std::uint64_t uuid_seed_ = 20240423;
  int counter_ = 0;
};

QueueSettings with_max(int max_messages) {
  QueueSettings s;
  s.max_messages_per_sequence = max_messages;
  return s;
}

QueueSettings with_policy(CreatePolicy policy) {
  QueueSettings s;
  s.create_policy = policy;
  return s;
}

int total(const SequenceView& v) {
  int n = 0;
  for (const auto& l : v.inventory) n += l.message_count;
  return n;
}

std::vector<InventoryLine> lines(std::initializer_list<InventoryLine> l) { return l; }

// Replaces every occurrence of `id` so error messages for different identifiers can be compared.
std::string shape(std::string message, const std::string& id) {
  for (auto p = message.find(id); p != std::string::npos; p = message.find(id)) {
    message.replace(p, id.size(), "<id>");
  }
  return message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wsrm_queue)

// ---- contract.md §2, one case per numbered rule -------------------------------------------------

BOOST_AUTO_TEST_CASE(rule1_consumers_never_see_each_others_messages_or_sequences) {
  QueueFixture f;
  const auto mine = f.enqueue_many("jc-kerteminde", kIndkaldelse, 3);
  const auto theirs = f.enqueue_many("jc-nyborg", kIndkaldelse, 2);

  const auto seq = f.create(f.kerteminde());
  BOOST_TEST(seq.inventory == lines({{kIndkaldelse, 3}}), boost::test_tools::per_element());
  BOOST_TEST(f.items(f.kerteminde(), seq.identifier, kIndkaldelse) == mine,
             boost::test_tools::per_element());

  // Nyborg can neither read, close nor terminate Kerteminde's sequence …
  auto read = f.queue().items(f.nyborg(), seq.identifier, kIndkaldelse);
  BRIDGE_REQUIRE_ERROR(read, ErrorDomain::queue, QueueErrc::unknown_sequence);
  auto closed = f.queue().close_sequence(f.nyborg(), seq.identifier);
  BRIDGE_REQUIRE_ERROR(closed, ErrorDomain::queue, QueueErrc::unknown_sequence);
  auto terminated = f.queue().terminate_sequence(f.nyborg(), seq.identifier);
  BRIDGE_REQUIRE_ERROR(terminated, ErrorDomain::queue, QueueErrc::unknown_sequence);

  // … and its attempts changed nothing for Kerteminde.
  BOOST_TEST(f.items(f.kerteminde(), seq.identifier, kIndkaldelse) == mine,
             boost::test_tools::per_element());

  // Nyborg's own sequence holds exactly Nyborg's messages.
  const auto other = f.create(f.nyborg());
  BOOST_TEST(other.identifier != seq.identifier);
  BOOST_TEST(other.inventory == lines({{kIndkaldelse, 2}}), boost::test_tools::per_element());
  BOOST_TEST(f.items(f.nyborg(), other.identifier, kIndkaldelse) == theirs,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rule2_create_sequence_takes_at_most_max_messages_oldest_first) {
  QueueFixture f(with_max(3));
  // FIFO across message types: the oldest three are indk1, haend2, indk3.
  const auto indk1 = f.enqueue("jc-kerteminde", kIndkaldelse);
  const auto haend2 = f.enqueue("jc-kerteminde", kHaendelse);
  const auto indk3 = f.enqueue("jc-kerteminde", kIndkaldelse);
  const auto indk4 = f.enqueue("jc-kerteminde", kIndkaldelse);
  const auto haend5 = f.enqueue("jc-kerteminde", kHaendelse);

  const auto first = f.create(f.kerteminde());
  BOOST_TEST(total(first) == 3);
  BOOST_TEST(f.items(f.kerteminde(), first.identifier, kIndkaldelse) ==
                 std::vector<std::string>({indk1, indk3}),
             boost::test_tools::per_element());
  BOOST_TEST(
      f.items(f.kerteminde(), first.identifier, kHaendelse) == std::vector<std::string>({haend2}),
      boost::test_tools::per_element());

  f.terminate(f.kerteminde(), first.identifier);
  const auto second = f.create(f.kerteminde());
  BOOST_TEST(total(second) == 2);
  BOOST_TEST(
      f.items(f.kerteminde(), second.identifier, kIndkaldelse) == std::vector<std::string>({indk4}),
      boost::test_tools::per_element());
  BOOST_TEST(
      f.items(f.kerteminde(), second.identifier, kHaendelse) == std::vector<std::string>({haend5}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rule3_create_with_open_sequence_returns_the_same_sequence_and_messages) {
  QueueFixture f(with_policy(CreatePolicy::reuse));
  const auto queued = f.enqueue_many("jc-kerteminde", kIndkaldelse, 2);

  const auto first = f.create(f.kerteminde());
  BOOST_TEST(!first.reused);
  // A message arriving meanwhile must not change what the retried CreateSequence returns.
  const auto later = f.enqueue("jc-kerteminde", kIndkaldelse);
  const auto again = f.create(f.kerteminde());

  BOOST_TEST(again.reused);
  BOOST_TEST(again.identifier == first.identifier);
  BOOST_TEST(again.inventory == first.inventory, boost::test_tools::per_element());
  BOOST_TEST(f.items(f.kerteminde(), again.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());

  // The late message waits for the next sequence.
  f.terminate(f.kerteminde(), first.identifier);
  const auto next = f.create(f.kerteminde());
  BOOST_TEST(
      f.items(f.kerteminde(), next.identifier, kIndkaldelse) == std::vector<std::string>({later}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rule3_policy_close_and_create_closes_the_open_sequence_and_opens_a_new_one) {
  QueueFixture f(with_policy(CreatePolicy::close_and_create));
  const auto queued = f.enqueue_many("jc-kerteminde", kIndkaldelse, 2);

  const auto first = f.create(f.kerteminde());
  const auto later = f.enqueue("jc-kerteminde", kIndkaldelse);
  const auto second = f.create(f.kerteminde());

  BOOST_TEST(!second.reused);
  BOOST_TEST(second.identifier != first.identifier);
  // The closed sequence's messages come first again, in order, followed by the late one.
  std::vector<std::string> expected = queued;
  expected.push_back(later);
  BOOST_TEST(f.items(f.kerteminde(), second.identifier, kIndkaldelse) == expected,
             boost::test_tools::per_element());
  auto old = f.queue().items(f.kerteminde(), first.identifier, kIndkaldelse);
  BRIDGE_REQUIRE_ERROR(old, ErrorDomain::queue, QueueErrc::sequence_not_open);
}

BOOST_AUTO_TEST_CASE(rule4_terminate_marks_delivered_and_is_retry_safe) {
  QueueFixture f;
  f.enqueue_many("jc-nyborg", kIndkaldelse, 3);
  const auto seq = f.create(f.nyborg());
  BOOST_TEST(total(seq) == 3);

  f.terminate(f.nyborg(), seq.identifier);
  f.terminate(f.nyborg(), seq.identifier);  // a retry after a lost response

  auto stats = f.store().stats();
  BRIDGE_REQUIRE_OK(stats);
  BOOST_REQUIRE_EQUAL(stats.value().consumers.size(), 1u);
  BOOST_TEST(stats.value().consumers[0].delivered == 3);
  BOOST_TEST(stats.value().consumers[0].pending == 0);
  BOOST_TEST(stats.value().sequences_terminated == 1);

  // Never handed out again.
  const auto next = f.create(f.nyborg());
  BOOST_TEST(next.identifier != seq.identifier);
  BOOST_TEST(next.inventory.empty());
}

BOOST_AUTO_TEST_CASE(rule5_close_returns_messages_in_order_with_same_identifiers) {
  QueueFixture f(with_max(2));
  const auto queued = f.enqueue_many("jc-kerteminde", kIndkaldelse, 3);

  const auto first = f.create(f.kerteminde());
  const auto handed_out = f.items(f.kerteminde(), first.identifier, kIndkaldelse);
  BOOST_TEST(handed_out == std::vector<std::string>(queued.begin(), queued.begin() + 2),
             boost::test_tools::per_element());
  f.close(f.kerteminde(), first.identifier);
  f.close(f.kerteminde(), first.identifier);  // closing again changes nothing

  // The same items (same MessageIdentifier inside, same bytes), still ahead of the third.
  const auto second = f.create(f.kerteminde());
  BOOST_TEST(second.identifier != first.identifier);
  BOOST_TEST(f.items(f.kerteminde(), second.identifier, kIndkaldelse) == handed_out,
             boost::test_tools::per_element());
  f.terminate(f.kerteminde(), second.identifier);
  const auto third = f.create(f.kerteminde());
  BOOST_TEST(f.items(f.kerteminde(), third.identifier, kIndkaldelse) ==
                 std::vector<std::string>({queued[2]}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rule6_open_sequence_expires_after_time_limit) {
  QueueSettings settings;
  settings.sequence_timeout = 30min;
  QueueFixture f(settings);
  const auto queued = f.enqueue_many("jc-kerteminde", kIndkaldelse, 2);
  const auto first = f.create(f.kerteminde());

  f.clock().advance(29min);
  BOOST_TEST(f.items(f.kerteminde(), first.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());

  f.clock().advance(2min);  // 31 min after creation, no sweeper has run
  auto late = f.queue().items(f.kerteminde(), first.identifier, kIndkaldelse);
  BRIDGE_REQUIRE_ERROR(late, ErrorDomain::queue, QueueErrc::sequence_not_open);
  BOOST_TEST(late.error().message.find("expired") != std::string::npos);

  // The messages came back to the queue and are handed out again.
  const auto second = f.create(f.kerteminde());
  BOOST_TEST(!second.reused);
  BOOST_TEST(second.identifier != first.identifier);
  BOOST_TEST(f.items(f.kerteminde(), second.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());

  auto stats = f.store().stats();
  BRIDGE_REQUIRE_OK(stats);
  BOOST_TEST(stats.value().sequences_expired == 1);
  BOOST_TEST(stats.value().sequences_open == 1);
}

BOOST_AUTO_TEST_CASE(rule6_the_sweeper_expires_stale_sequences_of_every_consumer) {
  QueueFixture f;  // default limit: 30 min
  f.enqueue("akasse-3f", kAkasse);
  f.enqueue("jc-nyborg", kIndkaldelse);
  f.create(f.akasse());
  f.create(f.nyborg());

  f.clock().advance(29min);
  auto none = f.queue().expire_stale_sequences();
  BRIDGE_REQUIRE_OK(none);
  BOOST_TEST(none.value() == 0);

  f.clock().advance(2min);
  auto both = f.queue().expire_stale_sequences();
  BRIDGE_REQUIRE_OK(both);
  BOOST_TEST(both.value() == 2);

  auto stats = f.store().stats();
  BRIDGE_REQUIRE_OK(stats);
  BOOST_TEST(stats.value().sequences_expired == 2);
  BOOST_TEST(stats.value().sequences_open == 0);
  for (const auto& c : stats.value().consumers) {
    BOOST_TEST_CONTEXT(c.consumer) {
      BOOST_TEST(c.in_sequence == 0);
      BOOST_TEST(c.pending == 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(rule7_empty_queue_gives_new_identifier_and_empty_inventory) {
  QueueFixture f;
  const auto first = f.create(f.kerteminde());
  BOOST_TEST(bridge::is_uuid(first.identifier));
  BOOST_TEST(first.inventory.empty());
  BOOST_TEST(!first.reused);

  const auto second = f.create(f.kerteminde());
  BOOST_TEST(bridge::is_uuid(second.identifier));
  BOOST_TEST(second.identifier != first.identifier);
  BOOST_TEST(second.inventory.empty());

  // An empty sequence is a real sequence: Get… answers it with no items, Terminate succeeds.
  BOOST_TEST(f.items(f.kerteminde(), second.identifier, kIndkaldelse).empty());
  f.terminate(f.kerteminde(), second.identifier);
}

BOOST_AUTO_TEST_CASE(rule8_nothing_is_deleted_before_terminate) {
  QueueFixture f;
  const auto queued = f.enqueue_many("jc-nyborg", kIndkaldelse, 3);
  const auto first = f.create(f.nyborg());

  // The process dies without TerminateSequence; the messages are still there after a restart.
  f.reopen();
  auto stats = f.store().stats();
  BRIDGE_REQUIRE_OK(stats);
  BOOST_REQUIRE_EQUAL(stats.value().consumers.size(), 1u);
  BOOST_TEST(stats.value().consumers[0].pending == 3);
  BOOST_TEST(stats.value().consumers[0].delivered == 0);
  BOOST_TEST(f.items(f.nyborg(), first.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());

  // Closing and expiring do not delete either: the messages come again each time.
  f.close(f.nyborg(), first.identifier);
  f.reopen();
  const auto second = f.create(f.nyborg());
  BOOST_TEST(f.items(f.nyborg(), second.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());
  f.clock().advance(31min);
  f.reopen();
  const auto third = f.create(f.nyborg());
  BOOST_TEST(third.identifier != second.identifier);
  BOOST_TEST(f.items(f.nyborg(), third.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());

  // Only TerminateSequence ends it.
  f.terminate(f.nyborg(), third.identifier);
  f.reopen();
  BOOST_TEST(f.create(f.nyborg()).inventory.empty());
}

// ---- volume, inventory and enqueue
// ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(queue_of_1201_messages_drains_in_sequences_of_500_500_and_201) {
  QueueFixture f;  // default maximum: 500
  const auto queued = f.enqueue_many("jc-nyborg", kIndkaldelse, 1201);

  std::vector<int> sizes;
  std::vector<std::string> drained;
  for (int i = 0; i < 4; ++i) {
    const auto seq = f.create(f.nyborg());
    sizes.push_back(total(seq));
    const auto items = f.items(f.nyborg(), seq.identifier, kIndkaldelse);
    BOOST_TEST(static_cast<int>(items.size()) == total(seq));
    drained.insert(drained.end(), items.begin(), items.end());
    f.terminate(f.nyborg(), seq.identifier);
  }
  BOOST_TEST(sizes == std::vector<int>({500, 500, 201, 0}), boost::test_tools::per_element());
  BOOST_TEST(drained == queued);  // every message once, in queue order
}

BOOST_AUTO_TEST_CASE(service_items_list_only_types_with_messages_sorted_by_operation) {
  QueueFixture f;
  // Queued in the reverse of the sorted order; no GetIndkaldelseshaendelseVersion1 at all for
  // the a-kasse (it does not receive them), and one of its types gets none either.
  f.enqueue_many("akasse-3f", kIndkaldelse, 2);
  f.enqueue("akasse-3f", kAkasse);
  const auto seq = f.create(f.akasse());
  BOOST_TEST(seq.inventory == lines({{kAkasse, 1}, {kIndkaldelse, 2}}),
             boost::test_tools::per_element());

  f.terminate(f.akasse(), seq.identifier);
  f.enqueue("akasse-3f", kIndkaldelse);
  const auto only_one = f.create(f.akasse());
  BOOST_TEST(only_one.inventory == lines({{kIndkaldelse, 1}}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(one_source_key_yields_one_item_per_operation) {
  QueueFixture f;
  // One WSB to a jobcenter gives an Indkaldelse item and an Indkaldelseshaendelse item.
  auto a = f.queue().enqueue({"jc-kerteminde", kIndkaldelse, "m-1", "besked-7", "<x>a</x>"});
  auto b = f.queue().enqueue({"jc-kerteminde", kHaendelse, "m-2", "besked-7", "<x>b</x>"});
  BRIDGE_REQUIRE_OK(a);
  BRIDGE_REQUIRE_OK(b);
  const int queues = 1 + static_cast<int>(f.kerteminde().sub_queues.size());
  BOOST_TEST(a.value() == queues);
  BOOST_TEST(b.value() == queues);
}

BOOST_AUTO_TEST_CASE(enqueue_is_idempotent_on_the_idempotency_key) {
  QueueFixture f;
  const bridge::queue::EnqueueRequest request{"jc-nyborg", kIndkaldelse, "m-1", "besked-1|indk",
                                              "<x>1</x>"};
  auto first = f.queue().enqueue(request);
  BRIDGE_REQUIRE_OK(first);
  BOOST_TEST(first.value() == 1);
  auto again = f.queue().enqueue(request);  // DFDG resends on time-out
  BRIDGE_REQUIRE_OK(again);
  BOOST_TEST(again.value() == 0);
  auto changed_body =
      f.queue().enqueue({"jc-nyborg", kIndkaldelse, "m-2", "besked-1|indk", "<x>other</x>"});
  BRIDGE_REQUIRE_OK(changed_body);
  BOOST_TEST(changed_body.value() == 0);

  const auto seq = f.create(f.nyborg());
  BOOST_TEST(
      f.items(f.nyborg(), seq.identifier, kIndkaldelse) == std::vector<std::string>({"<x>1</x>"}),
      boost::test_tools::per_element());

  // The key is unique per queue, not globally: another consumer may get the same key.
  auto elsewhere =
      f.queue().enqueue({"akasse-3f", kIndkaldelse, "m-1", "besked-1|indk", "<x>1</x>"});
  BRIDGE_REQUIRE_OK(elsewhere);
  BOOST_TEST(elsewhere.value() == 1);
}

BOOST_AUTO_TEST_CASE(sub_queues_get_their_own_copy_and_draining_one_leaves_the_main_queue) {
  QueueFixture f;
  std::vector<std::string> queued;
  for (int i = 1; i <= 3; ++i) {
    const std::string item = "<x>" + std::to_string(i) + "</x>";
    auto r = f.queue().enqueue(
        {"jc-kerteminde", kIndkaldelse, "m-" + std::to_string(i), "k-" + std::to_string(i), item});
    BRIDGE_REQUIRE_OK(r);
    BOOST_TEST(r.value() == 2);  // main queue and "shadow"
    queued.push_back(item);
  }

  const auto shadow = f.create(f.kerteminde(), "shadow");
  BOOST_TEST(f.items(f.kerteminde(), shadow.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());
  f.terminate(f.kerteminde(), shadow.identifier);
  BOOST_TEST(f.create(f.kerteminde(), "shadow").inventory.empty());

  // The main queue still has all three: an open shadow sequence is not a main-queue sequence.
  const auto main = f.create(f.kerteminde());
  BOOST_TEST(!main.reused);
  BOOST_TEST(main.identifier != shadow.identifier);
  BOOST_TEST(f.items(f.kerteminde(), main.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_sub_queue_is_refused) {
  QueueFixture f;
  f.enqueue("jc-kerteminde", kIndkaldelse);
  auto r = f.queue().create_sequence(f.kerteminde(), "no-such-queue");
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::queue, QueueErrc::unknown_sub_queue);
  BOOST_TEST(r.error().message.find("no-such-queue") != std::string::npos);
  // Another consumer's sub-queue name is not this consumer's either.
  auto foreign = f.queue().create_sequence(f.nyborg(), "shadow");
  BRIDGE_REQUIRE_ERROR(foreign, ErrorDomain::queue, QueueErrc::unknown_sub_queue);
}

BOOST_AUTO_TEST_CASE(
    enqueue_of_a_type_the_consumer_does_not_receive_is_refused_and_stores_nothing) {
  QueueFixture f;
  auto r = f.queue().enqueue({"jc-nyborg", kAkasse, "m-1", "k-1", "<x>1</x>"});
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::queue, QueueErrc::not_receiver);
  BOOST_TEST(r.error().message.find(kAkasse) != std::string::npos);
  BOOST_TEST(r.error().message.find("jc-nyborg") != std::string::npos);

  auto unknown = f.queue().enqueue({"jc-nowhere", kIndkaldelse, "m-2", "k-2", "<x>2</x>"});
  BRIDGE_REQUIRE_ERROR(unknown, ErrorDomain::queue, QueueErrc::unknown_consumer);

  auto stats = f.store().stats();
  BRIDGE_REQUIRE_OK(stats);
  BOOST_TEST(stats.value().consumers.empty());
}

// ---- sequence state errors
// -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(get_on_closed_expired_or_terminated_sequence_is_sequence_not_open) {
  QueueFixture f;
  f.enqueue_many("jc-kerteminde", kIndkaldelse, 1);
  f.enqueue_many("jc-nyborg", kIndkaldelse, 1);
  f.enqueue_many("akasse-3f", kAkasse, 1);

  const auto closed = f.create(f.kerteminde());
  f.close(f.kerteminde(), closed.identifier);
  const auto terminated = f.create(f.nyborg());
  f.terminate(f.nyborg(), terminated.identifier);
  const auto expired = f.create(f.akasse());
  f.clock().advance(31min);

  auto a = f.queue().items(f.kerteminde(), closed.identifier, kIndkaldelse);
  BRIDGE_REQUIRE_ERROR(a, ErrorDomain::queue, QueueErrc::sequence_not_open);
  BOOST_TEST(a.error().message.find("closed") != std::string::npos);
  auto b = f.queue().items(f.nyborg(), terminated.identifier, kIndkaldelse);
  BRIDGE_REQUIRE_ERROR(b, ErrorDomain::queue, QueueErrc::sequence_not_open);
  BOOST_TEST(b.error().message.find("terminated") != std::string::npos);
  auto c = f.queue().items(f.akasse(), expired.identifier, kAkasse);
  BRIDGE_REQUIRE_ERROR(c, ErrorDomain::queue, QueueErrc::sequence_not_open);
  BOOST_TEST(c.error().message.find("expired") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(terminate_after_close_is_sequence_returned_and_delivers_nothing) {
  QueueFixture f;
  const auto queued = f.enqueue_many("jc-kerteminde", kIndkaldelse, 2);
  const auto seq = f.create(f.kerteminde());
  f.close(f.kerteminde(), seq.identifier);

  auto r = f.queue().terminate_sequence(f.kerteminde(), seq.identifier);
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::queue, QueueErrc::sequence_returned);
  BOOST_TEST(r.error().message.find(seq.identifier) != std::string::npos);

  const auto next = f.create(f.kerteminde());
  BOOST_TEST(f.items(f.kerteminde(), next.identifier, kIndkaldelse) == queued,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(terminate_after_expiry_is_sequence_returned) {
  QueueFixture f;
  f.enqueue("jc-kerteminde", kIndkaldelse);
  const auto seq = f.create(f.kerteminde());
  f.clock().advance(31min);
  auto r = f.queue().terminate_sequence(f.kerteminde(), seq.identifier);
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::queue, QueueErrc::sequence_returned);
  BOOST_TEST(r.error().message.find("expired") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(close_after_terminate_is_sequence_terminated_and_gives_nothing_back) {
  QueueFixture f;
  f.enqueue_many("jc-kerteminde", kIndkaldelse, 2);
  const auto seq = f.create(f.kerteminde());
  f.terminate(f.kerteminde(), seq.identifier);

  auto r = f.queue().close_sequence(f.kerteminde(), seq.identifier);
  BRIDGE_REQUIRE_ERROR(r, ErrorDomain::queue, QueueErrc::sequence_terminated);
  BOOST_TEST(r.error().message.find(seq.identifier) != std::string::npos);
  BOOST_TEST(f.create(f.kerteminde()).inventory.empty());
}

BOOST_AUTO_TEST_CASE(foreign_identifier_gives_exactly_the_error_of_a_never_existing_one) {
  QueueFixture f;
  f.enqueue("jc-kerteminde", kIndkaldelse);
  const std::string foreign = f.create(f.kerteminde()).identifier;
  const std::string never = bridge::UuidGenerator(99).next();
  BOOST_REQUIRE(foreign != never);

  auto check = [&](const bridge::Result<void>& a, const bridge::Result<void>& b) {
    BRIDGE_REQUIRE_ERROR(a, ErrorDomain::queue, QueueErrc::unknown_sequence);
    BRIDGE_REQUIRE_ERROR(b, ErrorDomain::queue, QueueErrc::unknown_sequence);
    BOOST_TEST(shape(a.error().message, foreign) == shape(b.error().message, never));
  };
  {
    auto a = f.queue().items(f.nyborg(), foreign, kIndkaldelse);
    auto b = f.queue().items(f.nyborg(), never, kIndkaldelse);
    BRIDGE_REQUIRE_ERROR(a, ErrorDomain::queue, QueueErrc::unknown_sequence);
    BRIDGE_REQUIRE_ERROR(b, ErrorDomain::queue, QueueErrc::unknown_sequence);
    BOOST_TEST(shape(a.error().message, foreign) == shape(b.error().message, never));
    BOOST_TEST(a.error().message.find("jc-kerteminde") == std::string::npos);
  }
  check(f.queue().close_sequence(f.nyborg(), foreign), f.queue().close_sequence(f.nyborg(), never));
  check(f.queue().terminate_sequence(f.nyborg(), foreign),
        f.queue().terminate_sequence(f.nyborg(), never));

  // The owner still has it open.
  BOOST_TEST(f.items(f.kerteminde(), foreign, kIndkaldelse).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
