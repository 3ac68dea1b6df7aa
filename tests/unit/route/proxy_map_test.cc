// lighttpd 1.4's proxy.header maps (lighttpd-semantics.md §5.2).
#include "route/proxy_map.h"

#include <gtest/gtest.h>

using namespace cutover;

namespace {

ProxyMap urlpaths() {
  ProxyMap m;
  m.urlpath = {{"/map", "/mapped-root"}, {"/proxy/", "/"}, {"/app", "/v2/app"}};
  return m;
}

}  // namespace

TEST(ProxyMap, FirstBytePrefixInListOrderWins) {
  ProxyMap m = urlpaths();
  ProxyMapState st;
  EXPECT_EQ(map_request_target(m, "/mapx?q=1", st), "/mapped-rootx?q=1");  // a byte prefix, no segment rule
  EXPECT_EQ(st.urlpath, 0);
  st = {};
  EXPECT_EQ(map_request_target(m, "/proxy/a/b?x=%20", st), "/a/b?x=%20");
  EXPECT_EQ(st.urlpath, 1);
  st = {};
  EXPECT_FALSE(map_request_target(m, "/other", st));
  EXPECT_EQ(st.urlpath, -1);
}

TEST(ProxyMap, AnswersAreMappedBackByThePairTheRequestUsed) {
  ProxyMap m = urlpaths();
  ProxyMapState st;
  map_request_target(m, "/app/x", st);  // pair 2: "/v2/app" -> "/app"
  EXPECT_EQ(map_response_uri(m, "/v2/app/login", st), "/app/login");
  // Only the pair the request used: "/" would match anything.
  EXPECT_FALSE(map_response_uri(m, "/elsewhere", st));
  // An absolute URL: its path is mapped back whatever its host (as 1.4.69 does).
  EXPECT_EQ(map_response_uri(m, "http://backend:3001/v2/app/a?b", st), "http://backend:3001/app/a?b");
  EXPECT_EQ(map_response_uri(m, "https://example.org/v2/app", st), "https://example.org/app");
  EXPECT_FALSE(map_response_uri(m, "mailto:x@y", st));
  // No pair used by the request: the first whose value is a prefix.
  ProxyMapState none;
  EXPECT_EQ(map_response_uri(m, "/mapped-root/x", none), "/map/x");
  EXPECT_EQ(map_response_uri(m, "/y", none), "/proxy/y");
}

TEST(ProxyMap, HostsInAndOut) {
  ProxyMap m;
  m.host_request = {{"www.example.org", "app.internal"}, {"-", "default.internal"}};
  m.host_response = {{"APP.internal", "-"}, {"-", "www.example.org"}, {"keep.internal", ""}};
  ProxyMapState st;
  EXPECT_EQ(map_request_host(m, "WWW.example.org", st), "app.internal");  // without case
  EXPECT_EQ(st.forwarded_host, "app.internal");
  EXPECT_EQ(st.client_host, "WWW.example.org");
  // Out: the listed backend host becomes the client's Host ("-" value)...
  EXPECT_EQ(map_response_uri(m, "http://app.internal/x", st), "http://WWW.example.org/x");
  // ...the port is part of the authority compared...
  EXPECT_FALSE(map_response_uri(m, "http://app.internal:8080/x", st));
  // ...an empty value leaves it and stops.
  EXPECT_FALSE(map_response_uri(m, "http://keep.internal/x", st));

  // "-" as a request key is the client's own Host: every other Host.
  ProxyMapState st2;
  EXPECT_EQ(map_request_host(m, "other.example", st2), "default.internal");
  // "-" as a response key is the Host the request was given.
  EXPECT_EQ(map_response_uri(m, "http://default.internal/y", st2), "http://www.example.org/y");
}

TEST(ProxyMap, SetCookiePathAndDomain) {
  ProxyMap m;
  m.urlpath = {{"/shop/", "/"}};
  m.host_response = {{"backend.internal", "www.example.org"}};
  ProxyMapState st;
  map_request_target(m, "/shop/cart", st);
  EXPECT_EQ(map_set_cookie(m, "sid=abc; Path=/cart; Domain=.backend.internal; HttpOnly", st),
            "sid=abc; Path=/shop/cart; Domain=.www.example.org; HttpOnly");
  EXPECT_EQ(map_set_cookie(m, "sid=abc;path=/;domain=BACKEND.internal", st), "sid=abc;path=/shop/;domain=www.example.org");
  // The cookie's own name=value is never an attribute, and other attributes stay.
  EXPECT_FALSE(map_set_cookie(m, "path=/x", st));
  EXPECT_FALSE(map_set_cookie(m, "sid=1; Max-Age=60; Domain=other.org", st));
}
