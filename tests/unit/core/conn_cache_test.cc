#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/upstream.h"

namespace cutover {
namespace {

// An idle connection whose other end is `peer` (a unix socket pair).
std::unique_ptr<UpConn> idle_conn(asio::io_context& io, int& peer, uint32_t requests) {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  auto c = std::make_unique<UpConn>(io.get_executor());
  c->sock.assign(asio::generic::stream_protocol(AF_UNIX, 0), fds[0]);
  c->requests = requests;
  peer = fds[1];
  return c;
}

TEST(ConnCache, ConnectionsTheBackendClosedWhileIdleAreDroppedAndCounted) {
  asio::io_context io;
  ConnCache cache;
  int peer_alive, peer_closed_one, peer_closed_many;
  cache.put(7, idle_conn(io, peer_alive, 1), 8, 0);
  cache.put(7, idle_conn(io, peer_closed_many, 5), 8, 0);
  cache.put(7, idle_conn(io, peer_closed_one, 1), 8, 0);
  ::close(peer_closed_one);
  ::close(peer_closed_many);
  int closed_after_one = 0;
  // Idle for 5 s: each is checked for EOF; the two closed ones are dropped, only the one
  // that had served a single request counts as an app closing after each request.
  auto c = cache.take(7, 5000, Duration(60000), &closed_after_one);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(closed_after_one, 1);
  EXPECT_EQ(cache.idle_count(7), 0u);
  EXPECT_EQ(c->requests, 1u);  // the live one
  ::close(peer_alive);
}

TEST(ConnCache, RecentlyUsedConnectionsAreTakenWithoutAProbe) {
  asio::io_context io;
  ConnCache cache;
  int peer;
  cache.put(3, idle_conn(io, peer, 1), 8, 1000);
  ::close(peer);
  int closed_after_one = 0;
  // Idle for 0.5 s: handed out as is (the exchange retries if it turns out closed).
  EXPECT_NE(cache.take(3, 1500, Duration(60000), &closed_after_one), nullptr);
  EXPECT_EQ(closed_after_one, 0);
  // Past the idle timeout: dropped without a probe, and not counted.
  cache.put(3, idle_conn(io, peer, 1), 8, 0);
  ::close(peer);
  EXPECT_EQ(cache.take(3, 70000, Duration(60000), &closed_after_one), nullptr);
  EXPECT_EQ(closed_after_one, 0);
}

}  // namespace
}  // namespace cutover
