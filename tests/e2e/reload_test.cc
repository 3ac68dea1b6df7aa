// Scenario: reload under continuous load. SIGHUP with a changed pool swaps the config with
// zero failed requests and keeps the idle connections to the unchanged backend; a broken
// file is refused and the old config keeps serving; `cutover reload` does the same.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

std::string config(const std::vector<std::string>& backends, const std::string& extra_server = "") {
  return one_pool_config(backends, "", extra_server);
}

std::string write_config(const std::string& dir, const std::string& text, int port) {
  std::string t = text;
  for (size_t p; (p = t.find("{{PORT}}")) != std::string::npos;) t.replace(p, 8, std::to_string(port));
  write_file(dir + "/cutover.toml.new", t);
  ::rename((dir + "/cutover.toml.new").c_str(), (dir + "/cutover.toml").c_str());
  return t;
}

bool wait_log(Process& p, const std::string& text, size_t after = 0) {
  return wait_until([&] { return p.log().find(text, after) != std::string::npos; }, 5000);
}

// With one thread the event loop runs on the main thread and the signals are handled on a
// timer there (control/server.cc); with two, on a control thread of their own.
class ReloadWithThreads : public ::testing::TestWithParam<int> {};

TEST_P(ReloadWithThreads, ChangedPoolUnderLoadWithZeroFailures) {
  std::string threads = "threads = " + std::to_string(GetParam()) + "\n";
  std::atomic<int> s1_requests{0};
  ScriptedBackend s1([&](const std::string&, int) {
    ++s1_requests;
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\ns1");
  });
  std::string dir = temp_dir();
  Worker w2(dir, "w2");
  Gateway gw(dir, config({s1.address()}, threads));
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0}, from_w2{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 3; ++t) {
    load.emplace_back([&] {
      auto c = std::make_unique<Client>(gw.port);
      while (!stop) {
        auto r = c->send("GET / HTTP/1.1\r\nHost: h\r\n\r\n") ? c->read() : std::nullopt;
        if (!r || r->status != 200) {
          ++failed;
          c = std::make_unique<Client>(gw.port);
          continue;
        }
        ++ok;
        if (r->body.find("hello from w2") != std::string::npos) ++from_w2;
      }
    });
  }
  ASSERT_TRUE(wait_until([&] { return ok.load() >= 50; }));  // every client has its connection
  int s1_conns = s1.connections();
  write_config(dir, config({s1.address(), w2.address()}, threads), gw.port);
  gw.proc->kill(SIGHUP);
  ASSERT_TRUE(wait_log(*gw.proc, "reloaded"));
  ASSERT_TRUE(wait_log(*gw.proc, "generation 2 is served by every thread"));
  ASSERT_TRUE(wait_until([&] { return from_w2.load() >= 20; })) << "the new backend takes requests";
  // A broken file: refused, and the running config (both backends) keeps serving.
  size_t mark = gw.proc->log().size();
  write_config(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n[pools.app]\nbackends = [\"nope\"]\n", gw.port);
  gw.proc->kill(SIGHUP);
  ASSERT_TRUE(wait_log(*gw.proc, "reload refused, still serving the previous config", mark));
  int w2_before = from_w2.load();
  EXPECT_TRUE(wait_until([&] { return from_w2.load() >= w2_before + 20; }));
  // At least 200 answers in all, across both reloads (waited for, not assumed: the waits
  // above can end sooner on a fast run).
  EXPECT_TRUE(wait_until([&] { return ok.load() >= 200; }));
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GE(ok.load(), 200);
  EXPECT_EQ(s1.connections(), s1_conns);  // kept-alive connections to the unchanged backend survived
  EXPECT_NE(gw.proc->log().find("cutover.toml:4:"), std::string::npos);  // the refusal names the position
  EXPECT_NE(gw.proc->log().find("(" + std::to_string(GetParam()) + " threads)"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Threads, ReloadWithThreads, ::testing::Values(1, 2));

TEST(Reload, ReloadCommandThroughTheAdminApi) {
  std::string dir = temp_dir();
  Worker w1(dir, "w1"), w2(dir, "w2");
  Gateway gw(dir, config({w1.address()}, "admin = \"127.0.0.1:0\"\n"));
  auto line = gw.proc->wait_for("admin API on http://127.0.0.1:", std::chrono::seconds(5));
  ASSERT_TRUE(line);
  std::string admin = "127.0.0.1:" + *line;
  // Keep the admin port: the file now names it, so the reloaded config is identical there.
  write_config(dir, config({w2.address()}, "admin = \"" + admin + "\"\n"), gw.port);
  Process p({CUTOVER_BIN, "reload", "--admin", admin}, dir + "/reload.out");
  EXPECT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
  EXPECT_NE(p.log().find("cutover reload: the new config is in effect"), std::string::npos) << p.log();
  auto r = fetch(gw.port, "GET", "/echo");
  ASSERT_TRUE(r);
  EXPECT_EQ(parse_echo(r->body).find("worker")->second.rfind("w2 ", 0), 0u);
  write_config(dir, "[server]\nlisten = 3\n", gw.port);
  Process bad({CUTOVER_BIN, "reload", "--admin", admin}, dir + "/reload2.out");
  EXPECT_EQ(bad.wait_exit(std::chrono::seconds(10)), 1);
  EXPECT_NE(bad.log().find("cutover reload: refused, still serving the previous config: "), std::string::npos) << bad.log();
  Process json({CUTOVER_BIN, "reload", "--json", "--admin", admin}, dir + "/reload3.out");  // for scripts
  EXPECT_EQ(json.wait_exit(std::chrono::seconds(10)), 1);
  EXPECT_NE(json.log().find("\"reloaded\":false"), std::string::npos) << json.log();
}

}  // namespace
