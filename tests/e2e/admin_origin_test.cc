// Scenario: a web page the operator visits cannot drive or read the admin API. Without a
// token (the default), a cross-origin POST (Origin or Sec-Fetch-Site of another site) is
// refused, a Host that is not one of the listener's names (DNS rebinding) is refused for
// reads too, while the CLI and the dashboard's own calls still work; `cutover check` warns
// about, and `cutover serve` refuses, a non-loopback admin listener without a token.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

std::string config(const std::string& backend, const std::string& admin_extra = "") {
  return "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\n" + admin_extra +
         "[pools.app]\nbackends = [\"" + backend + "\"]\n[[routes]]\nname = \"all\"\nforward = \"app\"\n";
}

TEST(AdminOrigin, CrossSiteStateChangesAndForeignHostsAreRefused) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, config(w.address(), "admin_hosts = [\"cutover-admin.internal\"]\n"));
  int admin = gw.admin_port();
  std::string self = "Host: 127.0.0.1:" + std::to_string(admin);
  std::string drain = "/api/pools/app/backends/" + w.address() + "/drain";
  // From another site's page: refused, and the backend stays active.
  for (std::vector<std::string> h : {std::vector<std::string>{self, "Origin: http://evil.example"},
                                     std::vector<std::string>{self, "Sec-Fetch-Site: cross-site"},
                                     std::vector<std::string>{self, "Origin: null"}}) {
    auto r = fetch(admin, "POST", drain, "", h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << h[1];
  }
  auto st = fetch(admin, "GET", "/api/status", "", {self});
  ASSERT_TRUE(st);
  EXPECT_EQ(st->body.find("draining"), std::string::npos) << st->body;
  // DNS rebinding: a page at http://evil.example:PORT whose name now points at 127.0.0.1.
  auto read = fetch(admin, "GET", "/api/routes", "", {"Host: evil.example:" + std::to_string(admin)});
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 403);
  EXPECT_NE(gw.proc->log().find("admin: refused GET /api/routes: Host \"evil.example:"), std::string::npos) << gw.proc->log();
  // The listener's own names, a configured one, the dashboard's same-origin calls and a
  // client that sends no Origin (the CLI) are served.
  for (std::string host : {"127.0.0.1:" + std::to_string(admin), "localhost:" + std::to_string(admin),
                           "cutover-admin.internal:" + std::to_string(admin)}) {
    auto ok = fetch(admin, "GET", "/api/status", "", {"Host: " + host});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << host;
  }
  auto same = fetch(admin, "POST", drain, "",
                    {self, "Origin: http://127.0.0.1:" + std::to_string(admin), "Sec-Fetch-Site: same-origin"});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200) << same->body;
  auto cli = run_cutover(dir, {"status", "--admin", "127.0.0.1:" + std::to_string(admin)});
  EXPECT_EQ(cli.first, 0) << cli.second;
}

TEST(AdminOrigin, NonLoopbackAdminWithoutTokenIsWarnedAndRefused) {
  std::string dir = temp_dir();
  std::string cfg = config("127.0.0.1:1");
  cfg.replace(cfg.find("{{PORT}}"), 8, "0");
  cfg.replace(cfg.find("admin = \"127.0.0.1:0\""), 21, "admin = \"0.0.0.0:" + std::to_string(free_port()) + "\"");
  write_file(dir + "/open.toml", cfg);
  auto check = run_cutover(dir, {"check", "-c", dir + "/open.toml"});
  EXPECT_EQ(check.first, 0) << check.second;
  EXPECT_NE(check.second.find("warning: "), std::string::npos) << check.second;
  EXPECT_NE(check.second.find("has no admin_token"), std::string::npos) << check.second;
  Process serve({CUTOVER_BIN, "serve", "-c", dir + "/open.toml"}, dir + "/serve.log");
  EXPECT_EQ(serve.wait_exit(std::chrono::seconds(10)), 1) << serve.log();
  EXPECT_NE(serve.log().find("refusing to start"), std::string::npos) << serve.log();
  // With a token it starts.
  cfg.replace(cfg.find("[pools.app]"), 0, "admin_token = \"t0ken\"\n");
  write_file(dir + "/token.toml", cfg);
  auto ok = run_cutover(dir, {"check", "-c", dir + "/token.toml"});
  EXPECT_EQ(ok.second.find("warning: "), std::string::npos) << ok.second;
}

}  // namespace
