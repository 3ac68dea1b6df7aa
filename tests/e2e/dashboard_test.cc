// The dashboard in a real browser: Debian's headless Chromium driven over WebDriver
// (chromedriver's HTTP API). The page loads, shows the routes and a sample difference, and
// its promote button moves the route a stage. A screenshot is kept as a test artefact.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;


std::string base64_decode(const std::string& in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int buf = 0, bits = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) continue;
    buf = (buf << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buf >> bits) & 0xff);
    }
  }
  return out;
}

// A minimal WebDriver client over the harness's HTTP helpers.
struct Browser {
  std::unique_ptr<Process> driver;
  int port = 0;
  std::string session;

  explicit Browser(const std::string& dir) {
    port = free_port();
    driver = std::make_unique<Process>(std::vector<std::string>{"/usr/bin/chromedriver", "--port=" + std::to_string(port)},
                                       dir + "/chromedriver.log");
    for (int i = 0; i < 100; ++i) {
      auto r = fetch(port, "GET", "/status", "", {"Host: 127.0.0.1:" + std::to_string(port)});
      if (r && r->status == 200) break;
      std::this_thread::sleep_for(50ms);
    }
    json caps = {{"capabilities",
                  {{"alwaysMatch",
                    {{"browserName", "chrome"},
                     {"goog:chromeOptions",
                      {{"binary", "/usr/bin/chromium"},
                       {"args", {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                 "--window-size=1400,1100"}}}}}}}}};
    json r = call("POST", "/session", caps);
    session = r["value"]["sessionId"].get<std::string>();
  }
  ~Browser() {
    if (!session.empty()) fetch(port, "DELETE", "/session/" + session, "", {"Host: 127.0.0.1:" + std::to_string(port)});
  }
  json call(const std::string& method, const std::string& path, const json& body = json::object()) {
    auto r = fetch(port, method, path, method == "GET" ? "" : body.dump(),
                   {"Content-Type: application/json", "Host: 127.0.0.1:" + std::to_string(port)});
    if (!r) throw std::runtime_error("chromedriver did not answer " + path);
    auto j = json::parse(r->body, nullptr, false);
    if (j.is_discarded()) throw std::runtime_error("chromedriver: " + r->body);
    if (r->status != 200) throw std::runtime_error("chromedriver " + path + ": " + r->body);
    return j;
  }
  json run(const std::string& script) {
    return call("POST", "/session/" + session + "/execute/sync", {{"script", script}, {"args", json::array()}})["value"];
  }
  // Polls `script` until it returns something truthy (or a string containing `want`).
  std::string wait_text(const std::string& script, const std::string& want, std::chrono::milliseconds timeout = 10s) {
    auto end = std::chrono::steady_clock::now() + timeout;
    std::string last;
    while (std::chrono::steady_clock::now() < end) {
      json v = run(script);
      last = v.is_string() ? v.get<std::string>() : v.dump();
      if (last.find(want) != std::string::npos) return last;
      std::this_thread::sleep_for(100ms);
    }
    return last;
  }
  void click(const std::string& css) {
    json e = call("POST", "/session/" + session + "/element", {{"using", "css selector"}, {"value", css}});
    std::string id = e["value"].begin().value().get<std::string>();
    call("POST", "/session/" + session + "/element/" + id + "/click");
  }
};

std::string http_response(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: application/json\r\n\r\n" + body;
}

TEST(Dashboard, ShowsRoutesAndADifferenceAndItsButtonMovesTheStage) {
  ASSERT_EQ(::access("/usr/bin/chromedriver", X_OK), 0) << "chromium-driver missing: the README's setup installs it";
  std::string dir = temp_dir();
  ScriptedBackend legacy([](const std::string&, int) { return http_response(200, "{\"price\":10,\"currency\":\"EUR\"}"); });
  ScriptedBackend fresh([](const std::string&, int) { return http_response(200, "{\"price\":12,\"currency\":\"EUR\"}"); });
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\n"
                  "[pools.legacy]\nbackends = [\"" + legacy.address() + "\"]\n[pools.warp]\nbackends = [\"" +
                  fresh.address() + "\"]\n[[routes]]\nname = \"checkout\"\nforward = \"legacy\"\n"
                  "[routes.rollout]\nto = \"warp\"\nstage = \"shadow\"\ncompare = { body = \"json\" }\n");
  auto line = gw.proc->wait_for("admin API on http://127.0.0.1:", 10s);
  ASSERT_TRUE(line);
  int admin = std::stoi(*line);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(fetch(gw.port, "GET", "/cart"));

  Browser b(dir);
  b.call("POST", "/session/" + b.session + "/url", {{"url", "http://127.0.0.1:" + std::to_string(admin) + "/"}});
  std::string stage = b.wait_text("const e=document.querySelector('tr[data-route=checkout] .stage');return e?e.textContent:''", "shadow");
  EXPECT_EQ(stage, "shadow");
  std::string sample = b.wait_text("return document.getElementById('samples').innerText", "json:/price");
  EXPECT_NE(sample.find("GET /cart"), std::string::npos) << sample;
  EXPECT_NE(sample.find("json:/price"), std::string::npos) << sample;
  std::string marked = b.wait_text("return [...document.querySelectorAll('#samples .sample:first-child mark')].map(m=>m.textContent).join(',')", "2");
  EXPECT_EQ(marked, "0,2") << "the differing characters are highlighted on both sides";

  b.click("tr[data-route=checkout] button[data-action=promote]");
  stage = b.wait_text("const e=document.querySelector('tr[data-route=checkout] .stage');return e?e.textContent:''", "canary");
  EXPECT_EQ(stage, "canary 1%");
  auto api = fetch(admin, "GET", "/api/routes");
  ASSERT_TRUE(api);
  EXPECT_EQ(json::parse(api->body)["routes"][0]["rollout"]["describe"], "canary 1%") << "the button moved the route";
  std::string events = b.wait_text("return document.getElementById('events').innerText", "admin API");
  EXPECT_NE(events.find("shadow -> canary 1% (admin API)"), std::string::npos) << events;

  // The screenshot, kept next to the test binary as an artefact.
  json shot = b.call("GET", "/session/" + b.session + "/screenshot");
  std::string png = base64_decode(shot["value"].get<std::string>());
  EXPECT_EQ(png.substr(1, 3), "PNG");
  write_file(std::string(ARTIFACT_DIR) + "/dashboard.png", png);
}

}  // namespace
}  // namespace e2e
