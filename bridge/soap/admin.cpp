#include "bridge/soap/admin.h"

#include "bridge/core/log.h"
#include "bridge/soap/listener.h"
#include "bridge/soap/service_context.h"
#include "soapH.h"

#include <spdlog/spdlog.h>

#include <string_view>

namespace bridge::soap {
namespace {
std::string queue_labels(const store::ConsumerStats& c) {
  return "{consumer=\"" + prometheus_label(c.consumer) + "\",sub_queue=\"" +
         prometheus_label(c.sub_queue) + "\"}";
}
}  // namespace

int serve_contract_get(struct ::soap* soap) {
  const ServiceContext& ctx = context_of(soap);
  if (const ServedFile* f = ctx.contract.find(soap->path)) {
    return send_http_response(soap, 200, f->content_type.c_str(), f->body);
  }
  return send_http_response(soap, 404, "application/json",
                            "{\"error\":\"not found\",\"reason\":\"no contract file at this path; "
                            "try /WsrmService.svc?wsdl\"}\n");
}

std::string render_metrics(AdminContext& ctx) {
  std::string out = ctx.metrics.render_counters();
  auto stats = ctx.store.stats();
  if (!stats) {
    out += "# store unavailable: " + stats.error().message + "\n";
    out += "wsrm_bridge_store_up 0\n";
    return out;
  }
  out += "# HELP wsrm_bridge_store_up 1 when the store answered this scrape.\n";
  out += "# TYPE wsrm_bridge_store_up gauge\nwsrm_bridge_store_up 1\n";
  const auto& s = stats.value();
  out +=
      "# HELP wsrm_bridge_queue_depth Messages not yet delivered (queued or in an open "
      "sequence), by consumer.\n# TYPE wsrm_bridge_queue_depth gauge\n";
  for (const auto& c : s.consumers) {
    out += "wsrm_bridge_queue_depth" + queue_labels(c) + " " + std::to_string(c.pending) + "\n";
  }
  out +=
      "# HELP wsrm_bridge_queue_in_sequence Messages in an open sequence, by consumer.\n"
      "# TYPE wsrm_bridge_queue_in_sequence gauge\n";
  for (const auto& c : s.consumers) {
    out += "wsrm_bridge_queue_in_sequence" + queue_labels(c) + " " + std::to_string(c.in_sequence) +
           "\n";
  }
  out +=
      "# HELP wsrm_bridge_messages_delivered_total Messages delivered (sequence terminated), "
      "by consumer.\n# TYPE wsrm_bridge_messages_delivered_total counter\n";
  for (const auto& c : s.consumers) {
    out += "wsrm_bridge_messages_delivered_total" + queue_labels(c) + " " +
           std::to_string(c.delivered) + "\n";
  }
  out +=
      "# HELP wsrm_bridge_oldest_message_age_seconds Age of the oldest undelivered message, by "
      "consumer (0 when none).\n# TYPE wsrm_bridge_oldest_message_age_seconds gauge\n";
  const auto now = ctx.clock.now();
  for (const auto& c : s.consumers) {
    double age = 0;
    if (c.oldest_pending) {
      age = std::chrono::duration<double>(now - *c.oldest_pending).count();
      if (age < 0) age = 0;
    }
    out += "wsrm_bridge_oldest_message_age_seconds" + queue_labels(c) + " " + std::to_string(age) +
           "\n";
  }
  out +=
      "# HELP wsrm_bridge_sequences Sequences by state (open now; terminated, closed and "
      "expired since the store was created).\n# TYPE wsrm_bridge_sequences gauge\n";
  out += "wsrm_bridge_sequences{state=\"open\"} " + std::to_string(s.sequences_open) + "\n";
  out += "wsrm_bridge_sequences{state=\"terminated\"} " + std::to_string(s.sequences_terminated) +
         "\n";
  out += "wsrm_bridge_sequences{state=\"closed\"} " + std::to_string(s.sequences_closed) + "\n";
  out += "wsrm_bridge_sequences{state=\"expired\"} " + std::to_string(s.sequences_expired) + "\n";
  return out;
}

int serve_admin_get(struct ::soap* soap) {
  auto& ctx = *static_cast<AdminContext*>(soap->user);
  const std::string_view path = soap->path;
  if (path == "/healthz") {
    auto stats = ctx.store.stats();
    if (!stats) {
      return send_http_response(soap, 503, "application/json",
                                "{\"status\":\"unavailable\",\"reason\":\"store: " +
                                    json_escape(stats.error().message) + "\"}\n");
    }
    return send_http_response(soap, 200, "application/json", "{\"status\":\"ok\"}\n");
  }
  if (path == "/metrics") {
    return send_http_response(soap, 200, "text/plain; version=0.0.4", render_metrics(ctx));
  }
  return send_http_response(soap, 404, "application/json",
                            "{\"error\":\"not found\",\"reason\":\"the admin port serves /healthz "
                            "and /metrics\"}\n");
}

}  // namespace bridge::soap
