// Scenario: limits and client timeouts. A slowloris client trickling its head gets 408 at
// header_timeout and cannot hold the gateway: others are served meanwhile. Oversized heads
// get 431, oversized bodies 413, an idle keep-alive client is closed at keepalive_timeout.
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
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
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

}  // namespace
