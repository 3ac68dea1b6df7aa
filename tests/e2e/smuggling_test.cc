// Scenario: requests that could be smuggled or are malformed get 400 (505 for an unknown
// version) from cutover and nothing of them reaches the backend.
#include <gtest/gtest.h>

#include "harness.h"

using namespace e2e;

namespace {

struct Case {
  const char* name;
  std::string raw;
  int status;
};

TEST(Smuggling, RefusedRequestsNeverReachTheBackend) {
  ScriptedBackend backend([](const std::string&, int) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  std::string dir = temp_dir();
  Gateway gw(dir, one_pool_config({backend.address()}));
  const Case cases[] = {
      {"cl_and_te", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX", 400},
      {"differing_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
      {"signed_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc", 400},
      {"non_numeric_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3a\r\n\r\nabc", 400},
      {"te_listed", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400},
      {"te_obfuscated", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n", 400},
      {"te_tab_prefix", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\tchunked\r\nTransfer-Encoding: x\r\n\r\n", 400},
      {"space_before_colon", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 3\r\n\r\nabc", 400},
      {"obs_fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  folded\r\n\r\n", 400},
      {"nul_in_value", std::string("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n", 37), 400},
      {"cr_in_value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", 400},
      {"two_hosts", "GET / HTTP/1.1\r\nHost: h\r\nHost: evil\r\n\r\n", 400},
      {"no_host", "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n", 400},
      {"bad_chunk_size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400},
      {"overflowing_chunk_size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400},
      {"http2_version", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
      {"garbage", "\x16\x03\x01\x02\xfc\x03\x03 garbage\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    Client cl(gw.port);
    ASSERT_TRUE(cl.send(c.raw)) << c.name;
    auto r = cl.read();
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(r->status, c.status) << c.name;
  }
  std::string got = backend.received();
  // Nothing reached the backend: the head of a request with a broken chunked body is held
  // back until its first body bytes have been read and checked.
  EXPECT_EQ(got, "");
  EXPECT_EQ(backend.requests(), 0);
  // The gateway still serves normal requests.
  auto ok = fetch(gw.port, "GET", "/");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "ok");
}

}  // namespace
