// Scenario: idle upstream connections are kept for the next requests (as many as were in
// use at once, by default), and each is closed once it has been idle for the pool's
// keepalive_timeout — by the loop's sweep, not only when a later request happens to look —
// so a burst's connections neither linger nor wait in CLOSE_WAIT.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "harness.h"

using namespace e2e;

TEST(UpstreamIdle, ConnectionsAreReusedThenClosedAfterKeepaliveTimeout) {
  ScriptedBackend backend([](const std::string&, int) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}, "keepalive_timeout = \"1s\"\n", "threads = 1\n"));
  // 40 requests at once, then 40 more: the second round finds the first round's connections
  // (more than nginx's habitual keepalive 32 would have kept).
  for (int round = 0; round < 2; ++round) {
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int i = 0; i < 40; ++i)
      clients.emplace_back([&] {
        auto r = fetch(gw.port, "GET", "/x");
        if (r && r->status == 200) ++ok;
      });
    for (auto& t : clients) t.join();
    ASSERT_EQ(ok.load(), 40);
  }
  EXPECT_EQ(backend.requests(), 80);
  EXPECT_LE(backend.connections(), 40) << "the second round opened connections again";
  EXPECT_EQ(backend.closed(), 0);
  // Nobody asks again: the sweep closes each one within about a second of its timeout.
  int opened = backend.connections();
  EXPECT_TRUE(wait_until([&] { return backend.closed() == opened; }, 8000))
      << backend.closed() << " of " << opened << " idle connections closed";
}
