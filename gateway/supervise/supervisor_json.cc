// `cutover workers status --json` and GET /api/workers: the supervisor's state as JSON.
#include <nlohmann/json.hpp>

#include "supervise/supervisor.h"

namespace cutover {

std::string Supervisor::status_json() const {
  std::lock_guard<std::mutex> g(mu_);
  int64_t now = clock_();
  nlohmann::json j = nlohmann::json::array();
  for (auto& p : pools_) {
    nlohmann::json pool{{"pool", p->name}, {"rolling", p->rolling_now >= 0 || !p->roll.empty()}};
    pool["instances"] = nlohmann::json::array();
    for (auto& in : p->instances) {
      pool["instances"].push_back({{"index", in.info.index},
                                   {"pid", in.pid},
                                   {"address", in.address},
                                   {"state", instance_state_name(in.state)},
                                   {"uptime_ms", in.pid && in.state == InstanceState::up ? now - in.started : 0},
                                   {"restarts", in.restarts},
                                   {"replaced", in.replaced},
                                   {"in_flight", in_flight(*p, in)},
                                   {"adopted", in.adopted},
                                   {"last_error", in.last_error},
                                   {"last_error_age_ms", in.last_error.empty() ? -1 : now - in.last_error_at}});
    }
    j.push_back(pool);
  }
  return nlohmann::json{{"workers", j}}.dump(2) + "\n";
}

}  // namespace cutover
