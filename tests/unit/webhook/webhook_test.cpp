#define BOOST_TEST_MODULE webhook
// Tests bridge/webhook/{inbox_writer,receiver,webhook_server}.cpp and the SQLite inbox they use.
#include "bridge/store/sqlite/sqlite_inbox.h"
#include "bridge/webhook/inbox_writer.h"
#include "bridge/webhook/receiver.h"
#include "bridge/webhook/webhook_server.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace {

using bridge::store::InboxOutcome;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BRIDGE_SOURCE_DIR) + "/tests/fixtures/wsb/" + name,
                   std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "missing fixture " << name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  Fixture() {
    auto opened = bridge::store::sqlite::SqliteInbox::open(dir.file("inbox.db"), 5000);
    BOOST_TEST_REQUIRE(opened.has_value());
    inbox = std::move(opened.value());
    writer = std::make_unique<bridge::webhook::InboxWriter>(*inbox);
    bridge::wsb::Rules rules;
    rules.recipients = {{8, "44000"}};
    ctx.reset(
        new bridge::webhook::WebhookContext{*writer, rules, "s3cret", {}, {}, metrics, clock, {}});
  }
  bridge::soap::HttpRequest post(const std::string& body, const std::string& path = "/wsb/8/44000",
                                 const std::string& content_type = "application/json",
                                 const std::string& token = "s3cret") {
    bridge::soap::HttpRequest r;
    r.method = "POST";
    r.target = path;
    r.version = "HTTP/1.1";
    r.headers = {{"Content-Type", content_type}};
    if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
    r.body = body;
    return r;
  }
  bridge::webhook::HttpAnswer answer(const bridge::soap::HttpRequest& r) {
    return bridge::webhook::handle_request(r, *ctx, "", "");
  }
  bridge::test::TempDir dir;
  bridge::Metrics metrics;
  bridge::ManualClock clock{bridge::from_epoch_ms(1700000000000)};
  std::unique_ptr<bridge::store::InboxStore> inbox;
  std::unique_ptr<bridge::webhook::InboxWriter> writer;
  std::unique_ptr<bridge::webhook::WebhookContext> ctx;
};

nlohmann::json json_of(const bridge::webhook::HttpAnswer& a) {
  return nlohmann::json::parse(a.body);
}

struct QuietLogs {
  QuietLogs() { spdlog::set_level(spdlog::level::warn); }
};
BOOST_TEST_GLOBAL_FIXTURE(QuietLogs);

}  // namespace

BOOST_AUTO_TEST_SUITE(webhook)

BOOST_AUTO_TEST_CASE(seed_example_is_stored_accepted_then_counted_as_duplicate) {
  Fixture f;
  const std::string seed = fixture("seed_header_and_body.json");
  auto first = f.answer(f.post(seed));
  BOOST_TEST(first.status == 200);
  BOOST_TEST(json_of(first)["outcome"] == "stored");
  BOOST_TEST(json_of(first)["status"] == "accepted");
  auto again = f.answer(f.post(seed + "\n"));  // a re-send with another line ending
  BOOST_TEST(again.status == 200);
  BOOST_TEST(json_of(again)["outcome"] == "duplicate");
  auto entries = f.inbox->list({});
  BOOST_TEST_REQUIRE(entries.has_value());
  BOOST_TEST_REQUIRE(entries.value().size() == 1u);
  BOOST_TEST(entries.value()[0].duplicates == 1);
  BOOST_TEST(entries.value()[0].record.raw == seed);
  BOOST_TEST(entries.value()[0].record.layout == "pair");
}

BOOST_AUTO_TEST_CASE(other_bytes_under_a_stored_besked_identifier_are_kept_as_a_conflict) {
  Fixture f;
  const std::string seed = fixture("seed_flat_with_body.json");
  BOOST_TEST(f.answer(f.post(seed)).status == 200);
  std::string changed = seed;
  changed.replace(changed.find("\"T3\""), 4, "\"T4\"");
  auto a = f.answer(f.post(changed));
  BOOST_TEST(a.status == 200);
  BOOST_TEST(json_of(a)["outcome"] == "conflict");
  auto c = f.inbox->counts();
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c.value().conflicts == 1);
  BOOST_TEST(c.value().accepted == 1);
}

BOOST_AUTO_TEST_CASE(unknown_recipient_is_stored_quarantined_and_answered_2xx) {
  Fixture f;
  auto a = f.answer(f.post(fixture("seed_flat_with_body.json"), "/wsb/8/99999"));
  BOOST_TEST(a.status == 200);
  BOOST_TEST(json_of(a)["status"] == "quarantined");
  BOOST_TEST(json_of(a)["reason"] == "unknown_recipient");
}

BOOST_AUTO_TEST_CASE(refusals_have_their_status_and_a_json_reason) {
  Fixture f;
  const std::string seed = fixture("seed_flat_with_body.json");
  struct Case {
    bridge::soap::HttpRequest request;
    int status;
  };
  auto get = f.post(seed);
  get.method = "GET";
  const std::vector<Case> cases = {
      {f.post(seed, "/wsb/8/44000", "application/json", ""), 401},
      {f.post(seed, "/wsb/8/44000", "application/json", "wrong"), 401},
      {f.post(seed, "/wsb/8/44000", "text/plain"), 415},
      {f.post(seed, "/other"), 404},
      {f.post(seed, "/wsb/101/44000"), 404},
      {f.post("this is not json"), 400},
      {get, 405},
  };
  for (const auto& c : cases) {
    auto a = f.answer(c.request);
    BOOST_TEST(a.status == c.status);
    const auto j = json_of(a);
    BOOST_TEST(j.contains("error"));
    BOOST_TEST(!j["reason"].get<std::string>().empty());
  }
  BOOST_TEST(f.inbox->list({}).value().empty());
}

BOOST_AUTO_TEST_CASE(json_that_is_not_a_wsb_document_is_stored_quarantined_not_refused) {
  Fixture f;
  for (const std::string& body : {std::string("\"just a string\""), std::string("[{}, {}, {}]")}) {
    auto a = f.answer(f.post(body));
    BOOST_TEST(a.status == 200);
    BOOST_TEST(json_of(a)["status"] == "quarantined");
    BOOST_TEST(json_of(a)["reason"] == "schema");
  }
  BOOST_TEST(f.inbox->list({"quarantined", "schema", 10, ""}).value().size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_bearer_scheme_is_matched_without_case) {
  Fixture f;
  auto request =
      f.post(fixture("seed_flat_with_body.json"), "/wsb/8/44000", "application/json", "");
  request.headers.emplace_back("Authorization", "bearer s3cret");
  BOOST_TEST(f.answer(request).status == 200);
}

BOOST_AUTO_TEST_CASE(an_allow_list_of_certificates_refuses_others_with_403) {
  Fixture f;
  f.ctx->certificate_fingerprints = {"aa:bb"};
  const auto request = f.post(fixture("seed_flat_with_body.json"));
  BOOST_TEST(bridge::webhook::handle_request(request, *f.ctx, "/CN=x", "ccdd").status == 403);
  BOOST_TEST(bridge::webhook::handle_request(request, *f.ctx, "/CN=x", "AABB").status == 200);
}

BOOST_AUTO_TEST_CASE(concurrent_submissions_are_all_stored_exactly_once) {
  Fixture f;
  const std::string seed = fixture("seed_flat_with_body.json");
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> stored{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string body = seed;
        const std::string id =
            "10000000-0000-4000-8000-" + std::to_string(100000000000 + t * 1000 + i);
        body.replace(body.find("xxxxxxxx-b4a7-44c7-9a30-8e89f52e575d"), 36, id);
        const auto a = f.answer(f.post(body));
        if (a.status == 200 && json_of(a)["outcome"] == "stored") ++stored;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(stored.load() == kThreads * kEach);
  BOOST_TEST(f.inbox->list({"", "", 100000, ""}).value().size() ==
             static_cast<std::size_t>(kThreads * kEach));
  BOOST_TEST(f.writer->batches() <= static_cast<std::uint64_t>(kThreads * kEach));
}

BOOST_AUTO_TEST_CASE(requeue_path_reclassifies_with_new_rules) {
  Fixture f;
  const std::string seed = fixture("seed_flat_with_body.json");
  bridge::wsb::Rules strict;
  strict.recipients = {{8, "44000"}};
  strict.miljoe_allowed = {"P"};
  auto quarantined =
      bridge::webhook::make_record(seed, {8, "44000"}, "test", strict, f.clock.now());
  BOOST_TEST_REQUIRE(quarantined.has_value());
  BOOST_TEST(quarantined.value().status == "quarantined");
  BOOST_TEST(quarantined.value().reason == "miljoe_mismatch");
  strict.miljoe_allowed.push_back("T3");
  auto accepted = bridge::webhook::make_record(seed, {8, "44000"}, "test", strict, f.clock.now());
  BOOST_TEST_REQUIRE(accepted.has_value());
  BOOST_TEST(accepted.value().status == "accepted");
  BOOST_TEST(accepted.value().sha256 == quarantined.value().sha256);
}

BOOST_AUTO_TEST_SUITE_END()
