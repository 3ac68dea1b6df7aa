// Scenario: the access log. Each request is one line in combined format plus cutover's
// fields, parsed back here; a large upload still logs its method and target; SIGUSR1
// reopens the file after a rotation. A template picks its own fields, nginx-style.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

std::vector<std::smatch> parse_lines(const std::string& text, std::vector<std::string>& storage) {
  static const std::regex kLine(
      R"re(^(\S+) - (?:\S+) \[([^\]]+)\] "(\S+) (\S+) (HTTP/1\.[01])" (\d{3}) (\d+) "([^"]*)" "([^"]*)" route=(\S+) pool=(\S+) backend=(\S+) upstream_status=(\S+) upstream_connect_ms=(\S+) upstream_header_ms=(\S+) upstream_ms=(\S+) retries=(\d+) queue_ms=(\d+) total_ms=(\d+)$)re");
  std::vector<std::smatch> out;
  size_t pos = 0;
  storage.clear();
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    storage.push_back(text.substr(pos, nl - pos));
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  for (auto& s : storage) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(s, m, kLine)) << "unparsable line: " << s;
    out.push_back(m);
  }
  return out;
}

TEST(AccessLog, LinesParseBackAndSurviveRotation) {
  std::string dir = temp_dir();
  Worker w(dir);
  std::string log = dir + "/access.log";
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
threads = 1  # lines in request order: with more threads, two requests may log in either order
access_log = ")toml" + log + R"toml("
[pools.app]
backends = [")toml" + w.address() + R"toml("]
[[routes]]
name = "app"
match = { prefix = "/" }
forward = "app"
)toml");
  ASSERT_EQ(fetch(gw.port, "GET", "/echo?q=1", "", {"User-Agent: e2e-test", "Referer: http://ref/"})->status, 200);
  std::string big(300000, 'b');
  ASSERT_EQ(fetch(gw.port, "POST", "/sink", big)->status, 200);
  ASSERT_EQ(fetch(gw.port, "GET", "/status/404")->status, 404);
  std::vector<std::string> storage;
  auto lines = parse_lines(wait_for_lines(log, 3), storage);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0][1], "127.0.0.1");
  EXPECT_EQ(lines[0][3], "GET");
  EXPECT_EQ(lines[0][4], "/echo?q=1");
  EXPECT_EQ(lines[0][6], "200");
  EXPECT_EQ(lines[0][8], "http://ref/");
  EXPECT_EQ(lines[0][9], "e2e-test");
  EXPECT_EQ(lines[0][10], "app");
  EXPECT_EQ(lines[0][11], "app");
  EXPECT_EQ(lines[0][12], w.address());
  EXPECT_EQ(lines[0][13], "200");
  // Connect, head and whole exchange: numbers, in that order.
  for (int g : {14, 15, 16}) ASSERT_TRUE(std::regex_match(lines[0][g].str(), std::regex("\\d+"))) << lines[0][g];
  EXPECT_LE(std::stoi(lines[0][14]), std::stoi(lines[0][15]));
  EXPECT_LE(std::stoi(lines[0][15]), std::stoi(lines[0][16]));
  EXPECT_EQ(lines[1][3], "POST");  // logged after a body that reused the read buffer
  EXPECT_EQ(lines[1][4], "/sink");
  EXPECT_EQ(lines[1][7], std::to_string(std::string("received 300000 bytes\n").size()));
  EXPECT_EQ(lines[2][6], "404");
  EXPECT_EQ(lines[2][13], "404");

  // logrotate: move the file away, SIGUSR1, and new lines go to a new file.
  ASSERT_EQ(::rename(log.c_str(), (log + ".1").c_str()), 0);
  gw.proc->kill(SIGUSR1);
  ASSERT_TRUE(gw.proc->wait_for("access log " + log + " reopened", std::chrono::seconds(5))) << gw.proc->log();
  ASSERT_EQ(fetch(gw.port, "GET", "/")->status, 200);
  auto after = parse_lines(wait_for_lines(log, 1), storage);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0][4], "/");
}

TEST(AccessLog, GeneratedAnswersHaveNoUpstreamStatus) {
  std::string dir = temp_dir();
  std::string log = dir + "/access.log";
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
threads = 1  # lines in request order: with more threads, two requests may log in either order
access_log = ")toml" + log + R"toml("
access_log_format = "json"
[pools.app]
backends = ["127.0.0.1:1"]
retries = 0
[[routes]]
name = "app"
forward = "app"
)toml");
  ASSERT_EQ(fetch(gw.port, "GET", "/x")->status, 503);  // connect refused, no retry: no backend could take it
  std::string text = wait_for_lines(log, 1);
  EXPECT_NE(text.find("\"status\":503"), std::string::npos) << text;
  EXPECT_NE(text.find("\"upstream_status\":0"), std::string::npos) << text;
  EXPECT_NE(text.find("\"backend\":\"127.0.0.1:1\""), std::string::npos) << text;
}

TEST(AccessLog, TemplateLinesCarryTheNamedFields) {
  std::string dir = temp_dir();
  Worker w(dir);
  std::string log = dir + "/access.log";
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
threads = 1  # lines in request order: with more threads, two requests may log in either order
access_log = ")toml" + log + R"toml("
access_log_format = '$remote_addr "$request" $status id=$http_x_request_id up=$upstream_addr/$upstream_status uht=$upstream_header_time urt=$upstream_response_time rt=$request_time q=$queue_time'
[pools.app]
backends = [")toml" + w.address() + R"toml("]
[[routes]]
name = "app"
forward = "app"
)toml");
  ASSERT_EQ(fetch(gw.port, "GET", "/slow?ms=120", "", {"X-Request-Id: abc-123"})->status, 200);
  ASSERT_EQ(fetch(gw.port, "GET", "/status/503")->status, 503);
  std::string text = wait_for_lines(log, 2);
  static const std::regex kLine(
      R"re(^127\.0\.0\.1 "(\S+) (\S+) HTTP/1\.1" (\d{3}) id=(\S+) up=(\S+)/(\S+) uht=(\d+\.\d{3}) urt=(\d+\.\d{3}) rt=(\d+\.\d{3}) q=0\.000$)re");
  std::vector<std::string> lines;
  for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) lines.push_back(text.substr(pos, nl - pos));
  ASSERT_EQ(lines.size(), 2u) << text;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[0], m, kLine)) << lines[0];
  EXPECT_EQ(m[2], "/slow?ms=120");
  EXPECT_EQ(m[4], "abc-123");
  EXPECT_EQ(m[5], w.address());
  EXPECT_EQ(m[6], "200");
  EXPECT_GE(std::stod(m[7]), 0.1);  // the head came after the worker's 120 ms
  EXPECT_LE(std::stod(m[7]), std::stod(m[8]));
  EXPECT_LE(std::stod(m[8]), std::stod(m[9]));
  ASSERT_TRUE(std::regex_match(lines[1], m, kLine)) << lines[1];
  EXPECT_EQ(m[3], "503");
  EXPECT_EQ(m[4], "-");
  EXPECT_EQ(m[6], "503");
}

}  // namespace
