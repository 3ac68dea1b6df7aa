// Scenario: the command line follows the conventions operators expect: --version names the
// version, git revision and build type; a mistyped command gets a suggestion; `check` says
// when a config is valid and names the OS reason or the right key when it is not.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

std::string config(const std::string& backend) {
  std::string c = one_pool_config({backend});
  return c.replace(c.find("{{PORT}}"), 8, "0");
}

TEST(CliConventions, VersionSuggestionsAndCheckMessages) {
  std::string dir = temp_dir();
  auto version = run_cutover(dir, {"--version"});
  EXPECT_EQ(version.first, 0) << version.second;
  EXPECT_EQ(version.second.rfind("cutover ", 0), 0u) << version.second;
  EXPECT_NE(version.second.find("(git "), std::string::npos) << version.second;

  auto typo = run_cutover(dir, {"serv"});
  EXPECT_EQ(typo.first, 2) << typo.second;
  EXPECT_NE(typo.second.find("did you mean 'serve'?"), std::string::npos) << typo.second;

  auto missing = run_cutover(dir, {"check", "-c", dir + "/nonexistent.toml"});
  EXPECT_EQ(missing.first, 1);
  EXPECT_NE(missing.second.find("cannot read file: No such file or directory"), std::string::npos) << missing.second;

  write_file(dir + "/port.toml", config("127.0.0.1:99999"));
  auto port = run_cutover(dir, {"check", "-c", dir + "/port.toml"});
  EXPECT_EQ(port.first, 1);
  EXPECT_NE(port.second.find("backend: invalid port \"99999\""), std::string::npos) << port.second;

  write_file(dir + "/ok.toml", config("127.0.0.1:3001"));
  auto ok = run_cutover(dir, {"check", "-c", dir + "/ok.toml"});
  EXPECT_EQ(ok.first, 0) << ok.second;
  EXPECT_NE(ok.second.find("ok.toml: configuration is valid (1 routes, 1 pools)"), std::string::npos) << ok.second;
}

}  // namespace
