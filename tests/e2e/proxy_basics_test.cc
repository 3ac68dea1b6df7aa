// Scenario: the seed's layout. Static files from disk; everything else rewritten once to
// /proxy<url>, the /proxy prefix stripped again (1.5 rewrite-request "_uri") and balanced
// sqf over three example workers.
#include <gtest/gtest.h>

#include <functional>

#include <set>

#include "harness.h"

using namespace e2e;

namespace {

class SeedLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = temp_dir();
    ::mkdir((dir + "/site").c_str(), 0755);
    ::mkdir((dir + "/site/static").c_str(), 0755);
    write_file(dir + "/site/static/a.txt", "static file a\n");
    for (int i = 0; i < 3; ++i) workers.push_back(std::make_unique<Worker>(dir, "w" + std::to_string(i)));
    std::string backends;
    for (auto& w : workers) backends += (backends.empty() ? "\"" : ", \"") + w->address() + "\"";
    gw = std::make_unique<Gateway>(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
document_root = ")toml" + dir + R"toml(/site"

[[rewrite]]
match = "^/static.*"
to = "$0"
[[rewrite]]
match = "^/old/(.*)"
to = "/proxy/echo?was=$1"
[[rewrite]]
match = "(.*)"
to = "/proxy$1"

[pools.warp]
balancer = "sqf"
backends = [)toml" + backends + R"toml(]

[[routes]]
name = "static"
match = { prefix = "/static" }
static = { root = ")toml" + dir + R"toml(/site" }

[[routes]]
name = "go"
match = { regex = "^/proxy/go/(.*)$" }
redirect = { to = "https://example.org/$1", code = 302 }

[[routes]]
name = "app"
match = { prefix = "/proxy" }
rewrite_request = { uri = ["^/proxy(.*)", "$1"] }
forward = "warp"
)toml");
  }
  std::string dir;
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<Gateway> gw;
};

TEST_F(SeedLayout, RewritesAndStripsThePrefixBeforeTheBackend) {
  auto r = fetch(gw->port, "GET", "/echo?x=1&y=%20", "", {"Host: test.local"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto echo = parse_echo(r->body);
  EXPECT_EQ(echo.find("target")->second, "/echo?x=1&y=%20");
  EXPECT_EQ(echo.find("header:Host")->second, "test.local");
  EXPECT_EQ(echo.find("header:X-Forwarded-For")->second, "127.0.0.1");
  EXPECT_EQ(echo.find("header:X-Forwarded-Proto")->second, "http");
  EXPECT_EQ(echo.find("header:X-Forwarded-Host")->second, "test.local");
  EXPECT_EQ(echo.find("header:Forwarded")->second, "for=127.0.0.1;host=test.local;proto=http");

  // A once-rule that matched first: /old/x became /proxy/echo?was=x and nothing else ran
  // (the catch-all rule would have made it /proxy/proxy/...).
  auto moved = fetch(gw->port, "GET", "/old/page");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->status, 200);
  EXPECT_EQ(parse_echo(moved->body).find("target")->second, "/echo?was=page");
}

TEST_F(SeedLayout, NormalisesTheTargetLikeLighttpd) {
  // Dot segments (also encoded ones) are removed and unreserved escapes decoded first.
  auto e = fetch(gw->port, "GET", "/x/%2e%2e/y/../echo?q=%7E%2F");
  ASSERT_TRUE(e);
  EXPECT_EQ(parse_echo(e->body).find("target")->second, "/echo?q=~%2F");
}

TEST_F(SeedLayout, ServesStaticFilesFromDisk) {
  auto r = fetch(gw->port, "GET", "/static/a.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "static file a\n");
  EXPECT_EQ(r->header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(r->header("Last-Modified").empty());
  auto head = fetch(gw->port, "HEAD", "/static/a.txt");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("Content-Length"), "14");
  EXPECT_EQ(fetch(gw->port, "GET", "/static/missing.txt")->status, 404);
  EXPECT_EQ(fetch(gw->port, "GET", "/staticky")->status, 404);  // static route, no such file
  auto dir = fetch(gw->port, "GET", "/static?x=1");
  EXPECT_EQ(dir->status, 301);
  EXPECT_EQ(dir->header("Location"), "/static/?x=1");
  EXPECT_EQ(fetch(gw->port, "GET", "/static/%2e%2e/%2e%2e/etc/passwd")->status, 404);
}

TEST_F(SeedLayout, RedirectRouteUsesItsCaptures) {
  auto r = fetch(gw->port, "GET", "/go/docs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->header("Location"), "https://example.org/docs");
}

TEST_F(SeedLayout, SqfSpreadsOverEveryWorker) {
  std::set<std::string> seen;
  for (int i = 0; i < 60; ++i) {
    auto r = fetch(gw->port, "GET", "/echo");
    ASSERT_TRUE(r);
    seen.insert(parse_echo(r->body).find("worker")->second);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(SeedLayout, KeepAliveAndPipelinedRequestsAnswerInOrder) {
  Client c(gw->port);
  std::string batch;
  for (int i = 0; i < 5; ++i) batch += "GET /echo?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n";
  batch += "GET /static/a.txt HTTP/1.1\r\nHost: h\r\n\r\n";
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 5; ++i) {
    auto r = c.read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(parse_echo(r->body).find("query")->second, "n=" + std::to_string(i));
  }
  auto s = c.read();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->body, "static file a\n");
  // The connection stays open for more.
  ASSERT_TRUE(c.send("GET /echo?n=last HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto last = c.read();
  ASSERT_TRUE(last);
  EXPECT_EQ(parse_echo(last->body).find("query")->second, "n=last");
}

TEST_F(SeedLayout, Http10GetsAClosedResponse) {
  Client c(gw->port);
  ASSERT_TRUE(c.send("GET /echo HTTP/1.0\r\n\r\n"));
  std::string all = c.read_all();
  EXPECT_EQ(all.rfind("HTTP/1.0 200", 0), 0u) << all;
  EXPECT_NE(all.find("Connection: close"), std::string::npos);
  EXPECT_NE(all.find("target: /echo"), std::string::npos);
}

TEST_F(SeedLayout, HeadAndUpstreamStatusesPassThrough) {
  auto h = fetch(gw->port, "HEAD", "/echo");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_TRUE(h->body.empty());
  auto s = fetch(gw->port, "GET", "/status/418");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, 418);
  EXPECT_EQ(s->body, "status 418\n");
}

}  // namespace

namespace {

// Three workers behind a hash pool on `hash_key`; 12 keys (the request field `field_of`
// gives key k), each asked 4 times. Each key must stay on one worker, and the 12 must not
// all land on one.
void expect_hash_keeps_keys_apart(const std::string& hash_key, const std::function<std::string(int)>& field_of) {
  std::string dir = temp_dir();
  std::vector<std::unique_ptr<Worker>> ws;
  std::string list;
  for (int i = 0; i < 3; ++i) {
    ws.push_back(std::make_unique<Worker>(dir, "h" + std::to_string(i)));
    list += (list.empty() ? "\"" : ", \"") + ws.back()->address() + "\"";
  }
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n[pools.app]\nbalancer = \"hash\"\nhash_key = \"" + hash_key +
                  "\"\nbackends = [" + list + "]\n[[routes]]\nname = \"all\"\nforward = \"app\"\n");
  std::set<std::string> all;
  for (int key = 0; key < 12; ++key) {
    std::set<std::string> seen;
    for (int i = 0; i < 4; ++i) {
      auto r = fetch(gw.port, "GET", "/echo", "", {field_of(key)});
      ASSERT_TRUE(r);
      seen.insert(parse_echo(r->body).find("worker")->second);
    }
    EXPECT_EQ(seen.size(), 1u) << "key " << key;
    all.insert(*seen.begin());
  }
  EXPECT_GE(all.size(), 2u);  // 12 keys do not all hash to one worker
}

// Scenario: the hash balancer keeps each key on one worker, across connections.
TEST(HashBalancer, SameCookieSameWorker) {
  expect_hash_keeps_keys_apart("cookie:session", [](int user) { return "Cookie: theme=dark; session=user" + std::to_string(user); });
}

// hash_key = "path+host" (what migrate gives lighttpd's "hash"): one path and Host stay on
// one backend; the same path under other Hosts spreads.
TEST(ProxyBasics, HashOnPathAndHost) {
  expect_hash_keeps_keys_apart("path+host", [](int host) { return "Host: site" + std::to_string(host) + ".example"; });
}

}  // namespace
