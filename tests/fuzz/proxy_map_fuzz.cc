// libFuzzer target: the answer side of the proxy maps reads backend-controlled Location,
// Content-Location and Set-Cookie values. Never a crash or an over-read; a mapped value
// holds only bytes of the input and of the configured maps.
#include <cstddef>
#include <cstdint>
#include <string>

#include "route/proxy_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover;
  if (size < 1) return 0;
  std::string in(reinterpret_cast<const char*>(data) + 1, size - 1);
  ProxyMap m;
  m.urlpath = {{"/proxy/", "/"}, {"/app", ""}, {"/a", "/b/c"}};
  m.host_request = {{"-", "backend.internal"}};
  m.host_response = {{"backend.internal", "-"}, {"-", "www.example.org"}, {"keep.internal", ""}};
  ProxyMapState st;
  switch (data[0] % 4) {
    case 0: map_request_target(m, in, st); break;
    case 1: map_request_host(m, in, st); break;
    default: map_request_host(m, "client.example", st); map_request_target(m, "/proxy/x", st); break;
  }
  auto check = [&in](const std::optional<std::string>& out) {
    if (!out) return;
    for (char c : *out)
      if ((c == '\r' || c == '\n' || c == '\0') && in.find(c) == std::string::npos) __builtin_trap();
  };
  check(map_response_uri(m, in, st));
  check(map_set_cookie(m, in, st));
  return 0;
}
