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
          pace(std::chrono::milliseconds(ms));
          --current;
          return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }) {}
  std::atomic<int> current{0}, peak{0};
  ScriptedBackend server;
};

std::string config(const std::string& backend, const std::string& pool_extra) {
  return one_pool_config({backend}, pool_extra, "admin = \"127.0.0.1:0\"\n");
}

// `n` requests on connections of their own, each sent once the one before is taken: at the
// backend, in the queue or answered (the admin API's figures), so they arrive in order.
std::vector<int> concurrent_statuses(Gateway& gw, int n, std::vector<std::string>* retry_after = nullptr) {
  auto taken = [&] {
    return gw.metric("cutover_requests_total") + gw.metric("cutover_backend_in_flight") +
           gw.metric("cutover_pool_queue_depth");
  };
  double before = taken();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < n; ++i) {
    clients.push_back(std::make_unique<Client>(gw.port));
    EXPECT_TRUE(clients.back()->send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
    EXPECT_TRUE(wait_until([&] { return taken() >= before + i + 1; })) << "request " << i << " was not taken";
  }
  std::vector<int> out;
  for (auto& c : clients) {
    auto r = c->read();
    out.push_back(r ? r->status : 0);
    if (retry_after && r && r->status == 503) retry_after->push_back(r->header("Retry-After"));
  }
  return out;
}

TEST(LoadShedding, CapIsNeverExceededAndQueuedRequestsAreServed) {
  SlowBackend b(100);
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({b.server.address()}, "max_conns = 2\nqueue = 100\nqueue_timeout = \"10s\"\n",
                                  "admin = \"127.0.0.1:0\"\n"));
  auto st = concurrent_statuses(gw, 8);
  for (int s : st) EXPECT_EQ(s, 200);
  EXPECT_EQ(b.peak.load(), 2);
  // The wait is measured: 8 requests, 2 at a time for 100 ms each, so 6 waited, 100 to
  // 300 ms each (about 1.2 s in all when nothing is late).
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
  auto st = concurrent_statuses(gw, 3, &retry);
  EXPECT_EQ(st, (std::vector<int>{200, 200, 503}));  // one served, one waited, one refused
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0], "1");
  EXPECT_NE(gw.proc->log().find("pool app: queue full (1 waiting)"), std::string::npos);
}

TEST(LoadShedding, QueueTimeoutIs503) {
  SlowBackend b(1500);
  std::string dir = temp_dir();
  Gateway gw(dir, config(b.server.address(), "max_conns = 1\nqueue = 10\nqueue_timeout = \"200ms\"\n"));
  auto st = concurrent_statuses(gw, 2);
  EXPECT_EQ(st, (std::vector<int>{200, 503}));
  EXPECT_NE(gw.proc->log().find("in the queue (queue_timeout)"), std::string::npos);
  EXPECT_EQ(b.peak.load(), 1);
}

}  // namespace
