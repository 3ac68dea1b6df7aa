// Scenario: server.server_tag (lighttpd's server.tag) is the Server field of every answer
// that has none — cutover's own (404, a redirect) and a backend's without one — while a
// backend's own Server is passed on; a [[headers]] rule's server_tag replaces it where the
// rule matches (server.tag inside a lighttpd block); without the key no Server is added.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

TEST(ServerTag, AddedWhereTheAnswerHasNoneAndReplacedByARule) {
  ScriptedBackend backend([](const std::string& head, int) {
    if (head.find("GET /own") == 0) return std::string("HTTP/1.1 200 OK\r\nServer: app/2\r\nContent-Length: 2\r\n\r\nok");
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  std::string dir = temp_dir();
  std::string routes = "[[routes]]\nname = \"moved\"\nmatch = { prefix = \"/moved\" }\nredirect = { to = \"/new\", code = 301 }\n"
                       "[[routes]]\nname = \"app\"\nmatch = { prefix = \"/\", unless_regex = [\"^/missing\"] }\nforward = \"app\"\n";
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nserver_tag = \"lighttpd-1.4.x\"\n[pools.app]\nbackends = [\"" +
                      backend.address() + "\"]\n" + routes +
                      "[[headers]]\nmatch = { prefix = \"/special\" }\nserver_tag = \"special tag\"\n");
  auto tag = [&](const std::string& path) {
    auto r = fetch(gw.port, "GET", path);
    EXPECT_TRUE(r) << path;
    if (!r) return std::string("?");
    EXPECT_LE(r->count("Server"), 1u) << path;
    return r->header("Server");
  };
  EXPECT_EQ(tag("/plain"), "lighttpd-1.4.x") << "a backend's answer without Server";
  EXPECT_EQ(tag("/own"), "app/2") << "a backend's own Server is kept";
  EXPECT_EQ(tag("/missing"), "lighttpd-1.4.x") << "cutover's own 404";
  EXPECT_EQ(tag("/moved"), "lighttpd-1.4.x") << "a redirect";
  EXPECT_EQ(tag("/special/x"), "special tag") << "a [[headers]] rule's server_tag";

  std::string dir2 = temp_dir();
  Gateway plain(dir2, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n[pools.app]\nbackends = [\"" + backend.address() + "\"]\n" + routes);
  auto r = fetch(plain.port, "GET", "/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->count("Server"), 0u) << "no server_tag: no Server field added";
}

}  // namespace
