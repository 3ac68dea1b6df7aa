// Scenario: every answer carries one Date (RFC 9110 6.6.1: a proxy with a clock adds it to
// a response that lacks one; lighttpd sends it): an HTTP backend's answer without Date, a
// FastCGI app's, and cutover's own; a backend's own Date is passed on untouched.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

TEST(DateHeader, EveryAnswerHasExactlyOneDate) {
  ScriptedBackend backend([](const std::string& head, int) {
    if (head.find("GET /dated") == 0)
      return std::string("HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\n\r\nok");
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  std::string dir = temp_dir();
  FcgiApp app(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[pools.app]
backends = [")toml" + backend.address() + R"toml("]
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
match = { prefix = "/" }
forward = "app"
)toml");
  for (std::string path : {"/plain", "/fcgi/hello"}) {
    auto r = fetch(gw.port, "GET", path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->count("Date"), 1u) << path;
    EXPECT_NE(r->header("Date").find(" GMT"), std::string::npos) << path;
  }
  auto dated = fetch(gw.port, "GET", "/dated");
  ASSERT_TRUE(dated);
  EXPECT_EQ(dated->count("Date"), 1u);
  EXPECT_EQ(dated->header("Date"), "Sun, 06 Nov 1994 08:49:37 GMT");
  auto local = fetch(gw.port, "OPTIONS", "*");  // answered by cutover itself
  ASSERT_TRUE(local);
  EXPECT_EQ(local->count("Date"), 1u);
}

}  // namespace
