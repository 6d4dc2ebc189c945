#include "bridge/soap/listener.h"

#include "bridge/soap/faults.h"
#include "bridge/soap/request_reader.h"
#include "bridge/soap/service_context.h"
#include "soapH.h"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

namespace bridge::soap {
namespace {

Error listener_error(const std::string& message) { return make_error(ErrorDomain::io, 2, message); }

std::string engine_message(struct ::soap* soap) {
  const char** s = soap_faultstring(soap);
  std::string text = s && *s ? *s : "error " + std::to_string(soap->error);
  const char** d = soap_faultdetail(soap);
  if (d && *d) text += std::string(": ") + *d;
  return text;
}

int bound_port(SOAP_SOCKET s) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

void count_rejection(struct ::soap* soap) {
  context_of(soap).metrics.count_fault("(unparsed request)", kValidationFailed);
}

void finish_request(struct ::soap* soap) {
  soap_destroy(soap);
  soap_end(soap);
}

}  // namespace

Result<std::unique_ptr<Listener>> Listener::open(const ListenerOptions& o, void* user, GetFn on_get,
                                                 ServeFn serve, Metrics& metrics) {
  struct ::soap* master = soap_new1(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
  if (!master) return listener_error(o.name + ": out of memory");
  std::unique_ptr<Listener> l(new Listener(o, master, serve, metrics));
  // The generated namespace table (gen/wsrm_namespaces.cpp) with the real OASIS namespace.
  soap_set_namespaces(master, namespaces);
  master->user = user;
  master->fget = on_get;
  master->bind_flags = SO_REUSEADDR;
  master->accept_timeout = 1;  // wake up every second to notice stop()
  master->recv_timeout = o.recv_timeout_s;
  master->send_timeout = o.send_timeout_s;
  master->transfer_timeout = o.transfer_timeout_s;
  master->recv_maxlength = static_cast<ULONG64>(o.max_request_bytes);
  master->max_keep_alive = o.keep_alive_max_requests;
  if (o.tls) {
    const int flags =
        SOAP_SSL_DEFAULT | SOAP_TLSv1_2 | SOAP_TLSv1_3 |
        (o.tls->require_client_certificate ? SOAP_SSL_REQUIRE_CLIENT_AUTHENTICATION : 0);
    // gSOAP keeps the cafile pointer: it must point into the listener's own options.
    const std::string& ca = l->options_.tls->ca;
    if (soap_ssl_server_context(master, flags, nullptr, nullptr, ca.empty() ? nullptr : ca.c_str(),
                                nullptr, nullptr, nullptr, nullptr)) {
      return listener_error(o.name + ": TLS set-up failed: " + engine_message(master));
    }
    if (SSL_CTX_use_certificate_chain_file(master->ctx, o.tls->certificate.c_str()) != 1) {
      return listener_error(o.name + ": " + o.tls->certificate +
                            ": cannot load the server certificate (PEM)");
    }
    if (SSL_CTX_use_PrivateKey_file(master->ctx, o.tls->private_key.c_str(), SSL_FILETYPE_PEM) !=
            1 ||
        SSL_CTX_check_private_key(master->ctx) != 1) {
      return listener_error(o.name + ": " + o.tls->private_key +
                            ": cannot load the private key, or it does not match the certificate");
    }
  }
  if (!soap_valid_socket(soap_bind(master, o.host.c_str(), o.port, o.max_pending_connections))) {
    return listener_error(o.name + ": cannot listen on " + o.host + ":" + std::to_string(o.port) +
                          ": " + engine_message(master));
  }
  l->port_ = bound_port(master->master);
  return l;
}

Listener::Listener(ListenerOptions options, struct ::soap* master, ServeFn serve, Metrics& metrics)
    : options_(std::move(options)), master_(master), serve_(serve), metrics_(metrics) {}

Listener::~Listener() {
  soap_destroy(master_);
  soap_end(master_);
  soap_free(master_);
}

void Listener::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();  // an accept loop waiting for a free worker slot re-checks stopping_
}

void Listener::run() {
  std::vector<std::thread> workers;
  for (int i = 0; i < options_.workers; ++i) workers.emplace_back([this] { worker_loop(); });
  while (!stopping_) {
    const SOAP_SOCKET s = soap_accept(master_);
    if (!soap_valid_socket(s)) {
      if (master_->errnum != 0 && !stopping_) {
        // EMFILE and friends: log, back off briefly, keep accepting.
        spdlog::warn("{}: accept failed: {}", options_.name, engine_message(master_));
        metrics_.count_connection_error("accept");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    struct ::soap* copy = soap_copy(master_);
    master_->socket = SOAP_INVALID_SOCKET;  // the copy owns it now
    if (!copy) {
      soap_closesocket(s);
      metrics_.count_connection_error("out_of_memory");
      continue;
    }
    std::unique_lock lock(mutex_);
    // Back-pressure: with every worker busy and the pending list full, stop accepting; the
    // kernel's listen backlog holds further clients until a worker is free.
    changed_.wait(lock, [&] {
      return static_cast<int>(pending_.size()) < options_.max_pending_connections || stopping_;
    });
    pending_.push_back(copy);
    changed_.notify_all();
  }
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
  for (auto& t : workers) t.join();
  soap_closesock(master_);
  spdlog::info("{}: stopped", options_.name);
}

void Listener::worker_loop() {
  while (true) {
    struct ::soap* s = nullptr;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !pending_.empty() || closed_; });
      if (pending_.empty()) return;
      s = pending_.front();
      pending_.pop_front();
      changed_.notify_all();
    }
    if (options_.tls && soap_ssl_accept(s) != SOAP_OK) {
      spdlog::warn("{}: TLS handshake refused from {}: {}", options_.name, s->host,
                   engine_message(s));
      metrics_.count_connection_error("tls");
    } else {
      ConnectionControl control(stopping_);
      try {
        serve_(s, control);
      } catch (const std::exception& e) {
        spdlog::error("{}: connection dropped after an unexpected exception: {}", options_.name,
                      e.what());
        metrics_.count_connection_error("exception");
      }
    }
    finish_request(s);
    soap_force_closesock(s);
    soap_free(s);
  }
}

void serve_soap_connection(struct ::soap* soap, ConnectionControl& control) {
  const ReadLimits limits{static_cast<std::int64_t>(soap->recv_maxlength),
                          soap->recv_timeout * 1000, soap->transfer_timeout * 1000};
  BufferedConnection connection(soap);
  install_engine_fault_hook(soap);
  soap->keep_alive = soap->max_keep_alive + 1;
  do {
    if (soap->keep_alive > 0 && soap->max_keep_alive > 0) soap->keep_alive--;
    switch (connection.read_request(limits, control)) {
      case ReadOutcome::request:
        break;
      case ReadOutcome::rejected:
        spdlog::info("request refused with fault 1014: {}", connection.error());
        send_fault(soap, kValidationFailed, connection.error());
        count_rejection(soap);
        soap->keep_alive = 0;
        soap_send_fault(soap);
        connection.linger_and_discard();
        return;
      case ReadOutcome::timed_out:
        context_of(soap).metrics.count_connection_error("timeout");
        return;
      case ReadOutcome::closed:
      case ReadOutcome::stopping:
        return;
    }
    if (soap_begin_serve(soap)) {
      if (soap->error >= SOAP_STOP) {  // a GET answered by the GET handler
        finish_request(soap);
        connection.finish_request();
        continue;
      }
      return;  // gSOAP has answered with a fault (the hook added code 1014), or the peer is gone
    }
    if (soap_serve_request(soap) && soap->error && soap->error < SOAP_STOP) {
      soap_send_fault(soap);
      return;
    }
    finish_request(soap);
    connection.finish_request();
  } while (soap->keep_alive && !control.stopping());
}

void serve_get_only_connection(struct ::soap* soap, ConnectionControl& control) {
  const ReadLimits limits{static_cast<std::int64_t>(soap->recv_maxlength),
                          soap->recv_timeout * 1000, soap->transfer_timeout * 1000};
  BufferedConnection connection(soap);
  soap->keep_alive = soap->max_keep_alive + 1;
  do {
    if (soap->keep_alive > 0 && soap->max_keep_alive > 0) soap->keep_alive--;
    const ReadOutcome outcome = connection.read_request(limits, control);
    if (outcome != ReadOutcome::request && outcome != ReadOutcome::rejected) return;
    if (outcome == ReadOutcome::request && soap_begin_serve(soap) &&
        soap->error >= SOAP_STOP) {  // a GET, answered
      finish_request(soap);
      connection.finish_request();
      continue;
    }
    soap->keep_alive = 0;
    soap_send_empty_response(soap, 405);
    return;
  } while (soap->keep_alive && !control.stopping());
}

int send_http_response(struct ::soap* soap, int status, const char* content_type,
                       const std::string& body) {
  soap->http_content = content_type;
  soap->length = body.size();
  if (soap_response(soap, status == 200 ? SOAP_FILE : SOAP_FILE + status) ||
      soap_send_raw(soap, body.data(), body.size()) || soap_end_send(soap)) {
    return soap->error;
  }
  return SOAP_OK;
}

}  // namespace bridge::soap
