#include "fcgi_adapter/cgi_response.h"

#include <gtest/gtest.h>

namespace cutover::fcgi {
namespace {

CgiHead parse(std::string_view text, bool expect_ok = true) {
  CgiHead h;
  EXPECT_EQ(parse_cgi_head(text, h), expect_ok) << text;
  return h;
}

TEST(CgiResponse, HeadEndsAtTheFirstBlankLineCrlfOrLf) {
  size_t skip = 0;
  EXPECT_EQ(find_head_end("A: b\r\n\r\nbody", skip), 4u);
  EXPECT_EQ(skip, 4u);
  EXPECT_EQ(find_head_end("A: b\n\nbody\r\n\r\n", skip), 4u);
  EXPECT_EQ(skip, 2u);
  EXPECT_EQ(find_head_end("A: b\r\n", skip), std::string_view::npos);
}

TEST(CgiResponse, StatusLineGivesCodeAndReason) {
  CgiHead h = parse("Status: 404 Not Here\r\nContent-Type: text/plain");
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(h.reason, "Not Here");
  EXPECT_TRUE(h.has_status);
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(h.fields[0].first, "Content-Type");
  EXPECT_EQ(parse("Status: 201").status, 201);
}

TEST(CgiResponse, MalformedStatusOrLineIsAnError) {
  parse("Status: 20", false);
  parse("Status: 2x0 Bad", false);
  parse("Status: 099 Low", false);
  parse("Status: 2000", false);
  parse("no colon here", false);
  parse(": empty name", false);
}

TEST(CgiResponse, NoStatusIs200) {
  CgiHead h = parse("Content-Type: text/html");
  EXPECT_EQ(h.status, 200);
  EXPECT_FALSE(h.has_status);
  EXPECT_FALSE(h.local_redirect());
}

TEST(CgiResponse, AbsoluteLocationWithoutStatusIs302) {
  CgiHead h = parse("Location: http://example.org/x");
  EXPECT_EQ(h.status, 302);
  EXPECT_FALSE(h.local_redirect());
  EXPECT_EQ(h.location, "http://example.org/x");
}

TEST(CgiResponse, LocalPathWithoutStatusIsAnInternalRedirect) {
  CgiHead h = parse("Location: /other?x=1");
  EXPECT_TRUE(h.local_redirect());
  EXPECT_EQ(h.location, "/other?x=1");
  // With a Status the script asked for a real redirect to the client.
  CgiHead s = parse("Status: 301 Moved\r\nLocation: /other");
  EXPECT_EQ(s.status, 301);
  EXPECT_FALSE(s.local_redirect());
}

TEST(CgiResponse, FramingAndHopByHopFieldsAreDropped) {
  CgiHead h = parse("Content-Length: 5\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nX-A: 1 \r\n");
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(h.fields[0].first, "X-A");
  EXPECT_EQ(h.fields[0].second, "1");
}

}  // namespace
}  // namespace cutover::fcgi
