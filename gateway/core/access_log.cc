#include "core/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "core/log.h"

namespace cutover {
namespace {

constexpr size_t kMaxBacklog = 16u << 20;
constexpr size_t kWakeBytes = 256u << 10;  // a backlog this large is written at once

}  // namespace

AccessLog::AccessLog(std::string path, AccessFormat format) : path_(std::move(path)), format_(std::move(format)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) log::error("access log " + path_ + ": cannot open (" + std::strerror(errno) + "); not logging requests");
  thread_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void AccessLog::write(const AccessRecord& r) {
  thread_local std::string line;
  line.clear();
  format_.format(r, line);
  // The writer wakes by itself every 100 ms; waking it for each line would cost a futex
  // call and a context switch per request (measured: a third of the throughput).
  bool wake = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (pending_.size() + line.size() > kMaxBacklog) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    pending_ += line;
    wake = pending_.size() >= kWakeBytes && pending_.size() - line.size() < kWakeBytes;
  }
  if (wake) cv_.notify_one();
}

void AccessLog::run() {
  std::string batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(100), [this] { return stop_ || pending_.size() >= kWakeBytes || reopen_; });
      batch.swap(pending_);
      if (stop_ && batch.empty()) return;
    }
    if (reopen_.exchange(false)) {
      int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
        log::info("access log " + path_ + " reopened");
      } else {
        log::error("access log " + path_ + ": cannot reopen (" + std::strerror(errno) + "); still writing to the old file");
      }
    }
    size_t off = 0;
    while (fd_ >= 0 && off < batch.size()) {
      ssize_t n = ::write(fd_, batch.data() + off, batch.size() - off);
      if (n <= 0) break;
      off += size_t(n);
    }
    batch.clear();
  }
}

}  // namespace cutover
