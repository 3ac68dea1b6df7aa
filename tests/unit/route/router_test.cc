#include "route/router.h"

#include <gtest/gtest.h>

using namespace cutover;

namespace {
std::shared_ptr<const Config> config() {
  return load_config_text(R"(
[server]
listen = ["127.0.0.1:1"]
[pools.p]
backends = ["127.0.0.1:2"]
[[routes]]
name = "admin-host"
match = { host = ["admin.example.org", "*.internal"] }
forward = "p"
[[routes]]
name = "api-post"
match = { prefix = "/api/", methods = ["POST"] }
forward = "p"
[[routes]]
name = "api-regex"
match = { regex = "^/api/v([0-9]+)/" }
forward = "p"
[[routes]]
name = "static"
match = { prefix = "/static" }
static = { root = "/srv" }
[[routes]]
name = "rest"
forward = "p"
)", "r.toml");
}

std::string error_of_config(const std::string& routes) {
  try {
    load_config_text("[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.p]\nbackends = [\"127.0.0.1:2\"]\n" + routes, "r.toml");
    return "";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

std::string which(const Config& c, std::string_view path, std::string_view host = "x.org",
                  std::string_view method = "GET") {
  Captures caps;
  const RouteSpec* r = match_route(c, {path, host, method, {}}, &caps);
  return r ? r->name : "none";
}
}  // namespace

TEST(Router, FirstMatchWins) {
  auto c = config();
  EXPECT_EQ(which(*c, "/api/x", "x.org", "POST"), "api-post");
  EXPECT_EQ(which(*c, "/api/v2/x"), "api-regex");
  EXPECT_EQ(which(*c, "/api/x"), "rest");
  EXPECT_EQ(which(*c, "/staticky"), "static");  // a prefix has no segment boundary
  EXPECT_EQ(which(*c, "/"), "rest");
}

TEST(Router, HostMatchingIgnoresCasePortAndTrailingDot) {
  auto c = config();
  EXPECT_EQ(which(*c, "/", "Admin.Example.ORG.:8080"), "admin-host");
  EXPECT_EQ(which(*c, "/", "db.internal"), "admin-host");
  EXPECT_EQ(which(*c, "/", "internal"), "rest");  // wildcard needs a subdomain
  EXPECT_EQ(which(*c, "/", "example.org"), "rest");
}

TEST(Router, RegexCapturesAreReturned) {
  auto c = config();
  Captures caps;
  const RouteSpec* r = match_route(*c, {"/api/v7/x", "h", "GET", {}}, &caps);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(caps.group(1), "7");
}

TEST(Router, NormalizeHost) {
  EXPECT_EQ(normalize_host("EXAMPLE.org:80"), "example.org");
  EXPECT_EQ(normalize_host("[::1]:8080"), "[::1]");
  EXPECT_EQ(normalize_host("a.b."), "a.b");
}

TEST(Router, TargetRegexAndUnlessHost) {
  auto c = load_config_text(R"(
[server]
listen = ["127.0.0.1:1"]
[pools.p]
backends = ["127.0.0.1:2"]
[[routes]]
name = "moved"
match = { target = '^/old/(.*)\?a=1$', unless_host = ['^legacy\.org(:[0-9]+)?$'] }
redirect = { to = "/new/$1" }
[[routes]]
name = "rest"
forward = "p"
)", "r.toml");
  auto route_for = [&](std::string_view path, std::string_view target, std::string_view host) {
    Captures caps;
    const RouteSpec* r = match_route(*c, RouteInput{path, host, "GET", target}, &caps);
    return r ? r->name : std::string("none");
  };
  EXPECT_EQ(route_for("/old/x", "/old/x?a=1", "x.org"), "moved");
  EXPECT_EQ(route_for("/old/x", "/old/x", "x.org"), "rest");              // the query is part of the subject
  EXPECT_EQ(route_for("/old/x", "/old/x?a=1", "Legacy.org:81"), "rest");  // that host's block replaced it
}

TEST(Router, UnlessStepsAsideOnlyWhenHostAndPathBothMatch) {
  auto c = load_config_text(R"(
[server]
listen = ["127.0.0.1:1"]
[pools.p]
backends = ["127.0.0.1:2"]
[[routes]]
name = "outer"
match = { prefix = "/app", unless = [{ host = '^api\.local(:[0-9]+)?$', regex = '^/app/x' }] }
forward = "p"
[[routes]]
name = "rest"
forward = "p"
)", "r.toml");
  auto route_for = [&](std::string_view path, std::string_view host) {
    Captures caps;
    const RouteSpec* r = match_route(*c, RouteInput{path, host, "GET", path}, &caps);
    return r ? r->name : std::string("none");
  };
  EXPECT_EQ(route_for("/app/x", "api.local:8080"), "rest");  // both match: steps aside
  EXPECT_EQ(route_for("/app/y", "api.local"), "outer");      // path differs
  EXPECT_EQ(route_for("/app/x", "www.local"), "outer");      // host differs
  EXPECT_NE(error_of_config("[[routes]]\nname = \"r\"\nmatch = { unless = [{}] }\nforward = \"p\"\n").find("match.unless: give host, regex or both"),
            std::string::npos);
}
