#include "http_backend/request_mapping.h"

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

std::string build_request_head(const ForwardRequest& req, const BackendSpec& backend,
                               bool has_body, std::optional<uint64_t> length) {
  const http1::RequestHead& h = *req.head;
  std::string out;
  out.reserve(256 + h.head_bytes);
  out.append(h.method).append(" ").append(req.target).append(" HTTP/1.1\r\n");
  std::string_view host = h.host;
  std::string fallback_host;
  if (host.empty()) {
    fallback_host = backend.is_unix ? "localhost" : backend.host + ":" + std::to_string(backend.port);
    host = fallback_host;
  }
  out.append("Host: ").append(host).append("\r\n");
  std::string xff;
  std::string forwarded;
  for (const Field& f : h.fields) {
    if (iequals(f.name, "host") || iequals(f.name, "content-length") || iequals(f.name, "expect") ||
        iequals(f.name, "x-forwarded-proto") || iequals(f.name, "x-forwarded-host"))
      continue;
    if (iequals(f.name, "x-forwarded-for")) {
      xff.append(xff.empty() ? "" : ", ").append(f.value);
      continue;
    }
    if (iequals(f.name, "forwarded")) {
      forwarded.append(forwarded.empty() ? "" : ", ").append(f.value);
      continue;
    }
    if (http1::is_hop_by_hop(f.name) || named_in_connection(h.fields, f.name)) continue;
    out.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  xff.append(xff.empty() ? "" : ", ").append(req.client_ip);
  out.append("X-Forwarded-For: ").append(xff).append("\r\n");
  out.append("X-Forwarded-Proto: ").append(req.scheme).append("\r\n");
  if (!h.host.empty()) out.append("X-Forwarded-Host: ").append(h.host).append("\r\n");
  // RFC 7239: IPv6 addresses are quoted and bracketed.
  std::string node = req.client_ip.find(':') != std::string_view::npos
                         ? "\"[" + std::string(req.client_ip) + "]\""
                         : std::string(req.client_ip);
  forwarded.append(forwarded.empty() ? "" : ", ").append("for=").append(node);
  if (!h.host.empty()) {
    bool plain = h.host.find_first_of(":[]") == std::string_view::npos;
    forwarded.append(";host=").append(plain ? "" : "\"").append(h.host).append(plain ? "" : "\"");
  }
  forwarded.append(";proto=").append(req.scheme);
  out.append("Forwarded: ").append(forwarded).append("\r\n");
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
  return out;
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
