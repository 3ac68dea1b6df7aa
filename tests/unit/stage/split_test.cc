#include "stage/split.h"

#include <gtest/gtest.h>

#include <random>

namespace cutover::stage {
namespace {

TEST(Siphash, ReferenceVectors) {
  // From the SipHash paper (Aumasson, Bernstein): key 00..0f, messages 00..(n-1).
  uint8_t key[16];
  for (int i = 0; i < 16; ++i) key[i] = uint8_t(i);
  std::string msg;
  EXPECT_EQ(siphash(key, msg), 0x726fdb47dd0e0e31ull);
  for (int i = 0; i < 15; ++i) msg += char(i);
  EXPECT_EQ(siphash(key, msg), 0xa129ca6149be45e5ull);
}

// 10,000 simulated users by cookie id and by IP: the realised share is the target within
// one point, at every step of a plan.
TEST(Split, RealisedShareWithinOnePoint) {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> ids(10000);
  for (auto& id : ids) id = rng();
  for (double pct : {1.0, 5.0, 10.0, 25.0, 50.0, 90.0}) {
    uint32_t bp = percent_to_bp(pct);
    int by_id = 0, by_ip = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      by_id += on_new_side(bucket_of_id(ids[i]), bp);
      std::string ip = "10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." + std::to_string(i % 256);
      by_ip += on_new_side(bucket_of_key(ip), bp);
    }
    EXPECT_NEAR(by_id / 100.0, pct, 1.0) << pct;
    EXPECT_NEAR(by_ip / 100.0, pct, 1.0) << pct;
  }
}

// As the share grows users only move old -> new; as it shrinks, only new -> old.
TEST(Split, MonotoneAndSticky) {
  std::mt19937_64 rng(7);
  std::vector<uint32_t> buckets(10000);
  for (auto& b : buckets) b = bucket_of_id(rng());
  std::vector<bool> side(buckets.size(), false);
  for (double pct : {1.0, 10.0, 50.0, 100.0}) {
    for (size_t i = 0; i < buckets.size(); ++i) {
      bool now = on_new_side(buckets[i], percent_to_bp(pct));
      EXPECT_FALSE(side[i] && !now) << "user " << i << " moved back at " << pct;
      side[i] = now;
    }
  }
  EXPECT_EQ(bucket_of_key("203.0.113.9"), bucket_of_key("203.0.113.9")) << "a pure function: instances agree";
}

TEST(Split, CookieIsSignedAndVerified) {
  uint8_t key[16], other[16];
  key_from_secret("s3cret", key);
  key_from_secret("another", other);
  std::string v = make_cookie_value(0x1234abcdull, key);
  ASSERT_EQ(v.size(), 33u);
  EXPECT_EQ(parse_cookie_value(v, key), 0x1234abcdull);
  EXPECT_FALSE(parse_cookie_value(v, other)) << "another instance's secret";
  std::string forged = v;
  forged[15] = forged[15] == '0' ? '1' : '0';  // pick another bucket
  EXPECT_FALSE(parse_cookie_value(forged, key));
  EXPECT_FALSE(parse_cookie_value("garbage", key));
}

TEST(StagePlan, PromoteAndDemoteWalkThePlan) {
  std::vector<double> steps{1, 10, 50};
  StagePoint p{Stage::legacy, 0};
  std::vector<std::string> walk;
  for (int i = 0; i < 7; ++i) {
    walk.push_back(describe(p));
    p = promote(p, steps);
  }
  EXPECT_EQ(walk, (std::vector<std::string>{"legacy", "shadow", "canary 1%", "canary 10%", "canary 50%", "new", "new"}));
  walk.clear();
  for (int i = 0; i < 7; ++i) {
    walk.push_back(describe(p));
    p = demote(p, steps);
  }
  EXPECT_EQ(walk, (std::vector<std::string>{"new", "canary 50%", "canary 10%", "canary 1%", "shadow", "legacy", "legacy"}));
  EXPECT_EQ(describe(promote({Stage::canary, 2500}, steps)), "canary 50%") << "from a hand-set share to the next step";
  EXPECT_EQ(describe(demote({Stage::canary, 2500}, steps)), "canary 10%");
  EXPECT_EQ(describe(promote({Stage::shadow, 0}, {})), "new");
}

}  // namespace
}  // namespace cutover::stage
