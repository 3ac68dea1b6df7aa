// HTTP/1.x message heads as views into the read buffer (pure codec, no I/O).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cutover::http1 {

enum class FieldKind : uint8_t;

struct Field {
  std::string_view name;
  std::string_view value;
  // What the parser found the name to be (field_kind); unset for fields built elsewhere.
  // Read it through kind_of().
  FieldKind kind{};
};

// How a message body is delimited on the wire.
enum class Framing { none, length, chunked, until_close };

struct RequestHead {
  std::string_view method;
  std::string_view target;
  int version_minor = 1;  // HTTP/1.<minor>
  std::vector<Field> fields;
  size_t head_bytes = 0;  // bytes consumed, including the blank line

  // Derived by validate_request():
  Framing framing = Framing::none;
  uint64_t content_length = 0;
  std::string_view host;
  bool keep_alive = true;
  bool expect_continue = false;
  bool upgrade = false;  // Connection: upgrade + Upgrade: present
  bool te_trailers = false;  // TE lists "trailers": the client takes trailer fields
  // Noted while `host` was validated: it is normalised already (normalized_host would not
  // change it), and it is a token (a Forwarded host= needs no quotes).
  bool host_normal = true;
  bool host_token = false;
};

// Calls f on every view of a request head (for code that copies the text and points the
// views at the copy).
template <class F>
void for_each_view(RequestHead& h, F&& f) {
  f(h.method);
  f(h.target);
  f(h.host);
  for (Field& x : h.fields) {
    f(x.name);
    f(x.value);
  }
}

struct ResponseHead {
  int status = 0;
  std::string_view reason;
  int version_minor = 1;
  std::vector<Field> fields;
  size_t head_bytes = 0;

  Framing framing = Framing::none;
  uint64_t content_length = 0;
  bool keep_alive = true;
};

// Case-insensitive ASCII comparison for field names and tokens. Inline: the request path
// compares field names with known ones many times, and most differ in length at once.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    unsigned char lx = x | 0x20;  // equal ignoring case only if both are that letter
    if (lx != (y | 0x20) || lx < 'a' || lx > 'z') return false;
  }
  return true;
}

// The fields a proxy treats specially, told apart in one look at the name (its length,
// then one or two comparisons) instead of a comparison per known name.
enum class FieldKind : uint8_t {
  unset,  // not looked at yet
  other,
  host,
  content_length,
  expect,
  x_forwarded_for,
  x_forwarded_proto,
  x_forwarded_host,
  forwarded,
  // hop-by-hop (RFC 9110 7.6.1), connection .. proxy_authorization:
  connection,
  keep_alive,
  proxy_connection,
  te,
  trailer,
  transfer_encoding,
  upgrade,
  proxy_authenticate,
  proxy_authorization,
};
FieldKind field_kind(std::string_view name);
inline FieldKind kind_of(const Field& f) { return f.kind != FieldKind::unset ? f.kind : field_kind(f.name); }
inline bool is_hop_by_hop(FieldKind k) { return k >= FieldKind::connection; }

// True if `list` (a comma-separated header value) contains `token` case-insensitively.
bool has_token(std::string_view list, std::string_view token);

// A Host value as routing, auth and backends see it (what lighttpd normalises it to):
// lowercased, a trailing dot of the name dropped, the port kept unless it is 80.
std::string normalized_host(std::string_view host);
// Whether normalized_host(host) == host (without building it).
bool is_normalized_host(std::string_view host);

// Whether a value built at run time (an expanded replacement) may go into a field or a
// request line: no CR, LF or NUL, which would split the message (response splitting).
// One field line as HTTP/1 writes it: "name: value" CRLF (heads and trailer sections).
inline void append_field_line(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

inline bool safe_in_message(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Hop-by-hop headers (RFC 9110 7.6.1) that a proxy never forwards.
inline bool is_hop_by_hop(std::string_view name) { return is_hop_by_hop(field_kind(name)); }

}  // namespace cutover::http1
