#include "stage/guard.h"

#include <cmath>
#include <cstdio>

namespace cutover::stage {

int64_t quantile_ms(const std::vector<uint64_t>& counts, const std::vector<int64_t>& bounds, double q) {
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  if (total == 0) return -1;
  uint64_t want = uint64_t(double(total) * q + 0.999999), seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= want) return i < bounds.size() ? bounds[i] : (bounds.empty() ? 0 : bounds.back() * 2);
  }
  return bounds.empty() ? 0 : bounds.back() * 2;
}

double wilson_lower_bound(uint64_t bad, uint64_t n) {
  if (n == 0) return 0;
  const double z = 1.96, p = double(bad) / double(n), nn = double(n);
  double lb = (p + z * z / (2 * nn) - z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn))) / (1 + z * z / nn);
  return lb > 0 ? lb : 0;  // rounding leaves -1e-17 for no failures
}

void GuardWindow::add(GuardSample s, int64_t window_ms) {
  while (ring_.size() > 1 && s.t_ms - ring_[1].t_ms >= window_ms) ring_.pop_front();
  ring_.push_back(std::move(s));
}

Verdict GuardWindow::judge(const GuardLimits& l) const {
  Verdict v;
  if (ring_.size() < 2) return v;
  const GuardSample& last = ring_.back();
  const GuardSample* base = &ring_.front();  // about one window old (see add)
  uint64_t answers = last.new_answers - base->new_answers;
  uint64_t errors = last.new_5xx - base->new_5xx;
  uint64_t compared = last.compared - base->compared;
  uint64_t different = last.different - base->different;
  char buf[256];
  int64_t span_s = (last.t_ms - base->t_ms) / 1000;
  // Below min_requests a sample is still a verdict when even its 95% lower bound is over
  // the limit (two failures of two: at least 34%): a 1% canary that fails every request is
  // caught within seconds, not after min_requests of its few answers.
  if (l.max_error_rate >= 0 && answers >= 2 && answers < l.min_requests && wilson_lower_bound(errors, answers) > l.max_error_rate) {
    std::snprintf(buf, sizeof buf, "candidate error rate at least %.3f (95%% bound) > %.3f (%llu of %llu answers in %llds)",
                  wilson_lower_bound(errors, answers), l.max_error_rate, (unsigned long long)errors,
                  (unsigned long long)answers, (long long)span_s);
    return {Verdict::trip, buf};
  }
  if (l.max_error_rate >= 0 && answers >= l.min_requests && double(errors) / double(answers) > l.max_error_rate) {
    std::snprintf(buf, sizeof buf, "candidate error rate %.3f > %.3f (%llu of %llu answers in %llds)",
                  double(errors) / double(answers), l.max_error_rate, (unsigned long long)errors,
                  (unsigned long long)answers, (long long)span_s);
    return {Verdict::trip, buf};
  }
  if (l.max_diff_rate >= 0 && compared >= l.min_requests && double(different) / double(compared) > l.max_diff_rate) {
    std::snprintf(buf, sizeof buf, "difference rate %.3f > %.3f (%llu of %llu compared in %llds)",
                  double(different) / double(compared), l.max_diff_rate, (unsigned long long)different,
                  (unsigned long long)compared, (long long)span_s);
    return {Verdict::trip, buf};
  }
  if (l.max_p99_ratio >= 0 && answers >= l.min_requests) {
    std::vector<uint64_t> p(last.primary_latency.size()), n(last.new_latency.size());
    uint64_t primary_count = 0;
    for (size_t i = 0; i < p.size(); ++i) primary_count += (p[i] = last.primary_latency[i] - base->primary_latency[i]);
    for (size_t i = 0; i < n.size(); ++i) n[i] = last.new_latency[i] - base->new_latency[i];
    int64_t p99p = quantile_ms(p, l.bucket_bounds_ms, 0.99), p99n = quantile_ms(n, l.bucket_bounds_ms, 0.99);
    if (primary_count >= l.min_requests && p99p > 0 && p99n > 0 && double(p99n) > l.max_p99_ratio * double(p99p)) {
      std::snprintf(buf, sizeof buf, "candidate p99 %lldms > %.2f x legacy p99 %lldms (%llds)", (long long)p99n,
                    l.max_p99_ratio, (long long)p99p, (long long)span_s);
      return {Verdict::trip, buf};
    }
  }
  if (last.t_ms - ring_.front().t_ms >= l.window_ms && (answers >= l.min_requests || compared >= l.min_requests))
    return {Verdict::clean, ""};
  return v;
}

}  // namespace cutover::stage
