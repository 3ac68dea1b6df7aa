#include "migrate_tool/log_format.h"

#include <gtest/gtest.h>

using namespace cutover::migrate;

TEST(LogFormat, LighttpdsDefaultFormat) {
  auto t = translate_log_format("%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"");
  EXPECT_EQ(t.template_text,
            "$remote_addr $http_host $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"");
  EXPECT_TRUE(t.inexact.empty());
}

TEST(LogFormat, PathQueryFieldsAndLiterals) {
  auto t = translate_log_format("%m %U?%q %H %{X-Request-Id}i 100%% $HOME");
  EXPECT_EQ(t.template_text, "$request_method $uri?$args $server_protocol $http_x_request_id 100% $$HOME");
  EXPECT_TRUE(t.inexact.empty());
}

TEST(LogFormat, UnknownSpecifiersAreDashesAndReported) {
  auto t = translate_log_format("%D %{Content-Type}o %T %{%s}t");
  EXPECT_EQ(t.template_text, "- - $request_time [$time_local]");
  ASSERT_EQ(t.inexact.size(), 4u);
  EXPECT_NE(t.inexact[0].find("%D"), std::string::npos);
  EXPECT_NE(t.inexact[1].find("%{Content-Type}o"), std::string::npos);
}
