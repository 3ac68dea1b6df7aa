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
