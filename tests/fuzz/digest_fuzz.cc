// libFuzzer target: Digest Authorization fields, the checks on their parameters, nonces,
// and the plain / htdigest user files.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/basic.h"
#include "auth/digest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::auth;
  std::string in(reinterpret_cast<const char*>(data), size);
  if (auto p = parse_digest("Digest " + in)) {
    DigestFacts f;
    std::string uri = p->uri.value_or("/"), realm = p->realm.value_or("");  // the request views them
    DigestRequest rq{"GET", uri, realm, uint8_t(uint8_t(DigestAlgorithm::md5) | uint8_t(DigestAlgorithm::sha256))};
    if (check_digest_params(*p, rq, f) == DigestCheck::ok) {
      std::string r = digest_response(*p, f, digest_ha1(f.algorithm, f.user, *p->realm, "pw"), "GET");
      if (r.size() != (f.algorithm == DigestAlgorithm::sha256 ? 64u : 32u)) __builtin_trap();
    }
    // A nonce we did not make is never fresh.
    if (p->nonce && nonce_fresh(*p->nonce, 1'000'000, "fuzz", DigestAlgorithm::md5)) __builtin_trap();
  }
  std::string n = make_nonce(int64_t(size) * 977, uint32_t(size), in, DigestAlgorithm::md5);
  if (!nonce_fresh(n, int64_t(size) * 977, in, DigestAlgorithm::md5)) __builtin_trap();
  for (auto& [u, pw] : parse_plain_users(in))
    if (u.empty() || u.find(':') != std::string::npos) __builtin_trap();
  for (auto& [u, ha1] : parse_htdigest(in, "r"))
    if (u.empty() || ha1.size() != 32) __builtin_trap();
  return 0;
}
