// Basic auth areas: every htpasswd hash kind (files made with Debian's htpasswd), the
// protected prefix with and without credentials, auth that no rewrite can route around,
// REMOTE_USER to FastCGI and the user header to HTTP backends, re-reading the file, and
// the per-IP limit on failed logins.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "harness.h"

namespace e2e {
namespace {

std::string basic(const std::string& user, const std::string& pw) { return basic_auth_field(user, pw); }

struct Area {
  std::string dir = temp_dir();
  std::string htpasswd = dir + "/htpasswd";
  Area() {
    ::mkdir((dir + "/www").c_str(), 0755);
    ::mkdir((dir + "/www/private").c_str(), 0755);
    write_file(dir + "/www/private/p.txt", "private page\n");
    write_file(dir + "/www/open.txt", "open page\n");
    // One user per hash kind, each made by Debian's htpasswd.
    const std::vector<std::pair<std::string, std::string>> kinds = {
        {"bcrypt", "-B"}, {"sha256", "-2"}, {"sha512", "-5"}, {"apr1", "-m"}, {"sha1", "-s"}};
    bool first = true;
    for (auto& [user, flag] : kinds) {
      std::vector<std::string> argv = {"htpasswd", "-b" + std::string(first ? "c" : ""), flag, htpasswd, user,
                                       "pw-" + user};
      auto [code, out] = run_program(dir, argv);
      EXPECT_EQ(code, 0) << out;
      first = false;
    }
    write_file(dir + "/groups", "staff: sha256 apr1\n");
  }
};

TEST(BasicAuth, EveryHtpasswdHashKindAndTheProtectedPrefix) {
  Area a;
  std::string text = read_file(a.htpasswd);
  for (const char* marker : {"bcrypt:$2y$", "sha256:$5$", "sha512:$6$", "apr1:$apr1$", "sha1:{SHA}"})
    ASSERT_NE(text.find(marker), std::string::npos) << marker << "\n" << text;
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n"
                    "[[routes]]\nname = \"site\"\nmatch = { prefix = \"/\" }\nstatic = { root = \"" + a.dir + "/www\" }\n"
                    "[[auth]]\nprefix = \"/private\"\nrealm = \"Staff only\"\nhtpasswd = \"" + a.htpasswd + "\"\n"
                    "max_failures = 100\n";
  Gateway gw(a.dir, cfg);
  auto open = fetch(gw.port, "GET", "/open.txt");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);
  auto none = fetch(gw.port, "GET", "/private/p.txt");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->header("WWW-Authenticate"), "Basic realm=\"Staff only\", charset=\"UTF-8\"");
  EXPECT_EQ(none->body.find("private page"), std::string::npos);
  for (const char* user : {"bcrypt", "sha256", "sha512", "apr1", "sha1"}) {
    auto ok = fetch(gw.port, "GET", "/private/p.txt", "", {basic(user, std::string("pw-") + user)});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << user;
    EXPECT_EQ(ok->body, "private page\n") << user;
    auto again = fetch(gw.port, "GET", "/private/p.txt", "", {basic(user, std::string("pw-") + user)});  // cached
    EXPECT_EQ(again->status, 200) << user;
    auto bad = fetch(gw.port, "GET", "/private/p.txt", "", {basic(user, "wrong")});
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 401) << user;
    EXPECT_EQ(bad->body.find("private page"), std::string::npos);
  }
  auto unknown = fetch(gw.port, "GET", "/private/p.txt", "", {basic("nobody", "pw-bcrypt")});
  EXPECT_EQ(unknown->status, 401);
  // Encoded and dotted spellings of the protected path are still protected.
  for (const char* t : {"/private/p.txt", "/%70rivate/p.txt", "/open/../private/p.txt", "//private//p.txt",
                        "/./private/p.txt", "/private%2fp.txt"}) {
    auto r = fetch(gw.port, "GET", t);
    ASSERT_TRUE(r) << t;
    EXPECT_EQ(r->status, 401) << t;
  }
  EXPECT_NE(gw.proc->log().find("auth: failed login to /private (realm \"Staff only\") from 127.0.0.1 user \"bcrypt\": wrong password"),
            std::string::npos);
}

TEST(BasicAuth, NoRewriteRoutesAroundItAndBackendsLearnTheUser) {
  Area a;
  FcgiApp app(a.dir);
  Worker w(a.dir);
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\ndocument_root = \"" + a.dir + "/www\"\n"
                    "remote_user_header = \"X-Remote-User\"\n"
                    "[[rewrite]]\nmatch = \"^/door/(.*)\"\nto = \"/private/$1\"\n"   // into the area
                    "[[rewrite]]\nmatch = \"^/admin/(.*)\"\nto = \"/app/$1\"\n"      // out of the area
                    "[pools.legacy]\nprotocol = \"fastcgi\"\nbackends = [\"" + app.address() + "\"]\n"
                    "[pools.warp]\nbackends = [\"" + w.address() + "\"]\n"
                    "[[routes]]\nname = \"app\"\nmatch = { prefix = \"/app\" }\nforward = \"legacy\"\n"
                    "[[routes]]\nname = \"new\"\nmatch = { prefix = \"/echo\" }\nforward = \"warp\"\n"
                    "[[routes]]\nname = \"site\"\nmatch = { prefix = \"/\" }\nstatic = { root = \"" + a.dir + "/www\" }\n"
                    "[[auth]]\nprefix = \"/private\"\nhtpasswd = \"" + a.htpasswd + "\"\n"
                    "[[auth]]\nprefix = \"/admin\"\nhtpasswd = \"" + a.htpasswd + "\"\ngroups = \"" + a.dir + "/groups\"\n"
                    "require = \"group=staff\"\n"
                    "[[auth]]\nprefix = \"/echo\"\nhtpasswd = \"" + a.htpasswd + "\"\nrequire = \"user=sha512\"\n";
  Gateway gw(a.dir, cfg);
  EXPECT_EQ(fetch(gw.port, "GET", "/door/p.txt")->status, 401);  // rewritten into the area
  EXPECT_EQ(fetch(gw.port, "GET", "/admin/env")->status, 401);   // rewritten out of it
  EXPECT_EQ(fetch(gw.port, "GET", "/door/p.txt", "", {basic("sha1", "pw-sha1")})->body, "private page\n");
  // group=staff: sha256 and apr1 are in it, bcrypt is not.
  EXPECT_EQ(fetch(gw.port, "GET", "/admin/env", "", {basic("bcrypt", "pw-bcrypt")})->status, 401);
  auto env = fetch(gw.port, "GET", "/admin/env", "", {basic("apr1", "pw-apr1")});
  ASSERT_TRUE(env);
  EXPECT_EQ(env->status, 200);
  EXPECT_NE(env->body.find("REMOTE_USER=apr1\n"), std::string::npos) << env->body;
  EXPECT_NE(env->body.find("AUTH_TYPE=Basic\n"), std::string::npos) << env->body;
  auto plain = fetch(gw.port, "GET", "/app/env");
  EXPECT_EQ(plain->body.find("REMOTE_USER="), std::string::npos);
  // HTTP backends: the configured header, and a client's own copy never passes.
  auto echo = fetch(gw.port, "GET", "/echo", "", {basic("sha512", "pw-sha512"), "X-Remote-User: admin"});
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->status, 200);
  auto fields = parse_echo(echo->body);
  std::vector<std::string> users;
  for (auto [it, end] = fields.equal_range("header:X-Remote-User"); it != end; ++it) users.push_back(it->second);
  EXPECT_EQ(users, (std::vector<std::string>{"sha512"})) << echo->body;
  EXPECT_EQ(fetch(gw.port, "GET", "/echo", "", {basic("sha256", "pw-sha256")})->status, 401);  // not user=sha512
}

TEST(BasicAuth, FileReReadAndFailedLoginsLimitedPerIp) {
  Area a;
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n"
                    "[[routes]]\nname = \"site\"\nmatch = { prefix = \"/\" }\nstatic = { root = \"" + a.dir + "/www\" }\n"
                    "[[auth]]\nprefix = \"/private\"\nhtpasswd = \"" + a.htpasswd + "\"\n"
                    "max_failures = 3\nfailure_window = \"1m\"\nblock_time = \"2s\"\n";
  Gateway gw(a.dir, cfg);
  EXPECT_EQ(fetch(gw.port, "GET", "/private/p.txt", "", {basic("carol", "new-pw")})->status, 401);
  auto [code, out] = run_program(a.dir, {"htpasswd", "-b", "-B", a.htpasswd, "carol", "new-pw"});
  ASSERT_EQ(code, 0) << out;
  // Re-read within a second or so of the change.
  EXPECT_TRUE(wait_until([&] { return fetch(gw.port, "GET", "/private/p.txt", "", {basic("carol", "new-pw")})->status == 200; }, 4000));
  EXPECT_TRUE(gw.proc->wait_for("re-read " + a.htpasswd, std::chrono::seconds(2)));
  // Three wrong passwords (the one above was before carol existed: counted too, so reset
  // by the success): then 429, even with the right password, until block_time passes.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(fetch(gw.port, "GET", "/private/p.txt", "", {basic("carol", "guess" + std::to_string(i))})->status, 401);
  auto blocked = fetch(gw.port, "GET", "/private/p.txt", "", {basic("carol", "new-pw")});
  EXPECT_EQ(blocked->status, 429);
  EXPECT_FALSE(blocked->header("Retry-After").empty());
  EXPECT_TRUE(gw.proc->wait_for("auth: 127.0.0.1 refused for 2000ms after 3 failed logins", std::chrono::seconds(2)));
  EXPECT_EQ(fetch(gw.port, "GET", "/open.txt")->status, 200);  // only the area is refused
  // Let in again once block_time has passed.
  EXPECT_TRUE(wait_until([&] { return fetch(gw.port, "GET", "/private/p.txt", "", {basic("carol", "new-pw")})->status == 200; }, 6000));
}

}  // namespace
}  // namespace e2e
