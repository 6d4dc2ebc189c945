#pragma once
// Legacy mode's WsrmService: the bridge's own SOAP stack (Listener, serve_soap_connection,
// ServiceContext) over the bridge's WsrmQueue and SQLite QueueStore, so the protocol a recorder
// sees is exactly the bridge's. One consumer per scenario organisation (ActiveOrganisationHeader
// = its type and code) receives all three Get… operations; every message also goes to each
// configured sub-queue (e.g. "shadow", for a recorder's SubQueueIdentifier).

#include "bridge/core/clock.h"
#include "bridge/core/metrics.h"
#include "bridge/core/result.h"
#include "bridge/queue/consumers.h"
#include "bridge/queue/queue.h"
#include "bridge/sim/legacy_plan.h"
#include "bridge/soap/contract_files.h"
#include "bridge/soap/listener.h"
#include "bridge/soap/service_context.h"
#include "bridge/store/store.h"

#include <memory>
#include <string>
#include <vector>

namespace bridge::sim {

struct LegacyServiceOptions {
  std::string host = "127.0.0.1";
  int port = 0;         // 0: any free port
  std::string db_path;  // empty: a file in a new temporary directory, removed at the end
  std::vector<std::string> sub_queues{"shadow"};
  std::string wsdl_dir;  // the served contract (SOAPAction of each operation, ?wsdl)
};

class LegacyService {
 public:
  // Opens the store, loads the contract and binds the port. Errors: ErrorDomain::config,
  // SimErrc::legacy_service, naming the file or the address.
  static Result<std::unique_ptr<LegacyService>> open(const LegacyServiceOptions& options,
                                                     const std::vector<Organisation>& organisations,
                                                     Metrics& metrics);
  ~LegacyService();
  LegacyService(const LegacyService&) = delete;
  LegacyService& operator=(const LegacyService&) = delete;

  int port() const { return listener_->port(); }
  // The ServiceEndpoint of every inventory: this listener's WsrmMessageService URL.
  const std::string& service_endpoint() const { return context_->service_endpoint; }
  // The consumer id of an organisation ("legacy-8-44000").
  static std::string consumer_id(const Organisation& o);
  const std::string& db_path() const { return db_path_; }

  // Queues `messages` (in this order, one transaction) for their organisations' consumers.
  Result<int> enqueue(const std::vector<RenderedMessage>& messages);

  void run() { listener_->run(); }
  void stop() { listener_->stop(); }

 private:
  LegacyService() = default;

  std::string temp_dir_;  // removed in the destructor when set
  std::string db_path_;
  SystemClock clock_;
  std::unique_ptr<store::QueueStore> store_;
  std::unique_ptr<queue::ConsumerRegistry> consumers_;
  std::unique_ptr<queue::WsrmQueue> queue_;
  std::unique_ptr<soap::ContractFiles> contract_;
  std::unique_ptr<soap::ServiceContext> context_;
  std::unique_ptr<soap::Listener> listener_;
};

}  // namespace bridge::sim
