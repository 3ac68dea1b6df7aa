// What one exchange (or a health check) may use of the event loop it runs on, and nothing
// else of it: the executor for its sockets and timers, this loop's idle connections, the
// clock, asking the other loops for an idle connection, and giving a slot back outside a
// request. Adapters get this, never the loop's ThreadContext. One pointer pair, by value.
#pragma once
#include <memory>

#include "core/asio.h"
#include "core/runtime.h"
#include "core/up_conn.h"

namespace cutover {

struct ThreadContext;

class ExchangeContext {
 public:
  explicit ExchangeContext(ThreadContext& tc);
  asio::io_context& io() const;
  int64_t now() const { return rt_->clock(); }
  // An idle connection of this loop to `backend`, or null. Stale ones are closed on the
  // way; one that sent bytes after its answer is logged; `closed_after_one` counts those
  // the backend closed after a single request.
  std::unique_ptr<UpConn> take_idle(const PoolSpec& pool, const BackendRuntime& backend,
                                    int* closed_after_one = nullptr) const;
  // Keeps `c` for a later request to `backend` (up to the pool's keepalive_idle).
  void keep(const PoolSpec& pool, const BackendRuntime& backend, std::unique_ptr<UpConn> c) const;
  // Asks the other loops to hand one of their idle connections to `backend` over to this
  // one; it arrives in this loop's idle connections. Nothing with one loop.
  void ask_for_idle(const PoolSpec& pool, const BackendRuntime& backend) const;
  // A slot of `pool` was given back outside a request (a health check's): the pool's
  // queue goes on. Nothing once the server stopped (the loops may be gone).
  void slot_freed(PoolRuntime& pool) const;

 private:
  ThreadContext* tc_;
  Runtime* rt_;  // outlives the loops: checked before touching tc_
};

}  // namespace cutover
