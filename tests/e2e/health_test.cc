// Scenario: health. Active checks take a backend out after `fall` failed checks and back
// after `rise` passes; passive health ejects a backend after `max_fails` failed exchanges
// in a row, while clients of idempotent requests see no error.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

TEST(Health, ActiveChecksTakeABackendOutAndBack) {
  std::atomic<int> health{200};
  ScriptedBackend a([&](const std::string& head, int) {
    if (head.rfind("GET /health ", 0) == 0) {
      std::string st = std::to_string(health.load());
      return "HTTP/1.1 " + st + " X\r\nContent-Length: 0\r\n\r\n";
    }
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA");
  });
  std::string dir = temp_dir();
  Worker b(dir, "b");
  Gateway gw(dir, one_pool_config({a.address(), b.address()},
        "balancer = \"round-robin\"\n"
        "health = { path = \"/health\", interval = \"100ms\", timeout = \"500ms\", rise = 2, fall = 2 }\n"));
  auto answers_from_a = [&] {
    int n = 0;
    for (int i = 0; i < 10; ++i) n += fetch(gw.port, "GET", "/")->body == "A";
    return n;
  };
  ASSERT_TRUE(wait_until([&] { return answers_from_a() > 0; }));
  health = 500;
  ASSERT_TRUE(wait_until([&] { return gw.proc->log().find(a.address() + " (pool app) is down") != std::string::npos; }));
  EXPECT_EQ(answers_from_a(), 0);
  EXPECT_NE(gw.proc->log().find("last: status 500, expected 200"), std::string::npos);
  health = 200;
  ASSERT_TRUE(wait_until([&] {
    std::string log = gw.proc->log();
    size_t down = log.find(a.address() + " (pool app) is down");
    return log.find(a.address() + " (pool app) is up", down) != std::string::npos;
  }));
  EXPECT_GT(answers_from_a(), 0);
}

TEST(Health, PassiveEjectionAfterMaxFails) {
  ScriptedBackend garbage([](const std::string&, int) { return std::string("NOT HTTP\r\n\r\n"); });
  std::string dir = temp_dir();
  Worker good(dir, "g");
  Gateway gw(dir, one_pool_config({garbage.address(), good.address()},
        "balancer = \"first\"\n"
        "max_fails = 2\n"
        "disable_time = \"10s\"\n"));
  for (int i = 0; i < 6; ++i) {
    auto r = fetch(gw.port, "GET", "/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << i;  // retried on the good backend
  }
  EXPECT_EQ(garbage.requests(), 2);
  EXPECT_NE(gw.proc->log().find("ejected for 10000ms after 2 failures in a row (last: bad response)"), std::string::npos)
      << gw.proc->log();
}

}  // namespace
