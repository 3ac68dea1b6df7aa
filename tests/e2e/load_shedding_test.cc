// Scenario: per-backend max_conns with a bounded pool queue. Requests over the cap wait;
// a full queue or a wait past queue_timeout gets 503 with Retry-After at once; the backend
// never sees more than max_conns requests at a time.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

// A backend that holds each request for `ms` and records its peak concurrency.
struct SlowBackend {
  explicit SlowBackend(int ms)
      : server([this, ms](const std::string&, int) {
          int now = ++current;
          int seen = peak.load();
          while (now > seen && !peak.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(ms));
          --current;
          return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }) {}
  std::atomic<int> current{0}, peak{0};
  ScriptedBackend server;
};

std::string config(const std::string& backend, const std::string& pool_extra) {
  return one_pool_config({backend}, pool_extra);
}

std::vector<int> concurrent_statuses(int port, int n, std::vector<std::string>* retry_after = nullptr) {
  std::vector<std::future<std::pair<int, std::string>>> fs;
  for (int i = 0; i < n; ++i) {
    fs.push_back(std::async(std::launch::async, [port, i] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * i));  // arrive in order
      auto r = fetch(port, "GET", "/x");
      return r ? std::make_pair(r->status, r->header("Retry-After")) : std::make_pair(0, std::string());
    }));
  }
  std::vector<int> out;
  for (auto& f : fs) {
    auto [st, ra] = f.get();
    out.push_back(st);
    if (retry_after && st == 503) retry_after->push_back(ra);
  }
  return out;
}

TEST(LoadShedding, CapIsNeverExceededAndQueuedRequestsAreServed) {
  SlowBackend b(100);
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({b.server.address()}, "max_conns = 2\nqueue = 100\nqueue_timeout = \"10s\"\n",
                                  "admin = \"127.0.0.1:0\"\n"));
  auto st = concurrent_statuses(gw.port, 8);
  for (int s : st) EXPECT_EQ(s, 200);
  EXPECT_EQ(b.peak.load(), 2);
  // The wait is measured: 8 requests 20 ms apart, 2 at a time for 100 ms each, so most
  // waited, tens of milliseconds each (about 1 s in all when nothing is late).
  auto m = fetch(gw.admin_port(), "GET", "/metrics");
  ASSERT_TRUE(m);
  auto value = [&](const std::string& series) {
    size_t at = m->body.find(series + " ");
    return at == std::string::npos ? -1.0 : std::atof(m->body.c_str() + at + series.size() + 1);
  };
  EXPECT_GE(value("cutover_pool_queue_wait_seconds_count{pool=\"app\"}"), 4) << m->body;
  EXPECT_GE(value("cutover_pool_queue_wait_seconds_sum{pool=\"app\"}"), 0.2) << m->body;
  EXPECT_NE(m->body.find("# TYPE cutover_pool_queue_wait_seconds histogram"), std::string::npos);
}

TEST(LoadShedding, FullQueueIs503WithRetryAfter) {
  SlowBackend b(1500);
  std::string dir = temp_dir();
  Gateway gw(dir, config(b.server.address(), "max_conns = 1\nqueue = 1\nqueue_timeout = \"10s\"\n"));
  std::vector<std::string> retry;
  auto st = concurrent_statuses(gw.port, 3, &retry);
  EXPECT_EQ(st, (std::vector<int>{200, 200, 503}));  // one served, one waited, one refused
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0], "1");
  EXPECT_NE(gw.proc->log().find("pool app: queue full (1 waiting)"), std::string::npos);
}

TEST(LoadShedding, QueueTimeoutIs503) {
  SlowBackend b(1500);
  std::string dir = temp_dir();
  Gateway gw(dir, config(b.server.address(), "max_conns = 1\nqueue = 10\nqueue_timeout = \"200ms\"\n"));
  auto st = concurrent_statuses(gw.port, 2);
  EXPECT_EQ(st, (std::vector<int>{200, 503}));
  EXPECT_NE(gw.proc->log().find("in the queue (queue_timeout)"), std::string::npos);
  EXPECT_EQ(b.peak.load(), 1);
}

}  // namespace
