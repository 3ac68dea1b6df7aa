// Scenario: a second cutover on an address another process already listens on refuses to
// start (SO_REUSEPORT would otherwise have the kernel split the clients between the two),
// with the error docs/operations.md promises; the first keeps serving every request.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

TEST(PortInUse, ASecondProcessOnTheSameAddressRefusesToStart) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway first(dir, one_pool_config({w.address()}));
  std::string cfg = one_pool_config({w.address()});
  cfg.replace(cfg.find("{{PORT}}"), 8, std::to_string(first.port));
  write_file(dir + "/second.toml", cfg);
  Process second({CUTOVER_BIN, "serve", "-c", dir + "/second.toml"}, dir + "/second.log");
  EXPECT_EQ(second.wait_exit(std::chrono::seconds(10)), 1) << second.log();
  EXPECT_NE(second.log().find("cannot listen on 127.0.0.1:" + std::to_string(first.port) + ": Address already in use"),
            std::string::npos)
      << second.log();
  for (int i = 0; i < 12; ++i) {
    auto r = fetch(first.port, "GET", "/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << i;
  }
}

}  // namespace
