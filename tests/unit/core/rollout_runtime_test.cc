#include <gtest/gtest.h>

#include "core/runtime.h"

namespace cutover {
namespace {

TEST(RolloutRuntime, CompareRateIsSmooth) {
  RolloutRuntime rr;
  int taken = 0;
  for (int i = 0; i < 500; ++i) taken += rr.take_rate(1000, 5000);  // a burst at one instant
  EXPECT_EQ(taken, 101) << "at most 100 ms worth at once";
  for (int64_t t = 5001; t < 6000; ++t)
    for (int i = 0; i < 5; ++i) taken += rr.take_rate(1000, t);
  EXPECT_NEAR(taken, 1100, 2) << "then one per millisecond: a second's budget";
  EXPECT_TRUE(rr.take_rate(0, 6000)) << "0: no limit";
  RolloutRuntime slow;
  int n = 0;
  for (int64_t t = 0; t < 10000; t += 10) n += slow.take_rate(5, t);  // 5/s over 10 s
  EXPECT_NEAR(n, 50, 1);
}

TEST(RolloutRuntime, StagePointPacksStageAndShare) {
  RolloutRuntime rr;
  rr.store_point({stage::Stage::canary, 2550});
  EXPECT_EQ(rr.load_point().stage, stage::Stage::canary);
  EXPECT_EQ(rr.load_point().share_bp, 2550u);
  rr.store_point({stage::Stage::new_, stage::kBuckets});
  EXPECT_EQ(rr.load_point().share_bp, stage::kBuckets);
}

DiffSample sample(const std::string& target, const std::string& a, const std::string& b, int status_b = 200) {
  DiffSample s;
  s.method = "GET";
  s.target = target;
  s.status_a = 200;
  s.status_b = status_b;
  s.diffs.push_back({"json:/price", a, b});
  return s;
}

TEST(RolloutRuntime, IdenticalDifferencesAreOneSampleWithACount) {
  RolloutRuntime rr;
  std::lock_guard<std::mutex> g(rr.mu);
  for (int i = 0; i < 50; ++i) rr.add_sample_locked(sample("/cart?i=" + std::to_string(i % 7), "10", "12"), 3);
  rr.add_sample_locked(sample("/basket", "10", "13"), 3);         // another value: another kind
  rr.add_sample_locked(sample("/cart?i=0", "10", "12", 500), 3);  // another status: another kind
  ASSERT_EQ(rr.samples.size(), 3u);
  EXPECT_EQ(rr.samples[0].count, 50u);
  EXPECT_EQ(rr.samples[0].targets.size(), DiffSample::kTargets) << "the first few distinct targets";
  EXPECT_EQ(rr.samples[0].targets[1], "GET /cart?i=1");
  EXPECT_EQ(rr.samples[0].target, "/cart?i=0") << "the latest (49 % 7)";
  EXPECT_EQ(rr.samples[1].target, "/basket");
  rr.add_sample_locked(sample("/cart?i=3", "10", "12"), 3);  // seen again: moves to the newest end
  EXPECT_EQ(rr.samples.back().count, 51u);
  EXPECT_EQ(rr.samples.front().target, "/basket");
  rr.add_sample_locked(sample("/other", "1", "2"), 3);  // a fourth kind: the oldest goes
  ASSERT_EQ(rr.samples.size(), 3u);
  EXPECT_EQ(rr.samples.front().status_b, 500);
  rr.add_sample_locked(sample("/x", "1", "3"), 0);  // samples = 0: none kept
  EXPECT_EQ(rr.samples.size(), 3u);
}

TEST(Histogram, QuantileIsTheBucketBound) {
  uint64_t counts[kLatencyBuckets + 1] = {};
  EXPECT_EQ(histogram_quantile(counts, 0.99), -1);
  counts[0] = 98;  // <= 1ms
  counts[4] = 2;   // <= 25ms
  EXPECT_EQ(histogram_quantile(counts, 0.5), 1);
  EXPECT_EQ(histogram_quantile(counts, 0.99), 25);
}

}  // namespace
}  // namespace cutover
