// Scenario: keep-alive connections between requests are parked — the Session and its
// buffers are gone, only the socket waits — and come back for the next request exactly as
// before: at once, with the keep-alive timeout of the route that answered last, pipelined
// requests in order, and closed by a drain. The admin API counts them.
#include <gtest/gtest.h>

#include <chrono>

#include "harness.h"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

struct ParkedSetup {
  std::string dir = temp_dir();
  Worker w{dir};
  Gateway gw{dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\nkeepalive_timeout = \"300ms\"\n"
                  "[pools.app]\nbackends = [\"" + w.address() + "\"]\n"
                  "[[routes]]\nname = \"long\"\nmatch = { prefix = \"/echo\" }\nforward = \"app\"\nkeepalive_timeout = \"20s\"\n"
                  "[[routes]]\nname = \"rest\"\nforward = \"app\"\n"};
};

TEST(ParkedConnection, IdleClientsAreCountedParkedAndServedWhenTheyComeBack) {
  ParkedSetup s;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(std::make_unique<Client>(s.gw.port));
    ASSERT_TRUE(clients.back()->send("GET /echo?c=" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
    auto r = clients.back()->read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_TRUE(wait_until([&] { return s.gw.metric("cutover_client_connections{state=\"parked\"}") >= 20; }))
      << s.gw.metric("cutover_client_connections{state=\"parked\"}");
  for (auto& c : clients) {  // each comes back on its own connection, parked until now
    ASSERT_TRUE(c->send("GET /echo?again HTTP/1.1\r\nHost: h\r\n\r\n"));
    auto r = c->read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->closed);
  }
}

// The wait while parked is the keep-alive timeout of the route that answered last; a wake
// with nothing to read (the reactor's stale readiness) must not shorten it to the server's.
TEST(ParkedConnection, TheLastRoutesKeepAliveHoldsWhileParked) {
  ParkedSetup s;
  Client c(s.gw.port);
  for (int round = 0; round < 8; ++round) {
    ASSERT_TRUE(c.send("GET /echo?x HTTP/1.1\r\nHost: h\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << "round " << round;
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(c.peer_closed(600ms)) << "closed at the server's 300 ms, round " << round;
  }
  // After an answer of the other route, the server's 300 ms.
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(c.read());
  EXPECT_TRUE(c.peer_closed(3s));
}

TEST(ParkedConnection, PipelinedRequestsAreAnsweredInOrder) {
  ParkedSetup s;
  Client c(s.gw.port);
  std::string three;
  for (int i = 0; i < 3; ++i) three += "GET /echo?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n";
  ASSERT_TRUE(c.send(three));
  for (int i = 0; i < 3; ++i) {
    auto r = c.read();
    ASSERT_TRUE(r) << i;
    EXPECT_NE(r->body.find("n=" + std::to_string(i)), std::string::npos) << r->body;
  }
}

TEST(ParkedConnection, ADrainClosesParkedConnections) {
  ParkedSetup s;
  Client c(s.gw.port);
  ASSERT_TRUE(c.send("GET /echo?x HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(c.read());
  ASSERT_TRUE(wait_until([&] { return s.gw.metric("cutover_client_connections{state=\"parked\"}") == 1; }));
  s.gw.proc->kill(SIGTERM);
  EXPECT_TRUE(c.peer_closed(5s));
  EXPECT_EQ(s.gw.proc->wait_exit(5s), 0);
}

}  // namespace
