// libFuzzer target: htpasswd and group files, require rules and Authorization fields.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/basic.h"
#include "auth/password.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::auth;
  std::string in(reinterpret_cast<const char*>(data), size);
  auto users = parse_htpasswd(in);
  for (auto& [u, h] : users)
    if (u.empty() || u.find(':') != std::string::npos || h.empty()) __builtin_trap();
  (void)parse_groups(in);
  Requirement r;
  std::string why;
  (void)parse_requirement(in, r, why);
  if (auto c = parse_basic(in))
    if (c->user.empty() || c->user.find(':') != std::string::npos) __builtin_trap();
  std::string decoded;
  if (base64_decode(base64_encode(in), decoded) == false || decoded != in) __builtin_trap();
  // Hash kinds that need no slow crypt: never a match for a random hash.
  if (size < 64 && (hash_kind(in) == HashKind::apr1 || hash_kind(in) == HashKind::sha1)) (void)verify_password(in, "x");
  return 0;
}
