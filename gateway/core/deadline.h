// I/O timeouts without a timer per operation: each thread runs one Watchdog that ticks
// every kTickMs and cancels the I/O object of any Deadline whose time has passed. Arming a
// Deadline only stores a number, so the request path makes no timer syscalls (the way
// nginx and HAProxy keep timeouts cheap). Granularity: one tick.
#pragma once
#include <time.h>

#include <chrono>
#include <cstdint>

#include "config/config.h"
#include "core/asio.h"

namespace cutover {

class Deadline;

class Watchdog {
 public:
  static constexpr int kTickMs = 100;
  // The clock deadlines are armed and checked on: a plain function (every I/O reads it);
  // tests pass a fake and call check() themselves.
  using Clock = int64_t (*)();
  explicit Watchdog(asio::io_context& io, Clock clock = nullptr);
  ~Watchdog();
  // Makes this the thread's watchdog and ticks every kTickMs.
  void start();
  // Makes this the thread's watchdog without ticking (tests drive check()).
  void make_current();
  // Cancels the I/O of every deadline that has passed by `now`.
  void check(int64_t now);
  int64_t now() const { return clock_(); }
  // The running thread's watchdog (set by start()); nullptr outside an event-loop thread.
  static Watchdog* current();

 private:
  friend class Deadline;
  void link(Deadline* d);
  void unlink(Deadline* d);
  void tick();
  asio::steady_timer timer_;
  Clock clock_;
  Deadline* head_ = nullptr;
  Deadline* cursor_ = nullptr;  // next entry during a tick, kept valid across unlink
};

class Deadline {
 public:
  template <class Io>
  explicit Deadline(Io& io) : obj_(&io), cancel_([](void* p) {
        error_code ignored;
        static_cast<Io*>(p)->cancel(ignored);
      }) {
    wd_ = Watchdog::current();
    if (wd_) wd_->link(this);
  }
  ~Deadline() {
    if (wd_) wd_->unlink(this);
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  void arm(Duration d) {
    fired_ = false;
    deadline_ = (wd_ ? wd_->now() : now_ms()) + d.count();
  }
  void disarm() { deadline_ = 0; }
  bool fired() const { return fired_; }

  // The coarse monotonic clock: a deadline is checked once per 100 ms tick anyway, and this
  // one reads the kernel's last tick instead of the TSC (every I/O arms a deadline; the
  // precise clock showed as 2% of the proxy's CPU in a VM).
  static int64_t now_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
  }

 private:
  friend class Watchdog;
  void* obj_;
  void (*cancel_)(void*);
  Watchdog* wd_ = nullptr;
  int64_t deadline_ = 0;
  bool fired_ = false;
  Deadline* prev_ = nullptr;
  Deadline* next_ = nullptr;
};

}  // namespace cutover
