// Arms a timer that cancels an I/O object when an operation takes too long. Single
// threaded (one io_context per thread); safe to destroy while the timer is pending.
#pragma once
#include <functional>
#include <memory>

#include "config/config.h"
#include "core/asio.h"

namespace cutover {

class Deadline {
 public:
  explicit Deadline(const asio::any_io_executor& ex) : timer_(ex), st_(std::make_shared<State>()) {}
  ~Deadline() { st_->on_fire = nullptr; }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  template <class Io>
  void arm(Io& io, Duration d) {
    st_->fired = false;
    st_->on_fire = [&io] {
      error_code ignored;
      io.cancel(ignored);
    };
    timer_.expires_after(d);
    timer_.async_wait([st = st_](const error_code& ec) {
      if (!ec && st->on_fire) {
        st->fired = true;
        auto f = std::move(st->on_fire);
        st->on_fire = nullptr;
        f();
      }
    });
  }
  void disarm() {
    st_->on_fire = nullptr;
    timer_.cancel();
  }
  bool fired() const { return st_->fired; }

 private:
  struct State {
    bool fired = false;
    std::function<void()> on_fire;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> st_;
};

}  // namespace cutover
