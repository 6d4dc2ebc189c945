#include "bridge/app/runtime.h"

#include "bridge/store/sqlite/sqlite_inbox.h"
#include "bridge/store/sqlite/sqlite_store.h"

namespace bridge::app {

Runtime::Runtime(const Config& config) : consumers_(config.consumers) {
  rules_.entitetstype_id = config.webhook.entitetstype_id;
  rules_.miljoe_allowed = config.webhook.miljoe_allowed;
  for (const auto& o : config.webhook.recipients) rules_.recipients.push_back({o.type, o.code});
  if (rules_.recipients.empty()) {
    for (const auto& c : config.consumers) {
      for (const auto& o : c.organisations) rules_.recipients.push_back({o.type, o.code});
    }
  }
}

Result<std::unique_ptr<Runtime>> Runtime::open(const Config& config) {
  std::unique_ptr<Runtime> rt(new Runtime(config));
  // One connection per worker plus the sweeper and the admin port.
  BRIDGE_TRY(auto store, store::sqlite::SqliteStore::open(
                             {config.sqlite_path, config.server.workers + 3, 5000}));
  rt->store_ = std::move(store);
  BRIDGE_TRY(auto inbox, store::sqlite::SqliteInbox::open(config.sqlite_path, 5000));
  rt->inbox_ = std::move(inbox);
  rt->queue_ =
      std::make_unique<queue::WsrmQueue>(*rt->store_, rt->consumers_, rt->clock_, config.queue);
  return rt;
}

}  // namespace bridge::app
