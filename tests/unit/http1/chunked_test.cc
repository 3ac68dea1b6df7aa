#include "http1/chunked.h"
#include "http1/parser.h"

#include <gtest/gtest.h>

using cutover::http1::ChunkedDecoder;

namespace {

// Feeds `wire` in pieces of `step` bytes; returns the body, or "ERROR".
std::string decode(std::string_view wire, size_t step, size_t* rest = nullptr) {
  ChunkedDecoder d;
  std::string body;
  size_t pos = 0;
  while (pos < wire.size()) {
    std::string_view in = wire.substr(pos, std::min(step, wire.size() - pos));
    size_t before = in.size();
    while (true) {
      std::string_view data;
      auto st = d.step(in, data);
      if (st == ChunkedDecoder::Status::error) return "ERROR";
      if (st == ChunkedDecoder::Status::data) {
        body.append(data);
        continue;
      }
      if (st == ChunkedDecoder::Status::done) {
        if (rest) *rest = wire.size() - (pos + (before - in.size()));
        return body;
      }
      break;
    }
    pos += before;
  }
  return d.done() ? body : "INCOMPLETE";
}

}  // namespace

TEST(ChunkedDecoder, DecodesInAnySplit) {
  std::string wire = "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n";
  for (size_t step : {1, 2, 3, 7, 1000}) EXPECT_EQ(decode(wire, step), "hello 0123456789") << step;
}

TEST(ChunkedDecoder, LeavesThePipelinedRestAlone) {
  size_t rest = 0;
  EXPECT_EQ(decode("3\r\nabc\r\n0\r\n\r\nGET /next", 1000, &rest), "abc");
  EXPECT_EQ(rest, 9u);
}

TEST(ChunkedDecoder, IncompleteWithoutLastChunk) {
  EXPECT_EQ(decode("3\r\nabc\r\n", 1000), "INCOMPLETE");
}

TEST(ChunkedDecoder, RefusesMalformedFraming) {
  for (const char* bad : {"g\r\nx\r\n0\r\n\r\n",              // not hex
                          "\r\n0\r\n\r\n",                      // no size
                          "1000000000000000\r\n",               // overflowing size
                          "3\r\nabcX\r\n0\r\n\r\n",             // data longer than size
                          "3\nabc\r\n0\r\n\r\n",                // bare LF after size
                          "3 \r\nabc\r\n0\r\n\r\n",             // whitespace after size
                          "-1\r\n",                             // signed
                          "0\r\n\r\x01"}) {                     // bad end
    EXPECT_EQ(decode(bad, 1000), "ERROR") << bad;
  }
}

// The trailer section is kept as it came, in any split, and read back as fields; those a
// trailer must not carry (framing, routing, auth, the content's metadata) are left out.
TEST(ChunkedDecoder, KeepsTheTrailersAndTheirFieldsAreFiltered) {
  std::string wire = "3\r\nabc\r\n0\r\nX-Checksum: sha256=ab\r\nContent-Length: 5\r\nHost: evil\r\nSet-Cookie: a=b\r\n"
                     "X_Remote_User: root\r\nGrpc-Status:  0 \r\n\r\n";
  for (size_t step : {1, 4, 1000}) {
    ChunkedDecoder d;
    std::string_view in = wire;
    std::string body;
    for (size_t off = 0; off < wire.size() && !d.done(); off += step) {
      std::string_view piece = in.substr(off, step), data;
      while (!piece.empty()) {
        auto st = d.step(piece, data);
        if (st == ChunkedDecoder::Status::data) body.append(data);
        if (st != ChunkedDecoder::Status::data) break;
      }
    }
    ASSERT_TRUE(d.done()) << step;
    EXPECT_EQ(body, "abc");
    EXPECT_EQ(d.trailer_text(), "X-Checksum: sha256=ab\r\nContent-Length: 5\r\nHost: evil\r\nSet-Cookie: a=b\r\n"
                                "X_Remote_User: root\r\nGrpc-Status:  0 \r\n");
    std::vector<cutover::http1::Field> f;
    ASSERT_TRUE(cutover::http1::parse_trailer_fields(d.trailer_text(), f));
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].name, "X-Checksum");
    EXPECT_EQ(f[0].value, "sha256=ab");
    EXPECT_EQ(f[1].name, "Grpc-Status");
    EXPECT_EQ(f[1].value, "0");
  }
  ChunkedDecoder none;
  std::string_view in = "0\r\n\r\n", data;
  EXPECT_EQ(none.step(in, data), ChunkedDecoder::Status::done);
  EXPECT_TRUE(none.trailer_text().empty());
}

TEST(ChunkedDecoder, AMalformedTrailerSectionIsDroppedWhole) {
  std::vector<cutover::http1::Field> f;
  for (const char* bad : {"No colon here\r\n", "Bad Name: x\r\n", "X-A: ok\r\n folded: y\r\n", "X-A: a\x01b\r\n"}) {
    EXPECT_FALSE(cutover::http1::parse_trailer_fields(bad, f)) << bad;
    EXPECT_TRUE(f.empty());
  }
  EXPECT_TRUE(cutover::http1::parse_trailer_fields("", f));
  EXPECT_TRUE(f.empty());
}
