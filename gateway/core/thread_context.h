// One event loop's context: its io_context, the runtime, the current snapshot, the
// connection cache, balancer state and RNG, the client connections (for a drain).
#pragma once
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "balance/balancer.h"
#include "core/asio.h"
#include "core/runtime.h"
#include "core/up_conn.h"
#include "core/wake.h"

namespace cutover {

struct ThreadContext {
  ThreadContext(asio::io_context& io, Runtime& rt, uint64_t seed) : io(io), rt(rt), rng(seed) {
    adopt(rt.current());
  }
  // Switches this thread to a new snapshot (on reload); requests in flight keep theirs.
  void adopt(std::shared_ptr<const Snapshot> s) {
    balance.assign(s->pools.size(), BalanceState{});
    // A backend the new snapshot does not carry over (its address or weight changed) gets
    // a new id, and its idle connections would never be taken again, yet a kept FastCGI
    // one holds an app process: close them.
    conns.keep_only([&s](size_t id) {
      for (auto& p : s->pools)
        for (auto& b : p->backends)
          if (b->id == id) return true;
      return false;
    });
    snap = std::move(s);
  }
  asio::io_context& io;
  Runtime& rt;
  std::shared_ptr<const Snapshot> snap;  // the current snapshot, as this thread sees it
  ConnCache conns;
  Rng rng;
  std::vector<BalanceState> balance;  // per pool
  std::vector<BackendLoad> loads;     // scratch for the balancer, reused per request
  // Compare copies of this thread waiting for the route's concurrency cap; a copy that ends
  // here wakes the oldest.
  std::deque<asio::steady_timer*> mirror_waiters;
  // The client connections of this thread (registered once per connection, not per
  // request); a drain closes those waiting for their next request.
  // An intrusive list: a parked connection costs no allocation for its entry.
  struct Client {
    tcp::socket* sock;
    bool idle = false;
    Client* prev = nullptr;
    Client* next = nullptr;
  };
  Client* clients = nullptr;
  void add_client(Client* c) {
    c->next = clients;
    if (clients) clients->prev = c;
    clients = c;
  }
  void remove_client(Client* c) {
    (c->prev ? c->prev->next : clients) = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = nullptr;
  }
  // Closes the idle upstream connections past their pool's keepalive_timeout (each loop
  // runs this every second).
  void sweep_idle_upstream(int64_t now) {
    for (auto& p : snap->pools)
      for (auto& b : p->backends) conns.sweep(b->id, now, p->spec->keepalive_timeout);
  }
  void close_idle_clients() {
    for (Client* c = clients; c; c = c->next) {
      error_code ignored;
      if (c->idle) c->sock->cancel(ignored);
    }
  }
};



// A request of `pool` on this thread gave back its in-flight slot (or a slot may have come
// free otherwise): hands what is free to the pool's queue, oldest first, whichever thread
// each waiter is on. Waiters on this thread run at once, up to their next suspension,
// before the caller goes on: the caller must hold nothing they need. `self`: the caller's
// own place in the queue, if it has one. One atomic load when nobody waits.
void serve_queue(ThreadContext& tc, PoolRuntime& pool, const PoolQueue::Waiter* self = nullptr);

}  // namespace cutover
