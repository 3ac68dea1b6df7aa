#include "stage/compare.h"

#include <gtest/gtest.h>

namespace cutover::stage {
namespace {

Captured answer(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Captured c;
  c.status = status;
  c.body = std::move(body);
  c.headers = std::move(headers);
  return c;
}

std::vector<std::string> fields(const std::vector<Difference>& d) {
  std::vector<std::string> out;
  for (auto& x : d) out.push_back(x.field);
  return out;
}

TEST(Compare, IdenticalAnswersHaveNoDifference) {
  auto a = answer(200, "hello", {{"Content-Type", "text/plain"}, {"Date", "Mon"}, {"Server", "lighttpd"}});
  auto b = answer(200, "hello", {{"content-type", "text/plain"}, {"Date", "Tue"}, {"Server", "Warp"}});
  EXPECT_TRUE(compare_answers(a, b, {}).empty());
}

TEST(Compare, StatusHeadersAndBodyEachReportedOnce) {
  auto a = answer(200, "hello world", {{"Content-Type", "text/plain"}, {"X-A", "1"}, {"Set-Cookie", "sid=abc; Path=/"}});
  auto b = answer(201, "hello there", {{"Content-Type", "text/html"}, {"Set-Cookie", "sid=xyz; Path=/"}});
  auto d = compare_answers(a, b, {});
  // The body as text, token by token: the one word that changed, at its token index.
  EXPECT_EQ(fields(d), (std::vector<std::string>{"status", "header:content-type", "header:x-a", "text:1"}));
  EXPECT_EQ(d[2].b, "(absent)");
  EXPECT_EQ(d[3].a, "hello [world]");
  EXPECT_EQ(d[3].b, "hello [there]");
  // Set-Cookie values differ (sessions) but the cookie names match: not a difference.
  auto c = answer(200, "x", {{"Set-Cookie", "other=1"}});
  EXPECT_EQ(fields(compare_answers(answer(200, "x", {{"Set-Cookie", "sid=1"}}), c, {})),
            (std::vector<std::string>{"header:set-cookie"}));
}

TEST(Compare, HeaderNamesAnyCaseValuesInOrderJoinedAsOne) {
  // One field "a, b" is the same header as two fields "a" and "b"; order within a name counts.
  auto a = answer(200, "x", {{"Vary", "Accept"}, {"X-B", "1"}, {"vary", "Cookie"}, {"X-Trace", "t1"}});
  auto b = answer(200, "x", {{"x-b", "1"}, {"VARY", "Accept, Cookie"}, {"x-trace", "t2"}});
  CompareSpec spec;
  spec.ignore_headers = {"x-trace"};
  EXPECT_TRUE(compare_answers(a, b, spec).empty());
  auto c = answer(200, "x", {{"Vary", "Cookie"}, {"X-B", "1"}, {"Vary", "Accept"}});
  auto d = compare_answers(a, c, spec);
  ASSERT_EQ(fields(d), (std::vector<std::string>{"header:vary"}));
  EXPECT_EQ(d[0].a, "Accept, Cookie");
  EXPECT_EQ(d[0].b, "Cookie, Accept");
  // Same names in the same order: a value that differs is still reported.
  EXPECT_EQ(fields(compare_answers(answer(200, "x", {{"Date", "Mon"}, {"Content-Type", "a"}, {"X-B", "1"}}),
                                   answer(200, "x", {{"date", "Tue"}, {"content-type", "b"}, {"x-b", "1"}}), {})),
            (std::vector<std::string>{"header:content-type"}));
  // Differences come in name order, whichever side has the name.
  auto e = answer(200, "x", {{"Z-Only-A", "1"}, {"Content-Type", "a"}});
  auto f = answer(200, "x", {{"content-type", "b"}, {"M-Only-B", "2"}});
  EXPECT_EQ(fields(compare_answers(e, f, {})),
            (std::vector<std::string>{"header:content-type", "header:m-only-b", "header:z-only-a"}));
}

TEST(Compare, JsonIsStructuralWithIgnoredPaths) {
  CompareSpec spec;
  spec.mode = BodyMode::json;
  spec.ignore_paths = {"/meta"};
  auto a = answer(200, R"({"user":{"name":"ann","age":3},"tags":["a","b"],"meta":{"t":1}})");
  auto b = answer(200, R"({"tags":["a","c"],  "user":{"age":3,"name":"ann"},"meta":{"t":2},"extra":true})");
  auto d = compare_answers(a, b, spec);
  EXPECT_EQ(fields(d), (std::vector<std::string>{"json:/extra", "json:/tags/1"}));
  EXPECT_EQ(d[0].a, "(absent)");
  EXPECT_EQ(d[1].b, "\"c\"");
  auto html = answer(500, "<h1>error</h1>");
  EXPECT_EQ(fields(compare_answers(a, html, spec)), (std::vector<std::string>{"status", "body"}));
}

TEST(Compare, TextNormalizersAndWhitespace) {
  CompareSpec spec;
  spec.mode = BodyMode::text;
  Normalizer n;
  ASSERT_TRUE(builtin_normalizer("iso-time", n));
  spec.normalizers.push_back(std::move(n));
  ASSERT_TRUE(builtin_normalizer("uuid", n));
  spec.normalizers.push_back(std::move(n));
  auto a = answer(200, "<p>at 2026-11-26T01:02:03Z</p>\n<p>id 123e4567-e89b-12d3-a456-426614174000</p>");
  auto b = answer(200, "<p>at 2026-11-26T09:59:59.5+01:00</p>   <p>id 00000000-0000-0000-0000-000000000000</p>");
  EXPECT_TRUE(compare_answers(a, b, spec).empty());
  CompareSpec exact_spacing = spec;
  exact_spacing.collapse_whitespace = false;
  EXPECT_EQ(compare_answers(a, b, exact_spacing).size(), 1u) << "with collapse_whitespace off, spacing counts";
  auto c = answer(200, "<p>at 2026-11-26T01:02:03Z</p> <p>id none</p>");
  auto d = compare_answers(a, c, spec);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].a.find("<uuid>"), std::string::npos);
}

TEST(Compare, NoiseLearnedFromASecondPrimaryCallIsDropped) {
  CompareSpec spec;
  spec.mode = BodyMode::json;
  auto primary = answer(200, R"({"id":1,"now":100,"name":"a"})", {{"X-Trace", "p1"}});
  auto secondary = answer(200, R"({"id":1,"now":101,"name":"a"})", {{"X-Trace", "p2"}});
  auto candidate = answer(200, R"({"id":1,"now":107,"name":"b"})", {{"X-Trace", "c"}});
  auto noise = compare_answers(primary, secondary, spec);
  auto real = without_noise(compare_answers(primary, candidate, spec), noise);
  EXPECT_EQ(fields(real), (std::vector<std::string>{"json:/name"}));
}

TEST(Compare, ReplaceAllHandlesEmptyMatchesAndAnchors) {
  std::string err;
  size_t off;
  auto re = Regex::compile("\\d+", err, off);
  EXPECT_EQ(replace_all(*re, "a1b22c333", "#"), "a#b#c#");
  auto empty = Regex::compile("x*", err, off);
  EXPECT_EQ(replace_all(*empty, "ab", "-"), "-a-b-");
}

}  // namespace
}  // namespace cutover::stage
