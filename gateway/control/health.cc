#include "control/health.h"

#include "core/log.h"

namespace cutover {
namespace {

// Runs until the snapshot it was started for is replaced (a reload starts new loops).
awaitable<void> check_loop(ThreadContext& tc, std::shared_ptr<const Snapshot> snap, PoolRuntime& pool_rt,
                           std::shared_ptr<BackendRuntime> backend_ptr) {
  const PoolSpec& pool = *pool_rt.spec;
  BackendRuntime& backend = *backend_ptr;
  Upstream* up = find_upstream(pool.protocol);
  HealthStreak streak;
  asio::steady_timer timer(tc.io);
  bool ever_up = backend.healthy.load(), told = false;
  while (!tc.rt.draining.load() && tc.snap->generation == snap->generation) {
    std::string why;
    bool ok = co_await up->check(ExchangeContext(tc), pool_rt, backend, why);
    bool was = backend.healthy.load();
    bool now = streak.update(ok, was, pool.health.rise, pool.health.fall);
    if (now != was) {
      backend.healthy.store(now);
      if (now) log::info("backend " + backend.spec.address + " (pool " + pool.name + ") is up: health check passed");
      else
        log::error("backend " + backend.spec.address + " (pool " + pool.name + ") is down: " + std::to_string(pool.health.fall) +
                   " health checks failed, last: " + why + " (GET " + pool.health.path + ")");
    } else if (!ok && was) {
      log::warn("backend " + backend.spec.address + " (pool " + pool.name + "): health check failed: " + why);
    } else if (!ok && !ever_up && !told) {
      // A backend that never passed gets no traffic: say so once, with the reason.
      told = true;
      log::error("backend " + backend.spec.address + " (pool " + pool.name + ") is down: its health checks fail from the start, last: " +
                 why + " (GET " + pool.health.path + ")");
    }
    ever_up = ever_up || now;
    timer.expires_after(pool.health.interval);
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace

void start_health_checks(ThreadContext& tc) {
  for (auto& p : tc.snap->pools) {
    if (!p->spec->health.enabled) continue;
    for (auto& b : p->backends) asio::co_spawn(tc.io, check_loop(tc, tc.snap, *p, b), asio::detached);
  }
}

}  // namespace cutover
