#pragma once
// SOAP 1.1 POSTs over libcurl for `wsrm-bridge shadow`: one keep-alive handle for the whole run,
// connect and request time-outs, a response size limit, no redirects, optional client
// certificate and CA (the same discipline as bridge/dfdg/curl_client.cpp). No retries: a failed
// call stops the run, and the next run starts over safely.

#include "bridge/core/result.h"

#include <cstdint>
#include <memory>
#include <string>

namespace bridge::shadow {

struct TransportOptions {
  long connect_timeout_ms = 10000;
  long request_timeout_ms = 30000;
  std::int64_t max_response_bytes = 64LL * 1024 * 1024;
  std::string client_certificate;  // PEM; empty: none
  std::string client_key;          // PEM; empty: in the certificate file or none
  std::string ca_file;             // PEM; empty: the system's CAs
};

struct HttpAnswer {
  bool answered = false;  // an HTTP response arrived in full; else `error` says why not
  long status = 0;
  std::string body;  // any status: error pages and faults are recorded too
  std::string error;
};

class SoapTransport {
 public:
  static Result<std::unique_ptr<SoapTransport>> create(TransportOptions options);
  ~SoapTransport();
  SoapTransport(const SoapTransport&) = delete;
  SoapTransport& operator=(const SoapTransport&) = delete;

  // POSTs `envelope` (text/xml; charset=utf-8) with SOAPAction "`action`" to `url`.
  HttpAnswer post(const std::string& url, const std::string& action, const std::string& envelope);

 private:
  struct State;
  explicit SoapTransport(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace bridge::shadow
