// Scenario: cutover routes and authorizes on the same request the backend gets. The
// authority of an absolute-form target is what a FastCGI app sees as HTTP_HOST and
// SERVER_NAME (a deny rule on the Host cannot be dodged with another Host field); a
// trailing dot or :80 cannot slip past a host_regex deny; header names with '_' never reach
// a backend by default; a Host cannot add elements to Forwarded; and an expanded redirect
// cannot split the answer with a decoded CR LF.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

std::string raw(int port, const std::string& request) {
  Client c(port);
  c.send(request);
  return c.read_all(std::chrono::seconds(5));
}

TEST(RequestIdentity, AbsoluteFormAuthorityIsWhatAFastcgiAppSees) {
  std::string dir = temp_dir();
  FcgiApp app(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[pools.legacy]
protocol = "fastcgi"
backends = [")toml" + app.address() + R"toml("]
[[deny]]
match = { host = "admin.example" }
suffixes = [""]
[[routes]]
name = "app"
match = { prefix = "/fcgi" }
forward = "legacy"
fastcgi = { key = "/fcgi" }
)toml");
  // Routed on public.example (the target's authority), so the app must see public.example.
  std::string r = raw(gw.port, "GET http://public.example/fcgi/env HTTP/1.1\r\nHost: admin.example\r\nConnection: close\r\n\r\n");
  ASSERT_NE(r.find("200 OK"), std::string::npos) << r;
  EXPECT_NE(r.find("HTTP_HOST=public.example\n"), std::string::npos) << r;
  EXPECT_NE(r.find("SERVER_NAME=public.example\n"), std::string::npos) << r;
  EXPECT_EQ(r.find("admin.example"), std::string::npos) << r;
  // And the other way round: the deny rule holds for an authority of admin.example.
  std::string denied =
      raw(gw.port, "GET http://Admin.Example.:80/fcgi/env HTTP/1.1\r\nHost: public.example\r\nConnection: close\r\n\r\n");
  EXPECT_NE(denied.find("403"), std::string::npos) << denied;
}

TEST(RequestIdentity, TrailingDotAndDefaultPortCannotDodgeAHostRegexDeny) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[pools.app]
backends = [")toml" + w.address() + R"toml("]
[[deny]]
match = { host_regex = "^secret\\.example$" }
suffixes = [""]
[[routes]]
name = "all"
forward = "app"
)toml");
  for (std::string host : {"secret.example", "secret.example.", "SECRET.example.:80", "secret.example:80"}) {
    auto r = fetch(gw.port, "GET", "/", "", {"Host: " + host});
    ASSERT_TRUE(r) << host;
    EXPECT_EQ(r->status, 403) << host;
  }
  auto other = fetch(gw.port, "GET", "/echo", "", {"Host: public.example."});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(parse_echo(other->body).find("header:Host")->second, "public.example");
}

TEST(RequestIdentity, UnderscoredHeaderNamesAreDroppedAndForwardedIsQuoted) {
  std::string dir = temp_dir();
  Worker w(dir);
  FcgiApp app(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[pools.app]
backends = [")toml" + w.address() + R"toml("]
[pools.legacy]
protocol = "fastcgi"
backends = [")toml" + app.address() + R"toml("]
[[routes]]
name = "fcgi"
match = { prefix = "/fcgi" }
forward = "legacy"
fastcgi = { key = "/fcgi" }
[[routes]]
name = "all"
forward = "app"
)toml");
  auto r = fetch(gw.port, "GET", "/echo", "",
                 {"X_Forwarded_For: 6.6.6.6", "X_Remote_User: admin", "Content_Type: text/evil", "Host: t,for=6.6.6.6"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body.find("X_Remote_User"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("X_Forwarded_For"), std::string::npos) << r->body;
  auto echo = parse_echo(r->body);
  EXPECT_EQ(echo.find("header:X-Forwarded-For")->second, "127.0.0.1");
  EXPECT_EQ(echo.find("header:Forwarded")->second, "for=127.0.0.1;host=\"t,for=6.6.6.6\";proto=http");
  auto env = fetch(gw.port, "GET", "/fcgi/env", "", {"X_Forwarded_For: 6.6.6.6", "Content_Type: text/evil", "X-Forwarded-For: 1.2.3.4"});
  ASSERT_TRUE(env);
  auto vars = parse_vars(env->body);
  EXPECT_EQ(vars["HTTP_X_FORWARDED_FOR"], "1.2.3.4");
  EXPECT_EQ(vars.count("CONTENT_TYPE") ? vars["CONTENT_TYPE"] : "", "");
  EXPECT_EQ(env->body.find("6.6.6.6"), std::string::npos) << env->body;
}

TEST(RequestIdentity, UnderscoresInHeadersKeepsThemForHttpBackendsOnly) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, one_pool_config({w.address()}, "", "underscores_in_headers = true\n"));
  auto r = fetch(gw.port, "GET", "/echo", "", {"X_Custom: kept"});
  ASSERT_TRUE(r);
  EXPECT_EQ(parse_echo(r->body).find("header:X_Custom")->second, "kept");
}

TEST(RequestIdentity, ExpandedRedirectCannotSplitTheAnswer) {
  std::string dir = temp_dir();
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[[routes]]
name = "b64"
match = { regex = "^/b64/(.*)$" }
redirect = { to = "https://example.org/${decb64u:1}", code = 302 }
)toml");
  // base64url of "x\r\nSet-Cookie: injected=1\r\n"
  std::string r = raw(gw.port, "GET /b64/eA0KU2V0LUNvb2tpZTogaW5qZWN0ZWQ9MQ0K HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.find("Set-Cookie: injected"), std::string::npos) << r;
  EXPECT_NE(r.find("HTTP/1.1 400"), std::string::npos) << r;
  EXPECT_NE(gw.proc->log().find("would carry CR, LF or NUL in Location"), std::string::npos) << gw.proc->log();
  // A harmless value still redirects.
  std::string ok = raw(gw.port, "GET /b64/aGVsbG8 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(ok.find("Location: https://example.org/hello\r\n"), std::string::npos) << ok;
}

}  // namespace
