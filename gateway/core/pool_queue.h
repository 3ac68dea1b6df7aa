// A pool's queue of requests waiting for a backend under max_conns: one arrival order for
// every thread. A slot that comes free is handed to the oldest waiter that may use it,
// whichever threads the waiter and the finished request live on, and the in-flight slot
// passes straight to it, so a request that arrives later cannot take it in between.
// The lock is taken only when somebody waits: a request that finds room, and one that
// ends with nobody queued, touch one atomic each (see release_slot in core/upstream.h).
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "balance/balancer.h"
#include "core/wake.h"

namespace cutover {

struct BackendRuntime;

// An idle backend connection on its way from one thread's loop to another's: the socket
// leaves the first loop's reactor and is adopted by the second (core/upstream.cc).
struct HandedConn {
  int fd = -1;
  int family = 0;
  std::shared_ptr<std::atomic<int>> slot;  // UpConn::slot, travelling with it
  uint32_t requests = 0;
  HandedConn() = default;
  HandedConn(HandedConn&& o) noexcept : fd(o.fd), family(o.family), slot(std::move(o.slot)), requests(o.requests) { o.fd = -1; }
  HandedConn& operator=(HandedConn&& o) noexcept;
  ~HandedConn() { reset(); }
  void reset();  // closes it (and gives its keep slot back) if it was not adopted
  explicit operator bool() const { return fd >= 0; }
};

class PoolQueue {
 public:
  // One waiting request, owned by its session on its own thread. The queue's lock guards
  // `granted`, `conn` and `queued`; `tried` is fixed while it waits.
  struct Waiter {
    Waiter() = default;
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    // A waiter that goes away while queued (its session destroyed at shutdown) leaves, and
    // gives back a slot granted to it that it never took.
    ~Waiter();
    PoolQueue* queue = nullptr;  // set by join
    Wake::Remote wake;
    Tried tried;
    BackendRuntime* granted = nullptr;  // an in-flight slot on it is held for this waiter
    HandedConn conn;                    // an idle connection to `granted` that came along
    bool queued = false;
  };

  // Joins at the end; false when `limit` requests wait already.
  bool join(Waiter& w, uint32_t limit);
  // Leaves the queue if still in it. After this, no other thread touches `w`, and the
  // waiter owns whatever was granted to it.
  void leave(Waiter& w);
  // Requests waiting now. Read after giving a slot back (both sequentially consistent):
  // either the releaser sees a waiter that joined, or that waiter sees the slot.
  uint32_t size() const { return size_.load(); }
  // Whether `w` still waits (else what was granted to it is its own now).
  bool waiting(const Waiter& w);
  // Takes the slot granted to `w` (null: none): the caller holds it from now on.
  static BackendRuntime* take_grant(Waiter& w) { return std::exchange(w.granted, nullptr); }

  // What dispatch needs of the pool: its backends and cap, and what a grant may carry.
  struct Grant {
    virtual ~Grant() = default;
    // The backend with room a waiter may take (not tried by it, available), or null; takes
    // its in-flight slot.
    virtual BackendRuntime* acquire_for(const Waiter& w) = 0;
    // Whether any backend has room at all (else the pass stops early).
    virtual bool any_room() = 0;
    // An idle connection to `b` to hand to a waiter on another loop, or none.
    virtual HandedConn connection_for(BackendRuntime& b, const Waiter& w) = 0;
  };
  // Hands free slots to waiters, oldest first (a waiter that cannot use any free backend
  // is passed over, not a block for those behind it). Waiters on `here` are woken inline
  // after the lock is dropped (they take their slot before the caller goes on), others
  // through their loop; `self`, the caller's own waiter, is not woken.
  void dispatch(Grant& g, asio::io_context* here, const Waiter* self = nullptr);

 private:
  std::mutex mu_;
  std::deque<Waiter*> q_;  // arrival order
  std::atomic<uint32_t> size_{0};
};

}  // namespace cutover
