// libFuzzer target: cutover's request-head parser against an independent one (Boost.Beast's
// http::request_parser, Debian's libboost-dev). Both read the same bytes; they must agree on
// whether a head is complete, where it ends, its method, target, version and fields, and on
// accepting it. cutover refusing what Beast accepts is allowed only for the refusals listed
// in kStricter (deliberate: each closes a smuggling or injection door; see
// docs/fuzzing.md). Anything else aborts: a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "http1/parser.h"

namespace {

namespace http = boost::beast::http;
using cutover::http1::ParseError;
using cutover::http1::ParseStatus;
using cutover::http1::RequestHead;

// cutover's refusals of heads that Beast takes, each on purpose.
constexpr std::string_view kStricter[] = {
    "obsolete line folding",            // RFC 9112 5.2: a server may refuse; folding hides fields from filters
    "bare CR in header",                // RFC 9112 2.2: a bare CR must be refused or replaced
    "bare CR in request line",
    "control character in header value",  // CTLs in values (Beast lets some through)
    "invalid request target",           // bytes outside visible ASCII in the target
    "invalid method",
    "HTTP version not supported",       // 505 for anything but 1.0 and 1.1
    "too many header fields",           // max_header_count
    "whitespace before colon",          // RFC 9112 5.1: must be refused (request smuggling)
    "header line without colon",
    "invalid header name",
    "malformed request line",
    "malformed HTTP version",
    "empty request target",
};

bool stricter(std::string_view reason) {
  for (std::string_view r : kStricter)
    if (r == reason) return true;
  return false;
}

[[noreturn]] void finding(const char* what, std::string_view a = {}, std::string_view b = {}) {
  std::fprintf(stderr, "http1 differential: %s [%.*s] vs [%.*s]\n", what, int(a.size()), a.data(), int(b.size()), b.data());
  std::abort();
}

bool plain_framing(const RequestHead& h) {
  for (const auto& f : h.fields) {
    auto kind = cutover::http1::kind_of(f);
    if (kind == cutover::http1::FieldKind::content_length) {
      // digits, or a list of identical ones ("4, 4": RFC 9110 8.6 lets a recipient take it
      // as one; cutover's parser checks they are identical and sends its own length on)
      if (f.value.empty()) return false;
      for (char c : f.value)
        if ((c < '0' || c > '9') && c != ',' && c != ' ' && c != '\t') return false;
    } else if (kind == cutover::http1::FieldKind::transfer_encoding) {
      if (f.value.size() != 7) return false;
      for (size_t i = 0; i < 7; ++i)
        if (std::tolower(static_cast<unsigned char>(f.value[i])) != "chunked"[i]) return false;
    }
  }
  return true;
}

bool bare_lf(std::string_view head) {
  for (size_t i = 0; i < head.size(); ++i)
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) return true;
  return false;
}

template <class S>
std::string_view sv(const S& s) {
  return std::string_view(s.data(), s.size());
}

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kLimit = 8192;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Leading empty lines: cutover skips them (RFC 9112 2.2 allows it), Beast does not.
  if (in.size() >= 1 && (in[0] == '\r' || in[0] == '\n')) return 0;
  RequestHead h;
  ParseError err;
  ParseStatus ours = cutover::http1::parse_request_head(in, kLimit, h, err);

  http::request_parser<http::empty_body> p;
  p.header_limit(kLimit);
  // A body limit is each server's setting, not a framing rule. (boost::none would disable it,
  // but Boost 1.74 then refuses every Content-Length: it compares the length with the
  // empty optional.)
  p.body_limit(std::numeric_limits<std::uint64_t>::max());
  p.eager(false);
  boost::beast::error_code ec;
  size_t used = p.put(boost::asio::buffer(in.data(), in.size()), ec);
  bool beast_need_more = ec == http::error::need_more;
  bool beast_done = !ec && p.is_header_done();
  bool beast_error = ec && !beast_need_more;

  // Near the size limit the two count differently (Beast includes the final CRLF or not).
  if (size + 64 >= kLimit) return 0;

  if (ours == ParseStatus::incomplete) {
    if (beast_done && !bare_lf(in.substr(0, used))) finding("Beast found a complete head where cutover waits for more", in.substr(0, used));
    return 0;
  }
  if (ours == ParseStatus::error) {
    if (beast_done && !stricter(err.reason)) finding("cutover refused what Beast accepted", err.reason);
    return 0;
  }
  // cutover has a complete head.
  if (beast_need_more && !bare_lf(in.substr(0, h.head_bytes)))
    finding("cutover found a complete head where Beast waits for more", in.substr(0, h.head_bytes));
  if (beast_need_more) return 0;
  if (beast_error) {
    // Beast refusing what cutover takes is where smuggling lives: every one is a finding,
    // unless cutover's validation refuses it next, or it is Beast checking the token list
    // of Connection, Upgrade or TE (bad_value) while the framing fields are plain (digits,
    // "chunked"): cutover takes an unknown token as unknown (RFC 9110 7.6.1) and no
    // framing depends on it.
    if (!cutover::http1::validate_request(h, err)) return 0;
    if (ec == http::error::bad_value && plain_framing(h)) return 0;
    // A bare LF ending a line: cutover takes it (RFC 9112 2.2 allows it; the head goes on
    // re-framed with CRLF), Beast refuses it.
    if (bare_lf(in.substr(0, h.head_bytes))) return 0;
    finding("Beast refused what cutover accepts", ec.message());
  }
  if (used != h.head_bytes) finding("the head ends elsewhere", std::to_string(h.head_bytes), std::to_string(used));
  const auto& m = p.get();
  if (sv(m.method_string()) != h.method) finding("method", h.method, sv(m.method_string()));
  if (sv(m.target()) != h.target) finding("target", h.target, sv(m.target()));
  if (m.version() != unsigned(10 + h.version_minor)) finding("version", std::to_string(h.version_minor), std::to_string(m.version()));
  // Beast keeps fields of one name together (a repeat goes after the last of its name):
  // compare per name, in order, case-insensitively.
  std::map<std::string, std::vector<std::pair<std::string_view, std::string_view>>> ours_by, beast_by;
  auto lower = [](std::string_view n) {
    std::string l(n);
    for (char& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
    return l;
  };
  for (const auto& f : h.fields) ours_by[lower(f.name)].push_back({f.name, trim_ows(f.value)});
  for (const auto& f : m) beast_by[lower(sv(f.name_string()))].push_back({sv(f.name_string()), trim_ows(sv(f.value()))});
  if (ours_by.size() != beast_by.size()) finding("field names differ", std::to_string(ours_by.size()), std::to_string(beast_by.size()));
  for (auto& [name, list] : ours_by) {
    auto it = beast_by.find(name);
    if (it == beast_by.end()) finding("a field Beast does not have", name);
    if (it->second != list) finding("the values of a field", name, it->second.empty() ? "" : it->second[0].second);
  }
  return 0;
}
