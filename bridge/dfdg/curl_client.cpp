#include "bridge/core/curl_handles.h"
#include "bridge/dfdg/backoff.h"
#include "bridge/dfdg/client.h"
#include "bridge/dfdg/options.h"
#include "bridge/dfdg/response.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bridge::dfdg {
namespace {

using curl::append;
using curl::EasyHandle;
using curl::HeaderList;

// Easy handles kept between calls, so that keep-alive connections and TLS sessions are reused.
// A handle is used by one thread at a time: borrowed for a whole get_indkaldelse().
class HandlePool {
 public:
  EasyHandle take() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        EasyHandle handle = std::move(idle_.back());
        idle_.pop_back();
        return handle;
      }
    }
    return EasyHandle(curl_easy_init());
  }
  void give_back(EasyHandle handle) {
    curl_easy_reset(handle.get());  // options only; connections and caches stay
    const std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(handle));
  }

 private:
  static constexpr std::size_t kMaxIdle = 16;
  std::mutex mutex_;
  std::vector<EasyHandle> idle_;
};

class Lease {
 public:
  explicit Lease(HandlePool& pool) : pool_(pool), handle_(pool.take()) {}
  ~Lease() {
    if (handle_) pool_.give_back(std::move(handle_));
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  CURL* get() const { return handle_.get(); }

 private:
  HandlePool& pool_;
  EasyHandle handle_;
};

bool has_control_character(const std::string& text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// What one attempt produced.
struct Attempt {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;        // 2xx bodies only
  bool too_large = false;  // the 2xx body went over max_response_bytes; transfer aborted
  bool out_of_memory = false;
  std::string curl_message;
};

struct Transfer {
  CURL* handle;
  std::int64_t limit;
  Attempt* attempt;
};

// Keeps 2xx bodies up to the limit; other bodies are read and dropped (a large 503 page must not
// turn an outage into a permanent error). Returning less than given aborts the transfer.
std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(transfer->handle, CURLINFO_RESPONSE_CODE, &status);
  if (classify_status(status) != StatusClass::success) return n;
  std::string& body = transfer->attempt->body;
  if (static_cast<std::int64_t>(body.size() + n) > transfer->limit) {
    transfer->attempt->too_large = true;
    return 0;
  }
  try {
    body.append(data, n);
  } catch (const std::bad_alloc&) {  // must not unwind through libcurl
    transfer->attempt->out_of_memory = true;
    return 0;
  }
  return n;
}

// Failures that another attempt cannot fix: the set-up, TLS material or verification.
bool is_permanent(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

std::string attempts_text(int attempts) {
  return std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
}

std::string status_text(long status) {
  return status == 0 ? std::string("no HTTP status") : "HTTP " + std::to_string(status);
}

// "time-out (curl 28: Operation timed out after 200 milliseconds with 0 bytes received)"
std::string transport_text(const Attempt& a) {
  const char* what = a.code == CURLE_OPERATION_TIMEDOUT ? "time-out" : "connection failed";
  if (is_permanent(a.code)) what = "TLS or set-up problem";
  return std::string(what) + " (curl " + std::to_string(static_cast<int>(a.code)) + ": " +
         a.curl_message + ")";
}

Error failure(DfdgErrc code, const std::string& url, int attempts, const std::string& what) {
  return make_error(ErrorDomain::dfdg, static_cast<int>(code),
                    "GET " + url + " failed after " + attempts_text(attempts) + ": " + what);
}

template <class T>
void set(CURL* handle, CURLoption option, T value) {
  // Every option set here is valid for this libcurl; a failure would be a bug in this file, and
  // it shows up as a failed transfer anyway.
  (void)curl_easy_setopt(handle, option, value);
}

}  // namespace

struct CurlClient::State {
  State(ClientOptions o, SleepFunction s)
      : options(std::move(o)),
        sleep(std::move(s)),
        backoff(options.backoff_initial_ms, options.backoff_max_ms, options.jitter_seed) {}

  Attempt perform(CURL* handle, const std::string& url, curl_slist* headers) const {
    Attempt attempt;
    Transfer transfer{handle, options.max_response_bytes, &attempt};
    char error_buffer[CURL_ERROR_SIZE] = {};
    set(handle, CURLOPT_URL, url.c_str());
    set(handle, CURLOPT_HTTPGET, 1L);
    set(handle, CURLOPT_HTTPHEADER, headers);
    set(handle, CURLOPT_NOSIGNAL, 1L);  // required with threads; time-outs still work
    set(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    // No redirects: the CPR header would follow them to wherever Location points.
    set(handle, CURLOPT_FOLLOWLOCATION, 0L);
    set(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
    set(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout_ms));
    set(handle, CURLOPT_USERAGENT, "wsrm-bridge");
    set(handle, CURLOPT_WRITEFUNCTION, &write_body);
    set(handle, CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
    set(handle, CURLOPT_ERRORBUFFER, error_buffer);
    if (!options.client_certificate.empty()) {
      set(handle, CURLOPT_SSLCERT, options.client_certificate.c_str());
      set(handle, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (!options.client_key.empty()) set(handle, CURLOPT_SSLKEY, options.client_key.c_str());
    if (!options.ca_file.empty()) set(handle, CURLOPT_CAINFO, options.ca_file.c_str());
    set(handle, CURLOPT_SSL_VERIFYPEER, options.verify_peer ? 1L : 0L);
    set(handle, CURLOPT_SSL_VERIFYHOST, options.verify_peer ? 2L : 0L);

    attempt.code = curl_easy_perform(handle);
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &attempt.status);
    attempt.curl_message =
        error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(attempt.code);
    // The buffer dies with this frame; the handle must not keep pointing at it.
    set(handle, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
    return attempt;
  }

  void wait(std::chrono::milliseconds delay) const {
    if (sleep) {
      sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }

  const ClientOptions options;
  const SleepFunction sleep;
  Backoff backoff;
  HandlePool pool;
};

Result<std::unique_ptr<CurlClient>> CurlClient::create(ClientOptions options, SleepFunction sleep) {
  BRIDGE_TRY(validate_options(options));
  if (const CURLcode init = curl::init_once(); init != CURLE_OK) {
    return make_error(
        ErrorDomain::dfdg, static_cast<int>(DfdgErrc::invalid_options),
        std::string("dfdg: libcurl initialisation failed: ") + curl_easy_strerror(init));
  }
  return std::make_unique<CurlClient>(
      Key{}, std::make_unique<State>(std::move(options), std::move(sleep)));
}

CurlClient::CurlClient(Key, std::unique_ptr<State> state) : state_(std::move(state)) {}
CurlClient::~CurlClient() = default;

const ClientOptions& CurlClient::options() const { return state_->options; }

Result<Snapshot> CurlClient::get_indkaldelse(const std::string& indkaldelse_id,
                                             const std::string& cpr) {
  const ClientOptions& options = state_->options;
  Snapshot snapshot;
  snapshot.url = indkaldelse_url(options, indkaldelse_id);
  const std::string& url = snapshot.url;
  if (indkaldelse_id.empty()) {
    return failure(DfdgErrc::permanent, url, 0, "not sent: the indkaldelseId is empty");
  }
  if (cpr.empty() || has_control_character(cpr)) {
    return failure(DfdgErrc::permanent, url, 0,
                   "not sent: the CPR is empty or has a control character");
  }
  HeaderList headers;
  bool built = append(headers, "x-civilregistrationIdentifier: " + cpr) &&
               append(headers, "Accept: application/json");
  if (built && !options.bearer_token.empty()) {
    built = append(headers, "Authorization: Bearer " + options.bearer_token);
  }
  Lease handle(state_->pool);
  if (!built || handle.get() == nullptr) {
    return failure(DfdgErrc::transient, url, 0, "not sent: libcurl is out of memory");
  }

  for (int attempt_number = 1;; ++attempt_number) {
    Attempt attempt = state_->perform(handle.get(), url, headers.get());
    snapshot.attempts = attempt_number;
    snapshot.http_status = static_cast<int>(attempt.status);
    const std::string status = status_text(attempt.status);
    if (attempt.too_large) {
      return failure(DfdgErrc::permanent, url, attempt_number,
                     status + " with a body over max_response_bytes (" +
                         std::to_string(options.max_response_bytes) + ")");
    }
    std::string retry_reason;
    if (attempt.out_of_memory) {
      retry_reason = status + " with a body that did not fit in memory";
    } else if (attempt.code != CURLE_OK) {
      if (is_permanent(attempt.code)) {
        return failure(DfdgErrc::permanent, url, attempt_number,
                       status + ", " + transport_text(attempt) + " (not retried)");
      }
      retry_reason = status + ", " + transport_text(attempt);
    } else {
      switch (classify_status(attempt.status)) {
        case StatusClass::success: {
          BodyReading reading = read_body(attempt.body);
          if (reading.kind == BodyKind::empty) {
            snapshot.visibility = Visibility::not_visible;
            return snapshot;
          }
          if (reading.kind != BodyKind::object) {
            return failure(DfdgErrc::bad_response, url, attempt_number,
                           status + " with a body that is " + reading.problem);
          }
          snapshot.visibility = Visibility::found;
          snapshot.body = std::move(attempt.body);
          snapshot.json = std::move(reading.json);
          return snapshot;
        }
        case StatusClass::not_visible:
          snapshot.visibility = Visibility::not_visible;
          return snapshot;
        case StatusClass::permanent:
          return failure(DfdgErrc::permanent, url, attempt_number, status + " (not retried)");
        case StatusClass::retry:
          retry_reason = status;
          break;
      }
    }
    if (attempt_number >= options.max_attempts) {
      return failure(DfdgErrc::transient, url, attempt_number, retry_reason);
    }
    const std::chrono::milliseconds delay = state_->backoff.delay(attempt_number - 1);
    spdlog::warn("dfdg: GET {} attempt {} of {}: {}; retrying in {} ms", url, attempt_number,
                 options.max_attempts, retry_reason, delay.count());
    state_->wait(delay);
  }
}

}  // namespace bridge::dfdg
