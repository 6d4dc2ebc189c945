#include "bridge/shadow/recorder.h"

#include <utility>

namespace bridge::shadow {
namespace {

std::string fault_text(const Fault& fault) {
  return "fault " + fault.code.value_or("(no WSRM code)") + ": " + fault.string;
}

std::string line_text(const LogLine& line) {
  char number[32];
  std::snprintf(number, sizeof number, "%06lld", static_cast<long long>(line.n));
  std::string text =
      std::string(number) + " " + line.call + " sequence=" + line.sequence.value_or("-");
  if (line.inventory) {
    std::string inventory;
    for (const auto& [operation, count] : *line.inventory) {
      inventory += (inventory.empty() ? "" : ",") + operation + ":" + std::to_string(count);
    }
    text += " inventory=" + (inventory.empty() ? std::string("empty") : inventory);
  }
  if (line.items) text += " items=" + std::to_string(*line.items);
  text += " http=" + std::to_string(line.http_status);
  if (line.fault) text += " fault=" + line.fault->code.value_or("?");
  return text;
}

}  // namespace

Recorder::Recorder(RecorderOptions options, Recording& recording, SoapTransport& transport,
                   const Clock& clock, const StopSignal& stop, std::FILE* out, std::FILE* err)
    : options_(std::move(options)),
      recording_(recording),
      transport_(transport),
      clock_(clock),
      stop_(stop),
      out_(out),
      err_(err) {}

Recorder::Outcome Recorder::call(const std::string& call_name, const std::string& url,
                                 const std::string& envelope,
                                 const std::optional<std::string>& sequence) {
  Outcome outcome;
  const std::string at = format_utc_ms(clock_.now());
  HttpAnswer answer = transport_.post(url, soap_action(call_name), envelope);
  if (!answer.answered) {
    outcome.failure = call_name + " to " + url + ": " + answer.error;
    return outcome;
  }
  outcome.reading = read_response(call_name, answer.body);
  const Reading& r = outcome.reading;
  LogLine line;
  line.at = at;
  line.call = call_name;
  line.sequence = call_name == kCreateSequence ? r.identifier : sequence;
  line.http_status = answer.status;
  line.items = r.items;
  line.inventory = r.inventory;
  line.fault = r.fault;
  auto committed = recording_.append(std::move(line), answer.body);
  if (!committed) {
    outcome.failure =
        call_name + " to " + url + ": answered, but not recorded: " + committed.error().message;
    return outcome;
  }
  std::fprintf(out_, "%s\n", line_text(committed.value()).c_str());
  std::fflush(out_);
  const std::string status = "HTTP " + std::to_string(answer.status);
  if (r.fault) {
    outcome.failure = call_name + " to " + url + ": " + status + ", " + fault_text(*r.fault);
  } else if (answer.status != 200) {
    outcome.failure = call_name + " to " + url + ": " + status;
  } else if (!r.problem.empty()) {
    outcome.failure = call_name + " to " + url + ": " + status + ", " + r.problem;
  } else {
    outcome.ok = true;
  }
  return outcome;
}

std::string Recorder::endpoint_for(const std::string& service_endpoint) const {
  if (!service_endpoint.empty()) return service_endpoint;
  return options_.url + "/11/WsrmMessageService.svc";
}

void Recorder::close_best_effort(const std::string& sequence) {
  // Closing gives the messages back at once; if it fails they come back when the sequence
  // expires. Either way nothing was acknowledged.
  const Outcome close =
      call(kCloseSequence, options_.url + "/WsrmService.svc",
           end_sequence_envelope(options_.organisation, kCloseSequence, sequence), sequence);
  if (close.ok) {
    ++summary_.closed;
  } else {
    std::fprintf(err_,
                 "wsrm-bridge shadow: warning: %s (the sequence stays open until it "
                 "expires; its messages come again then)\n",
                 close.failure.c_str());
  }
}

// A run killed after TerminateSequence was sent but before its line was written would leave a
// fully recorded sequence that the reader never counts, while the service considers it
// delivered. So the last sequence, if every Get… of it is recorded and no TerminateSequence or
// CloseSequence line follows, is terminated first (terminating twice is a success).
bool Recorder::resume_pending_terminate() {
  const std::vector<LogLine>& lines = recording_.lines();
  std::size_t create = lines.size();
  for (std::size_t i = lines.size(); i-- > 0;) {
    if (lines[i].call == kCreateSequence && lines[i].successful() && lines[i].sequence &&
        lines[i].inventory) {
      create = i;
      break;
    }
  }
  if (create == lines.size() || lines[create].inventory->empty()) return true;
  const std::string sequence = *lines[create].sequence;
  for (std::size_t i = create + 1; i < lines.size(); ++i) {
    if (lines[i].sequence == sequence &&
        (lines[i].call == kCloseSequence ||
         (lines[i].call == kTerminateSequence && lines[i].successful()))) {
      return true;
    }
  }
  for (const auto& [operation, count] : *lines[create].inventory) {
    bool recorded = false;
    for (std::size_t i = create + 1; i < lines.size() && !recorded; ++i) {
      recorded = lines[i].call == operation && lines[i].sequence == sequence &&
                 lines[i].successful() && lines[i].items.has_value();
    }
    if (!recorded) return true;  // the next CreateSequence hands the messages out again
  }
  std::fprintf(err_,
               "wsrm-bridge shadow: resuming: sequence %s is fully recorded but its "
               "TerminateSequence is not; terminating it now\n",
               sequence.c_str());
  const Outcome terminate =
      call(kTerminateSequence, options_.url + "/WsrmService.svc",
           end_sequence_envelope(options_.organisation, kTerminateSequence, sequence), sequence);
  if (terminate.ok) return true;
  if (terminate.reading.fault) {
    // E.g. 2001: the sequence expired or was closed, so its messages are queued again.
    std::fprintf(err_, "wsrm-bridge shadow: warning: %s; its messages come again\n",
                 terminate.failure.c_str());
    return true;
  }
  std::fprintf(err_, "wsrm-bridge shadow: %s\n", terminate.failure.c_str());
  return false;
}

int Recorder::record_sequence() {
  const std::string service = options_.url + "/WsrmService.svc";
  const Outcome create =
      call(kCreateSequence, service,
           create_sequence_envelope(options_.organisation, options_.sub_queue), std::nullopt);
  if (!create.ok) {
    std::fprintf(err_, "wsrm-bridge shadow: %s\n", create.failure.c_str());
    return 1;
  }
  ++summary_.sequences;
  const std::string sequence = *create.reading.identifier;
  std::int64_t announced = 0;
  std::map<std::string, std::int64_t> received;
  for (const ServiceItem& item : create.reading.service_items) {
    announced += item.count;
    if (stop_.stopped()) {
      close_best_effort(sequence);
      return 0;
    }
    const std::string url = endpoint_for(item.endpoint);
    const Outcome get =
        call(item.name, url, get_envelope(options_.organisation, item.name, sequence), sequence);
    if (!get.ok) {
      std::fprintf(err_, "wsrm-bridge shadow: %s\n", get.failure.c_str());
      close_best_effort(sequence);
      return 1;
    }
    if (*get.reading.items != item.count) {
      std::fprintf(err_,
                   "wsrm-bridge shadow: warning: %s of sequence %s: the inventory announced "
                   "%lld, the response has %lld items\n",
                   item.name.c_str(), sequence.c_str(), static_cast<long long>(item.count),
                   static_cast<long long>(*get.reading.items));
    }
    received[item.name] = *get.reading.items;
  }
  // Every Get… is committed: only now may the messages be acknowledged.
  const Outcome terminate =
      call(kTerminateSequence, service,
           end_sequence_envelope(options_.organisation, kTerminateSequence, sequence), sequence);
  if (!terminate.ok) {
    // Not closed: the next run finds the sequence fully recorded and terminates it.
    std::fprintf(err_, "wsrm-bridge shadow: %s\n", terminate.failure.c_str());
    return 1;
  }
  ++summary_.terminated;
  for (const auto& [operation, count] : received) summary_.messages[operation] += count;
  last_was_empty_ = announced == 0;
  if (last_was_empty_) ++summary_.empty;
  return -1;
}

void Recorder::print_summary() {
  std::string messages;
  for (const auto& [operation, count] : summary_.messages) {
    messages += (messages.empty() ? "" : ", ") + operation + " " + std::to_string(count);
  }
  std::fprintf(out_,
               "summary: %d sequences (%d terminated, %d of them empty, %d closed); messages "
               "recorded: %s; recording %s\n",
               summary_.sequences, summary_.terminated, summary_.empty, summary_.closed,
               messages.empty() ? "none" : messages.c_str(), recording_.dir().c_str());
  std::fflush(out_);
}

int Recorder::run() {
  int rc = 0;
  if (!resume_pending_terminate()) {
    rc = 1;
  } else {
    for (;;) {
      if (stop_.stopped()) break;
      if (options_.max_sequences > 0 && summary_.sequences >= options_.max_sequences) break;
      const int result = record_sequence();
      if (result >= 0) {
        rc = result;
        break;
      }
      if (last_was_empty_) {
        if (!options_.follow) break;
        if (stop_.wait_for(std::chrono::seconds(options_.interval_s))) break;
      }
    }
  }
  print_summary();
  return rc;
}

}  // namespace bridge::shadow
