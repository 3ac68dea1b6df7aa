#include "supervise/spawn.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace cutover {
namespace {

TEST(WorkerEnvironment, InheritCopyClearAndSet) {
  const char* env[] = {"PATH=/bin", "HOME=/root", "SECRET=x", nullptr};
  char** e = const_cast<char**>(env);
  auto all = worker_environment({}, false, {{"APP_ENV", "prod"}, {"HOME", "/srv"}}, e);
  EXPECT_EQ(all, (std::vector<std::string>{"PATH=/bin", "SECRET=x", "APP_ENV=prod", "HOME=/srv"}));
  auto some = worker_environment({"PATH"}, false, {{"PHP_FCGI_CHILDREN", "0"}}, e);
  EXPECT_EQ(some, (std::vector<std::string>{"PATH=/bin", "PHP_FCGI_CHILDREN=0"}));
  auto none = worker_environment({"PATH"}, true, {{"A", "1"}}, e);
  EXPECT_EQ(none, (std::vector<std::string>{"A=1"}));
}

TEST(Spawn, MissingProgramIsReportedByTheParent) {
  SpawnRequest req;
  req.argv = {"/nonexistent/app.cgi"};
  std::string err;
  EXPECT_EQ(spawn_process(req, err), -1);
  EXPECT_EQ(err, "exec /nonexistent/app.cgi: No such file or directory");
  req.argv = {"/bin/true"};
  req.cwd = "/nonexistent-dir";
  EXPECT_EQ(spawn_process(req, err), -1);
  EXPECT_EQ(err, "chdir /nonexistent-dir: No such file or directory");
}

TEST(Spawn, RunsWithArgvEnvCwdAndOutput) {
  char tmpl[] = "/tmp/cutover-spawn.XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  std::string out = std::string(tmpl) + "/out";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  SpawnRequest req;
  req.argv = {"sh", "-c", "echo \"$0 $GREETING $(pwd)\"", "arg0"};  // found on PATH
  req.env = {"GREETING=hi", "PATH=/usr/bin:/bin"};
  req.cwd = tmpl;
  req.stdout_fd = fd;
  std::string err;
  pid_t pid = spawn_process(req, err);
  ::close(fd);
  ASSERT_GT(pid, 0) << err;
  int st = 0;
  ::waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "arg0 hi " + std::string(tmpl) + "\n");
}

TEST(Spawn, ListenerForFastcgiWorkers) {
  char tmpl[] = "/tmp/cutover-spawn.XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  std::string path = std::string(tmpl) + "/app.sock";
  std::string err;
  int fd = open_worker_listener(path, "", 0, err);
  ASSERT_GE(fd, 0) << err;
  ::close(fd);
  fd = open_worker_listener(path, "", 0, err);  // a stale socket file is replaced
  ASSERT_GE(fd, 0) << err;
  ::close(fd);
  std::ofstream(std::string(tmpl) + "/file") << "x";
  EXPECT_EQ(open_worker_listener(std::string(tmpl) + "/file", "", 0, err), -1);
  EXPECT_NE(err.find("exists and is not a socket"), std::string::npos);
}

}  // namespace
}  // namespace cutover
