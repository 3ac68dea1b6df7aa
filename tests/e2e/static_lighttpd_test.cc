// Differential: Debian's lighttpd 1.4 and cutover serve the same directory (and the same
// htpasswd file); the same requests must get the same statuses and bodies, and each
// server's own validators must behave the same way.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

std::string auth_field(const std::string& user_pw) {
  size_t colon = user_pw.find(':');
  return basic_auth_field(user_pw.substr(0, colon), user_pw.substr(colon + 1));
}

struct Lighttpd {
  std::unique_ptr<Process> proc;
  int port = free_port();
  Lighttpd(const std::string& dir, const std::string& www, const std::string& htpasswd) {
    write_file(dir + "/lighttpd.conf",
               "server.document-root = \"" + www + "\"\nserver.bind = \"127.0.0.1\"\nserver.port = " +
                   std::to_string(port) + "\nserver.errorlog = \"" + dir + "/lighttpd.err\"\n"
                   "server.modules = (\"mod_auth\", \"mod_authn_file\")\n"
                   "index-file.names = (\"index.html\")\nstatic-file.exclude-extensions = (\".php\")\n"
                   "mimetype.assign = (\".txt\" => \"text/plain; charset=utf-8\", \".html\" => \"text/html; charset=utf-8\", "
                   "\".bin\" => \"application/octet-stream\")\n"
                   "auth.backend = \"htpasswd\"\nauth.backend.htpasswd.userfile = \"" + htpasswd + "\"\n"
                   "auth.require = (\"/private\" => (\"method\" => \"basic\", \"realm\" => \"r\", \"require\" => \"valid-user\"))\n");
    proc = std::make_unique<Process>(std::vector<std::string>{"/usr/sbin/lighttpd", "-D", "-f", dir + "/lighttpd.conf"},
                                     dir + "/lighttpd.log");
    if (wait_until([&] { return Client(port).connected(); }, 5000)) return;
    ADD_FAILURE() << "lighttpd did not start: " << read_file(dir + "/lighttpd.log") << read_file(dir + "/lighttpd.err");
  }
};

std::optional<Response> get(int port, const std::string& target, std::vector<std::string> fields = {},
                            const std::string& method = "GET") {
  Client c(port);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (auto& f : fields) req += f + "\r\n";
  if (!c.send(req + "\r\n")) return std::nullopt;
  return c.read(method == "HEAD");
}

TEST(StaticVsLighttpd, SameStatusesBodiesAndValidatorSemantics) {
  std::string dir = temp_dir(), www = dir + "/www";
  for (const char* d : {"/www", "/www/sub", "/www/private", "/www/empty"}) ::mkdir((dir + d).c_str(), 0755);
  write_file(www + "/a.txt", "hello, static world\n");
  write_file(www + "/sub/index.html", "<p>index</p>\n");
  write_file(www + "/x.php", "<?php echo 1; ?>\n");
  write_file(www + "/private/p.txt", "private\n");
  std::string big(300000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char('a' + (i * 7 + i / 13) % 26);
  write_file(www + "/big.bin", big);
  std::string htpasswd = dir + "/htpasswd";
  ASSERT_EQ(run_program(dir, {"htpasswd", "-bc", "-m", htpasswd, "apr", "pw1"}).first, 0);
  ASSERT_EQ(run_program(dir, {"htpasswd", "-b", "-B", htpasswd, "bc", "pw2"}).first, 0);
  ASSERT_EQ(run_program(dir, {"htpasswd", "-b", "-s", htpasswd, "sh", "pw3"}).first, 0);

  Lighttpd l(dir, www, htpasswd);
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n"
                  "[[routes]]\nname = \"site\"\nmatch = { prefix = \"/\" }\n"
                  "static = { root = \"" + www + "\", index = [\"index.html\"], exclude_extensions = [\".php\"] }\n"
                  "[[auth]]\nprefix = \"/private\"\nrealm = \"r\"\nhtpasswd = \"" + htpasswd + "\"\n");

  struct Case {
    std::string target;
    std::vector<std::string> fields;
    std::string method = "GET";
    bool same_body = true;  // error pages differ in wording: compared for 2xx only
  };
  // Decided differences, checked as such (docs/migrating-from-lighttpd.md):
  //  - "/a.txt/": lighttpd serves a.txt (the rest as path info); cutover answers 404, as
  //    nginx and Apache do, so relative links never resolve against a file.
  //  - 416: cutover adds "Content-Range: bytes */size" (RFC 9110 §15.5.17); lighttpd none.
  //  - several ranges: lighttpd may merge nearby ranges into one; cutover sends each.

  const std::vector<Case> cases = {
      {"/a.txt", {}}, {"/a.txt?q=1", {}}, {"/big.bin", {}}, {"/missing.txt", {}}, {"/sub/", {}},
      {"/sub/index.html", {}}, {"/x.php", {}}, {"/empty/", {}},
      {"/a.txt", {"Range: bytes=0-4"}}, {"/a.txt", {"Range: bytes=-6"}}, {"/a.txt", {"Range: bytes=7-"}},
      {"/big.bin", {"Range: bytes=100000-100099"}}, {"/a.txt", {"Range: bytes=100-200"}},
      {"/a.txt", {"Range: bytes=0-0,-1"}, "GET", false},  // multipart: boundaries differ
      {"/a.txt", {"Range: chars=0-4"}}, {"/a.txt", {"If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT"}},
      {"/a.txt", {"If-None-Match: \"nope\""}}, {"/a.txt", {}, "HEAD"},
      {"/private/p.txt", {}}, {"/private/p.txt", {auth_field("apr:pw1")}}, {"/private/p.txt", {auth_field("bc:pw2")}},
      {"/private/p.txt", {auth_field("sh:pw3")}}, {"/private/p.txt", {auth_field("apr:bad")}},
      {"/private/p.txt", {auth_field("nobody:pw1")}},
  };
  ASSERT_GE(cases.size(), 20u);
  for (const Case& c : cases) {
    auto a = get(l.port, c.target, c.fields, c.method);
    auto b = get(gw.port, c.target, c.fields, c.method);
    ASSERT_TRUE(a && b) << c.target;
    std::string what = c.method + " " + c.target + (c.fields.empty() ? "" : " [" + c.fields[0] + "]");
    EXPECT_EQ(b->status, a->status) << what << "\nlighttpd: " << a->body << "\ncutover: " << b->body;
    if (c.same_body && a->status / 100 == 2) {
      EXPECT_TRUE(a->body == b->body) << what;
    }
    if (a->status == 206 && c.same_body) {
      EXPECT_EQ(b->header("Content-Range"), a->header("Content-Range")) << what << " (cutover first, lighttpd second)";
    }
    if (a->status == 200 && c.method == "GET") {
      EXPECT_EQ(b->header("Last-Modified"), a->header("Last-Modified")) << what;
      EXPECT_EQ(b->header("Content-Type"), a->header("Content-Type")) << what;
      EXPECT_EQ(b->header("Content-Length"), a->header("Content-Length")) << what;
    }
    if (a->status == 301) {
      EXPECT_EQ(b->header("Location").substr(b->header("Location").rfind('/', b->header("Location").size() - 2)),
                a->header("Location").substr(a->header("Location").rfind('/', a->header("Location").size() - 2)));
    }
    if (a->status == 401) {
      EXPECT_FALSE(b->header("WWW-Authenticate").empty());
    }
  }
  auto slash_l = get(l.port, "/a.txt/"), slash_c = get(gw.port, "/a.txt/");
  EXPECT_EQ(slash_l->status, 200);
  EXPECT_EQ(slash_c->status, 404);
  auto r416 = get(gw.port, "/a.txt", {"Range: bytes=100-200"});
  EXPECT_EQ(r416->header("Content-Range"), "bytes */20");
  // Each server's own validators: the same answers to the same conditional requests.
  for (int port : {l.port, gw.port}) {
    auto first = get(port, "/a.txt");
    ASSERT_TRUE(first);
    std::string etag = first->header("ETag"), lm = first->header("Last-Modified");
    ASSERT_FALSE(etag.empty()) << port;
    const std::vector<std::pair<std::vector<std::string>, int>> conditional = {
        {{"If-None-Match: " + etag}, 304},
        {{"If-Modified-Since: " + lm}, 304},
        {{"If-None-Match: \"other\"", "If-Modified-Since: " + lm}, 200},
        {{"Range: bytes=0-4", "If-Range: " + etag}, 206},
        {{"Range: bytes=0-4", "If-Range: \"other\""}, 200},
    };
    for (auto& [fields, want] : conditional) {
      auto r = get(port, "/a.txt", fields);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, want) << (port == l.port ? "lighttpd " : "cutover ") << fields[0];
    }
  }
  // Redirect of a directory without its slash: both send the client to "/sub/".
  auto a = get(l.port, "/sub"), b = get(gw.port, "/sub");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->status, 301);
  EXPECT_EQ(b->status, 301);
  EXPECT_NE(a->header("Location").find("/sub/"), std::string::npos);
  EXPECT_EQ(b->header("Location"), "/sub/");
}

}  // namespace
}  // namespace e2e
