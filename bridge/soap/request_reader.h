#pragma once
// Reads each HTTP request completely — within the size limit and the time-outs — before gSOAP
// parses it from memory. This gives the bridge what gSOAP alone does not: a body that ends is an
// end (gSOAP would wait for more XML until recv_timeout_s), a whole-request deadline
// (transfer_timeout_s), an early refusal of oversize requests by Content-Length, an idle wait
// between keep-alive requests that notices shutdown, and a well-formedness check that turns bad
// XML into a prompt fault 1014 naming the byte offset.

#include "bridge/soap/listener.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct soap;

namespace bridge::soap {

struct ReadLimits {
  std::int64_t max_request_bytes = 1 << 20;  // header and body together
  int idle_timeout_ms = 10000;               // waiting for the first byte of a request
  int transfer_timeout_ms = 30000;           // from the first byte to the last
  int max_header_bytes = 64 * 1024;
  bool soap_body = true;  // a POST body must be one well-formed SOAP Envelope (off for JSON)
};

// The request just read, for listeners that handle it themselves (the webhook).
struct HttpRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // without chunk framing

  // The first header with this name (case-insensitive), or empty.
  std::string header(std::string_view name) const;
  bool keep_alive() const;  // HTTP/1.1 without "Connection: close"
  std::string version;
};

enum class ReadOutcome {
  request,    // a complete request is buffered; gSOAP may parse it
  closed,     // the client closed (or idled out) between requests: nothing to answer
  stopping,   // the listener is draining and no request had started
  timed_out,  // a request started but did not complete in time: close without answer
  rejected,   // a complete or oversize request is refused; error() says why (fault 1014)
};

class BufferedConnection {
 public:
  // Takes over soap->frecv for the connection's lifetime (restored by the destructor).
  explicit BufferedConnection(struct ::soap* soap);
  ~BufferedConnection();
  BufferedConnection(const BufferedConnection&) = delete;
  BufferedConnection& operator=(const BufferedConnection&) = delete;

  ReadOutcome read_request(const ReadLimits& limits, ConnectionControl& control);
  // Why the last request was rejected, for the fault text.
  const std::string& error() const { return error_; }
  // Whether the last rejection was about size (HTTP 413) rather than form (HTTP 400).
  bool rejected_for_size() const { return too_large_; }
  const HttpRequest& request() const { return request_; }
  // Drops the bytes of the request just served; pipelined bytes after it are kept.
  void finish_request();
  // Writes bytes to the client (through TLS when the connection has it) within timeout_ms;
  // false when the client is gone or too slow. For answers not written by gSOAP.
  bool send(std::string_view bytes, int timeout_ms);
  // After a rejection: stop writing, read and discard what the client still sends (briefly), so
  // that closing does not reset the connection before the client has read the answer.
  void linger_and_discard();

 private:
  static std::size_t feed(struct ::soap* soap, char* out, std::size_t n);
  bool fill(std::int64_t deadline_ms);  // appends at least one byte; false on EOF or time-out
  bool wait_readable(int idle_timeout_ms, ConnectionControl& control, bool& stopped);
  ReadOutcome reject(std::string why);
  ReadOutcome reject_size(std::string why);
  bool check_body(std::string_view body);

  struct ::soap* soap_;
  std::size_t (*original_recv_)(struct ::soap*, char*, std::size_t);
  std::string buffer_;
  std::size_t request_end_ = 0;  // bytes of buffer_ that form the current request
  std::size_t fed_ = 0;          // bytes of the current request handed to gSOAP
  std::string error_;
  bool too_large_ = false;
  HttpRequest request_;
};

// Checks that a SOAP request body is one well-formed XML document whose root is an Envelope.
// Returns an empty string when it is, or the reason with the byte offset.
std::string check_soap_body(std::string_view body);

}  // namespace bridge::soap
