// The admin listener: GET /api/status (JSON), GET /metrics (Prometheus text format),
// POST /api/pools/NAME/backends/ADDR/{drain,enable,disable}. Optional bearer token.
#pragma once
#include <string>

#include "core/asio.h"
#include "core/thread_context.h"
#include "core/upstream.h"

namespace cutover {

awaitable<void> admin_accept_loop(ThreadContext& tc, tcp::acceptor& acc);

// The control socket: the same API on a unix socket only its owner can open (0600 in a 0700
// directory), so neither the Host check nor the token applies there.
using local_acceptor = asio::local::stream_protocol::acceptor;
// Binds `path` (its directory made owner-only when missing; a stale socket replaced).
// "" done, else why not; `in_use`: another process answers on it.
std::string open_control_socket(local_acceptor& acc, const std::string& path, bool& in_use);
awaitable<void> control_accept_loop(ThreadContext& tc, local_acceptor& acc);

}  // namespace cutover
