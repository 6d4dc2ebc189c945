#include "bridge/sim/resource_store.h"

#include "tests/unit/sim/sim_fixtures.h"

#include <boost/test/unit_test.hpp>

#include <thread>

namespace bridge::sim {
namespace {

using std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(resource_store)

BOOST_AUTO_TEST_CASE(an_unknown_indkaldelse_is_404_and_counted) {
  ResourceStore store;
  const RestAnswer a = store.get("74255320-82ea-4074-8533-4469e6fb77d0", "1111111111");
  BOOST_TEST(a.status == 404);
  BOOST_TEST(Json::parse(a.body)["error"] == "not found");
  BOOST_TEST(store.gets("74255320-82ea-4074-8533-4469e6fb77D0") == 1);  // ids ignore case
  BOOST_TEST(store.status()["indkaldelser"].begin().value()["state"] == "unknown");
}

BOOST_AUTO_TEST_CASE(the_current_state_is_served_only_to_its_citizen) {
  const Scenario s = test::load_fixture("create.json");
  ResourceStore store;
  store.apply(s.steps[0]);
  const RestAnswer a = store.get(s.steps[0].indkaldelse, "1111111111");
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body == s.steps[0].resource.dump());
  BOOST_TEST(store.get(s.steps[0].indkaldelse, "2222222222").status == 404);
  BOOST_TEST(store.gets(s.steps[0].indkaldelse) == 2);
}

BOOST_AUTO_TEST_CASE(each_step_replaces_the_state_and_adds_a_history_row) {
  const Scenario s = test::load_fixture("update.json");
  ResourceStore store;
  const std::string& id = s.steps[0].indkaldelse;
  const std::string& cpr = s.steps[0].cpr;
  store.apply(s.steps[0]);
  BOOST_TEST(Json::parse(store.history(id, cpr).body).size() == 1u);
  store.apply(s.steps[1]);
  BOOST_TEST(store.get(id, cpr).body == s.steps[1].resource.dump());
  const Json rows = Json::parse(store.history(id, cpr).body);
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  BOOST_TEST(rows[0] == s.steps[0].resource);
  BOOST_TEST(rows[1] == s.steps[1].resource);
  BOOST_TEST(Json::parse(store.history_of_citizen(cpr).body).size() == 2u);
  BOOST_TEST(Json::parse(store.history_of_citizen("2222222222").body).empty());
}

BOOST_AUTO_TEST_CASE(a_deleted_indkaldelse_is_404_but_keeps_its_history) {
  const Scenario s = test::load_fixture("delete.json");
  ResourceStore store;
  store.apply(s.steps[0]);
  store.apply(s.steps[1]);
  BOOST_TEST(store.get(s.steps[1].indkaldelse, s.steps[1].cpr).status == 404);
  BOOST_TEST(store.history(s.steps[1].indkaldelse, s.steps[1].cpr).status == 200);
}

BOOST_AUTO_TEST_CASE(a_hidden_step_is_404_until_a_visible_step_follows) {
  const Scenario s = test::load_fixture("hidden_update.json");
  ResourceStore store;
  const std::string& id = s.steps[0].indkaldelse;
  const std::string& cpr = s.steps[0].cpr;
  store.apply(s.steps[0]);
  BOOST_TEST(store.get(id, cpr).status == 200);
  store.apply(s.steps[1]);
  BOOST_TEST(store.get(id, cpr).status == 404);
  BOOST_TEST(store.history(id, cpr).status == 404);
  store.apply(s.steps[2]);
  BOOST_TEST(store.get(id, cpr).status == 200);
}

BOOST_AUTO_TEST_CASE(after_a_cpr_change_only_the_new_cpr_sees_the_indkaldelse) {
  const Scenario s = test::load_fixture("cpr_change.json");
  ResourceStore store;
  const std::string& id = s.steps[0].indkaldelse;
  store.apply(s.steps[0]);
  BOOST_TEST(store.get(id, s.steps[0].cpr).status == 200);
  store.apply(s.steps[1]);
  BOOST_TEST(s.steps[1].cpr != s.steps[0].cpr);
  BOOST_TEST(store.get(id, s.steps[0].cpr).status == 404);
  BOOST_TEST(store.get(id, s.steps[1].cpr).status == 200);
}

BOOST_AUTO_TEST_CASE(waiting_for_gets_returns_when_the_count_is_reached) {
  ResourceStore store;
  StopFlag stop;
  const std::string id = "74255320-82ea-4074-8533-4469e6fb77d0";
  BOOST_TEST(!store.wait_for_gets(id, 1, milliseconds(30), stop));
  std::thread fetcher([&] {
    std::this_thread::sleep_for(milliseconds(20));
    store.get(id, "1111111111");
  });
  BOOST_TEST(store.wait_for_gets(id, 1, milliseconds(5000), stop));
  fetcher.join();
  BOOST_TEST(store.wait_for_gets(id, 1, milliseconds(0), stop));
}

BOOST_AUTO_TEST_CASE(waiting_for_gets_ends_on_a_stop_request) {
  ResourceStore store;
  StopFlag stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(20));
    stop.request();
  });
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(
      !store.wait_for_gets("74255320-82ea-4074-8533-4469e6fb77d0", 1, milliseconds(10000), stop));
  stopper.join();
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace bridge::sim
