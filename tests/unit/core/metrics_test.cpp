// Tests bridge/core/metrics.cpp.
#include "bridge/core/metrics.h"

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(metrics)

namespace {
bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_CASE(render_counts_requests_per_operation_label) {
  bridge::Metrics m;
  m.count_request("CreateSequence");
  m.count_request("CreateSequence");
  m.count_request("GetIndkaldelseVersion1");
  const std::string out = m.render_counters();
  BOOST_TEST_INFO(out);
  BOOST_TEST(has_line(out, R"(wsrm_bridge_soap_requests_total{operation="CreateSequence"} 2)"));
  BOOST_TEST(
      has_line(out, R"(wsrm_bridge_soap_requests_total{operation="GetIndkaldelseVersion1"} 1)"));
}

BOOST_AUTO_TEST_CASE(render_counts_faults_per_operation_and_code) {
  bridge::Metrics m;
  m.count_fault("GetIndkaldelseVersion1", 2001);
  m.count_fault("GetIndkaldelseVersion1", 2001);
  m.count_fault("GetIndkaldelseVersion1", 1013);
  m.count_fault("TerminateSequence", 2001);
  const std::string out = m.render_counters();
  BOOST_TEST_INFO(out);
  BOOST_TEST(has_line(
      out, R"(wsrm_bridge_soap_faults_total{operation="GetIndkaldelseVersion1",code="2001"} 2)"));
  BOOST_TEST(has_line(
      out, R"(wsrm_bridge_soap_faults_total{operation="GetIndkaldelseVersion1",code="1013"} 1)"));
  BOOST_TEST(has_line(
      out, R"(wsrm_bridge_soap_faults_total{operation="TerminateSequence",code="2001"} 1)"));
}

BOOST_AUTO_TEST_CASE(render_counts_connection_errors_per_reason) {
  bridge::Metrics m;
  m.count_connection_error("timeout");
  m.count_connection_error("size_limit");
  m.count_connection_error("timeout");
  const std::string out = m.render_counters();
  BOOST_TEST_INFO(out);
  BOOST_TEST(has_line(out, R"(wsrm_bridge_connection_errors_total{reason="timeout"} 2)"));
  BOOST_TEST(has_line(out, R"(wsrm_bridge_connection_errors_total{reason="size_limit"} 1)"));
}

BOOST_AUTO_TEST_CASE(render_declares_every_family_as_a_counter_even_before_any_count) {
  const std::string out = bridge::Metrics{}.render_counters();
  for (const char* family : {"wsrm_bridge_soap_requests_total", "wsrm_bridge_soap_faults_total",
                             "wsrm_bridge_connection_errors_total"}) {
    BOOST_TEST_CONTEXT(family) {
      BOOST_TEST(out.find(std::string("# HELP ") + family + " ") != std::string::npos);
      BOOST_TEST(has_line(out, std::string("# TYPE ") + family + " counter"));
    }
  }
  // No samples without counts.
  BOOST_TEST(out.find("{") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(label_values_escape_quotes_backslashes_and_newlines) {
  BOOST_TEST(bridge::prometheus_label(R"(a"b\c)") == R"(a\"b\\c)");
  BOOST_TEST(bridge::prometheus_label("two\nlines") == R"(two\nlines)");
  BOOST_TEST(bridge::prometheus_label("plain") == "plain");

  bridge::Metrics m;
  m.count_request("Evil\"} 999\n");
  const std::string out = m.render_counters();
  BOOST_TEST_INFO(out);
  BOOST_TEST(has_line(out, R"(wsrm_bridge_soap_requests_total{operation="Evil\"} 999\n"} 1)"));
}

BOOST_AUTO_TEST_SUITE_END()
