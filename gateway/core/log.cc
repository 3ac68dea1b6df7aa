#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <string>
#include <sys/time.h>

namespace cutover::log {
namespace {
std::atomic<Level> g_level{Level::info};  // set on reload while threads log
}

void set_level(Level l) { g_level.store(l, std::memory_order_relaxed); }

void write(Level l, std::string_view msg) {
  if (l < g_level.load(std::memory_order_relaxed)) return;
  static const char* names[] = {"debug", "info", "warn", "error"};
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm t;
  localtime_r(&tv.tv_sec, &t);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &t);
  std::string line;
  line.reserve(msg.size() + 48);
  line.append(ts).append(".").append(std::to_string(tv.tv_usec / 1000 + 1000).substr(1));
  line.append(" [").append(names[int(l)]).append("] ").append(msg).append("\n");
  std::fwrite(line.data(), 1, line.size(), stderr);  // one call: lines never interleave
}

}  // namespace cutover::log
