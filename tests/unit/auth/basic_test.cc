#include "auth/basic.h"

#include <gtest/gtest.h>

#include "auth/password.h"

namespace cutover::auth {
namespace {

TEST(Basic, ParsesTheAuthorizationField) {
  auto c = parse_basic("Basic " + base64_encode("alice:pa:ss"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->password, "pa:ss");  // only the first colon separates
  EXPECT_TRUE(parse_basic("basic " + base64_encode("a:")));
  EXPECT_FALSE(parse_basic("Bearer abc"));
  EXPECT_FALSE(parse_basic("Basic " + base64_encode("nocolon")));
  EXPECT_FALSE(parse_basic("Basic " + base64_encode(":pw")));
  EXPECT_FALSE(parse_basic("Basic !!!"));
  EXPECT_FALSE(parse_basic(""));
}

TEST(Basic, HtpasswdFile) {
  std::vector<FileProblem> problems;
  auto users = parse_htpasswd("# users\nalice:$apr1$x$y\n\nbob:{SHA}abc=\nbroken line\ncarol:plain\r\n", &problems);
  EXPECT_EQ(users.size(), 3u);
  EXPECT_EQ(users["alice"], "$apr1$x$y");
  EXPECT_EQ(users["bob"], "{SHA}abc=");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].line, 5u);
  EXPECT_EQ(problems[1].line, 6u);  // carol: unsupported hash, reported
}

TEST(Basic, GroupsAndRequirements) {
  auto groups = parse_groups("admins: alice bob\nstaff:carol alice\n");
  EXPECT_EQ(groups["alice"], (std::vector<std::string>{"admins", "staff"}));
  Requirement r;
  std::string why;
  ASSERT_TRUE(parse_requirement("valid-user", r, why));
  EXPECT_TRUE(satisfies(r, "anyone", groups));
  ASSERT_TRUE(parse_requirement("user=dave|group=admins", r, why));
  EXPECT_TRUE(satisfies(r, "dave", groups));
  EXPECT_TRUE(satisfies(r, "bob", groups));
  EXPECT_FALSE(satisfies(r, "carol", groups));
  EXPECT_FALSE(parse_requirement("user=", r, why));
  EXPECT_FALSE(parse_requirement("everyone", r, why));
  EXPECT_FALSE(parse_requirement("", r, why));
}

TEST(FailureLimiter, BlocksAfterMaxFailuresInTheWindow) {
  FailureLimiter l(3, 1000, 5000);
  EXPECT_FALSE(l.failed("1.2.3.4", 0));
  EXPECT_FALSE(l.failed("1.2.3.4", 100));
  EXPECT_EQ(l.blocked_for("1.2.3.4", 100), 0);
  EXPECT_TRUE(l.failed("1.2.3.4", 200));
  EXPECT_EQ(l.blocked_for("1.2.3.4", 200), 5000);
  EXPECT_EQ(l.blocked_for("1.2.3.4", 5199), 1);
  EXPECT_EQ(l.blocked_for("1.2.3.4", 5200), 0);
  EXPECT_EQ(l.blocked_for("5.6.7.8", 200), 0);  // per IP
}

TEST(FailureLimiter, FailuresOutsideTheWindowDoNotAddUp) {
  FailureLimiter l(3, 1000, 5000);
  l.failed("ip", 0);
  l.failed("ip", 500);
  EXPECT_FALSE(l.failed("ip", 1600));  // a new window
  EXPECT_FALSE(l.failed("ip", 1700));
  EXPECT_TRUE(l.failed("ip", 1800));
  l.succeeded("ip");
  EXPECT_EQ(l.tracked(), 0u);
}

}  // namespace
}  // namespace cutover::auth
