// Active health checks: one coroutine per checked backend, on the first thread. A backend
// goes down after `fall` failed checks in a row and comes back after `rise` passes; with
// checks on, it serves only after its first pass. The check itself is protocol-specific
// (Upstream::check); the state machine here is not.
#pragma once
#include "core/asio.h"
#include "core/thread_context.h"
#include "core/upstream.h"

namespace cutover {

void start_health_checks(ThreadContext& tc);

// The pure part: feeds one check result; returns the new healthy state. Down after `fall`
// failures in a row, up after `rise` passes in a row; the very first pass brings a new
// backend in at once.
struct HealthStreak {
  int passes = 0, fails = 0;
  bool ever_passed = false;
  bool update(bool ok, bool healthy, int rise, int fall) {
    if (ok) {
      fails = 0;
      ++passes;
      bool first = !ever_passed;
      ever_passed = true;
      return healthy || first || passes >= rise;
    }
    passes = 0;
    ++fails;
    return healthy && fails < fall;
  }
};

}  // namespace cutover
