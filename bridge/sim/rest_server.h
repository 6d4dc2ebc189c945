#pragma once
// The simulated IndkaldelseService REST endpoint (contract.md §4.2) on a bridge Listener:
//   GET {prefix}/v1/Indkaldelse/{id}             the resource (x-civilregistrationIdentifier)
//   GET {prefix}/v1/Indkaldelse/historik/{id}    its states so far (also …/{id}/historik)
//   GET {prefix}/v1/Indkaldelse/historik         every history row of the citizen
//   GET /_sim/status                             GET counts per indkaldelse (JSON; no auth)
//   GET /healthz                                 "ok"

#include "bridge/sim/resource_store.h"
#include "bridge/soap/listener.h"
#include "bridge/soap/request_reader.h"

#include <string>

struct soap;

namespace bridge::sim {

struct RestOptions {
  std::string prefix;        // e.g. "/kontaktforloeb"; "" serves at the root
  std::string bearer_token;  // empty: none required
};

// Reached through soap->user by every REST worker.
struct RestContext {
  ResourceStore& store;
  RestOptions options;
  soap::ReadLimits limits;
};

// The answer to one complete request (no I/O), so it can be tested without sockets.
RestAnswer handle_rest_request(const soap::HttpRequest& request, RestContext& context);

// Listener::ServeFn for the REST port.
void serve_rest_connection(struct ::soap* soap, soap::ConnectionControl& control);

}  // namespace bridge::sim
