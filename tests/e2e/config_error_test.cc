// Scenario: a broken config is refused with file:line:column and exit status 1, by both
// `cutover check` and `cutover serve`; a good one is described by `check`.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

int run(const std::vector<std::string>& args, const std::string& dir, std::string& out) {
  std::vector<std::string> argv{CUTOVER_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, dir + "/run.log");
  int rc = p.wait_exit(std::chrono::seconds(10));
  out = p.log();
  ::unlink((dir + "/run.log").c_str());
  return rc;
}

TEST(ConfigError, BadConfigIsRefusedWithItsPosition) {
  std::string dir = temp_dir();
  write_file(dir + "/bad.toml", "[server]\nlisten = [\"127.0.0.1:0\"]\n\n[pools.p]\nbackends = [\"127.0.0.1:1\"]\nbalancer = \"fastest\"\n");
  std::string out;
  EXPECT_EQ(run({"check", "-c", dir + "/bad.toml"}, dir, out), 1);
  EXPECT_NE(out.find(dir + "/bad.toml:6:12: balancer: expected \"sqf\", \"round-robin\""),
            std::string::npos) << out;
  EXPECT_NE(out.find("found \"fastest\""), std::string::npos) << out;
  EXPECT_EQ(run({"serve", "-c", dir + "/bad.toml"}, dir, out), 1);
  EXPECT_NE(out.find("bad.toml:6:12"), std::string::npos) << out;
}

TEST(ConfigError, SyntaxErrorAndMissingFile) {
  std::string dir = temp_dir();
  write_file(dir + "/syntax.toml", "[server]\nlisten = [\"127.0.0.1:0\"\n");
  std::string out;
  EXPECT_EQ(run({"check", "-c", dir + "/syntax.toml"}, dir, out), 1);
  EXPECT_NE(out.find(dir + "/syntax.toml:"), std::string::npos) << out;
  EXPECT_EQ(run({"check", "-c", dir + "/nope.toml"}, dir, out), 1);
  EXPECT_NE(out.find("cannot read file"), std::string::npos) << out;
}

TEST(ConfigError, CheckDescribesAGoodConfig) {
  std::string dir = temp_dir();
  std::string out;
  // The demo's paths are relative to the repository (where `make demo` runs it).
  EXPECT_EQ(run({"check", "--no-path-check", "-c", std::string(SOURCE_DIR) + "/examples/demo.toml"}, dir, out), 0) << out;
  EXPECT_NE(out.find("OK"), std::string::npos);
  EXPECT_NE(out.find("127.0.0.1:3005"), std::string::npos);
  EXPECT_NE(out.find("3. app"), std::string::npos);
  EXPECT_NE(out.find("protocol=fastcgi"), std::string::npos);
}

TEST(ConfigError, PortInUseIsAClearStartupError) {
  std::string dir = temp_dir();
  ScriptedBackend holder([](const std::string&, int) { return std::string(); });
  write_file(dir + "/c.toml", "[server]\nlisten = [\"127.0.0.1:" + std::to_string(holder.port()) +
                                  "\"]\nthreads = 1\n");
  std::string out;
  // SO_REUSEPORT is not set by the holder, so the bind fails.
  EXPECT_EQ(run({"serve", "-c", dir + "/c.toml"}, dir, out), 1);
  EXPECT_NE(out.find("cannot listen on 127.0.0.1:" + std::to_string(holder.port())), std::string::npos) << out;
}

TEST(ConfigError, ARelativeRootIsLookedForInTheWorkingDirectory) {
  std::string dir = temp_dir();
  auto [rc, out] = run_program(dir, {"/bin/bash", "-c", "cd '" + dir + "' && exec " + std::string(CUTOVER_BIN) +
                                                        " check -c " + SOURCE_DIR + "/examples/demo.toml 2>&1"});
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("demo.toml:50:19: static.root \"examples/site\" of route static: No such file or directory "
                     "(relative to the working directory " + dir + ")"),
            std::string::npos) << out;
}

}  // namespace
