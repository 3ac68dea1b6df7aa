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
  TakeReport r;
  // Idle for 5 s: each is checked for EOF; the two closed ones are dropped, only the one
  // that had served a single request counts as an app closing after each request.
  auto c = cache.take(7, 5000, Duration(60000), &r);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(r.closed_after_one, 1);
  EXPECT_EQ(cache.idle_count(7), 0u);
  EXPECT_EQ(c->requests, 1u);  // the live one
  ::close(peer_alive);
}

// Every idle connection is probed, however recently it was used: one closed a moment ago
// or one with bytes the backend sent after its answer (served to the next request, they
// would be another request's answer) is dropped, and the stray bytes are counted.
TEST(ConnCache, EveryConnectionIsProbedAndStrayBytesRetireIt) {
  asio::io_context io;
  ConnCache cache;
  int peer_closed, peer_stray, peer_ok;
  cache.put(3, idle_conn(io, peer_ok, 2), 8, 1000);
  cache.put(3, idle_conn(io, peer_stray, 2), 8, 1000);
  cache.put(3, idle_conn(io, peer_closed, 1), 8, 1000);
  ::close(peer_closed);
  ASSERT_EQ(::write(peer_stray, "HTTP/1.1 200 OK\r\n", 17), 17);
  TakeReport r;
  auto c = cache.take(3, 1010, Duration(60000), &r);  // idle 10 ms
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(r.closed_after_one, 1);
  EXPECT_EQ(r.stray, 1);
  EXPECT_EQ(r.stray_bytes, 17u);
  EXPECT_EQ(cache.idle_count(3), 0u);
  // Past the idle timeout: dropped without a probe, and not counted.
  TakeReport late;
  cache.put(3, idle_conn(io, peer_closed, 1), 8, 0);
  ::close(peer_closed);
  EXPECT_EQ(cache.take(3, 70000, Duration(60000), &late), nullptr);
  EXPECT_EQ(late.closed_after_one, 0);
  ::close(peer_stray);
  ::close(peer_ok);
}

// The sweep closes what has been idle past the timeout, oldest first, and leaves the rest
// (and other backends') alone; the peer sees the close at once.
TEST(ConnCache, TheSweepClosesWhatOutlivedItsIdleTimeout) {
  asio::io_context io;
  ConnCache cache;
  int old1, old2, fresh, other;
  cache.put(4, idle_conn(io, old1, 1), 8, 1000);
  cache.put(4, idle_conn(io, old2, 1), 8, 2000);
  cache.put(4, idle_conn(io, fresh, 1), 8, 9000);
  cache.put(5, idle_conn(io, other, 1), 8, 1000);
  EXPECT_EQ(cache.sweep(4, 10000, Duration(5000)), 2u);  // idle 9 s and 8 s; the third 1 s
  EXPECT_EQ(cache.idle_count(4), 1u);
  EXPECT_EQ(cache.idle_count(5), 1u);
  char b;
  EXPECT_EQ(::read(old1, &b, 1), 0);  // closed: EOF
  EXPECT_EQ(::read(old2, &b, 1), 0);
  EXPECT_EQ(cache.sweep(4, 10000, Duration(5000)), 0u);
  EXPECT_EQ(cache.sweep(99, 10000, Duration(5000)), 0u);
  for (int fd : {old1, old2, fresh, other}) ::close(fd);
}

}  // namespace
}  // namespace cutover
