#include "bridge/sim/rest_server.h"

#include "tests/unit/sim/sim_fixtures.h"

#include <boost/test/unit_test.hpp>

namespace bridge::sim {
namespace {

constexpr const char* kId = "3f0e7c1a-54a7-4f3b-9b81-dd2661e45600";
constexpr const char* kCpr = "1111111111";

soap::HttpRequest get(const std::string& target, const std::string& cpr = kCpr,
                      const std::string& authorization = "") {
  soap::HttpRequest r;
  r.method = "GET";
  r.target = target;
  r.version = "HTTP/1.1";
  if (!cpr.empty()) r.headers.emplace_back("X-CivilRegistrationIdentifier", cpr);
  if (!authorization.empty()) r.headers.emplace_back("Authorization", authorization);
  return r;
}

struct RestFixture {
  RestFixture() : ctx{store, RestOptions{}, soap::ReadLimits{}} {
    store.apply(test::load_fixture("create.json").steps.at(0));
  }
  RestAnswer answer(const soap::HttpRequest& r) { return handle_rest_request(r, ctx); }
  ResourceStore store;
  RestContext ctx;
};

BOOST_FIXTURE_TEST_SUITE(rest_server, RestFixture)

BOOST_AUTO_TEST_CASE(get_answers_the_resource_as_json) {
  const RestAnswer a = answer(get(std::string("/v1/Indkaldelse/") + kId));
  BOOST_TEST(a.status == 200);
  const Json body = Json::parse(a.body);
  BOOST_TEST(body["indkaldelseId"] == kId);
  BOOST_TEST(body["registreringsmetadata"]["registrerendeMyndighed"]["organisationKode"] ==
             "44000");
  BOOST_TEST(store.gets(kId) == 1);
}

BOOST_AUTO_TEST_CASE(the_cpr_header_is_required) {
  const RestAnswer a = answer(get(std::string("/v1/Indkaldelse/") + kId, ""));
  BOOST_TEST(a.status == 400);
  BOOST_TEST(Json::parse(a.body)["reason"].get<std::string>().find(
                 "x-civilregistrationIdentifier") != std::string::npos);
  BOOST_TEST(answer(get(std::string("/v1/Indkaldelse/") + kId, "11111-1111")).status == 400);
  BOOST_TEST(store.gets(kId) == 0);  // refused before the look-up: not a fetch
}

BOOST_AUTO_TEST_CASE(another_cpr_or_an_unknown_id_is_404) {
  BOOST_TEST(answer(get(std::string("/v1/Indkaldelse/") + kId, "2222222222")).status == 404);
  BOOST_TEST(answer(get("/v1/Indkaldelse/74255320-82ea-4074-8533-4469e6fb77d0")).status == 404);
}

BOOST_AUTO_TEST_CASE(history_paths_in_both_spellings) {
  const RestAnswer a = answer(get(std::string("/v1/Indkaldelse/historik/") + kId));
  BOOST_TEST(a.status == 200);
  BOOST_TEST(Json::parse(a.body).is_array());
  BOOST_TEST(answer(get(std::string("/v1/indkaldelse/") + kId + "/historik")).status == 200);
  const RestAnswer all = answer(get("/v1/Indkaldelse/historik"));
  BOOST_TEST(all.status == 200);
  BOOST_TEST(Json::parse(all.body).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_query_string_is_ignored) {
  BOOST_TEST(answer(get(std::string("/v1/Indkaldelse/") + kId + "?x=1")).status == 200);
}

BOOST_AUTO_TEST_CASE(the_prefix_is_part_of_every_path) {
  ctx.options.prefix = "/kontaktforloeb";
  BOOST_TEST(answer(get(std::string("/kontaktforloeb/v1/Indkaldelse/") + kId)).status == 200);
  BOOST_TEST(answer(get(std::string("/v1/Indkaldelse/") + kId)).status == 404);
}

BOOST_AUTO_TEST_CASE(a_bearer_token_is_checked_when_configured) {
  ctx.options.bearer_token = "rest-secret";
  const std::string path = std::string("/v1/Indkaldelse/") + kId;
  const RestAnswer none = answer(get(path));
  BOOST_TEST(none.status == 401);
  BOOST_TEST(none.challenge);
  BOOST_TEST(answer(get(path, kCpr, "Bearer wrong")).status == 401);
  BOOST_TEST(answer(get(path, kCpr, "bearer rest-secret")).status == 200);
}

BOOST_AUTO_TEST_CASE(only_get_is_answered) {
  soap::HttpRequest r = get(std::string("/v1/Indkaldelse/") + kId);
  r.method = "POST";
  BOOST_TEST(answer(r).status == 405);
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_404_and_status_tells_the_counts) {
  BOOST_TEST(answer(get("/v2/Indkaldelse/x")).status == 404);
  BOOST_TEST(answer(get("/v1/Indkaldelse")).status == 404);
  answer(get(std::string("/v1/Indkaldelse/") + kId));
  const RestAnswer s = answer(get("/_sim/status", ""));
  BOOST_TEST(s.status == 200);
  BOOST_TEST(Json::parse(s.body)["indkaldelser"][kId]["gets"] == 1);
  BOOST_TEST(answer(get("/healthz", "")).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace bridge::sim
