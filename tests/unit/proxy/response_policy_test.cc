// The respond phase's field policy, without a socket or a framing.
#include "proxy/response_policy.h"

#include <gtest/gtest.h>

using namespace cutover;

namespace {

FieldRewrite rewrite(const std::string& name, const std::string& re, const std::string& to) {
  std::string err;
  size_t off = 0;
  FieldRewrite rw{name, *Regex::compile(re, err, off), {}};
  EXPECT_TRUE(rw.to.parse(to, err, off)) << err;
  return rw;
}

http1::RequestHead request() {
  http1::RequestHead h;
  h.method = "GET";
  h.target = "/app/x";
  h.host = "example.org";
  return h;
}

}  // namespace

TEST(ResponsePolicy, EditsReplaceAddAndRemove) {
  HeaderEdits e;
  e.set = {{"X-Frame-Options", "DENY"}, {"Server", ""}};
  e.add = {{"X-Extra", "1"}};
  ResponsePolicy p;
  p.edits = &e;
  EXPECT_TRUE(p.replaces("x-frame-options"));
  EXPECT_TRUE(p.replaces("SERVER"));
  EXPECT_FALSE(p.replaces("X-Extra"));  // an add keeps the answer's own
  std::vector<std::pair<std::string, std::string>> seen;
  p.for_each_edit([&](std::string_view n, std::string_view v) { seen.emplace_back(n, v); });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].second, "");  // Server removed: given to the framer, which writes nothing
  EXPECT_FALSE(p.adds("server"));
  EXPECT_TRUE(p.adds("x-extra"));
  EXPECT_FALSE(p.edits_values());
}

TEST(ResponsePolicy, LocationIsMappedBackThenRewritten) {
  ProxyMap m;
  m.urlpath = {{"/app", "/v2/app"}};
  ProxyMapState st;
  ASSERT_TRUE(map_request_target(m, "/app/x", st));
  std::vector<FieldRewrite> rws;
  rws.push_back(rewrite("Location", "^(.*)/login$", "$1/signin"));
  ResponsePolicy p;
  p.map = &m;
  p.map_state = &st;
  p.rewrites = &rws;
  ASSERT_TRUE(p.edits_values());
  auto req = request();
  EXPECT_EQ(p.value_of({"Location", "/v2/app/login"}, req), "/app/signin");
  EXPECT_EQ(p.value_of({"Content-Location", "/v2/app/a"}, req), "/app/a");
  EXPECT_EQ(p.value_of({"X-Other", "/v2/app/login"}, req), "/v2/app/login");  // neither applies
}

TEST(ResponsePolicy, ARewriteThatWouldBreakTheHeadLeavesTheValue) {
  std::vector<FieldRewrite> rws;
  rws.push_back(rewrite("X-Id", "^(.*)$", "$1\r\nInjected: 1"));  // a config may spell CR LF
  ResponsePolicy p;
  p.rewrites = &rws;
  auto req = request();
  EXPECT_EQ(p.value_of({"X-Id", "abc"}, req), "abc");  // as the backend sent it
}
