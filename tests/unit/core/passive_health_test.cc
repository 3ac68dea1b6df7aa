#include "core/passive_health.h"

#include <gtest/gtest.h>

using namespace cutover;

namespace {

PoolSpec pool(int max_fails = 3, int64_t disable_ms = 1000) {
  PoolSpec p;
  p.name = "app";
  p.max_fails = max_fails;
  p.disable_time = Duration(disable_ms);
  return p;
}

Failure reset() { return Failure{FailureKind::reset_before_response, true, "reset"}; }
Failure refused() { return Failure{FailureKind::connect_refused, false, "refused"}; }

}  // namespace

// A fake clock: `now` is passed in, nothing sleeps.
TEST(PassiveHealth, EjectedAfterMaxFailsInARowAndBackByItself) {
  BackendRuntime b;
  PoolSpec p = pool();
  int64_t now = 10'000;
  EXPECT_EQ(note_failure(b, p, reset(), now), 0);
  EXPECT_EQ(note_failure(b, p, reset(), now), 0);
  EXPECT_TRUE(b.available(now));  // resets alone do not disable
  EXPECT_EQ(note_failure(b, p, reset(), now), 1000);
  EXPECT_FALSE(b.available(now));
  EXPECT_FALSE(b.available(now + 999));
  EXPECT_TRUE(b.available(now + 1000));
}

TEST(PassiveHealth, EjectionsInARowDoubleUpTo64Times) {
  BackendRuntime b;
  PoolSpec p = pool(1, 100);
  int64_t now = 0;
  std::vector<int64_t> got;
  for (int i = 0; i < 9; ++i) {
    got.push_back(note_failure(b, p, reset(), now));
    now += got.back();  // fails again as soon as it is back
  }
  EXPECT_EQ(got, (std::vector<int64_t>{100, 200, 400, 800, 1600, 3200, 6400, 6400, 6400}));
  note_success(b);
  EXPECT_EQ(note_failure(b, p, reset(), now), 100);  // a success ends the streak
}

TEST(PassiveHealth, ASuccessResetsTheCount) {
  BackendRuntime b;
  PoolSpec p = pool(3);
  note_failure(b, p, reset(), 0);
  note_failure(b, p, reset(), 0);
  note_success(b);
  EXPECT_EQ(note_failure(b, p, reset(), 0), 0);
  EXPECT_EQ(note_failure(b, p, reset(), 0), 0);
  EXPECT_EQ(note_failure(b, p, reset(), 0), 1000);
}

TEST(PassiveHealth, RefusedConnectDisablesForDisableTime) {
  BackendRuntime b;
  PoolSpec p = pool(5, 2000);
  EXPECT_EQ(note_failure(b, p, refused(), 500), 0);
  EXPECT_FALSE(b.available(500));
  EXPECT_FALSE(b.available(2499));
  EXPECT_TRUE(b.available(2500));
}

TEST(PassiveHealth, ClientFaultsAndMaxFailsZeroEjectNothing) {
  BackendRuntime b;
  PoolSpec p = pool(1);
  EXPECT_EQ(note_failure(b, p, Failure{FailureKind::client_gone, true, "gone"}, 0), 0);
  EXPECT_EQ(note_failure(b, p, Failure{FailureKind::bad_request_body, true, "bad"}, 0), 0);
  EXPECT_EQ(note_failure(b, p, Failure{FailureKind::request_too_large, true, "big"}, 0), 0);
  EXPECT_TRUE(b.available(0));
  PoolSpec off = pool(0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(note_failure(b, off, reset(), 0), 0);
  EXPECT_TRUE(b.available(0));
}
