// Scenario: FastCGI backends that misbehave, faked byte by byte: an HTTP server on the
// FastCGI port (garbage: 502 and a log line naming the backend), END_REQUEST with
// OVERLOADED (the next backend is tried; alone: 503), and a stream cut after the head (the
// client's response is cut, so it can tell). The gateway keeps serving the real app.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "harness.h"

using namespace e2e;

namespace {

// A FastCGI record as an app sends it (request id 1, no padding).
std::string record(int type, const std::string& content) {
  std::string r{1, char(type), 0, 1, char(content.size() >> 8), char(content.size() & 0xff), 0, 0};
  return r + content;
}
std::string end_request(int protocol_status) { return record(3, std::string{0, 0, 0, 0, char(protocol_status), 0, 0, 0}); }

std::string config(const std::string& fake, const std::string& app) {
  return "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n\n"
         "[pools.bad]\nprotocol = \"fastcgi\"\nbackends = [\"" + fake + "\"]\nretries = 0\nmax_fails = 0\n\n"
         "[pools.both]\nprotocol = \"fastcgi\"\nbalancer = \"first\"\nbackends = [\"" + fake + "\", \"" + app + "\"]\nmax_fails = 0\n\n"
         "[pools.good]\nprotocol = \"fastcgi\"\nbackends = [\"" + app + "\"]\n\n"
         "[[routes]]\nname = \"bad\"\nmatch = { prefix = \"/bad\" }\nforward = \"bad\"\n\n"
         "[[routes]]\nname = \"both\"\nmatch = { prefix = \"/both\" }\nforward = \"both\"\n\n"
         "[[routes]]\nname = \"good\"\nforward = \"good\"\n";
}

TEST(FcgiBadBackend, GarbageIs502WithTheBackendNamed) {
  std::string dir = temp_dir();
  FcgiApp app(dir);
  ScriptedBackend http_server([](const std::string&, int) { return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"); }, true);
  Gateway gw(dir, config(http_server.address(), app.address()));
  auto r = fetch(gw.port, "GET", "/bad/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(r->body.find("hi"), std::string::npos);
  EXPECT_NE(gw.proc->log().find("backend " + http_server.address() + " (pool bad): bad response: not a FastCGI record"),
            std::string::npos)
      << gw.proc->log();
  auto ok = fetch(gw.port, "GET", "/hello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(FcgiBadBackend, OverloadedMovesOnOrIs503) {
  std::string dir = temp_dir();
  FcgiApp app(dir);
  ScriptedBackend busy([](const std::string&, int) { return end_request(2); }, true);  // FCGI_OVERLOADED
  Gateway gw(dir, config(busy.address(), app.address()));
  auto moved = fetch(gw.port, "GET", "/both/hello");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->status, 200);
  EXPECT_NE(moved->body.find("hello from legacy"), std::string::npos);
  EXPECT_GE(busy.requests(), 1);
  auto alone = fetch(gw.port, "GET", "/bad/hello");
  ASSERT_TRUE(alone);
  EXPECT_EQ(alone->status, 503);
  EXPECT_NE(gw.proc->log().find("(pool bad): backend overloaded"), std::string::npos) << gw.proc->log();
}

TEST(FcgiBadBackend, StreamCutAfterTheHeadCutsTheClientsResponse) {
  std::string dir = temp_dir();
  FcgiApp app(dir);
  ScriptedBackend cut([](const std::string&, int fd) {
    std::string part = record(6, "Content-Type: text/plain\r\n\r\nthe first half of");
    ::send(fd, part.data(), part.size(), MSG_NOSIGNAL);
    return std::string("<close>");
  }, true);
  Gateway gw(dir, config(cut.address(), app.address()));
  Client c(gw.port);
  ASSERT_TRUE(c.send("GET /bad/x HTTP/1.1\r\nHost: h\r\n\r\n"));
  std::string all = c.read_all(std::chrono::seconds(5));
  EXPECT_NE(all.find("HTTP/1.1 200"), std::string::npos) << all;
  EXPECT_NE(all.find("the first half of"), std::string::npos) << all;
  EXPECT_EQ(all.find("\r\n0\r\n\r\n"), std::string::npos) << "a cut response must not look complete:\n" << all;
  EXPECT_NE(gw.proc->log().find("connection closed before END_REQUEST"), std::string::npos) << gw.proc->log();
  EXPECT_EQ(fetch(gw.port, "GET", "/hello")->status, 200);
}

}  // namespace
