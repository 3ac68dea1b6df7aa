#include "static/validators.h"

#include <gtest/gtest.h>

namespace cutover::statics {
namespace {

const time_t kT = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(HttpDate, ThreeForms) {
  EXPECT_EQ(http_date(kT), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kT);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kT);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kT);
  EXPECT_FALSE(parse_http_date("yesterday"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
}

FileFacts facts() { return FileFacts{"\"abc\"", kT, 1000}; }

TEST(Preconditions, IfNoneMatchWinsOverIfModifiedSince) {
  Conditions c;
  c.if_none_match = "\"abc\"";
  EXPECT_EQ(evaluate_preconditions(c, facts(), true), 304);
  c.if_none_match = "W/\"abc\"";  // weak comparison
  EXPECT_EQ(evaluate_preconditions(c, facts(), true), 304);
  c.if_none_match = "\"x\", \"abc\"";
  EXPECT_EQ(evaluate_preconditions(c, facts(), true), 304);
  c.if_none_match = "*";
  EXPECT_EQ(evaluate_preconditions(c, facts(), true), 304);
  c.if_none_match = "\"other\"";
  c.if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT";  // ignored when If-None-Match is there
  EXPECT_EQ(evaluate_preconditions(c, facts(), true), 0);
  EXPECT_EQ(evaluate_preconditions(Conditions{.if_none_match = "\"abc\""}, facts(), false), 412);
}

TEST(Preconditions, IfModifiedSince) {
  Conditions c;
  c.if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_EQ(evaluate_preconditions(c, facts(), true), 304);
  c.if_modified_since = "Sun, 06 Nov 1994 08:49:36 GMT";
  EXPECT_EQ(evaluate_preconditions(c, facts(), true), 0);
  c.if_modified_since = "garbage";
  EXPECT_EQ(evaluate_preconditions(c, facts(), true), 0);
}

TEST(Preconditions, IfMatchAndIfUnmodifiedSince) {
  EXPECT_EQ(evaluate_preconditions(Conditions{.if_match = "\"abc\""}, facts(), true), 0);
  EXPECT_EQ(evaluate_preconditions(Conditions{.if_match = "W/\"abc\""}, facts(), true), 412);  // strong only
  EXPECT_EQ(evaluate_preconditions(Conditions{.if_match = "\"zzz\""}, facts(), true), 412);
  EXPECT_EQ(evaluate_preconditions(Conditions{.if_unmodified_since = "Sat, 05 Nov 1994 08:49:37 GMT"}, facts(), true), 412);
  EXPECT_EQ(evaluate_preconditions(Conditions{.if_unmodified_since = "Sun, 06 Nov 1994 08:49:37 GMT"}, facts(), true), 0);
}

TEST(Range, ParsesForms) {
  std::vector<ByteRange> r;
  bool sat;
  ASSERT_TRUE(parse_range("bytes=0-99", 1000, r, sat));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first, 0u);
  EXPECT_EQ(r[0].last, 99u);
  ASSERT_TRUE(parse_range("bytes=-100", 1000, r, sat));
  EXPECT_EQ(r[0].first, 900u);
  ASSERT_TRUE(parse_range("bytes=990-", 1000, r, sat));
  EXPECT_EQ(r[0].last, 999u);
  ASSERT_TRUE(parse_range("bytes=0-5000", 1000, r, sat));
  EXPECT_EQ(r[0].last, 999u);
  ASSERT_TRUE(parse_range("bytes=-5000", 1000, r, sat));
  EXPECT_EQ(r[0].first, 0u);
  ASSERT_TRUE(parse_range("bytes= 0-1 , 5-6", 1000, r, sat));
  EXPECT_EQ(r.size(), 2u);
  ASSERT_TRUE(parse_range("bytes=2000-3000", 1000, r, sat));
  EXPECT_FALSE(sat);
  EXPECT_FALSE(parse_range("bytes=5-1", 1000, r, sat));
  EXPECT_FALSE(parse_range("items=0-1", 1000, r, sat));
  EXPECT_FALSE(parse_range("bytes=a-b", 1000, r, sat));
  EXPECT_FALSE(parse_range("bytes=", 1000, r, sat));
  EXPECT_FALSE(parse_range("bytes=99999999999999999999-", 1000, r, sat));
}

TEST(Range, Outcomes) {
  std::vector<ByteRange> r;
  Conditions c;
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::full);
  c.range = "bytes=0-9";
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::partial);
  c.range = "bytes=5000-";
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::unsatisfiable);
  c.range = "bytes=0-9,5-20";  // overlapping: the whole file instead
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::full);
  c.range = "bytes=0-9,20-29";
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::partial);
  EXPECT_EQ(r.size(), 2u);
  std::string many = "bytes=0-0";
  for (int i = 1; i < 40; ++i) many += "," + std::to_string(i * 10) + "-" + std::to_string(i * 10);
  c.range = many;
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::full);
  c.range = "bytes=0-9";
  c.if_range = "\"abc\"";
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::partial);
  c.if_range = "\"old\"";
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::full);
  c.if_range = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::partial);
  c.if_range = "Sun, 06 Nov 1994 08:49:38 GMT";
  EXPECT_EQ(evaluate_range(c, facts(), r), RangeOutcome::full);
}

TEST(Etag, ChangesWithTheFile) {
  EXPECT_NE(make_etag(1, 2, 3, 4), make_etag(1, 2, 3, 5));
  EXPECT_NE(make_etag(1, 2, 3, 4), make_etag(1, 3, 3, 4));
  EXPECT_EQ(make_etag(1, 2, 3, 4).front(), '"');
}

}  // namespace
}  // namespace cutover::statics
