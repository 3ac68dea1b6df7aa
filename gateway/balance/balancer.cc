#include "balance/balancer.h"

namespace cutover {
namespace {

// Shortest queue first: fewest in-flight requests per unit of weight; ties broken at random
// so that an idle pool still spreads load.
std::optional<size_t> pick_sqf(std::span<const BackendLoad> b, const Tried& tried, Rng& rng) {
  std::optional<size_t> best;
  uint32_t ties = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!b[i].available || tried.has(i) || b[i].weight == 0) continue;
    if (!best) {
      best = i;
      ties = 1;
      continue;
    }
    // Compare (in_flight+1)/weight without division.
    uint64_t lhs = uint64_t(b[i].in_flight + 1) * b[*best].weight;
    uint64_t rhs = uint64_t(b[*best].in_flight + 1) * b[i].weight;
    if (lhs < rhs) {
      best = i;
      ties = 1;
    } else if (lhs == rhs && rng.below(++ties) == 0) {
      best = i;  // reservoir sampling over equal candidates
    }
  }
  return best;
}

// Smooth weighted round-robin (as in nginx): each pick adds every weight to its
// backend's current value, takes the largest, and subtracts the total from it.
std::optional<size_t> pick_round_robin(std::span<const BackendLoad> b, const Tried& tried,
                                       BalanceState& st) {
  if (st.current.size() != b.size()) st.current.assign(b.size(), 0);
  std::optional<size_t> best;
  int64_t total = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!b[i].available || tried.has(i) || b[i].weight == 0) continue;
    st.current[i] += b[i].weight;
    total += b[i].weight;
    if (!best || st.current[i] > st.current[*best]) best = i;
  }
  if (best) st.current[*best] -= total;
  return best;
}

}  // namespace

std::optional<size_t> pick_backend(BalancerKind kind, std::span<const BackendLoad> backends,
                                   const Tried& tried, BalanceState& state, Rng& rng) {
  switch (kind) {
    case BalancerKind::sqf: return pick_sqf(backends, tried, rng);
    case BalancerKind::round_robin: return pick_round_robin(backends, tried, state);
  }
  return std::nullopt;
}

}  // namespace cutover
