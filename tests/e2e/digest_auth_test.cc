// Digest auth areas (RFC 7616, as lighttpd's mod_auth answers it) signed by a real client
// (curl --digest), over a plain and an htdigest user file, with the user handed on to the
// backend; what is malformed gets 400, an old nonce 401 stale=true; and the status pages
// (lighttpd's mod_status) behind them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "harness.h"

namespace e2e {
namespace {

struct Site {
  std::string dir = temp_dir();
  ScriptedBackend backend{[](const std::string& head, int) {
    size_t a = head.find("X-Remote-User: ");
    std::string user = a == std::string::npos ? "-" : head.substr(a + 15, head.find("\r\n", a) - a - 15);
    std::string body = "user " + user + "\n";
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }};
  Site() {
    write_file(dir + "/users", "jan:jan\nann:secret\n");
    // htdigest's format: MD5("ann:staff:secret") (`printf 'ann:staff:secret' | md5sum`).
    write_file(dir + "/htdigest", "ann:staff:a80c15c2a74f331ae181a22970c6d746\nann:other:00000000000000000000000000000000\n");
  }
  std::string config() const {
    return "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nremote_user_header = \"X-Remote-User\"\n"
           "[pools.app]\nbackends = [\"" + backend.address() + "\"]\n"
           "[[routes]]\nname = \"status\"\nmatch = { prefix = \"/server-status\" }\nstatus_page = \"status\"\n"
           "[[routes]]\nname = \"app\"\nmatch = { prefix = \"/\" }\nforward = \"app\"\n"
           "[[auth]]\nprefix = \"/private\"\nrealm = \"download archiv\"\nscheme = \"digest\"\nplain = \"" + dir + "/users\"\n"
           "require = \"user=jan|host=192.168.2.10\"\n"
           "[[auth]]\nprefix = \"/staff\"\nrealm = \"staff\"\nscheme = \"digest\"\nhtdigest = \"" + dir + "/htdigest\"\n"
           "[[auth]]\nprefix = \"/server-status\"\nrealm = \"staff\"\nhtdigest = \"" + dir + "/htdigest\"\n"
           "max_failures = 1000\n";
  }
};

std::pair<int, std::string> curl(const Site& s, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"curl", "-s", "-o", "-", "-w", "\n%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(s.dir, argv);
}

TEST(DigestAuth, CurlSignsInAndTheBackendGetsTheUser) {
  Site s;
  Gateway gw(s.dir, s.config());
  std::string base = "http://127.0.0.1:" + std::to_string(gw.port);
  auto [c1, ok] = curl(s, {"--digest", "-u", "jan:jan", base + "/private/a?x=1"});
  EXPECT_EQ(ok, "user jan\n\n200");
  auto [c2, wrong] = curl(s, {"--digest", "-u", "jan:jam", base + "/private/a"});
  EXPECT_EQ(wrong.substr(wrong.size() - 3), "401") << wrong;
  auto [c3, other] = curl(s, {"--digest", "-u", "ann:secret", base + "/private/a"});  // not in require
  EXPECT_EQ(other.substr(other.size() - 3), "401") << other;
  auto [c4, htd] = curl(s, {"--digest", "-u", "ann:secret", base + "/staff/x"});
  EXPECT_EQ(htd, "user ann\n\n200");
  auto [c5, open] = curl(s, {base + "/open"});
  EXPECT_EQ(open, "user -\n\n200");

  auto none = fetch(gw.port, "GET", "/private/a");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->header("WWW-Authenticate").rfind("Digest realm=\"download archiv\", charset=\"UTF-8\", algorithm=MD5, nonce=\"", 0), 0u)
      << none->header("WWW-Authenticate");
  EXPECT_EQ(none->body.find("user"), std::string::npos);
  // lighttpd's own test requests (request.t): a nonce not made here is stale; qop without
  // nc is malformed; a Basic field on a Digest area is asked to sign.
  auto stale = fetch(gw.port, "GET", "/private/a", "",
                     {"Authorization: Digest username=\"jan\", realm=\"download archiv\", nonce=\"b3b26457000000003a9b34a3cd56d26e48a52a498ac9765d4b\", "
                      "uri=\"/private/a\", qop=auth, nc=00000001, cnonce=\"65ee1b37\", algorithm=\"md5\", response=\"049b000fb00ab51dddea6f093a96aa2e\""});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 401);
  EXPECT_NE(stale->header("WWW-Authenticate").find(", stale=true"), std::string::npos) << stale->header("WWW-Authenticate");
  auto bad = fetch(gw.port, "GET", "/private/a", "",
                   {"Authorization: Digest username=\"jan\", realm=\"download archiv\", nonce=\"x\", uri=\"/private/a\", qop=auth, "
                    "noncecount=00000001\", cnonce=\"036F\", response=\"29B32C2953C763C6D033C8A49983B87E\""});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto realm = fetch(gw.port, "GET", "/private/a", "",
                     {"Authorization: Digest username=\"jan\", realm=\"jan\", nonce=\"9a5428ccc05b086a08d918e73b01fc6f\", uri=\"/private/a\", "
                      "response=\"ea5f7d9a30b8b762f9610ccb87dea74f\""});
  EXPECT_EQ(realm->status, 401);
  auto basic = fetch(gw.port, "GET", "/private/a", "", {basic_auth_field("jan", "jan")});
  EXPECT_EQ(basic->status, 401);
  EXPECT_EQ(basic->header("WWW-Authenticate").rfind("Digest ", 0), 0u);
}

TEST(DigestAuth, StatusPagesBehindBasicOverAnHtdigestFile) {
  Site s;
  Gateway gw(s.dir, s.config());
  ASSERT_TRUE(fetch(gw.port, "GET", "/open"));
  auto none = fetch(gw.port, "GET", "/server-status?auto");
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->header("WWW-Authenticate"), "Basic realm=\"staff\", charset=\"UTF-8\"");
  auto broken = fetch(gw.port, "GET", "/server-status?auto", "", {"Authorization: Basic ="});
  EXPECT_EQ(broken->status, 400);  // as lighttpd: a Basic field that does not decode
  auto page = fetch(gw.port, "GET", "/server-status?auto", "", {basic_auth_field("ann", "secret")});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_NE(page->body.find("Total Accesses: "), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("\nUptime: "), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("\nBusyServers: "), std::string::npos) << page->body;
  auto json = fetch(gw.port, "GET", "/server-status?json", "", {basic_auth_field("ann", "secret")});
  EXPECT_EQ(json->header("Content-Type"), "application/json");
  EXPECT_NE(json->body.find("\"RequestsTotal\":"), std::string::npos) << json->body;
  auto html = fetch(gw.port, "GET", "/server-status", "", {basic_auth_field("ann", "secret")});
  EXPECT_EQ(html->header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(html->body.find("<td>" + s.backend.address() + "</td>"), std::string::npos) << html->body;
  EXPECT_EQ(fetch(gw.port, "GET", "/server-status", "", {basic_auth_field("ann", "wrong")})->status, 401);
}

}  // namespace
}  // namespace e2e
