#include "core/deadline.h"

#include <gtest/gtest.h>

namespace cutover {
namespace {

int64_t g_now = 0;  // the fake clock's reading
int64_t fake_clock() { return g_now; }

// Stands in for a socket: counts the cancels a fired deadline makes.
struct FakeIo {
  int cancels = 0;
  void cancel(error_code&) { ++cancels; }
};

// A deadline fires on the injected clock, at its time and not a millisecond before, cancels
// its I/O once, and a disarmed or re-armed one does not fire early.
TEST(Watchdog, FiresDeadlinesOnTheInjectedClock) {
  asio::io_context io;
  g_now = 1'000'000;
  Watchdog wd(io, fake_clock);
  wd.make_current();
  FakeIo a_io, b_io, c_io;
  Deadline a(a_io), b(b_io), c(c_io);
  a.arm(Duration(500));
  b.arm(Duration(200));
  c.arm(Duration(100));
  c.disarm();
  g_now += 199;
  wd.check(wd.now());
  EXPECT_EQ(b_io.cancels, 0);
  g_now += 1;
  wd.check(wd.now());
  EXPECT_EQ(b_io.cancels, 1);
  EXPECT_TRUE(b.fired());
  EXPECT_FALSE(a.fired());
  b.arm(Duration(1000));  // re-armed: counts from now, and is no longer fired
  EXPECT_FALSE(b.fired());
  g_now += 299;
  wd.check(wd.now());
  EXPECT_EQ(a_io.cancels, 0);
  g_now += 1;
  wd.check(wd.now());
  EXPECT_EQ(a_io.cancels, 1);
  g_now += 10'000;
  wd.check(wd.now());
  EXPECT_EQ(a_io.cancels, 1);  // once: a fired deadline is spent
  EXPECT_EQ(b_io.cancels, 2);
  EXPECT_EQ(c_io.cancels, 0);  // disarmed
}

// Deadlines may go while the watchdog walks them (a cancel ends a coroutine that owns one).
TEST(Watchdog, ADeadlineRemovedDuringTheWalkIsSkipped) {
  asio::io_context io;
  g_now = 0;
  Watchdog wd(io, fake_clock);
  wd.make_current();
  auto later = std::make_unique<FakeIo>();
  std::unique_ptr<Deadline> second;
  struct Killer {
    std::unique_ptr<Deadline>* victim;
    void cancel(error_code&) { victim->reset(); }
  } killer{&second};
  second = std::make_unique<Deadline>(*later);
  Deadline first(killer);  // linked last, so walked first
  first.arm(Duration(10));
  second->arm(Duration(10));
  g_now = 10;
  wd.check(wd.now());
  EXPECT_EQ(second, nullptr);
  EXPECT_EQ(later->cancels, 0);
}

}  // namespace
}  // namespace cutover
