// A route's guards: over a sliding window of counter samples (one per second, taken on the
// control thread), does the candidate fail too often, answer too slowly against the legacy
// side, or differ too often? Pure: the caller samples and acts on the verdict.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace cutover::stage {

struct GuardSample {
  int64_t t_ms = 0;
  uint64_t primary_answers = 0, new_answers = 0, new_5xx = 0, compared = 0, different = 0;
  std::vector<uint64_t> primary_latency, new_latency;  // cumulative histogram counts
};

struct GuardLimits {
  double max_error_rate = -1, max_p99_ratio = -1, max_diff_rate = -1;  // <0: off
  int64_t window_ms = 60000;
  uint64_t min_requests = 20;
  std::vector<int64_t> bucket_bounds_ms;  // upper bounds of the latency buckets (last: +Inf)
};

struct Verdict {
  enum Kind { none, trip, clean } kind = none;
  std::string why;  // for trip: the numbers that tripped it
};

class GuardWindow {
 public:
  // Keeps the samples of the last `window_ms` (plus the one just before, the baseline).
  void add(GuardSample s, int64_t window_ms);
  Verdict judge(const GuardLimits& l) const;
  void reset() { ring_.clear(); }

 private:
  std::deque<GuardSample> ring_;
};

// The Wilson score interval's lower end (95%) of a failure share: `bad` of `n`.
double wilson_lower_bound(uint64_t bad, uint64_t n);

// Upper bound (ms) of the bucket holding quantile q; -1 when there are no counts.
int64_t quantile_ms(const std::vector<uint64_t>& counts, const std::vector<int64_t>& bounds, double q);

}  // namespace cutover::stage
