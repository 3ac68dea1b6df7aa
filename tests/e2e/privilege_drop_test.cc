// Scenario: started as root, cutover binds a privileged port and opens its access log, then
// runs as server.user (every uid and gid, no supplementary root groups), and so do the
// workers it starts; as root without a user it refuses to start unless allow_root; a user
// this machine does not have is refused by `check`.
#include <gtest/gtest.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "harness.h"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

// "Uid:" / "Gid:" / "Groups:" of /proc/PID/status.
std::string status_line(pid_t pid, const std::string& key) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) {
      std::string v = line.substr(key.size() + 1);
      for (char& c : v) c = c == '\t' ? ' ' : c;
      size_t a = v.find_first_not_of(' '), b = v.find_last_not_of(' ');
      return a == std::string::npos ? "" : v.substr(a, b - a + 1);
    }
  return "?";
}

// A port below 1024 that nothing listens on.
int free_privileged_port() {
  for (int p = 1000; p > 600; --p)
    if (!fetch(p, "GET", "/", "", {"Connection: close"})) return p;
  return 0;
}

TEST(PrivilegeDrop, RootBindsThenRunsAsTheUserAndSoDoItsWorkers) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (CI runs as root)";
  passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  std::string uid = std::to_string(nobody->pw_uid), gid = std::to_string(nobody->pw_gid);
  std::string dir = temp_dir();
  ::chmod(dir.c_str(), 0711);  // others may pass through, not create: only root can open the access log here
  std::string shared = dir + "/run";
  ::mkdir(shared.c_str(), 0777);
  ::chmod(shared.c_str(), 0777);  // the workers' pid file, written after the switch
  int port = free_privileged_port(), wport = free_port();
  ASSERT_GT(port, 0);
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:" + std::to_string(port) + "\"]\nuser = \"nobody\"\n"
                    "access_log = \"" + dir + "/access.log\"\n"
                    "[pools.warp]\n[pools.warp.workers]\ncommand = [\"" + std::string(WORKER_BIN) +
                    "\", \"--port\", \"{port}\"]\nports = [" + std::to_string(wport) + "]\npid_file = \"" + shared +
                    "/{port}.pid\"\n[[routes]]\nname = \"all\"\nforward = \"warp\"\n";
  write_file(dir + "/cutover.toml", cfg);
  Process gw({CUTOVER_BIN, "serve", "-c", dir + "/cutover.toml"}, dir + "/cutover.log");
  ASSERT_TRUE(gw.wait_for("listening on http://127.0.0.1:" + std::to_string(port), 10s)) << gw.log();
  ASSERT_TRUE(gw.wait_for("running as user nobody (uid " + uid + "), group ", 10s)) << gw.log();
  ASSERT_TRUE(wait_until([&] { auto r = fetch(port, "GET", "/"); return r && r->status == 200; }, 15000)) << gw.log();

  EXPECT_EQ(status_line(gw.pid(), "Uid"), uid + " " + uid + " " + uid + " " + uid) << "real, effective, saved, fs";
  EXPECT_EQ(status_line(gw.pid(), "Gid"), gid + " " + gid + " " + gid + " " + gid);
  std::string groups = status_line(gw.pid(), "Groups");
  EXPECT_TRUE(groups.empty() || groups == gid) << "no supplementary groups of root's: " << groups;
  pid_t worker = pid_t(std::atoi(read_file(shared + "/" + std::to_string(wport) + ".pid").c_str()));
  ASSERT_GT(worker, 0);
  EXPECT_EQ(status_line(worker, "Uid"), uid + " " + uid + " " + uid + " " + uid) << "the worker started after the switch";
  ASSERT_TRUE(wait_until([&] { return read_file(dir + "/access.log").find("GET / ") != std::string::npos; }))
      << "the access log, opened as root, is still written: " << read_file(dir + "/access.log");
  gw.kill(SIGTERM);
  EXPECT_EQ(gw.wait_exit(15s), 0) << gw.log();
}

TEST(PrivilegeDrop, RootWithoutAUserIsRefusedUnlessAllowed) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (CI runs as root)";
  std::string dir = temp_dir();
  Worker w(dir);
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:0\"]\n[pools.p]\nbackends = [\"" + w.address() +
                    "\"]\n[[routes]]\nname = \"all\"\nforward = \"p\"\n";
  write_file(dir + "/root.toml", cfg);
  auto refused = run_cutover(dir, {"serve", "-c", dir + "/root.toml"});
  EXPECT_EQ(refused.first, 1) << refused.second;
  EXPECT_NE(refused.second.find("refusing to start: running as root without server.user: set user = \"www-data\""),
            std::string::npos) << refused.second;
  // Told: allow_root keeps root.
  std::string allowed = cfg;
  allowed.insert(allowed.find("[pools.p]"), "allow_root = true\n");
  write_file(dir + "/allowed.toml", allowed);
  Process gw({CUTOVER_BIN, "serve", "-c", dir + "/allowed.toml"}, dir + "/allowed.log");
  auto line = gw.wait_for("listening on http://127.0.0.1:", 10s);
  ASSERT_TRUE(line) << gw.log();
  EXPECT_EQ(status_line(gw.pid(), "Uid").substr(0, 2), "0 ");
  auto r = fetch(std::stoi(*line), "GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(PrivilegeDrop, AUserThisMachineDoesNotHaveIsRefusedByCheck) {
  std::string dir = temp_dir();
  write_file(dir + "/u.toml", "[server]\nlisten = [\"127.0.0.1:0\"]\nuser = \"no-such-user-here\"\ngroup = \"no-such-group\"\n");
  auto r = run_cutover(dir, {"check", "-c", dir + "/u.toml"});
  EXPECT_EQ(r.first, 1) << r.second;
  EXPECT_NE(r.second.find("server.user: no user \"no-such-user-here\" on this machine"), std::string::npos) << r.second;
  EXPECT_NE(r.second.find("server.group: no group \"no-such-group\" on this machine"), std::string::npos) << r.second;
}

}  // namespace
