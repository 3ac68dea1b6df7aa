// The dashboard in a real browser: Debian's headless Chromium driven over WebDriver
// (chromedriver's HTTP API). The page loads, shows the routes and the differences grouped by
// kind with a count, warns in the page before promoting a route whose answers differ above
// its guard, then moves it and records who did. A screenshot is kept as a test artefact.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "browser.h"
#include "harness.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;


std::string http_response(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: application/json\r\n\r\n" + body;
}

TEST(Dashboard, ShowsRoutesAndGroupedDifferencesAndWarnsBeforePromoting) {
  ASSERT_EQ(::access("/usr/bin/chromedriver", X_OK), 0) << "chromium-driver missing: the README's setup installs it";
  std::string dir = temp_dir();
  ScriptedBackend legacy([](const std::string&, int) { return http_response(200, "{\"price\":10,\"currency\":\"EUR\"}"); });
  ScriptedBackend fresh([](const std::string& req, int) {
    // Two kinds of difference: the price on every page, and the currency too on /basket.
    bool basket = req.find(" /basket") != std::string::npos;
    return http_response(200, basket ? "{\"price\":12,\"currency\":\"USD\"}" : "{\"price\":12,\"currency\":\"EUR\"}");
  });
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\n"
                  "[pools.legacy]\nbackends = [\"" + legacy.address() + "\"]\n[pools.warp]\nbackends = [\"" +
                  fresh.address() + "\"]\n[[routes]]\nname = \"checkout\"\nforward = \"legacy\"\n"
                  "[routes.rollout]\nto = \"warp\"\nstage = \"shadow\"\ncompare = { body = \"json\" }\n"
                  "guards = { max_diff_rate = 0.05 }\n");
  auto line = gw.proc->wait_for("admin API on http://127.0.0.1:", 10s);
  ASSERT_TRUE(line);
  int admin = std::stoi(*line);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(fetch(gw.port, "GET", "/cart?item=" + std::to_string(i % 3)));
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(fetch(gw.port, "GET", "/basket"));
  ASSERT_TRUE(wait_until([&] {
    auto r = fetch(admin, "GET", "/api/routes");
    return r && json::parse(r->body)["routes"][0]["rollout"]["compare"]["compared"] == 42;
  }));

  Browser b(dir);
  b.open("http://127.0.0.1:" + std::to_string(admin) + "/");
  std::string stage = b.wait_text("const e=document.querySelector('tr[data-route=checkout] .stage');return e?e.textContent:''", "shadow");
  EXPECT_EQ(stage, "shadow");
  // 40 identical differences are one sample counted 40 times; the other kind stays in view.
  std::string groups = b.wait_text("return [...document.querySelectorAll('#samples .sample')].map(s=>s.querySelector('.count').textContent+' '+s.querySelector('p').innerText.split(' — ')[0]).join(' | ')", "×40");
  EXPECT_NE(groups.find("×2 checkout GET /basket"), std::string::npos) << groups;
  EXPECT_NE(groups.find("×40 checkout GET /cart?item="), std::string::npos) << groups;
  EXPECT_EQ(b.run("return document.querySelectorAll('#samples .sample').length"), 2) << groups;
  std::string seen = b.run("return [...document.querySelectorAll('#samples .sample')].map(s=>s.innerText).join('\\n')").get<std::string>();
  size_t on = seen.find("seen on: ");
  ASSERT_NE(on, std::string::npos) << seen;
  for (const char* t : {"GET /cart?item=0", "GET /cart?item=1", "GET /cart?item=2"})  // in the order the compares finished
    EXPECT_NE(seen.find(t, on), std::string::npos) << t << " in " << seen;
  std::string marked = b.wait_text("const s=[...document.querySelectorAll('#samples .sample')].find(s=>s.innerText.includes('×40'));"
                                   "return s?[...s.querySelectorAll('mark')].map(m=>m.textContent).join(','):''", "2");
  EXPECT_EQ(marked, "0,2") << "the differing characters are highlighted on both sides";

  // Every answer differs, above the 5% guard: promote asks first, and nothing moves until asked again.
  b.click("tr[data-route=checkout] button[data-action=promote]");
  std::string warning = b.wait_text("const w=document.querySelector('tr[data-warn=checkout]');return w?w.innerText:''", "anyway");
  EXPECT_NE(warning.find("100% of the 42 compared answers differ; the guard allows 5%."), std::string::npos) << warning;
  EXPECT_FALSE(b.alert_open()) << "the warning is part of the page, not a dialog";
  auto api = fetch(admin, "GET", "/api/routes");
  ASSERT_TRUE(api);
  EXPECT_EQ(json::parse(api->body)["routes"][0]["rollout"]["describe"], "shadow") << "not moved before the second click";
  b.click("tr[data-warn=checkout] button[data-action=promote-anyway]");
  stage = b.wait_text("const e=document.querySelector('tr[data-route=checkout] .stage');return e?e.textContent:''", "canary");
  EXPECT_EQ(stage, "canary 1%");
  api = fetch(admin, "GET", "/api/routes");
  ASSERT_TRUE(api);
  EXPECT_EQ(json::parse(api->body)["routes"][0]["rollout"]["describe"], "canary 1%") << "the button moved the route";
  std::string events = b.wait_text("return document.getElementById('events').innerText", "dashboard");
  EXPECT_NE(events.find("shadow -> canary 1% (dashboard from 127.0.0.1)"), std::string::npos) << events;
  EXPECT_NE(events.find("\tdashboard from 127.0.0.1"), std::string::npos) << "the actor has its own column: " << events;

  // The CLI says the same before it promotes.
  auto cli = run_cutover(dir, {"route", "promote", "checkout", "--admin", "127.0.0.1:" + std::to_string(admin)});
  EXPECT_EQ(cli.first, 0) << cli.second;
  EXPECT_NE(cli.second.find("warning: 100.0% of the 42 compared answers of checkout differ (its guard allows 5.0%)"),
            std::string::npos) << cli.second;

  b.screenshot(std::string(ARTIFACT_DIR) + "/dashboard.png");
  EXPECT_EQ(read_file(std::string(ARTIFACT_DIR) + "/dashboard.png").substr(1, 3), "PNG");
}

}  // namespace
}  // namespace e2e
