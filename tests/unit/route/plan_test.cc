#include "route/plan.h"

#include <gtest/gtest.h>

namespace cutover {
namespace {

std::shared_ptr<const Config> cfg(const std::string& rest) {
  return load_config_text("[server]\nlisten = [\"127.0.0.1:1\"]\n" + rest, "p.toml");
}

struct Ask {
  std::string method = "GET", target, host = "example.org", ua = {};
};

void plan(const Config& c, const Ask& a, Plan& p) {
  RequestFacts f{a.method, a.target, a.host, "10.0.0.1"};
  f.field = [](const void* ctx, std::string_view name) -> std::string_view {
    return name == "User-Agent" ? std::string_view(*static_cast<const std::string*>(ctx)) : std::string_view();
  };
  f.field_ctx = &a.ua;
  plan_request(c, f, [](std::string_view) { return false; }, p);
}

TEST(Plan, RewritesWithConditionsThenTheRouteAndTheBackendTarget) {
  auto c = cfg(R"X([pools.app]
backends = ["127.0.0.1:2"]
[[rewrite]]
match = "^/old/(.*)"
to = "/app/$1"
when = [{ header = "User-Agent", regex = "bot" }]
[[routes]]
name = "app"
match = { prefix = "/app" }
forward = "app"
rewrite_request = { uri = ["^/app/(.*)", "/$1"] }
)X");
  Plan p;
  plan(*c, {"GET", "/old/x?y=1", "example.org", "somebot"}, p);
  EXPECT_EQ(p.rewritten.target, "/app/x?y=1");
  ASSERT_TRUE(p.route);
  EXPECT_EQ(p.route->name, "app");
  ASSERT_TRUE(p.backend_target);
  EXPECT_EQ(*p.backend_target, "/x?y=1");
  Plan q;
  plan(*c, {"GET", "/old/x", "example.org", "curl"}, q);  // the rewrite's condition fails
  EXPECT_EQ(q.rewritten.target, "/old/x");
  EXPECT_EQ(q.route, nullptr);
  Plan bad;
  plan(*c, {"GET", "no-slash"}, bad);
  EXPECT_EQ(bad.rewritten.status, 400);
}

TEST(Plan, AuthAreaDenyLimitsAndAnswerRulesTakeTheLastMatchingRule) {
  auto c = cfg(R"(max_body_bytes = 100
deny_suffixes = [".inc"]
response_headers = { set = { "X-A" = "server" } }
[[routes]]
name = "files"
match = { prefix = "/" }
redirect = { to = "/moved", code = 302 }
[[auth]]
prefix = "/admin"
refuse = true
match = { host = ["a.example"] }
[[auth]]
prefix = "/admin"
plain = "/nonexistent"
[[deny]]
match = { prefix = "/inc" }
suffixes = []
[[limits]]
match = { prefix = "/up" }
max_body_bytes = 5000
[[headers]]
match = { prefix = "/x" }
response_headers = { set = { "X-A" = "first" } }
error_handler_404 = "/404.html"
[[headers]]
match = { prefix = "/x/y" }
response_headers = { set = { "X-A" = "second" } }
)");
  Plan a;
  plan(*c, {"GET", "/admin/p", "a.example"}, a);
  ASSERT_TRUE(a.auth);
  EXPECT_TRUE(a.auth->refuse);
  Plan b;
  plan(*c, {"GET", "/admin/p", "b.example"}, b);
  ASSERT_TRUE(b.auth);
  EXPECT_FALSE(b.auth->refuse);
  Plan d;
  plan(*c, {"GET", "/a.inc"}, d);
  EXPECT_TRUE(d.denied);
  Plan e;
  plan(*c, {"GET", "/inc/a.inc"}, e);  // the rule's empty list replaces the server's
  EXPECT_FALSE(e.denied);
  EXPECT_EQ(e.location, "/moved");
  Plan u;
  plan(*c, {"POST", "/up/file"}, u);
  EXPECT_EQ(u.body_limit, 5000u);
  EXPECT_EQ(e.body_limit, 100u);
  Plan x;
  plan(*c, {"GET", "/x/y/z"}, x);
  EXPECT_EQ(x.answer.response->set.at(0).second, "second");
  EXPECT_EQ(*x.answer.error_handler_404, "/404.html");  // the first rule's key: the second gives none
  Plan o;
  plan(*c, {"GET", "/other"}, o);
  EXPECT_EQ(o.answer.response->set.at(0).second, "server");
  EXPECT_TRUE(o.answer.error_handler_404->empty());
}

}  // namespace
}  // namespace cutover
