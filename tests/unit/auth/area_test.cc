#include "auth/area.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace cutover::auth {
namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/cutover-area-XXXXXX";
    int fd = ::mkstemp(name);
    ::close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

AreaRules rules(const std::string& file, Scheme scheme, FileFormat format, const std::string& require = "valid-user") {
  AreaRules r;
  r.prefix = "/p";
  r.realm = "download archiv";
  r.htpasswd = file;
  r.scheme = scheme;
  r.format = format;
  r.nonce_secret = "fixed";
  std::string why;
  EXPECT_TRUE(parse_requirement(require, r.require, why)) << why;
  return r;
}

std::string nonce_of(const std::string& challenge) {
  size_t a = challenge.find("nonce=\"") + 7;
  return challenge.substr(a, challenge.find('"', a) - a);
}

std::string digest_field(const std::string& user, const std::string& password, const std::string& nonce, const std::string& uri,
                         const std::string& realm = "download archiv") {
  DigestParams p;
  p.username = user;
  p.realm = realm;
  p.nonce = nonce;
  p.uri = uri;
  p.qop = "auth";
  p.nc = "00000001";
  p.cnonce = "65ee1b37";
  DigestFacts f{DigestAlgorithm::md5, false, user};
  std::string resp = digest_response(p, f, digest_ha1(DigestAlgorithm::md5, user, realm, password), "GET");
  return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri +
         "\", qop=auth, nc=00000001, cnonce=\"65ee1b37\", response=\"" + resp + "\"";
}

TEST(Area, PlainFileUnderBasic) {
  TempFile users("jan:jan\nmd5:md5\n");
  Area area(rules(users.path, Scheme::basic, FileFormat::plain), [](const std::string&) {});
  std::string why, user;
  ASSERT_TRUE(area.load(why)) << why;
  EXPECT_EQ(area.check({"Basic amFuOmphbg==", "GET", "/p", 0}, user), Verdict::allowed);  // jan:jan
  EXPECT_EQ(user, "jan");
  EXPECT_EQ(area.check({"Basic bWQ1Om1kNA==", "GET", "/p", 0}, user), Verdict::wrong_password);  // md5:md4
  EXPECT_EQ(area.check({"Basic bm90Oml0Cg==", "GET", "/p", 0}, user), Verdict::unknown_user);
  EXPECT_EQ(area.check({"Basic =", "GET", "/p", 0}, user), Verdict::malformed);           // lighttpd: 400
  EXPECT_EQ(area.check({"Basic \x80mFuOmphb", "GET", "/p", 0}, user), Verdict::malformed);
  EXPECT_EQ(area.check({"Basic amFu", "GET", "/p", 0}, user), Verdict::malformed);        // "jan": no ':'
  EXPECT_EQ(area.check({"Digest username=\"jan\"", "GET", "/p", 0}, user), Verdict::no_credentials);  // another scheme: 401
  EXPECT_EQ(area.challenges(0, false), std::vector<std::string>{"Basic realm=\"download archiv\", charset=\"UTF-8\""});
}

TEST(Area, HtdigestFileUnderBasicKeepsItsRealmsLines) {
  // jan's line for our realm (MD5 of "jan:download archiv:jan"); another realm's is ignored.
  std::string ha1 = digest_ha1(DigestAlgorithm::md5, "jan", "download archiv", "jan");
  TempFile users("jan:download archiv:" + ha1 + "\nbob:other:" + digest_ha1(DigestAlgorithm::md5, "bob", "other", "bob") + "\n");
  Area area(rules(users.path, Scheme::basic, FileFormat::htdigest), [](const std::string&) {});
  std::string why, user;
  ASSERT_TRUE(area.load(why)) << why;
  EXPECT_EQ(area.check({"Basic amFuOmphbg==", "GET", "/p", 0}, user), Verdict::allowed);
  EXPECT_EQ(area.check({"Basic Ym9iOmJvYg==", "GET", "/p", 0}, user), Verdict::unknown_user);  // bob:bob
}

TEST(Area, DigestSignedWithTheChallengesNonce) {
  TempFile users("jan:jan\n");
  Area area(rules(users.path, Scheme::digest, FileFormat::plain, "user=jan|host=192.168.2.10"), [](const std::string&) {});
  std::string why, user;
  ASSERT_TRUE(area.load(why)) << why;
  int64_t now = 5'000'000;
  std::vector<std::string> ch = area.challenges(now, false);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].rfind("Digest realm=\"download archiv\", charset=\"UTF-8\", algorithm=MD5, nonce=\"", 0), 0u) << ch[0];
  std::string nonce = nonce_of(ch[0]);
  std::string field = digest_field("jan", "jan", nonce, "/p/status");
  EXPECT_EQ(area.cached({field, "GET", "/p/status", now}, user), std::nullopt);  // never from the cache
  EXPECT_EQ(area.check({field, "GET", "/p/status", now + 1000}, user), Verdict::allowed);
  EXPECT_EQ(user, "jan");
  EXPECT_EQ(area.check({field, "GET", "/p/other", now}, user), Verdict::malformed);  // signed for another target
  EXPECT_EQ(area.check({field, "GET", "/p/status", now + 601'000}, user), Verdict::stale);
  EXPECT_EQ(area.check({digest_field("jan", "jam", nonce, "/p/status"), "GET", "/p/status", now}, user), Verdict::wrong_password);
  EXPECT_EQ(area.check({digest_field("bob", "jan", nonce, "/p/status"), "GET", "/p/status", now}, user), Verdict::unknown_user);
  EXPECT_EQ(area.check({digest_field("jan", "jan", nonce, "/p/status", "jan"), "GET", "/p/status", now}, user), Verdict::no_credentials);
  // A nonce this area did not make (lighttpd's own, or another process's): stale.
  std::string theirs = digest_field("jan", "jan", "b3b26457000000003a9b34a3cd56d26e48a52a498ac9765d4b", "/p/status");
  EXPECT_EQ(area.check({theirs, "GET", "/p/status", now}, user), Verdict::stale);
  EXPECT_NE(area.challenges(now, true)[0].find(", stale=true"), std::string::npos);
}

TEST(Area, DigestRequirementAdmitsOnlyItsUsers) {
  TempFile users("jan:jan\nann:ann\n");
  Area area(rules(users.path, Scheme::digest, FileFormat::plain, "user=jan"), [](const std::string&) {});
  std::string why, user;
  ASSERT_TRUE(area.load(why)) << why;
  std::string nonce = nonce_of(area.challenges(0, false)[0]);
  EXPECT_EQ(area.check({digest_field("ann", "ann", nonce, "/p"), "GET", "/p", 0}, user), Verdict::not_permitted);
  EXPECT_EQ(area.check({digest_field("jan", "jan", nonce, "/p"), "GET", "/p", 0}, user), Verdict::allowed);
}

}  // namespace
}  // namespace cutover::auth
