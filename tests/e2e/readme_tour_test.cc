// Scenario: README.md's five-minute tour, run as written. The commands are read from the
// README itself (every `sh` block between "## Five-minute tour" and "A config of your own"),
// so a command that changes there is tested as it now reads. They run in a directory laid
// out like the repository (examples/, build/ = this build, a fresh tmp/) against
// `build/cutover serve --demo` on the demo's fixed ports, and the tour ends as the README
// says: Ctrl-C stops cutover and every worker it started.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness.h"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

// The tour's commands, one per entry: comments dropped, `\` continuations joined.
std::vector<std::string> tour_commands(const std::string& readme) {
  size_t from = readme.find("## Five-minute tour");
  size_t to = readme.find("A config of your own", from);
  std::vector<std::string> out;
  if (from == std::string::npos || to == std::string::npos) return out;
  std::istringstream in(readme.substr(from, to - from));
  std::string line, pending;
  bool in_sh = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      in_sh = !in_sh && line == "```sh";
      continue;
    }
    if (!in_sh) continue;
    size_t hash = line.find(" #");
    if (hash != std::string::npos) line.erase(hash);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    bool more = !line.empty() && line.back() == '\\';
    if (more) line.pop_back();
    size_t start = line.find_first_not_of(' ');
    pending += (pending.empty() || start == std::string::npos ? "" : " ") + (start == std::string::npos ? "" : line.substr(start));
    if (more) continue;
    if (!pending.empty()) out.push_back(pending);
    pending.clear();
  }
  return out;
}

// What the README promises each command shows; a command not listed must exit 0.
struct Expectation {
  std::string starts;  // the command's beginning
  int rc;
  std::string shows;   // a substring of its output
};
const Expectation kExpected[] = {
    {"curl http://127.0.0.1:8080/ ", 0, "worker-300"},
    {"curl 'http://127.0.0.1:8080/echo?x=1'", 0, "X-Forwarded-For"},
    {"curl http://127.0.0.1:8080/static/hello.txt", 0, "hello"},
    {"curl http://127.0.0.1:8080/static/private/", 0, "authentication required"},
    {"curl -u demo:demo", 0, "secret.txt"},
    {"curl http://127.0.0.1:8080/cgi/env", 0, "SCRIPT_NAME"},
    {"build/cutover check", 0, "configuration is valid"},
    {"build/cutover migrate tests/migrate/seed", 0, "[[rewrite]]"},
    {"build/cutover migrate /etc/lighttpd/lighttpd.conf", 0, "lighttpd.conf:"},
    {"curl http://127.0.0.1:8080/cgi/echo", 0, "method: GET"},
    {"curl -s http://127.0.0.1:8080/cgi/shop/items/7", 0, "\"currency\":\"EUR\""},
    {"build/cutover route status", 0, "shadow"},
    {"build/cutover route promote legacy", 0, "canary 1%"},
    {"build/cutover compare", 1, "DIFF   GET /shop/items/7\n"},
    {"build/cutover workers status", 0, "127.0.0.1:3005"},
    {"kill -9 $(cat tmp/pid/3002)", 0, ""},
    {"build/cutover workers restart warp", 0, "rolling restart of warp done"},
};

bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

std::vector<pid_t> pids_in(const std::string& dir) {
  std::vector<pid_t> out;
  for (const char* f : {"3001", "3002", "3003", "3004", "3005", "app-0", "app-1"}) {
    std::string t = read_file(dir + "/tmp/pid/" + f);
    if (!t.empty()) out.push_back(pid_t(std::atoi(t.c_str())));
  }
  return out;
}

bool port_free(int port) {
  return !fetch(port, "GET", "/", "", {"Connection: close"}).has_value();
}

TEST(ReadmeTour, EveryCommandRunsAsWritten) {
  const std::string src = SOURCE_DIR;
  std::vector<std::string> cmds = tour_commands(read_file(src + "/README.md"));
  ASSERT_GE(cmds.size(), 15u) << "the tour's sh blocks were not found in README.md";
  for (int port : {8080, 9090, 3001, 3002, 3003, 3004, 3005})
    ASSERT_TRUE(port_free(port)) << "port " << port << " is in use: the tour runs the demo on its fixed ports";

  // A directory shaped like the repository, with this build as build/.
  std::string dir = temp_dir();
  std::string bin = CUTOVER_BIN;
  std::string build = bin.substr(0, bin.rfind('/'));
  ASSERT_EQ(::symlink((src + "/examples").c_str(), (dir + "/examples").c_str()), 0);
  ASSERT_EQ(::symlink((src + "/tests").c_str(), (dir + "/tests").c_str()), 0);
  ASSERT_EQ(::symlink(build.c_str(), (dir + "/build").c_str()), 0);
  ::mkdir((dir + "/tmp").c_str(), 0755);
  ::mkdir((dir + "/tmp/log").c_str(), 0755);
  ::mkdir((dir + "/tmp/pid").c_str(), 0755);

  Process demo({"/bin/bash", "-c", "cd '" + dir + "' && exec build/cutover serve --demo"}, dir + "/demo.log");
  auto shell = [&](const std::string& cmd) { return run_program(dir, {"/bin/bash", "-c", "cd '" + dir + "' && " + cmd + " 2>&1"}); };
  ASSERT_TRUE(wait_until([&] { return shell("build/cutover workers status >/dev/null").first == 0; }, 30000))
      << "the demo's workers did not all come up\n" << demo.log();

  for (const std::string& cmd : cmds) {
    const Expectation* want = nullptr;
    for (const Expectation& e : kExpected)
      if (cmd.rfind(e.starts, 0) == 0 || (cmd + " ").rfind(e.starts, 0) == 0) want = &e;
    auto [rc, out] = shell(cmd);
    EXPECT_EQ(rc, want ? want->rc : 0) << "$ " << cmd << "\n" << out;
    if (want && !want->shows.empty()) EXPECT_NE(out.find(want->shows), std::string::npos) << "$ " << cmd << "\n" << out;
    if (cmd.rfind("kill -9", 0) == 0)  // the README says it comes back by itself
      EXPECT_TRUE(wait_until([&] { return shell("build/cutover workers status warp >/dev/null").first == 0; }, 20000))
          << shell("build/cutover workers status warp").second;
  }

  // "Press Ctrl-C to stop cutover and every worker it started."
  std::vector<pid_t> workers = pids_in(dir);
  EXPECT_EQ(workers.size(), 7u);
  demo.kill(SIGINT);
  EXPECT_EQ(demo.wait_exit(30s), 0) << demo.log();
  for (pid_t p : workers) {
    EXPECT_TRUE(wait_until([&] { return !alive(p); }, 15000)) << "worker pid " << p << " outlived cutover";
    if (alive(p)) ::kill(p, SIGKILL);  // by the pid it wrote, so the next run finds the ports free
  }
}

}  // namespace
