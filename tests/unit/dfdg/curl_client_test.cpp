// Tests bridge/dfdg/curl_client.cpp against a real HTTP server on 127.0.0.1 (scripted_server.h):
// the request it sends (contract.md §4.2), visibility (domain.md §4.4), retry with back-off and
// the error codes. Sleeps are injected and recorded, so no test waits for a back-off and no
// assertion depends on timing. This file also defines the unit_dfdg test module.
#define BOOST_TEST_MODULE unit_dfdg
#include "bridge/dfdg/client.h"
#include "tests/unit/dfdg/scripted_server.h"
#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>
#include <spdlog/spdlog.h>
#include <stdlib.h>  // unsetenv (POSIX)

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using bridge::ErrorDomain;
using bridge::dfdg::ClientOptions;
using bridge::dfdg::CurlClient;
using bridge::dfdg::DfdgErrc;
using bridge::dfdg::Visibility;
using bridge::dfdg::test::Fd;
using bridge::dfdg::test::Reply;
using bridge::dfdg::test::ScriptedServer;
using std::chrono::milliseconds;

const std::string kCpr = "0101701234";
const std::string kId = "3f0e7c1a-54a7-4f3b-9b81-dd2661e45600";
const std::string kObject =
    R"({"indkaldelseId":"3f0e7c1a-54a7-4f3b-9b81-dd2661e45600","status":1})";

// Retries log warnings; and libcurl honours proxy variables, which would send the requests for
// 127.0.0.1 elsewhere. Runs before any thread starts.
struct HermeticProcess {
  HermeticProcess() {
    spdlog::set_level(spdlog::level::err);
    for (const char* name :
         {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
      ::unsetenv(name);
    }
  }
};
BOOST_TEST_GLOBAL_FIXTURE(HermeticProcess);

// Records the waits the client asks for instead of sleeping.
class RecordedSleeps {
 public:
  bridge::dfdg::SleepFunction function() {
    return [this](milliseconds d) {
      const std::lock_guard<std::mutex> lock(mutex_);
      waits_.push_back(d);
    };
  }
  std::vector<milliseconds> waits() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return waits_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<milliseconds> waits_;
};

ClientOptions options_for(const std::string& base_url) {
  ClientOptions o;
  o.base_url = base_url + "/api/";
  o.connect_timeout_ms = 2000;
  o.request_timeout_ms = 10000;
  o.max_attempts = 4;
  o.backoff_initial_ms = 100;
  o.backoff_max_ms = 1000;
  o.jitter_seed = 42;
  return o;
}

std::unique_ptr<CurlClient> make_client(const ClientOptions& options, RecordedSleeps& sleeps) {
  auto created = CurlClient::create(options, sleeps.function());
  BRIDGE_REQUIRE_OK(created);
  return std::move(created).value();
}

// The error message names the URL, the status and the attempt count, and never the CPR.
void check_message(const bridge::Error& error, const std::string& url, const std::string& status,
                   const std::string& attempts) {
  BOOST_TEST_INFO("message: " << error.message);
  BOOST_TEST(error.message.find(url) != std::string::npos);
  BOOST_TEST(error.message.find(status) != std::string::npos);
  BOOST_TEST(error.message.find(attempts) != std::string::npos);
  BOOST_TEST(error.message.find(kCpr) == std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(curl_client)

BOOST_AUTO_TEST_CASE(found_sends_cpr_header_bearer_token_and_escaped_id_in_the_path) {
  ScriptedServer server({Reply::answer(200, kObject)});
  RecordedSleeps sleeps;
  ClientOptions options = options_for(server.base_url());
  options.bearer_token = "t0ken";
  options.indkaldelse_path = "v1/Indkaldelse/{indkaldelseId}";  // no leading '/' is fine too
  auto client = make_client(options, sleeps);

  auto got = client->get_indkaldelse("a b/c?d#ø", kCpr);
  BRIDGE_REQUIRE_OK(got);
  const auto& snapshot = got.value();
  BOOST_TEST((snapshot.visibility == Visibility::found));
  BOOST_TEST(snapshot.http_status == 200);
  BOOST_TEST(snapshot.attempts == 1);
  BOOST_TEST(snapshot.body == kObject);
  BOOST_TEST(snapshot.json["status"] == 1);
  BOOST_TEST(snapshot.url == server.base_url() + "/api/v1/Indkaldelse/a%20b%2Fc%3Fd%23%C3%B8");

  const auto requests = server.requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  const auto& r = requests[0];
  BOOST_TEST(r.method == "GET");
  BOOST_TEST(r.target == "/api/v1/Indkaldelse/a%20b%2Fc%3Fd%23%C3%B8");
  BOOST_TEST(r.target.find(kCpr) == std::string::npos);
  BOOST_TEST(r.count("x-civilregistrationIdentifier") == 1);
  BOOST_TEST(r.header("x-civilregistrationIdentifier").value_or("") == kCpr);
  BOOST_TEST(r.header("Accept").value_or("") == "application/json");
  BOOST_TEST(r.header("Authorization").value_or("") == "Bearer t0ken");
  BOOST_TEST(sleeps.waits().empty());
}

BOOST_AUTO_TEST_CASE(without_a_bearer_token_no_authorization_header_is_sent) {
  ScriptedServer server({Reply::answer(200, kObject)});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_OK(got);
  const auto requests = server.requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].target == "/api/v1/Indkaldelse/" + kId);
  BOOST_TEST(requests[0].count("Authorization") == 0);
}

BOOST_AUTO_TEST_CASE(not_found_404_and_forbidden_403_are_not_visible_after_one_attempt) {
  for (const int status : {404, 403}) {
    BOOST_TEST_CONTEXT("status " << status) {
      ScriptedServer server({Reply::answer(status, R"({"title":"nope"})"), Reply::answer(200)});
      RecordedSleeps sleeps;
      auto client = make_client(options_for(server.base_url()), sleeps);
      auto got = client->get_indkaldelse(kId, kCpr);
      BRIDGE_REQUIRE_OK(got);
      BOOST_TEST((got.value().visibility == Visibility::not_visible));
      BOOST_TEST(got.value().http_status == status);
      BOOST_TEST(got.value().attempts == 1);
      BOOST_TEST(got.value().body.empty());
      BOOST_TEST(got.value().json.is_null());
      BOOST_TEST(server.requests().size() == 1u);
      BOOST_TEST(sleeps.waits().empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(empty_body_null_and_204_are_not_visible) {
  ScriptedServer server(
      {Reply::answer(200, ""), Reply::answer(200, " null\n"), Reply::answer(204)});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  for (const int status : {200, 200, 204}) {
    auto got = client->get_indkaldelse(kId, kCpr);
    BRIDGE_REQUIRE_OK(got);
    BOOST_TEST((got.value().visibility == Visibility::not_visible));
    BOOST_TEST(got.value().http_status == status);
    BOOST_TEST(got.value().attempts == 1);
  }
  BOOST_TEST(server.requests().size() == 3u);
}

BOOST_AUTO_TEST_CASE(bad_request_400_is_permanent_without_retry) {
  ScriptedServer server({Reply::answer(400, R"({"detail":"0101701234 is odd"})")});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_ERROR(got, ErrorDomain::dfdg, DfdgErrc::permanent);
  check_message(got.error(), server.base_url() + "/api/v1/Indkaldelse/" + kId, "HTTP 400",
                "1 attempt");
  BOOST_TEST(server.requests().size() == 1u);
  BOOST_TEST(sleeps.waits().empty());
}

BOOST_AUTO_TEST_CASE(redirect_is_not_followed_and_is_permanent) {
  // Location points back at the same server: following it would show as a second request.
  Reply redirect = Reply::answer(302);
  redirect.headers.emplace_back("Location", "/elsewhere");
  ScriptedServer server({redirect, Reply::answer(200, kObject)});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_ERROR(got, ErrorDomain::dfdg, DfdgErrc::permanent);
  BOOST_TEST(got.error().message.find("HTTP 302") != std::string::npos, got.error().message);
  BOOST_TEST(server.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(two_503_then_200_is_found_after_three_attempts_within_growing_bounds) {
  ScriptedServer server(
      {Reply::answer(503, "busy"), Reply::answer(503, "busy"), Reply::answer(200, kObject)});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_OK(got);
  BOOST_TEST((got.value().visibility == Visibility::found));
  BOOST_TEST(got.value().attempts == 3);
  BOOST_TEST(got.value().http_status == 200);
  BOOST_TEST(server.requests().size() == 3u);
  // Full jitter: the wait before retry n is drawn from [0, 100 ms * 2^n].
  const auto waits = sleeps.waits();
  BOOST_TEST_REQUIRE(waits.size() == 2u);
  BOOST_TEST(waits[0].count() >= 0);
  BOOST_TEST(waits[0].count() <= 100);
  BOOST_TEST(waits[1].count() >= 0);
  BOOST_TEST(waits[1].count() <= 200);
}

BOOST_AUTO_TEST_CASE(server_errors_on_every_attempt_are_transient_after_max_attempts) {
  ScriptedServer server({Reply::answer(500), Reply::answer(502), Reply::answer(503)});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_ERROR(got, ErrorDomain::dfdg, DfdgErrc::transient);
  check_message(got.error(), server.base_url() + "/api/v1/Indkaldelse/" + kId, "HTTP 503",
                "4 attempts");
  BOOST_TEST(server.requests().size() == 4u);
  const auto waits = sleeps.waits();
  BOOST_TEST_REQUIRE(waits.size() == 3u);  // none after the last attempt
  const long ceilings[] = {100, 200, 400};
  for (std::size_t i = 0; i < waits.size(); ++i) {
    BOOST_TEST(waits[i].count() >= 0);
    BOOST_TEST(waits[i].count() <= ceilings[i]);
  }
}

BOOST_AUTO_TEST_CASE(too_many_requests_429_is_retried) {
  ScriptedServer server({Reply::answer(429), Reply::answer(200, kObject)});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_OK(got);
  BOOST_TEST(got.value().attempts == 2);
  BOOST_TEST(sleeps.waits().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_times_out_and_is_transient) {
  ScriptedServer server({Reply::hang()});
  RecordedSleeps sleeps;
  ClientOptions options = options_for(server.base_url());
  options.request_timeout_ms = 200;
  options.max_attempts = 2;
  auto client = make_client(options, sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_ERROR(got, ErrorDomain::dfdg, DfdgErrc::transient);
  check_message(got.error(), server.base_url() + "/api/v1/Indkaldelse/" + kId, "no HTTP status",
                "2 attempts");
  BOOST_TEST(got.error().message.find("time-out") != std::string::npos, got.error().message);
  BOOST_TEST(server.requests().size() == 2u);
  BOOST_TEST(sleeps.waits().size() == 1u);
}

BOOST_AUTO_TEST_CASE(body_over_max_response_bytes_is_permanent_without_retry) {
  const std::string big = "{\"x\":\"" + std::string(100000, 'a') + "\"}";
  ScriptedServer server({Reply::answer(200, big)});
  RecordedSleeps sleeps;
  ClientOptions options = options_for(server.base_url());
  options.max_response_bytes = 1024;
  auto client = make_client(options, sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_ERROR(got, ErrorDomain::dfdg, DfdgErrc::permanent);
  check_message(got.error(), server.base_url() + "/api/v1/Indkaldelse/" + kId, "HTTP 200",
                "1 attempt");
  BOOST_TEST(got.error().message.find("max_response_bytes") != std::string::npos);
  BOOST_TEST(server.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_large_error_page_does_not_count_against_the_body_limit) {
  ScriptedServer server(
      {Reply::answer(503, std::string(100000, '<')), Reply::answer(200, kObject)});
  RecordedSleeps sleeps;
  ClientOptions options = options_for(server.base_url());
  options.max_response_bytes = 1024;
  auto client = make_client(options, sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_OK(got);
  BOOST_TEST((got.value().visibility == Visibility::found));
  BOOST_TEST(got.value().attempts == 2);
}

BOOST_AUTO_TEST_CASE(non_json_or_non_object_200_is_bad_response_without_retry) {
  for (const std::string body : {"<html>0101701234</html>", "[1,2]", "\"text\""}) {
    BOOST_TEST_CONTEXT("body " << body) {
      ScriptedServer server({Reply::answer(200, body)});
      RecordedSleeps sleeps;
      auto client = make_client(options_for(server.base_url()), sleeps);
      auto got = client->get_indkaldelse(kId, kCpr);
      BRIDGE_REQUIRE_ERROR(got, ErrorDomain::dfdg, DfdgErrc::bad_response);
      check_message(got.error(), server.base_url() + "/api/v1/Indkaldelse/" + kId, "HTTP 200",
                    "1 attempt");
      BOOST_TEST(server.requests().size() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(connection_refused_is_transient_after_all_attempts) {
  int port = 0;
  const Fd not_listening = bridge::dfdg::test::bound_loopback_socket(port);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  RecordedSleeps sleeps;
  ClientOptions options = options_for(base);
  options.max_attempts = 3;
  auto client = make_client(options, sleeps);
  auto got = client->get_indkaldelse(kId, kCpr);
  BRIDGE_REQUIRE_ERROR(got, ErrorDomain::dfdg, DfdgErrc::transient);
  check_message(got.error(), base + "/api/v1/Indkaldelse/" + kId, "no HTTP status", "3 attempts");
  BOOST_TEST(got.error().message.find("connection failed") != std::string::npos,
             got.error().message);
  BOOST_TEST(sleeps.waits().size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_empty_id_or_cpr_is_refused_without_a_request) {
  ScriptedServer server({Reply::answer(200, kObject)});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  auto no_id = client->get_indkaldelse("", kCpr);
  BRIDGE_REQUIRE_ERROR(no_id, ErrorDomain::dfdg, DfdgErrc::permanent);
  auto no_cpr = client->get_indkaldelse(kId, "");
  BRIDGE_REQUIRE_ERROR(no_cpr, ErrorDomain::dfdg, DfdgErrc::permanent);
  // A CR/LF in the CPR would otherwise add a header of the caller's choosing.
  auto injected = client->get_indkaldelse(kId, "0101701234\r\nX-Evil: 1");
  BRIDGE_REQUIRE_ERROR(injected, ErrorDomain::dfdg, DfdgErrc::permanent);
  BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(calls_from_several_threads_at_once_all_succeed) {
  ScriptedServer server({Reply::answer(200, kObject)});
  RecordedSleeps sleeps;
  auto client = make_client(options_for(server.base_url()), sleeps);
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto got = client->get_indkaldelse(kId, kCpr);
        if (got && got.value().visibility == Visibility::found) ++found;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  BOOST_TEST(found.load() == 20);
  BOOST_TEST(server.requests().size() == 20u);
}

BOOST_AUTO_TEST_SUITE_END()
