// libFuzzer target: the request-head parser and validator never crash or over-read.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http1/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::http1;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  RequestHead h;
  ParseError err;
  if (parse_request_head(in, 8192, h, err) == ParseStatus::complete) {
    if (h.head_bytes > size) __builtin_trap();
    if (validate_request(h, err)) {
      // What the session does with a valid head next: one normal form of the authority
      // (settle_host), and validate_request's note of it must be true.
      std::string n = normalized_host(h.host);
      if (normalized_host(n) != n) __builtin_trap();  // idempotent
      if (h.host_normal != (n == h.host)) __builtin_trap();
      if (is_normalized_host(h.host) != h.host_normal) __builtin_trap();
      for (const Field& f : h.fields)
        if (kind_of(f) == FieldKind::connection) (void)has_token(f.value, "close");
    }
  }
  return 0;
}
