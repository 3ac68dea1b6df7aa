// The mapping layer for HTTP backends: which request head a backend receives (hop-by-hop
// headers removed, forwarding headers added) and which response fields the client gets.
// Pure functions, no I/O.
#pragma once
#include <string>
#include <vector>

#include "core/upstream.h"
#include "http1/message.h"

namespace cutover::http_backend {

// Builds the request head for the backend. The body framing is Content-Length when the
// length is known, chunked otherwise.
void build_request_head(const ForwardRequest& req, const BackendSpec& backend, bool has_body,
                        std::optional<uint64_t> length, std::string& out);

// Copies the end-to-end fields of a backend response (drops hop-by-hop headers, the ones
// named in Connection, and Content-Length/Transfer-Encoding, which the core re-frames).
// One Forwarded parameter value (RFC 7239): as a token when it is one, else quoted, so a
// value such as a Host "t,for=6.6.6.6" cannot add elements or parameters.
void append_forwarded_value(std::string& out, std::string_view v);

void response_fields(const http1::ResponseHead& r, std::vector<http1::Field>& out);

}  // namespace cutover::http_backend
