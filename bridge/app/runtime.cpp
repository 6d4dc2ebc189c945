#include "bridge/app/runtime.h"

#include "bridge/store/sqlite/sqlite_store.h"


namespace bridge::app {

Runtime::Runtime(const Config& config) : consumers_(config.consumers) {}

Result<std::unique_ptr<Runtime>> Runtime::open(const Config& config) {
  std::unique_ptr<Runtime> rt(new Runtime(config));
  // One connection per worker plus the sweeper and the admin port.
  BRIDGE_TRY(auto store, store::sqlite::SqliteStore::open(
                             {config.sqlite_path, config.server.workers + 3, 5000}));
  rt->store_ = std::move(store);
  rt->queue_ = std::make_unique<queue::WsrmQueue>(*rt->store_, rt->consumers_, rt->clock_,
                                                  config.queue);
  return rt;
}

}  // namespace bridge::app
