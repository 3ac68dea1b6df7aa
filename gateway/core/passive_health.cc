#include "core/passive_health.h"

#include <algorithm>

namespace cutover {
namespace {

constexpr int kMaxBackoffDoublings = 6;  // 64 x disable_time

bool backends_fault(const Failure& f) {
  return f.kind != FailureKind::client_gone && f.kind != FailureKind::bad_request_body &&
         f.kind != FailureKind::request_too_large;
}

}  // namespace

int64_t note_failure(BackendRuntime& b, const PoolSpec& spec, const Failure& f, int64_t now_ms) {
  if (!f || !backends_fault(f)) return 0;
  if (f.disables_backend()) b.disabled_until_ms.store(now_ms + spec.disable_time.count(), std::memory_order_relaxed);
  if (spec.max_fails == 0) return 0;
  if (b.consecutive_failures.fetch_add(1, std::memory_order_relaxed) + 1 < spec.max_fails) return 0;
  b.consecutive_failures.store(0, std::memory_order_relaxed);
  int n = std::min(b.ejections.fetch_add(1, std::memory_order_relaxed), kMaxBackoffDoublings);
  int64_t ms = spec.disable_time.count() << n;
  b.disabled_until_ms.store(now_ms + ms, std::memory_order_relaxed);
  return ms;
}

void note_success(BackendRuntime& b) {
  b.consecutive_failures.store(0, std::memory_order_relaxed);
  b.ejections.store(0, std::memory_order_relaxed);
}

}  // namespace cutover
