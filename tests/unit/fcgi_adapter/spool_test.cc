#include "fcgi_adapter/spool.h"

#include <gtest/gtest.h>

namespace cutover::fcgi {
namespace {

std::string read_all(const Spool& s, size_t piece) {
  std::string out, buf, error;
  for (uint64_t off = 0;;) {
    std::string_view v = s.read(off, piece, buf, error);
    EXPECT_EQ(error, "");
    if (v.empty()) break;
    EXPECT_LE(v.size(), piece);
    out.append(v);
    off += v.size();
  }
  return out;
}

TEST(Spool, SmallBodiesStayInMemory) {
  Spool s(100, "/tmp");
  std::string error;
  ASSERT_TRUE(s.append("hello ", error));
  ASSERT_TRUE(s.append("world", error));
  EXPECT_FALSE(s.on_disk());
  EXPECT_EQ(s.size(), 11u);
  EXPECT_EQ(read_all(s, 4), "hello world");
}

TEST(Spool, LargerBodiesMoveToAnUnnamedFileWithTheirFirstBytes) {
  Spool s(10, "/tmp");
  std::string error, expect;
  for (int i = 0; i < 1000; ++i) {
    std::string piece = std::to_string(i) + ",";
    expect += piece;
    ASSERT_TRUE(s.append(piece, error)) << error;
  }
  EXPECT_TRUE(s.on_disk());
  EXPECT_EQ(s.size(), expect.size());
  EXPECT_EQ(read_all(s, 333), expect);
}

TEST(Spool, AMissingDirectoryIsAnErrorNotACrash) {
  Spool s(1, "/nonexistent-cutover-dir");
  std::string error;
  EXPECT_FALSE(s.append("too big", error));
  EXPECT_NE(error.find("/nonexistent-cutover-dir"), std::string::npos);
}

}  // namespace
}  // namespace cutover::fcgi
