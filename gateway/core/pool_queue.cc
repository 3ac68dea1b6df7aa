#include "core/pool_queue.h"

#include <unistd.h>

#include <algorithm>

#include "core/runtime.h"

namespace cutover {

HandedConn& HandedConn::operator=(HandedConn&& o) noexcept {
  if (this != &o) {
    reset();
    fd = o.fd;
    family = o.family;
    slot = std::move(o.slot);
    requests = o.requests;
    o.fd = -1;
  }
  return *this;
}

void HandedConn::reset() {
  if (fd >= 0) ::close(fd);
  fd = -1;
  if (slot) slot->fetch_sub(1, std::memory_order_relaxed);
  slot.reset();
}

PoolQueue::Waiter::~Waiter() {
  if (queue) queue->leave(*this);
  if (granted) granted->in_flight.fetch_sub(1);
}

bool PoolQueue::join(Waiter& w, uint32_t limit) {
  std::lock_guard<std::mutex> g(mu_);
  if (q_.size() >= limit) return false;
  w.queue = this;
  w.queued = true;
  w.granted = nullptr;
  q_.push_back(&w);
  size_.fetch_add(1);
  return true;
}

void PoolQueue::leave(Waiter& w) {
  std::lock_guard<std::mutex> g(mu_);
  if (!w.queued) return;
  auto it = std::find(q_.begin(), q_.end(), &w);
  if (it != q_.end()) q_.erase(it);
  w.queued = false;
  size_.fetch_sub(1);
}

bool PoolQueue::waiting(const Waiter& w) {
  std::lock_guard<std::mutex> g(mu_);
  return w.queued;
}

void PoolQueue::dispatch(Grant& g, asio::io_context* here, const Waiter* self) {
  // Few at once: a slot or two comes free per finished request.
  std::vector<Wake::Remote> local, remote;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = q_.begin(); it != q_.end() && g.any_room();) {
      Waiter& w = **it;
      BackendRuntime* b = g.acquire_for(w);
      if (!b) {
        ++it;
        continue;
      }
      w.granted = b;
      if (w.wake.loop() != here) w.conn = g.connection_for(*b, w);
      w.queued = false;
      it = q_.erase(it);
      size_.fetch_sub(1);
      if (&w == self) continue;
      (w.wake.loop() == here ? local : remote).push_back(w.wake);
    }
  }
  for (auto& r : remote) r.wake();
  for (auto& r : local) r.wake_here();
}

}  // namespace cutover
