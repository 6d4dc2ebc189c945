#pragma once
// The serve configuration (TOML). Every key, its default and an example are in
// docs/configuration.md; errors name the file, the line and the key.

#include "bridge/core/result.h"
#include "bridge/dfdg/client.h"
#include "bridge/queue/consumers.h"
#include "bridge/queue/queue.h"

#include <optional>
#include <string>
#include <vector>

namespace bridge::app {

// Codes of ErrorDomain::config.
enum class ConfigErrc { unreadable = 1, syntax = 2, invalid = 3 };

struct TlsConfig {
  std::string certificate;  // PEM server certificate (chain)
  std::string private_key;  // PEM private key
  std::string ca;           // PEM CA bundle that signs accepted client certificates
  bool require_client_certificate = true;
};

struct ListenerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::optional<TlsConfig> tls;
};

struct ServerConfig {
  ListenerConfig listener;
  int workers = 8;                   // threads serving requests
  int max_pending_connections = 64;  // accepted, waiting for a worker
  std::int64_t max_request_bytes = 1 << 20;
  int recv_timeout_s = 10;  // idle wait before / between keep-alive requests
  int send_timeout_s = 10;
  int transfer_timeout_s = 30;  // first to last byte of a request; a response
  int keep_alive_max_requests = 100;
  std::string service_endpoint = "http://127.0.0.1:8080/11/WsrmMessageService.svc";
  std::string wsdl_dir;  // served at ?wsdl; required by serve
};

struct AdminConfig {
  bool enabled = true;
  std::string host = "127.0.0.1";
  int port = 9090;
};

// The WSB receiver (issue: ingestion). Off unless [webhook] is present with enabled = true.
struct WebhookConfig {
  bool enabled = false;
  ListenerConfig listener{"127.0.0.1", 8443, std::nullopt};
  int workers = 8;
  std::int64_t max_request_bytes = 1 << 20;
  int recv_timeout_s = 10;
  int transfer_timeout_s = 30;
  std::string bearer_token;                       // empty: no token required
  std::vector<std::string> certificate_subjects;  // empty with fingerprints empty: any CA-signed
  std::vector<std::string> certificate_fingerprints;
  std::vector<std::string> miljoe_allowed;      // empty: any Miljoe is accepted
  std::vector<queue::Organisation> recipients;  // empty: every consumer organisation
  int entitetstype_id = 90000;
};

// DFDG's IndkaldelseService (the enrichment GET). The pipeline runs only when it is configured.
struct DfdgConfig {
  bool configured = false;  // [dfdg] present with base_url
  dfdg::ClientOptions client;
};

// The workers that move accepted messages inbox → enrich → route → map → queue.
struct PipelineConfig {
  bool enabled = true;
  int workers = 2;
  int max_attempts = 8;  // then the message is parked
  int retry_initial_ms = 2000;
  int retry_max_ms = 600000;
  int poll_interval_ms = 250;
};

struct LogConfig {
  std::string format = "text";  // text | json
  std::string level = "info";   // trace | debug | info | warn | error
  bool mask_cpr = true;
};

struct Config {
  std::string source;  // the file it came from, for messages
  ServerConfig server;
  AdminConfig admin;
  WebhookConfig webhook;
  DfdgConfig dfdg;
  PipelineConfig pipeline;
  std::string mappings_dir = "mappings";  // tables, codelists/, routing/, pipeline/
  std::string sqlite_path = "wsrm-bridge.db";
  queue::QueueSettings queue;
  int sweep_interval_s = 30;
  LogConfig log;
  std::vector<queue::Consumer> consumers;
};

Result<Config> load_config(const std::string& path);
Result<Config> parse_config(const std::string& text, const std::string& source_name);

}  // namespace bridge::app
