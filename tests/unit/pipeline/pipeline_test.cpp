#define BOOST_TEST_MODULE unit_pipeline
// Tests bridge/pipeline/pipeline.cpp end to end over the real pieces: a SQLite file in a
// temporary directory (queue store and inbox on the same path), the real consumer registry and
// WSRM queue, the real tables, sending rules and policy from the source tree, a manual clock and
// a fake IndkaldelseClient that answers from a script per indkaldelse id and counts its calls.
// Messages enter the inbox as the webhook stores them (webhook::make_record + store_batch).
#include "bridge/pipeline/pipeline.h"

#include "bridge/core/clock.h"
#include "bridge/core/metrics.h"
#include "bridge/store/sqlite/sqlite_inbox.h"
#include "bridge/store/sqlite/sqlite_store.h"
#include "bridge/webhook/receiver.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using bridge::ErrorDomain;
using bridge::dfdg::DfdgErrc;
using bridge::pipeline::Pipeline;
using bridge::queue::Consumer;
using bridge::queue::ConsumerRegistry;
using bridge::queue::WsrmQueue;
using bridge::store::InboxEntry;
using json = nlohmann::json;

const std::string kIndkaldelse = "GetIndkaldelseVersion1";
const std::string kHaendelse = "GetIndkaldelseshaendelseVersion1";
const std::string kAkasse = "GetAkasseIndkaldelseVersion1";
const std::string kCpr = "1111111111";

std::string source_path(const std::string& relative) {
  return std::string(BRIDGE_SOURCE_DIR) + "/" + relative;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A GUID that differs in its last digits: "3f0e7c1a-54a7-4f3b-9b81-00000000000n".
std::string guid(int n, const char* prefix = "3f0e7c1a") {
  char tail[13];
  std::snprintf(tail, sizeof tail, "%012d", n);
  return std::string(prefix) + "-54a7-4f3b-9b81-" + tail;
}

// ---- the WSB ------------------------------------------------------------------------------

struct Wsb {
  std::string besked;       // BeskedIdentifier
  std::string indkaldelse;  // EksternIdentifier
  int aendringstype = 1;    // 1 Create, 2 Update, 3 Delete
  int registrant_type = 8;  // Oprindelse.RegistrerendeMyndighed.OrganisationType
  std::string registrant_code = "44000";
  std::optional<int> haendelsestype = 3;  // Body.Indkaldelsehaendelsestype
};

// The seed (tests/fixtures/wsb/seed_flat_with_body.json) with the fields of `w`.
std::string wsb_json(const Wsb& w) {
  json j = json::parse(read_text(source_path("tests/fixtures/wsb/seed_flat_with_body.json")));
  j["BeskedIdentifier"] = w.besked;
  j["EksternIdentifier"] = w.indkaldelse;
  j["Identifikation"] = kCpr;
  j["AendringstypeId"] = w.aendringstype;
  j["AendringstypeNavn"] = w.aendringstype == 1   ? "Create"
                           : w.aendringstype == 2 ? "Update"
                                                  : "Delete";
  j["Oprindelse"]["RegistrerendeMyndighed"] = {{"OrganisationType", w.registrant_type},
                                               {"OrganisationKode", w.registrant_code}};
  if (w.haendelsestype) {
    j["Body"] = {{"Indkaldelsehaendelsestype", *w.haendelsestype}};
  } else {
    j.erase("Body");
  }
  return j.dump();
}

// ---- the REST snapshot (contract.md §4.2) ------------------------------------------------

json indkaldelse_json(const std::string& id, int samtaletype, int registrant_type = 8) {
  return json{
      {"indkaldelseId", id},
      {"status", 1},
      {"samtaleType", samtaletype},
      {"afholdelsesform", 1},
      {"moedeGruppeType", 1},
      {"starttidspunkt", "2024-05-02T09:00:00+02:00"},
      {"sluttidspunkt", "2024-05-02T09:30:00+02:00"},
      {"varighed", 30},
      {"titel", "Jobsamtale"},
      {"beskrivelse", "Samtale om dine jobmål"},
      {"lokation", "Jobcenter Kerteminde, mødelokale 2"},
      {"adresse",
       {{"vejnavn", "Hans Schacksvej"},
        {"husnummer", "4"},
        {"etage", nullptr},
        {"doer", nullptr},
        {"postnummer", "5300"},
        {"postdistrikt", "Kerteminde"}}},
      {"telefonnummer", "+4565151515"},
      {"digitaltMoedelink", nullptr},
      {"ansvarligSagsbehandler", "Sagsbehandler Navn"},
      {"ombookingMulig", true},
      {"ombookingsfrist", "2024-05-01T12:00:00+02:00"},
      {"aflysningMulig", false},
      {"aflysningsfrist", nullptr},
      {"selvbooket", false},
      {"ejersystem", 12},
      {"gruppemoedeId", nullptr},
      {"akasseDeltagelsesstatus", nullptr},
      {"myndighedsdeltagere",
       json::array({{{"myndighedsdeltagerId", "a1b2c3d4-0000-4000-8000-000000000001"},
                     {"navn", "A-kasse 3F"},
                     {"kontaktdetaljer", "Kontakt"},
                     {"telefonnummer", "+4570300300"},
                     {"email", "kontakt@example.dk"},
                     {"organisationType", 9},
                     {"organisationKode", "5105"}}})},
      {"registreringsmetadata",
       {{"registrerendeMyndighed",
         {{"organisationType", registrant_type}, {"organisationKode", "44000"}}},
        {"registreringstidspunkt", "2024-04-23T12:47:17.154+02:00"},
        {"erSlettet", false}}},
  };
}

// ---- the fake IndkaldelseClient -------------------------------------------------------------

struct Answer {
  enum class Kind { found, not_visible, transient, permanent };
  Kind kind = Kind::found;
  json body;
};

Answer found(json body) { return {Answer::Kind::found, std::move(body)}; }
Answer not_visible() { return {Answer::Kind::not_visible, nullptr}; }
Answer transient() { return {Answer::Kind::transient, nullptr}; }
Answer permanent() { return {Answer::Kind::permanent, nullptr}; }

// Answers each id from its script, front first; the last answer repeats. Thread-safe.
class FakeClient final : public bridge::dfdg::IndkaldelseClient {
 public:
  void script(const std::string& id, std::vector<Answer> answers) {
    std::lock_guard lock(mutex_);
    scripts_[id] = std::deque<Answer>(answers.begin(), answers.end());
  }
  int calls(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(id);
    return it == calls_.end() ? 0 : it->second;
  }
  int total_calls() const {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [id, c] : calls_) n += c;
    return n;
  }
  std::string last_cpr() const {
    std::lock_guard lock(mutex_);
    return last_cpr_;
  }

  bridge::Result<bridge::dfdg::Snapshot> get_indkaldelse(const std::string& id,
                                                         const std::string& cpr) override {
    std::lock_guard lock(mutex_);
    ++calls_[id];
    last_cpr_ = cpr;
    const std::string url = "https://dfdg.test/api/v1/Indkaldelse/" + id;
    auto it = scripts_.find(id);
    if (it == scripts_.end() || it->second.empty()) {
      return bridge::make_error(ErrorDomain::dfdg, static_cast<int>(DfdgErrc::permanent),
                                "no script for " + url);
    }
    Answer a = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    bridge::dfdg::Snapshot s;
    s.url = url;
    s.attempts = 1;
    switch (a.kind) {
      case Answer::Kind::found:
        s.visibility = bridge::dfdg::Visibility::found;
        s.http_status = 200;
        s.json = a.body;
        s.body = a.body.dump();
        return s;
      case Answer::Kind::not_visible:
        s.visibility = bridge::dfdg::Visibility::not_visible;
        s.http_status = 404;
        return s;
      case Answer::Kind::transient:
        return bridge::make_error(ErrorDomain::dfdg, static_cast<int>(DfdgErrc::transient),
                                  "GET " + url + " answered HTTP 503 after 4 attempts");
      case Answer::Kind::permanent:
        break;
    }
    return bridge::make_error(ErrorDomain::dfdg, static_cast<int>(DfdgErrc::permanent),
                              "GET " + url + " answered HTTP 400 after 1 attempt");
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Answer>> scripts_;
  std::map<std::string, int> calls_;
  std::string last_cpr_;
};

// ---- the fixture ----------------------------------------------------------------------------

const bridge::wsb::Organisation kJobcenter{8, "44000"};
const bridge::wsb::Organisation kAkasseOrg{9, "5105"};
const bridge::wsb::Organisation kOtherOrg{2, "777"};  // accepted, but no role routes it

std::vector<Consumer> test_consumers() {
  Consumer jobcenter;
  jobcenter.id = "jc-kerteminde";
  jobcenter.organisations = {{8, "44000"}};
  jobcenter.message_types = {kIndkaldelse, kHaendelse};
  Consumer akasse;
  akasse.id = "akasse-5105";
  akasse.organisations = {{9, "5105"}};
  akasse.message_types = {kAkasse};
  return {jobcenter, akasse};
}

struct Loaded {
  std::shared_ptr<bridge::mapping::MappingSet> mappings;
  std::optional<bridge::routing::RoutingTable> routing;
  std::optional<bridge::pipeline::Policy> policy;
};

// The tables are read once for the whole binary (they do not change).
const Loaded& loaded() {
  static const Loaded l = [] {
    Loaded out;
    auto m =
        bridge::mapping::MappingSet::load_checked(source_path("mappings"), source_path("wsdl/xsd"));
    BRIDGE_REQUIRE_OK(m);
    out.mappings = m.value();
    auto r = bridge::routing::RoutingTable::load(source_path("mappings/routing/indkaldelse.toml"));
    BRIDGE_REQUIRE_OK(r);
    out.routing.emplace(std::move(r.value()));
    auto p = bridge::pipeline::Policy::load(source_path("mappings/pipeline/policy.toml"));
    BRIDGE_REQUIRE_OK(p);
    out.policy.emplace(std::move(p.value()));
    return out;
  }();
  return l;
}

bridge::pipeline::Settings test_settings() {
  bridge::pipeline::Settings s;
  s.workers = 2;
  s.max_attempts = 3;
  s.retry_initial = 1000ms;
  s.retry_max = 8000ms;
  s.poll_interval = 10ms;
  return s;
}

struct Fixture {
  explicit Fixture(bridge::pipeline::Settings s = test_settings()) : settings(s) {
    const std::string path = dir.file("bridge.db");
    auto st = bridge::store::sqlite::SqliteStore::open({path, 2, 5000});
    BRIDGE_REQUIRE_OK(st);
    store = std::move(st.value());
    auto in = bridge::store::sqlite::SqliteInbox::open(path, 5000);
    BRIDGE_REQUIRE_OK(in);
    inbox = std::move(in.value());
    queue = std::make_unique<WsrmQueue>(*store, consumers, clock, bridge::queue::QueueSettings{});
    rules.recipients = {kJobcenter, kAkasseOrg, kOtherOrg};
    pipeline = make_pipeline(*queue);
  }

  std::unique_ptr<Pipeline> make_pipeline(WsrmQueue& q) {
    const Loaded& l = loaded();
    return std::make_unique<Pipeline>(
        bridge::pipeline::Deps{*inbox, q, consumers, dfdg, *l.mappings, *l.routing, *l.policy,
                               clock, metrics},
        settings);
  }

  // Stores the WSB as the webhook does, addressed to `to`; returns the inbox row id.
  std::int64_t receive(const Wsb& w, const bridge::wsb::Organisation& to = kJobcenter) {
    auto rec = bridge::webhook::make_record(wsb_json(w), to, "webhook", rules, clock.now());
    BRIDGE_REQUIRE_OK(rec);
    BOOST_REQUIRE_MESSAGE(rec.value().status == "accepted",
                          "not accepted: " << rec.value().reason << ": " << rec.value().detail);
    auto stored = inbox->store_batch({rec.value()});
    BRIDGE_REQUIRE_OK(stored);
    BOOST_REQUIRE(stored.value().front() == bridge::store::InboxOutcome::stored);
    return entry(w.besked, to).id;
  }

  InboxEntry entry(const std::string& besked, const bridge::wsb::Organisation& to = kJobcenter) {
    bridge::store::InboxFilter all;
    all.limit = 1000;
    auto entries = inbox->list(all);
    BRIDGE_REQUIRE_OK(entries);
    for (const auto& e : entries.value()) {
      if (e.record.besked_identifier == besked && e.record.recipient_type == to.type &&
          e.record.recipient_code == to.code) {
        return e;
      }
    }
    BOOST_FAIL("no inbox row for " << besked);
    return {};
  }

  json outcome(const std::string& besked, const bridge::wsb::Organisation& to = kJobcenter) {
    const std::string text = entry(besked, to).pipeline.outcome;
    BOOST_REQUIRE_MESSAGE(!text.empty(), "no outcome for " << besked);
    return json::parse(text);
  }

  int run() {
    auto n = pipeline->run_once();
    BRIDGE_REQUIRE_OK(n);
    return n.value();
  }

  // Everything on the consumer's main queue, per operation, in queue order (opens a sequence).
  std::map<std::string, std::vector<std::string>> queued(const std::string& consumer_id) {
    const Consumer* c = consumers.by_id(consumer_id);
    BOOST_REQUIRE(c != nullptr);
    auto seq = queue->create_sequence(*c, "");
    BRIDGE_REQUIRE_OK(seq);
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& line : seq.value().inventory) {
      auto items = queue->items(*c, seq.value().identifier, line.operation);
      BRIDGE_REQUIRE_OK(items);
      out[line.operation] = items.value();
    }
    // Back to the queue in their order, so a later call sees them again.
    BRIDGE_REQUIRE_OK(queue->close_sequence(*c, seq.value().identifier));
    return out;
  }

  std::size_t queued_count(const std::string& consumer_id) {
    std::size_t n = 0;
    for (const auto& [op, items] : queued(consumer_id)) n += items.size();
    return n;
  }

  bridge::test::TempDir dir;
  bridge::ManualClock clock{bridge::from_epoch_ms(1700000000000)};
  bridge::Metrics metrics;
  FakeClient dfdg;
  ConsumerRegistry consumers{test_consumers()};
  bridge::wsb::Rules rules;
  bridge::pipeline::Settings settings;
  std::unique_ptr<bridge::store::sqlite::SqliteStore> store;
  std::unique_ptr<bridge::store::sqlite::SqliteInbox> inbox;
  std::unique_ptr<WsrmQueue> queue;
  std::unique_ptr<Pipeline> pipeline;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The text of the first element named `name` (attributes such as xmlns allowed, no prefix), or
// "" when absent.
std::string element(const std::string& xml, const std::string& name) {
  const std::string open = "<" + name;
  std::size_t at = 0;
  while ((at = xml.find(open, at)) != std::string::npos) {
    at += open.size();
    if (at < xml.size() && (xml[at] == '>' || xml[at] == ' ')) {
      const std::size_t start = xml.find('>', at) + 1;
      return xml.substr(start, xml.find('<', start) - start);
    }
  }
  return "";
}

std::int64_t ms(std::chrono::system_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

struct QuietLogs {
  QuietLogs() { spdlog::set_level(spdlog::level::off); }
};
BOOST_TEST_GLOBAL_FIXTURE(QuietLogs);

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline)

BOOST_AUTO_TEST_CASE(seed_create_by_jobcenter_is_queued_for_the_jobcenter_with_event) {
  Fixture f;
  const Wsb w{guid(1, "b1b1b1b1"), guid(1)};
  f.dfdg.script(w.indkaldelse, {found(indkaldelse_json(w.indkaldelse, 7))});
  f.receive(w);

  BOOST_TEST(f.run() == 1);
  BOOST_TEST(f.dfdg.calls(w.indkaldelse) == 1);
  BOOST_TEST(f.dfdg.last_cpr() == kCpr);
  const InboxEntry e = f.entry(w.besked);
  BOOST_TEST(e.pipeline.stage == "queued");
  BOOST_TEST(e.pipeline.attempts == 0);
  BOOST_TEST(e.pipeline.last_error == "");
  const json out = f.outcome(w.besked);
  BOOST_TEST(out["rule"] == "indkaldelse.toml#jobcenter-egne");
  BOOST_TEST(out["deliveries"].size() == 2u);
  BOOST_TEST(out["new_rows"] == 2);
  BOOST_TEST(out["snapshot"]["http_status"] == 200);

  auto q = f.queued("jc-kerteminde");
  BOOST_TEST(q.size() == 2u);
  BOOST_TEST_REQUIRE(q[kIndkaldelse].size() == 1u);
  BOOST_TEST_REQUIRE(q[kHaendelse].size() == 1u);
  const std::string& item = q[kIndkaldelse][0];
  BOOST_TEST(element(item, "PersonCivilRegistrationIdentifier") == kCpr);
  BOOST_TEST(element(item, "IndkaldelseIdentifier") == w.indkaldelse);
  BOOST_TEST(element(item, "IndkaldelseStatusTypeIdentifier") == "1");
  BOOST_TEST(element(item, "InterviewTypeIdentifier") == "7");
  BOOST_TEST(contains(item, "Hans Schacksvej"));
  BOOST_TEST(contains(item, "Jobcenter Kerteminde, mødelokale 2"));
  BOOST_TEST(element(item, "MessageIdentifier") ==
             out["deliveries"][0]["message_identifier"].get<std::string>());
  const std::string& event = q[kHaendelse][0];
  BOOST_TEST(element(event, "PersonCivilRegistrationIdentifier") == kCpr);
  BOOST_TEST(element(event, "IndkaldelseIdentifier") == w.indkaldelse);
  BOOST_TEST(element(event, "InterviewTypeIdentifier") == "7");
  BOOST_TEST(element(event, "MessageIdentifier") != element(item, "MessageIdentifier"));
  BOOST_TEST(f.queued_count("akasse-5105") == 0u);
}

BOOST_AUTO_TEST_CASE(akasse_type_7_pushed_to_jobcenter_is_skipped_with_the_rule) {
  Fixture f;
  Wsb w{guid(2, "b2b2b2b2"), guid(2)};
  w.registrant_type = 9;
  w.registrant_code = "5105";
  f.dfdg.script(w.indkaldelse, {found(indkaldelse_json(w.indkaldelse, 7, 9))});
  f.receive(w);

  BOOST_TEST(f.run() == 1);
  BOOST_TEST(f.entry(w.besked).pipeline.stage == "skipped");
  const json out = f.outcome(w.besked);
  BOOST_TEST(out["rule"] == "indkaldelse.toml#jobcenter-akasse-egne-sendes-ikke");
  BOOST_TEST(!out.value("sentence", std::string()).empty());
  BOOST_TEST(f.queued_count("jc-kerteminde") == 0u);
  BOOST_TEST(f.queued_count("akasse-5105") == 0u);
}

BOOST_AUTO_TEST_CASE(joint_interview_17_goes_to_both) {
  Fixture f;
  const Wsb w{guid(3, "b3b3b3b3"), guid(3)};
  f.dfdg.script(w.indkaldelse, {found(indkaldelse_json(w.indkaldelse, 17))});
  f.receive(w, kJobcenter);
  f.receive(w, kAkasseOrg);

  BOOST_TEST(f.run() == 2);
  BOOST_TEST(f.entry(w.besked, kJobcenter).pipeline.stage == "queued");
  BOOST_TEST(f.entry(w.besked, kAkasseOrg).pipeline.stage == "queued");
  BOOST_TEST(f.outcome(w.besked, kJobcenter)["rule"] == "indkaldelse.toml#jobcenter-egne");
  BOOST_TEST(f.outcome(w.besked, kAkasseOrg)["rule"] == "indkaldelse.toml#akasse-faelles");

  auto jc = f.queued("jc-kerteminde");
  BOOST_TEST(jc[kIndkaldelse].size() == 1u);
  BOOST_TEST(jc[kHaendelse].size() == 1u);
  auto ak = f.queued("akasse-5105");
  BOOST_TEST(ak.size() == 1u);
  BOOST_TEST_REQUIRE(ak[kAkasse].size() == 1u);
  BOOST_TEST(element(ak[kAkasse][0], "IndkaldelseIdentifier") == w.indkaldelse);
  BOOST_TEST(element(ak[kAkasse][0], "InterviewTypeIdentifier") == "17");
  // One BeskedIdentifier, two consumers: two different MessageIdentifiers.
  BOOST_TEST(element(ak[kAkasse][0], "MessageIdentifier") !=
             element(jc[kIndkaldelse][0], "MessageIdentifier"));
}

BOOST_AUTO_TEST_CASE(transient_dfdg_errors_retry_with_backoff_then_park_after_max_attempts) {
  Fixture f;  // max_attempts 3, retry_initial 1 s, retry_max 8 s
  const Wsb w{guid(4, "b4b4b4b4"), guid(4)};
  f.dfdg.script(w.indkaldelse, {transient()});
  f.receive(w);

  // Attempt 1: back-off in [0.5 s, 1 s].
  BOOST_TEST(f.run() == 1);
  InboxEntry e = f.entry(w.besked);
  BOOST_TEST(e.pipeline.stage == "received");
  BOOST_TEST(e.pipeline.attempts == 1);
  BOOST_TEST(contains(e.pipeline.last_error, "HTTP 503"));
  BOOST_TEST(ms(e.pipeline.next_attempt_at - f.clock.now()) >= 500);
  BOOST_TEST(ms(e.pipeline.next_attempt_at - f.clock.now()) <= 1000);

  // Not due yet: nothing happens.
  f.clock.advance(400ms);
  BOOST_TEST(f.run() == 0);
  BOOST_TEST(f.dfdg.calls(w.indkaldelse) == 1);

  // Attempt 2: the ceiling doubled, back-off in [1 s, 2 s].
  f.clock.advance(600ms);
  BOOST_TEST(f.run() == 1);
  e = f.entry(w.besked);
  BOOST_TEST(f.dfdg.calls(w.indkaldelse) == 2);
  BOOST_TEST(e.pipeline.stage == "received");
  BOOST_TEST(e.pipeline.attempts == 2);
  BOOST_TEST(ms(e.pipeline.next_attempt_at - f.clock.now()) >= 1000);
  BOOST_TEST(ms(e.pipeline.next_attempt_at - f.clock.now()) <= 2000);

  // Attempt 3 = max_attempts: parked, never tried again.
  f.clock.advance(2000ms);
  BOOST_TEST(f.run() == 1);
  e = f.entry(w.besked);
  BOOST_TEST(e.pipeline.stage == "parked");
  BOOST_TEST(e.pipeline.attempts == 3);
  BOOST_TEST(contains(e.pipeline.last_error, "HTTP 503"));
  f.clock.advance(1h);
  BOOST_TEST(f.run() == 0);
  BOOST_TEST(f.dfdg.calls(w.indkaldelse) == 3);

  // A later message about another indkaldelse goes through.
  const Wsb other{guid(41, "b4b4b4b4"), guid(41)};
  f.dfdg.script(other.indkaldelse, {found(indkaldelse_json(other.indkaldelse, 7))});
  f.receive(other);
  BOOST_TEST(f.run() == 1);
  BOOST_TEST(f.entry(other.besked).pipeline.stage == "queued");
  BOOST_TEST(f.entry(w.besked).pipeline.stage == "parked");
  BOOST_TEST(f.queued("jc-kerteminde")[kIndkaldelse].size() == 1u);
}

BOOST_AUTO_TEST_CASE(permanent_dfdg_error_parks_at_once) {
  Fixture f;
  const Wsb w{guid(5, "b5b5b5b5"), guid(5)};
  f.dfdg.script(w.indkaldelse, {permanent()});
  f.receive(w);

  BOOST_TEST(f.run() == 1);
  const InboxEntry e = f.entry(w.besked);
  BOOST_TEST(e.pipeline.stage == "parked");
  BOOST_TEST(e.pipeline.attempts == 1);
  BOOST_TEST(contains(e.pipeline.last_error, "HTTP 400"));
  f.clock.advance(1h);
  BOOST_TEST(f.run() == 0);
  BOOST_TEST(f.dfdg.calls(w.indkaldelse) == 1);
  BOOST_TEST(f.queued_count("jc-kerteminde") == 0u);
}

BOOST_AUTO_TEST_CASE(delete_with_404_uses_the_last_snapshot_with_status_3) {
  Fixture f;
  const std::string id = guid(6);
  const Wsb create{guid(6, "b6b6b6b6"), id};
  Wsb del{guid(61, "b6b6b6b6"), id};
  del.aendringstype = 3;
  f.dfdg.script(id, {found(indkaldelse_json(id, 7)), not_visible()});
  f.receive(create);
  f.receive(del);

  BOOST_TEST(f.run() == 2);
  BOOST_TEST(f.dfdg.calls(id) == 2);
  BOOST_TEST(f.entry(del.besked).pipeline.stage == "queued");
  const json out = f.outcome(del.besked);
  BOOST_TEST(out["snapshot"]["http_status"] == 404);
  BOOST_TEST(contains(out.value("indkaldelse_source", std::string()), "delete patch"));

  auto q = f.queued("jc-kerteminde");
  BOOST_TEST_REQUIRE(q[kIndkaldelse].size() == 2u);
  BOOST_TEST(element(q[kIndkaldelse][0], "IndkaldelseStatusTypeIdentifier") == "1");
  const std::string& deleted = q[kIndkaldelse][1];
  BOOST_TEST(element(deleted, "MessageIdentifier") ==
             out["deliveries"][0]["message_identifier"].get<std::string>());
  BOOST_TEST(element(deleted, "IndkaldelseStatusTypeIdentifier") == "3");
  // The rest of the indkaldelse comes from the last snapshot.
  BOOST_TEST(contains(deleted, "Hans Schacksvej"));
  BOOST_TEST(element(deleted, "InterviewTypeIdentifier") == "7");
}

BOOST_AUTO_TEST_CASE(delete_with_404_and_no_snapshot_is_quarantined_no_snapshot) {
  Fixture f;
  Wsb del{guid(7, "b7b7b7b7"), guid(7)};
  del.aendringstype = 3;
  f.dfdg.script(del.indkaldelse, {not_visible()});
  f.receive(del);

  BOOST_TEST(f.run() == 1);
  const InboxEntry e = f.entry(del.besked);
  BOOST_TEST(e.pipeline.stage == "quarantined");
  BOOST_TEST(e.record.status == "quarantined");
  BOOST_TEST(e.record.reason == "no_snapshot");
  BOOST_TEST(contains(e.record.detail, del.indkaldelse));
  BOOST_TEST(f.queued_count("jc-kerteminde") == 0u);
  f.clock.advance(1h);
  BOOST_TEST(f.run() == 0);
}

BOOST_AUTO_TEST_CASE(update_not_visible_is_skipped) {
  Fixture f;
  BOOST_TEST_REQUIRE(loaded().policy->not_visible == "skip");
  Wsb upd{guid(8, "b8b8b8b8"), guid(8)};
  upd.aendringstype = 2;
  f.dfdg.script(upd.indkaldelse, {not_visible()});
  f.receive(upd);

  BOOST_TEST(f.run() == 1);
  const InboxEntry e = f.entry(upd.besked);
  BOOST_TEST(e.pipeline.stage == "skipped");
  BOOST_TEST(e.record.status == "accepted");
  const json out = f.outcome(upd.besked);
  BOOST_TEST(out["snapshot"]["visibility"] == "not_visible");
  BOOST_TEST(contains(out.value("reason", std::string()), "404"));
  BOOST_TEST(f.queued_count("jc-kerteminde") == 0u);
}

BOOST_AUTO_TEST_CASE(undecidable_route_is_quarantined_unroutable) {
  Fixture f;
  const Wsb w{guid(9, "b9b9b9b9"), guid(9)};
  f.dfdg.script(w.indkaldelse, {found(indkaldelse_json(w.indkaldelse, 7))});
  f.receive(w, kOtherOrg);  // organisation type 2: no role, no rule

  BOOST_TEST(f.run() == 1);
  const InboxEntry e = f.entry(w.besked, kOtherOrg);
  BOOST_TEST(e.pipeline.stage == "quarantined");
  BOOST_TEST(e.record.status == "quarantined");
  BOOST_TEST(e.record.reason == "unroutable");
  BOOST_TEST(!e.record.detail.empty());
  BOOST_TEST(f.queued_count("jc-kerteminde") == 0u);
  BOOST_TEST(f.queued_count("akasse-5105") == 0u);
}

BOOST_AUTO_TEST_CASE(reprocessing_is_idempotent) {
  Fixture f;
  const Wsb w{guid(10, "bababab0"), guid(10)};
  f.dfdg.script(w.indkaldelse, {found(indkaldelse_json(w.indkaldelse, 7))});
  const std::int64_t id = f.receive(w);
  BOOST_TEST(f.run() == 1);
  const json first = f.outcome(w.besked);
  BOOST_TEST(first["new_rows"] == 2);

  bridge::store::PipelineState again;  // stage received, as after `inbox requeue`
  BRIDGE_REQUIRE_OK(f.inbox->set_pipeline(id, again));
  BOOST_TEST(f.run() == 1);
  BOOST_TEST(f.dfdg.calls(w.indkaldelse) == 2);
  BOOST_TEST(f.entry(w.besked).pipeline.stage == "queued");
  const json second = f.outcome(w.besked);
  BOOST_TEST(second["new_rows"] == 0);
  BOOST_TEST(second["deliveries"] == first["deliveries"]);

  auto q = f.queued("jc-kerteminde");
  BOOST_TEST_REQUIRE(q[kIndkaldelse].size() == 1u);
  BOOST_TEST(q[kHaendelse].size() == 1u);
  BOOST_TEST(element(q[kIndkaldelse][0], "MessageIdentifier") ==
             first["deliveries"][0]["message_identifier"].get<std::string>());
}

BOOST_AUTO_TEST_CASE(restart_resumes_from_enriched_without_a_second_get) {
  Fixture f;
  const Wsb w{guid(11, "bbbbbbb1"), guid(11)};
  f.dfdg.script(w.indkaldelse, {found(indkaldelse_json(w.indkaldelse, 7))});
  f.receive(w);

  {
    // A first process whose queue does not know the consumer: enriched, then the queue fails.
    ConsumerRegistry nobody{std::vector<Consumer>{}};
    WsrmQueue broken(*f.store, nobody, f.clock, {});
    auto first = f.make_pipeline(broken);
    auto n = first->run_once();
    BRIDGE_REQUIRE_OK(n);
    BOOST_TEST(n.value() == 1);
  }
  InboxEntry e = f.entry(w.besked);
  BOOST_TEST(e.pipeline.stage == "enriched");
  BOOST_TEST(e.pipeline.attempts == 1);
  BOOST_TEST(contains(e.pipeline.last_error, "jc-kerteminde"));
  BOOST_TEST(f.dfdg.calls(w.indkaldelse) == 1);
  auto snap = f.inbox->snapshot_for(e.id);
  BRIDGE_REQUIRE_OK(snap);
  BOOST_TEST_REQUIRE(snap.value().has_value());
  BOOST_TEST(snap.value()->visibility == "found");

  // The DFDG is down now; the restarted pipeline must not need it.
  f.dfdg.script(w.indkaldelse, {permanent()});
  f.pipeline = f.make_pipeline(*f.queue);
  f.clock.advance(1min);
  BOOST_TEST(f.run() == 1);
  BOOST_TEST(f.dfdg.calls(w.indkaldelse) == 1);
  e = f.entry(w.besked);
  BOOST_TEST(e.pipeline.stage == "queued");
  BOOST_TEST(e.pipeline.attempts == 0);
  BOOST_TEST(e.pipeline.last_error == "");
  auto q = f.queued("jc-kerteminde");
  BOOST_TEST_REQUIRE(q[kIndkaldelse].size() == 1u);
  BOOST_TEST(contains(q[kIndkaldelse][0], "Hans Schacksvej"));
}

BOOST_AUTO_TEST_CASE(messages_about_one_indkaldelse_keep_their_order) {
  Fixture f;
  const std::string id = guid(12);
  const Wsb create{guid(12, "bcbcbcbc"), id};
  Wsb update{guid(121, "bcbcbcbc"), id};
  update.aendringstype = 2;
  json changed = indkaldelse_json(id, 7);
  changed["titel"] = "Flyttet jobsamtale";
  f.dfdg.script(id, {transient(), found(indkaldelse_json(id, 7)), found(changed)});
  f.receive(create);
  f.receive(update);

  // The create fails; the update waits behind it (it is not even fetched).
  BOOST_TEST(f.run() == 1);
  BOOST_TEST(f.dfdg.calls(id) == 1);
  BOOST_TEST(f.entry(create.besked).pipeline.attempts == 1);
  BOOST_TEST(f.entry(update.besked).pipeline.stage == "received");
  BOOST_TEST(f.entry(update.besked).pipeline.attempts == 0);
  BOOST_TEST(f.queued_count("jc-kerteminde") == 0u);

  f.clock.advance(1min);
  BOOST_TEST(f.run() == 2);
  BOOST_TEST(f.dfdg.calls(id) == 3);
  BOOST_TEST(f.entry(create.besked).pipeline.stage == "queued");
  BOOST_TEST(f.entry(update.besked).pipeline.stage == "queued");
  auto q = f.queued("jc-kerteminde");
  BOOST_TEST_REQUIRE(q[kIndkaldelse].size() == 2u);
  BOOST_TEST(element(q[kIndkaldelse][0], "MessageIdentifier") ==
             f.outcome(create.besked)["deliveries"][0]["message_identifier"].get<std::string>());
  BOOST_TEST(element(q[kIndkaldelse][1], "MessageIdentifier") ==
             f.outcome(update.besked)["deliveries"][0]["message_identifier"].get<std::string>());
  BOOST_TEST(!contains(q[kIndkaldelse][0], "Flyttet jobsamtale"));
  BOOST_TEST(contains(q[kIndkaldelse][1], "Flyttet jobsamtale"));
}

BOOST_AUTO_TEST_CASE(threaded_workers_queue_everything_then_stop) {
  Fixture f;
  f.pipeline->start();
  std::vector<Wsb> sent;
  for (int i = 0; i < 20; ++i) {
    // Ten indkaldelser, two messages each: the second about one waits for the first.
    Wsb w{guid(100 + i, "bdbdbdbd"), guid(200 + i % 10)};
    w.aendringstype = i < 10 ? 1 : 2;
    f.dfdg.script(w.indkaldelse, {found(indkaldelse_json(w.indkaldelse, 7))});
    f.receive(w);
    f.pipeline->wake();
    sent.push_back(w);
  }
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  bool all_queued = false;
  while (!all_queued && std::chrono::steady_clock::now() < deadline) {
    bridge::store::InboxFilter queued_only;
    queued_only.stage = "queued";
    queued_only.limit = 1000;
    auto l = f.inbox->list(queued_only);
    BRIDGE_REQUIRE_OK(l);
    all_queued = l.value().size() == sent.size();
    if (!all_queued) std::this_thread::sleep_for(5ms);
  }
  f.pipeline->stop();
  BOOST_TEST_REQUIRE(all_queued);
  BOOST_TEST(f.dfdg.total_calls() == 20);
  auto q = f.queued("jc-kerteminde");
  BOOST_TEST(q[kIndkaldelse].size() == 20u);
  BOOST_TEST(q[kHaendelse].size() == 20u);
  // Per indkaldelse, the create is on the queue before the update.
  for (int i = 0; i < 10; ++i) {
    const std::string create_id =
        f.outcome(sent[i].besked)["deliveries"][0]["message_identifier"].get<std::string>();
    const std::string update_id =
        f.outcome(sent[i + 10].besked)["deliveries"][0]["message_identifier"].get<std::string>();
    std::ptrdiff_t create_at = -1, update_at = -1;
    for (std::size_t k = 0; k < q[kIndkaldelse].size(); ++k) {
      const std::string mid = element(q[kIndkaldelse][k], "MessageIdentifier");
      if (mid == create_id) create_at = static_cast<std::ptrdiff_t>(k);
      if (mid == update_id) update_at = static_cast<std::ptrdiff_t>(k);
    }
    BOOST_TEST(create_at >= 0);
    BOOST_TEST(create_at < update_at);
  }
}

BOOST_AUTO_TEST_SUITE_END()
