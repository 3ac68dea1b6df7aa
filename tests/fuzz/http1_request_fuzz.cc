// libFuzzer target: the request-head parser and validator never crash or over-read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http1/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::http1;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  RequestHead h;
  ParseError err;
  if (parse_request_head(in, 8192, h, err) == ParseStatus::complete) {
    if (h.head_bytes > size) __builtin_trap();
    validate_request(h, err);
  }
  return 0;
}
