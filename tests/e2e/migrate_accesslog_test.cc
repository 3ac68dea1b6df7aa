// Differential: the access log. The real lighttpd 1.4 logs with its default format, and
// with a custom accesslog.format; cutover runs what `cutover migrate` made of each config.
// After the same requests (a proxied page, a HEAD without body, a 404, a static file,
// fields with quotes) both logs must hold the same lines, the time aside: existing log readers keep
// working after the move.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (char c : text) {
    if (c != '\n') {
      line += c;
      continue;
    }
    // The time differs between two servers: [26/Nov/2026:09:00:00 +0000] → [T].
    out.push_back(std::regex_replace(line, std::regex(R"(\[[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9:]{8} [+-][0-9]{4}\])"), "[T]"));
    line.clear();
  }
  return out;
}

void same_log_lines(const std::string& format_line) {
  std::string dir = temp_dir();
  Worker w(dir, "w");
  ::mkdir((dir + "/www").c_str(), 0755);
  write_file(dir + "/www/hello.txt", "hello\n");
  int lport = free_port();
  std::string conf = "server.modules = ( \"mod_accesslog\", \"mod_proxy\" )\n"
                     "server.document-root = \"" + dir + "/www\"\nserver.bind = \"127.0.0.1\"\nserver.port = " + std::to_string(lport) + "\n"
                     "server.errorlog = \"" + dir + "/lighttpd.err\"\n"
                     "accesslog.filename = \"" + dir + "/lighttpd-access.log\"\n" + format_line +
                     "$HTTP[\"url\"] =~ \"^/api/\" {\n  proxy.server = ( \"\" => (( \"host\" => \"127.0.0.1\", \"port\" => " +
                     std::to_string(w.port) + " )) )\n}\n";
  write_file(dir + "/lighttpd.conf", conf);
  auto [code, out] = run_cutover(dir, {"migrate", dir + "/lighttpd.conf", "-o", dir + "/translated.toml"});
  ASSERT_TRUE(code == 0 || code == 3) << out;
  std::string toml = read_file(dir + "/translated.toml");
  size_t l = toml.find("listen = [");
  toml.replace(l, toml.find('\n', l) - l, "listen = [\"127.0.0.1:{{PORT}}\"]");
  size_t a = toml.find("lighttpd-access.log");
  ASSERT_NE(a, std::string::npos) << toml;
  toml.replace(a, 19, "cutover-access.log");
  Process lighttpd({"/usr/sbin/lighttpd", "-D", "-f", dir + "/lighttpd.conf"}, dir + "/lighttpd.log");
  ASSERT_TRUE(wait_until([&] { return Client(lport).connected(); }, 5000)) << "lighttpd did not start";
  Gateway gw(dir, toml);
  struct Ask {
    std::string method, target;
    std::vector<std::string> fields;
  } asks[] = {
      {"GET", "/api/echo?x=1", {"Host: shop.example.org", "User-Agent: tester/1.0", "Referer: http://ref.example/"}},
      {"HEAD", "/hello.txt", {"Host: shop.example.org"}},
      {"GET", "/hello.txt", {"Host: shop.example.org:8080", "User-Agent: with \"quotes\""}},
      {"GET", "/api/missing", {"Host: shop.example.org", "X-Request-Id: r-42"}},  // the worker's 404
  };
  for (int port : {lport, gw.port})
    for (auto& q : asks) {
      auto r = fetch(port, q.method, q.target, "", q.fields);
      ASSERT_TRUE(r) << q.target;
    }
  auto theirs = lines_of(wait_for_lines(dir + "/lighttpd-access.log", std::size(asks)));
  auto ours = lines_of(wait_for_lines(dir + "/cutover-access.log", std::size(asks)));
  ASSERT_EQ(theirs.size(), std::size(asks));
  ASSERT_EQ(ours.size(), std::size(asks));
  // cutover logs each line when its request ends, on the thread that served it: requests on
  // two threads may log in the other order. The lines, not their order, must agree.
  std::sort(theirs.begin(), theirs.end());
  std::sort(ours.begin(), ours.end());
  for (size_t i = 0; i < theirs.size(); ++i) EXPECT_EQ(ours[i], theirs[i]) << toml;
}

TEST(MigrateAccessLog, DefaultFormatLinesMatchLighttpds) { same_log_lines(""); }

TEST(MigrateAccessLog, CustomFormatLinesMatchLighttpds) {
  same_log_lines("accesslog.format = \"%h %l %u %t \\\"%r\\\" %>s %b %m %U ?%q %H %{X-Request-Id}i \\\"%{User-Agent}i\\\"\"\n");
}

}  // namespace
