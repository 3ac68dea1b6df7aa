// Scenario: a FIN that arrives together with the last bytes. Reads skip their first try
// when the socket was left empty (core/inq_read.h); these are the two cases where getting
// "empty" wrong would wait for a timeout instead of seeing the close at once.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>
#include <set>

#include "harness.h"

using namespace e2e;

namespace {

// A client that sends its request and shuts down its sending side at once (nc -N, a
// script) gets the answer, and then the connection closes: the gateway sees the FIN behind
// the request instead of waiting out the 60-second keep-alive timeout.
TEST(HalfClose, ClientFinRightAfterTheRequestClosesTheConnectionAfterTheAnswer) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, one_pool_config({w.address()}, "", "keepalive_timeout = \"60s\"\n"));
  for (int i = 0; i < 5; ++i) {
    Client c(gw.port);
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
    ASSERT_EQ(::shutdown(c.fd(), SHUT_WR), 0);
    auto r = c.read(false, std::chrono::seconds(5));  // far sooner than the 60 s keep-alive
    ASSERT_TRUE(r) << "no answer to a half-closed request, round " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->closed || c.peer_closed(std::chrono::seconds(5))) << "connection left open, round " << i;
  }
}

// A backend that answers with keep-alive and then half-closes, the way a php-fpm child or
// Apache's lingering close ends a connection: it still reads, never answers again, and only
// closes when the gateway does. The FIN comes right behind the answer, so the kept
// connection is already closed when the next request takes it; each request must still be
// answered at once, on a new connection, not after the upstream timeout.
TEST(HalfClose, BackendFinRightAfterTheAnswerIsSeenBeforeTheConnectionIsReused) {
  std::string dir = temp_dir();
  std::mutex mu;
  std::set<int> finished;  // connections the backend has half-closed, by the gateway's port
  ScriptedBackend backend([&](const std::string&, int fd) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len);
    std::lock_guard<std::mutex> g(mu);
    if (!finished.insert(ntohs(peer.sin_port)).second) return std::string();  // read, never answered
    std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    return std::string();
  });
  Gateway gw(dir, one_pool_config({backend.address()}, "keepalive = 8\nread_timeout = \"20s\"\n",
                                  "threads = 1\n"));
  Client c(gw.port);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
    auto r = c.read(false, std::chrono::seconds(5));  // not after the 20 s read_timeout
    ASSERT_TRUE(r) << "no answer, round " << i;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(backend.connections(), 6);
}

}  // namespace
