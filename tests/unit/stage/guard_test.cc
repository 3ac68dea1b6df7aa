#include "stage/guard.h"

#include <gtest/gtest.h>

namespace cutover::stage {
namespace {

GuardLimits limits() {
  GuardLimits l;
  l.max_error_rate = 0.05;
  l.max_p99_ratio = 2.0;
  l.max_diff_rate = 0.2;
  l.window_ms = 10000;
  l.min_requests = 20;
  l.bucket_bounds_ms = {1, 5, 10, 50, 100, 500};
  return l;
}

// Feeds one sample per second: `n` answers a second to each side, of which `bad` 5xx on
// the new side, `diff` different of `n` compared, latencies in the given buckets.
void feed(GuardWindow& w, GuardSample& s, int seconds, int n, int bad, int diff, size_t primary_bucket, size_t new_bucket) {
  for (int i = 0; i < seconds; ++i) {
    s.t_ms += 1000;
    s.primary_answers += n;
    s.new_answers += n;
    s.new_5xx += bad;
    s.compared += n;
    s.different += diff;
    s.primary_latency[primary_bucket] += n;
    s.new_latency[new_bucket] += n;
    w.add(s, 10000);
  }
}

GuardSample start() {
  GuardSample s;
  s.primary_latency.assign(7, 0);
  s.new_latency.assign(7, 0);
  return s;
}

TEST(Guard, CleanWindowThenTripsOnEachLimit) {
  GuardWindow w;
  GuardSample s = start();
  w.add(s, 10000);
  feed(w, s, 5, 10, 0, 0, 2, 2);
  EXPECT_EQ(w.judge(limits()).kind, Verdict::none) << "half a window: no verdict yet";
  feed(w, s, 6, 10, 0, 0, 2, 2);
  EXPECT_EQ(w.judge(limits()).kind, Verdict::clean);
  feed(w, s, 3, 10, 3, 0, 2, 2);  // 9 errors in ~100 answers over the window
  Verdict v = w.judge(limits());
  EXPECT_EQ(v.kind, Verdict::trip);
  EXPECT_NE(v.why.find("candidate error rate"), std::string::npos) << v.why;

  GuardWindow d;
  GuardSample s2 = start();
  d.add(s2, 10000);
  feed(d, s2, 11, 10, 0, 5, 2, 2);
  v = d.judge(limits());
  EXPECT_EQ(v.kind, Verdict::trip);
  EXPECT_NE(v.why.find("difference rate 0.500 > 0.200"), std::string::npos) << v.why;

  GuardWindow p;
  GuardSample s3 = start();
  p.add(s3, 10000);
  feed(p, s3, 11, 10, 0, 0, 1, 4);  // legacy p99 5ms, candidate 100ms
  v = p.judge(limits());
  EXPECT_EQ(v.kind, Verdict::trip);
  EXPECT_NE(v.why.find("candidate p99 100ms > 2.00 x legacy p99 5ms"), std::string::npos) << v.why;
}

// A window after `seconds` of one answer a second, `bad` of them 5xx in all, the last ones.
Verdict judged_after(int seconds, int bad) {
  GuardWindow w;
  GuardSample s = start();
  w.add(s, 10000);
  feed(w, s, seconds - bad, 1, 0, 0, 2, 2);
  feed(w, s, bad, 1, 1, 0, 2, 2);
  return w.judge(limits());
}

TEST(Guard, FewAnswersAreAVerdictOnlyWhenEvenTheLowerBoundIsOver) {
  Verdict v = judged_after(2, 2);  // two answers, both bad: at least 34% (95%) > 5%
  EXPECT_EQ(v.kind, Verdict::trip);
  EXPECT_NE(v.why.find("candidate error rate at least 0.342 (95% bound) > 0.050 (2 of 2 answers"), std::string::npos) << v.why;
  EXPECT_EQ(judged_after(11, 1).kind, Verdict::none);  // one bad answer in eleven: could well be under 5%
  EXPECT_NEAR(wilson_lower_bound(1, 11), 0.016, 0.001);
  EXPECT_EQ(wilson_lower_bound(0, 5), 0.0);
}

TEST(Guard, TroubleAgesOutOfTheWindow) {
  GuardWindow w;
  GuardSample s = start();
  w.add(s, 10000);
  feed(w, s, 2, 5, 1, 1, 2, 2);  // 2 bad of 10: a trip while it is in the window
  EXPECT_EQ(w.judge(limits()).kind, Verdict::trip);
  feed(w, s, 12, 10, 0, 0, 2, 2);  // now older than the window
  EXPECT_EQ(w.judge(limits()).kind, Verdict::clean);
}

}  // namespace
}  // namespace cutover::stage
