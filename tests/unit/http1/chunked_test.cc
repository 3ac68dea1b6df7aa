#include "http1/chunked.h"

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
