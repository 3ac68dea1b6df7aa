#include "auth/password.h"

#include <crypt.h>
#include <gtest/gtest.h>

namespace cutover::auth {
namespace {

// Made with Debian's htpasswd (apache2-utils) for the password below: -B, -2, -5, -m, -s, -d.
const char* kPassword = "pa:ss w\xc3\xb6rd";
const char* kHashes[] = {
    "$2y$05$bbrS/aLD0yXkAtrrqTy3DuyNeNHCyKHesNOyTSNPIJXIYmwDtkNTW",
    "$5$S.FP2Tbbnq8G.HuS$zikVY977LrWUsJhv6We0XuLklegm4YJv3cY1YUtmJt3",
    "$6$JGjZYM/R2xGVzqXk$9COxUd6E6IPYlQzaMGx2DoWb8.MrAz5yAQjkzEOTZpZJtEHGnU1Y2ZruiwNv7Tlim9Muw5wof6a08FayGWvio0",
    "$apr1$KBwem0IM$Qe9xdOWq1lMslejbaq9FN0",
    "{SHA}cRQ3iPZN/cUFUyAxdC91S5hcXvA=",
};

TEST(Password, EveryHtpasswdKindAcceptsTheRightPasswordOnly) {
  for (const char* h : kHashes) {
    EXPECT_NE(hash_kind(h), HashKind::unknown) << h;
    EXPECT_TRUE(verify_password(h, kPassword)) << h;
    EXPECT_FALSE(verify_password(h, "pa:ss word")) << h;
    EXPECT_FALSE(verify_password(h, "")) << h;
  }
  EXPECT_TRUE(verify_password("XqZH4spvlQS0.", "secret"));  // htpasswd -d (DES crypt)
  EXPECT_FALSE(verify_password("XqZH4spvlQS0.", "secreT"));
}

TEST(Password, UnknownOrBrokenHashesNeverMatch) {
  EXPECT_FALSE(verify_password("plaintext", "plaintext"));
  EXPECT_FALSE(verify_password("$apr1$nodollar", "x"));
  EXPECT_FALSE(verify_password("$2y$05$short", "x"));
  EXPECT_FALSE(verify_password("", ""));
}

TEST(Password, Md5CryptMatchesLibcrypt) {
  // The same algorithm with "$1$" must agree with libcrypt's MD5 crypt.
  for (const char* pw : {"", "a", "password", "a much longer password than sixteen bytes"}) {
    crypt_data d{};
    std::string ours = md5_crypt(pw, "saltsalt", "$1$");
    const char* theirs = crypt_r(pw, "$1$saltsalt$", &d);
    ASSERT_NE(theirs, nullptr);
    EXPECT_EQ(ours, theirs) << pw;
  }
}

TEST(Password, Base64RoundTrip) {
  for (std::string s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"), std::string("abcd"), std::string("\xff\x00\x10", 3)}) {
    std::string back;
    ASSERT_TRUE(base64_decode(base64_encode(s), back));
    EXPECT_EQ(back, s);
  }
  std::string out;
  EXPECT_FALSE(base64_decode("ab$c", out));
  EXPECT_FALSE(base64_decode("YQ==YQ", out));
  EXPECT_FALSE(base64_decode("YQ===", out));  // three pads
  EXPECT_FALSE(base64_decode(" YQ==", out));  // OpenSSL alone would skip the blank
  EXPECT_FALSE(base64_decode("QUJDQ", out));  // a lone sextet
  ASSERT_TRUE(base64_decode("YWI", out));     // padding left out
  EXPECT_EQ(out, "ab");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\x10", 3)), "/wAQ");
}

TEST(Password, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace cutover::auth
