#include "bridge/sim/legacy_service.h"

#include "bridge/soap/admin.h"
#include "bridge/store/sqlite/sqlite_store.h"

#include <cstdlib>
#include <filesystem>

namespace bridge::sim {
namespace {

Error service_error(const std::string& message) {
  return make_error(ErrorDomain::config, static_cast<int>(SimErrc::legacy_service), message);
}

}  // namespace

std::string LegacyService::consumer_id(const Organisation& o) {
  return "legacy-" + std::to_string(o.type) + "-" + o.code;
}

Result<std::unique_ptr<LegacyService>> LegacyService::open(
    const LegacyServiceOptions& options, const std::vector<Organisation>& organisations,
    Metrics& metrics) {
  std::unique_ptr<LegacyService> s(new LegacyService());
  s->db_path_ = options.db_path;
  if (s->db_path_.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/wsrm-sim-legacy-XXXXXX";
    if (!mkdtemp(pattern.data())) {
      return service_error("legacy mode: cannot create a temporary directory in " +
                           pattern.substr(0, pattern.rfind('/')));
    }
    s->temp_dir_ = pattern;
    s->db_path_ = pattern + "/legacy.db";
  }
  auto store = store::sqlite::SqliteStore::open({s->db_path_, 6, 5000});
  if (!store) return service_error("legacy mode: --legacy-db: " + store.error().message);
  s->store_ = std::move(store).value();

  std::vector<queue::Consumer> consumers;
  for (const Organisation& o : organisations) {
    queue::Consumer c;
    c.id = consumer_id(o);
    c.organisations.push_back(queue::Organisation{o.type, o.code});
    c.message_types = {std::string(kGetIndkaldelse), std::string(kGetIndkaldelseshaendelse),
                       std::string(kGetAkasseIndkaldelse)};
    c.sub_queues = options.sub_queues;
    consumers.push_back(std::move(c));
  }
  s->consumers_ = std::make_unique<queue::ConsumerRegistry>(std::move(consumers));
  s->queue_ = std::make_unique<queue::WsrmQueue>(*s->store_, *s->consumers_, s->clock_,
                                                 queue::QueueSettings{});
  auto contract = soap::ContractFiles::load(options.wsdl_dir);
  if (!contract) return service_error("legacy mode: --legacy-wsdl: " + contract.error().message);
  s->contract_ = std::make_unique<soap::ContractFiles>(std::move(contract).value());
  s->context_.reset(
      new soap::ServiceContext{*s->queue_, *s->consumers_, *s->contract_, metrics, "", false});
  soap::ListenerOptions lo;
  lo.name = "sim-legacy";
  lo.host = options.host;
  lo.port = options.port;
  lo.workers = 4;
  auto listener = soap::Listener::open(lo, s->context_.get(), &soap::serve_contract_get,
                                       &soap::serve_soap_connection, metrics);
  if (!listener) return service_error("legacy mode: --legacy-port: " + listener.error().message);
  s->listener_ = std::move(listener).value();
  s->context_->service_endpoint = "http://" + options.host + ":" +
                                  std::to_string(s->listener_->port()) +
                                  "/11/WsrmMessageService.svc";
  return s;
}

LegacyService::~LegacyService() {
  listener_.reset();
  context_.reset();
  queue_.reset();
  store_.reset();  // closes the database before its directory goes
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

Result<int> LegacyService::enqueue(const std::vector<RenderedMessage>& messages) {
  std::vector<queue::EnqueueRequest> requests;
  for (const RenderedMessage& m : messages) {
    // The MessageIdentifier is new for every legacy message, so it is the idempotency key too.
    requests.push_back(queue::EnqueueRequest{consumer_id(m.message->organisation),
                                             m.message->operation, m.message->message_identifier,
                                             m.message->message_identifier, m.item_xml});
  }
  if (requests.empty()) return 0;
  return queue_->enqueue_batch(requests);
}

}  // namespace bridge::sim
