#include "http1/parser.h"

#include <gtest/gtest.h>

using namespace cutover::http1;

namespace {

struct Outcome {
  ParseStatus status;
  int code = 0;
  RequestHead head;
};

Outcome parse(std::string_view raw, size_t max = 65536) {
  Outcome o;
  ParseError err;
  o.status = parse_request_head(raw, max, o.head, err);
  if (o.status == ParseStatus::complete && !validate_request(o.head, err)) o.status = ParseStatus::error;
  if (o.status == ParseStatus::error) o.code = err.status;
  return o;
}

}  // namespace

TEST(RequestParser, ParsesASimpleGet) {
  auto o = parse("GET /a?b=1 HTTP/1.1\r\nHost: example.org\r\nX-A:  v  \r\n\r\n");
  ASSERT_EQ(o.status, ParseStatus::complete);
  EXPECT_EQ(o.head.method, "GET");
  EXPECT_EQ(o.head.target, "/a?b=1");
  EXPECT_EQ(o.head.version_minor, 1);
  EXPECT_EQ(o.head.host, "example.org");
  ASSERT_EQ(o.head.fields.size(), 2u);
  EXPECT_EQ(o.head.fields[1].value, "v");  // surrounding whitespace trimmed
  EXPECT_TRUE(o.head.keep_alive);
  EXPECT_EQ(o.head.framing, Framing::none);
}

TEST(RequestParser, IncompleteUntilBlankLine) {
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n").status, ParseStatus::incomplete);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n\r").status, ParseStatus::incomplete);
}

TEST(RequestParser, StopsAtTheFirstRequestOfAPipeline) {
  std::string two = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
  auto o = parse(two);
  ASSERT_EQ(o.status, ParseStatus::complete);
  EXPECT_EQ(o.head.target, "/1");
  EXPECT_EQ(o.head.head_bytes, two.size() / 2);
}

TEST(RequestParser, BodyFraming) {
  auto cl = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n");
  EXPECT_EQ(cl.head.framing, Framing::length);
  EXPECT_EQ(cl.head.content_length, 12u);
  auto te = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n");
  EXPECT_EQ(te.head.framing, Framing::chunked);
  auto same = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n");
  EXPECT_EQ(same.head.content_length, 5u);
}

TEST(RequestParser, ConnectionSemantics) {
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").head.keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n").head.keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head.keep_alive);
  auto up = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  EXPECT_TRUE(up.head.upgrade);
  auto ex = parse("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
  EXPECT_TRUE(ex.head.expect_continue);
}

TEST(RequestParser, AbsoluteFormTakesTheAuthority) {
  auto o = parse("GET http://Example.org:8080/x?y HTTP/1.1\r\nHost: other\r\n\r\n");
  ASSERT_EQ(o.status, ParseStatus::complete);
  EXPECT_EQ(o.head.target, "/x?y");
  EXPECT_EQ(o.head.host, "Example.org:8080");
}

// Requests that could be smuggled or are malformed: each must be refused with this status.
struct Bad {
  const char* name;
  std::string raw;
  int status;
};

void PrintTo(const Bad& b, std::ostream* os) { *os << b.name; }

class RefusedRequest : public ::testing::TestWithParam<Bad> {};

TEST_P(RefusedRequest, IsRefused) {
  auto o = parse(GetParam().raw);
  EXPECT_EQ(o.status, ParseStatus::error) << GetParam().name;
  EXPECT_EQ(o.code, GetParam().status) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Smuggling, RefusedRequest,
    ::testing::Values(
        Bad{"cl_and_te", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        Bad{"te_and_cl", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n", 400},
        Bad{"differing_cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", 400},
        Bad{"differing_cl_list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4, 5\r\n\r\n", 400},
        Bad{"signed_cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +4\r\n\r\n", 400},
        Bad{"negative_cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        Bad{"hex_cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400},
        Bad{"empty_cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400},
        Bad{"overflow_cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
        Bad{"te_listed", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400},
        Bad{"te_twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        Bad{"te_obfuscated", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 400},
        Bad{"te_vtab", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0b" "chunked\r\n\r\n", 400},
        Bad{"te_http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        Bad{"space_before_colon", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400},
        Bad{"obs_fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400},
        Bad{"nul_in_value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", 37), 400},
        Bad{"cr_in_value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400},
        Bad{"two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        Bad{"no_host_11", "GET / HTTP/1.1\r\n\r\n", 400},
        Bad{"bad_host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
        Bad{"http2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        Bad{"http12", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
        Bad{"bad_version", "GET / HTTPS/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"lowercase_version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"extra_space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"bad_method", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"relative_target", "GET foo HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"no_colon", "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400},
        Bad{"empty_name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RequestParser, HeadTooLargeIs431) {
  std::string big = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(2000, 'a') + "\r\n\r\n";
  EXPECT_EQ(parse(big, 1024).code, 431);
  EXPECT_EQ(parse(big.substr(0, 1500), 1024).code, 431);  // even before the head is complete
}

TEST(RequestParser, TooManyFieldsIs431) {
  std::string raw = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 150; ++i) raw += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(parse(raw + "\r\n").code, 431);
}

TEST(ResponseParser, Framing) {
  ResponseHead r;
  ParseError err;
  ASSERT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", 65536, false, r, err),
            ParseStatus::complete);
  EXPECT_EQ(r.framing, Framing::length);
  EXPECT_EQ(r.content_length, 3u);
  ASSERT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 65536, false, r, err),
            ParseStatus::complete);
  EXPECT_EQ(r.framing, Framing::chunked);
  ASSERT_EQ(parse_response_head("HTTP/1.0 200 OK\r\n\r\n", 65536, false, r, err), ParseStatus::complete);
  EXPECT_EQ(r.framing, Framing::until_close);
  EXPECT_FALSE(r.keep_alive);
  ASSERT_EQ(parse_response_head("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", 65536, false, r, err),
            ParseStatus::complete);
  EXPECT_EQ(r.framing, Framing::none);
  ASSERT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 65536, true, r, err),
            ParseStatus::complete);
  EXPECT_EQ(r.framing, Framing::none);  // answer to HEAD
  EXPECT_EQ(parse_response_head("HTTP/1.1 2x0 OK\r\n\r\n", 65536, false, r, err), ParseStatus::error);
  EXPECT_EQ(parse_response_head("garbage\r\n\r\n", 65536, false, r, err), ParseStatus::error);
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 65536,
                                false, r, err),
            ParseStatus::error);
}

TEST(FieldKinds, KnownNamesInAnyCaseAndNearMisses) {
  struct Case {
    const char* name;
    FieldKind kind;
  } cases[] = {
      {"Host", FieldKind::host}, {"HOST", FieldKind::host}, {"hosT", FieldKind::host},
      {"Content-Length", FieldKind::content_length}, {"expect", FieldKind::expect},
      {"X-Forwarded-For", FieldKind::x_forwarded_for}, {"x-forwarded-proto", FieldKind::x_forwarded_proto},
      {"X-Forwarded-Host", FieldKind::x_forwarded_host}, {"Forwarded", FieldKind::forwarded},
      {"Connection", FieldKind::connection}, {"Keep-Alive", FieldKind::keep_alive},
      {"Proxy-Connection", FieldKind::proxy_connection}, {"TE", FieldKind::te},
      {"Trailer", FieldKind::trailer}, {"Transfer-Encoding", FieldKind::transfer_encoding},
      {"Upgrade", FieldKind::upgrade}, {"Proxy-Authenticate", FieldKind::proxy_authenticate},
      {"Proxy-Authorization", FieldKind::proxy_authorization},
      // Same length, another name; a letter and a non-letter that differ by 0x20.
      {"Hosz", FieldKind::other}, {"Hos\x14", FieldKind::other}, {"tE", FieldKind::te}, {"tx", FieldKind::other},
      {"Content-Lengths", FieldKind::other}, {"X-Forwarded-Fo", FieldKind::other},
      {"Trailers", FieldKind::other}, {"", FieldKind::other}, {"Connectio@", FieldKind::other},
  };
  for (const auto& c : cases) EXPECT_EQ(field_kind(c.name), c.kind) << c.name;
  EXPECT_TRUE(is_hop_by_hop("keep-alive"));
  EXPECT_TRUE(is_hop_by_hop("PROXY-AUTHORIZATION"));
  EXPECT_FALSE(is_hop_by_hop("host"));
  EXPECT_FALSE(is_hop_by_hop("x-forwarded-for"));
  // iequals folds letters only: '@' (0x40) and '`' (0x60) differ by 0x20 but are not equal.
  EXPECT_TRUE(iequals("Content-TYPE", "content-type"));
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
  EXPECT_FALSE(iequals("ab", "abc"));
}

TEST(FieldKinds, ParsedFieldsCarryTheirKind) {
  auto o = parse("GET / HTTP/1.1\r\nhost: a\r\nX-Other: 1\r\nconnection: close\r\n\r\n");
  ASSERT_EQ(o.status, ParseStatus::complete);
  ASSERT_EQ(o.head.fields.size(), 3u);
  EXPECT_EQ(o.head.fields[0].kind, FieldKind::host);
  EXPECT_EQ(o.head.fields[1].kind, FieldKind::other);
  EXPECT_EQ(o.head.fields[2].kind, FieldKind::connection);
  EXPECT_FALSE(o.head.keep_alive);
  // A field built elsewhere is classified when asked.
  Field f{"Transfer-Encoding", "chunked"};
  EXPECT_EQ(f.kind, FieldKind::unset);
  EXPECT_EQ(kind_of(f), FieldKind::transfer_encoding);
}

TEST(RequestParser, SaysWhyAFieldLineIsRefused) {
  auto reason = [](std::string_view raw) {
    RequestHead h;
    ParseError err;
    EXPECT_EQ(parse_request_head(raw, 65536, h, err), ParseStatus::error) << raw;
    return std::string(err.reason);
  };
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"), "bare CR in header");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n"), "bare CR in header");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n"), "bare CR in header");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n"), "control character in header value");
  EXPECT_EQ(reason(std::string_view("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 30)), "control character in header value");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n"), "control character in header value");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), "whitespace before colon");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"), "whitespace before colon");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHo st: a\r\n\r\n"), "invalid header name");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\n: a\r\n\r\n"), "invalid header name");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHost a\r\n\r\n"), "header line without colon");
  EXPECT_EQ(reason("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"), "obsolete line folding");
  EXPECT_EQ(reason("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n"), "bare CR in request line");
  // Obs-text (bytes >= 0x80) and HTAB are allowed in values.
  RequestHead h;
  ParseError err;
  EXPECT_EQ(parse_request_head("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\tok\r\n\r\n", 65536, h, err),
            ParseStatus::complete);
  EXPECT_EQ(h.fields[1].value, "caf\xc3\xa9\tok");
}

// Values are checked eight bytes at a time: every bad byte at every position of a long
// value must still be found, and every allowed byte (obs-text, tab) still let through.
TEST(RequestParser, EveryByteOfALongValueIsChecked) {
  std::string raw;  // outlives the parsed head, whose fields point into it
  auto parse = [&raw](const std::string& value, RequestHead& h) {
    ParseError err;
    raw = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + value + "\r\n\r\n";
    return parse_request_head(raw, 65536, h, err);
  };
  const std::string base = "abcdefghijklmnopqrstuvwxyz0123";  // 30 bytes: 3 words and a tail
  for (size_t pos = 1; pos + 1 < base.size(); ++pos) {
    for (int b = 0; b < 256; ++b) {
      if (b == '\r' || b == '\n') continue;  // line structure, tested above
      std::string v = base;
      v[pos] = char(b);
      RequestHead h;
      bool bad = b < 0x20 ? b != '\t' : b == 0x7f;
      EXPECT_EQ(parse(v, h), bad ? ParseStatus::error : ParseStatus::complete) << "byte " << b << " at " << pos;
      if (!bad) {
        EXPECT_EQ(h.fields[1].value, v);
      }
    }
  }
}

// The line ends the head search records run out after 128 lines; the fields beyond are
// found by searching again (a route may allow more than the default 100 fields).
TEST(RequestParser, HeadsWithMoreLinesThanRecordedParseWhole) {
  std::string req = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 200; ++i)
    req += "X-F" + std::to_string(i) + ": v" + std::to_string(i) + (i % 2 ? "\n" : "\r\n");
  req += "\r\n";
  RequestHead h;
  ParseError err;
  ASSERT_EQ(parse_request_head(req, 65536, h, err, 300), ParseStatus::complete) << err.reason;
  ASSERT_EQ(h.fields.size(), 201u);
  EXPECT_EQ(h.fields[129].name, "X-F128");
  EXPECT_EQ(h.fields[200].name, "X-F199");
  EXPECT_EQ(h.fields[200].value, "v199");
  EXPECT_EQ(h.head_bytes, req.size());
  EXPECT_EQ(parse_request_head(req, 65536, h, err, 150), ParseStatus::error);
  EXPECT_EQ(err.status, 431);
}

// One normal form for the request's authority (what lighttpd makes of it): lowercase, no
// trailing dot, no :80; other ports kept.
TEST(NormalizedHost, LowercaseNoTrailingDotNoDefaultPort) {
  EXPECT_EQ(normalized_host("Secret.Example."), "secret.example");
  EXPECT_EQ(normalized_host("secret.example.:80"), "secret.example");
  EXPECT_EQ(normalized_host("secret.example:80"), "secret.example");
  EXPECT_EQ(normalized_host("secret.example:8080"), "secret.example:8080");
  EXPECT_EQ(normalized_host("[::1]:80"), "[::1]");
  EXPECT_EQ(normalized_host("[::1]:8080"), "[::1]:8080");
  for (const char* h : {"Secret.example", "a.example.", "a.example:80", "a.example.:8080", "[::1]:80"})
    EXPECT_FALSE(is_normalized_host(h)) << h;
  for (const char* h : {"a.example", "a.example:8080", "127.0.0.1:3001", "[::1]:8080", "a.example:800", ""})
    EXPECT_TRUE(is_normalized_host(h)) << h;
}

// validate_request notes, in its one pass over the Host, what settle_host and the Forwarded
// field need: whether the value is normal already and whether it is a token.
TEST(NormalizedHost, ValidateNotesWhetherTheHostIsNormalAndAToken) {
  struct Case {
    const char* host;
    bool normal, token;
  };
  for (Case c : {Case{"a.example", true, true}, Case{"a.example.", false, true}, Case{"A.example", false, true},
                 Case{"a.example:8080", true, false}, Case{"a.example:80", false, false}, Case{"a.example.:81", false, false},
                 Case{"[::1]:8080", true, false}, Case{"t,for=6.6.6.6", true, false}}) {
    std::string req = std::string("GET / HTTP/1.1\r\nHost: ") + c.host + "\r\n\r\n";
    RequestHead h;
    ParseError err;
    ASSERT_EQ(parse_request_head(req, 65536, h, err), ParseStatus::complete) << c.host;
    ASSERT_TRUE(validate_request(h, err)) << c.host;
    EXPECT_EQ(h.host_normal, c.normal) << c.host;
    EXPECT_EQ(h.host_token, c.token) << c.host;
    EXPECT_EQ(h.host_normal, normalized_host(h.host) == h.host) << c.host;
  }
}

// Found by the request fuzzer: "a.example.." normalised to "a.example." (one dot dropped),
// not to a normal form; a name with an empty label is refused instead.
TEST(NormalizedHost, AnEmptyLabelIsRefused) {
  for (const char* host : {"secret.example..", "a..b", "..", "secret.example..:80"}) {
    std::string req = std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n";
    RequestHead h;
    ParseError err;
    ASSERT_EQ(parse_request_head(req, 65536, h, err), ParseStatus::complete);
    EXPECT_FALSE(validate_request(h, err)) << host;
    EXPECT_EQ(err.status, 400) << host;
  }
}
