// Passive health: what one exchange's outcome does to its backend, given the time. A
// backend that could not take a connection is skipped for disable_time; `max_fails` failed
// exchanges in a row eject it for disable_time, doubled for each ejection in a row (at most
// 64x); it comes back by itself, and a success resets both counts. Failures that are the
// client's (gone, bad or too large body) say nothing about the backend.
#pragma once
#include <cstdint>

#include "config/config.h"
#include "core/failure.h"
#include "core/runtime.h"

namespace cutover {

// Returns the ejection's length in ms when this failure ejected the backend, else 0.
int64_t note_failure(BackendRuntime& b, const PoolSpec& spec, const Failure& f, int64_t now_ms);
void note_success(BackendRuntime& b);

}  // namespace cutover
