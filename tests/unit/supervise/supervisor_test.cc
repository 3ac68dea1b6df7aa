// The supervisor's state machine against fake processes and a fake clock.
#include "supervise/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace cutover {
namespace {

struct FakeOps : ProcessOps {
  pid_t next_pid = 100;
  std::map<pid_t, InstanceInfo> running;  // pid -> what it is
  std::vector<std::pair<pid_t, int>> signals;
  std::set<int> accepting;  // ports that accept
  std::set<int> taken;      // ports some other program holds
  std::string fail_start;   // non-empty: start() fails with this
  int listeners = 0;
  std::vector<std::string> started;  // "pool[index]"

  pid_t start(const WorkerSpec&, const InstanceInfo& i, std::string& err) override {
    if (!fail_start.empty()) {
      err = fail_start;
      return -1;
    }
    running[next_pid] = i;
    started.push_back(i.pool + "[" + std::to_string(i.index) + "]");
    return next_pid++;
  }
  void signal(pid_t pid, int sig) override { signals.emplace_back(pid, sig); }
  bool port_taken(const WorkerSpec&, const InstanceInfo& i) override { return taken.count(i.port) > 0; }
  bool accepts(const WorkerSpec&, const InstanceInfo& i) override { return accepting.count(i.port) > 0; }
  int open_listener(const WorkerSpec&, const InstanceInfo&, std::string&) override { return 1000 + listeners++; }
  void close_listener(int, const std::string&) override {}
  pid_t adopt(const WorkerSpec&, const InstanceInfo&) override { return 0; }
  bool alive(pid_t pid) override { return running.count(pid) > 0; }
  void exited(const WorkerSpec&, const InstanceInfo&, pid_t pid) override { running.erase(pid); }

  pid_t pid_of(int index) const {
    for (auto& [pid, i] : running)
      if (i.index == index) return pid;
    return 0;
  }
  int last_signal_to(pid_t pid) const {
    int s = 0;
    for (auto& [p, sig] : signals)
      if (p == pid) s = sig;
    return s;
  }
};

constexpr const char* kHttpPool = R"toml(
[server]
listen = ["127.0.0.1:0"]
[pools.warp.workers]
command = ["worker", "--port", "{port}"]
ports = "3001-3003"
backoff = "100ms"
backoff_max = "1s"
max_restarts = 3
restart_window = "10s"
start_timeout = "5s"
drain_timeout = "2s"
stop_timeout = "1s"
[[routes]]
name = "all"
forward = "warp"
)toml";

struct SupervisorTest : ::testing::Test {
  int64_t now = 1000;
  FakeOps ops;
  std::unique_ptr<Runtime> rt;
  std::unique_ptr<Supervisor> sup;

  void boot(const std::string& toml) {
    auto cfg = load_config_text(toml, "test.toml");
    rt = std::make_unique<Runtime>(cfg);
    sup = std::make_unique<Supervisor>(*rt, ops, [this] { return now; });
    sup->apply(*cfg);
  }
  BackendRuntime& backend(size_t i) { return *rt->current()->pools[0]->backends[i]; }
  void advance(int64_t ms) {
    for (int64_t t = 0; t < ms; t += 10) {
      now += 10;
      sup->tick();
    }
  }
  // Simulates the process ending after a signal.
  void exit_pid(pid_t pid, int status = 0) {
    ops.running.erase(pid);
    sup->on_exit(pid, status);
  }
};

TEST_F(SupervisorTest, StartsEveryInstanceAndGatesUntilReady) {
  boot(kHttpPool);
  EXPECT_EQ(ops.started.size(), 3u);
  ASSERT_EQ(rt->current()->pools[0]->backends.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(backend(i).process_up) << i;
  EXPECT_FALSE(sup->settled());
  ops.accepting = {3001, 3003};
  advance(20);
  EXPECT_TRUE(backend(0).process_up);
  EXPECT_FALSE(backend(1).process_up);
  EXPECT_TRUE(backend(2).process_up);
  ops.accepting.insert(3002);
  advance(20);
  EXPECT_TRUE(backend(1).process_up);
  EXPECT_TRUE(sup->settled());
  EXPECT_EQ(sup->count_in(InstanceState::up), 3u);
}

TEST_F(SupervisorTest, CrashRestartsWithDoublingBackoffThenFails) {
  boot(kHttpPool);
  ops.accepting = {3001, 3002, 3003};
  advance(20);
  std::vector<int64_t> restart_delays;
  for (int crash = 0; crash < 4; ++crash) {
    pid_t pid = ops.pid_of(1);
    ASSERT_NE(pid, 0) << "crash " << crash;
    exit_pid(pid, 139);
    EXPECT_FALSE(backend(1).process_up) << "a crashed worker takes no requests";
    int64_t t0 = now;
    size_t before = ops.started.size();
    for (int i = 0; i < 500 && ops.started.size() == before; ++i) advance(10);
    if (ops.started.size() == before) break;
    restart_delays.push_back(now - t0);
    advance(20);
    EXPECT_TRUE(backend(1).process_up);
  }
  // 100ms, 200ms, 400ms (rounded up to the tick), then the 4th crash in 10s marks it failed.
  ASSERT_EQ(restart_delays.size(), 3u);
  EXPECT_NEAR(double(restart_delays[0]), 100, 20);
  EXPECT_NEAR(double(restart_delays[1]), 200, 20);
  EXPECT_NEAR(double(restart_delays[2]), 400, 20);
  EXPECT_EQ(sup->count_in(InstanceState::failed), 1u);
  EXPECT_NE(sup->status_json().find("\"failed\""), std::string::npos);
  EXPECT_TRUE(backend(0).process_up);  // the others keep serving
  EXPECT_TRUE(backend(2).process_up);
}

TEST_F(SupervisorTest, RollingRestartReplacesOneAtATimeAfterDraining) {
  boot(kHttpPool);
  ops.accepting = {3001, 3002, 3003};
  advance(20);
  pid_t old0 = ops.pid_of(0);
  backend(0).in_flight = 2;  // two requests in flight on instance 0
  ASSERT_EQ(sup->restart_pool("warp"), "");
  EXPECT_NE(sup->restart_pool("warp"), "") << "one rolling restart at a time";
  advance(500);
  EXPECT_FALSE(backend(0).process_up) << "draining: no new requests";
  EXPECT_EQ(ops.last_signal_to(old0), 0) << "not stopped while requests are in flight";
  backend(0).in_flight = 0;
  advance(120);
  EXPECT_EQ(ops.last_signal_to(old0), SIGTERM);
  EXPECT_TRUE(backend(1).process_up && backend(2).process_up) << "only one instance out at a time";
  ops.accepting.erase(3001);
  exit_pid(old0);
  EXPECT_NE(ops.pid_of(0), 0) << "the replacement starts as soon as the old one is gone";
  advance(100);
  EXPECT_FALSE(backend(0).process_up) << "not ready yet";
  EXPECT_EQ(ops.last_signal_to(ops.pid_of(1)), 0) << "the next waits until this one is up";
  ops.accepting.insert(3001);
  for (int idx = 1; idx < 3; ++idx) {
    advance(200);
    pid_t old = 0;
    for (auto& [p, sig] : ops.signals)
      if (sig == SIGTERM) old = p;
    ASSERT_EQ(ops.running[old].index, idx);
    EXPECT_TRUE(backend(0).process_up);
    exit_pid(old);
  }
  advance(100);
  EXPECT_FALSE(sup->rolling());
  EXPECT_EQ(sup->count_in(InstanceState::up), 3u);
  EXPECT_EQ(ops.started.size(), 6u);
}

TEST_F(SupervisorTest, DrainTimeoutStopsAnyway) {
  boot(kHttpPool);
  ops.accepting = {3001, 3002, 3003};
  advance(20);
  pid_t old0 = ops.pid_of(0);
  backend(0).in_flight = 1;  // never finishes
  sup->restart_pool("warp");
  advance(1900);
  EXPECT_EQ(ops.last_signal_to(old0), 0);
  advance(200);
  EXPECT_EQ(ops.last_signal_to(old0), SIGTERM);
  advance(1100);
  EXPECT_EQ(ops.last_signal_to(old0), SIGKILL) << "stop_timeout passed";
}

TEST_F(SupervisorTest, PortInUseAndMissingCommandAreStartupErrorsForThatPool) {
  ops.taken = {3002};
  boot(kHttpPool);
  EXPECT_EQ(ops.started.size(), 2u);
  EXPECT_EQ(sup->count_in(InstanceState::failed), 1u);
  EXPECT_NE(sup->status_json().find("already in use"), std::string::npos);

  FakeOps broken;
  broken.fail_start = "exec worker: No such file or directory";
  auto cfg = load_config_text(kHttpPool, "t.toml");
  Runtime rt2(cfg);
  Supervisor s2(rt2, broken, [this] { return now; });
  s2.apply(*cfg);
  EXPECT_EQ(s2.count_in(InstanceState::failed), 3u);
  EXPECT_NE(s2.status_json().find("No such file"), std::string::npos);
}

TEST_F(SupervisorTest, NotReadyInTimeIsKilledAndCountsAsACrash) {
  boot(kHttpPool);
  pid_t pid = ops.pid_of(0);
  advance(5010);
  EXPECT_EQ(ops.last_signal_to(pid), SIGKILL);
  exit_pid(pid, SIGKILL);
  EXPECT_EQ(sup->count_in(InstanceState::backoff), 1u);
}

constexpr const char* kSharedFcgi = R"toml(
[server]
listen = ["127.0.0.1:0"]
[pools.legacy]
protocol = "fastcgi"
[pools.legacy.workers]
command = ["app.cgi"]
socket = "/tmp/app.sock"
count = 2
ready_after = "200ms"
[[routes]]
name = "all"
forward = "legacy"
)toml";

TEST_F(SupervisorTest, SharedFastcgiSocketIsOneBackendAndOneListener) {
  boot(kSharedFcgi);
  ASSERT_EQ(rt->current()->pools[0]->backends.size(), 1u);
  EXPECT_EQ(backend(0).spec.address, "unix:/tmp/app.sock");
  EXPECT_EQ(ops.listeners, 1) << "cutover opens the socket once and passes it to both";
  EXPECT_EQ(ops.started.size(), 2u);
  advance(100);
  EXPECT_FALSE(backend(0).process_up);
  advance(150);
  EXPECT_TRUE(backend(0).process_up);
  // Rolling: stop one, start its replacement, then the next; the socket stays open.
  pid_t a = ops.pid_of(0);
  sup->restart_pool("legacy");
  advance(20);
  EXPECT_EQ(ops.last_signal_to(a), SIGTERM);
  EXPECT_TRUE(backend(0).process_up) << "the other process still serves the socket";
  exit_pid(a);
  advance(300);
  pid_t b = ops.pid_of(1);
  EXPECT_EQ(ops.last_signal_to(b), SIGTERM);
  exit_pid(b);
  advance(300);
  EXPECT_FALSE(sup->rolling());
  EXPECT_EQ(ops.listeners, 1);
  EXPECT_EQ(sup->count_in(InstanceState::up), 2u);
}

TEST_F(SupervisorTest, ReloadWithAChangedSpecRollsOnlyThatPool) {
  std::string two = std::string(kHttpPool) + R"toml(
[pools.other.workers]
command = ["worker", "--port", "{port}"]
ports = [3010]
)toml";
  boot(two);
  ops.accepting = {3001, 3002, 3003, 3010};
  advance(20);
  std::string changed = two;
  const std::string from = R"(["worker", "--port", "{port}"])";
  changed.replace(changed.find(from), from.size(), R"(["worker2", "--port", "{port}"])");
  auto cfg = load_config_text(changed, "t.toml");
  rt->install(cfg);
  sup->request_apply(cfg);
  advance(20);
  EXPECT_TRUE(sup->rolling());
  auto j = nlohmann::json::parse(sup->status_json());
  std::map<std::string, bool> rolling;
  for (auto& p : j["workers"]) rolling[p["pool"]] = p["rolling"];
  EXPECT_TRUE(rolling["warp"]);
  EXPECT_FALSE(rolling["other"]) << "an unchanged pool keeps its processes";
  size_t started = ops.started.size();
  advance(200);  // the first warp instance drains, stops...
  pid_t stopped = ops.signals.back().first;
  EXPECT_EQ(ops.running[stopped].pool, "warp");
  exit_pid(stopped);
  EXPECT_EQ(ops.started.size(), started + 1) << "...and comes back with the new command";
}

}  // namespace
}  // namespace cutover

namespace cutover {
namespace {

TEST_F(SupervisorTest, SurgedAwayProcessThatIgnoresItsStopSignalIsKilled) {
  // Seen for real: an app.cgi stuck in libfcgi's close loop after SIGTERM kept running
  // (and spinning) after its replacement took over.
  std::string toml = kSharedFcgi;
  toml.replace(toml.find("ready_after"), 0, "surge = true\nstop_timeout = \"1s\"\n");
  boot(toml);
  advance(250);
  pid_t old = ops.pid_of(0);
  sup->restart_pool("legacy");
  advance(250);  // the replacement is ready: the old one is asked to stop
  EXPECT_EQ(ops.last_signal_to(old), SIGTERM);
  advance(900);
  EXPECT_EQ(ops.last_signal_to(old), SIGTERM) << "not before stop_timeout";
  advance(200);
  EXPECT_EQ(ops.last_signal_to(old), SIGKILL);
  exit_pid(old, SIGKILL);
}

}  // namespace
}  // namespace cutover

namespace cutover {
namespace {

// A worker up longer than its start_timeout that needs half its stop_timeout to exit on
// TERM is left to exit by itself: stop_all gives each its stop_timeout from the TERM (it
// used to keep the start deadline, and the tick killed it a moment after the TERM).
TEST_F(SupervisorTest, StopAllGivesEveryWorkerItsStopTimeoutFromTheTerm) {
  boot(kHttpPool);
  ops.accepting = {3001, 3002, 3003};
  advance(6000);  // past start_timeout (5s)
  ASSERT_EQ(sup->count_in(InstanceState::up), 3u);
  ops.signals.clear();
  int64_t term_at = now;
  sup->stop_all([] {}, [&](int ms) {
    advance(ms);
    if (now - term_at >= 500)  // each exits 0.5 s after its TERM (stop_timeout is 1 s)
      for (int i = 0; i < 3; ++i)
        if (pid_t pid = ops.pid_of(i)) exit_pid(pid);
  });
  for (auto& [pid, sig] : ops.signals) EXPECT_NE(sig, SIGKILL) << "pid " << pid << " was killed";
  EXPECT_EQ(ops.running.size(), 0u);
}

}  // namespace
}  // namespace cutover
