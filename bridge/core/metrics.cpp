#include "bridge/core/metrics.h"

namespace bridge {

void Metrics::count_request(const std::string& operation) {
  std::lock_guard lock(mutex_);
  ++requests_[operation];
}

void Metrics::count_fault(const std::string& operation, int code) {
  std::lock_guard lock(mutex_);
  ++faults_[{operation, code}];
}

void Metrics::count_connection_error(const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++connection_errors_[reason];
}

void Metrics::count_wsb(const std::string& outcome, const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++wsb_[{outcome, reason}];
}

void Metrics::count_pipeline(const std::string& outcome, const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++pipeline_[{outcome, reason}];
}

void Metrics::set_codelist_unknown(const std::string& list, std::int64_t total) {
  std::lock_guard lock(mutex_);
  codelist_unknown_[list] = total;
}

std::string prometheus_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string Metrics::render_counters() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP wsrm_bridge_soap_requests_total SOAP requests received, by operation.\n";
  out += "# TYPE wsrm_bridge_soap_requests_total counter\n";
  for (const auto& [op, n] : requests_) {
    out += "wsrm_bridge_soap_requests_total{operation=\"" + prometheus_label(op) + "\"} " +
           std::to_string(n) + "\n";
  }
  out +=
      "# HELP wsrm_bridge_soap_faults_total SOAP faults sent, by operation and DFDG-style code.\n";
  out += "# TYPE wsrm_bridge_soap_faults_total counter\n";
  for (const auto& [key, n] : faults_) {
    out += "wsrm_bridge_soap_faults_total{operation=\"" + prometheus_label(key.first) +
           "\",code=\"" + std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP wsrm_bridge_connection_errors_total Connections dropped before a complete "
      "request (timeout, tls, accept, exception).\n";
  out += "# TYPE wsrm_bridge_connection_errors_total counter\n";
  for (const auto& [reason, n] : connection_errors_) {
    out += "wsrm_bridge_connection_errors_total{reason=\"" + prometheus_label(reason) + "\"} " +
           std::to_string(n) + "\n";
  }
  out +=
      "# HELP wsrm_bridge_wsb_received_total WSB messages received (webhook and ingest), by "
      "outcome and reason.\n";
  out += "# TYPE wsrm_bridge_wsb_received_total counter\n";
  for (const auto& [key, n] : wsb_) {
    out += "wsrm_bridge_wsb_received_total{outcome=\"" + prometheus_label(key.first) +
           "\",reason=\"" + prometheus_label(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP wsrm_bridge_pipeline_total Pipeline steps (enrich, map, route, queue), by outcome "
      "and reason.\n";
  out += "# TYPE wsrm_bridge_pipeline_total counter\n";
  for (const auto& [key, n] : pipeline_) {
    out += "wsrm_bridge_pipeline_total{outcome=\"" + prometheus_label(key.first) + "\",reason=\"" +
           prometheus_label(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP wsrm_bridge_codelist_unknown_total Codes a code list did not know, passed through "
      "unchanged, by list.\n";
  out += "# TYPE wsrm_bridge_codelist_unknown_total counter\n";
  for (const auto& [list, n] : codelist_unknown_) {
    out += "wsrm_bridge_codelist_unknown_total{list=\"" + prometheus_label(list) + "\"} " +
           std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace bridge
