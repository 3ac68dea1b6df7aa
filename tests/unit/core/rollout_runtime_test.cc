#include <gtest/gtest.h>

#include "core/runtime.h"

namespace cutover {
namespace {

TEST(RolloutRuntime, CompareRateIsSpreadOverTenthsOfASecond) {
  RolloutRuntime rr;
  int taken = 0;
  for (int i = 0; i < 500; ++i) taken += rr.take_rate(1000, 5000);  // one burst in one tenth
  EXPECT_EQ(taken, 100);
  for (int64_t t = 5100; t < 6000; t += 100)
    for (int i = 0; i < 500; ++i) taken += rr.take_rate(1000, t);
  EXPECT_EQ(taken, 1000) << "a second's budget";
  EXPECT_TRUE(rr.take_rate(0, 6000)) << "0: no limit";
  EXPECT_EQ(rr.take_rate(5, 7000), true) << "a small budget still lets one a tenth through";
  EXPECT_EQ(rr.take_rate(5, 7000), false);
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
