// libFuzzer target: FastCGI record parsing and the record contents a backend may send.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fcgi_adapter/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::fcgi;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    Record r;
    if (parse_record(in, r) != ParseStatus::complete) break;
    if (r.size > in.size() || r.size < kHeaderLen) __builtin_trap();
    std::vector<std::pair<std::string_view, std::string_view>> nv;
    parse_name_values(r.content, nv);
    EndRequest e;
    parse_end_request(r.content, e);
    BeginRequest b;
    parse_begin_request(r.content, b);
    in.remove_prefix(r.size);
  }
  return 0;
}
