// libFuzzer target: the chunked decoder, fed in pieces whose sizes come from the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http1/chunked.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cutover::http1::ChunkedDecoder;
  if (size < 1) return 0;
  size_t step = size_t(data[0] % 16) + 1;
  std::string_view all(reinterpret_cast<const char*>(data + 1), size - 1);
  ChunkedDecoder d;
  size_t body = 0;
  for (size_t pos = 0; pos < all.size(); pos += step) {
    std::string_view in = all.substr(pos, step);
    while (true) {
      std::string_view out;
      auto st = d.step(in, out);
      if (st == ChunkedDecoder::Status::data) {
        if (out.data() < all.data() || out.data() + out.size() > all.data() + all.size()) __builtin_trap();
        body += out.size();
        continue;
      }
      if (st != ChunkedDecoder::Status::need_more) return 0;
      break;
    }
  }
  (void)body;
  return 0;
}
