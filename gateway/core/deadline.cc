#include "core/deadline.h"

namespace cutover {
namespace {
thread_local Watchdog* t_current = nullptr;
}

Watchdog::Watchdog(asio::io_context& io, Clock clock) : timer_(io), clock_(clock ? clock : &Deadline::now_ms) {}

Watchdog::~Watchdog() {
  if (t_current == this) t_current = nullptr;
  for (Deadline* d = head_; d; d = d->next_) d->wd_ = nullptr;
}

Watchdog* Watchdog::current() { return t_current; }

void Watchdog::start() {
  t_current = this;
  tick();
}

void Watchdog::make_current() { t_current = this; }

void Watchdog::link(Deadline* d) {
  d->next_ = head_;
  d->prev_ = nullptr;
  if (head_) head_->prev_ = d;
  head_ = d;
}

void Watchdog::unlink(Deadline* d) {
  if (cursor_ == d) cursor_ = d->next_;
  if (d->prev_) d->prev_->next_ = d->next_;
  else head_ = d->next_;
  if (d->next_) d->next_->prev_ = d->prev_;
  d->prev_ = d->next_ = nullptr;
}

void Watchdog::check(int64_t now) {
  for (Deadline* d = head_; d; d = cursor_) {
    cursor_ = d->next_;
    if (d->deadline_ != 0 && now >= d->deadline_) {
      d->deadline_ = 0;
      d->fired_ = true;
      d->cancel_(d->obj_);  // completes the pending operation with operation_aborted
    }
  }
  cursor_ = nullptr;
}

void Watchdog::tick() {
  check(clock_());
  timer_.expires_after(std::chrono::milliseconds(kTickMs));
  timer_.async_wait([this](const error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace cutover
