// Scenario: what `cutover migrate` cannot translate yet is denied, never served more openly
// than lighttpd would. The real lighttpd 1.4.69 runs a config with CGI scripts, an auth area
// nested in a host block (translated: it answers 401 as lighttpd does) and a FastCGI
// authorizer; cutover runs its translation. Wherever lighttpd refuses (401/403/404) cutover
// refuses too; a script's source is never sent; the governed paths get 403; everything else
// answers as lighttpd does. migrate exits 3
// (partial), 0 with --allow-partial.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "harness.h"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

struct Ask {
  std::string target, host;
  int cutover_status;  // what cutover must answer (0: the same as lighttpd)
};

TEST(MigrateFailClosed, WhatIsNotTranslatedIsDeniedNeverServedOpen) {
  std::string dir = temp_dir();
  for (const char* d : {"/www", "/www/admin", "/www/private"}) ::mkdir((dir + d).c_str(), 0755);
  const std::string script = "#!/usr/bin/env perl\nprint \"Content-Type: text/plain\\n\\nran\\n\";\n";
  write_file(dir + "/www/cgi.pl", script);
  ::chmod((dir + "/www/cgi.pl").c_str(), 0755);
  write_file(dir + "/www/admin/index.html", "admin area\n");
  write_file(dir + "/www/private/doc.txt", "private\n");
  write_file(dir + "/www/index.html", "public\n");
  write_file(dir + "/htpasswd", "demo:$apr1$Hs8Ivd9E$2Dc3Qf9W0rqWv3V0p2mUG.\n");
  int lport = free_port();
  std::string conf =
      "server.modules = (\"mod_auth\", \"mod_authn_file\", \"mod_cgi\", \"mod_fastcgi\")\n"
      "server.document-root = \"" + dir + "/www\"\nserver.bind = \"127.0.0.1\"\nserver.port = " + std::to_string(lport) + "\n"
      "server.errorlog = \"" + dir + "/lighttpd.err\"\nindex-file.names = (\"index.html\")\n"
      "cgi.assign = (\".pl\" => \"/usr/bin/perl\")\n"
      "auth.backend = \"htpasswd\"\nauth.backend.htpasswd.userfile = \"" + dir + "/htpasswd\"\n"
      "$HTTP[\"host\"] == \"shop.example\" {\n  $HTTP[\"url\"] =^ \"/admin\" {\n"
      "    auth.require = ( \"/admin\" => ( \"method\" => \"basic\", \"realm\" => \"shop\", \"require\" => \"valid-user\" ) )\n  }\n}\n"
      "fastcgi.server = ( \"/private/\" => (( \"host\" => \"127.0.0.1\", \"port\" => " + std::to_string(free_port()) +
      ", \"mode\" => \"authorizer\", \"docroot\" => \"" + dir + "/www\" )) )\n";
  write_file(dir + "/lighttpd.conf", conf);

  auto partial = run_cutover(dir, {"migrate", dir + "/lighttpd.conf", "-o", dir + "/cutover.toml"});
  EXPECT_EQ(partial.first, 3) << partial.second;
  EXPECT_NE(partial.second.find("cgi.assign: fail closed: what it governed (*.pl) is denied (403)"), std::string::npos)
      << partial.second;
  auto allowed = run_cutover(dir, {"migrate", dir + "/lighttpd.conf", "--allow-partial", "-o", dir + "/cutover.toml"});
  EXPECT_EQ(allowed.first, 0) << allowed.second;
  std::string toml = read_file(dir + "/cutover.toml");
  size_t l = toml.find("listen = [");
  ASSERT_NE(l, std::string::npos) << toml;
  toml.replace(l, toml.find('\n', l) - l, "listen = [\"127.0.0.1:{{PORT}}\"]");

  Process lighttpd({"/usr/sbin/lighttpd", "-D", "-f", dir + "/lighttpd.conf"}, dir + "/lighttpd.log");
  ASSERT_TRUE(wait_until([&] { return Client(lport).connected(); })) << lighttpd.log();
  Gateway gw(dir, toml);

  const Ask asks[] = {
      {"/cgi.pl", "127.0.0.1", 403},           // lighttpd runs it; cutover cannot: denied, never the source
      {"/cgi.pl?x=1", "shop.example", 403},
      {"/admin/", "shop.example", 0},          // the nested auth area: 401 from both
      {"/admin/index.html", "SHOP.example:80", 0},
      {"/admin/", "127.0.0.1", 0},             // no auth on other hosts: served by both
      {"/private/doc.txt", "127.0.0.1", 403},  // behind the authorizer
      {"/index.html", "127.0.0.1", 0},
      {"/", "shop.example", 0},
      {"/missing", "127.0.0.1", 0},
  };
  for (const Ask& a : asks) {
    std::vector<std::string> host = {"Host: " + a.host};
    auto lt = fetch(lport, "GET", a.target, "", host);
    auto co = fetch(gw.port, "GET", a.target, "", host);
    ASSERT_TRUE(lt && co) << a.target;
    std::string what = a.target + " (Host " + a.host + "): lighttpd " + std::to_string(lt->status) + ", cutover " +
                       std::to_string(co->status);
    if (a.cutover_status) {
      EXPECT_EQ(co->status, a.cutover_status) << what;
    } else {
      EXPECT_EQ(co->status, lt->status) << what;
    }
    if (lt->status == 401 || lt->status == 403 || lt->status == 404) {
      EXPECT_GE(co->status, 400) << "served what lighttpd refused: " << what;
    }
    EXPECT_EQ(co->body.find("#!/usr/bin/env perl"), std::string::npos) << "a script's source was sent: " << what;
  }
}

}  // namespace
