// libFuzzer target: the response-head parser (what a hostile backend sends).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http1/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::http1;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ResponseHead h;
  ParseError err;
  for (bool head : {false, true})
    if (parse_response_head(in, 8192, head, h, err) == ParseStatus::complete && h.head_bytes > size)
      __builtin_trap();
  return 0;
}
