#include "bridge/shadow/shadow_command.h"

#include "bridge/core/clock.h"
#include "bridge/shadow/options.h"
#include "bridge/shadow/recorder.h"
#include "bridge/shadow/recording.h"
#include "bridge/shadow/soap_transport.h"
#include "bridge/shadow/stop_signal.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>

#ifndef WSRM_BRIDGE_VERSION
#define WSRM_BRIDGE_VERSION "unknown"
#endif

namespace bridge::shadow {
namespace {

int fail(const Error& error) {
  std::fprintf(stderr, "wsrm-bridge shadow: %s\n", error.message.c_str());
  return error.code == static_cast<int>(ShadowErrc::stopped) ? 1 : 2;
}

int run_shadow(ShadowOptions options) {
  if (auto valid = validate_options(options); !valid) return fail(valid.error());
  const SystemClock clock;
  Manifest wanted;
  wanted.url = options.url;
  wanted.organisation = options.organisation;
  wanted.sub_queue = sub_queue_of(options);
  wanted.created_at = format_utc_ms(clock.now());
  wanted.tool = std::string("wsrm-bridge ") + WSRM_BRIDGE_VERSION + " shadow";
  std::vector<std::string> warnings;
  auto recording = Recording::open(options.out, wanted, warnings);
  for (const std::string& warning : warnings) {
    std::fprintf(stderr, "wsrm-bridge shadow: warning: %s\n", warning.c_str());
  }
  if (!recording) return fail(recording.error());

  TransportOptions transport_options;
  transport_options.request_timeout_ms = 1000L * options.timeout_s;
  transport_options.connect_timeout_ms = std::min(transport_options.request_timeout_ms, 10000L);
  transport_options.max_response_bytes = options.max_response_bytes;
  transport_options.client_certificate = options.cert;
  transport_options.client_key = options.key;
  transport_options.ca_file = options.ca;
  StopSignal stop;
  // Before libcurl starts any resolver thread, so that every thread has the signals blocked.
  const SignalWatcher watcher(stop);
  std::signal(SIGPIPE, SIG_IGN);
  auto transport = SoapTransport::create(transport_options);
  if (!transport) return fail(transport.error());

  RecorderOptions recorder_options;
  recorder_options.url = options.url;
  recorder_options.organisation = options.organisation;
  recorder_options.sub_queue = sub_queue_of(options);
  recorder_options.follow = options.follow;
  recorder_options.interval_s = options.interval_s;
  recorder_options.max_sequences = options.max_sequences;
  Recorder recorder(recorder_options, *recording.value(), *transport.value(), clock, stop, stdout,
                    stderr);
  return recorder.run();
}

}  // namespace

std::function<int()> add_shadow_command(CLI::App& app) {
  auto options = std::make_shared<ShadowOptions>();
  CLI::App* sub = app.add_subcommand(
      "shadow",
      "Record what a WsrmService endpoint (the legacy DFDG service, the bridge, or the "
      "simulator's legacy mode) hands a legacy consumer: CreateSequence, every Get… of the "
      "inventory, TerminateSequence, each raw response saved with its time into a recording "
      "directory for `wsrm-bridge compare` (docs/shadow.md). Resumable: run it again with the "
      "same --out. Exit codes: 0 ok, 1 an HTTP error, a fault or an unreachable endpoint "
      "stopped the run (the recording stays consistent), 2 usage or configuration error.");
  sub->add_option("--url", options->url,
                  "Service base URL, e.g. https://wsrm.example:443; CreateSequence, "
                  "TerminateSequence and CloseSequence go to URL/WsrmService.svc, each Get… to "
                  "the ServiceEndpoint of its inventory item (URL/11/WsrmMessageService.svc "
                  "when the item names none)")
      ->required();
  sub->add_option("--org", options->org,
                  "Acting organisation TYPE/CODE for ActiveOrganisationHeader, e.g. 8/44000")
      ->required();
  sub->add_option("--sub-queue", options->sub_queue,
                  "SubQueueIdentifier to drain (e.g. shadow), so that the production consumer "
                  "keeps all its messages; required unless --main-queue");
  sub->add_flag("--main-queue", options->main_queue,
                "Drain the consumer's main queue instead (no SubQueueIdentifier): this takes the "
                "messages away from the production consumer");
  sub->add_option("--out", options->out,
                  "Recording directory: created with recording.json when new or empty; an "
                  "existing recording of the same url, organisation and sub-queue is resumed "
                  "(appended to), one of another source is refused")
      ->required();
  CLI::Option* cert = sub->add_option(
      "--cert", options->cert, "Client certificate (PEM) for HTTPS, e.g. the FOCES certificate");
  sub->add_option("--key", options->key,
                  "Private key (PEM) of --cert; omit when it is in the --cert file")
      ->needs(cert);
  sub->add_option("--ca", options->ca,
                  "CA certificates (PEM) that verify the server; default: the system's CAs");
  CLI::Option* until_empty =
      sub->add_flag("--until-empty", options->until_empty,
                    "Stop when a CreateSequence returns an empty inventory (the default)");
  CLI::Option* follow = sub->add_flag(
      "--follow", options->follow,
      "Keep polling until SIGTERM/SIGINT: after an empty inventory wait --interval-s, then ask "
      "again");
  follow->excludes(until_empty);
  sub->add_option("--interval-s", options->interval_s,
                  "With --follow: seconds to wait after an empty inventory (default 10)")
      ->needs(follow);
  sub->add_option("--max-sequences", options->max_sequences,
                  "Stop after this many sequences in this run (default: no limit)");
  sub->add_option("--timeout-s", options->timeout_s,
                  "Time-out of each request in seconds, connecting included (default 30)");
  sub->add_option("--max-response-bytes", options->max_response_bytes,
                  "Largest response body accepted; a larger one stops the run (default 64 MiB)");
  sub->footer(
      "On SIGTERM/SIGINT the call in progress finishes; a sequence whose Get… calls are all "
      "recorded is terminated, otherwise it is closed so its messages come again. kill -9 is "
      "safe too: TerminateSequence is sent only after every Get… of the sequence is on disk.");
  return [options] { return run_shadow(*options); };
}

}  // namespace bridge::shadow
