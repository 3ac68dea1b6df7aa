#include "http_backend/request_mapping.h"

#include <array>

#include <algorithm>

namespace cutover::http_backend {
namespace {

using http1::Field;
using http1::has_token;
using http1::iequals;

// The Connection fields of a head, found once: a field they name is hop-by-hop too
// (RFC 9110 7.6.1). Most heads have none or one.
class ConnectionNames {
 public:
  explicit ConnectionNames(const std::vector<Field>& fields) {
    for (const Field& f : fields)
      if (http1::kind_of(f) == http1::FieldKind::connection) {
        if (n_ < kInline) values_[n_] = f.value;
        ++n_;
      }
    if (n_ > kInline) all_ = &fields;  // rare: look through all of them
  }
  bool names(std::string_view name) const {
    if (all_) {
      for (const Field& f : *all_)
        if (http1::kind_of(f) == http1::FieldKind::connection && has_token(f.value, name)) return true;
      return false;
    }
    for (size_t i = 0; i < n_; ++i)
      if (has_token(values_[i], name)) return true;
    return false;
  }

 private:
  static constexpr size_t kInline = 4;
  std::string_view values_[kInline];
  size_t n_ = 0;
  const std::vector<Field>* all_ = nullptr;
};

}  // namespace

void build_request_head(const ForwardRequest& req, const BackendSpec& backend, bool has_body,
                        std::optional<uint64_t> length, std::string& out) {
  const http1::RequestHead& h = *req.head;
  // The Host as lighttpd and nginx ($host) pass it on: lowercased, no trailing dot.
  std::string_view host = h.host;
  std::string normalized;
  bool plain_host = true;
  for (size_t i = 0; i < host.size() && plain_host; ++i)
    plain_host = !(host[i] >= 'A' && host[i] <= 'Z') && !(host[i] == '.' && (i + 1 == host.size() || host[i + 1] == ':'));
  if (!plain_host) host = normalized = http1::normalized_host(host);
  out.clear();
  out.append(h.method).append(" ").append(req.target).append(" HTTP/1.1\r\nHost: ");
  if (host.empty()) {
    if (backend.is_unix) out.append("localhost");
    else out.append(backend.host).append(":").append(std::to_string(backend.port));
  } else {
    out.append(host);
  }
  out.append("\r\n");
  bool has_xff = false, has_forwarded = false;
  ConnectionNames connection(h.fields);
  for (const Field& f : h.fields) {
    // Host, the length and the forwarding fields are written below; hop-by-hop ones never.
    http1::FieldKind k = http1::kind_of(f);
    if (k == http1::FieldKind::x_forwarded_for) has_xff = true;
    else if (k == http1::FieldKind::forwarded) has_forwarded = true;
    if (k != http1::FieldKind::other || connection.names(f.name)) continue;
    if (!req.user_header.empty() && iequals(f.name, req.user_header)) continue;
    if (req.extra_fields && std::any_of(req.extra_fields->begin(), req.extra_fields->end(),
                                        [&](const Field& x) { return iequals(x.name, f.name); }))
      continue;
    http1::append_field_line(out, f.name, f.value);
  }
  if (req.extra_fields)
    for (const Field& f : *req.extra_fields) http1::append_field_line(out, f.name, f.value);
  if (!req.user_header.empty() && !req.remote_user.empty()) http1::append_field_line(out, req.user_header, req.remote_user);
  // Earlier hops' values first, then this one (several fields combine with ", ").
  auto append_list = [&](const char* name, bool present, const char* field) {
    out.append(name).append(": ");
    if (present) {
      bool first = true;
      for (const Field& f : h.fields) {
        if (!iequals(f.name, field)) continue;
        if (!first) out.append(", ");
        out.append(f.value);
        first = false;
      }
      out.append(", ");
    }
  };
  // This hop: whoever connected (a trusted proxy's own address stays in the list).
  std::string_view hop = req.peer_ip.empty() ? req.client_ip : req.peer_ip;
  append_list("X-Forwarded-For", has_xff, "x-forwarded-for");
  out.append(hop).append("\r\n");
  out.append("X-Forwarded-Proto: ").append(req.scheme).append("\r\n");
  if (!host.empty()) out.append("X-Forwarded-Host: ").append(host).append("\r\n");
  append_list("Forwarded", has_forwarded, "forwarded");
  // RFC 7239: IPv6 addresses are quoted and bracketed.
  bool v6 = hop.find(':') != std::string_view::npos;
  out.append(v6 ? "for=\"[" : "for=").append(hop).append(v6 ? "]\"" : "");
  if (!host.empty()) {
    out.append(";host=");
    // The parser found the client's Host a token already (the usual case without a port).
    if (h.host_token && host.data() == h.host.data() && host.size() == h.host.size()) out.append(host);
    else append_forwarded_value(out, host);
  }
  out.append(";proto=").append(req.scheme).append("\r\n");
  if (h.upgrade) {
    for (const Field& f : h.fields)
      if (iequals(f.name, "upgrade")) out.append("Upgrade: ").append(f.value).append("\r\n");
    out.append("Connection: upgrade\r\n");
  }
  if (has_body) {
    if (length) out.append("Content-Length: ").append(std::to_string(*length)).append("\r\n");
    else out.append("Transfer-Encoding: chunked\r\n");
  }
  out.append("\r\n");
}

namespace {
// RFC 9110 5.6.2 tchar.
constexpr auto kTchar = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[size_t(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[size_t(c)] = t[size_t(c - 32)] = true;
  return t;
}();
}  // namespace

void append_forwarded_value(std::string& out, std::string_view v) {
  // RFC 7239 4: a token, or else a quoted-string (RFC 9110 5.6.4) with '"' and '\\' escaped.
  // One pass over the value: it runs for every request.
  bool token = !v.empty(), plain = true;
  for (unsigned char c : v) {
    token = token && kTchar[c];
    plain = plain && c != '"' && c != '\\';
  }
  if (token) {
    out.append(v);
    return;
  }
  out.push_back('"');
  if (plain) {
    out.append(v);
  } else {
    for (char c : v) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void response_fields(const http1::ResponseHead& r, std::vector<Field>& out) {
  out.clear();
  out.reserve(r.fields.size() + 2);
  ConnectionNames connection(r.fields);
  for (const Field& f : r.fields) {
    http1::FieldKind k = http1::kind_of(f);
    if (k == http1::FieldKind::content_length || http1::is_hop_by_hop(k)) continue;
    if (connection.names(f.name)) continue;
    out.push_back(f);
  }
}

}  // namespace cutover::http_backend
