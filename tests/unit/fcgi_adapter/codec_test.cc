#include "fcgi_adapter/codec.h"

#include <gtest/gtest.h>

using namespace cutover::fcgi;

namespace {
// Parses every record in `wire`; fails the test on an error or leftover bytes.
std::vector<Record> records(std::string_view wire) {
  std::vector<Record> out;
  while (!wire.empty()) {
    Record r;
    EXPECT_EQ(parse_record(wire, r), ParseStatus::complete);
    if (r.size == 0) break;
    out.push_back(r);
    wire.remove_prefix(r.size);
  }
  return out;
}
}  // namespace

TEST(FcgiCodec, BeginRequestBytes) {
  std::string out;
  append_begin_request(out, 1, Role::responder, true);
  // FastCGI spec 5.1: header {1, 1, 0,1, 0,8, 0, 0} then role 1, flags KEEP_CONN.
  EXPECT_EQ(out, std::string("\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00", 16));
  BeginRequest b;
  ASSERT_TRUE(parse_begin_request(records(out)[0].content, b));
  EXPECT_EQ(b.role, Role::responder);
  EXPECT_TRUE(b.keep_conn);
}

TEST(FcgiCodec, StreamsArePaddedSplitAndTerminated) {
  std::string out;
  std::string big(70000, 'x');
  append_stream(out, Type::stdin_, 7, big);
  append_stream(out, Type::stdin_, 7, {});
  auto rs = records(out);
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0].content.size(), 65535u);
  EXPECT_EQ(rs[0].size % 8, 0u);
  EXPECT_EQ(rs[1].content.size(), 70000u - 65535u);
  EXPECT_EQ(rs[1].size % 8, 0u);
  EXPECT_TRUE(rs[2].content.empty());
  for (auto& r : rs) {
    EXPECT_EQ(r.type, Type::stdin_);
    EXPECT_EQ(r.request_id, 7);
  }
}

TEST(FcgiCodec, NameValuePairsWithShortAndLongLengths) {
  std::string out;
  std::string cookie(300, 'c'), long_name(200, 'N');
  std::vector<NameValue> params{{"SCRIPT_NAME", "/app"}, {"HTTP_COOKIE", cookie}, {long_name, ""}};
  append_params(out, 1, params);
  auto rs = records(out);
  ASSERT_EQ(rs.size(), 2u);  // one PARAMS record and the empty terminator
  EXPECT_TRUE(rs[1].content.empty());
  std::vector<std::pair<std::string_view, std::string_view>> nv;
  ASSERT_TRUE(parse_name_values(rs[0].content, nv));
  ASSERT_EQ(nv.size(), 3u);
  EXPECT_EQ(nv[0].first, "SCRIPT_NAME");
  EXPECT_EQ(nv[0].second, "/app");
  EXPECT_EQ(nv[1].second.size(), 300u);
  EXPECT_EQ(nv[2].first.size(), 200u);
  // 300 needs the 4-byte form: high bit set.
  EXPECT_EQ(uint8_t(rs[0].content[1 + 1 + 11 + 4 + 1]), 0x80);
}

TEST(FcgiCodec, ParamsFillingOneRecordExactlyAndOneByteMore) {
  // One pair of 1 + 4 + 1 + v bytes: a value of 65529 bytes makes 65535, one record; one
  // byte more splits the stream over two records. Either way the pairs read back whole.
  for (size_t v : {size_t(65529), size_t(65530)}) {
    std::string out;
    append_params(out, 2, {{"X", std::string(v, 'v')}});
    auto rs = records(out);
    ASSERT_EQ(rs.size(), v == 65529 ? 2u : 3u) << v;
    std::string stream;
    for (auto& r : rs) {
      EXPECT_EQ(r.type, Type::params);
      EXPECT_EQ(r.size % 8, 0u);
      stream.append(r.content);
    }
    EXPECT_TRUE(rs.back().content.empty());
    std::vector<std::pair<std::string_view, std::string_view>> nv;
    ASSERT_TRUE(parse_name_values(stream, nv));
    ASSERT_EQ(nv.size(), 1u);
    EXPECT_EQ(nv[0].second.size(), v);
  }
  std::string empty;
  append_params(empty, 2, {});
  EXPECT_EQ(records(empty).size(), 1u);  // just the terminator
}

TEST(FcgiCodec, EndRequest) {
  std::string out;
  append_end_request(out, 3, 0x01020304, ProtocolStatus::overloaded);
  auto rs = records(out);
  EndRequest e;
  ASSERT_TRUE(parse_end_request(rs[0].content, e));
  EXPECT_EQ(e.app_status, 0x01020304u);
  EXPECT_EQ(e.protocol_status, ProtocolStatus::overloaded);
  EXPECT_EQ(rs[0].request_id, 3);
}

TEST(FcgiCodec, MalformedInputIsAnErrorNeverAnOverRead) {
  Record r;
  EXPECT_EQ(parse_record(std::string_view("\x01\x06\x00", 3), r), ParseStatus::incomplete);
  EXPECT_EQ(parse_record(std::string_view("\x02\x06\x00\x01\x00\x00\x00\x00", 8), r), ParseStatus::error);
  // Content length 16 but only 4 bytes present.
  EXPECT_EQ(parse_record(std::string_view("\x01\x06\x00\x01\x00\x10\x00\x00" "abcd", 12), r), ParseStatus::incomplete);
  // Padding counts too.
  EXPECT_EQ(parse_record(std::string_view("\x01\x06\x00\x01\x00\x01\x07\x00x", 9), r), ParseStatus::incomplete);
  std::vector<std::pair<std::string_view, std::string_view>> nv;
  EXPECT_FALSE(parse_name_values(std::string_view("\x05\x01" "ab", 4), nv));          // name runs past the end
  EXPECT_FALSE(parse_name_values(std::string_view("\x80\x00", 2), nv));               // truncated 4-byte length
  EXPECT_FALSE(parse_name_values(std::string_view("\xff\xff\xff\xff\x00", 5), nv));   // huge length
  EndRequest e;
  EXPECT_FALSE(parse_end_request("short", e));
}

TEST(FcgiCodec, GetValues) {
  std::string out;
  append_get_values(out, {"FCGI_MAX_CONNS", "FCGI_MPXS_CONNS"});
  auto rs = records(out);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].type, Type::get_values);
  EXPECT_EQ(rs[0].request_id, 0);
  std::vector<std::pair<std::string_view, std::string_view>> nv;
  ASSERT_TRUE(parse_name_values(rs[0].content, nv));
  EXPECT_EQ(nv[1].first, "FCGI_MPXS_CONNS");
}
