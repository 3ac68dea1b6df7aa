// libFuzzer target: the CGI response head a FastCGI app writes on STDOUT.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fcgi_adapter/cgi_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::fcgi;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t skip = 0;
  size_t end = find_head_end(in, skip);
  if (end != std::string_view::npos && end + skip > in.size()) __builtin_trap();
  CgiHead h;
  if (parse_cgi_head(in.substr(0, end == std::string_view::npos ? in.size() : end), h)) {
    if (h.status < 100 || h.status > 999) __builtin_trap();
    if (h.local_redirect() && h.location.front() != '/') __builtin_trap();
  }
  return 0;
}
