// libFuzzer target: target normalisation is idempotent and never yields dot segments.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rewrite/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::url;
  std::string in(reinterpret_cast<const char*>(data), size);
  std::string once, twice;
  if (!normalize_target(in, once)) return 0;
  if (once.empty() || once[0] != '/') return 0;  // "*" and the like
  if (!normalize_target(once, twice) || twice != once) __builtin_trap();
  std::string_view path = path_of(once);
  if (path.find("/../") != std::string_view::npos || path.find("/./") != std::string_view::npos) __builtin_trap();
  for (auto e : {Encoding::psnde, Encoding::esc, Encoding::escnde, Encoding::b64u_enc, Encoding::b64u_dec})
    (void)encode(in, e);
  (void)decode(in);
  return 0;
}
