#include "core/pool_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/runtime.h"

namespace cutover {
namespace {

// A pool of backends with a cap, as the queue sees it: free slots are taken in order.
struct FakeGrant : PoolQueue::Grant {
  std::vector<BackendRuntime*> backends;
  uint32_t cap = 1;
  int conns = 0;  // idle connections it can hand over
  BackendRuntime* acquire_for(const PoolQueue::Waiter& w) override {
    for (size_t i = 0; i < backends.size(); ++i) {
      if (w.tried.has(i)) continue;
      InFlight slot(*backends[i]);
      if (slot.acquire(cap)) {
        slot.forget();
        return backends[i];
      }
    }
    return nullptr;
  }
  bool any_room() override {
    for (auto* b : backends)
      if (b->in_flight.load() < cap) return true;
    return false;
  }
  HandedConn connection_for(BackendRuntime&, const PoolQueue::Waiter&) override {
    HandedConn h;
    if (conns > 0) --conns, h.fd = ::dup(0), h.family = AF_UNIX;
    return h;
  }
};

TEST(PoolQueue, FreeSlotsGoToTheOldestWaitersAndTheirSlotIsHeld) {
  asio::io_context io;
  BackendRuntime b;
  b.in_flight = 1;  // busy
  FakeGrant g;
  g.backends = {&b};
  Wake w1(io), w2(io), w3(io);
  PoolQueue q;
  PoolQueue::Waiter a, c, d;
  a.wake = w1.remote(), c.wake = w2.remote(), d.wake = w3.remote();
  ASSERT_TRUE(q.join(a, 10));
  ASSERT_TRUE(q.join(c, 10));
  ASSERT_TRUE(q.join(d, 10));
  EXPECT_EQ(q.size(), 3u);
  q.dispatch(g, &io);  // nothing free
  EXPECT_EQ(q.size(), 3u);
  b.in_flight = 0;     // one slot comes free
  q.dispatch(g, &io);
  EXPECT_FALSE(q.waiting(a)) << "the oldest got it";
  EXPECT_TRUE(q.waiting(c));
  EXPECT_EQ(b.in_flight.load(), 1u) << "held for the waiter: nobody else can take it";
  EXPECT_EQ(PoolQueue::take_grant(a), &b);
  EXPECT_EQ(q.size(), 2u);
}

TEST(PoolQueue, AWaiterThatTriedTheFreeBackendDoesNotBlockThoseBehind) {
  asio::io_context io;
  BackendRuntime b0, b1;
  b0.in_flight = 1, b1.in_flight = 0;
  FakeGrant g;
  g.backends = {&b0, &b1};
  Wake w1(io), w2(io);
  PoolQueue q;
  PoolQueue::Waiter a, c;
  a.wake = w1.remote(), c.wake = w2.remote();
  a.tried.add(1);  // a retry: backend 1 failed it already
  q.join(a, 10);
  q.join(c, 10);
  q.dispatch(g, &io);
  EXPECT_TRUE(q.waiting(a));
  EXPECT_FALSE(q.waiting(c));
  EXPECT_EQ(PoolQueue::take_grant(c), &b1);
}

TEST(PoolQueue, FullQueueRefusesAndLeavingFreesAPlace) {
  asio::io_context io;
  Wake w(io);
  PoolQueue q;
  PoolQueue::Waiter a, c;
  a.wake = c.wake = w.remote();
  EXPECT_TRUE(q.join(a, 1));
  EXPECT_FALSE(q.join(c, 1));
  q.leave(a);
  q.leave(a);  // twice: harmless
  EXPECT_EQ(q.size(), 0u);
  EXPECT_TRUE(q.join(c, 1));
}

// A waiter on another loop is woken through that loop, and gets an idle connection along.
TEST(PoolQueue, AWaiterOnAnotherLoopIsWokenThereWithAConnection) {
  asio::io_context mine, theirs;
  BackendRuntime b;
  FakeGrant g;
  g.backends = {&b};
  g.conns = 1;
  Wake w(theirs);
  PoolQueue q;
  PoolQueue::Waiter a;
  a.wake = w.remote();
  bool woken = false;
  asio::co_spawn(theirs, [&]() -> awaitable<void> { woken = co_await w.wait(std::chrono::seconds(5)); }, asio::detached);
  theirs.poll();  // the waiter is waiting
  q.join(a, 10);
  q.dispatch(g, &mine);
  EXPECT_FALSE(woken) << "not inline: it lives on the other loop";
  std::thread t([&] { theirs.run(); });
  t.join();
  EXPECT_TRUE(woken);
  EXPECT_TRUE(bool(a.conn));
  EXPECT_EQ(PoolQueue::take_grant(a), &b);
}

TEST(PoolQueue, AWaiterOnThisLoopRunsAtOnceButNotTheCaller) {
  asio::io_context io;
  BackendRuntime b;
  FakeGrant g;
  g.cap = 2;
  g.backends = {&b};
  Wake w1(io), w2(io);
  PoolQueue q;
  PoolQueue::Waiter self, other;
  self.wake = w1.remote(), other.wake = w2.remote();
  std::vector<std::string> order;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    co_await w2.wait(std::chrono::seconds(5));
    order.push_back("other");
  }, asio::detached);
  io.poll();
  q.join(self, 10);
  q.join(other, 10);
  q.dispatch(g, &io, &self);
  order.push_back("caller");
  EXPECT_EQ(order, (std::vector<std::string>{"other", "caller"}));
  EXPECT_EQ(PoolQueue::take_grant(self), &b) << "the caller's own grant, without a wake";
  EXPECT_EQ(b.in_flight.load(), 2u);
}

TEST(PoolQueue, AWaiterThatGoesAwayLeavesAndGivesBackItsGrant) {
  asio::io_context io;
  BackendRuntime b;
  FakeGrant g;
  g.backends = {&b};
  Wake w(io);
  PoolQueue q;
  {
    PoolQueue::Waiter a, c;
    a.wake = c.wake = w.remote();
    q.join(a, 10);
    q.join(c, 10);
    q.dispatch(g, &io);  // a holds the slot, c still waits
    EXPECT_EQ(b.in_flight.load(), 1u);
  }
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(b.in_flight.load(), 0u);
}

}  // namespace
}  // namespace cutover
