#pragma once
// The pipeline: workers move each accepted inbox message through enrich (REST snapshot) → route
// (sending rules) → map (tables) → queue (per consumer), storing the result of each step before
// the next, so a restart resumes where it stopped. Idempotent on (BeskedIdentifier, consumer,
// operation): the queue refuses a second copy, and MessageIdentifier is name-based. A message
// that keeps failing is parked with its error after max_attempts and never blocks the others;
// messages about one indkaldelse are processed in arrival order. See docs/pipeline.md.

#include "bridge/core/clock.h"
#include "bridge/core/metrics.h"
#include "bridge/core/result.h"
#include "bridge/dfdg/client.h"
#include "bridge/mapping/mapping.h"
#include "bridge/queue/queue.h"
#include "bridge/routing/routing.h"
#include "bridge/store/inbox.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace bridge::pipeline {

// Codes of ErrorDomain::pipeline.
enum class PipelineErrc { policy = 1 };

// mappings/pipeline.toml: what the pipeline reads from the snapshot and how it treats a GET
// that answers "not visible". Data, like the tables: no field is named in C++.
struct Policy {
  nlohmann::json::json_pointer samtaletype;  // where routing finds the samtaletype
  std::vector<int> delete_aendringstyper;    // AendringstypeId values that mean Delete
  nlohmann::json delete_patch;               // merged over the last visible snapshot
  std::string not_visible = "skip";          // otherwise: skip | quarantine

  static Result<Policy> load(const std::string& path);
  static Result<Policy> parse(const std::string& toml_text, const std::string& source_name);
};

struct Settings {
  int workers = 2;
  int max_attempts = 8;  // then parked
  std::chrono::milliseconds retry_initial{2000};
  std::chrono::milliseconds retry_max{10 * 60 * 1000};
  std::chrono::milliseconds poll_interval{250};
  int batch = 64;
};

struct Deps {
  store::InboxStore& inbox;
  queue::WsrmQueue& queue;
  const queue::ConsumerRegistry& consumers;
  dfdg::IndkaldelseClient& dfdg;
  const mapping::MappingSet& mappings;
  const routing::RoutingTable& routing;
  const Policy& policy;
  const Clock& clock;
  Metrics& metrics;
};

// Quarantine reasons the pipeline adds to the receiver's (wsb.h).
inline constexpr const char* kReasonUnroutable = "unroutable";   // the sending rules cannot decide
inline constexpr const char* kReasonNoSnapshot = "no_snapshot";  // a Delete with nothing to show
inline constexpr const char* kReasonNotVisible = "not_visible";  // when policy says quarantine
inline constexpr const char* kReasonNoConsumer = "unknown_recipient";

class Pipeline {
 public:
  Pipeline(Deps deps, Settings settings);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void start();  // feeder + workers
  void stop();   // finishes the messages in progress, then returns
  void wake();   // new work was committed

  // Processes everything due now on the calling thread (tests, one-shot runs); returns how many
  // messages were handled.
  Result<int> run_once();

  // One message, one step further (or to its end). Errors only when the store fails.
  Result<void> process(const store::InboxEntry& entry);

 private:
  Result<void> fail(const store::InboxEntry& entry, const std::string& error, bool retryable,
                    const std::string& reason);
  Result<void> finish(const store::InboxEntry& entry, const char* stage, nlohmann::json outcome);
  std::chrono::milliseconds backoff(int attempts);
  void feeder_loop();
  void worker_loop();
  void publish_codelist_counts();

  Deps deps_;
  Settings settings_;
  std::mutex mutex_;
  std::condition_variable work_ready_, wake_feeder_;
  std::deque<store::InboxEntry> ready_;
  std::set<std::int64_t> in_flight_;             // ids queued or being processed
  std::set<std::string> in_flight_indkaldelse_;  // their EksternIdentifiers
  std::set<std::int64_t> done_during_read_;      // finished while the feeder read the inbox
  bool stopping_ = false;
  bool woken_ = false;
  std::thread feeder_;
  std::vector<std::thread> workers_;
  std::mt19937_64 jitter_{std::random_device{}()};
};

}  // namespace bridge::pipeline
