// Scenario: limits and client timeouts. A slowloris client trickling its head gets 408 at
// header_timeout and cannot hold the gateway: others are served meanwhile. Oversized heads
// get 431, oversized bodies 413, an idle keep-alive client is closed at keepalive_timeout.
// A route may override the body, keep-alive and upstream limits for its own requests.
#include <gtest/gtest.h>

#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

struct LimitsSetup {
  LimitsSetup() {
    dir = temp_dir();
    w = std::make_unique<Worker>(dir);
    gw = std::make_unique<Gateway>(dir, one_pool_config({w->address()}, "",
        "header_timeout = \"500ms\"\n"
        "keepalive_timeout = \"700ms\"\n"
        "max_header_bytes = \"4KiB\"\n"
        "max_body_bytes = \"1KiB\"\n"));
  }
  std::string dir;
  std::unique_ptr<Worker> w;
  std::unique_ptr<Gateway> gw;
};

TEST(Limits, SlowlorisGets408AndOthersAreServed) {
  LimitsSetup s;
  std::vector<std::unique_ptr<Client>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<Client>(s.gw->port));
    ASSERT_TRUE(slow.back()->send("GET / HTTP/1.1\r\nHost: h\r\n"));  // never finishes
  }
  // Trickle one byte every 100 ms: each byte is fast, the head as a whole is not.
  for (int t = 0; t < 3; ++t) {
    for (auto& c : slow) c->send("X");
    auto r = fetch(s.gw->port, "GET", "/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    pace(std::chrono::milliseconds(100));  // the trickle's pace
  }
  for (auto& c : slow) {
    auto r = c->read(false, std::chrono::seconds(3));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 408);
    EXPECT_TRUE(c->peer_closed(std::chrono::seconds(2)));
  }
}

TEST(Limits, HeadAndBodyLimits) {
  LimitsSetup s;
  auto big_head = fetch(s.gw->port, "GET", "/", "", {"X-Big: " + std::string(5000, 'a')});
  ASSERT_TRUE(big_head);
  EXPECT_EQ(big_head->status, 431);
  auto big_body = fetch(s.gw->port, "POST", "/echo", std::string(2000, 'b'));
  ASSERT_TRUE(big_body);
  EXPECT_EQ(big_body->status, 413);
  Client c(s.gw->port);
  ASSERT_TRUE(c.send(
        "POST /echo HTTP/1.1\r\n"
        "Host: h\r\n"
        "Transfer-Encoding: chunked\r\n"
        "\r\n"
        "800\r\n" +
                     std::string(2048, 'c') + "\r\n0\r\n\r\n"));
  auto chunked = c.read();
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->status, 413);
  auto ok = fetch(s.gw->port, "POST", "/echo", std::string(1000, 'd'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(Limits, IdleKeepAliveClientIsClosed) {
  LimitsSetup s;
  Client c(s.gw->port);
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(c.read());
  EXPECT_FALSE(c.peer_closed(std::chrono::milliseconds(300)));
  EXPECT_TRUE(c.peer_closed(std::chrono::seconds(3)));
}

// An upload route takes larger bodies than the server's limit, a report route waits longer
// for its backend than the pool allows, a route keeps its clients longer; the rest keep the
// server's and pool's limits.
TEST(Limits, RouteOverridesServerAndPoolLimits) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir,
             "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nmax_body_bytes = \"1KiB\"\nkeepalive_timeout = \"700ms\"\n"
             "max_header_count = 10\n"
             "[pools.app]\nbackends = [\"" + w.address() + "\"]\nread_timeout = \"300ms\"\nretries = 0\n"
             "[[routes]]\nname = \"upload\"\nmatch = { prefix = \"/echo\" }\nforward = \"app\"\n"
             "max_body_bytes = \"1MiB\"\n"
             "[[routes]]\nname = \"report\"\nmatch = { host = \"reports.local\" }\nforward = \"app\"\n"
             "read_timeout = \"10s\"\nkeepalive_timeout = \"10s\"\nmax_header_count = 5\n"
             "[[routes]]\nname = \"rest\"\nforward = \"app\"\n");
  // Bodies: the upload route's limit, by Content-Length and chunked; the server's elsewhere.
  auto big = fetch(gw.port, "POST", "/echo", std::string(200000, 'u'));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 200);
  EXPECT_NE(big->body.find(std::string(1000, 'u')), std::string::npos);
  EXPECT_EQ(fetch(gw.port, "POST", "/echo", std::string(2u << 20, 'u'))->status, 413);
  EXPECT_EQ(fetch(gw.port, "POST", "/other", std::string(2000, 'o'))->status, 413);
  Client chunked(gw.port);
  ASSERT_TRUE(chunked.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4000\r\n" +
                           std::string(0x4000, 'c') + "\r\n0\r\n\r\n"));
  auto rc = chunked.read();
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->status, 200);
  // Upstream: 1 s is over the pool's read_timeout, under the report route's.
  auto slow = fetch(gw.port, "GET", "/slow?ms=1000", "", {"Host: reports.local"});
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 200);
  EXPECT_EQ(fetch(gw.port, "GET", "/slow?ms=1000")->status, 504);
  // Keep-alive: after a report the connection stays past the server's 700 ms...
  Client c(gw.port);
  ASSERT_TRUE(c.send("GET /slow?ms=1 HTTP/1.1\r\nHost: reports.local\r\n\r\n"));
  ASSERT_TRUE(c.read());
  EXPECT_FALSE(c.peer_closed(std::chrono::milliseconds(1500)));
  // ...and after a request on another route it gets the server's again.
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(c.read());
  EXPECT_TRUE(c.peer_closed(std::chrono::seconds(3)));
  // Header count: ten fields pass, eleven are 431; the report route takes five.
  std::vector<std::string> fields;
  for (int i = 0; i < 9; ++i) fields.push_back("X-F" + std::to_string(i) + ": v");  // + Host
  EXPECT_EQ(fetch(gw.port, "GET", "/", "", fields)->status, 200);
  fields.push_back("X-F9: v");
  EXPECT_EQ(fetch(gw.port, "GET", "/", "", fields)->status, 431);
  std::vector<std::string> report{"Host: reports.local", "A: 1", "B: 2", "C: 3", "D: 4"};
  EXPECT_EQ(fetch(gw.port, "GET", "/slow?ms=1", "", report)->status, 200);
  report.push_back("E: 5");
  EXPECT_EQ(fetch(gw.port, "GET", "/slow?ms=1", "", report)->status, 431);
}

}  // namespace
