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
  EXPECT_NE(error_of_config("[[routes]]\nname = \"r\"\nmatch = { unless = [{}] }\nforward = \"p\"\n").find("match.unless: give host, regex, when or several"),
            std::string::npos);
}

// lighttpd's $HTTP["remoteip"], ["useragent"], ["querystring"], ["request-method"] and
// $REQUEST_HEADER[...] blocks become match.when conditions.
TEST(Router, FieldConditions) {
  auto c = load_config_text(R"(
[server]
listen = ["127.0.0.1:1"]
[pools.p]
backends = ["127.0.0.1:2"]
[[routes]]
name = "office"
match = { when = [{ client_ip = ["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"] }] }
forward = "p"
[[routes]]
name = "bots"
match = { when = [{ header = "User-Agent", regex = "(?i)bot" }, { method = "^GET$" }] }
forward = "p"
[[routes]]
name = "debug"
match = { when = [{ query = "(^|&)debug=1", negate = false }, { header = "X-Debug", regex = "^$", negate = true }] }
forward = "p"
[[routes]]
name = "not-local"
match = { when = [{ client_ip = ["127.0.0.0/8", "::1"], negate = true }], unless = [{ when = [{ client_ip_regex = '^172\.' }] }] }
forward = "p"
[[routes]]
name = "rest"
forward = "p"
)", "r.toml");
  struct Req {
    std::string ip, method = "GET", target = "/", ua = "", debug = "";
  };
  auto route_for = [&](const Req& q) {
    RouteInput in{"/", "h", q.method, q.target, q.ip};
    in.field_ctx = &q;
    in.field = [](const void* ctx, std::string_view name) -> std::string_view {
      auto* r = static_cast<const Req*>(ctx);
      return name == "User-Agent" ? std::string_view(r->ua) : name == "X-Debug" ? std::string_view(r->debug) : std::string_view();
    };
    Captures caps;
    const RouteSpec* r = match_route(*c, in, &caps);
    return r ? r->name : std::string("none");
  };
  EXPECT_EQ(route_for({"10.20.30.40"}), "office");
  EXPECT_EQ(route_for({"11.0.0.1"}), "not-local");
  EXPECT_EQ(route_for({"192.168.1.7"}), "office");
  EXPECT_EQ(route_for({"192.168.1.8"}), "not-local");
  EXPECT_EQ(route_for({"2001:db8:1::5"}), "office");
  EXPECT_EQ(route_for({"2001:db9::5"}), "not-local");
  EXPECT_EQ(route_for({"127.0.0.1", "GET", "/", "GoogleBot/2"}), "bots");
  EXPECT_EQ(route_for({"127.0.0.1", "POST", "/", "GoogleBot/2"}), "rest");   // every condition must hold
  EXPECT_EQ(route_for({"127.0.0.1", "GET", "/x?a=1&debug=1", "", "y"}), "debug");
  EXPECT_EQ(route_for({"127.0.0.1", "GET", "/x?a=1&debug=1", "", ""}), "rest");  // a missing header reads as ""
  EXPECT_EQ(route_for({"::1"}), "rest");
  EXPECT_EQ(route_for({"172.16.0.1"}), "rest");  // unless.when steps aside

  std::string e = error_of_config("[[routes]]\nname = \"r\"\nmatch = { when = [{ client_ip = [\"10.0.0.0/33\"] }] }\nforward = \"p\"\n");
  EXPECT_NE(e.find("client_ip: \"10.0.0.0/33\": the prefix length must be 0 to 32"), std::string::npos) << e;
  e = error_of_config("[[routes]]\nname = \"r\"\nmatch = { when = [{ client_ip = [\"ten\"] }] }\nforward = \"p\"\n");
  EXPECT_NE(e.find("\"ten\" is not an address or a CIDR block"), std::string::npos) << e;
  e = error_of_config("[[routes]]\nname = \"r\"\nmatch = { when = [{ query = \"a\", method = \"b\" }] }\nforward = \"p\"\n");
  EXPECT_NE(e.find("routes.r.match.when: expected a list of"), std::string::npos) << e;
  e = error_of_config("[[routes]]\nname = \"r\"\nmatch = { when = [{ header = \"X\" }] }\nforward = \"p\"\n");
  EXPECT_NE(e.find("a header condition needs regex"), std::string::npos) << e;
}
