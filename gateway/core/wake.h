// A wait that ends when it is woken or when its time runs out. Woken by code running on
// the same event loop, the waiter goes on at once, up to its next suspension, instead of
// behind everything already in the loop's queue: a request waiting for max_conns takes the
// slot (and a FastCGI app process its next request) the moment the previous one ends.
#pragma once
#include <chrono>
#include <memory>

#include <boost/asio/post.hpp>

#include "core/asio.h"

namespace cutover {

class Wake {
 public:
  explicit Wake(asio::io_context& io) : io_(io), timer_(io), self_(std::make_shared<Wake*>(this)) {}
  ~Wake() { *self_ = nullptr; }
  Wake(const Wake&) = delete;
  Wake& operator=(const Wake&) = delete;

  // A handle another thread may keep and use: it posts the wake to the waiter's own loop,
  // where it finds the Wake gone (a no-op) or wakes it. Only that loop reads *self.
  class Remote {
   public:
    Remote() = default;
    void wake() const {
      asio::post(*io_, [self = self_] {
        if (*self) (*self)->wake();
      });
    }
    // The same, at once: only from the waiter's own loop (the caller holds nothing it needs).
    void wake_here() const {
      if (*self_) (*self_)->wake();
    }
    asio::io_context* loop() const { return io_; }

   private:
    friend class Wake;
    Remote(asio::io_context* io, std::shared_ptr<Wake*> self) : io_(io), self_(std::move(self)) {}
    asio::io_context* io_ = nullptr;
    std::shared_ptr<Wake*> self_;
  };
  Remote remote() const { return Remote(&io_, self_); }

  // True when woken, false when `timeout` passed first.
  awaitable<bool> wait(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    auto initiate = [this](auto handler) {
      // The waiter's handler lives in a box that the timer's pending wait owns, so the event
      // loop still owns (and at shutdown destroys) what waits here; the Wake only looks.
      auto box = std::make_shared<Box>();
      box->waiting = std::make_unique<HolderOf<decltype(handler)>>(std::move(handler));
      box->timer = &timer_;
      box_ = box;
      timer_.async_wait([box](error_code) {
        if (!box->waiting) return;  // woken already: this is the cancel's completion
        std::unique_ptr<Holder> h = std::move(box->waiting);
        h->call(false);
      });
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(error_code, bool)>(
        std::move(initiate), asio::use_awaitable);
  }
  // Resumes the waiter now, on this thread (a no-op when nobody waits).
  void wake() { wake(box_.lock()); }
  // Resumes it from the loop's queue, after what is there already: for callers that still
  // hold what the waiter needs.
  void wake_later(asio::io_context& io) {
    asio::post(io, [b = box_] { wake(b.lock()); });
  }

 private:
  struct Holder {
    virtual ~Holder() = default;
    virtual void call(bool woken) = 0;
  };
  template <class H>
  struct HolderOf final : Holder {
    explicit HolderOf(H&& h) : h(std::move(h)) {}
    void call(bool woken) override { std::move(h)(error_code{}, woken); }
    H h;
  };
  struct Box {
    std::unique_ptr<Holder> waiting;
    asio::steady_timer* timer = nullptr;  // valid while `waiting` holds the waiter
  };
  static void wake(std::shared_ptr<Box> box) {
    if (!box || !box->waiting) return;
    std::unique_ptr<Holder> h = std::move(box->waiting);
    box->timer->cancel();
    h->call(true);
  }
  asio::io_context& io_;
  asio::steady_timer timer_;
  std::weak_ptr<Box> box_;
  std::shared_ptr<Wake*> self_;  // what Remote handles see; nulled when the Wake goes
};

}  // namespace cutover
