#include "balance/balancer.h"

#include <cmath>

namespace cutover {
namespace {

bool eligible(const BackendLoad& b, size_t i, const Tried& tried) {
  return b.available && b.weight > 0 && !tried.has(i);
}

// a has a strictly shorter queue per unit of weight than b: (a+1)/wa < (b+1)/wb.
bool shorter(const BackendLoad& a, const BackendLoad& b) {
  return uint64_t(a.in_flight + 1) * b.weight < uint64_t(b.in_flight + 1) * a.weight;
}

// Shortest queue first: fewest in-flight requests per unit of weight; ties broken at random
// so that an idle pool still spreads load.
std::optional<size_t> pick_sqf(std::span<const BackendLoad> b, const Tried& tried, Rng& rng) {
  std::optional<size_t> best;
  uint32_t ties = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!eligible(b[i], i, tried)) continue;
    if (!best || shorter(b[i], b[*best])) {
      best = i;
      ties = 1;
    } else if (!shorter(b[*best], b[i]) && rng.below(++ties) == 0) {
      best = i;  // reservoir sampling over equal candidates
    }
  }
  return best;
}

// Least connections by the power of two choices: two random eligible backends (weighted),
// the one with the shorter queue wins. O(1) per pick, and it avoids the herd that a strict
// minimum causes when many threads see the same counts.
std::optional<size_t> pick_least_conn(std::span<const BackendLoad> b, const Tried& tried, Rng& rng) {
  uint64_t total = 0;
  size_t count = 0;
  for (size_t i = 0; i < b.size(); ++i)
    if (eligible(b[i], i, tried)) total += b[i].weight, ++count;
  if (count == 0) return std::nullopt;
  // A weighted draw among the eligible backends other than `skip`.
  auto weighted = [&](uint64_t sum, size_t skip) -> size_t {
    uint64_t r = rng.below(sum);
    for (size_t i = 0; i < b.size(); ++i) {
      if (i == skip || !eligible(b[i], i, tried)) continue;
      if (r < b[i].weight) return i;
      r -= b[i].weight;
    }
    return 0;  // unreachable
  };
  size_t x = weighted(total, b.size());
  if (count == 1) return x;
  size_t y = weighted(total - b[x].weight, x);
  return shorter(b[y], b[x]) ? y : x;
}

// Smooth weighted round-robin (as in nginx): each pick adds every weight to its
// backend's current value, takes the largest, and subtracts the total from it.
std::optional<size_t> pick_round_robin(std::span<const BackendLoad> b, const Tried& tried,
                                       BalanceState& st) {
  if (st.current.size() != b.size()) st.current.assign(b.size(), 0);
  std::optional<size_t> best;
  int64_t total = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!eligible(b[i], i, tried)) continue;
    st.current[i] += b[i].weight;
    total += b[i].weight;
    if (!best || st.current[i] > st.current[*best]) best = i;
  }
  if (best) st.current[*best] -= total;
  return best;
}

uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Consistent hashing by highest random weight (rendezvous): each backend scores the key,
// the highest score wins. Removing a backend moves only its own keys; adding one takes
// about 1/N of the keys. Weighted with the logarithm method (score = -w / ln(u)).
std::optional<size_t> pick_hash(std::span<const BackendLoad> b, uint64_t key, const Tried& tried) {
  std::optional<size_t> best;
  double best_score = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!eligible(b[i], i, tried)) continue;
    uint64_t h = mix(key ^ mix(b[i].identity));
    double u = (double(h >> 11) + 0.5) / 9007199254740992.0;  // (0, 1)
    double score = -double(b[i].weight) / std::log(u);
    if (!best || score > best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

// Failover order (lighttpd 1.5 "static"): the first eligible backend.
std::optional<size_t> pick_first(std::span<const BackendLoad> b, const Tried& tried) {
  for (size_t i = 0; i < b.size(); ++i)
    if (eligible(b[i], i, tried)) return i;
  return std::nullopt;
}

}  // namespace

uint64_t hash_key(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return mix(h);
}

const char* balancer_name(BalancerKind k) {
  switch (k) {
    case BalancerKind::sqf: return "sqf";
    case BalancerKind::round_robin: return "round-robin";
    case BalancerKind::least_conn: return "least-conn";
    case BalancerKind::hash: return "hash";
    case BalancerKind::sticky: return "sticky";
    case BalancerKind::first: return "first";
  }
  return "?";
}

std::optional<size_t> pick_backend(BalancerKind kind, std::span<const BackendLoad> backends,
                                   uint64_t key, const Tried& tried, BalanceState& state, Rng& rng) {
  switch (kind) {
    case BalancerKind::sqf: return pick_sqf(backends, tried, rng);
    case BalancerKind::round_robin: return pick_round_robin(backends, tried, state);
    case BalancerKind::least_conn: return pick_least_conn(backends, tried, rng);
    case BalancerKind::hash:
    case BalancerKind::sticky: return pick_hash(backends, key, tried);
    case BalancerKind::first: return pick_first(backends, tried);
  }
  return std::nullopt;
}

}  // namespace cutover
