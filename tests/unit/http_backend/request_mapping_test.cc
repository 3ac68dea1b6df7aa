#include "http_backend/request_mapping.h"

#include <gtest/gtest.h>

#include "http1/parser.h"

using namespace cutover;

namespace {

struct Built {
  http1::RequestHead head;
  std::string raw;
  std::string out;
};

void build(Built& b, std::string raw, std::string_view ip = "10.1.2.3", std::string_view target = "") {
  b.raw = std::move(raw);
  http1::ParseError err;
  ASSERT_EQ(http1::parse_request_head(b.raw, 65536, b.head, err), http1::ParseStatus::complete);
  ASSERT_TRUE(http1::validate_request(b.head, err));
  ForwardRequest req;
  req.head = &b.head;
  req.target = target.empty() ? b.head.target : target;
  req.client_ip = ip;
  BackendSpec be;
  be.host = "127.0.0.1";
  be.port = 3001;
  bool has_body = b.head.framing != http1::Framing::none;
  std::optional<uint64_t> len;
  if (b.head.framing == http1::Framing::length) len = b.head.content_length;
  http_backend::build_request_head(req, be, has_body, len, b.out);
}

}  // namespace

TEST(RequestMapping, RemovesHopByHopAndConnectionNamedHeaders) {
  Built b;
  build(b, "GET /x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: 5\r\n"
           "X-Secret: s\r\nTE: trailers\r\nProxy-Connection: x\r\nUpgrade: h2c\r\nX-Keep: k\r\n\r\n");
  EXPECT_EQ(b.out.find("X-Secret"), std::string::npos);
  EXPECT_EQ(b.out.find("Keep-Alive"), std::string::npos);
  EXPECT_EQ(b.out.find("TE:"), std::string::npos);
  EXPECT_EQ(b.out.find("Proxy-Connection"), std::string::npos);
  EXPECT_EQ(b.out.find("Upgrade"), std::string::npos);  // no "Connection: upgrade", so not an upgrade
  EXPECT_EQ(b.out.find("Connection"), std::string::npos);
  EXPECT_NE(b.out.find("X-Keep: k\r\n"), std::string::npos);
  EXPECT_EQ(b.out.rfind("GET /x HTTP/1.1\r\nHost: h\r\n", 0), 0u);
}

TEST(RequestMapping, ForwardingHeaders) {
  Built b;
  build(b, "GET / HTTP/1.1\r\nHost: example.org:8080\r\nX-Forwarded-For: 1.1.1.1\r\n"
           "Forwarded: for=1.1.1.1\r\nX-Forwarded-Proto: https\r\n\r\n");
  EXPECT_NE(b.out.find("X-Forwarded-For: 1.1.1.1, 10.1.2.3\r\n"), std::string::npos);
  EXPECT_NE(b.out.find("X-Forwarded-Proto: http\r\n"), std::string::npos);  // replaced, not trusted
  EXPECT_EQ(b.out.find("https"), std::string::npos);
  EXPECT_NE(b.out.find("X-Forwarded-Host: example.org:8080\r\n"), std::string::npos);
  EXPECT_NE(b.out.find("Forwarded: for=1.1.1.1, for=10.1.2.3;host=\"example.org:8080\";proto=http\r\n"),
            std::string::npos);
}

TEST(RequestMapping, IPv6ClientIsQuotedInForwarded) {
  Built b;
  build(b, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "::1");
  EXPECT_NE(b.out.find("Forwarded: for=\"[::1]\";host=h;proto=http\r\n"), std::string::npos);
}

TEST(RequestMapping, BodyFramingAndExpect) {
  Built cl;
  build(cl, "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_NE(cl.out.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_EQ(cl.out.find("Expect"), std::string::npos);  // cutover answers 100 itself
  Built te;
  build(te, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_NE(te.out.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
}

TEST(RequestMapping, UpgradeIsForwarded) {
  Built b;
  build(b, "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  EXPECT_NE(b.out.find("Upgrade: websocket\r\nConnection: upgrade\r\n"), std::string::npos);
}

TEST(RequestMapping, RewrittenTargetAndHttp10WithoutHost) {
  Built b;
  build(b, "GET /proxy/a?b HTTP/1.0\r\n\r\n", "10.0.0.1", "/a?b");
  EXPECT_EQ(b.out.rfind("GET /a?b HTTP/1.1\r\nHost: 127.0.0.1:3001\r\n", 0), 0u);
}

TEST(ResponseFields, DropsFramingAndHopByHop) {
  http1::ResponseHead r;
  http1::ParseError err;
  std::string raw = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close, X-Internal\r\n"
                    "X-Internal: 1\r\nKeep-Alive: timeout=5\r\nSet-Cookie: a=b\r\n\r\n";
  ASSERT_EQ(http1::parse_response_head(raw, 65536, false, r, err), http1::ParseStatus::complete);
  std::vector<http1::Field> out;
  http_backend::response_fields(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "Set-Cookie");
}

// lighttpd's mod_proxy and nginx's $host pass the Host on normalised.
TEST(RequestMapping, HostIsLowercasedWithoutATrailingDot) {
  http1::RequestHead h;
  h.method = "GET";
  h.target = "/";
  h.version_minor = 1;
  h.host = "WWW.Example.ORG.:8080";
  h.fields.push_back({"Host", h.host});
  RouteSpec route;
  ForwardRequest req;
  req.head = &h;
  req.route = &route;
  req.target = "/";
  req.client_ip = "127.0.0.1";
  BackendSpec b;
  b.host = "127.0.0.1";
  b.port = 1;
  std::string out;
  http_backend::build_request_head(req, b, false, std::nullopt, out);
  EXPECT_NE(out.find("\r\nHost: www.example.org:8080\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\nX-Forwarded-Host: www.example.org:8080\r\n"), std::string::npos) << out;
}
