// HTTP/1.x message heads as views into the read buffer (pure codec, no I/O).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cutover::http1 {

struct Field {
  std::string_view name;
  std::string_view value;
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
};

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

// Case-insensitive ASCII comparison for field names and tokens.
bool iequals(std::string_view a, std::string_view b);

// True if `list` (a comma-separated header value) contains `token` case-insensitively.
bool has_token(std::string_view list, std::string_view token);

// A Host value as backends get it (what lighttpd and nginx's $host send): lowercased, a
// trailing dot of the name dropped, the port kept.
std::string normalized_host(std::string_view host);

// Hop-by-hop headers (RFC 9110 7.6.1) that a proxy never forwards.
bool is_hop_by_hop(std::string_view name);

}  // namespace cutover::http1
