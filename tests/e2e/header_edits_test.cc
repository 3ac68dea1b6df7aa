// Scenario: header edits (lighttpd's setenv.*-header). The server adds a response field to
// every answer, cutover's own included; one route sets and adds request fields, which an
// HTTP worker and a FastCGI app both receive (a client's copy of a set field is replaced),
// and replaces a response field of the backend's. Field rewrites (lighttpd 1.5's
// rewrite-request / rewrite-response header keys) change values on the way in and out.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"

using namespace e2e;

namespace {

TEST(HeaderEdits, RequestAndResponseFieldsPerServerAndRoute) {
  std::string dir = temp_dir();
  Worker w(dir);
  FcgiApp app(dir);
  std::filesystem::create_directories(dir + "/site");
  write_file(dir + "/site/hello.txt", "hello\n");
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
response_headers = { add = { "X-Frame-Options" = "DENY" } }
[pools.warp]
backends = [")toml" + w.address() + R"toml("]
[pools.legacy]
protocol = "fastcgi"
backends = [")toml" + app.address() + R"toml("]
[[routes]]
name = "files"
match = { prefix = "/site/" }
static = { alias = ")toml" + dir + R"toml(/site/" }
[[routes]]
name = "cgi"
match = { prefix = "/cgi" }
forward = "legacy"
request_headers = { set = { "X-Tenant" = "blue" }, add = { "X-Via" = "cutover" } }
[[routes]]
name = "api"
match = { host = "api.local" }
forward = "warp"
request_headers = { set = { "X-Tenant" = "blue", "X-Debug" = "" }, add = { "X-Via" = "cutover" } }
response_headers = { set = { "Content-Type" = "text/x-echo", "X-Powered-By" = "" } }
[[routes]]
name = "rest"
forward = "warp"
)toml");
  // The HTTP worker sees the set field once (the client's value replaced) and the added one
  // next to the client's.
  auto r = fetch(gw.port, "GET", "/echo", "", {"Host: api.local", "X-Tenant: red", "X-Via: client", "X-Debug: 1"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("header: X-Tenant: blue\n"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("X-Tenant: red"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("header: X-Via: client\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("header: X-Via: cutover\n"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("X-Debug"), std::string::npos) << r->body;  // set to "": removed
  // The route's response set replaces the backend's field; the server's add stays (the
  // route gave no add of its own).
  EXPECT_EQ(r->header("Content-Type"), "text/x-echo");
  EXPECT_EQ(r->count("Content-Type"), 1u);
  EXPECT_EQ(r->header("X-Frame-Options"), "DENY");
  auto removed = fetch(gw.port, "GET", "/header?name=X-Powered-By&value=php", "", {"Host: api.local"});
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 200);
  EXPECT_EQ(removed->count("X-Powered-By"), 0u);  // set to "": removed
  auto kept = fetch(gw.port, "GET", "/header?name=X-Powered-By&value=php");  // route "rest"
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->header("X-Powered-By"), "php");

  // The FastCGI app gets them as CGI variables, an added field merged like lighttpd does.
  auto c = fetch(gw.port, "GET", "/cgi/env", "", {"X-Tenant: red", "X-Via: client"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, 200);
  auto vars = parse_vars(c->body);
  EXPECT_EQ(vars["HTTP_X_TENANT"], "blue") << c->body;
  EXPECT_EQ(vars["HTTP_X_VIA"], "client, cutover") << c->body;

  // Other routes: the client's fields untouched; every answer has the server's field, a
  // static file and cutover's own 404 too.
  auto plain = fetch(gw.port, "GET", "/echo", "", {"X-Tenant: red"});  // route "rest"
  ASSERT_TRUE(plain);
  EXPECT_NE(plain->body.find("header: X-Tenant: red\n"), std::string::npos) << plain->body;
  EXPECT_EQ(plain->header("X-Frame-Options"), "DENY");
  EXPECT_NE(plain->header("Content-Type"), "text/x-echo");
  auto file = fetch(gw.port, "GET", "/site/hello.txt");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->header("X-Frame-Options"), "DENY");
  auto missing = fetch(gw.port, "GET", "/site/none.txt");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->header("X-Frame-Options"), "DENY");
}

// lighttpd 1.5 proxy-core.rewrite-request / rewrite-response header keys: a present field's
// whole value becomes the replacement when the regex matches; absent fields stay absent.
TEST(HeaderEdits, FieldRewritesOnTheWayInAndOut) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[pools.warp]
backends = [")toml" + w.address() + R"toml("]
[[routes]]
name = "app"
forward = "warp"
rewrite_request = { headers = { "User-Agent" = ["^curl/(.*)$", "tool $1 via cutover"], "X-Absent" = [".*", "added?"] } }
rewrite_response = { headers = { "Location" = ["^http://backend\\.internal:[0-9]+(/.*)$", "http://shop.example.org$1"] } }
)toml");
  auto r = fetch(gw.port, "GET", "/echo", "", {"User-Agent: curl/8.1"});
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("header: User-Agent: tool 8.1 via cutover\n"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("X-Absent"), std::string::npos) << r->body;  // never added
  auto other = fetch(gw.port, "GET", "/echo", "", {"User-Agent: wget"});
  ASSERT_TRUE(other);
  EXPECT_NE(other->body.find("header: User-Agent: wget\n"), std::string::npos) << other->body;  // no match: unchanged
  auto loc = fetch(gw.port, "GET", "/header?name=Location&value=http%3A%2F%2Fbackend.internal%3A3001%2Fcart%3Fid%3D7");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->header("Location"), "http://shop.example.org/cart?id=7");
  auto kept = fetch(gw.port, "GET", "/header?name=Location&value=https%3A%2F%2Felsewhere.example%2Fx");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->header("Location"), "https://elsewhere.example/x");
}

// [[headers]] rules (lighttpd's setenv inside $HTTP[...] blocks): for the requests their
// conditions match, each key they give replaces the server's; the others stay. They apply
// to cutover's own answers too (a 404 without a route).
TEST(HeaderEdits, RulesReplaceKeysForMatchingRequests) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
response_headers = { add = { "X-Frame-Options" = "DENY" }, set = { "X-Env" = "prod" } }
[pools.warp]
backends = [")toml" + w.address() + R"toml("]
[[routes]]
name = "app"
match = { prefix = "/e" }
forward = "warp"
[[headers]]
match = { host = "admin.example.org" }
response_headers = { add = { "X-Robots-Tag" = "noindex" } }
[[headers]]
match = { regex = "^/echo" }
request_headers = { set = { "X-Api" = "1" } }
)toml");
  auto plain = fetch(gw.port, "GET", "/echo");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->header("X-Frame-Options"), "DENY");
  EXPECT_EQ(plain->count("X-Robots-Tag"), 0u);
  EXPECT_NE(plain->body.find("header: X-Api: 1\n"), std::string::npos) << plain->body;
  auto admin = fetch(gw.port, "GET", "/echo", "", {"Host: admin.example.org"});
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->header("X-Robots-Tag"), "noindex");
  EXPECT_EQ(admin->count("X-Frame-Options"), 0u);  // the rule's add replaced the server's
  EXPECT_EQ(admin->header("X-Env"), "prod");       // the server's set stays
  EXPECT_NE(admin->body.find("header: X-Api: 1\n"), std::string::npos) << admin->body;  // both rules apply
  auto missing = fetch(gw.port, "GET", "/nothing", "", {"Host: admin.example.org"});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->header("X-Robots-Tag"), "noindex");
}

}  // namespace
