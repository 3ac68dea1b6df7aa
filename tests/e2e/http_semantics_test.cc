// Scenario: HTTP/1.1 details between client, cutover and an example worker: chunked bodies
// both ways, Expect: 100-continue, and an Upgrade tunnel to a backend that speaks it.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "harness.h"

using namespace e2e;

namespace {

std::string config(const std::string& backend) { return one_pool_config({backend}); }

TEST(HttpSemantics, ChunkedRequestBodyReachesTheBackend) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, config(w.address()));
  Client c(gw.port);
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("body-length: 12\n\nhello, world"), std::string::npos) << r->body;
}

// A refused head is answered in the version its request line names when that is HTTP/1.0,
// as lighttpd answers (its request.t checks the status line of such answers).
TEST(HttpSemantics, ARefusedHttp10HeadIsAnsweredInHttp10) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, config(w.address()));
  for (const char* bad : {"GET / HTTP/1.0\r\nHost: h\r\nX-Folded: a\r\n b\r\n\r\n", "GET / HTTP/1.0\r\nBad Name: x\r\n\r\n"}) {
    Client c(gw.port);
    ASSERT_TRUE(c.send(bad));
    std::string all = c.read_all();
    EXPECT_EQ(all.rfind("HTTP/1.0 400 ", 0), 0u) << all;
  }
  Client c(gw.port);
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n"));
  std::string all = c.read_all();
  EXPECT_EQ(all.rfind("HTTP/1.1 400 ", 0), 0u) << all;
}

TEST(HttpSemantics, ChunkedResponseIsRelayedChunked) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, config(w.address()));
  auto r = fetch(gw.port, "GET", "/chunked?parts=4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r->body, "part 0\npart 1\npart 2\npart 3\n");
  // An HTTP/1.0 client gets the same body delimited by the connection's end.
  Client c(gw.port);
  ASSERT_TRUE(c.send("GET /chunked?parts=2 HTTP/1.0\r\n\r\n"));
  std::string all = c.read_all();
  EXPECT_EQ(all.find("Transfer-Encoding"), std::string::npos);
  EXPECT_NE(all.find("\r\n\r\npart 0\npart 1\n"), std::string::npos) << all;
}

TEST(HttpSemantics, ExpectContinueIsAnsweredBeforeTheBody) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, config(w.address()));
  Client c(gw.port);
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto interim = c.read(false, std::chrono::seconds(5));
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("ping"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("body-length: 4\n\nping"), std::string::npos);
  EXPECT_EQ(parse_echo(r->body).count("header:Expect"), 0u);
}

TEST(HttpSemantics, ExpectContinueWithoutARouteGetsTheAnswerAndNo100) {
  std::string dir = temp_dir();
  Worker w(dir);
  Gateway gw(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
[pools.app]
backends = [")toml" + w.address() + R"toml("]
[[routes]]
name = "only-api"
match = { prefix = "/api" }
forward = "app"
)toml");
  Client c(gw.port);
  ASSERT_TRUE(c.send("POST /other HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("Connection"), "close");  // the unsent body cannot be skipped
}

TEST(HttpSemantics, UpgradeIsTunnelled) {
  // A backend that switches protocols and then echoes bytes upper-cased.
  ScriptedBackend ws([](const std::string& head, int fd) -> std::string {
    if (head.find("Upgrade: websocket") == std::string::npos) return "HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n";
    std::string hello = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    ::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL);
    char buf[256];
    while (true) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i) buf[i] = char(toupper(buf[i]));
      ::send(fd, buf, size_t(n), MSG_NOSIGNAL);
    }
    return "<close>";
  });
  std::string dir = temp_dir();
  Gateway gw(dir, config(ws.address()));
  Client c(gw.port);
  ASSERT_TRUE(c.send("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
  auto r = c.read(true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 101);
  EXPECT_EQ(r->header("Upgrade"), "websocket");
  ASSERT_TRUE(c.send("hello tunnel"));
  std::string got;
  for (int i = 0; i < 50 && got.size() < 12; ++i) got += c.read_all(std::chrono::milliseconds(100));
  EXPECT_EQ(got, "HELLO TUNNEL");
}

}  // namespace
