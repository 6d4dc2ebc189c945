#pragma once
// HTTP GET handlers: the contract files on the SOAP port, /healthz and /metrics on the admin port.

#include "bridge/core/metrics.h"
#include "bridge/store/store.h"

struct soap;

namespace bridge::soap {

struct AdminContext {
  store::QueueStore& store;
  Metrics& metrics;
  const Clock& clock;
};

// GET handler of the SOAP port (soap->user is a ServiceContext): ?wsdl and the XSDs.
int serve_contract_get(struct ::soap* soap);

// GET handler of the admin port (soap->user is an AdminContext): /healthz, /metrics.
int serve_admin_get(struct ::soap* soap);

// The Prometheus text for /metrics: counters plus queue figures read from the store now.
std::string render_metrics(AdminContext& ctx);

}  // namespace bridge::soap
