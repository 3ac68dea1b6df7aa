#include "static/expires.h"

#include <gtest/gtest.h>

namespace cutover::statics {
namespace {

TEST(Expires, LighttpdSyntax) {
  std::string why;
  auto e = parse_expire("access plus 1 seconds 2 minutes", why);
  ASSERT_TRUE(e) << why;
  EXPECT_FALSE(e->modification);
  EXPECT_EQ(e->seconds, 121);
  e = parse_expire("modification 1 years 1 month 1 week 1 day 1 hour", why);
  ASSERT_TRUE(e) << why;
  EXPECT_TRUE(e->modification);
  EXPECT_EQ(e->seconds, 360 * 86400 + 30 * 86400 + 7 * 86400 + 86400 + 3600);  // lighttpd's year is 12 months of 30 days
  EXPECT_EQ(parse_expire("now 2 hours", why)->seconds, 7200);
  for (const char* bad : {"", "later 1 hours", "access", "access plus", "access 1", "access x hours", "access 1 fortnights"})
    EXPECT_FALSE(parse_expire(bad, why)) << bad;
}

TEST(Expires, UrlPrefixFirstThenTypeThenTheEmptyType) {
  ExpireTable t;
  std::string why;
  t.urls = {{"/static/", *parse_expire("access 1 hours", why)}, {"/static/img/", *parse_expire("access 9 hours", why)}};
  t.mimetypes = {{"", *parse_expire("access 1 minutes", why)}, {"image/", *parse_expire("access 1 days", why)}};
  EXPECT_EQ(pick_expire(t, "/static/img/a.png", "image/png")->seconds, 3600);  // the first url prefix
  EXPECT_EQ(pick_expire(t, "/other.png", "image/png")->seconds, 86400);
  EXPECT_EQ(pick_expire(t, "/other.txt", "text/plain")->seconds, 60);
  EXPECT_EQ(pick_expire(ExpireTable{}, "/x", "text/plain"), nullptr);
}

TEST(Expires, MaxAgeToHttp11ExpiresToHttp10NeverInThePast) {
  ExpireSpec access{false, 3600}, mod{true, 60};
  EXPECT_EQ(expire_field(access, 1000, std::nullopt, false)->second, "max-age=3600");
  EXPECT_EQ(expire_field(access, 0, std::nullopt, true)->first, "Expires");
  EXPECT_EQ(expire_field(access, 0, std::nullopt, true)->second, "Thu, 01 Jan 1970 01:00:00 GMT");
  EXPECT_EQ(expire_field(mod, 1000, 950, false)->second, "max-age=10");
  EXPECT_EQ(expire_field(mod, 1000, 100, false)->second, "max-age=0");  // long modified: now
  EXPECT_FALSE(expire_field(mod, 1000, std::nullopt, false));          // not a file: nothing
}

}  // namespace
}  // namespace cutover::statics
