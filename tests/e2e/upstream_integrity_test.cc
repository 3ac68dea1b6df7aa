// Scenario: a malicious or broken backend cannot make cutover hand one client's answer to
// another, nor run a POST twice. Bytes a backend sends after a complete answer (a body to
// HEAD, 204 or 304, a whole second response, even 100 ms later) retire that connection and
// are logged; a POST whose kept connection the backend closes after reading it gets 502 and
// reached the backend once; an answer with two Content-Lengths is 502, not a retry that ends
// in "no backend".
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

std::string target_of(const std::string& head) {
  std::string t = head.substr(head.find(' ') + 1);
  return t.substr(0, t.find(' '));
}

void send_all(int fd, const std::string& s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

// One thread, so the second request takes the connection the first left idle.
std::string one_thread(const std::string& backend) {
  return one_pool_config({backend}, "retries = 0\n", "threads = 1\n");
}

TEST(UpstreamIntegrity, LateBytesAfterAnAnswerNeverReachTheNextClient) {
  // The first answer (to HEAD, or a 204, or a 304) is complete; 100 ms later the backend
  // writes a whole response that nobody asked for, on the same connection.
  for (std::string first : {"HEAD /evil/extra-late", "GET /evil/204-late", "GET /evil/304-late"}) {
    std::atomic<bool> stray_sent{false};
    ScriptedBackend backend([&](const std::string& head, int fd) {
      std::string t = target_of(head);
      if (t.rfind("/evil/", 0) == 0) {
        std::string head = t == "/evil/204-late"   ? "204 No Content\r\n"
                           : t == "/evil/304-late" ? "304 Not Modified\r\n"
                                                   : "200 OK\r\nContent-Length: 8\r\n";  // to HEAD: no body follows
        send_all(fd, "HTTP/1.1 " + head + "\r\n");
        pace(std::chrono::milliseconds(100));  // the stray answer comes a moment after the real one
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nPOISONED");
        stray_sent = true;
        return std::string();
      }
      return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(t.size()) + "\r\n\r\n" + t;
    });
    std::string dir = temp_dir();
    Gateway gw(dir, one_thread(backend.address()));
    Client c(gw.port);
    ASSERT_TRUE(c.send(first + " HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto r1 = c.read(first.rfind("HEAD", 0) == 0);
    ASSERT_TRUE(r1) << first;
    ASSERT_TRUE(wait_until([&] { return stray_sent.load(); }));
    auto r2 = fetch(gw.port, "GET", "/user-b");
    ASSERT_TRUE(r2) << first;
    EXPECT_EQ(r2->status, 200) << first;
    EXPECT_EQ(r2->body, "/user-b") << first << ": another request's bytes were served";
    EXPECT_EQ(backend.connections(), 2) << first << ": the poisoned connection was reused";
    EXPECT_NE(gw.proc->log().find("protocol error: 46 bytes after its complete answer (while idle)"), std::string::npos)
        << first << "\n" << gw.proc->log();
  }
}

// Extra bytes that arrive together with the answer (a 204 with a body) are seen at once.
TEST(UpstreamIntegrity, BytesPastTheAnswerInTheSameReadRetireTheConnection) {
  ScriptedBackend backend([&](const std::string& head, int) {
    std::string t = target_of(head);
    if (t == "/evil/204-body") return std::string("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nPOISONED");
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(t.size()) + "\r\n\r\n" + t;
  });
  std::string dir = temp_dir();
  Gateway gw(dir, one_thread(backend.address()));
  auto r1 = fetch(gw.port, "GET", "/evil/204-body");
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 204);
  auto r2 = fetch(gw.port, "GET", "/user-b");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "/user-b");
  EXPECT_NE(gw.proc->log().find("bytes after its complete answer (204 to GET /evil/204-body)"), std::string::npos)
      << gw.proc->log();
}

TEST(UpstreamIntegrity, APostIsNeverSentTwice) {
  std::atomic<int> posts{0};
  ScriptedBackend backend([&](const std::string& head, int) {
    if (head.rfind("POST", 0) == 0) {
      ++posts;
      return std::string("<close>");  // read it (it may have run), then close without answering
    }
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nwarm");
  });
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}, "", "threads = 1\n"));
  Client c(gw.port);
  ASSERT_TRUE(c.send("GET /warm HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(c.read());
  ASSERT_TRUE(c.send("POST /evil/close-after-read HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\namount=10"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(posts.load(), 1) << "the backend ran the POST more than once";
  // An idempotent request in the same spot is repeated on a fresh connection: it is safe.
}

TEST(UpstreamIntegrity, TwoContentLengthsAre502NotNoBackend) {
  ScriptedBackend backend([&](const std::string&, int) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nhello");
  });
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}));
  auto r = fetch(gw.port, "GET", "/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(gw.proc->log().find("no backend available"), std::string::npos) << gw.proc->log();
}

// A chunked body that turns malformed within what has arrived is refused before any of it
// goes on: the backend never sees the good prefix of a body the client gets a 400 for.
TEST(UpstreamIntegrity, ABadChunkedBodyNeverReachesTheBackendInPart) {
  ScriptedBackend backend([&](const std::string&, int) { return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); });
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}));
  Client c(gw.port);
  ASSERT_TRUE(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\nZZ\r\nworld\r\n0\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(backend.received().find("hello"), std::string::npos) << backend.received();
  EXPECT_EQ(fetch(gw.port, "GET", "/after")->status, 200);
}

}  // namespace
