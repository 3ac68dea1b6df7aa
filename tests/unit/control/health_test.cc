#include "control/health.h"

#include <gtest/gtest.h>

using cutover::HealthStreak;

namespace {
// Runs a sequence of check results ('+' pass, '-' fail) from `healthy`; returns the states.
std::string run(const char* seq, bool healthy, int rise = 2, int fall = 3) {
  HealthStreak s;
  std::string out;
  for (const char* p = seq; *p; ++p) {
    healthy = s.update(*p == '+', healthy, rise, fall);
    out += healthy ? 'U' : 'D';
  }
  return out;
}
}  // namespace

TEST(HealthStreak, NewBackendServesAfterItsFirstPass) { EXPECT_EQ(run("--+", false), "DDU"); }

TEST(HealthStreak, DownAfterFallFailuresInARow) {
  EXPECT_EQ(run("+--+---", true), "UUUUUUD");
}

TEST(HealthStreak, UpAgainAfterRisePassesInARow) {
  EXPECT_EQ(run("+---+-++", true), "UUUDDDDU");
}
