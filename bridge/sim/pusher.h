#pragma once
// Pushing a WSB the way DFDG does (domain.md §3.1, §3.2): POST application/json with a bearer
// token to {webhook}/wsb/{type}/{code}; anything but 2xx (or no answer) is retried after
// min(cap, 2^n − 1) seconds.

#include "bridge/core/result.h"
#include "bridge/sim/scenario.h"

#include <chrono>
#include <memory>
#include <string>

namespace bridge::sim {

struct PushOptions {
  std::string webhook;  // base URL, e.g. http://127.0.0.1:8081 (https:// works too)
  std::string token;    // empty: no Authorization header
  int timeout_ms = 10000;
  std::string ca_file;             // https: trust this CA instead of the system's
  std::string client_certificate;  // https: present this certificate (PEM) …
  std::string client_key;          // … with this key
};

// One HTTP exchange: the status (0 when no answer arrived) and body, or what went wrong.
struct HttpResult {
  long status = 0;
  std::string body;
  std::string error;  // connection refused, time-out …

  bool delivered() const { return status >= 200 && status < 300; }
};

// libcurl's process-wide set-up, for the lifetime of one sim run (before any thread starts).
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

// One libcurl handle (keeps its connection alive between posts). Not thread-safe: one per lane
// worker.
class HttpPoster {
 public:
  static Result<std::unique_ptr<HttpPoster>> create(const PushOptions& options);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  HttpResult post(const std::string& url, const std::string& body);

 private:
  struct Handles;
  explicit HttpPoster(std::unique_ptr<Handles> handles);
  std::unique_ptr<Handles> handles_;
};

// "{webhook}/wsb/{type}/{code}" (one slash between base and path).
std::string push_url(const std::string& webhook, const Organisation& recipient);

// DFDG's delay before retry number `retry` (1, 2, …): min(cap, 2^retry − 1 s) — 1, 3, 7, 15 s …
std::chrono::milliseconds retry_delay(int retry, std::chrono::milliseconds cap);

// How a 2xx answer reads: the bridge's webhook answers {"outcome", "status"} (docs/ingestion.md).
struct Acceptance {
  std::string outcome;  // "stored", "duplicate", "conflict"; empty when the answer says nothing
  std::string status;   // "accepted", "quarantined"; empty likewise
  // The bridge will process (and so fetch) this message: a 2xx that does not say it was a
  // duplicate, a conflict or quarantined.
  bool fresh = false;
};
Acceptance read_acceptance(const HttpResult& result);

}  // namespace bridge::sim
