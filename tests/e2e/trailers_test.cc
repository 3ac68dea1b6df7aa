// Scenario: trailers cross the gateway both ways, as fields after a chunked body (the
// downstream seam carries them: BodySource::trailers, ResponseSink::trailers). A client's
// trailers reach an HTTP backend in the last chunk where the pool says request_trailers
// (some servers refuse any: off by default), a backend's reach a chunked HTTP/1.1 client
// that sent TE: trailers; the fields a trailer must not carry (RFC 9110 6.5.1: framing,
// routing, auth, the content's own metadata) never cross, so a trailer can never act as a
// header; an HTTP/1.0 client, whose answer ends with the connection, gets the body alone.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <mutex>

#include "harness.h"

using namespace e2e;

namespace {

struct Seen {
  std::mutex mu;
  std::string request;  // the last request as the backend got it, head and body
};

// Answers once a whole request is in (its head, and for a chunked one the end of its
// trailer section): a chunked body with trailers, some of which must not pass.
ScriptedBackend::Responder trailing_backend(Seen& seen) {
  auto acc = std::make_shared<std::string>();
  return [&seen, acc](const std::string& bytes, int) -> std::string {
    acc->append(bytes);
    size_t head_end = acc->find("\r\n\r\n");
    if (head_end == std::string::npos) return "";
    bool chunked = acc->substr(0, head_end).find("chunked") != std::string::npos;
    if (chunked && acc->find("\r\n\r\n", head_end + 4) == std::string::npos) return "";
    {
      std::lock_guard<std::mutex> g(seen.mu);
      seen.request = *acc;
    }
    acc->clear();
    return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
           "5\r\nhello\r\n0\r\nX-Sum: 42\r\nContent-Length: 999\r\nSet-Cookie: s=1\r\n\r\n";
  };
}

TEST(Trailers, CrossTheGatewayBothWaysAndNeverActAsHeaders) {
  Seen seen;
  ScriptedBackend backend(trailing_backend(seen), true);
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}, "request_trailers = true\n"));
  Client c(gw.port);
  ASSERT_TRUE(c.send("POST /upload HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\n"
                     "Connection: close\r\n\r\n"
                     "5\r\nabcde\r\n0\r\nX-Checksum: sha256=abc\r\nHost: evil.example\r\nX_Remote_User: root\r\n\r\n"));
  std::string answer = c.read_all();
  std::string got;
  {
    std::lock_guard<std::mutex> g(seen.mu);
    got = seen.request;
  }
  // The backend got the body and the client's one permitted trailer, in the last chunk.
  EXPECT_NE(got.find("5\r\nabcde\r\n0\r\nX-Checksum: sha256=abc\r\n\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("evil.example"), std::string::npos) << got;
  EXPECT_EQ(got.find("X_Remote_User"), std::string::npos) << got;
  // The client got the body and the backend's permitted trailer after the last chunk.
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find("\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("Content-Length: 999"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("s=1"), std::string::npos) << answer;
}

// By default neither goes on: the pool does not say request_trailers, the client no TE.
TEST(Trailers, StayBehindUnlessThePoolAndTheClientTakeThem) {
  Seen seen;
  ScriptedBackend backend(trailing_backend(seen), true);
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}));
  Client c(gw.port);
  ASSERT_TRUE(c.send("POST /upload HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                     "5\r\nabcde\r\n0\r\nX-Checksum: sha256=abc\r\n\r\n"));
  std::string answer = c.read_all();
  std::string got;
  {
    std::lock_guard<std::mutex> g(seen.mu);
    got = seen.request;
  }
  EXPECT_NE(got.find("5\r\nabcde\r\n0\r\n\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("X-Checksum"), std::string::npos) << got;
  EXPECT_NE(answer.find("\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("X-Sum: 42"), std::string::npos) << answer;
}

TEST(Trailers, AnHttp10ClientGetsTheBodyWithoutThem) {
  Seen seen;
  ScriptedBackend backend(trailing_backend(seen), true);
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}));
  Client c(gw.port);
  ASSERT_TRUE(c.send("GET /page HTTP/1.0\r\nHost: app.example\r\nTE: trailers\r\n\r\n"));
  std::string answer = c.read_all();
  EXPECT_EQ(answer.rfind("HTTP/1.0 200", 0), 0u) << answer;
  size_t body = answer.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << answer;
  EXPECT_EQ(answer.substr(body + 4), "hello");
  EXPECT_EQ(answer.find("X-Sum: 42"), std::string::npos) << answer;
}

}  // namespace
