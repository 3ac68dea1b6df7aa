// Scenario: backends fail under the gateway. A worker killed mid-run (the others serve,
// idempotent requests see no error), every backend down (503 + Retry-After), a backend
// that answers garbage (502) or too slowly (504) — each with an error-log line naming
// the backend and the cause, and the gateway keeps serving.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

std::string pool_config(const std::vector<std::string>& backends, const std::string& extra = "") {
  return one_pool_config(backends, extra);
}

// A worker killed under constant load and started again on its port: no idempotent request
// fails meanwhile, and the restarted worker gets traffic again by itself.
TEST(BackendFailure, WorkerKilledAndRestartedUnderLoadCostsNoIdempotentRequest) {
  std::string dir = temp_dir();
  std::vector<std::unique_ptr<Worker>> ws;
  for (int i = 0; i < 3; ++i) ws.push_back(std::make_unique<Worker>(dir, "w" + std::to_string(i)));
  Gateway gw(dir, pool_config({ws[0]->address(), ws[1]->address(), ws[2]->address()}, "disable_time = \"300ms\"\n"));
  std::atomic<int> ok{0}, failed{0}, from_restarted{0};
  std::atomic<bool> stop{false};
  std::mutex why_mu;
  std::string why;  // what the failed requests got, for the failure message
  auto note = [&](const std::string& what) {
    std::lock_guard<std::mutex> l(why_mu);
    if (why.size() < 2000) why += what + "\n";
  };
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      // Keep-alive clients, as a browser or load balancer would be.
      // Slow requests are likely in flight at the kill; /echo names the worker that answered.
      auto c = std::make_unique<Client>(gw.port);
      for (int i = 0; !stop; ++i) {
        if (!c->send(i % 2 ? "GET /echo HTTP/1.1\r\nHost: h\r\n\r\n" : "GET /slow?ms=5 HTTP/1.1\r\nHost: h\r\n\r\n")) {
          ++failed;
          note(std::string(i % 2 ? "/echo" : "/slow") + ": could not send on the kept-alive connection");
          c = std::make_unique<Client>(gw.port);
          continue;
        }
        auto r = c->read();
        if (r && r->status == 200) {
          ++ok;
          if (r->body.find("worker: again ") != std::string::npos) ++from_restarted;
        } else {
          ++failed;
          note(std::string(i % 2 ? "/echo" : "/slow") + ": " +
               (r ? "status " + std::to_string(r->status) + ", " + r->body : std::string("no complete response")));
          c = std::make_unique<Client>(gw.port);
        }
      }
    });
  }
  ASSERT_TRUE(wait_until([&] { return ok.load() >= 100; }));
  int port = ws[1]->port;
  ws[1]->proc->kill(SIGKILL);
  ws[1]->proc->wait_exit(std::chrono::seconds(5));
  int at_kill = ok.load();
  // Served on while it is down: the gateway noticed (its log names the backend), and 100 more.
  bool noticed = wait_until([&] { return gw.proc->log().find("backend " + ws[1]->address() + " (pool app)") != std::string::npos; });
  bool served_while_down = wait_until([&] { return ok.load() >= at_kill + 100; });
  Worker again(dir, "again", {"--port", std::to_string(port)});
  bool back = wait_until([&] { return from_restarted.load() >= 20; }, 10000);
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_TRUE(noticed) << gw.proc->log();
  EXPECT_TRUE(served_while_down) << ok.load() - at_kill << " answered while it was down";
  EXPECT_TRUE(back) << "the restarted worker answered " << from_restarted.load() << " requests";
  EXPECT_EQ(failed.load(), 0) << why << gw.proc->log();
  std::string log = gw.proc->log();
  EXPECT_NE(log.find("backend " + ws[1]->address() + " (pool app)"), std::string::npos) << log;
}

// Every backend refuses connections: the same answer (503 + Retry-After) whether cutover
// finds it out within the request (more backends than retries, so some stay untried) or
// knew it before (they were disabled by the first request), and a log line names every
// backend tried and why it failed.
TEST(BackendFailure, AllBackendsDownIs503WithRetryAfter) {
  std::string dir = temp_dir();
  std::vector<std::string> dead;
  for (int i = 0; i < 3; ++i) dead.push_back("127.0.0.1:" + std::to_string(free_port()));
  Gateway gw(dir, pool_config(dead, "disable_time = \"3s\"\nretries = 1\nbalancer = \"round-robin\"\n"));
  auto r = fetch(gw.port, "GET", "/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << "learned within the request";
  EXPECT_EQ(r->header("Retry-After"), "3");
  std::string log = gw.proc->log();
  EXPECT_NE(log.find("pool app: no backend could take GET /x (tried: "), std::string::npos) << log;
  EXPECT_NE(log.find(": connect failed (Connection refused); "), std::string::npos) << log;
  // The two tried are disabled; the third is found refusing by the next request, and then
  // every one is known down: refused at once without connecting, the same answer.
  for (int i = 0; i < 2; ++i) {
    auto again = fetch(gw.port, "GET", "/x");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 503);
    EXPECT_EQ(again->header("Retry-After"), "3");
  }
  log = gw.proc->log();
  for (auto& a : dead) EXPECT_NE(log.find("backend " + a + " (pool app): connect failed"), std::string::npos) << log;
  EXPECT_NE(log.find("pool app: no backend available for GET /x (all down or tried); answering 503"), std::string::npos) << log;
}

TEST(BackendFailure, GarbageIs502AndTheGatewayKeepsServing) {
  ScriptedBackend garbage([](const std::string&, int) { return std::string("SSH-2.0-OpenSSH\r\n\r\n"); });
  std::string dir = temp_dir();
  Worker good(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[pools.bad]
backends = [")toml" + garbage.address() + R"toml("]
retries = 0
[pools.good]
backends = [")toml" + good.address() + R"toml("]
[[routes]]
name = "bad"
match = { prefix = "/bad" }
forward = "bad"
[[routes]]
name = "good"
forward = "good"
)toml");
  auto r = fetch(gw.port, "GET", "/bad/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  auto g = fetch(gw.port, "GET", "/");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 200);
  std::string log = gw.proc->log();
  EXPECT_NE(log.find("backend " + garbage.address() + " (pool bad): bad response: malformed status line"),
            std::string::npos) << log;
}

TEST(BackendFailure, SlowBackendIs504) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, pool_config({w.address()}, "read_timeout = \"300ms\"\nretries = 0\n"));
  auto r = fetch(gw.port, "GET", "/slow?ms=2000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  EXPECT_NE(gw.proc->log().find("response timeout"), std::string::npos);
  EXPECT_EQ(fetch(gw.port, "GET", "/slow?ms=1")->status, 200);
}

TEST(BackendFailure, FirstByteTimeoutIsSeparateFromReadTimeout) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, pool_config({w.address()}, "read_timeout = \"20s\"\nfirst_byte_timeout = \"300ms\"\nretries = 0\n"));
  auto r = fetch(gw.port, "GET", "/slow?ms=3000");  // under read_timeout, over first_byte_timeout
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  EXPECT_NE(gw.proc->log().find("no response within first_byte_timeout"), std::string::npos) << gw.proc->log();
  EXPECT_EQ(fetch(gw.port, "GET", "/slow?ms=1")->status, 200);
}

TEST(BackendFailure, ClosedKeepAliveConnectionIsRetriedOnAFreshOne) {
  // The backend closes every connection right after its answer without saying so (as
  // some servers do at their keep-alive limit): the next request on the cached
  // connection must go out again on a fresh one, invisibly.
  std::atomic<int> n{0};
  ScriptedBackend once([&](const std::string&, int) {
    std::string body = "r" + std::to_string(++n);
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  });
  std::string dir = temp_dir();
  Gateway gw(dir, pool_config({once.address()}, "retries = 0\n"));
  Client c(gw.port);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"));
    auto r = c.read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200) << i;
  }
}

// A retry after a wait on a thread that served a larger pool meanwhile: the thread's scratch
// space for the balancer must fit the retried request's pool again (it once read past the
// pool's backends, which ASan reports).
TEST(BackendFailure, RetryAfterAnotherPoolsRequestOnTheSameThread) {
  std::string dir = temp_dir();
  std::atomic<bool> first_try{false};
  ScriptedBackend flaky([&](const std::string&, int) {
    first_try = true;
    pace(std::chrono::milliseconds(300));  // a slow failure: the other pool's requests come meanwhile
    return std::string("<close>");
  });
  Worker good(dir, "good");
  std::vector<std::unique_ptr<ScriptedBackend>> many;
  std::string list;
  for (int i = 0; i < 5; ++i) {
    many.push_back(std::make_unique<ScriptedBackend>([](const std::string&, int) {
      return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }));
    list += (list.empty() ? "\"" : ", \"") + many.back()->address() + "\"";
  }
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nthreads = 1\n"
                  "[pools.small]\nbalancer = \"first\"\nbackends = [\"" + flaky.address() + "\", \"" + good.address() + "\"]\n"
                  "[pools.big]\nbackends = [" + list + "]\n"
                  "[[routes]]\nname = \"big\"\nmatch = { prefix = \"/big\" }\nforward = \"big\"\n"
                  "[[routes]]\nname = \"small\"\nforward = \"small\"\n");
  std::optional<Response> slow;
  std::thread t([&] { slow = fetch(gw.port, "GET", "/echo"); });
  ASSERT_TRUE(wait_until([&] { return first_try.load(); }));  // the first try is under way
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fetch(gw.port, "GET", "/big")->status, 200);
  t.join();
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 200);
  EXPECT_NE(slow->body.find("worker: good"), std::string::npos) << slow->body;
}

// A backend that sends its head and dies before the body (a worker killed between two
// writes): the head was held for the body, so nothing reached the client. An idempotent
// request goes to another backend; with none left the client gets a 502, not a cut
// connection; a POST that reached the backend is not sent again.
TEST(BackendFailure, HeadWithoutItsBodyIsRetriedOrAnswered502) {
  std::string dir = temp_dir();
  ScriptedBackend dies([](const std::string&, int fd) {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nX-From: dying\r\n\r\n";
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    return std::string("<close>");
  });
  Worker good(dir, "good");
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n"
                  "[pools.two]\nbalancer = \"first\"\nbackends = [\"" + dies.address() + "\", \"" + good.address() + "\"]\n"
                  "max_fails = 100\n"
                  "[pools.one]\nbackends = [\"" + dies.address() + "\"]\nretries = 0\nmax_fails = 100\n"
                  "[[routes]]\nname = \"one\"\nmatch = { prefix = \"/one\" }\nforward = \"one\"\n"
                  "[[routes]]\nname = \"two\"\nforward = \"two\"\n");
  Client c(gw.port);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << i << "\n" << gw.proc->log();
    EXPECT_EQ(r->status, 200) << i;
    EXPECT_NE(r->body.find("worker: good"), std::string::npos) << r->body;
    EXPECT_EQ(r->count("x-from"), 0u) << "the dying backend's head leaked";
  }
  ASSERT_TRUE(c.send("GET /one HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r) << "the connection was cut\n" << gw.proc->log();
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(r->count("x-from"), 0u);
  EXPECT_FALSE(r->closed) << "a 502 cutover answers itself keeps the connection";
  int before = dies.requests();
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab"));
  r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(dies.requests(), before + 1);
  EXPECT_NE(gw.proc->log().find("response body truncated"), std::string::npos) << gw.proc->log();
}

}  // namespace
