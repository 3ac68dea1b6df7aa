// Scenario: active health checks of FastCGI backends: a real request (`health.path`, as
// SCRIPT_NAME) whose status must be `health.expect`. A libfcgi app that dies goes down and
// its traffic moves to the other; started again, it comes back. An app answering the check
// with the wrong status is down from the start.
#include <gtest/gtest.h>
#include <signal.h>

#include <functional>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

TEST(FcgiHealth, DeadAppGoesDownAndComesBack) {
  std::string dir = temp_dir();
  auto a = std::make_unique<FcgiApp>(dir, "a");
  FcgiApp b(dir, "b");
  std::string check = "health = { path = \"/status/200\", interval = \"100ms\", timeout = \"500ms\", rise = 2, fall = 2 }\n";
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n\n"
                  "[pools.app]\nprotocol = \"fastcgi\"\nbalancer = \"round-robin\"\nbackends = [\"" + a->address() + "\", \"" +
                  b.address() + "\"]\n" + check + "\n"
                  "[pools.sick]\nprotocol = \"fastcgi\"\nbackends = [\"" + b.address() + "\"]\n"
                  "health = { path = \"/status/503\", interval = \"100ms\", timeout = \"500ms\", rise = 2, fall = 2 }\n\n"
                  "[[routes]]\nname = \"sick\"\nmatch = { prefix = \"/sick\" }\nforward = \"sick\"\n\n"
                  "[[routes]]\nname = \"app\"\nforward = \"app\"\n");
  auto answers_from_a = [&] {
    int n = 0;
    for (int i = 0; i < 10; ++i) {
      auto r = fetch(gw.port, "GET", "/hello");
      n += r && r->status == 200 && r->body.rfind("hello from a ", 0) == 0;
    }
    return n;
  };
  ASSERT_TRUE(wait_until([&] { return answers_from_a() > 0; })) << gw.proc->log();
  a->proc->kill(SIGKILL);
  a->proc->wait_exit(std::chrono::seconds(5));
  ASSERT_TRUE(wait_until([&] { return gw.proc->log().find(a->address() + " (pool app) is down") != std::string::npos; }))
      << gw.proc->log();
  for (int i = 0; i < 10; ++i) {
    auto r = fetch(gw.port, "GET", "/hello");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);  // all on b
    EXPECT_EQ(r->body.rfind("hello from b ", 0), 0u) << r->body;
  }
  a.reset();
  a = std::make_unique<FcgiApp>(dir, "a");  // a new process on the same socket (and log file:
  ASSERT_TRUE(wait_until([&] { return unix_accepts(a->socket); }));  // wait for the socket itself)
  ASSERT_TRUE(wait_until([&] {
    std::string log = gw.proc->log();
    size_t down = log.find(a->address() + " (pool app) is down");
    return log.find(a->address() + " (pool app) is up", down) != std::string::npos;
  })) << gw.proc->log();
  EXPECT_GT(answers_from_a(), 0);
  // The wrong status: the only backend of "sick" is down, so its route answers 503.
  ASSERT_TRUE(wait_until([&] { return gw.proc->log().find(b.address() + " (pool sick) is down") != std::string::npos; }))
      << gw.proc->log();
  EXPECT_NE(gw.proc->log().find("last: status 503, expected 200"), std::string::npos) << gw.proc->log();
  auto sick = fetch(gw.port, "GET", "/sick/x");
  ASSERT_TRUE(sick);
  EXPECT_EQ(sick->status, 503);
}

}  // namespace
