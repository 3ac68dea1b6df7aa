#include "core/connector.h"

#include "core/upstream.h"

namespace cutover {

awaitable<Failure> exchange_over_connection(ConnectionUse& use) {
  const auto& [x, pool, backend, req, body, sink] = use.ex;
  bool retried_fresh = false;
  while (true) {
    // The retry takes a new connection: the other idle ones may be just as stale.
    int closed_idle = 0;
    std::unique_ptr<UpConn> c = use.never_idle || retried_fresh ? nullptr : x.take_idle(pool, backend, &closed_idle);
    if (closed_idle) use.closed_idle(closed_idle);
    if (!c)
      if (Failure f = co_await use.when_none_idle(x, c)) co_return f;
    bool reused = c != nullptr;
    if (!c) {
      c = std::make_unique<UpConn>(x.io().get_executor());
      use.before_connect(*c);
      if (Failure f = co_await connect_backend(c->sock, backend.spec, req.timeouts.connect)) co_return f;
      use.connected(*c);
    }
    if (req.times) req.times->connected = x.now();
    bool got_bytes = false;
    Failure f = co_await use.use(c, got_bytes);
    if (!f) co_return f;
    if (!retried_fresh && f.retry_on_new_connection(reused, got_bytes || sink.started(), use.replayable(), req.idempotent)) {
      use.retrying(c.get());
      retried_fresh = true;
      continue;
    }
    co_return f;
  }
}

}  // namespace cutover
