// What the runtime reports about itself: the status JSON (`cutover status`, the admin API,
// the status page), the routes table, and the Prometheus text of /metrics. Pure renderers
// over the runtime's counters, shared by the control plane and the data plane's status page.
#pragma once
#include <cstdint>
#include <string>

#include "core/runtime.h"

namespace cutover {

// up, down, draining, disabled or worker-not-ready (the dashboard's and the CLI's words).
const char* backend_state_name(const BackendRuntime& b, int64_t now_ms);

std::string render_status(const Runtime& rt, int64_t now_ms);
std::string render_routes(const Runtime& rt);
std::string render_metrics(const Runtime& rt, int64_t now_ms);

}  // namespace cutover
