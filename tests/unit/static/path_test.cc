#include "static/path.h"

#include <gtest/gtest.h>

namespace cutover::statics {
namespace {

bool ok(std::string_view p, std::string* rel = nullptr, PathRules r = {}) {
  std::string out, why;
  bool dir = false;
  bool res = resolve(p, r, out, dir, why);
  if (rel) *rel = out;
  return res;
}

TEST(StaticPath, RootRelative) {
  std::string rel;
  EXPECT_TRUE(ok("/a/b.txt", &rel));
  EXPECT_EQ(rel, "a/b.txt");
  EXPECT_TRUE(ok("/", &rel));
  EXPECT_EQ(rel, "");
  EXPECT_TRUE(ok("//a///b/", &rel));
  EXPECT_EQ(rel, "a/b");
}

TEST(StaticPath, RefusesWhatCouldLeaveTheRoot) {
  for (std::string_view p : std::initializer_list<std::string_view>{"/..", "/../etc/passwd", "/a/../../x", "/a/./b", "/a\\..\\b", "/a/b\\c",
                             std::string_view("/a\0b", 4), "/a\x01", "/.env", "/a/.git/config", ""})
    EXPECT_FALSE(ok(p)) << p;
}

TEST(StaticPath, DotfilesWhenAllowed) {
  PathRules r;
  r.dotfiles = true;
  std::string rel;
  EXPECT_TRUE(ok("/.well-known/x", &rel, r));
  EXPECT_FALSE(ok("/a/../b", nullptr, r));
}

TEST(StaticPath, AliasStripsItsPrefix) {
  PathRules r;
  r.strip_prefix = "/static/";
  std::string rel;
  EXPECT_TRUE(ok("/static/css/x.css", &rel, r));
  EXPECT_EQ(rel, "css/x.css");
  EXPECT_TRUE(ok("/static", &rel, r));
  EXPECT_EQ(rel, "");
  EXPECT_FALSE(ok("/staticfoo/x", nullptr, r));
  EXPECT_FALSE(ok("/other", nullptr, r));
}

TEST(StaticPath, Extension) {
  EXPECT_EQ(extension_of("a/b.PHP"), ".php");
  EXPECT_EQ(extension_of("a.b/c"), "");
  EXPECT_EQ(extension_of(".bashrc"), "");
  EXPECT_EQ(extension_of("x.tar.gz"), ".gz");
}

}  // namespace
}  // namespace cutover::statics
