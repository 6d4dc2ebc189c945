#pragma once
// Everything a SOAP request handler needs, reached through soap->user. Built once by `serve`
// and shared read-only (the members are thread-safe) by every worker's soap copy.

#include "bridge/core/metrics.h"
#include "bridge/queue/consumers.h"
#include "bridge/queue/queue.h"
#include "bridge/soap/contract_files.h"

#include <string>

struct soap;

namespace bridge::soap {

struct ServiceContext {
  queue::WsrmQueue& queue;
  const queue::ConsumerRegistry& consumers;
  const ContractFiles& contract;
  Metrics& metrics;
  std::string service_endpoint;  // ServiceEndpoint in every ServiceItem
  bool tls = false;              // the listener requires client certificates
};

ServiceContext& context_of(struct ::soap* soap);

}  // namespace bridge::soap
