// Distribution tests for every balancer, with fixed seeds.
#include "balance/balancer.h"

#include <gtest/gtest.h>

#include <map>

using namespace cutover;

namespace {
std::vector<int> histogram(BalancerKind k, std::vector<BackendLoad> b, int picks, uint64_t seed = 42) {
  Rng rng(seed);
  BalanceState st;
  std::vector<int> h(b.size());
  for (int i = 0; i < picks; ++i) {
    auto p = pick_backend(k, b, Tried(b.size()), st, rng);
    EXPECT_TRUE(p);
    ++h[*p];
  }
  return h;
}
}  // namespace

TEST(Sqf, PicksTheShortestQueue) {
  std::vector<BackendLoad> b{{1, 5, true}, {1, 2, true}, {1, 9, true}};
  Rng rng(1);
  BalanceState st;
  EXPECT_EQ(*pick_backend(BalancerKind::sqf, b, Tried(3), st, rng), 1u);
}

TEST(Sqf, SpreadsTiesEvenly) {
  auto h = histogram(BalancerKind::sqf, std::vector<BackendLoad>(5, {1, 0, true}), 50000);
  for (int n : h) EXPECT_NEAR(n, 10000, 500);
}

TEST(Sqf, WeighsQueuesByWeight) {
  // Weight 2 with 3 in flight ((3+1)/2 = 2) beats weight 1 with 2 in flight ((2+1)/1 = 3).
  std::vector<BackendLoad> b{{1, 2, true}, {2, 3, true}};
  Rng rng(1);
  BalanceState st;
  EXPECT_EQ(*pick_backend(BalancerKind::sqf, b, Tried(2), st, rng), 1u);
}

TEST(Sqf, SimulatedLoadFollowsWeights) {
  // Each pick adds one in-flight request; requests complete in FIFO order. With the queue
  // kept at depth 30, the share of picks follows the weights.
  std::vector<BackendLoad> b{{1, 0, true}, {2, 0, true}, {3, 0, true}};
  Rng rng(7);
  BalanceState st;
  std::vector<size_t> queue;
  std::vector<int> h(3);
  for (int i = 0; i < 60000; ++i) {
    size_t p = *pick_backend(BalancerKind::sqf, b, Tried(3), st, rng);
    ++b[p].in_flight;
    ++h[p];
    queue.push_back(p);
    if (queue.size() > 30) {
      --b[queue.front()].in_flight;
      queue.erase(queue.begin());
    }
  }
  EXPECT_NEAR(h[0], 10000, 1500);
  EXPECT_NEAR(h[1], 20000, 1500);
  EXPECT_NEAR(h[2], 30000, 1500);
}

TEST(RoundRobin, SmoothWeightedSequence) {
  // nginx's documented smooth sequence for weights 5, 1, 1: a a b a c a a.
  std::vector<BackendLoad> b{{5, 0, true}, {1, 0, true}, {1, 0, true}};
  Rng rng(1);
  BalanceState st;
  std::string seq;
  for (int i = 0; i < 7; ++i) seq += char('a' + *pick_backend(BalancerKind::round_robin, b, Tried(3), st, rng));
  EXPECT_EQ(seq, "aabacaa");
}

TEST(RoundRobin, DistributionFollowsWeights) {
  auto h = histogram(BalancerKind::round_robin, {{1, 0, true}, {2, 0, true}, {3, 0, true}, {4, 0, true}}, 10000);
  EXPECT_EQ(h, (std::vector<int>{1000, 2000, 3000, 4000}));
}

TEST(Balancers, SkipUnavailableAndTriedBackends) {
  for (BalancerKind k : {BalancerKind::sqf, BalancerKind::round_robin}) {
    std::vector<BackendLoad> b{{1, 0, false}, {1, 0, true}, {1, 0, true}};
    Rng rng(3);
    BalanceState st;
    Tried tried(3);
    tried.add(2);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(*pick_backend(k, b, tried, st, rng), 1u);
    tried.add(1);
    EXPECT_FALSE(pick_backend(k, b, tried, st, rng));
  }
}

TEST(Balancers, DownBackendsTrafficMovesToTheOthers) {
  for (BalancerKind k : {BalancerKind::sqf, BalancerKind::round_robin}) {
    auto h = histogram(k, {{1, 0, true}, {1, 0, false}, {1, 0, true}}, 10000);
    EXPECT_EQ(h[1], 0);
    EXPECT_NEAR(h[0], 5000, 300);
    EXPECT_NEAR(h[2], 5000, 300);
  }
}
