// Scenario: the admin listener. /api/status shows routes, pools and backends; /metrics is
// valid Prometheus text (checked line by line) whose counters follow the traffic; draining
// a backend through the API moves new requests to the others; the bearer token is enforced.
#include <gtest/gtest.h>

#include <thread>

#include <regex>
#include <sstream>
#include <set>

#include "harness.h"

using namespace e2e;

namespace {

struct AdminSetup {
  AdminSetup() {
    dir = temp_dir();
    for (int i = 0; i < 2; ++i) ws.push_back(std::make_unique<Worker>(dir, "a" + std::to_string(i)));
    gw = std::make_unique<Gateway>(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
admin = "127.0.0.1:0"
admin_token = "s3cret"
[pools.warp]
backends = [")toml" + ws[0]->address() + "\", \"" + ws[1]->address() + R"toml("]
[[routes]]
name = "app"
match = { prefix = "/" }
forward = "warp"
)toml");
    auto line = gw->proc->wait_for("admin API on http://127.0.0.1:", std::chrono::seconds(5));
    admin_port = line ? std::stoi(*line) : 0;
  }
  std::optional<Response> admin(const std::string& method, const std::string& path, bool token = true) {
    std::vector<std::string> h;
    if (token) h.push_back("Authorization: Bearer s3cret");
    return fetch(admin_port, method, path, "", h);
  }
  std::string dir;
  std::vector<std::unique_ptr<Worker>> ws;
  std::unique_ptr<Gateway> gw;
  int admin_port = 0;
};

TEST(Admin, MetricsAreValidPrometheusTextAndCount) {
  AdminSetup s;
  ASSERT_GT(s.admin_port, 0);
  for (int i = 0; i < 7; ++i) ASSERT_EQ(fetch(s.gw->port, "GET", "/")->status, 200);
  ASSERT_EQ(fetch(s.gw->port, "GET", "/status/503")->status, 503);
  // An answer is counted once it is sent, so the client can be a moment ahead of the counter.
  std::optional<Response> m;
  wait_until([&] {
    m = s.admin("GET", "/metrics");
    return m && m->body.find("cutover_upstream_latency_seconds_count{pool=\"warp\"} 8\n") != std::string::npos;
  }, 1000);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->status, 200);
  EXPECT_EQ(m->header("Content-Type"), "text/plain; version=0.0.4");
  // Every line is a comment (# HELP / # TYPE) or `name{labels} value`.
  static const std::regex kSample(R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+Inf]+$)re");
  static const std::regex kComment(R"re(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)re");
  std::istringstream in(m->body);
  std::string line;
  std::set<std::string> typed;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) typed.insert(line.substr(7, line.find(' ', 7) - 7));
    bool ok = std::regex_match(line, kSample) || std::regex_match(line, kComment);
    EXPECT_TRUE(ok) << "bad line: " << line;
    samples += line[0] != '#';
  }
  EXPECT_GT(samples, 20);
  EXPECT_TRUE(typed.count("cutover_upstream_latency_seconds"));
  EXPECT_NE(m->body.find("cutover_requests_total{route=\"app\",class=\"2xx\"} 7\n"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("cutover_requests_total{route=\"app\",class=\"5xx\"} 1\n"), std::string::npos);
  EXPECT_NE(m->body.find("cutover_upstream_latency_seconds_count{pool=\"warp\"} 8\n"), std::string::npos);
  EXPECT_NE(m->body.find("cutover_upstream_latency_seconds_bucket{pool=\"warp\",le=\"+Inf\"} 8\n"), std::string::npos);
}

TEST(Admin, StatusDrainAndEnable) {
  AdminSetup s;
  auto st = s.admin("GET", "/api/status");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, 200);
  EXPECT_NE(st->body.find("\"name\": \"warp\""), std::string::npos) << st->body;
  EXPECT_NE(st->body.find("\"state\": \"up\""), std::string::npos);
  std::string victim = s.ws[0]->address();
  auto d = s.admin("POST", "/api/pools/warp/backends/" + victim + "/drain");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 200);
  EXPECT_NE(d->body.find("\"state\":\"draining\""), std::string::npos);
  for (int i = 0; i < 20; ++i) {
    auto r = fetch(s.gw->port, "GET", "/echo");
    ASSERT_TRUE(r);
    EXPECT_EQ(parse_echo(r->body).find("worker")->second.rfind("a1 ", 0), 0u);  // never the drained a0
  }
  EXPECT_EQ(s.admin("POST", "/api/pools/warp/backends/" + victim + "/enable")->status, 200);
  std::set<std::string> seen;
  for (int i = 0; i < 40; ++i) seen.insert(parse_echo(fetch(s.gw->port, "GET", "/echo")->body).find("worker")->second);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(s.admin("POST", "/api/pools/warp/backends/127.0.0.1:1/drain")->status, 404);
}

TEST(Admin, TokenIsRequired) {
  AdminSetup s;
  auto r = s.admin("GET", "/api/status", false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

}  // namespace

namespace {

TEST(Admin, StatusCommandPrintsATable) {
  AdminSetup s;
  ASSERT_EQ(fetch(s.gw->port, "GET", "/")->status, 200);
  ASSERT_EQ(s.admin("POST", "/api/pools/warp/backends/" + s.ws[1]->address() + "/drain")->status, 200);
  Process p({CUTOVER_BIN, "status", "--admin", "127.0.0.1:" + std::to_string(s.admin_port), "--token", "s3cret"},
            s.dir + "/status.out");
  EXPECT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
  std::string out = p.log();
  EXPECT_NE(out.find("warp         " + s.ws[0]->address()), std::string::npos) << out;
  EXPECT_NE(out.find("draining"), std::string::npos) << out;
  EXPECT_NE(out.find("app              forward    warp"), std::string::npos) << out;
  Process bad({CUTOVER_BIN, "status", "--admin", "127.0.0.1:" + std::to_string(s.admin_port)}, s.dir + "/status2.out");
  EXPECT_EQ(bad.wait_exit(std::chrono::seconds(10)), 1);  // no token: 401
}

}  // namespace
