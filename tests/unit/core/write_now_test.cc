#include "core/write_now.h"

#include <gtest/gtest.h>

#include <boost/asio/local/connect_pair.hpp>
#include <string>

namespace cutover {
namespace {

TEST(WriteNow, DropFrontSkipsTheWrittenPrefixAcrossBuffers) {
  std::string a = "head", b = "body!";
  std::array<asio::const_buffer, 2> bufs{asio::buffer(a), asio::buffer(b)};
  drop_front(bufs, 2);
  EXPECT_EQ(bufs[0].size(), 2u);
  EXPECT_EQ(static_cast<const char*>(bufs[0].data()), a.data() + 2);
  EXPECT_EQ(bufs[1].size(), 5u);
  drop_front(bufs, 3);  // the rest of a and one byte of b
  EXPECT_EQ(bufs[0].size(), 0u);
  EXPECT_EQ(bufs[1].size(), 4u);
  EXPECT_EQ(static_cast<const char*>(bufs[1].data()), b.data() + 1);
  drop_front(bufs, 4);
  EXPECT_EQ(asio::buffer_size(bufs), 0u);
}

// A full send buffer returns what went out, without blocking and without an error; what
// was sent arrives in order.
TEST(WriteNow, StopsAtAFullSocketWithoutWaiting) {
  asio::io_context io;
  asio::local::stream_protocol::socket tx(io), rx(io);
  asio::local::connect_pair(tx, rx);
  tx.non_blocking(true);
  std::string chunk(64 * 1024, 'x');
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = char('a' + i % 26);
  size_t total = 0;
  bool short_write = false;
  for (int i = 0; i < 1000 && !short_write; ++i) {
    std::array<asio::const_buffer, 2> bufs{asio::buffer(chunk.data(), 100), asio::buffer(chunk.data() + 100, chunk.size() - 100)};
    error_code ec;
    size_t n = write_now(tx, bufs, ec);
    ASSERT_FALSE(ec) << ec.message();
    total += n;
    short_write = n < chunk.size();
  }
  EXPECT_TRUE(short_write);  // the socket filled up, and write_now did not wait for it
  // Nothing to send is no write at all.
  error_code ec;
  std::array<asio::const_buffer, 1> none{asio::const_buffer()};
  EXPECT_EQ(write_now(tx, none, ec), 0u);
  EXPECT_FALSE(ec);
  // The bytes arrive in order.
  std::string got(4096, '\0');
  size_t n = rx.read_some(asio::buffer(got));
  ASSERT_GT(n, 0u);
  EXPECT_EQ(got.substr(0, n), chunk.substr(0, n));
  // A closed peer is an error, not a short write.
  rx.close();
  std::array<asio::const_buffer, 1> one{asio::buffer(chunk.data(), 10)};
  size_t tries = 0;
  while (!ec && tries++ < 10) write_now(tx, one, ec);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace cutover
