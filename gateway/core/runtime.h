// Shared runtime state: the config snapshot plus, per backend, the few atomics the request
// path shares between threads (in-flight count, disabled-until time).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "balance/balancer.h"
#include "config/config.h"
#include "core/access_log.h"

namespace cutover {

// Injected time source (milliseconds on a monotonic clock); tests pass a fake.
using Clock = std::function<int64_t()>;
int64_t steady_now_ms();

struct BackendRuntime {
  BackendSpec spec;
  size_t id = 0;  // unique across all pools; keys the per-thread connection cache
  uint64_t identity = 0;  // hash of the address, for consistent hashing
  std::atomic<uint32_t> in_flight{0};
  std::atomic<int64_t> disabled_until_ms{0};

  bool available(int64_t now) const { return disabled_until_ms.load(std::memory_order_relaxed) <= now; }
};

struct PoolRuntime {
  const PoolSpec* spec = nullptr;
  std::vector<std::unique_ptr<BackendRuntime>> backends;
  std::atomic<uint32_t> queued{0};  // requests waiting for a backend under max_conns
};

struct Runtime {
  std::shared_ptr<const Config> config;
  std::vector<std::unique_ptr<PoolRuntime>> pools;  // same order as config->pools
  size_t backend_count = 0;
  Clock clock = steady_now_ms;
  std::atomic<bool> draining{false};   // SIGTERM: finish what is in flight, accept nothing new
  std::atomic<int> sessions{0};        // open client connections, all threads
  std::unique_ptr<AccessLog> access_log;  // null when off

  explicit Runtime(std::shared_ptr<const Config> c);
};

// Counts a request against a backend for as long as it lives. With a cap, acquire() fails
// when another thread took the last slot first (the cap is exact, not approximate).
class InFlight {
 public:
  explicit InFlight(BackendRuntime& b) : b_(b) {}
  bool acquire(uint32_t cap) {
    uint32_t before = b_.in_flight.fetch_add(1, std::memory_order_relaxed);
    if (cap != 0 && before >= cap) {
      b_.in_flight.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    held_ = true;
    return true;
  }
  ~InFlight() {
    if (held_) b_.in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  BackendRuntime& b_;
  bool held_ = false;
};

}  // namespace cutover
