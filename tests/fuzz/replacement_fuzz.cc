// libFuzzer target: lighttpd replacement parsing and expansion.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rewrite/replacement.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover;
  std::string text(reinterpret_cast<const char*>(data), size);
  Replacement r;
  std::string err;
  size_t off = 0;
  if (!r.parse(text, err, off)) {
    if (off > size) __builtin_trap();
    return 0;
  }
  static const Regex re = [] {
    std::string e;
    size_t o;
    return *Regex::compile("^/([^/]*)/(.*)", e, o);
  }();
  Captures caps;
  std::string subject = "/a%20b/c?d=1";
  re.match(subject, &caps);
  UrlParts u{"http", "example.org:8080", subject};
  (void)r.expand(caps, &caps, u);
  return 0;
}
