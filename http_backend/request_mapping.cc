#include "http_backend/request_mapping.h"

#include <algorithm>

namespace cutover::http_backend {
namespace {

using http1::Field;
using http1::has_token;
using http1::iequals;

// True if `name` is listed in any Connection field of `fields` (RFC 9110 7.6.1).
bool named_in_connection(const std::vector<Field>& fields, std::string_view name) {
  for (const Field& f : fields)
    if (iequals(f.name, "connection") && has_token(f.value, name)) return true;
  return false;
}

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
  for (const Field& f : h.fields) {
    if (iequals(f.name, "x-forwarded-for")) has_xff = true;
    else if (iequals(f.name, "forwarded")) has_forwarded = true;
    if (iequals(f.name, "host") || iequals(f.name, "content-length") || iequals(f.name, "expect") ||
        iequals(f.name, "x-forwarded-proto") || iequals(f.name, "x-forwarded-host") ||
        iequals(f.name, "x-forwarded-for") || iequals(f.name, "forwarded"))
      continue;
    if (http1::is_hop_by_hop(f.name) || named_in_connection(h.fields, f.name)) continue;
    if (!req.user_header.empty() && iequals(f.name, req.user_header)) continue;
    if (req.extra_fields && std::any_of(req.extra_fields->begin(), req.extra_fields->end(),
                                        [&](const Field& x) { return iequals(x.name, f.name); }))
      continue;
    out.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  if (req.extra_fields)
    for (const Field& f : *req.extra_fields) out.append(f.name).append(": ").append(f.value).append("\r\n");
  if (!req.user_header.empty() && !req.remote_user.empty())
    out.append(req.user_header).append(": ").append(req.remote_user).append("\r\n");
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
  append_list("X-Forwarded-For", has_xff, "x-forwarded-for");
  out.append(req.client_ip).append("\r\n");
  out.append("X-Forwarded-Proto: ").append(req.scheme).append("\r\n");
  if (!host.empty()) out.append("X-Forwarded-Host: ").append(host).append("\r\n");
  append_list("Forwarded", has_forwarded, "forwarded");
  // RFC 7239: IPv6 addresses are quoted and bracketed.
  bool v6 = req.client_ip.find(':') != std::string_view::npos;
  out.append(v6 ? "for=\"[" : "for=").append(req.client_ip).append(v6 ? "]\"" : "");
  if (!host.empty()) {
    bool plain = host.find_first_of(":[]") == std::string_view::npos;
    out.append(";host=").append(plain ? "" : "\"").append(host).append(plain ? "" : "\"");
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

void response_fields(const http1::ResponseHead& r, std::vector<Field>& out) {
  out.clear();
  out.reserve(r.fields.size() + 2);
  for (const Field& f : r.fields) {
    if (iequals(f.name, "content-length") || http1::is_hop_by_hop(f.name)) continue;
    if (named_in_connection(r.fields, f.name)) continue;
    out.push_back(f);
  }
}

}  // namespace cutover::http_backend
