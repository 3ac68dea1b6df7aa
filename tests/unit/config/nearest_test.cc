#include "config/nearest.h"

#include <gtest/gtest.h>

namespace cutover {
namespace {

TEST(NearestName, OneOrTwoEditsAwayIsATypoThreeIsNot) {
  std::vector<std::string> names = {"serve", "check", "status", "reload", "route"};
  EXPECT_EQ(nearest_name("serv", names), "serve");
  EXPECT_EQ(nearest_name("chekc", names), "check");   // a swap is two edits
  EXPECT_EQ(nearest_name("stats", names), "status");
  EXPECT_EQ(nearest_name("rute", names), "route");
  EXPECT_EQ(nearest_name("deploy", names), "");
  EXPECT_EQ(nearest_name("", names), "");
  EXPECT_EQ(nearest_name("x", {}), "");
}

}  // namespace
}  // namespace cutover
