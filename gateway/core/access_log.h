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

#include "access_format/access_format.h"

namespace cutover {

class AccessLog {
 public:
  AccessLog(std::string path, AccessFormat format);
  ~AccessLog();
  void write(const AccessRecord& r);  // any thread; never blocks on the disk
  void reopen() { reopen_ = true; }
  uint64_t dropped() const { return dropped_; }

 private:
  void run();
  std::string path_;
  AccessFormat format_;
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
