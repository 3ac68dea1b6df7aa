// The admin listener: GET /api/status (JSON), GET /metrics (Prometheus text format),
// POST /api/pools/NAME/backends/ADDR/{drain,enable,disable}. Optional bearer token.
#pragma once
#include <string>

#include "core/asio.h"
#include "core/upstream.h"

namespace cutover {

awaitable<void> admin_accept_loop(ThreadContext& tc, tcp::acceptor& acc);

// Pure renderers over the runtime's counters (tested on their own).
std::string render_status(const Runtime& rt, int64_t now_ms);
std::string render_metrics(const Runtime& rt, int64_t now_ms);

}  // namespace cutover
