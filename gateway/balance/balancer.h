// The balance layer: a pure function of (backends with weight, in-flight count and
// availability; the request's key; backends already tried; per-thread balancer state;
// randomness) -> backend. No sockets, no protocol, no clock.
#pragma once
#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "balance/kind.h"

namespace cutover {

struct BackendLoad {
  uint32_t weight = 1;
  uint32_t in_flight = 0;
  bool available = true;  // not disabled, not draining
  uint64_t identity = 0;  // hash of the backend's address: stable across config changes
};

// Deterministic pseudo-random source (splitmix64); tests seed it.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }

 private:
  uint64_t s_;
};

// Mutable per-pool, per-thread state some balancers keep (smooth weighted round-robin).
struct BalanceState {
  std::vector<int64_t> current;
};

constexpr size_t kMaxBackendsPerPool = 1024;

// The backends one request has already tried (no allocation on the request path).
class Tried {
 public:
  void add(size_t i) { bits_.set(i); }
  void remove(size_t i) { bits_.reset(i); }
  bool has(size_t i) const { return i < bits_.size() && bits_.test(i); }
  size_t count() const { return bits_.count(); }

 private:
  std::bitset<kMaxBackendsPerPool> bits_;
};

// 64-bit FNV-1a, then mixed: the hash used for request keys and backend identities.
uint64_t hash_key(std::string_view s);

// Picks an available, untried backend, or nullopt when none is left. `key` is the hash of
// the request's key (hash and sticky balancers); the others ignore it.
std::optional<size_t> pick_backend(BalancerKind kind, std::span<const BackendLoad> backends,
                                   uint64_t key, const Tried& tried, BalanceState& state, Rng& rng);

}  // namespace cutover
