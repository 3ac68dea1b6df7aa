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
    auto p = pick_backend(k, b, 0, Tried(), st, rng);
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
  EXPECT_EQ(*pick_backend(BalancerKind::sqf, b, 0, Tried(), st, rng), 1u);
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
  EXPECT_EQ(*pick_backend(BalancerKind::sqf, b, 0, Tried(), st, rng), 1u);
}

// Each pick adds one in-flight request; requests complete in FIFO order, so the queue
// stays `depth` deep. Returns how often each backend was picked.
std::vector<int> simulate(BalancerKind k, std::vector<BackendLoad> b, size_t depth, int picks, uint64_t seed) {
  Rng rng(seed);
  BalanceState st;
  std::vector<size_t> queue;
  std::vector<int> h(b.size());
  for (int i = 0; i < picks; ++i) {
    size_t p = *pick_backend(k, b, 0, Tried(), st, rng);
    ++b[p].in_flight;
    ++h[p];
    queue.push_back(p);
    if (queue.size() > depth) {
      --b[queue.front()].in_flight;
      queue.erase(queue.begin());
    }
  }
  return h;
}

TEST(Sqf, SimulatedLoadFollowsWeights) {
  auto h = simulate(BalancerKind::sqf, {{1, 0, true}, {2, 0, true}, {3, 0, true}}, 30, 60000, 7);
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
  for (int i = 0; i < 7; ++i) seq += char('a' + *pick_backend(BalancerKind::round_robin, b, 0, Tried(), st, rng));
  EXPECT_EQ(seq, "aabacaa");
}

TEST(RoundRobin, DistributionFollowsWeights) {
  auto h = histogram(BalancerKind::round_robin, {{1, 0, true}, {2, 0, true}, {3, 0, true}, {4, 0, true}}, 10000);
  EXPECT_EQ(h, (std::vector<int>{1000, 2000, 3000, 4000}));
}

TEST(Balancers, SkipUnavailableAndTriedBackends) {
  for (BalancerKind k : {BalancerKind::sqf, BalancerKind::round_robin, BalancerKind::least_conn,
                         BalancerKind::hash, BalancerKind::first}) {
    std::vector<BackendLoad> b{{1, 0, false}, {1, 0, true}, {1, 0, true}};
    Rng rng(3);
    BalanceState st;
    Tried tried;
    tried.add(2);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(*pick_backend(k, b, 0, tried, st, rng), 1u);
    tried.add(1);
    EXPECT_FALSE(pick_backend(k, b, 0, tried, st, rng));
  }
}

TEST(Balancers, DownBackendsTrafficMovesToTheOthers) {
  for (BalancerKind k : {BalancerKind::sqf, BalancerKind::round_robin, BalancerKind::least_conn}) {
    auto h = histogram(k, {{1, 0, true}, {1, 0, false}, {1, 0, true}}, 10000);
    EXPECT_EQ(h[1], 0);
    EXPECT_NEAR(h[0], 5000, 300);
    EXPECT_NEAR(h[2], 5000, 300);
  }
}

namespace {
std::vector<BackendLoad> named(int n) {
  std::vector<BackendLoad> b;
  for (int i = 0; i < n; ++i) b.push_back({1, 0, true, hash_key("127.0.0.1:" + std::to_string(3001 + i))});
  return b;
}
size_t pick_for(const std::vector<BackendLoad>& b, const std::string& key) {
  Rng rng(1);
  BalanceState st;
  return *pick_backend(BalancerKind::hash, b, hash_key(key), Tried(), st, rng);
}
}  // namespace

TEST(LeastConn, PrefersTheShorterOfTwoChoices) {
  // One backend is loaded: it is picked only when both random choices land on it, which
  // power-of-two choices avoids by drawing two distinct backends.
  std::vector<BackendLoad> b{{1, 50, true}, {1, 0, true}, {1, 0, true}};
  Rng rng(11);
  BalanceState st;
  int loaded = 0;
  for (int i = 0; i < 10000; ++i) loaded += *pick_backend(BalancerKind::least_conn, b, 0, Tried(), st, rng) == 0;
  EXPECT_EQ(loaded, 0);
}

TEST(LeastConn, SimulatedLoadFollowsWeights) {
  auto h = simulate(BalancerKind::least_conn, {{1, 0, true}, {1, 0, true}, {2, 0, true}, {4, 0, true}}, 40, 80000, 5);
  EXPECT_NEAR(h[0], 10000, 2000);
  EXPECT_NEAR(h[1], 10000, 2000);
  EXPECT_NEAR(h[2], 20000, 2500);
  EXPECT_NEAR(h[3], 40000, 3000);
}

TEST(Hash, SameKeySameBackendAndEvenSpread) {
  auto b = named(5);
  std::vector<int> h(5);
  for (int i = 0; i < 50000; ++i) {
    std::string key = "/item/" + std::to_string(i);
    size_t p = pick_for(b, key);
    EXPECT_EQ(pick_for(b, key), p);
    ++h[p];
  }
  for (int n : h) EXPECT_NEAR(n, 10000, 600);
}

TEST(Hash, RemovingOneOfNMovesOnlyItsKeys) {
  auto five = named(5);
  auto four = five;
  four.erase(four.begin() + 2);  // backend 3003 leaves
  int moved = 0;
  const int keys = 20000;
  for (int i = 0; i < keys; ++i) {
    std::string key = "k" + std::to_string(i);
    size_t before = pick_for(five, key);
    size_t after = pick_for(four, key);
    uint64_t id_before = five[before].identity, id_after = four[after].identity;
    if (id_before != id_after) {
      ++moved;
      EXPECT_EQ(before, 2u) << "a key moved that was not on the removed backend";
    }
  }
  EXPECT_NEAR(double(moved) / keys, 1.0 / 5, 0.02);
}

TEST(Hash, AddingOneMovesAboutOneNth) {
  auto five = named(5);
  auto six = named(6);
  int moved = 0;
  const int keys = 20000;
  for (int i = 0; i < keys; ++i) {
    std::string key = "k" + std::to_string(i);
    if (five[pick_for(five, key)].identity != six[pick_for(six, key)].identity) ++moved;
  }
  EXPECT_NEAR(double(moved) / keys, 1.0 / 6, 0.02);
}

TEST(Hash, WeightsShiftTheShare) {
  auto b = named(2);
  b[1].weight = 3;
  int second = 0;
  for (int i = 0; i < 40000; ++i) second += pick_for(b, "u" + std::to_string(i)) == 1;
  EXPECT_NEAR(double(second) / 40000, 0.75, 0.02);
}

TEST(Hash, FailoverGoesToTheNextBestAndBack) {
  auto b = named(3);
  size_t home = pick_for(b, "user-42");
  b[home].available = false;
  size_t away = pick_for(b, "user-42");
  EXPECT_NE(away, home);
  b[home].available = true;
  EXPECT_EQ(pick_for(b, "user-42"), home);
}

TEST(First, FailoverOrder) {
  std::vector<BackendLoad> b{{1, 9, true}, {1, 0, true}, {1, 0, true}};
  Rng rng(1);
  BalanceState st;
  EXPECT_EQ(*pick_backend(BalancerKind::first, b, 0, Tried(), st, rng), 0u);
  b[0].available = false;
  EXPECT_EQ(*pick_backend(BalancerKind::first, b, 0, Tried(), st, rng), 1u);
}
