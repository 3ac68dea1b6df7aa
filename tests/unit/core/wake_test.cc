#include "core/wake.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cutover {
namespace {

// Woken from the loop, the waiter runs before wake() returns, ahead of a handler that was
// queued earlier; wake_later() puts it behind that handler instead.
TEST(Wake, WakeRunsTheWaiterAtOnceAndWakeLaterAfterTheQueue) {
  for (bool now : {true, false}) {
    asio::io_context io;
    Wake w(io);
    std::vector<std::string> order;
    bool woken = false;
    asio::co_spawn(io, [&]() -> awaitable<void> {
      woken = co_await w.wait(std::chrono::seconds(5));
      order.push_back("waiter");
    }, asio::detached);
    asio::post(io, [&] {
      asio::post(io, [&] { order.push_back("queued before"); });
      if (now) w.wake();
      else w.wake_later(io);
      order.push_back("waker");
    });
    io.run();
    EXPECT_TRUE(woken);
    std::vector<std::string> want = now ? std::vector<std::string>{"waiter", "waker", "queued before"}
                                        : std::vector<std::string>{"waker", "queued before", "waiter"};
    EXPECT_EQ(order, want) << (now ? "wake" : "wake_later");
  }
}

TEST(Wake, RunsOutWithoutAWakeAndCanWaitAgain) {
  asio::io_context io;
  Wake w(io);
  std::vector<bool> results;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    results.push_back(co_await w.wait(std::chrono::milliseconds(5)));   // nobody wakes it
    results.push_back(co_await w.wait(std::chrono::seconds(5)));        // woken below
  }, asio::detached);
  asio::steady_timer t(io, std::chrono::milliseconds(50));
  t.async_wait([&](error_code) { w.wake(); });
  io.run();
  EXPECT_EQ(results, (std::vector<bool>{false, true}));
  w.wake();  // nobody waits: nothing happens
}

// A waiter still waiting when the loop goes away is destroyed with it (the sanitizer build
// reports a leak otherwise), and a wake_later that arrives after the wait ended does nothing.
TEST(Wake, AWaiterLeftAtShutdownGoesWithTheLoop) {
  auto io = std::make_unique<asio::io_context>();
  auto w = std::make_shared<Wake>(*io);
  auto alive = std::make_shared<int>(1);
  std::weak_ptr<int> seen = alive;
  asio::co_spawn(*io, [w, alive]() -> awaitable<void> { co_await w->wait(std::chrono::hours(1)); }, asio::detached);
  alive.reset();
  w.reset();  // the waiter's frame keeps its Wake (and that Wake's timer) until the end
  io->run_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(seen.expired());  // the waiter's frame holds it
  io.reset();
  EXPECT_TRUE(seen.expired());
}

}  // namespace
}  // namespace cutover
