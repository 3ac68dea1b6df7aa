// libFuzzer target: the chunked decoder, fed in pieces whose sizes come from the input,
// and its trailer section read as fields (http1::parse_trailer_fields).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "http1/chunked.h"
#include "http1/parser.h"

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
      if (st == ChunkedDecoder::Status::done) {
        std::vector<cutover::http1::Field> fields;
        std::string_view text = d.trailer_text();
        if (cutover::http1::parse_trailer_fields(text, fields))
          for (const auto& f : fields) {  // views into the decoder's text, never past it
            if (f.name.empty() || f.name.data() < text.data() || f.value.data() + f.value.size() > text.data() + text.size())
              __builtin_trap();
            if (f.value.find_first_of("\r\n") != std::string_view::npos) __builtin_trap();
          }
        return 0;
      }
      if (st != ChunkedDecoder::Status::need_more) return 0;
      break;
    }
  }
  (void)body;
  return 0;
}
