// How long one backend choice takes, per balancer, for pools of 5 and 50 backends whose
// in-flight counts change between picks as under load. bench/overhead.sh prints it next to
// the CPU a whole proxied request costs, to show what share of a request the choice is.
#include <chrono>
#include <cstdio>
#include <vector>

#include "balance/balancer.h"

using namespace cutover;

namespace {

double ns_per_pick(BalancerKind kind, size_t n) {
  std::vector<BackendLoad> loads(n);
  for (size_t i = 0; i < n; ++i) loads[i].identity = hash_key("127.0.0.1:" + std::to_string(3001 + i));
  Rng rng(42), load_rng(7);
  BalanceState state;
  Tried tried;
  constexpr int kPicks = 2'000'000;
  size_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kPicks; ++i) {
    loads[size_t(i) % n].in_flight = uint32_t(load_rng.below(20));  // the load moves
    auto pick = pick_backend(kind, loads, uint64_t(i) * 0x9E3779B97F4A7C15ull, tried, state, rng);
    sink += pick ? *pick : 0;
  }
  auto t1 = std::chrono::steady_clock::now();
  if (sink == size_t(-1)) std::puts("");  // keeps the loop
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / kPicks;
}

}  // namespace

int main() {
  struct Named {
    const char* name;
    BalancerKind kind;
  } kinds[] = {{"first", BalancerKind::first},           {"round-robin", BalancerKind::round_robin},
               {"sqf", BalancerKind::sqf},               {"least-conn", BalancerKind::least_conn},
               {"hash", BalancerKind::hash}};
  std::printf("| balancer | ns per pick, 5 backends | ns per pick, 50 backends |\n|---|---|---|\n");
  for (auto& k : kinds) std::printf("| %s | %.1f | %.1f |\n", k.name, ns_per_pick(k.kind, 5), ns_per_pick(k.kind, 50));
  return 0;
}
