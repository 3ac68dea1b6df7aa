#include "core/runtime.h"

namespace cutover {

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Runtime::Runtime(std::shared_ptr<const Config> c) : config(std::move(c)) {
  for (const PoolSpec& p : config->pools) {
    auto pr = std::make_unique<PoolRuntime>();
    pr->spec = &p;
    for (const BackendSpec& b : p.backends) {
      auto br = std::make_unique<BackendRuntime>();
      br->spec = b;
      br->id = backend_count++;
      br->identity = hash_key(b.address);
      br->healthy = !p.health.enabled;  // with checks on, a backend serves after its first pass
      pr->backends.push_back(std::move(br));
    }
    pools.push_back(std::move(pr));
  }
  for (size_t i = 0; i < config->routes.size(); ++i) routes.push_back(std::make_unique<RouteRuntime>());
}

}  // namespace cutover
