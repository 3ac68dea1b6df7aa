#include "auth/credential_files.h"

#include <gtest/gtest.h>

namespace cutover::auth {
namespace {

TEST(CredentialFiles, CostClassSeparatesSchemeAndCost) {
  EXPECT_EQ(cost_class("$2y$05$oy7.LFBWjHbyc.XLWzyCwe1HGcb7OMx5xb/FE1z9MOdvVrUbSnHoS"), "$2y$05");
  EXPECT_EQ(cost_class("$2y$12$oy7.LFBWjHbyc.XLWzyCwe1HGcb7OMx5xb/FE1z9MOdvVrUbSnHoS"), "$2y$12");
  EXPECT_EQ(cost_class("$apr1$salt$hash"), "$apr1$");
  EXPECT_EQ(cost_class("$6$rounds=9000$salt$hash"), "$6$rounds=9000");
  EXPECT_EQ(cost_class("$6$salt$hash"), "$6$");
  EXPECT_EQ(cost_class("{SHA}abc="), "{SHA}");
  EXPECT_EQ(cost_class("ab01FAX.bQRSU"), "des");
}

// An unknown user is checked against a hash like most of the file's: with apr1 entries, an
// apr1 hash (microseconds), not bcrypt (milliseconds), so a wrong name is not told apart
// from a wrong password by its time.
TEST(CredentialFiles, TheStandInIsOfTheFilesCommonestKind) {
  std::map<std::string, std::string> users{{"a", "$apr1$x$1"}, {"b", "$2y$05$abc"}, {"c", "$apr1$y$2"}, {"d", "$apr1$z$3"}};
  EXPECT_EQ(cost_class(stand_in_hash(users)), "$apr1$");
  std::map<std::string, std::string> strong{{"a", "$2y$12$q"}, {"b", "$2y$12$r"}, {"c", "$2y$05$s"}};
  EXPECT_EQ(cost_class(stand_in_hash(strong)), "$2y$12");
  EXPECT_EQ(stand_in_hash({}), "");
}

}  // namespace
}  // namespace cutover::auth
