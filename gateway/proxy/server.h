// The data plane: N threads, each with its own io_context, SO_REUSEPORT listeners and
// upstream connection cache. Only the per-backend atomics are shared.
#pragma once
#include <memory>

#include "config/config.h"

namespace cutover {

// Serves until SIGINT/SIGTERM; returns the process exit code.
int serve(std::shared_ptr<const Config> cfg);

}  // namespace cutover
