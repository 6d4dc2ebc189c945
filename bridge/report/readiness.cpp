// The readiness rules (docs/report.md, "Readiness"): which consumer can be switched from the
// legacy WSRM service to the bridge, per operation, and each reason as a sentence.

#include "bridge/report/report.h"

#include <map>
#include <set>

namespace bridge::report {
namespace {

std::string run_name(const CompareRunFacts& r) {
  std::string s = "#" + std::to_string(r.id);
  if (!r.label.empty()) s += " \"" + r.label + "\"";
  return s + " of " + format_minute_utc(r.started_at_ms);
}

std::string list_of(const std::vector<std::string>& items, std::size_t max) {
  std::string s;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) s += (i ? ", " : "") + items[i];
  if (items.size() > max) s += " and " + std::to_string(items.size() - max) + " more";
  return s;
}

// Reasons that hold for every operation of a consumer's organisation's comparison.
void comparison_reasons(const ReportData& data, const std::string& org,
                        const CompareRunFacts* latest, const std::string& operation,
                        std::vector<Reason>& out) {
  if (latest == nullptr) {
    out.push_back({"stale_comparison", true,
                   "No comparison run has been stored for organisation " + org +
                       ", so nothing shows that the bridge sends what the legacy service sends "
                       "(run `wsrm-bridge compare … --bridge-store` for it)."});
    return;
  }
  const std::int64_t age = data.options.now_ms - latest->finished_at_ms;
  if (age > std::int64_t{data.options.stale_after_days} * 86400000) {
    out.push_back({"stale_comparison", true,
                   "The latest comparison run for organisation " + org + " (" + run_name(*latest) +
                       ") is " + format_duration(age) + " old, older than the " +
                       std::to_string(data.options.stale_after_days) +
                       " days a comparison counts for: compare again on recent traffic."});
  }
  if (!latest->readable) {
    if (!latest->passed) {
      out.push_back({"differences", true,
                     "The latest comparison run for organisation " + org + " (" +
                         run_name(*latest) +
                         ") failed, and its stored details cannot be read; run it again."});
    }
    return;
  }
  const OperationVerdict* v = nullptr;
  for (const auto& o : latest->operations) {
    if (o.operation == operation) v = &o;
  }
  if (v == nullptr || !v->present) {
    out.push_back({"not_compared", true,
                   "The latest comparison run for organisation " + org + " (" + run_name(*latest) +
                       ") had no " + operation +
                       " messages, so nothing shows that the bridge sends them correctly."});
  }
  if (v != nullptr && v->exceeded) {
    std::string s = "The latest comparison run for organisation " + org + " (" + run_name(*latest) +
                    ") failed for " + operation + ": ";
    if (v->present) {
      s += std::to_string(v->pairs_with_differences) + " of " + std::to_string(v->pairs) +
           " message pair(s) differ, " + std::to_string(v->legacy_only) +
           " message(s) only the legacy service sent and " + std::to_string(v->bridge_only) +
           " only the bridge sent";
    }
    if (!v->failed_fields.empty()) {
      s += std::string(v->present ? "; " : "") +
           "above the threshold: " + list_of(v->failed_fields, 5);
    }
    out.push_back({"differences", true, s + "."});
  }
}

void mapping_reasons(const Coverage& coverage, const std::string& operation,
                     std::vector<Reason>& out) {
  if (!coverage.loaded) {
    out.push_back({"mapping_gap", true,
                   "The mapping tables could not be loaded, so the coverage of " + operation +
                       " is unknown."});
    return;
  }
  if (!coverage.errors.empty()) {
    out.push_back({"mapping_gap", true,
                   "The mapping check reports " + std::to_string(coverage.errors.size()) +
                       " error(s) (first: " + coverage.errors.front() +
                       "); the bridge does not serve with broken tables."});
  }
  const CoverageOperation* op = nullptr;
  for (const auto& o : coverage.operations) {
    if (o.operation == operation) op = &o;
  }
  if (op == nullptr) {
    out.push_back({"mapping_gap", true,
                   "There is no mapping table for " + operation +
                       ", so the bridge cannot build these messages."});
    return;
  }
  if (op->gap > 0) {
    std::vector<std::string> paths;
    for (const auto& l : coverage.leaves) {
      if (l.operation == operation && l.coverage == "gap") paths.push_back(l.path);
    }
    out.push_back({"mapping_gap", true,
                   "The mapping table for " + operation + " leaves " + std::to_string(op->gap) +
                       " element(s) with neither a row nor a written reason (" + list_of(paths, 5) +
                       "): map them or state why they are not mapped."});
  }
}

}  // namespace

std::vector<ConsumerReadiness> assess_readiness(const ReportData& data) {
  std::map<std::string, const CompareRunFacts*> latest;
  for (const auto& r : data.runs) {
    if (r.latest) latest[r.organisation] = &r;
  }
  std::vector<ConsumerReadiness> out;
  for (const auto& c : data.consumers) {
    ConsumerReadiness cr;
    cr.consumer = c.id;
    std::vector<Reason> shared;  // reasons that hold for every operation of the consumer
    if (c.quarantined > 0) {
      std::vector<std::string> parts;
      for (const auto& r : c.quarantined_by_reason) {
        parts.push_back(std::to_string(r.count) + " " + (r.key.empty() ? "(no reason)" : r.key));
      }
      shared.push_back(
          {"quarantined", true,
           std::to_string(c.quarantined) + " message(s) for " + c.id +
               "'s organisation(s) are quarantined (" + list_of(parts, 5) +
               ") and were never delivered to it: resolve them (`wsrm-bridge inbox list "
               "--status quarantined`, then `inbox requeue`) before switching."});
    }
    for (const auto& op : c.message_types) {
      OperationReadiness r;
      r.consumer = c.id;
      r.operation = op;
      r.reasons = shared;
      for (const auto& org : c.organisations) {
        auto it = latest.find(org);
        comparison_reasons(data, org, it == latest.end() ? nullptr : it->second, op, r.reasons);
      }
      mapping_reasons(data.coverage, op, r.reasons);
      r.ready = r.reasons.empty();
      cr.operations.push_back(std::move(r));
    }
    std::set<std::string> seen;
    cr.ready = true;
    for (const auto& r : cr.operations) {
      cr.ready = cr.ready && r.ready;
      for (const auto& reason : r.reasons) {
        if (seen.insert(reason.sentence).second) cr.reasons.push_back(reason);
      }
    }
    if (cr.operations.empty()) {
      cr.ready = false;
      cr.reasons.push_back({"not_compared", true,
                            c.id + " is configured with no message types, so there is nothing "
                                   "to switch."});
    }
    if (!c.polls_bridge) {
      const std::string last = c.last_poll_ms ? "last poll " + format_minute_utc(*c.last_poll_ms)
                                              : "it has never polled the bridge";
      cr.reasons.push_back(
          {"legacy_polling", false,
           c.id + " has not polled the bridge's main queue in the last " +
               std::to_string(data.options.poll_window_hours) + " hours (" + last +
               "), so it still takes its messages from the legacy service: the legacy service "
               "cannot be switched off for it yet."});
    }
    cr.legacy_off = cr.ready && c.polls_bridge;
    out.push_back(std::move(cr));
  }
  return out;
}

}  // namespace bridge::report
