#pragma once
// One HTTP(S) listener on the gSOAP engine: an accept loop that never stops on a bad request and
// a bounded pool of workers, each serving one accepted connection on its own soap copy. Every
// connection has receive/send/total time-outs and a request size limit, so a slow or malicious
// client can hold a worker for at most transfer_timeout_s.

#include "bridge/core/metrics.h"
#include "bridge/core/result.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

struct soap;

namespace bridge::soap {

struct TlsOptions {
  std::string certificate;
  std::string private_key;
  std::string ca;
  bool require_client_certificate = true;
};

struct ListenerOptions {
  std::string name;  // for logs and metrics: "soap", "admin"
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (see Listener::port())
  std::optional<TlsOptions> tls;
  int workers = 4;
  int max_pending_connections = 64;
  int recv_timeout_s = 10;
  int send_timeout_s = 10;
  int transfer_timeout_s = 30;
  std::int64_t max_request_bytes = 1 << 20;
  int keep_alive_max_requests = 100;
};

// A serve function's line to its listener for one connection: whether the listener drains.
// Serve loops check it while waiting for the next request, so an idle keep-alive connection is
// closed at once on shutdown while a request already started is still answered.
class ConnectionControl {
 public:
  explicit ConnectionControl(const std::atomic<bool>& stopping) : stopping_(stopping) {}
  bool stopping() const { return stopping_; }

 private:
  const std::atomic<bool>& stopping_;
};

class Listener {
 public:
  // Serves one accepted connection (all its keep-alive requests).
  using ServeFn = void (*)(struct ::soap*, ConnectionControl& control);
  using GetFn = int (*)(struct ::soap*);

  // Binds the socket (and loads the TLS context). `user` becomes soap->user in every request.
  static Result<std::unique_ptr<Listener>> open(const ListenerOptions& options, void* user,
                                                GetFn on_get, ServeFn serve, Metrics& metrics);
  ~Listener();

  int port() const { return port_; }
  const ListenerOptions& options() const { return options_; }

  // Accepts until stop(); then serves what was already accepted and returns when all workers
  // are done.
  void run();
  // Stops accepting; idle keep-alive connections close within 0.2 s; run() returns once the
  // requests in progress are answered.
  void stop();

 private:
  Listener(ListenerOptions options, struct ::soap* master, ServeFn serve, Metrics& metrics);
  void worker_loop();

  ListenerOptions options_;
  struct ::soap* master_;
  ServeFn serve_;
  Metrics& metrics_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<struct ::soap*> pending_;
  bool closed_ = false;
};

// The SOAP keep-alive loop for the WsrmService/WsrmMessageService port: each request is read
// whole (request_reader.h) before gSOAP parses it, and every error becomes a fault with a WSRM
// code (bad XML, unknown operation, oversize body: 1014).
void serve_soap_connection(struct ::soap* soap, ConnectionControl& control);

// Answers GETs through the listener's GetFn and refuses everything else with 405.
void serve_get_only_connection(struct ::soap* soap, ConnectionControl& control);

// Sends a complete HTTP response from a GET handler; returns SOAP_OK or the send error.
int send_http_response(struct ::soap* soap, int status, const char* content_type,
                       const std::string& body);

}  // namespace bridge::soap
