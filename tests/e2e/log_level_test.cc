// Scenario: the error log's level (server.log_level). At "warn", info lines (a refused
// request) are gone while warnings and errors stay; a reload changes the level of a running
// gateway.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness.h"

using namespace e2e;

namespace {

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(LogLevel, WarnDropsInfoLinesAndAReloadChangesIt) {
  std::string dir = temp_dir();
  int dead = free_port();  // nothing listens: each request logs an error
  std::string base = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n";
  std::string rest = "[pools.app]\nbackends = [\"127.0.0.1:" + std::to_string(dead) + "\"]\nretries = 0\n"
                     "[[routes]]\nname = \"all\"\nforward = \"app\"\n";
  Gateway gw(dir, base + rest);
  Client bad(gw.port);
  ASSERT_TRUE(bad.send("GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  ASSERT_TRUE(bad.read());
  ASSERT_TRUE(wait_until([&] { return count_of(gw.proc->log(), "refused request from") == 1; })) << gw.proc->log();

  // The same config at "warn", on the port it already has.
  std::string cfg = read_file(dir + "/cutover.toml");
  cfg.replace(cfg.find("\n") + 1, 0, "log_level = \"warn\"\n");
  write_file(dir + "/cutover.toml", cfg);
  gw.proc->kill(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return gw.proc->log().find("reloaded") != std::string::npos; })) << gw.proc->log();
  Client again(gw.port);
  ASSERT_TRUE(again.send("GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  ASSERT_TRUE(again.read());
  auto r = fetch(gw.port, "GET", "/y");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);  // the dead backend could not take it
  ASSERT_TRUE(wait_until([&] { return gw.proc->log().find("for GET /y") != std::string::npos; })) << gw.proc->log();
  std::string log = gw.proc->log();
  EXPECT_EQ(count_of(log, "refused request from"), 1u) << log;  // the info line is not written any more
  EXPECT_NE(log.find("[error] backend 127.0.0.1:" + std::to_string(dead)), std::string::npos) << log;
}

}  // namespace
