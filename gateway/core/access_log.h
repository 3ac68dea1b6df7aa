// The access log: one line per request, formatted on the event loop, written by a
// background thread so that a slow disk never stalls requests. Reopened on SIGUSR1 (for
// logrotate). If the disk cannot keep up, lines beyond a 16 MiB backlog are dropped and
// counted rather than blocking.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace cutover {

struct AccessRecord {
  std::string_view client_ip;
  int64_t wall_time_ms = 0;      // when the request arrived (Unix time)
  std::string_view method, target;
  int version_minor = 1;
  int status = 0;
  uint64_t bytes = 0;            // response body bytes sent
  std::string_view referer, user_agent;
  std::string_view route, pool, backend;
  int upstream_status = 0;       // 0: no backend answered
  int64_t upstream_ms = -1;      // time in the last exchange; -1: none
  int retries = 0;
  int64_t queue_ms = 0;
  int64_t total_ms = 0;
};

enum class AccessLogFormat { combined, json };

// Appends one line for `r` to `out` (pure; tested on its own).
void format_access(const AccessRecord& r, AccessLogFormat f, std::string& out);

class AccessLog {
 public:
  AccessLog(std::string path, AccessLogFormat format);
  ~AccessLog();
  void write(const AccessRecord& r);  // any thread; never blocks on the disk
  void reopen() { reopen_ = true; }
  uint64_t dropped() const { return dropped_; }

 private:
  void run();
  std::string path_;
  AccessLogFormat format_;
  int fd_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;
  bool stop_ = false;
  std::atomic<bool> reopen_{false};
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace cutover
