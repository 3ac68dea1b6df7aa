// Scenario: the command line follows the conventions operators expect: --version names the
// version, git revision and build type; a mistyped command or key gets a suggestion; `check`
// says when a config is valid and names the OS reason or the right key when it is not, and
// refuses a static root that does not exist (so does `serve`); usage errors exit 2; the
// admin commands print tables, or JSON with --json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

TEST(CliConventions, KeySuggestionsMissingRootsAndUsageErrors) {
  std::string dir = temp_dir();
  write_file(dir + "/typo.toml", "[server]\nlisten = [\"127.0.0.1:0\"]\nadmin_tokn = \"x\"\n");
  auto typo = run_cutover(dir, {"check", "-c", dir + "/typo.toml"});
  EXPECT_EQ(typo.first, 1);
  EXPECT_NE(typo.second.find("typo.toml:3:1: unknown key 'admin_tokn' in server; did you mean 'admin_token'?"),
            std::string::npos) << typo.second;

  std::string site = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n[[routes]]\nname = \"site\"\n"
                     "static = { root = \"" + dir + "/no-such-dir\" }\n";
  std::string no_port = site;
  write_file(dir + "/root.toml", no_port.replace(no_port.find("{{PORT}}"), 8, "0"));
  auto root = run_cutover(dir, {"check", "-c", dir + "/root.toml"});
  EXPECT_EQ(root.first, 1) << root.second;
  EXPECT_NE(root.second.find("root.toml:5:19: static.root \"" + dir + "/no-such-dir\" of route site: No such file or directory"),
            std::string::npos) << root.second;
  EXPECT_EQ(root.second.find("configuration is valid"), std::string::npos) << root.second;
  auto elsewhere = run_cutover(dir, {"check", "--no-path-check", "-c", dir + "/root.toml"});
  EXPECT_EQ(elsewhere.first, 0) << elsewhere.second;
  auto serve = run_cutover(dir, {"serve", "-c", dir + "/root.toml"});
  EXPECT_EQ(serve.first, 1) << serve.second;
  EXPECT_NE(serve.second.find("No such file or directory"), std::string::npos) << serve.second;

  auto usage = run_cutover(dir, {"check"});
  EXPECT_EQ(usage.first, 2) << "a usage error exits 2: " << usage.second;
  EXPECT_NE(usage.second.find("--config is required"), std::string::npos) << usage.second;
  auto unreachable = run_cutover(dir, {"status", "--admin", "127.0.0.1:1"});
  EXPECT_EQ(unreachable.first, 1) << unreachable.second;
  EXPECT_NE(unreachable.second.find("cannot reach the admin API at 127.0.0.1:1"), std::string::npos) << unreachable.second;
}

TEST(CliConventions, AdminCommandsPrintTablesOrJson) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, one_pool_config({w.address()}, "", "admin = \"127.0.0.1:0\"\n"));
  int admin = gw.admin_port();
  ASSERT_GT(admin, 0);
  ASSERT_TRUE(fetch(gw.port, "GET", "/"));
  std::string at = "127.0.0.1:" + std::to_string(admin);
  auto table = run_cutover(dir, {"status", "--admin", at});
  EXPECT_EQ(table.first, 0) << table.second;
  EXPECT_NE(table.second.find("POOL"), std::string::npos) << table.second;
  EXPECT_NE(table.second.find(w.address()), std::string::npos) << table.second;
  auto js = run_cutover(dir, {"status", "--admin", at, "--json"});
  EXPECT_EQ(js.first, 0) << js.second;
  auto j = nlohmann::json::parse(js.second, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << js.second;
  EXPECT_EQ(j["pools"][0]["backends"][0]["address"], w.address()) << js.second;
  auto routes = run_cutover(dir, {"route", "status", "--admin", at, "--json"});
  EXPECT_EQ(routes.first, 0) << routes.second;
  EXPECT_TRUE(nlohmann::json::parse(routes.second, nullptr, false).contains("routes")) << routes.second;
  auto reload = run_cutover(dir, {"reload", "--admin", at});
  EXPECT_EQ(reload.first, 0) << reload.second;
  EXPECT_NE(reload.second.find("the new config is in effect"), std::string::npos) << reload.second;
}

}  // namespace
