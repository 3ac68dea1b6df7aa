// Scenario: the pool's queue keeps one arrival order across threads. With max_conns = 1 and
// two event-loop threads, requests that arrive one after another on many client
// connections (the kernel spreads them over both threads' listeners) while the backend is
// busy reach the backend in exactly that order, for an HTTP pool and for a FastCGI pool
// whose one kept connection must follow the slot from thread to thread.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <condition_variable>
#include <nlohmann/json.hpp>

#include "harness.h"

using namespace e2e;

namespace {

constexpr int kQueued = 12;  // requests queued behind the one the backend holds

int queue_depth(int admin_port) {
  auto r = fetch(admin_port, "GET", "/api/status");
  if (!r || r->status != 200) return -1;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return -1;
  for (auto& p : j["pools"])
    if (p["name"] == "app") return p["queue_depth"].get<int>();
  return -1;
}

// Sends `first` on connection 0, waits for `busy` (the backend holds it), then one request
// per further connection, each only once the one before is seen waiting in the queue; then
// calls `release` and reads every answer. Every connection is opened first, so the
// connections are spread over both threads before any request is sent.
void send_in_order(int port, int admin, const std::string& first, const std::function<bool()>& busy,
                   const std::function<void()>& release, std::vector<Response>* answers = nullptr) {
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i <= kQueued; ++i) clients.push_back(std::make_unique<Client>(port));
  ASSERT_TRUE(clients[0]->send("GET " + first + " HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(wait_until(busy)) << "the backend never got the first request";
  for (int i = 1; i <= kQueued; ++i) {
    ASSERT_TRUE(clients[i]->send("GET /r" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(wait_until([&] { return queue_depth(admin) == i; })) << "request " << i << " never queued";
  }
  release();
  for (int i = 0; i <= kQueued; ++i) {
    auto r = clients[i]->read();
    ASSERT_TRUE(r) << "no answer on connection " << i;
    EXPECT_EQ(r->status, 200) << "connection " << i;
    if (answers) answers->push_back(*r);
  }
}

std::vector<std::string> expected(const std::string& first) {
  std::vector<std::string> want{first};
  for (int i = 1; i <= kQueued; ++i) want.push_back("/r" + std::to_string(i));
  return want;
}

TEST(QueueOrder, HttpPoolServesWaitersInArrivalOrderAcrossThreads) {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  std::vector<std::string> seen;
  ScriptedBackend backend([&](const std::string& head, int) {
    std::string target = head.substr(head.find(' ') + 1);
    target = target.substr(0, target.find(' '));
    std::unique_lock<std::mutex> g(mu);
    seen.push_back(target);
    if (target == "/hold") cv.wait_for(g, std::chrono::seconds(20), [&] { return released; });
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}, "max_conns = 1\nqueue = 100\nqueue_timeout = \"20s\"\n",
                                  "threads = 2\nadmin = \"127.0.0.1:0\"\n"));
  int admin = gw.admin_port();
  send_in_order(
      gw.port, admin, "/hold",
      [&] {
        std::lock_guard<std::mutex> g(mu);
        return !seen.empty();
      },
      [&] {
        std::lock_guard<std::mutex> g(mu);
        released = true;
        cv.notify_all();
      });
  std::lock_guard<std::mutex> g(mu);
  EXPECT_EQ(seen, expected("/hold"));
}

TEST(QueueOrder, FastcgiKeptConnectionFollowsTheSlotAcrossThreads) {
  std::string dir = temp_dir();
  std::string record = dir + "/order.txt", go = dir + "/go";
  FcgiApp app(dir, "legacy", {"--record", record});
  Gateway gw(dir, one_pool_config({app.address()},
                                  "protocol = \"fastcgi\"\nkeep_conn = 1\nmax_conns = 1\nqueue = 100\nqueue_timeout = \"20s\"\n",
                                  "threads = 2\nadmin = \"127.0.0.1:0\"\n"));
  int admin = gw.admin_port();
  std::string first = "/hold?path=" + go;
  std::vector<Response> answers;
  send_in_order(
      gw.port, admin, first, [&] { return read_file(record).find("/hold") != std::string::npos; },
      [&] { write_file(go, "go"); }, &answers);
  std::vector<std::string> seen;
  std::string text = read_file(record);
  for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) seen.push_back(text.substr(at, nl - at));
  EXPECT_EQ(seen, expected(first));
  // One process, one kept connection: it went from thread to thread with the slot, so the
  // app answered all of them on the connection it accepted first (closing it on one thread
  // and connecting again on the other would start the count again).
  ASSERT_EQ(answers.size(), size_t(kQueued + 1));
  EXPECT_EQ(answers.back().header("X-Conn-Requests"), std::to_string(kQueued + 1));
  EXPECT_EQ(gw.proc->log().find("stayed busy"), std::string::npos) << gw.proc->log();
}

}  // namespace
