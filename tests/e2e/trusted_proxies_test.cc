// Scenario: behind a TLS terminator or load balancer (server.trusted_proxies), the client's
// real address and scheme reach the apps: from a trusted peer only, X-Forwarded-For (or
// Forwarded, X-Real-IP) gives REMOTE_ADDR and what remoteip rules see, and
// X-Forwarded-Proto: https gives REQUEST_SCHEME=https, HTTPS=on and X-Forwarded-Proto:
// https to HTTP backends. From any other peer those fields change nothing.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

std::string config(const std::string& worker, const std::string& app, const std::string& trusted) {
  return R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
trusted_proxies = [)toml" + trusted + R"toml(]
[pools.app]
backends = [")toml" + worker + R"toml("]
[pools.legacy]
protocol = "fastcgi"
backends = [")toml" + app + R"toml("]
[[deny]]
match = { prefix = "/fcgi/blocked", when = [{ client_ip = ["203.0.113.0/24"] }] }
suffixes = [""]
[[routes]]
name = "fcgi"
match = { prefix = "/fcgi" }
forward = "legacy"
fastcgi = { key = "/fcgi" }
[[routes]]
name = "all"
forward = "app"
)toml";
}

const std::vector<std::string> kFromTheTerminator{"X-Forwarded-For: 198.51.100.1, 203.0.113.7", "X-Forwarded-Proto: https"};

TEST(TrustedProxies, ATrustedPeerGivesTheClientsAddressAndScheme) {
  std::string dir = temp_dir();
  Worker w(dir);
  FcgiApp app(dir);
  Gateway gw(dir, config(w.address(), app.address(), "\"127.0.0.1\""));
  auto env = fetch(gw.port, "GET", "/fcgi/env", "", kFromTheTerminator);
  ASSERT_TRUE(env);
  auto vars = parse_vars(env->body);
  EXPECT_EQ(vars["REMOTE_ADDR"], "203.0.113.7");  // the last hop that is not a trusted proxy
  EXPECT_EQ(vars["REQUEST_SCHEME"], "https");
  EXPECT_EQ(vars["HTTPS"], "on");
  auto echo = fetch(gw.port, "GET", "/echo", "", kFromTheTerminator);
  ASSERT_TRUE(echo);
  auto e = parse_echo(echo->body);
  EXPECT_EQ(e.find("header:X-Forwarded-Proto")->second, "https");
  EXPECT_EQ(e.find("header:X-Forwarded-For")->second, "198.51.100.1, 203.0.113.7, 127.0.0.1");
  // remoteip rules see the client, not the terminator.
  EXPECT_EQ(fetch(gw.port, "GET", "/fcgi/blocked", "", kFromTheTerminator)->status, 403);
  EXPECT_EQ(fetch(gw.port, "GET", "/fcgi/blocked/x")->status, 200);  // the terminator itself
  auto fwd = fetch(gw.port, "GET", "/fcgi/env", "", {"Forwarded: for=\"[2001:db8::5]:4711\";proto=https"});
  ASSERT_TRUE(fwd);
  EXPECT_EQ(parse_vars(fwd->body)["REMOTE_ADDR"], "2001:db8::5");
}

TEST(TrustedProxies, AnyOtherPeerChangesNothing) {
  std::string dir = temp_dir();
  Worker w(dir);
  FcgiApp app(dir);
  Gateway gw(dir, config(w.address(), app.address(), "\"10.0.0.0/8\""));
  auto env = fetch(gw.port, "GET", "/fcgi/env", "", kFromTheTerminator);
  ASSERT_TRUE(env);
  auto vars = parse_vars(env->body);
  EXPECT_EQ(vars["REMOTE_ADDR"], "127.0.0.1");
  EXPECT_EQ(vars["REQUEST_SCHEME"], "http");
  EXPECT_EQ(vars.count("HTTPS"), 0u);
  auto echo = fetch(gw.port, "GET", "/echo", "", kFromTheTerminator);
  ASSERT_TRUE(echo);
  EXPECT_EQ(parse_echo(echo->body).find("header:X-Forwarded-Proto")->second, "http");
  EXPECT_EQ(fetch(gw.port, "GET", "/fcgi/blocked", "", kFromTheTerminator)->status, 200);
}

}  // namespace
