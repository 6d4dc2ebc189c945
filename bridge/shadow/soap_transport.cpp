#include "bridge/shadow/soap_transport.h"

#include "bridge/core/curl_handles.h"
#include "bridge/shadow/options.h"

#include <curl/curl.h>

#include <new>
#include <utility>

namespace bridge::shadow {
namespace {

using curl::append;
using curl::EasyHandle;
using curl::HeaderList;

struct Sink {
  std::int64_t limit;
  std::string* body;
  bool too_large = false;
  bool out_of_memory = false;
};

// Returning less than given aborts the transfer.
std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (static_cast<std::int64_t>(sink->body->size() + n) > sink->limit) {
    sink->too_large = true;
    return 0;
  }
  try {
    sink->body->append(data, n);
  } catch (const std::bad_alloc&) {  // must not unwind through libcurl
    sink->out_of_memory = true;
    return 0;
  }
  return n;
}

template <class T>
void set(CURL* handle, CURLoption option, T value) {
  // Every option set here is valid for this libcurl; a failure shows up as a failed transfer.
  (void)curl_easy_setopt(handle, option, value);
}

}  // namespace

struct SoapTransport::State {
  TransportOptions options;
  EasyHandle handle;
};

Result<std::unique_ptr<SoapTransport>> SoapTransport::create(TransportOptions options) {
  if (const CURLcode init = curl::init_once(); init != CURLE_OK) {
    return make_error(ErrorDomain::io, static_cast<int>(ShadowErrc::usage),
                      std::string("libcurl initialisation failed: ") + curl_easy_strerror(init));
  }
  EasyHandle handle(curl_easy_init());
  if (!handle) {
    return make_error(ErrorDomain::io, static_cast<int>(ShadowErrc::usage),
                      "libcurl: no easy handle (out of memory)");
  }
  auto state = std::make_unique<State>(State{std::move(options), std::move(handle)});
  return std::unique_ptr<SoapTransport>(new SoapTransport(std::move(state)));
}

SoapTransport::SoapTransport(std::unique_ptr<State> state) : state_(std::move(state)) {}
SoapTransport::~SoapTransport() = default;

HttpAnswer SoapTransport::post(const std::string& url, const std::string& action,
                               const std::string& envelope) {
  HttpAnswer answer;
  const TransportOptions& o = state_->options;
  CURL* handle = state_->handle.get();
  HeaderList headers;
  // "Expect:" off: a 100-continue round trip gains nothing for small SOAP requests.
  if (!append(headers, "Content-Type: text/xml; charset=utf-8") ||
      !append(headers, "SOAPAction: \"" + action + "\"") || !append(headers, "Expect:")) {
    answer.error = "not sent: libcurl is out of memory";
    return answer;
  }
  curl_easy_reset(handle);  // options only; the connection cache and TLS sessions stay
  Sink sink{o.max_response_bytes, &answer.body};
  char error_buffer[CURL_ERROR_SIZE] = {};
  set(handle, CURLOPT_URL, url.c_str());
  set(handle, CURLOPT_POST, 1L);
  set(handle, CURLOPT_POSTFIELDS, envelope.data());
  set(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(envelope.size()));
  set(handle, CURLOPT_HTTPHEADER, headers.get());
  set(handle, CURLOPT_NOSIGNAL, 1L);
  set(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  // No redirects: the client certificate and the organisation would follow them anywhere.
  set(handle, CURLOPT_FOLLOWLOCATION, 0L);
  set(handle, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
  set(handle, CURLOPT_TIMEOUT_MS, o.request_timeout_ms);
  set(handle, CURLOPT_USERAGENT, "wsrm-bridge shadow");
  set(handle, CURLOPT_WRITEFUNCTION, &write_body);
  set(handle, CURLOPT_WRITEDATA, static_cast<void*>(&sink));
  set(handle, CURLOPT_ERRORBUFFER, error_buffer);
  if (!o.client_certificate.empty()) {
    set(handle, CURLOPT_SSLCERT, o.client_certificate.c_str());
    set(handle, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!o.client_key.empty()) set(handle, CURLOPT_SSLKEY, o.client_key.c_str());
  if (!o.ca_file.empty()) set(handle, CURLOPT_CAINFO, o.ca_file.c_str());
  set(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  set(handle, CURLOPT_SSL_VERIFYHOST, 2L);

  const CURLcode code = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &answer.status);
  const std::string message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  // The buffer and the header list die with this frame; the handle must not keep them.
  set(handle, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
  set(handle, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  if (sink.too_large) {
    answer.error = "HTTP " + std::to_string(answer.status) + " with a body over " +
                   std::to_string(o.max_response_bytes) + " bytes (--max-response-bytes)";
  } else if (sink.out_of_memory) {
    answer.error = "the response did not fit in memory";
  } else if (code != CURLE_OK) {
    const char* what = code == CURLE_OPERATION_TIMEDOUT ? "time-out" : "connection failed";
    answer.error = std::string(what) + " (curl " + std::to_string(static_cast<int>(code)) + ": " +
                   message + ")";
  } else {
    answer.answered = true;
  }
  if (!answer.answered) answer.body.clear();
  return answer;
}

}  // namespace bridge::shadow
