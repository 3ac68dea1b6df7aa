// libFuzzer target: a trusted proxy's Forwarded / X-Forwarded-For / X-Forwarded-Proto
// fields, attacker-controlled in part (a proxy appends, the client wrote the start). Never a
// crash or an over-read; the address found is a numeric IP that occurs in the input.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "route/forwarded_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover;
  if (size < 1) return 0;
  std::string in(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* kNames[] = {"Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP"};
  // The input is split into fields at '\n'; the first byte picks the names in turn.
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  size_t start = 0, n = data[0];
  for (size_t i = 0; i <= in.size(); ++i)
    if (i == in.size() || in[i] == '\n') {
      fields.emplace_back(kNames[n++ % 4], std::string_view(in).substr(start, i - start));
      start = i + 1;
    }
  bool bad = false;
  auto trusted = [&](std::string_view ip) { return ip.size() % 2 == data[0] % 2; };
  ForwardedClient c = client_from_proxy(fields, {"forwarded", "x-forwarded-for", "x-real-ip"}, trusted, bad);
  if (!c.addr.empty()) {
    unsigned char buf[16];
    if (in.find(c.addr) == std::string::npos) __builtin_trap();
    if (inet_pton(AF_INET, c.addr.c_str(), buf) != 1 && inet_pton(AF_INET6, c.addr.c_str(), buf) != 1) __builtin_trap();
  }
  if (!c.scheme.empty() && c.scheme != "http" && c.scheme != "https") __builtin_trap();
  return 0;
}
