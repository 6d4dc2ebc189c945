#pragma once
// The legacy-consumer loop of `wsrm-bridge shadow`: CreateSequence, every Get… of the inventory,
// TerminateSequence, each response recorded before the next call (docs/shadow.md).
//
// Safety rule: TerminateSequence (which acknowledges the sequence's messages for good) is sent
// only after every Get… of the sequence is committed to the recording. Anything else that stops
// the run leaves the sequence open or closes it, so its messages come again.

#include "bridge/core/clock.h"
#include "bridge/shadow/options.h"
#include "bridge/shadow/recording.h"
#include "bridge/shadow/soap_messages.h"
#include "bridge/shadow/soap_transport.h"
#include "bridge/shadow/stop_signal.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>

namespace bridge::shadow {

struct RecorderOptions {
  std::string url;  // service base without a trailing '/'
  Organisation organisation;
  std::optional<std::string> sub_queue;
  bool follow = false;
  int interval_s = 10;
  int max_sequences = 0;  // 0: no limit
};

struct RunSummary {
  int sequences = 0;   // CreateSequence calls that opened a sequence
  int terminated = 0;  // of which terminated (empty ones included)
  int empty = 0;       // of which had an empty inventory
  int closed = 0;      // CloseSequence sent (stop or failure mid-sequence)
  std::map<std::string, std::int64_t> messages;  // items recorded per operation, terminated only
};

class Recorder {
 public:
  // `out` gets one line per call and the summary; `err` the reason a run stopped.
  Recorder(RecorderOptions options, Recording& recording, SoapTransport& transport,
           const Clock& clock, const StopSignal& stop, std::FILE* out, std::FILE* err);

  // Runs until the inventory is empty (or, with --follow, until stopped) and returns the exit
  // code: 0, or 1 when an HTTP error, a fault, an unreachable endpoint or a failed write
  // stopped the run.
  int run();
  const RunSummary& summary() const { return summary_; }

 private:
  struct Outcome {
    bool ok = false;  // a committed line with HTTP 200, no fault and the expected answer
    Reading reading;
    std::string failure;  // when not ok: the URL, the call and the code
  };

  Outcome call(const std::string& call_name, const std::string& url, const std::string& envelope,
               const std::optional<std::string>& sequence);
  bool resume_pending_terminate();
  int record_sequence();  // -1: go on; else the exit code
  void close_best_effort(const std::string& sequence);
  std::string endpoint_for(const std::string& service_endpoint) const;
  void print_summary();

  RecorderOptions options_;
  Recording& recording_;
  SoapTransport& transport_;
  const Clock& clock_;
  const StopSignal& stop_;
  std::FILE* out_;
  std::FILE* err_;
  RunSummary summary_;
  bool last_was_empty_ = false;
};

}  // namespace bridge::shadow
