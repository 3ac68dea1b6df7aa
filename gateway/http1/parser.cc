#include "http1/parser.h"

#include <array>
#include <cstring>
#include <string>

namespace cutover::http1 {
namespace {

// RFC 9110 tchar, as a table: every byte of every field name is checked.
constexpr auto kTchar = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[size_t(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[size_t(c)] = t[size_t(c - 32)] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool is_tchar(unsigned char c) { return kTchar[c]; }

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

inline std::string_view trim_ows(std::string_view v) {
  size_t b = 0, e = v.size();
  while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
  while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
  return std::string_view(v.data() + b, e - b);
}

// Where find_head_end saw each line end, so that the line reader need not search again.
struct LineEnds {
  static constexpr size_t kMax = 128;
  uint32_t at[kMax];
  size_t n = 0;
  void add(size_t pos) {
    if (n < kMax) at[n++] = uint32_t(pos);
  }
};

// Finds the end of the head (after the blank line). Accepts CRLF or bare LF line ends.
// Returns 0 when the blank line is not in buf yet. Records the line ends in `ends`.
size_t find_head_end(std::string_view buf, LineEnds& ends) {
  size_t pos = 0;
  ends.n = 0;
  while (true) {
    size_t nl = buf.find('\n', pos);
    if (nl == std::string_view::npos) return 0;
    ends.add(nl);
    size_t next = nl + 1;
    if (next < buf.size() && buf[next] == '\n') return ends.add(next), next + 1;
    if (next + 1 < buf.size() && buf[next] == '\r' && buf[next + 1] == '\n') return ends.add(next + 1), next + 2;
    if (next >= buf.size() || (next + 1 >= buf.size() && buf[next] == '\r')) return 0;
    pos = next;
  }
}

// Bytes not allowed in a field value (RFC 9110 5.5): controls other than HTAB, and DEL.
// CR is one of them, so a bare CR inside a field line is caught here too.
constexpr auto kBadInValue = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[size_t(c)] = c != '\t';
  t[0x7f] = true;
  return t;
}();

// Eight bytes at a time: true when no byte is below 0x20 or is 0x7F. Those are the bytes a
// field value may not hold, except a tab, which is allowed but flagged here too: the byte
// loop then decides. Values are most of a head's bytes.
inline bool plain_value(std::string_view v) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const char* p = v.data();
  size_t n = v.size();
  uint64_t bad = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    uint64_t del = x ^ (0x7f * kOnes);
    // A byte below 0x20 (high bit clear, so obs-text is not flagged), or a zero byte in
    // x ^ 0x7F.. (a DEL).
    bad |= ((x - 0x20 * kOnes) & ~x & kHigh) | ((del - kOnes) & ~del & kHigh);
  }
  if (n > 0 && v.size() >= 8) {  // the last bytes, as the 8 that end the value
    uint64_t x;
    std::memcpy(&x, p + n - 8, 8);
    uint64_t del = x ^ (0x7f * kOnes);
    bad |= ((x - 0x20 * kOnes) & ~x & kHigh) | ((del - kOnes) & ~del & kHigh);
    return bad == 0;
  }
  for (; n > 0; ++p, --n) bad |= kBadInValue[static_cast<unsigned char>(*p)] || *p == '\t';
  return bad == 0;
}

// Splits the head into lines; a CR is allowed only right before LF. The request or status
// line is checked for a bare CR here (`first`); field lines are checked byte by byte by
// parse_fields anyway, which finds one without a second search.
struct LineReader {
  std::string_view rest;
  const LineEnds* ends = nullptr;  // the line ends find_head_end saw, from the start of rest
  bool bad = false;
  size_t i = 0, consumed = 0;
  bool next(std::string_view& line, bool first = false) {
    size_t nl;
    if (ends && i < ends->n) {
      nl = ends->at[i++] - consumed;
    } else {
      ends = nullptr;  // more lines than were recorded: search from here on
      nl = rest.find('\n');
      if (nl == std::string_view::npos) return false;
    }
    line = std::string_view(rest.data(), nl);
    rest.remove_prefix(nl + 1);
    consumed += nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first && line.find('\r') != std::string_view::npos) bad = true;
    return true;
  }
};

bool parse_fields(LineReader& lines, std::vector<Field>& out, ParseError& err, size_t max_fields = kDefaultMaxFields) {
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) return true;
    if (line.front() == ' ' || line.front() == '\t')
      return err = {400, "obsolete line folding"}, false;
    // The name: tchars up to the colon (a CR, a space or anything else ends it early).
    size_t colon = 0;
    while (colon < line.size() && is_tchar(static_cast<unsigned char>(line[colon]))) ++colon;
    if (colon == line.size() || line[colon] != ':' || colon == 0) {
      if (line.find('\r') != std::string_view::npos) return err = {400, "bare CR in header"}, false;
      size_t c = line.find(':');
      if (c == std::string_view::npos) return err = {400, "header line without colon"}, false;
      if (c > 0 && (line[c - 1] == ' ' || line[c - 1] == '\t'))
        return err = {400, "whitespace before colon"}, false;
      return err = {400, "invalid header name"}, false;
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (!plain_value(value))
      for (unsigned char c : value)
        if (kBadInValue[c]) {
          if (c == '\r') return err = {400, "bare CR in header"}, false;
          return err = {400, "control character in header value"}, false;
        }
    if (out.size() >= max_fields) return err = {431, "too many header fields"}, false;
    out.push_back({name, value, field_kind(name)});
  }
  return err = {400, "truncated head"}, false;
}

// Names a trailer may not carry (RFC 9110 6.5.1), lower case.
bool trailer_forbidden(std::string_view n) {
  static constexpr std::string_view kNames[] = {
      "content-length", "transfer-encoding", "host", "trailer", "te", "connection", "keep-alive", "upgrade",
      "proxy-connection", "authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate",
      "cookie", "set-cookie", "content-type", "content-encoding", "content-range", "content-location",
      "cache-control", "expires", "age", "date", "location", "retry-after", "vary", "expect", "max-forwards",
      "pragma", "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range",
      "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip"};
  for (std::string_view f : kNames)
    if (iequals(n, f)) return true;
  return n.find('_') != std::string_view::npos;  // read as '-' by some frameworks, past the list above
}

// "HTTP/1.1" -> minor version; -1 for a well-formed unsupported version; -2 malformed.
int parse_version(std::string_view v) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return -2;
  if (v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9') return -2;
  if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) return -1;
  return v[7] - '0';
}

// Parses a Content-Length value, which may be a list of identical numbers.
bool parse_content_length(std::string_view v, uint64_t& out) {
  bool have = false;
  uint64_t first = 0;
  while (true) {
    size_t comma = v.find(',');
    std::string_view item = trim_ows(v.substr(0, comma));
    if (item.empty() || item.size() > 18) return false;
    uint64_t n = 0;
    for (char c : item) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + uint64_t(c - '0');
    }
    if (have && n != first) return false;
    first = n;
    have = true;
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  out = first;
  return true;
}

// Bytes a Host value may hold: visible ASCII but the delimiters that cannot be in one
// (kValid), and what else the one pass over it notes: a capital (not normalised) and a byte
// that is no tchar (a Forwarded value must be quoted).
constexpr uint8_t kValid = 1, kUpper = 2, kNotTchar = 4;
constexpr auto kHostByte = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0x21; c < 0x7f; ++c) t[size_t(c)] = kValid;
  for (char c : std::string_view("\"#/<>?@\\^`{|}")) t[static_cast<unsigned char>(c)] = 0;
  for (int c = 'A'; c <= 'Z'; ++c) t[size_t(c)] |= kUpper;
  for (char c : std::string_view("(),/:;<=>?@[]{}")) t[static_cast<unsigned char>(c)] |= kNotTchar;
  return t;
}();

// Where a Host's name ends: after the ']' of an IPv6 literal, else at the port's colon.
size_t name_end(std::string_view h) {
  if (h.empty()) return 0;
  size_t end = h[0] == '[' ? h.find(']') : h.find(':');
  return end == std::string_view::npos ? h.size() : end + (h[0] == '[');
}

// The normal form's rules besides lowercase: no dot ending the name, no ":80".
bool normal_tail(std::string_view h) {
  size_t end = name_end(h);
  return !(end > 1 && h[end - 1] == '.') && h.substr(end) != ":80";
}

// Validates a Host value, and notes on `req` whether it is normal and a token already.
bool valid_host(std::string_view h, RequestHead* req = nullptr) {
  uint8_t all = kValid, any = 0;
  for (unsigned char c : h) all &= kHostByte[c], any |= kHostByte[c];
  if (!all) return false;
  // An empty label ("secret.example..") is no name: normalising drops one trailing dot, so
  // it would stay "secret.example." past a host rule for secret.example (the fuzzer found
  // normalisation not idempotent there). Refused, as lighttpd refuses it.
  if (h.find("..") != std::string_view::npos) return false;
  if (req) {
    req->host_token = !(any & kNotTchar) && !h.empty();
    req->host_normal = !(any & kUpper) && normal_tail(h);  // the loop above saw every capital
  }
  return true;
}

}  // namespace

std::string normalized_host(std::string_view h) {
  std::string out(h);
  for (char& c : out) c = char(c >= 'A' && c <= 'Z' ? c + 32 : c);
  size_t end = name_end(out);
  if (end > 1 && out[end - 1] == '.') out.erase(end - 1, 1), --end;
  if (out.compare(end, std::string::npos, ":80") == 0) out.erase(end);  // http's own port, as lighttpd drops it
  return out;
}

bool is_normalized_host(std::string_view h) {
  for (char c : h)
    if (c >= 'A' && c <= 'Z') return false;
  return normal_tail(h);
}

FieldKind field_kind(std::string_view n) {
  using K = FieldKind;
  switch (n.size()) {
    case 2: return iequals(n, "te") ? K::te : K::other;
    case 4: return iequals(n, "host") ? K::host : K::other;
    case 6: return iequals(n, "expect") ? K::expect : K::other;
    case 7: return iequals(n, "upgrade") ? K::upgrade : iequals(n, "trailer") ? K::trailer : K::other;
    case 9: return iequals(n, "forwarded") ? K::forwarded : K::other;
    case 10: return iequals(n, "connection") ? K::connection : iequals(n, "keep-alive") ? K::keep_alive : K::other;
    case 14: return iequals(n, "content-length") ? K::content_length : K::other;
    case 15: return iequals(n, "x-forwarded-for") ? K::x_forwarded_for : K::other;
    case 16:
      return iequals(n, "x-forwarded-host") ? K::x_forwarded_host
             : iequals(n, "proxy-connection") ? K::proxy_connection : K::other;
    case 17:
      return iequals(n, "transfer-encoding") ? K::transfer_encoding
             : iequals(n, "x-forwarded-proto") ? K::x_forwarded_proto : K::other;
    case 18: return iequals(n, "proxy-authenticate") ? K::proxy_authenticate : K::other;
    case 19: return iequals(n, "proxy-authorization") ? K::proxy_authorization : K::other;
    default: return K::other;
  }
}

namespace {
// The Connection options a proxy acts on, in one pass over the list.
struct ConnectionOptions {
  bool close = false, keep_alive = false, upgrade = false;
  void scan(std::string_view list) {
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view t = trim_ows(list.substr(0, comma));
      if (t.size() == 5) close = close || iequals(t, "close");
      else if (t.size() == 10) keep_alive = keep_alive || iequals(t, "keep-alive");
      else if (t.size() == 7) upgrade = upgrade || iequals(t, "upgrade");
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
};
}  // namespace

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (iequals(trim_ows(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

ParseStatus parse_request_head(std::string_view buf, size_t max_head, RequestHead& out,
                               ParseError& err, size_t max_fields) {
  // RFC 9112 2.2: ignore empty lines before the request line.
  size_t skip = 0;
  while (skip < buf.size() && (buf[skip] == '\r' || buf[skip] == '\n')) ++skip;
  std::string_view b = buf.substr(skip);
  LineEnds ends;
  size_t end = find_head_end(b, ends);
  if (end == 0) {
    if (b.size() > max_head) return err = {431, "request head too large"}, ParseStatus::error;
    return ParseStatus::incomplete;
  }
  if (end > max_head) return err = {431, "request head too large"}, ParseStatus::error;
  LineReader lines{b.substr(0, end), &ends};
  std::string_view line;
  lines.next(line, true);
  if (lines.bad) return err = {400, "bare CR in request line"}, ParseStatus::error;
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return err = {400, "malformed request line"}, ParseStatus::error;
  out.method = line.substr(0, sp1);
  out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!is_token(out.method)) return err = {400, "invalid method"}, ParseStatus::error;
  if (out.target.empty()) return err = {400, "empty request target"}, ParseStatus::error;
  for (unsigned char c : out.target)
    if (c <= 0x20 || c >= 0x7f) return err = {400, "invalid request target"}, ParseStatus::error;
  int minor = parse_version(line.substr(sp2 + 1));
  if (minor == -2) return err = {400, "malformed HTTP version"}, ParseStatus::error;
  if (minor == -1) return err = {505, "HTTP version not supported"}, ParseStatus::error;
  out.version_minor = minor;
  out.fields.clear();
  out.fields.reserve(24);
  if (!parse_fields(lines, out.fields, err, max_fields)) return ParseStatus::error;
  out.head_bytes = skip + end;
  return ParseStatus::complete;
}

bool validate_request(RequestHead& req, ParseError& err) {
  int hosts = 0, lengths = 0, codings = 0;
  std::string_view te;
  uint64_t length = 0;
  bool upgrade_field = false;
  ConnectionOptions conn;
  for (const Field& f : req.fields) {
    switch (kind_of(f)) {
      case FieldKind::host:
        if (++hosts > 1) return err = {400, "more than one Host header"}, false;
        if (!valid_host(f.value, &req)) return err = {400, "invalid Host header"}, false;
        req.host = f.value;
        break;
      case FieldKind::content_length: {
        uint64_t n = 0;
        if (!parse_content_length(f.value, n)) return err = {400, "invalid Content-Length"}, false;
        if (lengths++ > 0 && n != length) return err = {400, "conflicting Content-Length"}, false;
        length = n;
        break;
      }
      case FieldKind::transfer_encoding:
        ++codings;
        te = f.value;
        break;
      case FieldKind::connection:
        // Several Connection fields combine: keep-alive is decided over all of them.
        conn.scan(f.value);
        break;
      case FieldKind::expect:
        if (iequals(f.value, "100-continue")) req.expect_continue = req.version_minor >= 1;
        break;
      case FieldKind::upgrade:
        upgrade_field = true;
        break;
      case FieldKind::te:
        for (std::string_view v = f.value; !v.empty();) {  // a list: "trailers, deflate;q=0.5"
          size_t comma = v.find(',');
          if (iequals(trim_ows(v.substr(0, comma)), "trailers")) req.te_trailers = true;
          v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
        }
        break;
      default:
        break;
    }
  }
  // An absolute-form target names the authority itself (RFC 9112 3.2.2).
  if (req.target.front() != '/') {
    std::string_view t = req.target;
    size_t scheme_end = t.find("://");
    if (req.method == "OPTIONS" && t == "*") {
    } else if (scheme_end != std::string_view::npos &&
               (iequals(t.substr(0, scheme_end), "http") ||
                iequals(t.substr(0, scheme_end), "https"))) {
      std::string_view rest = t.substr(scheme_end + 3);
      size_t slash = rest.find_first_of("/?");
      req.host = rest.substr(0, slash);
      if (req.host.empty() || !valid_host(req.host, &req)) return err = {400, "invalid authority"}, false;
      req.target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
      if (req.target.front() == '?') return err = {400, "invalid request target"}, false;
    } else {
      return err = {400, "invalid request target"}, false;
    }
  }
  if (req.version_minor == 1 && hosts == 0) return err = {400, "missing Host header"}, false;
  if (codings > 0) {
    if (req.version_minor == 0) return err = {400, "Transfer-Encoding in HTTP/1.0"}, false;
    if (codings > 1 || !iequals(te, "chunked"))
      return err = {400, "unsupported Transfer-Encoding"}, false;
    if (lengths > 0) return err = {400, "both Content-Length and Transfer-Encoding"}, false;
    req.framing = Framing::chunked;
  } else if (lengths > 0 && length > 0) {
    req.framing = Framing::length;
    req.content_length = length;
  } else {
    req.framing = Framing::none;
  }
  req.keep_alive = req.version_minor >= 1 ? !conn.close : (conn.keep_alive && !conn.close);
  if (conn.upgrade && upgrade_field) req.upgrade = true;
  return true;
}

ParseStatus parse_response_head(std::string_view buf, size_t max_head, bool request_was_head,
                                ResponseHead& out, ParseError& err) {
  LineEnds ends;
  size_t end = find_head_end(buf, ends);
  if (end == 0) {
    if (buf.size() > max_head) return err = {502, "response head too large"}, ParseStatus::error;
    return ParseStatus::incomplete;
  }
  if (end > max_head) return err = {502, "response head too large"}, ParseStatus::error;
  LineReader lines{buf.substr(0, end), &ends};
  std::string_view line;
  lines.next(line, true);
  if (lines.bad || line.size() < 12 || line[8] != ' ')
    return err = {502, "malformed status line"}, ParseStatus::error;
  int minor = parse_version(line.substr(0, 8));
  if (minor < 0) return err = {502, "unsupported response version"}, ParseStatus::error;
  out.version_minor = minor;
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return err = {502, "malformed status code"}, ParseStatus::error;
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || (line.size() > 12 && line[12] != ' '))
    return err = {502, "malformed status code"}, ParseStatus::error;
  out.status = status;
  out.reason = line.size() > 13 ? line.substr(13) : std::string_view();
  out.fields.clear();
  out.fields.reserve(24);
  if (!parse_fields(lines, out.fields, err)) {
    err.status = 502;
    return ParseStatus::error;
  }
  out.head_bytes = end;
  int lengths = 0;
  uint64_t length = 0;
  std::string_view te;
  ConnectionOptions conn;
  for (const Field& f : out.fields) {
    FieldKind k = kind_of(f);
    if (k == FieldKind::content_length) {
      uint64_t n = 0;
      if (!parse_content_length(f.value, n) || (lengths++ > 0 && n != length))
        return err = {502, "invalid Content-Length from backend"}, ParseStatus::error;
      length = n;
    } else if (k == FieldKind::transfer_encoding) {
      te = f.value;  // the final coding decides (RFC 9112 6.3)
    } else if (k == FieldKind::connection) {
      conn.scan(f.value);
    }
  }
  out.keep_alive = minor >= 1 ? !conn.close : (conn.keep_alive && !conn.close);
  out.content_length = 0;
  if (request_was_head || status < 200 || status == 204 || status == 304) {
    out.framing = Framing::none;
  } else if (!te.empty()) {
    size_t comma = te.rfind(',');
    std::string_view last = trim_ows(comma == std::string_view::npos ? te : te.substr(comma + 1));
    out.framing = iequals(last, "chunked") ? Framing::chunked : Framing::until_close;
    if (lengths > 0) out.keep_alive = false;
  } else if (lengths > 0) {
    out.framing = Framing::length;
    out.content_length = length;
  } else {
    out.framing = Framing::until_close;
  }
  if (out.framing == Framing::until_close) out.keep_alive = false;
  return ParseStatus::complete;
}

bool parse_trailer_fields(std::string_view text, std::vector<Field>& out) {
  out.clear();
  if (text.empty()) return true;
  // parse_fields reads up to the empty line that ends a section: here, the end of `text`.
  std::string section(text);
  section += "\r\n";
  LineReader lines{section};
  std::vector<Field> all;
  ParseError err;
  if (!parse_fields(lines, all, err) || lines.consumed != section.size()) return false;
  for (const Field& f : all)  // the views move from the copy to `text`: the same offsets
    if (!trailer_forbidden(f.name))
      out.push_back({text.substr(size_t(f.name.data() - section.data()), f.name.size()),
                     text.substr(size_t(f.value.data() - section.data()), f.value.size()), f.kind});
  return true;
}

}  // namespace cutover::http1
