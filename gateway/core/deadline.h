// I/O timeouts without a timer per operation: each thread runs one Watchdog that ticks
// every kTickMs and cancels the I/O object of any Deadline whose time has passed. Arming a
// Deadline only stores a number, so the request path makes no timer syscalls (the way
// nginx and HAProxy keep timeouts cheap). Granularity: one tick.
#pragma once
#include <chrono>
#include <cstdint>

#include "config/config.h"
#include "core/asio.h"

namespace cutover {

class Deadline;

class Watchdog {
 public:
  static constexpr int kTickMs = 100;
  explicit Watchdog(asio::io_context& io);
  ~Watchdog();
  void start();
  // The running thread's watchdog (set by start()); nullptr outside an event-loop thread.
  static Watchdog* current();

 private:
  friend class Deadline;
  void link(Deadline* d);
  void unlink(Deadline* d);
  void tick();
  asio::steady_timer timer_;
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
    deadline_ = now_ms() + d.count();
  }
  void disarm() { deadline_ = 0; }
  bool fired() const { return fired_; }

  static int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
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
