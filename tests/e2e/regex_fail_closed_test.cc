// Scenario: a regex that cannot decide (PCRE2's match limit, a pathological pattern and
// path) never opens a door: a deny rule counts it as a match (403), a route or a rewrite
// answers 500 with a log line, and other requests are served as before.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

const std::string kEvil = "/fo/" + std::string(40, 'x') + "secret";

TEST(RegexFailClosed, DenyRuleCountsAMatchErrorAsAMatch) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[pools.app]
backends = [")toml" + w.address() + R"toml("]
[[deny]]
match = { regex = "^/fo/(?:(x+x+)+y|.*secret)" }
suffixes = [""]
[[routes]]
name = "all"
forward = "app"
)toml");
  EXPECT_EQ(fetch(gw.port, "GET", "/fo/secret")->status, 403);
  auto r = fetch(gw.port, "GET", kEvil);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << "served past the deny rule";
  EXPECT_NE(gw.proc->log().find("deny rule: a regex hit its match limit"), std::string::npos) << gw.proc->log();
  EXPECT_EQ(fetch(gw.port, "GET", "/fo/open")->status, 404);  // the worker's own answer: not denied
}

TEST(RegexFailClosed, RoutesAndRewritesAnswer500) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[[rewrite]]
match = "^/rw/(?:(x+x+)+y|z)"
to = "/elsewhere"
[pools.app]
backends = [")toml" + w.address() + R"toml("]
[[routes]]
name = "evil"
match = { regex = "^/fo/(?:(x+x+)+y|.*secret)" }
redirect = { to = "/secret-place" }
[[routes]]
name = "all"
forward = "app"
)toml");
  auto r = fetch(gw.port, "GET", kEvil);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500) << "which route would have taken it is not known";
  auto rw = fetch(gw.port, "GET", "/rw/" + std::string(40, 'x'));
  ASSERT_TRUE(rw);
  EXPECT_EQ(rw->status, 500);
  std::string log = gw.proc->log();
  EXPECT_NE(log.find("a route's regex hit its match limit; answering 500"), std::string::npos) << log;
  EXPECT_NE(log.find("a rule's regex hit its match limit; answering 500"), std::string::npos) << log;
  EXPECT_EQ(fetch(gw.port, "GET", "/")->status, 200);
}

}  // namespace
