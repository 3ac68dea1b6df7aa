#include "access_format/access_format.h"

#include <gtest/gtest.h>

using namespace cutover;

namespace {
AccessRecord sample() {
  AccessRecord r;
  r.client_ip = "10.0.0.7";
  r.wall_time_ms = 1764110400123;  // 2025-11-25T22:40:00.123Z
  r.method = "GET";
  r.target = "/a?b=\"c\"";
  r.status = 200;
  r.bytes = 42;
  r.user_agent = "curl/8";
  r.route = "app";
  r.pool = "warp";
  r.backend = "127.0.0.1:3001";
  r.upstream_status = 200;
  r.upstream_connect_ms = 0;
  r.upstream_header_ms = 2;
  r.upstream_ms = 3;
  r.retries = 1;
  r.queue_ms = 0;
  r.total_ms = 4;
  return r;
}
}  // namespace

TEST(AccessLog, CombinedFormatWithUpstreamFields) {
  std::string line;
  AccessFormat::combined().format(sample(), line);
  EXPECT_EQ(line,
            "10.0.0.7 - - [25/Nov/2025:22:40:00 +0000] \"GET /a?b=\\\"c\\\" HTTP/1.1\" 200 42 \"-\" \"curl/8\" "
            "route=app pool=warp backend=127.0.0.1:3001 upstream_status=200 upstream_connect_ms=0 upstream_header_ms=2 upstream_ms=3 retries=1 queue_ms=0 total_ms=4\n");
}

TEST(AccessLog, JsonLines) {
  std::string line;
  AccessRecord r = sample();
  r.upstream_ms = -1;
  AccessFormat::json().format(r, line);
  EXPECT_EQ(line,
            "{\"time\":\"2025-11-25T22:40:00.123Z\",\"client\":\"10.0.0.7\",\"user\":\"\",\"method\":\"GET\",\"target\":\"/a?b=\\\"c\\\"\","
            "\"status\":200,\"bytes\":42,\"referer\":\"\",\"user_agent\":\"curl/8\",\"route\":\"app\",\"pool\":\"warp\","
            "\"backend\":\"127.0.0.1:3001\",\"upstream_status\":200,\"upstream_connect_ms\":0,\"upstream_header_ms\":2,\"upstream_ms\":-1,\"retries\":1,\"queue_ms\":0,\"total_ms\":4}\n");
}

TEST(AccessLog, CombinedNamesTheAuthenticatedUser) {
  AccessRecord r = sample();
  r.remote_user = "alice";
  std::string line;
  AccessFormat::combined().format(r, line);
  EXPECT_EQ(line.rfind("10.0.0.7 - alice [", 0), 0u) << line;
}

std::optional<AccessFormat> parse(std::string_view text, std::string& err, size_t& off) {
  return AccessFormat::parse(text, err, off);
}

TEST(AccessLog, TemplateWithNginxVariables) {
  std::string err;
  size_t off = 0;
  auto f = parse("$remote_addr [$time_local] \"$request\" $status $body_bytes_sent rt=$request_time "
                 "uct=$upstream_connect_time uht=$upstream_header_time urt=$upstream_response_time "
                 "ua=\"$http_user_agent\" id=$http_x_request_id up=$upstream_addr/${pool} q=$queue_time $$",
                 err, off);
  ASSERT_TRUE(f) << err;
  std::vector<http1::Field> fields{{"Host", "x"}, {"X-Request-Id", "r-1"}};
  AccessRecord r = sample();
  r.fields = &fields;
  r.queue_ms = 1500;
  std::string line;
  f->format(r, line);
  EXPECT_EQ(line,
            "10.0.0.7 [25/Nov/2025:22:40:00 +0000] \"GET /a?b=\\\"c\\\" HTTP/1.1\" 200 42 rt=0.004 uct=0.000 "
            "uht=0.002 urt=0.003 ua=\"curl/8\" id=r-1 up=127.0.0.1:3001/warp q=1.500 $\n");
}

TEST(AccessLog, TemplatePathAndQuery) {
  std::string err;
  size_t off = 0;
  auto f = parse("$uri|$args|$request_uri", err, off);
  ASSERT_TRUE(f) << err;
  AccessRecord r = sample();
  r.target = "/a/b?x=1&y=2";
  std::string line;
  f->format(r, line);
  EXPECT_EQ(line, "/a/b|x=1&y=2|/a/b?x=1&y=2\n");
  r.target = "/plain";
  r.bytes = 0;
  line.clear();
  f->format(r, line);
  EXPECT_EQ(line, "/plain||/plain\n");
}

TEST(AccessLog, TemplateMissingValuesAreDashes) {
  std::string err;
  size_t off = 0;
  auto f = parse("$http_x_none $upstream_response_time $remote_user $upstream_status\n", err, off);
  ASSERT_TRUE(f) << err;
  AccessRecord r = sample();
  r.upstream_ms = -1;
  r.upstream_status = 0;
  std::string line;
  f->format(r, line);
  EXPECT_EQ(line, "- - - -\n");  // one newline: the template's own
}

TEST(AccessLog, TemplateErrorsNameTheVariableAndItsOffset) {
  std::string err;
  size_t off = 0;
  EXPECT_FALSE(parse("$remote_addr $stauts", err, off));
  EXPECT_EQ(off, 13u);
  EXPECT_NE(err.find("$stauts"), std::string::npos) << err;
  EXPECT_FALSE(parse("x ${status", err, off));
  EXPECT_EQ(off, 2u);
  EXPECT_FALSE(parse("cost: $ 5", err, off));
  EXPECT_EQ(off, 6u);
  EXPECT_TRUE(parse("combined", err, off));
  EXPECT_TRUE(parse("json", err, off)->is_json());
}
