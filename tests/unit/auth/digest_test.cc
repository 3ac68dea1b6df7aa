#include "auth/digest.h"

#include <gtest/gtest.h>

namespace cutover::auth {
namespace {

// RFC 7616 3.9.1's example, for both algorithms, and RFC 2617 3.5's.
TEST(Digest, TheRfcExamplesGiveTheirResponses) {
  DigestParams p;
  p.username = "Mufasa";
  p.realm = "http-auth@example.org";
  p.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  p.uri = "/dir/index.html";
  p.qop = "auth";
  p.nc = "00000001";
  p.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  DigestFacts md5{DigestAlgorithm::md5, false, "Mufasa"}, sha{DigestAlgorithm::sha256, false, "Mufasa"};
  EXPECT_EQ(digest_response(p, md5, digest_ha1(DigestAlgorithm::md5, "Mufasa", *p.realm, "Circle of Life"), "GET"),
            "8ca523f5e9506fed4657c9700eebdbec");
  EXPECT_EQ(digest_response(p, sha, digest_ha1(DigestAlgorithm::sha256, "Mufasa", *p.realm, "Circle of Life"), "GET"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  p.realm = "testrealm@host.com";
  p.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  p.cnonce = "0a4f113b";
  EXPECT_EQ(digest_response(p, md5, digest_ha1(DigestAlgorithm::md5, "Mufasa", *p.realm, "Circle Of Life"), "GET"),
            "6629fae49393a05397450978507c4ef1");
}

// lighttpd's reading: whitespace around '=', quoted and bare values, unknown keys skipped,
// the scheme without case.
TEST(Digest, ParametersAreReadAsLighttpdReadsThem) {
  auto p = parse_digest(R"(digest username = "jan", realm="download archiv", nonce=abc, uri="/x?y=1", qop = auth, nc=00000001, )"
                        R"(cnonce="65ee1b37", algorithm = "md5", opaque="zz", response="049b")");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->username, "jan");
  EXPECT_EQ(p->realm, "download archiv");
  EXPECT_EQ(p->nonce, "abc");
  EXPECT_EQ(p->uri, "/x?y=1");
  EXPECT_EQ(p->qop, "auth");
  EXPECT_EQ(p->nc, "00000001");
  EXPECT_EQ(p->algorithm, "md5");
  EXPECT_EQ(p->response, "049b");
  EXPECT_FALSE(parse_digest("Basic amFuOmphbg=="));
  // "noncecount" is not "nc"; an unterminated quote ends the reading.
  auto q = parse_digest(R"(Digest username="jan", qop=auth, noncecount=00000001, cnonce="x)");
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->nc);
  EXPECT_FALSE(q->cnonce);
}

DigestParams good() {
  DigestParams p;
  p.username = "jan";
  p.realm = "R";
  p.nonce = "n";
  p.uri = "/a";
  p.qop = "auth";
  p.nc = "00000001";
  p.cnonce = "c";
  p.response = std::string(32, 'a');
  return p;
}

// What lighttpd 1.4.69 answers 400 (a field missing or invalid) and what 401.
TEST(Digest, MalformedIs400AndAWrongRealmOrAlgorithm401) {
  DigestRequest rq{"GET", "/a", "R", uint8_t(DigestAlgorithm::md5)};
  DigestFacts f;
  EXPECT_EQ(check_digest_params(good(), rq, f), DigestCheck::ok);
  EXPECT_EQ(f.user, "jan");
  auto with = [&](auto change) {
    DigestParams p = good();
    change(p);
    DigestFacts g;
    return check_digest_params(p, rq, g);
  };
  EXPECT_EQ(with([](DigestParams& p) { p.nc.reset(); }), DigestCheck::malformed);       // qop needs nc
  EXPECT_EQ(with([](DigestParams& p) { p.cnonce.reset(); }), DigestCheck::malformed);   // and cnonce
  EXPECT_EQ(with([](DigestParams& p) { p.response.reset(); }), DigestCheck::malformed);
  EXPECT_EQ(with([](DigestParams& p) { p.userstar = "utf-8''jan"; }), DigestCheck::malformed);  // both names
  EXPECT_EQ(with([](DigestParams& p) { p.realm = "jan"; }), DigestCheck::unauthorized);
  EXPECT_EQ(with([](DigestParams& p) { p.algorithm = "SHA-256"; }), DigestCheck::unauthorized);  // not offered
  EXPECT_EQ(with([](DigestParams& p) { p.algorithm = "rot13"; }), DigestCheck::unauthorized);
  EXPECT_EQ(with([](DigestParams& p) { p.response = "xyz"; }), DigestCheck::malformed);
  EXPECT_EQ(with([](DigestParams& p) { p.qop = "auth-int"; }), DigestCheck::malformed);
  EXPECT_EQ(with([](DigestParams& p) { p.uri = "/b"; }), DigestCheck::malformed);  // signed for another target
  EXPECT_EQ(with([](DigestParams& p) {
              p.qop.reset();
              p.nc.reset();
              p.cnonce.reset();
            }),
            DigestCheck::ok);  // RFC 2069 style: no qop
  EXPECT_EQ(with([](DigestParams& p) {
              p.qop.reset();
              p.cnonce.reset();
              p.algorithm = "MD5-sess";
            }),
            DigestCheck::malformed);  // -sess needs cnonce
  EXPECT_EQ(with([](DigestParams& p) {
              p.username.reset();
              p.userstar = "UTF-8''j%C3%A4n";
            }),
            DigestCheck::ok);
}

// A nonce is ours (keyed) and fresh for ten minutes; older, from the future, altered, for
// another algorithm or from another secret: stale (the client signs again).
TEST(Digest, NoncesCarryTheirTimeAndAMac) {
  std::string n = make_nonce(1000, 0xdeadbeef, "secret", DigestAlgorithm::md5);
  EXPECT_TRUE(nonce_fresh(n, 1000, "secret", DigestAlgorithm::md5));
  EXPECT_TRUE(nonce_fresh(n, 1600, "secret", DigestAlgorithm::md5));
  EXPECT_FALSE(nonce_fresh(n, 1601, "secret", DigestAlgorithm::md5));
  EXPECT_FALSE(nonce_fresh(n, 999, "secret", DigestAlgorithm::md5));
  EXPECT_FALSE(nonce_fresh(n, 1000, "other", DigestAlgorithm::md5));
  EXPECT_FALSE(nonce_fresh(n, 1000, "secret", DigestAlgorithm::sha256));
  std::string altered = n;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(nonce_fresh(altered, 1000, "secret", DigestAlgorithm::md5));
  EXPECT_FALSE(nonce_fresh(make_nonce(1001, 0xdeadbeef, "secret", DigestAlgorithm::md5).replace(0, 3, "3e8"), 1000, "secret",
                           DigestAlgorithm::md5));  // a moved timestamp
  EXPECT_FALSE(nonce_fresh("b3b26457000000003a9b34a3cd56d26e48a52a498ac9765d4b", 1000, "secret", DigestAlgorithm::md5));
  EXPECT_FALSE(nonce_fresh("", 1000, "secret", DigestAlgorithm::md5));
}

TEST(Digest, TheChallengeIsWordedAsLighttpdWordsIt) {
  EXPECT_EQ(digest_challenge("download archiv", "N", DigestAlgorithm::md5, false),
            "Digest realm=\"download archiv\", charset=\"UTF-8\", algorithm=MD5, nonce=\"N\", qop=\"auth\"");
  EXPECT_EQ(digest_challenge("r", "N", DigestAlgorithm::sha256, true),
            "Digest realm=\"r\", charset=\"UTF-8\", algorithm=SHA-256, nonce=\"N\", qop=\"auth\", stale=true");
}

}  // namespace
}  // namespace cutover::auth
