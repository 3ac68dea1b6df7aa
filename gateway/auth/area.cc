#include "auth/area.h"

#include <openssl/evp.h>

#include "auth/password.h"

namespace cutover::auth {
namespace {
// Checked for an unknown user when the file gives no stand-in (Credentials::stand_in).
constexpr const char* kDummyHash = "$2y$05$oy7.LFBWjHbyc.XLWzyCwe1HGcb7OMx5xb/FE1z9MOdvVrUbSnHoS";
constexpr size_t kCacheMax = 10000;
}  // namespace

const char* verdict_text(Verdict v) {
  switch (v) {
    case Verdict::allowed: return "allowed";
    case Verdict::no_credentials: return "no credentials";
    case Verdict::unknown_user: return "unknown user";
    case Verdict::wrong_password: return "wrong password";
    case Verdict::not_permitted: return "user not permitted here";
    case Verdict::malformed: return "malformed Authorization";
  }
  return "?";
}

std::string sha256(std::string_view s) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), out, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

Area::Area(AreaRules rules, CredentialFiles::Logger log)
    : rules_(std::move(rules)), files_(rules_.htpasswd, rules_.groups, std::move(log)),
      limiter_(rules_.max_failures, rules_.failure_window_ms, rules_.block_ms) {}

std::optional<Verdict> Area::cached(std::string_view authorization, int64_t now_ms, std::string& user) {
  if (authorization.empty()) return Verdict::no_credentials;
  auto table = files_.current(now_ms);
  std::lock_guard lock(mu_);
  if (table != cache_table_) {  // the files changed: every earlier answer is void
    cache_.clear();
    cache_table_ = table;
  }
  auto it = cache_.find(sha256(authorization));
  if (it == cache_.end()) return std::nullopt;
  user = it->second;
  return Verdict::allowed;
}

Verdict Area::check(std::string_view authorization, int64_t now_ms, std::string& user) {
  auto creds = parse_basic(authorization);
  if (!creds) return Verdict::malformed;
  user = creds->user;
  auto table = files_.current(now_ms);
  if (!table) return Verdict::unknown_user;
  auto it = table->users.find(creds->user);
  if (it == table->users.end()) {
    verify_password(table->stand_in.empty() ? kDummyHash : table->stand_in, creds->password);
    return Verdict::unknown_user;
  }
  if (!verify_password(it->second, creds->password)) return Verdict::wrong_password;
  if (!satisfies(rules_.require, creds->user, table->groups)) return Verdict::not_permitted;
  std::lock_guard lock(mu_);
  if (table == cache_table_ || !cache_table_) {
    if (cache_.size() >= kCacheMax) cache_.clear();
    cache_table_ = table;
    cache_[sha256(authorization)] = creds->user;
  }
  return Verdict::allowed;
}

}  // namespace cutover::auth
