// `cutover explain` says what the backends will receive: checked against what the real
// app.cgi and example worker do receive for the same URLs.
#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

std::string value_after(const std::string& text, const std::string& key) {
  size_t p = text.find(key);
  if (p == std::string::npos) return "(missing)";
  size_t end = text.find('\n', p);
  return text.substr(p + key.size(), end - p - key.size());
}

// The legacy app on FastCGI under /app, rolled out to the worker with the prefix stripped;
// `rewrites` and `rollout` add lines to the config.
std::string app_config(const std::string& dir, const FcgiApp& app, const Worker& w, const std::string& rewrites,
                       const std::string& rollout) {
  return "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\ndocument_root = \"" + dir + "\"\n" + rewrites +
         "[pools.legacy]\nprotocol = \"fastcgi\"\nbackends = [\"" + app.address() + "\"]\n"
         "[pools.warp]\nbackends = [\"" + w.address() + "\"]\n"
         "[[routes]]\nname = \"app\"\nmatch = { prefix = \"/app\" }\nforward = \"legacy\"\n"
         "fastcgi = { key = \"/app\" }\n"
         "[routes.rollout]\nto = \"warp\"\npath = \"stripped\"\n" + rollout;
}

TEST(Explain, TellsWhatTheFastcgiAppAndTheNewSideReceive) {
  std::string dir = temp_dir();
  FcgiApp app(dir);
  Worker w(dir, "new");
  std::string cfg = app_config(dir, app, w, "[[rewrite]]\nmatch = \"^/old/(.*)\"\nto = \"/app/$1\"\n", "");
  Gateway gw(dir, cfg);
  for (const std::string url : {"/app/env?x=1", "/old/env?y=2"}) {
    auto [code, out] = run_cutover(dir, {"explain", "-c", dir + "/cutover.toml", url});
    ASSERT_EQ(code, 0) << out;
    auto r = fetch(gw.port, "GET", url);
    ASSERT_TRUE(r);
    for (const char* var : {"SCRIPT_NAME", "PATH_INFO", "REQUEST_URI", "QUERY_STRING"}) {
      std::string said = value_after(out, std::string(var) + std::string(16 - std::string(var).size(), ' '));
      std::string got = value_after(r->body, std::string(var) + "=");
      EXPECT_EQ(said, "\"" + got + "\"") << url << " " << var << "\n" << out << "\n" << r->body;
    }
    EXPECT_NE(out.find("request:    GET /env?"), std::string::npos) << out;
    EXPECT_NE(out.find("X-Forwarded-Prefix: /app"), std::string::npos) << out;
  }
  // And the new side, once the route is there, gets exactly that target.
  std::string cfg_new = cfg;
  cfg_new.replace(cfg_new.find("path = \"stripped\""), 17, "path = \"stripped\"\nstage = \"new\"");
  Gateway gw2(temp_dir(), cfg_new);
  auto r = fetch(gw2.port, "GET", "/old/echo?y=2");
  ASSERT_TRUE(r);
  auto echo = parse_echo(r->body);
  EXPECT_EQ(echo.find("target")->second, "/echo?y=2");
  auto [code, out] = run_cutover(dir, {"explain", "-c", dir + "/cutover.toml", "/old/echo?y=2"});
  EXPECT_NE(out.find("request:    GET /echo?y=2"), std::string::npos) << out;
}

// At a canary, explain names the side each user lands on, by the session's own choice: 20
// users by their sticky header, explained and then served.
TEST(Explain, NamesTheSideOfEachUserAtACanary) {
  std::string dir = temp_dir();
  FcgiApp app(dir);
  Worker w(dir, "new");
  std::string cfg = app_config(dir, app, w, "", "stage = \"canary\"\npercent = 50\nsticky = \"header:X-User\"\n");
  Gateway gw(dir, cfg);
  int on_new = 0;
  for (int user = 0; user < 20; ++user) {
    std::string field = "X-User: u" + std::to_string(user);
    auto [code, out] = run_cutover(dir, {"explain", "-c", dir + "/cutover.toml", "--header", field, "/app/echo"});
    ASSERT_EQ(code, 0) << out;
    bool said_new = out.find("  this user:  the new side") != std::string::npos;
    EXPECT_TRUE(said_new || out.find("  this user:  the legacy side") != std::string::npos) << out;
    auto r = fetch(gw.port, "GET", "/app/echo", "", {field});
    ASSERT_TRUE(r);
    bool served_new = r->body.rfind("worker: new", 0) == 0 || r->body.find("\nworker: new") != std::string::npos ||
                      parse_echo(r->body).count("target") > 0;
    EXPECT_EQ(said_new, served_new) << field << "\n" << out << "\n" << r->body.substr(0, 200);
    on_new += served_new;
  }
  EXPECT_GT(on_new, 0);   // both sides were exercised
  EXPECT_LT(on_new, 20);
}

}  // namespace
}  // namespace e2e
