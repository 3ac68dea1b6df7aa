// One exchange's connection, the same for every backend protocol: an idle connection of
// this loop to the backend, else a new one; and once more on a new one when the failure
// allows it (Failure::retry_on_new_connection: a kept connection the backend closed just
// as it was used). The adapter says what it does with the connection: a Use, derived from
// ConnectionUse, whose steps the connector calls (a template, so that the hot path pays no
// indirect call and no coroutine frame beyond the adapter's own send and relay).
#pragma once
#include <memory>

#include "core/asio.h"
#include "core/exchange_context.h"
#include "core/failure.h"
#include "core/up_conn.h"
#include "core/upstream.h"

namespace cutover {

// One exchange's parties, as Upstream::exchange() got them.
struct Exchange {
  ExchangeContext x;
  const PoolSpec& pool;
  BackendRuntime& backend;
  const ForwardRequest& req;
  BodySource& body;
  ResponseSink& sink;
};

// The steps a Use gives (these are the defaults of the optional ones):
//   bool send_now(UpConn&, Failure&)            the request without suspending: true when
//                                               all of it went out (else `send` follows)
//   awaitable<Failure> send(UpConn&)            the request (what send_now left)
//   awaitable<Failure> relay(unique_ptr<UpConn>&, bool& got_bytes)
//                                               the answer into the sink; on success the
//                                               Use may keep the connection (ExchangeContext::keep)
//   bool replayable()                           the request can be sent again
//   void retrying(const UpConn* failed)         before the retry on a new connection
struct ConnectionUse {
  explicit ConnectionUse(const Exchange& e) : ex(e) {}
  // No idle connection: the adapter's own way to one before connecting anew (FastCGI's
  // kept connections, handed over by another loop). Leaves `c` null to connect.
  awaitable<Failure> when_none_idle(std::unique_ptr<UpConn>&) { co_return Failure{}; }
  // A new connection, before it connects (what it holds is given back if that fails) and after.
  void before_connect(UpConn&) {}
  void connected(UpConn&) {}
  // Idle connections the backend had closed after one request each, found on the way.
  void closed_idle(int) {}
  bool send_now(UpConn&, Failure&) { return false; }

  Exchange ex;
  bool never_idle = false;  // the request must not ride an idle connection (an upgrade)
  bool custom_wait = false;  // when_none_idle has a way of its own (else it is not awaited)
};

// Runs `use` over a connection to its exchange's backend: see above. The Use lives in
// this coroutine's frame.
template <class Use>
awaitable<Failure> exchange_over_connection(Use use) {
  const Exchange& e = use.ex;
  bool retried_fresh = false;
  while (true) {
    // The retry takes a new connection: the other idle ones may be just as stale.
    int closed_idle = 0;
    std::unique_ptr<UpConn> c = use.never_idle || retried_fresh ? nullptr : e.x.take_idle(e.pool, e.backend, &closed_idle);
    if (closed_idle) use.closed_idle(closed_idle);
    if (!c && use.custom_wait)
      if (Failure f = co_await use.when_none_idle(c)) co_return f;
    bool reused = c != nullptr;
    if (!c) {
      c = std::make_unique<UpConn>(e.x.io().get_executor());
      use.before_connect(*c);
      if (Failure f = co_await connect_backend(c->sock, e.backend.spec, e.req.timeouts.connect)) co_return f;
      use.connected(*c);
    }
    if (e.req.times) e.req.times->connected = e.x.now();
    Failure f;
    if (!use.send_now(*c, f) && !f) f = co_await use.send(*c);
    bool got_bytes = false;
    if (!f) f = co_await use.relay(c, got_bytes);
    if (!f) co_return f;
    if (!retried_fresh && f.retry_on_new_connection(reused, got_bytes || e.sink.started(), use.replayable(), e.req.idempotent)) {
      use.retrying(c.get());
      retried_fresh = true;
      continue;
    }
    co_return f;
  }
}

}  // namespace cutover
