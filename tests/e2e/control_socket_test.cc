// Scenario: the commands work on any config. A bin-path FastCGI site's lighttpd.conf, through
// `cutover migrate`, served as it came out (no admin listener in it): `cutover workers
// status/restart -c cutover.toml` and `cutover status -c` reach it on its control socket
// (on by default, owner-only), and a rolling restart under load replaces every pid without
// a failed request. With server.control = "off" and no admin listener the CLI says so.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

std::set<std::string> pids_of(const std::string& status_table) {
  std::set<std::string> pids;
  std::istringstream in(status_table);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string pool, index, pid;
    if (f >> pool >> index >> pid) pids.insert(pid);
  }
  return pids;
}

TEST(ControlSocket, WorkersRestartOnAMigratedBinPathSiteUnderLoad) {
  std::string dir = temp_dir();
  int port = free_port();
  ::mkdir((dir + "/www").c_str(), 0755);
  write_file(dir + "/lighttpd.conf",
             "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"" + dir + "/www\"\nserver.bind = \"127.0.0.1\"\n"
             "server.port = " + std::to_string(port) + "\n"
             "fastcgi.server = ( \"/app\" => (( \"bin-path\" => \"" + APP_BIN + "\", \"socket\" => \"" + dir +
             "/app.sock\", \"max-procs\" => 3, \"check-local\" => \"disable\" )) )\n");
  auto [mcode, mout] = run_cutover(dir, {"migrate", dir + "/lighttpd.conf", "-o", dir + "/cutover.toml"});
  ASSERT_EQ(mcode, 0) << mout;
  std::string toml = read_file(dir + "/cutover.toml");
  EXPECT_EQ(toml.find("admin"), std::string::npos) << "a translated config has no admin listener";
  // Served as migrate wrote it: the control socket at its default path.
  Process serve({CUTOVER_BIN, "serve", "-c", dir + "/cutover.toml"}, dir + "/serve.log");
  auto at = serve.wait_for("control socket at ", 20s);
  ASSERT_TRUE(at) << serve.log();
  std::string sock = at->substr(0, at->find(' '));
  struct stat st {};
  ASSERT_EQ(::stat(sock.c_str(), &st), 0) << sock;
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "owner-only";

  auto [c0, before] = run_cutover(dir, {"workers", "status", "-c", dir + "/cutover.toml"});
  EXPECT_EQ(c0, 0) << before;
  std::set<std::string> old_pids = pids_of(before);
  EXPECT_EQ(old_pids.size(), 3u) << before;

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 2; ++t)
    clients.emplace_back([&] {
      while (!stop) {
        auto r = fetch(port, "GET", "/app/x");
        if (r && r->status == 200) ++ok;
        else ++failed;
      }
    });
  wait_until([&] { return ok >= 50 || failed > 0; }, 20000);  // load is flowing before the restart
  auto [c1, out] = run_cutover(dir, {"workers", "restart", "fcgi_app", "-c", dir + "/cutover.toml"});
  int during = ok;
  stop = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(c1, 0) << out;
  EXPECT_NE(out.find("rolling restart of fcgi_app done"), std::string::npos) << out;
  EXPECT_EQ(failed.load(), 0) << serve.log();
  EXPECT_GT(during, 50);
  auto [c2, after] = run_cutover(dir, {"workers", "status", "-c", dir + "/cutover.toml"});
  std::set<std::string> new_pids = pids_of(after);
  EXPECT_EQ(new_pids.size(), 3u) << after;
  for (auto& p : new_pids) EXPECT_EQ(old_pids.count(p), 0u) << "pid " << p << " was not replaced\n" << after;
  auto [c3, status] = run_cutover(dir, {"status", "-c", dir + "/cutover.toml"});
  EXPECT_EQ(c3, 0) << status;
  EXPECT_NE(status.find("fcgi_app"), std::string::npos) << status;

  serve.kill(SIGTERM);
  EXPECT_EQ(serve.wait_exit(20s), 0) << serve.log();
  EXPECT_NE(::stat(sock.c_str(), &st), 0) << "the socket goes with the process";
  auto [c4, gone] = run_cutover(dir, {"workers", "status", "-c", dir + "/cutover.toml"});
  EXPECT_EQ(c4, 1);
  EXPECT_NE(gone.find("cannot reach the control socket " + sock), std::string::npos) << gone;
}

TEST(ControlSocket, OffWithoutAnAdminListenerIsSaid) {
  std::string dir = temp_dir();
  write_file(dir + "/cutover.toml", "[server]\nlisten = [\"127.0.0.1:0\"]\ncontrol = \"off\"\n");
  auto [code, out] = run_cutover(dir, {"status", "-c", dir + "/cutover.toml"});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("server.control = \"off\" and no server.admin"), std::string::npos) << out;
  write_file(dir + "/bad.toml", "[server]\nlisten = [\"127.0.0.1:0\"]\ncontrol = \"relative.sock\"\n");
  auto [bad, why] = run_cutover(dir, {"check", "-c", dir + "/bad.toml"});
  EXPECT_EQ(bad, 1);
  EXPECT_NE(why.find("bad.toml:3:11: server.control: expected an absolute socket path or \"off\""), std::string::npos) << why;
}

}  // namespace
