// Scenario: the dashboard of a cutover with an admin token and supervised workers, in
// headless Chromium. The page asks for the token with a form of its own (a prompt() would
// hang a headless browser), says when a token is refused, and once signed in shows every
// worker: pid, state, restarts apart from planned replacements, and the last error.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "browser.h"
#include "harness.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

TEST(DashboardWorkers, TokenFormThenTheWorkersAndTheirLastError) {
  ASSERT_EQ(::access("/usr/bin/chromedriver", X_OK), 0) << "chromium-driver missing: the README's setup installs it";
  std::string dir = temp_dir();
  int p1 = free_port(), p2 = free_port();
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\nadmin_token = \"s3cret\"\n"
                  "[pools.warp]\n[pools.warp.workers]\ncommand = [\"" + std::string(WORKER_BIN) +
                  "\", \"--port\", \"{port}\"]\nports = [" + std::to_string(p1) + ", " + std::to_string(p2) +
                  "]\nbackoff = \"100ms\"\n[[routes]]\nname = \"all\"\nforward = \"warp\"\n");
  int admin = gw.admin_port();
  ASSERT_GT(admin, 0);
  auto workers = [&] {
    auto r = fetch(admin, "GET", "/api/workers", "", {"Authorization: Bearer s3cret"});
    return r && r->status == 200 ? json::parse(r->body) : json();
  };
  auto all_up = [&] {
    json j = workers();
    if (j.is_null()) return false;
    for (auto& i : j["workers"][0]["instances"])
      if (i["state"] != "up") return false;
    return true;
  };
  ASSERT_TRUE(wait_until(all_up, 15000)) << workers().dump(2);
  // One crash, for the last-error column.
  pid_t victim = workers()["workers"][0]["instances"][1]["pid"].get<pid_t>();
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] {
    json j = workers();
    return !j.is_null() && j["workers"][0]["instances"][1]["restarts"] == 1 && all_up();
  }, 15000)) << workers().dump(2);

  Browser b(dir);
  b.open("http://127.0.0.1:" + std::to_string(admin) + "/");
  std::string form = b.wait_text("const l=document.getElementById('login');return l&&!l.hidden?'shown':'hidden'", "shown");
  EXPECT_EQ(form, "shown") << "the page asks for the token";
  EXPECT_FALSE(b.alert_open()) << "no prompt(): it would hang a headless browser";

  b.type("#token", "wrong");
  b.click("#sign-in");
  std::string refused = b.wait_text("return document.getElementById('login').hidden?'':document.getElementById('login-err').textContent", "refused");
  EXPECT_EQ(refused, "the admin token was refused");

  b.type("#token", "s3cret");
  b.click("#sign-in");
  std::string rows = b.wait_text("return [...document.querySelectorAll('#workers tbody tr')].map(r=>r.innerText.replace(/\\s+/g,' ').trim()).join(' | ')", "127.0.0.1:" + std::to_string(p2));
  json now = workers();
  for (auto& i : now["workers"][0]["instances"]) {
    EXPECT_NE(rows.find(std::to_string(i["pid"].get<int>()) + " " + i["address"].get<std::string>() + " up"), std::string::npos)
        << "each worker with its pid, address and state: " << rows;
  }
  EXPECT_NE(rows.find("pid " + std::to_string(victim) + " killed by signal 9 (SIGKILL)"), std::string::npos) << rows;
  EXPECT_EQ(b.run("return document.querySelector('#workers tr[data-index=\"1\"] td.bad')?.textContent"), "1")
      << "the crash restart counted and marked: " << rows;
  EXPECT_TRUE(b.run("return document.getElementById('login').hidden").get<bool>());
  EXPECT_EQ(b.run("return localStorage.getItem('cutover-token')"), "s3cret") << "kept for the next visit";
  b.screenshot(std::string(ARTIFACT_DIR) + "/dashboard-workers.png");
}

}  // namespace
}  // namespace e2e
