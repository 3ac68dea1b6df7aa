// Worker supervision end to end: cutover starts 5 HTTP example workers and 4 libfcgi
// app.cgi processes itself, restarts them one at a time under load with zero failed
// requests, brings a killed worker back, gives up on a crash loop, and leaves nothing
// behind when it is killed.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;


// The "binary on disk" of a deployment: a script that runs the real program with a version
// string; rewriting it is the recompile-and-redeploy step.
void deploy(const std::string& path, const std::string& program, const std::string& version) {
  write_file(path + ".new", "#!/bin/sh\nexec " + program + " \"$@\" --name " + version + "\n");
  ::chmod((path + ".new").c_str(), 0755);
  ::rename((path + ".new").c_str(), path.c_str());  // atomic, like an installer
}

// Running, not merely a zombie waiting for a parent (or a PID 1 that does not reap).
bool pid_alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// Waits up to 3 s for every pid to be gone.
template <class Pids>
void expect_all_gone(const Pids& pids) {
  wait_until([&] {
    for (pid_t p : pids)
      if (pid_alive(p)) return false;
    return true;
  }, 3000);
  for (pid_t p : pids) EXPECT_FALSE(pid_alive(p)) << "process " << p << " outlived cutover";
}

pid_t read_pid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  in >> pid;
  return pid_t(pid);
}

std::string admin_of(Gateway& gw) {
  auto line = gw.proc->wait_for("admin API on http://127.0.0.1:", 30s);
  return line ? "127.0.0.1:" + *line : "";
}

// Keep-alive clients sending GETs in a loop; every answer that is not a 200 (or no answer)
// is a failure. `paths` are taken in turn.
struct Load {
  Load(int port, std::vector<std::string> paths, int threads = 2) {
    for (int t = 0; t < threads; ++t)
      threads_.emplace_back([this, port, paths, t] {
        std::unique_ptr<Client> c;
        for (size_t i = size_t(t); !stop; ++i) {
          if (!c || !c->connected()) c = std::make_unique<Client>(port);
          const std::string& path = paths[i % paths.size()];
          if (!c->send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n")) {
            ++failed;
            c.reset();
            continue;
          }
          auto r = c->read(false, 10s);
          if (!r || r->status != 200) {
            ++failed;
            std::lock_guard<std::mutex> g(mu);
            failures.push_back(path + " -> " + (r ? std::to_string(r->status) + " " + r->body : "no answer"));
            c.reset();
            continue;
          }
          ++ok;
          {
            std::lock_guard<std::mutex> g(mu);
            last_body[path] = r->body;
          }
          if (r->closed) c.reset();
          pace(1ms);  // a steady client, not a flood
        }
      });
  }
  ~Load() { finish(); }
  // True once `n` more requests than now were answered (the load flows), within `ms`.
  bool answered_more(int n, int ms = 20000) {
    int from = ok.load();
    return wait_until([&] { return ok.load() >= from + n; }, ms);
  }
  void finish() {
    stop = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::mutex mu;
  std::vector<std::string> failures;
  std::map<std::string, std::string> last_body;
  std::vector<std::thread> threads_;
};

struct Deployment {
  std::string dir = temp_dir();
  std::vector<int> ports;
  std::string config;
  Deployment(int http_workers, int fcgi_workers, const std::string& extra = "") {
    deploy(dir + "/worker.sh", WORKER_BIN, "v1");
    deploy(dir + "/app.sh", APP_BIN, "v1");
    std::string port_list;
    for (int i = 0; i < http_workers; ++i) {
      ports.push_back(free_port());
      port_list += (i ? ", " : "") + std::to_string(ports.back());
    }
    config = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\n\n"
             "[pools.warp]\nbalancer = \"round-robin\"\n"
             "[pools.warp.workers]\n"
             "command = [\"" + dir + "/worker.sh\", \"--port\", \"{port}\"]\n"
             "ports = [" + port_list + "]\n"
             "stdout = \"" + dir + "/log/{port}.log\"\n"
             "stderr = \"" + dir + "/log/{port}_errors.log\"\n"
             "pid_file = \"" + dir + "/pid/{port}\"\n"
             "backoff = \"100ms\"\n\n"
             "[pools.legacy]\nprotocol = \"fastcgi\"\n"
             "[pools.legacy.workers]\n"
             "command = [\"" + dir + "/app.sh\"]\n"
             "socket = \"" + dir + "/app-{index}.sock\"\n"
             "count = " + std::to_string(fcgi_workers) + "\n"
             "stderr = \"" + dir + "/log/app-{index}_errors.log\"\n"
             "pid_file = \"" + dir + "/pid/app-{index}\"\n"
             "backoff = \"100ms\"\n" + extra +
             "\n[[routes]]\nname = \"legacy\"\nmatch = { prefix = \"/cgi\" }\nforward = \"legacy\"\n"
             "\n[[routes]]\nname = \"app\"\nforward = \"warp\"\n";
  }
};


TEST(Workers, RollingRestartUnderLoadFailsNoRequestAndServesTheNewBinary) {
  Deployment d(5, 4);
  Gateway gw(d.dir, d.config);
  std::string admin = admin_of(gw);
  ASSERT_FALSE(admin.empty()) << gw.proc->log();
  auto r = fetch(gw.port, "GET", "/");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("hello from v1"), std::string::npos) << r->body;
  r = fetch(gw.port, "GET", "/cgi/");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("hello from v1"), std::string::npos) << r->body;

  // Pid files and logs where configured, naming live processes.
  std::set<pid_t> before;
  for (int p : d.ports) {
    pid_t pid = read_pid(d.dir + "/pid/" + std::to_string(p));
    EXPECT_TRUE(pid > 0 && pid_alive(pid)) << p;
    before.insert(pid);
    EXPECT_NE(read_file(d.dir + "/log/" + std::to_string(p) + ".log").find("listening on"), std::string::npos);
  }
  for (int i = 0; i < 4; ++i) EXPECT_GT(read_pid(d.dir + "/pid/app-" + std::to_string(i)), 0);

  auto [code, out] = run_cutover(d.dir, {"workers", "status", "--admin", admin});
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1 + 5 + 4) << out;

  // Redeploy, then roll both pools while two clients keep asking both of them.
  deploy(d.dir + "/worker.sh", WORKER_BIN, "v2");
  deploy(d.dir + "/app.sh", APP_BIN, "v2");
  Load load(gw.port, {"/", "/cgi/", "/echo", "/cgi/echo"});
  ASSERT_TRUE(load.answered_more(20));
  auto t0 = std::chrono::steady_clock::now();
  int ok0 = load.ok;
  auto [c1, o1] = run_cutover(d.dir, {"workers", "restart", "warp", "--admin", admin});
  auto [c2, o2] = run_cutover(d.dir, {"workers", "restart", "legacy", "--admin", admin});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int during = load.ok - ok0;
  EXPECT_TRUE(load.answered_more(20));  // and it goes on flowing after the restart
  load.finish();
  EXPECT_EQ(c1, 0) << o1;
  EXPECT_EQ(c2, 0) << o2;
  EXPECT_EQ(load.failed.load(), 0) << (load.failures.empty() ? "" : load.failures.front()) << "\n" << gw.proc->log();
  EXPECT_GT(during, 0) << "no request was answered during the restart";  // its rate: bench/rolling_restart.sh
  std::printf("rolling restart of 5 HTTP + 4 FastCGI workers: %.2fs, %d requests (%.0f/s), %d failed\n", seconds,
              during, during / seconds, load.failed.load());
  EXPECT_NE(load.last_body["/"].find("hello from v2"), std::string::npos) << load.last_body["/"];
  EXPECT_NE(load.last_body["/cgi/"].find("hello from v2"), std::string::npos) << load.last_body["/cgi/"];
  for (int i = 0; i < 10; ++i) {
    auto a = fetch(gw.port, "GET", i % 2 ? "/" : "/cgi/");
    ASSERT_TRUE(a);
    EXPECT_NE(a->body.find("hello from v2"), std::string::npos) << a->body;
  }
  for (pid_t pid : before) EXPECT_FALSE(pid_alive(pid)) << "old worker " << pid << " still running";
  // A planned replacement is not an error: counted as replaced, not as a restart.
  auto [cs, status] = run_cutover(d.dir, {"workers", "status", "--admin", admin, "--json"});
  EXPECT_EQ(cs, 0) << status;
  auto j = nlohmann::json::parse(status, nullptr, false);
  ASSERT_TRUE(j.is_object()) << status;
  for (auto& p : j["workers"])
    for (auto& i : p["instances"]) {
      EXPECT_EQ(i["replaced"], 1) << p["pool"] << " " << i.dump();
      EXPECT_EQ(i["restarts"], 0) << p["pool"] << " " << i.dump();
      EXPECT_EQ(i["last_error"], "") << p["pool"] << " " << i.dump();
    }
}

// With one thread the supervisor ticks on a timer of the only event loop (control/server.cc);
// with two, on a control thread of its own.
class WorkersWithThreads : public ::testing::TestWithParam<int> {};

TEST_P(WorkersWithThreads, KilledWorkerComesBackWithoutFailingRequests) {
  Deployment d(3, 2);
  std::string admin_line = "admin = \"127.0.0.1:0\"\n";
  d.config.replace(d.config.find(admin_line), admin_line.size(),
                   admin_line + "threads = " + std::to_string(GetParam()) + "\n");
  Gateway gw(d.dir, d.config);
  ASSERT_FALSE(admin_of(gw).empty());
  Load load(gw.port, {"/", "/cgi/"});
  ASSERT_TRUE(load.answered_more(20));
  pid_t victim = read_pid(d.dir + "/pid/" + std::to_string(d.ports[1]));
  pid_t app_victim = read_pid(d.dir + "/pid/app-0");
  ASSERT_GT(victim, 0);
  ::kill(victim, SIGKILL);
  ::kill(app_victim, SIGKILL);
  pid_t back = 0;
  wait_until([&] {
    back = read_pid(d.dir + "/pid/" + std::to_string(d.ports[1]));
    return back != 0 && back != victim;
  }, 5000);
  EXPECT_NE(back, victim);
  EXPECT_TRUE(back > 0 && pid_alive(back));
  EXPECT_TRUE(load.answered_more(100));  // served on, with the replacements
  load.finish();
  EXPECT_EQ(load.failed.load(), 0) << (load.failures.empty() ? "" : load.failures.front()) << "\n" << gw.proc->log();
  EXPECT_GT(load.ok.load(), 100);
  EXPECT_NE(gw.proc->log().find("killed by signal 9 (SIGKILL); restarting in"), std::string::npos) << gw.proc->log();
  // The restarted instance serves again, once it is ready.
  std::set<std::string> seen;
  EXPECT_TRUE(wait_until([&] {
    auto r = fetch(gw.port, "GET", "/");
    if (r) seen.insert(r->body.substr(r->body.find("port ")));
    return seen.size() == 3;
  }, 5000)) << seen.size() << " instances answered";
  EXPECT_NE(gw.proc->log().find("(" + std::to_string(GetParam()) + " threads)"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Threads, WorkersWithThreads, ::testing::Values(1, 2));

TEST(Workers, CrashLoopIsMarkedFailedWhileTheOthersServe) {
  Deployment d(2, 1);
  // The second HTTP instance's program exits at once, every time.
  write_file(d.dir + "/crash.sh", "#!/bin/sh\necho 'cannot open database' >&2\nexit 3\n");
  ::chmod((d.dir + "/crash.sh").c_str(), 0755);
  std::string cfg = d.config;
  std::string extra = "\n[pools.broken]\n[pools.broken.workers]\ncommand = [\"" + d.dir +
                      "/crash.sh\"]\nports = [" + std::to_string(free_port()) +
                      "]\nbackoff = \"50ms\"\nmax_restarts = 2\nstderr = \"" + d.dir + "/log/broken.log\"\n"
                      "\n[[routes]]\nname = \"broken\"\nmatch = { prefix = \"/broken\" }\nforward = \"broken\"\n";
  cfg.insert(cfg.find("\n[[routes]]"), extra.substr(0, extra.find("\n[[routes]]")));
  cfg += extra.substr(extra.find("\n[[routes]]"));
  cfg.replace(cfg.find("name = \"app\""), 12, "name = \"app\"");
  // routes: legacy, app (catch-all) ... put broken before the catch-all
  std::string broken_route = "\n[[routes]]\nname = \"broken\"\nmatch = { prefix = \"/broken\" }\nforward = \"broken\"\n";
  cfg.erase(cfg.rfind(broken_route), broken_route.size());
  cfg.insert(cfg.find("\n[[routes]]\nname = \"app\""), broken_route);
  Gateway gw(d.dir, cfg);
  std::string admin = admin_of(gw);
  ASSERT_FALSE(admin.empty());
  bool failed = wait_until([&] {
    return gw.proc->log().find("workers broken[0]") != std::string::npos &&
           gw.proc->log().find("marked failed") != std::string::npos;
  }, 5000);
  EXPECT_TRUE(failed) << gw.proc->log();
  auto [code, out] = run_cutover(d.dir, {"workers", "status", "broken", "--admin", admin});
  EXPECT_EQ(code, 3) << "not every instance is up (exit 3: degraded)";
  EXPECT_NE(out.find("failed"), std::string::npos) << out;
  EXPECT_NE(out.find("exited with status 3"), std::string::npos) << out;
  EXPECT_NE(read_file(d.dir + "/log/broken.log").find("cannot open database"), std::string::npos);
  auto r = fetch(gw.port, "GET", "/broken/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  for (const char* path : {"/", "/cgi/"}) {
    auto ok = fetch(gw.port, "GET", path);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << path;
  }
}

TEST(Workers, MissingCommandIsAClearErrorAndOtherPoolsServe) {
  Deployment d(1, 1);
  std::string cfg = d.config;
  cfg.replace(cfg.find(d.dir + "/app.sh"), (d.dir + "/app.sh").size(), d.dir + "/no-such-app");
  Gateway gw(d.dir, cfg);
  ASSERT_FALSE(admin_of(gw).empty());
  EXPECT_NE(gw.proc->log().find("no-such-app: No such file or directory"), std::string::npos) << gw.proc->log();
  auto r = fetch(gw.port, "GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = fetch(gw.port, "GET", "/cgi/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST(Workers, PortInUseIsAClearErrorForThatInstance) {
  Worker squatter(temp_dir(), "squatter");
  std::string dir = temp_dir();
  deploy(dir + "/worker.sh", WORKER_BIN, "v1");
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\n"
                    "[pools.warp.workers]\ncommand = [\"" + dir + "/worker.sh\", \"--port\", \"{port}\"]\n"
                    "ports = [" + std::to_string(squatter.port) + ", " + std::to_string(free_port()) + "]\n"
                    "[[routes]]\nname = \"all\"\nforward = \"warp\"\n";
  Gateway gw(dir, cfg);
  ASSERT_FALSE(admin_of(gw).empty());
  EXPECT_NE(gw.proc->log().find("port " + std::to_string(squatter.port) + " is already in use by another process"),
            std::string::npos) << gw.proc->log();
  for (int i = 0; i < 4; ++i) {
    auto r = fetch(gw.port, "GET", "/");
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find("hello from v1"), std::string::npos) << "never routed to the squatter: " << r->body;
  }
}

TEST(Workers, SigkillOfCutoverLeavesNoWorkerBehind) {
  Deployment d(3, 2);
  std::vector<pid_t> pids;
  {
    Gateway gw(d.dir, d.config);
    ASSERT_FALSE(admin_of(gw).empty());
    for (int p : d.ports) pids.push_back(read_pid(d.dir + "/pid/" + std::to_string(p)));
    for (int i = 0; i < 2; ++i) pids.push_back(read_pid(d.dir + "/pid/app-" + std::to_string(i)));
    for (pid_t p : pids) ASSERT_TRUE(p > 0 && pid_alive(p));
    gw.proc->kill(SIGKILL);
    gw.proc->wait_exit(5s);
  }
  expect_all_gone(pids);
}

TEST(Workers, SigtermStopsWorkersAndRemovesPidFiles) {
  Deployment d(2, 1);
  std::vector<pid_t> pids;
  {
    Gateway gw(d.dir, d.config);
    ASSERT_FALSE(admin_of(gw).empty());
    for (int p : d.ports) pids.push_back(read_pid(d.dir + "/pid/" + std::to_string(p)));
    gw.proc->kill(SIGTERM);
    EXPECT_EQ(gw.proc->wait_exit(15s), 0);
  }
  for (pid_t p : pids) EXPECT_FALSE(pid_alive(p));
  for (int p : d.ports) EXPECT_FALSE(std::ifstream(d.dir + "/pid/" + std::to_string(p)).good());
}

// N app.cgi processes on one socket that cutover holds (lighttpd's max-procs with one
// socket, spawn-fcgi -F N): a restart never closes the socket, so requests wait in its
// backlog instead of failing, and app.cgi finishes the request in hand on SIGTERM.
TEST(Workers, SharedSocketFastcgiPoolRollsWithoutFailures) {
  for (bool surge : {false, true}) {
    Deployment d(1, 3, surge ? "surge = true\n" : "");
    std::string cfg = d.config;
    cfg.replace(cfg.find("/app-{index}.sock"), 17, "/app.sock");
    Gateway gw(d.dir, cfg);
    std::string admin = admin_of(gw);
    ASSERT_FALSE(admin.empty()) << gw.proc->log();
    deploy(d.dir + "/app.sh", APP_BIN, "v2");
    Load load(gw.port, {"/cgi/", "/cgi/echo"});
    ASSERT_TRUE(load.answered_more(20));
    auto [code, out] = run_cutover(d.dir, {"workers", "restart", "legacy", "--admin", admin});
    EXPECT_TRUE(load.answered_more(20));
    EXPECT_TRUE(wait_until([&] { return load.ok.load() > 100; }));  // waited for: a quick restart leaves fewer
    load.finish();
    EXPECT_EQ(code, 0) << out;
    EXPECT_EQ(load.failed.load(), 0) << "surge=" << surge << ": " << (load.failures.empty() ? "" : load.failures.front());
    EXPECT_GT(load.ok.load(), 100);
    EXPECT_NE(load.last_body["/cgi/"].find("hello from v2"), std::string::npos) << load.last_body["/cgi/"];
  }
}

// Moving in steps: workers started by the old script (pid files) are adopted, then
// replaced by cutover's own on the first rolling restart.
TEST(Workers, AdoptsExternalWorkersFromPidFiles) {
  std::string dir = temp_dir();
  Worker a(dir, "old-a"), b(dir, "old-b");
  ::mkdir((dir + "/pid").c_str(), 0755);
  write_file(dir + "/pid/" + std::to_string(a.port), std::to_string(a.proc->pid()) + "\n");
  write_file(dir + "/pid/" + std::to_string(b.port), std::to_string(b.proc->pid()) + "\n");
  deploy(dir + "/worker.sh", WORKER_BIN, "new");
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\n"
                    "[pools.warp.workers]\ncommand = [\"" + dir + "/worker.sh\", \"--port\", \"{port}\"]\n"
                    "ports = [" + std::to_string(a.port) + ", " + std::to_string(b.port) + "]\n"
                    "adopt_pid_file = \"" + dir + "/pid/{port}\"\n"
                    "[[routes]]\nname = \"all\"\nforward = \"warp\"\n";
  Gateway gw(dir, cfg);
  std::string admin = admin_of(gw);
  ASSERT_FALSE(admin.empty()) << gw.proc->log();
  auto r = fetch(gw.port, "GET", "/");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("hello from old-"), std::string::npos) << r->body;
  EXPECT_NE(gw.proc->log().find("adopted pid " + std::to_string(a.proc->pid())), std::string::npos);
  Load load(gw.port, {"/"});
  auto [code, out] = run_cutover(dir, {"workers", "restart", "warp", "--admin", admin});
  EXPECT_TRUE(load.answered_more(20));
  load.finish();
  EXPECT_EQ(code, 0) << out << gw.proc->log();
  EXPECT_EQ(load.failed.load(), 0) << (load.failures.empty() ? "" : load.failures.front());
  EXPECT_FALSE(a.proc->running()) << "the adopted process was stopped";
  EXPECT_NE(load.last_body["/"].find("hello from new"), std::string::npos) << load.last_body["/"];
}

// SIGHUP with a changed [workers] table replaces that pool's processes, rolling; the other
// pool's processes are untouched.
TEST(Workers, ReloadRollsOnlyThePoolWhoseSpecChanged) {
  Deployment d(2, 2);
  Gateway gw(d.dir, d.config);
  ASSERT_FALSE(admin_of(gw).empty());
  std::vector<pid_t> warp;
  for (int p : d.ports) warp.push_back(read_pid(d.dir + "/pid/" + std::to_string(p)));
  pid_t app0 = read_pid(d.dir + "/pid/app-0");
  std::string cfg = read_file(d.dir + "/cutover.toml");
  std::string from = "command = [\"" + d.dir + "/app.sh\"]";
  cfg.replace(cfg.find(from), from.size(), "command = [\"" + std::string(APP_BIN) + "\", \"--name\", \"reloaded\"]");
  // Keep the port cutover picked: the listen address does not change on reload.
  cfg.replace(cfg.find("127.0.0.1:0\"]"), 13, "127.0.0.1:" + std::to_string(gw.port) + "\"]");
  write_file(d.dir + "/cutover.toml", cfg);
  Load load(gw.port, {"/", "/cgi/"});
  gw.proc->kill(SIGHUP);
  bool done = wait_until([&] {
    auto r = fetch(gw.port, "GET", "/cgi/");
    return r && r->body.find("hello from reloaded") != std::string::npos && !pid_alive(app0) &&
           gw.proc->log().find("workers legacy[1]: ready", gw.proc->log().find("spec changed")) != std::string::npos;
  }, 5000);
  load.finish();
  EXPECT_TRUE(done) << gw.proc->log();
  EXPECT_EQ(load.failed.load(), 0) << (load.failures.empty() ? "" : load.failures.front());
  for (size_t i = 0; i < warp.size(); ++i)
    EXPECT_EQ(read_pid(d.dir + "/pid/" + std::to_string(d.ports[i])), warp[i]) << "warp untouched";
}

// Environment, working directory and user of a worker; its stderr log reopened on SIGUSR1.
TEST(Workers, EnvironmentCwdUserAndLogReopen) {
  std::string dir = temp_dir();
  ::chmod(dir.c_str(), 0777);
  std::string script = dir + "/w.sh";
  // A FastCGI "worker" that records what it got, then writes a line to stderr every 50ms.
  write_file(script, "#!/bin/sh\n{ id -un; echo \"$GREETING $HOME_SEEN\"; pwd; } > " + dir +
                         "/seen.txt\nwhile true; do echo \"tick $$\" >&2; sleep 0.05; done\n");
  ::chmod(script.c_str(), 0755);
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n"
                    "[pools.f]\nprotocol = \"fastcgi\"\n[pools.f.workers]\ncommand = [\"" + script + "\"]\n"
                    "socket = \"" + dir + "/f.sock\"\ncwd = \"/tmp\"\nuser = \"nobody\"\nclear_env = true\n"
                    "env = { GREETING = \"hi\", HOME_SEEN = \"{index}\", PATH = \"/usr/bin:/bin\" }\n"
                    "stderr = \"" + dir + "/log/f.log\"\n"
                    "[[routes]]\nname = \"all\"\nforward = \"f\"\n";
  Gateway gw(dir, cfg);
  auto ticks = [&](const std::string& path) {
    std::string t = read_file(path);
    return size_t(std::count(t.begin(), t.end(), '\n'));
  };
  EXPECT_TRUE(wait_until([&] { return read_file(dir + "/seen.txt") == "nobody\nhi 0\n/tmp\n"; }, 5000))
      << read_file(dir + "/seen.txt");
  ASSERT_TRUE(wait_until([&] { return ticks(dir + "/log/f.log") > 0; }, 5000));
  ::rename((dir + "/log/f.log").c_str(), (dir + "/log/f.log.1").c_str());  // logrotate
  gw.proc->kill(SIGUSR1);
  EXPECT_TRUE(wait_until([&] { return ticks(dir + "/log/f.log") > 0; }, 5000)) << "reopened at the path";
  size_t rotated = read_file(dir + "/log/f.log.1").size();
  size_t now = ticks(dir + "/log/f.log");
  ASSERT_TRUE(wait_until([&] { return ticks(dir + "/log/f.log") >= now + 3; }, 5000));
  EXPECT_EQ(read_file(dir + "/log/f.log.1").size(), rotated) << "nothing more goes to the moved file";
}

// Debian's php-cgi as a spawned FastCGI pool, the way Debian's lighttpd config
// (15-fastcgi-php.conf) runs it: bin-path php-cgi, PHP_FCGI_CHILDREN, bin-copy-environment.
TEST(Workers, PhpCgiPoolAsDebiansLighttpdRunsIt) {
  ASSERT_EQ(::access("/usr/bin/php-cgi", X_OK), 0) << "php-cgi missing: the README's setup installs it";
  std::string dir = temp_dir();
  ::mkdir((dir + "/www").c_str(), 0755);
  write_file(dir + "/www/info.php",
             "<?php\nheader('X-Php: yes');\necho 'sapi=', php_sapi_name(), ' script=', $_SERVER['SCRIPT_NAME'], "
             "' q=', $_GET['q'] ?? '', ' pid=', getmypid(), \"\\n\";\n");
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\ndocument_root = \"" + dir + "/www\"\n"
                    "[pools.php]\nprotocol = \"fastcgi\"\n[pools.php.workers]\ncommand = [\"/usr/bin/php-cgi\"]\n"
                    "socket = \"" + dir + "/php.socket-{index}\"\npid_file = \"" + dir + "/php.pid\"\n"
                    "env = { PHP_FCGI_CHILDREN = \"2\", PHP_FCGI_MAX_REQUESTS = \"10000\" }\n"
                    "copy_env = [\"PATH\", \"SHELL\", \"USER\"]\n"
                    "[[routes]]\nname = \"php\"\nmatch = { regex = \"\\\\.php$\" }\nforward = \"php\"\n"
                    "fastcgi = { key = \".php\", broken_scriptfilename = true }\n";
  std::set<pid_t> pids;
  {
    Gateway gw(dir, cfg);
    ASSERT_FALSE(admin_of(gw).empty()) << gw.proc->log();
    for (int i = 0; i < 8; ++i) {
      auto r = fetch(gw.port, "GET", "/info.php?q=" + std::to_string(i));
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body << gw.proc->log();
      EXPECT_EQ(r->header("X-Php"), "yes");
      EXPECT_NE(r->body.find("sapi=cgi-fcgi script=/info.php q=" + std::to_string(i)), std::string::npos) << r->body;
      pids.insert(std::stoi(r->body.substr(r->body.find("pid=") + 4)));
    }
    pid_t master = read_pid(dir + "/php.pid");
    ASSERT_GT(master, 0);
    pids.insert(master);
    for (pid_t p : pids) EXPECT_TRUE(pid_alive(p)) << p;
    gw.proc->kill(SIGKILL);  // php-cgi's children must not outlive cutover either
    gw.proc->wait_exit(5s);
  }
  expect_all_gone(pids);
}

}  // namespace
}  // namespace e2e
