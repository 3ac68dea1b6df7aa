#include "core/access_log.h"

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
  r.upstream_ms = 3;
  r.retries = 1;
  r.queue_ms = 0;
  r.total_ms = 4;
  return r;
}
}  // namespace

TEST(AccessLog, CombinedFormatWithUpstreamFields) {
  std::string line;
  format_access(sample(), AccessLogFormat::combined, line);
  EXPECT_EQ(line,
            "10.0.0.7 - - [25/Nov/2025:22:40:00 +0000] \"GET /a?b=\\x22c\\x22 HTTP/1.1\" 200 42 \"-\" \"curl/8\" "
            "route=app pool=warp backend=127.0.0.1:3001 upstream_status=200 upstream_ms=3 retries=1 queue_ms=0 total_ms=4\n");
}

TEST(AccessLog, JsonLines) {
  std::string line;
  AccessRecord r = sample();
  r.upstream_ms = -1;
  format_access(r, AccessLogFormat::json, line);
  EXPECT_EQ(line,
            "{\"time\":\"2025-11-25T22:40:00.123Z\",\"client\":\"10.0.0.7\",\"method\":\"GET\",\"target\":\"/a?b=\\\"c\\\"\","
            "\"status\":200,\"bytes\":42,\"referer\":\"\",\"user_agent\":\"curl/8\",\"route\":\"app\",\"pool\":\"warp\","
            "\"backend\":\"127.0.0.1:3001\",\"upstream_status\":200,\"upstream_ms\":-1,\"retries\":1,\"queue_ms\":0,\"total_ms\":4}\n");
}
