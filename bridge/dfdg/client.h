#pragma once
// The DFDG IndkaldelseService REST client (contract.md §4.2, domain.md §4.1 and §4.4): one
// GetIndkaldelse call, retried on 5xx, time-outs and connection errors, that tells "found" from
// "not visible to us" (403, 404, an empty body or `null`: a-kasse filtering or no such
// indkaldelse). The CPR travels in the x-civilregistrationIdentifier header only; it never
// appears in a URL, an error message or a log line. See docs/dfdg-client.md.

#include "bridge/core/result.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace bridge::dfdg {

// Codes of ErrorDomain::dfdg.
enum class DfdgErrc {
  transient = 1,     // 5xx, 408, 429, time-out or connection error after all attempts: retry later
  permanent = 2,     // any other 4xx, 3xx, a body over the limit, a TLS set-up or a local problem
  bad_response = 3,  // 2xx whose body is neither empty, `null` nor a JSON object
  invalid_options = 4,  // create(): an option is missing or wrong; the message names it
};
// One sentence per code, for logs and the CLI.
const char* to_string(DfdgErrc code);

struct ClientOptions {
  std::string base_url;  // e.g. "https://dfdg.example/api"; http or https; trailing '/' ignored
  std::string indkaldelse_path = "/v1/Indkaldelse/{indkaldelseId}";  // {indkaldelseId} escaped
  std::string bearer_token;                             // empty: no Authorization header
  std::string client_certificate, client_key, ca_file;  // PEM paths; empty: not used
  bool verify_peer = true;                              // false also skips the host name check
  int connect_timeout_ms = 2000;
  int request_timeout_ms = 10000;  // whole request, per attempt
  int max_attempts = 4;            // per get_indkaldelse(); 1 = no retry
  int backoff_initial_ms = 200;    // ceiling doubles per retry up to backoff_max_ms; full jitter
  int backoff_max_ms = 5000;
  std::int64_t max_response_bytes = 4 << 20;  // a larger 2xx body: permanent, no retry
  std::uint64_t jitter_seed = 0;              // 0: seeded from std::random_device
};

enum class Visibility { found, not_visible };
const char* to_string(Visibility visibility);

struct Snapshot {
  Visibility visibility = Visibility::not_visible;
  int http_status = 0;  // of the last attempt
  std::string url;      // as requested (no CPR in it: CPR travels in a header only)
  std::string body;     // raw response body when found (JSON text)
  nlohmann::json json;  // parsed body (an object) when found; null otherwise
  int attempts = 0;
};

// The pipeline depends on this interface so that it can be tested with a fake.
class IndkaldelseClient {
 public:
  virtual ~IndkaldelseClient() = default;
  // GET the indkaldelse as the citizen `cpr` sees it through our credentials. Returns a Snapshot
  // (found or not_visible) or an Error of ErrorDomain::dfdg whose message names the URL, the HTTP
  // status (or the transport failure) and the attempt count.
  virtual Result<Snapshot> get_indkaldelse(const std::string& indkaldelse_id,
                                           const std::string& cpr) = 0;
};

// Waits between attempts; tests inject one that records instead of sleeping, and a service can
// inject one that wakes up early on shutdown.
using SleepFunction = std::function<void(std::chrono::milliseconds)>;

// libcurl implementation. Safe to call from several threads at once: each call borrows its own
// easy handle from a small pool (so connections are reused between calls).
class CurlClient final : public IndkaldelseClient {
 public:
  // Validates the options (DfdgErrc::invalid_options naming the option) and initialises libcurl
  // once per process. An empty `sleep` means std::this_thread::sleep_for.
  static Result<std::unique_ptr<CurlClient>> create(ClientOptions options,
                                                    SleepFunction sleep = {});
  ~CurlClient() override;
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  Result<Snapshot> get_indkaldelse(const std::string& indkaldelse_id,
                                   const std::string& cpr) override;

  const ClientOptions& options() const;

 private:
  struct State;
  struct Key {
    explicit Key() = default;
  };

 public:
  CurlClient(Key, std::unique_ptr<State> state);  // use create()

 private:
  std::unique_ptr<State> state_;
};

}  // namespace bridge::dfdg
