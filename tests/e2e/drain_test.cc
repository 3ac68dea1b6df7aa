// Scenario: SIGTERM drains. cutover stops accepting, closes idle keep-alive clients, lets
// the request in flight finish (its answer says Connection: close), then exits 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <thread>

#include "harness.h"

using namespace e2e;

// With one thread the event loop runs on the main thread, which also drains (control/server.cc);
// with two, a control thread drains while the loops serve.
class DrainWithThreads : public ::testing::TestWithParam<int> {};

TEST_P(DrainWithThreads, SigtermFinishesInFlightRequestsThenExits) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, one_pool_config({w.address()}, "",
                                  "drain_timeout = \"10s\"\nadmin = \"127.0.0.1:0\"\nthreads = " + std::to_string(GetParam()) + "\n"));
  int port = gw.port;
  Client idle(port);  // a keep-alive client between requests
  ASSERT_TRUE(idle.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_TRUE(idle.read());
  auto slow = std::async(std::launch::async, [port] { return fetch(port, "GET", "/slow?ms=1000"); });
  ASSERT_TRUE(wait_until([&] { return gw.metric("cutover_backend_in_flight") == 1; })) << "the slow request is at the worker";
  gw.proc->kill(SIGTERM);
  ASSERT_TRUE(gw.proc->wait_for("listeners closed", std::chrono::seconds(5))) << gw.proc->log();
  // No new connections, and the idle one was closed.
  Client late(port);
  EXPECT_FALSE(late.connected());
  EXPECT_TRUE(idle.peer_closed(std::chrono::milliseconds(1000)));
  auto r = slow.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_EQ(gw.proc->wait_exit(std::chrono::seconds(5)), 0);
  EXPECT_NE(gw.proc->log().find("draining"), std::string::npos);
  EXPECT_NE(gw.proc->log().find("(" + std::to_string(GetParam()) + " threads)"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Threads, DrainWithThreads, ::testing::Values(1, 2));
