#include "http1/parser.h"

#include <cstring>

namespace cutover::http1 {
namespace {

bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Finds the end of the head (after the blank line). Accepts CRLF or bare LF line ends.
// Returns 0 when the blank line is not in buf yet.
size_t find_head_end(std::string_view buf) {
  size_t pos = 0;
  while (true) {
    size_t nl = buf.find('\n', pos);
    if (nl == std::string_view::npos) return 0;
    size_t next = nl + 1;
    if (next < buf.size() && buf[next] == '\n') return next + 1;
    if (next + 1 < buf.size() && buf[next] == '\r' && buf[next + 1] == '\n') return next + 2;
    if (next >= buf.size() || (next + 1 >= buf.size() && buf[next] == '\r')) return 0;
    pos = next;
  }
}

// Splits the head into lines; a CR is allowed only right before LF.
struct LineReader {
  std::string_view rest;
  bool bad = false;
  bool next(std::string_view& line) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return false;
    line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) bad = true;
    return true;
  }
};

bool parse_fields(LineReader& lines, std::vector<Field>& out, ParseError& err, size_t max_fields = kDefaultMaxFields) {
  std::string_view line;
  while (lines.next(line)) {
    if (lines.bad) return err = {400, "bare CR in header"}, false;
    if (line.empty()) return true;
    if (line.front() == ' ' || line.front() == '\t')
      return err = {400, "obsolete line folding"}, false;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return err = {400, "header line without colon"}, false;
    std::string_view name = line.substr(0, colon);
    if (!is_token(name)) {
      if (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
        return err = {400, "whitespace before colon"}, false;
      return err = {400, "invalid header name"}, false;
    }
    std::string_view value = trim_ows(line.substr(colon + 1));
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return err = {400, "control character in header value"}, false;
    if (out.size() >= max_fields) return err = {431, "too many header fields"}, false;
    out.push_back({name, value});
  }
  return err = {400, "truncated head"}, false;
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

bool valid_host(std::string_view h) {
  for (unsigned char c : h) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::strchr("\"#/<>?@\\^`{|}", c) != nullptr) return false;
  }
  return true;
}

}  // namespace

std::string normalized_host(std::string_view h) {
  std::string out(h);
  for (char& c : out) c = char(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (out.empty()) return out;
  size_t end = out.front() == '[' ? out.find(']') : out.find(':');
  if (end == std::string::npos) end = out.size();
  else if (out.front() == '[') ++end;
  if (end > 1 && out[end - 1] == '.') out.erase(end - 1, 1);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x |= 0x20;
    if (y >= 'A' && y <= 'Z') y |= 0x20;
    if (x != y) return false;
  }
  return true;
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (iequals(trim_ows(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool is_hop_by_hop(std::string_view n) {
  static constexpr std::string_view kHop[] = {"connection", "keep-alive", "proxy-connection",
                                               "te", "trailer", "transfer-encoding", "upgrade",
                                               "proxy-authenticate", "proxy-authorization"};
  for (auto h : kHop)
    if (iequals(n, h)) return true;
  return false;
}

ParseStatus parse_request_head(std::string_view buf, size_t max_head, RequestHead& out,
                               ParseError& err, size_t max_fields) {
  // RFC 9112 2.2: ignore empty lines before the request line.
  size_t skip = 0;
  while (skip < buf.size() && (buf[skip] == '\r' || buf[skip] == '\n')) ++skip;
  std::string_view b = buf.substr(skip);
  size_t end = find_head_end(b);
  if (end == 0) {
    if (b.size() > max_head) return err = {431, "request head too large"}, ParseStatus::error;
    return ParseStatus::incomplete;
  }
  if (end > max_head) return err = {431, "request head too large"}, ParseStatus::error;
  LineReader lines{b.substr(0, end)};
  std::string_view line;
  lines.next(line);
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
  bool have_upgrade = false;
  uint64_t length = 0;
  for (const Field& f : req.fields) {
    if (iequals(f.name, "host")) {
      if (++hosts > 1) return err = {400, "more than one Host header"}, false;
      if (!valid_host(f.value)) return err = {400, "invalid Host header"}, false;
      req.host = f.value;
    } else if (iequals(f.name, "content-length")) {
      uint64_t n = 0;
      if (!parse_content_length(f.value, n)) return err = {400, "invalid Content-Length"}, false;
      if (lengths++ > 0 && n != length) return err = {400, "conflicting Content-Length"}, false;
      length = n;
    } else if (iequals(f.name, "transfer-encoding")) {
      ++codings;
      te = f.value;
    } else if (iequals(f.name, "connection")) {
      // Several Connection fields combine: keep-alive is decided over all of them below.
      if (has_token(f.value, "upgrade")) have_upgrade = true;
    } else if (iequals(f.name, "expect")) {
      if (iequals(f.value, "100-continue")) req.expect_continue = req.version_minor >= 1;
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
      if (req.host.empty() || !valid_host(req.host)) return err = {400, "invalid authority"}, false;
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
  bool close = false, keep = false;
  for (const Field& f : req.fields) {
    if (!iequals(f.name, "connection")) continue;
    close = close || has_token(f.value, "close");
    keep = keep || has_token(f.value, "keep-alive");
  }
  req.keep_alive = req.version_minor >= 1 ? !close : (keep && !close);
  if (have_upgrade) {
    for (const Field& f : req.fields)
      if (iequals(f.name, "upgrade")) req.upgrade = true;
  }
  return true;
}

ParseStatus parse_response_head(std::string_view buf, size_t max_head, bool request_was_head,
                                ResponseHead& out, ParseError& err) {
  size_t end = find_head_end(buf);
  if (end == 0) {
    if (buf.size() > max_head) return err = {502, "response head too large"}, ParseStatus::error;
    return ParseStatus::incomplete;
  }
  if (end > max_head) return err = {502, "response head too large"}, ParseStatus::error;
  LineReader lines{buf.substr(0, end)};
  std::string_view line;
  lines.next(line);
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
  bool close = false, keep = false;
  for (const Field& f : out.fields) {
    if (iequals(f.name, "content-length")) {
      uint64_t n = 0;
      if (!parse_content_length(f.value, n) || (lengths++ > 0 && n != length))
        return err = {502, "invalid Content-Length from backend"}, ParseStatus::error;
      length = n;
    } else if (iequals(f.name, "transfer-encoding")) {
      te = f.value;  // the final coding decides (RFC 9112 6.3)
    } else if (iequals(f.name, "connection")) {
      close = close || has_token(f.value, "close");
      keep = keep || has_token(f.value, "keep-alive");
    }
  }
  out.keep_alive = minor >= 1 ? !close : (keep && !close);
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

}  // namespace cutover::http1
