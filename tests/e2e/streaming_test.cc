// Scenario: large bodies stream through bounded buffers both ways; the gateway's RSS stays
// small while a 256 MiB body passes (the benchmark does 1 GiB).
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

constexpr size_t kBody = 256u << 20;

class Streaming : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = temp_dir();
    worker = std::make_unique<Worker>(dir);
    gw = std::make_unique<Gateway>(dir, one_pool_config({worker->address()}));
  }
  std::string dir;
  std::unique_ptr<Worker> worker;
  std::unique_ptr<Gateway> gw;
};

TEST_F(Streaming, LargeResponseWithBoundedMemory) {
  Client c(gw->port);
  size_t base = gw->proc->rss_kib();
  ASSERT_TRUE(c.send("GET /large?bytes=" + std::to_string(kBody) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
  // Read slowly at first, so that the gateway must apply back-pressure.
  pace(std::chrono::milliseconds(300));
  size_t peak = 0, total = 0;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
    if (n <= 0) break;
    total += size_t(n);
    if (total % (16u << 20) < sizeof buf) peak = std::max(peak, gw->proc->rss_kib());
    if (total >= kBody) break;  // head bytes make it slightly more; good enough
  }
  EXPECT_GE(total, kBody);
  EXPECT_GT(peak, 0u);
  EXPECT_LT(peak, base + kStreamingRssGrowthKiB) << "peak RSS " << peak << " KiB, " << base << " KiB before";
}

TEST_F(Streaming, LargeUploadWithBoundedMemory) {
  Client c(gw->port);
  size_t base = gw->proc->rss_kib();
  ASSERT_TRUE(c.send("POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(kBody) + "\r\n\r\n"));
  std::string block(1 << 20, 'u');
  size_t peak = 0;
  for (size_t sent = 0; sent < kBody; sent += block.size()) {
    ASSERT_TRUE(c.send(block));
    if (sent % (16u << 20) == 0) peak = std::max(peak, gw->proc->rss_kib());
  }
  auto r = c.read(false, std::chrono::seconds(60));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "received " + std::to_string(kBody) + " bytes\n");
  EXPECT_LT(peak, base + kStreamingRssGrowthKiB) << "peak RSS " << peak << " KiB, " << base << " KiB before";
}

TEST_F(Streaming, ChunkedUploadIsStreamed) {
  Client c(gw->port);
  ASSERT_TRUE(c.send("POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string piece(100000, 'c');
  char hex[16];
  snprintf(hex, sizeof hex, "%zx\r\n", piece.size());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(c.send(hex + piece + "\r\n"));
  ASSERT_TRUE(c.send("0\r\n\r\n"));
  auto r = c.read(false, std::chrono::seconds(30));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "received 10000000 bytes\n");
}

}  // namespace
