#include "stage/split.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cutover::stage {
namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The bucket key for unkeyed hashing (IP, header): fixed, so instances agree.
constexpr uint8_t kBucketKey[16] = {'c', 'u', 't', 'o', 'v', 'e', 'r', '-', 'b', 'u', 'c', 'k', 'e', 't', 's', '1'};

}  // namespace

// SipHash-2-4 with a 64-bit result, from OpenSSL (its "SIPHASH" MAC), one context per
// thread: the same values as the reference implementation (tests/unit/stage/split_test.cc).
uint64_t siphash(const uint8_t key[16], std::string_view data) {
  struct Mac {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    ~Mac() {
      EVP_MAC_CTX_free(ctx);
      EVP_MAC_free(mac);
    }
  };
  thread_local Mac m;
  size_t size = 8;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_construct_end()};
  unsigned char out[8] = {};
  size_t n = 0;
  if (!m.ctx || !EVP_MAC_init(m.ctx, key, 16, params) ||
      !EVP_MAC_update(m.ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ||
      !EVP_MAC_final(m.ctx, out, &n, sizeof out))
    std::abort();  // OpenSSL without SipHash: nothing sticky can work
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | out[i];  // little-endian, as the reference returns it
  return v;
}

void key_from_secret(std::string_view secret, uint8_t key[16]) {
  uint8_t zero[16] = {};
  uint64_t a = siphash(zero, secret), b = siphash(zero, std::string(secret) + "\x01");
  for (int i = 0; i < 8; ++i) {
    key[i] = uint8_t(a >> (8 * i));
    key[8 + i] = uint8_t(b >> (8 * i));
  }
}

uint32_t bucket_of_key(std::string_view key) { return uint32_t(siphash(kBucketKey, key) % kBuckets); }
uint32_t bucket_of_id(uint64_t id) { return uint32_t(mix(id) % kBuckets); }

std::string make_cookie_value(uint64_t id, const uint8_t key[16]) {
  char idhex[17];
  std::snprintf(idhex, sizeof idhex, "%016llx", static_cast<unsigned long long>(id));
  char out[40];
  std::snprintf(out, sizeof out, "%s.%016llx", idhex,
                static_cast<unsigned long long>(siphash(key, std::string_view(idhex, 16))));
  return out;
}

std::optional<uint64_t> parse_cookie_value(std::string_view v, const uint8_t key[16]) {
  if (v.size() != 33 || v[16] != '.') return std::nullopt;
  auto hex = [](std::string_view s, uint64_t& out) {
    out = 0;
    for (char c : s) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      out = (out << 4) | uint64_t(d);
    }
    return true;
  };
  uint64_t id, mac;
  if (!hex(v.substr(0, 16), id) || !hex(v.substr(17), mac)) return std::nullopt;
  uint64_t want = siphash(key, v.substr(0, 16));
  // Constant-time comparison of the MAC.
  uint64_t diff = want ^ mac;
  if (diff != 0) return std::nullopt;
  return id;
}

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::legacy: return "legacy";
    case Stage::shadow: return "shadow";
    case Stage::canary: return "canary";
    case Stage::new_: return "new";
  }
  return "?";
}

std::optional<Stage> parse_stage(std::string_view s) {
  if (s == "legacy") return Stage::legacy;
  if (s == "shadow") return Stage::shadow;
  if (s == "canary") return Stage::canary;
  if (s == "new") return Stage::new_;
  return std::nullopt;
}

std::string describe(const StagePoint& p) {
  if (p.stage != Stage::canary) return stage_name(p.stage);
  char buf[32];
  if (p.share_bp % 100 == 0) std::snprintf(buf, sizeof buf, "canary %u%%", p.share_bp / 100);
  else std::snprintf(buf, sizeof buf, "canary %.2f%%", p.share_bp / 100.0);
  return buf;
}

StagePoint promote(const StagePoint& p, const std::vector<double>& steps) {
  switch (p.stage) {
    case Stage::legacy: return {Stage::shadow, 0};
    case Stage::shadow:
      return steps.empty() ? StagePoint{Stage::new_, kBuckets} : StagePoint{Stage::canary, percent_to_bp(steps.front())};
    case Stage::canary:
      for (double s : steps)
        if (percent_to_bp(s) > p.share_bp) return {Stage::canary, percent_to_bp(s)};
      return {Stage::new_, kBuckets};
    case Stage::new_: return p;
  }
  return p;
}

StagePoint demote(const StagePoint& p, const std::vector<double>& steps) {
  switch (p.stage) {
    case Stage::legacy: return p;
    case Stage::shadow: return {Stage::legacy, 0};
    case Stage::canary:
      for (auto it = steps.rbegin(); it != steps.rend(); ++it)
        if (percent_to_bp(*it) < p.share_bp) return {Stage::canary, percent_to_bp(*it)};
      return {Stage::shadow, 0};
    case Stage::new_:
      return steps.empty() ? StagePoint{Stage::shadow, 0} : StagePoint{Stage::canary, percent_to_bp(steps.back())};
  }
  return p;
}

}  // namespace cutover::stage
