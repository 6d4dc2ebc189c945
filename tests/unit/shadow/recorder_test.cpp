// Tests bridge/shadow/recorder.cpp against a scripted HTTP server on 127.0.0.1: the order of the
// calls, what is recorded, and that nothing is terminated that was not recorded.
#include "bridge/shadow/recorder.h"

#include "soap_fixtures.h"
#include "temp_dir.h"
#include "tests/unit/dfdg/scripted_server.h"

#include <boost/test/unit_test.hpp>

#include <cstdio>

namespace {

namespace fs = std::filesystem;
namespace fx = bridge::shadow::test;
using bridge::dfdg::test::Reply;
using bridge::dfdg::test::ScriptedServer;
using bridge::shadow::Recorder;
using bridge::shadow::Recording;

constexpr const char* kSeq = "1a25015d-46a1-48a2-9203-8929ff2f1094";
constexpr const char* kGet = "GetIndkaldelseVersion1";

// Runs the recorder once against `server` into `dir` and keeps what it printed.
struct Run {
  Run(const ScriptedServer& server, const fs::path& dir, std::int64_t max_bytes = 1 << 20) {
    bridge::shadow::Manifest manifest;
    manifest.url = server.base_url();
    manifest.organisation = {8, "44000"};
    manifest.sub_queue = "shadow";
    std::vector<std::string> warnings;
    auto recording = Recording::open(dir, manifest, warnings);
    BOOST_REQUIRE_MESSAGE(recording, (recording ? "" : recording.error().message));
    bridge::shadow::TransportOptions transport_options;
    transport_options.request_timeout_ms = 5000;
    transport_options.max_response_bytes = max_bytes;
    auto transport = bridge::shadow::SoapTransport::create(transport_options);
    BOOST_REQUIRE(transport);
    bridge::shadow::RecorderOptions options;
    options.url = server.base_url();
    options.organisation = {8, "44000"};
    options.sub_queue = "shadow";
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    const bridge::SystemClock clock;
    const bridge::shadow::StopSignal stop;
    Recorder recorder(options, *recording.value(), *transport.value(), clock, stop, out, err);
    rc = recorder.run();
    summary = recorder.summary();
    lines = recording.value()->lines();
    stdout_text = slurp(out);
    stderr_text = slurp(err);
  }
  static std::string slurp(std::FILE* f) {
    std::rewind(f);
    std::string text;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
    std::fclose(f);
    return text;
  }
  int rc = -1;
  bridge::shadow::RunSummary summary;
  std::vector<bridge::shadow::LogLine> lines;
  std::string stdout_text;
  std::string stderr_text;
};

std::vector<std::string> calls(const std::vector<bridge::shadow::LogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.call);
  return out;
}

std::vector<std::string> actions(const ScriptedServer& server) {
  std::vector<std::string> out;
  for (const auto& r : server.requests()) {
    std::string action = r.header("SOAPAction").value_or("");
    if (action.size() >= 2 && action.front() == '"' && action.back() == '"') {
      action = action.substr(1, action.size() - 2);  // quoted, as WCF clients send it
    }
    out.push_back(action.substr(action.rfind('/') + 1));
  }
  return out;
}

using Calls = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(recorder)

BOOST_AUTO_TEST_CASE(records_create_each_get_terminate_and_stops_on_an_empty_inventory) {
  const fx::TempDir tmp;
  const ScriptedServer server({
      Reply::answer(200, fx::create_response(kSeq, {{kGet, "", 2}})),
      Reply::answer(200, fx::get_response(kGet, "IndkaldelseRegistration", 2)),
      Reply::answer(200, fx::end_response("TerminateSequence", kSeq)),
      Reply::answer(200, fx::create_response("empty-seq", {})),
      Reply::answer(200, fx::end_response("TerminateSequence", "empty-seq")),
  });
  const Run run(server, tmp.path());
  BOOST_TEST(run.rc == 0, run.stderr_text);
  BOOST_TEST(calls(run.lines) == (Calls{"CreateSequence", kGet, "TerminateSequence",
                                        "CreateSequence", "TerminateSequence"}));
  BOOST_TEST(*run.lines[1].items == 2);
  BOOST_TEST(*run.lines[1].sequence == kSeq);
  BOOST_TEST(*run.lines[3].sequence == "empty-seq");
  BOOST_TEST(run.lines[3].inventory->empty());
  // Without a ServiceEndpoint the Get… goes to URL/11/WsrmMessageService.svc.
  const auto requests = server.requests();
  BOOST_REQUIRE(requests.size() == 5u);
  BOOST_TEST(requests[0].target == "/WsrmService.svc");
  BOOST_TEST(requests[1].target == "/11/WsrmMessageService.svc");
  BOOST_TEST(*requests[1].header("SOAPAction") ==
             "\"http://service.bm.dk/pjaktass/wsrm/11/IWsrmMessageService/" + std::string(kGet) +
                 "\"");
  BOOST_TEST(requests[1].header("Content-Type")->find("text/xml") == 0u);
  BOOST_TEST(run.summary.terminated == 2);
  BOOST_TEST(run.summary.messages.at(kGet) == 2);
  BOOST_TEST(run.stdout_text.find("000002 GetIndkaldelseVersion1 sequence=" + std::string(kSeq) +
                                  " items=2 http=200\n") != std::string::npos);
  BOOST_TEST(run.stdout_text.find("summary: 2 sequences") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fault_on_a_get_is_recorded_the_sequence_closed_not_terminated_exit_1) {
  const fx::TempDir tmp;
  const ScriptedServer server({
      Reply::answer(200, fx::create_response(kSeq, {{kGet, "", 2}})),
      Reply::answer(500, fx::fault_response("2002", "Service temporarily unavailable")),
      Reply::answer(200, fx::end_response("CloseSequence", kSeq)),
  });
  const Run run(server, tmp.path());
  BOOST_TEST(run.rc == 1);
  BOOST_TEST(calls(run.lines) == (Calls{"CreateSequence", kGet, "CloseSequence"}));
  BOOST_TEST(actions(server) == (Calls{"CreateSequence", kGet, "CloseSequence"}));
  BOOST_REQUIRE(run.lines[1].fault.has_value());
  BOOST_TEST(*run.lines[1].fault->code == "2002");
  BOOST_TEST(run.lines[1].http_status == 500);
  BOOST_TEST(run.stderr_text.find(std::string(kGet) + " to " + server.base_url() +
                                  "/11/WsrmMessageService.svc: HTTP 500, fault 2002: Service "
                                  "temporarily unavailable") != std::string::npos,
             run.stderr_text);
  BOOST_TEST(run.summary.closed == 1);
}

BOOST_AUTO_TEST_CASE(http_error_page_is_recorded_and_stops_the_run) {
  const fx::TempDir tmp;
  const ScriptedServer server({Reply::answer(503, "<html>down</html>")});
  const Run run(server, tmp.path());
  BOOST_TEST(run.rc == 1);
  BOOST_REQUIRE(run.lines.size() == 1u);
  BOOST_TEST(run.lines[0].http_status == 503);
  BOOST_TEST(!run.lines[0].inventory.has_value());
  BOOST_TEST(fx::read_file(tmp.path() / run.lines[0].file) == "<html>down</html>");
  BOOST_TEST(run.stderr_text.find("CreateSequence to " + server.base_url() +
                                  "/WsrmService.svc: HTTP 503") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(response_over_the_limit_is_not_recorded_and_stops_the_run) {
  const fx::TempDir tmp;
  const ScriptedServer server({Reply::answer(200, std::string(4096, 'x'))});
  const Run run(server, tmp.path(), 1024);
  BOOST_TEST(run.rc == 1);
  BOOST_TEST(run.lines.empty());
  BOOST_TEST(run.stderr_text.find("--max-response-bytes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(resume_first_terminates_a_sequence_whose_gets_are_all_recorded) {
  const fx::TempDir tmp;
  // One server for both runs (each request is one scripted reply).
  const ScriptedServer server({
      Reply::answer(200, fx::create_response(kSeq, {{kGet, "", 1}})),
      Reply::answer(200, fx::get_response(kGet, "IndkaldelseRegistration", 1)),
      // The first run's TerminateSequence fails as if it had been killed before recording it.
      Reply::answer(503, "down"),
      Reply::answer(200, fx::end_response("TerminateSequence", kSeq)),
      Reply::answer(200, fx::create_response("empty-seq", {})),
      Reply::answer(200, fx::end_response("TerminateSequence", "empty-seq")),
  });
  {
    const Run first(server, tmp.path());
    BOOST_TEST(first.rc == 1);
    BOOST_TEST(calls(first.lines) == (Calls{"CreateSequence", kGet, "TerminateSequence"}));
  }
  const Run run(server, tmp.path());
  BOOST_TEST(run.rc == 0, run.stderr_text);
  BOOST_TEST(actions(server) ==
             (Calls{"CreateSequence", kGet, "TerminateSequence", "TerminateSequence",
                    "CreateSequence", "TerminateSequence"}));
  BOOST_REQUIRE(run.lines.size() == 6u);
  BOOST_TEST(*run.lines[3].sequence == kSeq);
  BOOST_TEST(run.lines[3].successful());
  BOOST_TEST(run.stderr_text.find("fully recorded") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(resume_does_not_terminate_a_sequence_with_a_get_missing) {
  const fx::TempDir tmp;
  const ScriptedServer server({
      Reply::answer(200, fx::create_response(
                             kSeq, {{kGet, "", 1}, {"GetIndkaldelseshaendelseVersion1", "", 1}})),
      Reply::answer(200, fx::get_response(kGet, "IndkaldelseRegistration", 1)),
      Reply::answer(503, "down"),  // the second Get…
      Reply::answer(503, "down"),  // the CloseSequence
      Reply::answer(200, fx::create_response("empty-seq", {})),
      Reply::answer(200, fx::end_response("TerminateSequence", "empty-seq")),
  });
  {
    const Run first(server, tmp.path());
    BOOST_TEST(first.rc == 1);
    BOOST_TEST(first.summary.closed == 0);
    BOOST_TEST(first.stderr_text.find("stays open until it expires") != std::string::npos);
  }
  const Run run(server, tmp.path());
  BOOST_TEST(run.rc == 0, run.stderr_text);
  BOOST_TEST(actions(server) == (Calls{"CreateSequence", kGet, "GetIndkaldelseshaendelseVersion1",
                                       "CloseSequence", "CreateSequence", "TerminateSequence"}));
}

BOOST_AUTO_TEST_SUITE_END()
