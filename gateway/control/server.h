// The data plane: N threads, each with its own io_context, SO_REUSEPORT listeners and
// upstream connection cache. Only the per-backend atomics are shared.
#pragma once
#include <functional>
#include <memory>

#include "config/config.h"

namespace cutover {

// Serves until SIGINT/SIGTERM; returns the process exit code. `source` produces the config
// again for a reload (SIGHUP, POST /api/reload); it throws ConfigError for a broken one.
using ConfigSource = std::function<std::shared_ptr<const Config>()>;
int serve(std::shared_ptr<const Config> cfg, ConfigSource source);

}  // namespace cutover
