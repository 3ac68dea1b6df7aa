// One protected area at run time: its credential files, its failed-login limiter and a
// cache of Authorization values already checked (by SHA-256, never the password), so a
// logged-in client does not pay for bcrypt on every request. No I/O besides the files.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/basic.h"
#include "auth/credential_files.h"

namespace cutover::auth {

struct AreaRules {
  std::string prefix, realm, htpasswd, groups;
  Requirement require;
  uint32_t max_failures = 10;
  int64_t failure_window_ms = 60000, block_ms = 60000;
};

enum class Verdict { allowed, no_credentials, unknown_user, wrong_password, not_permitted, malformed };
const char* verdict_text(Verdict v);

class Area {
 public:
  Area(AreaRules rules, CredentialFiles::Logger log);
  const AreaRules& rules() const { return rules_; }
  FailureLimiter& limiter() { return limiter_; }
  bool load(std::string& why) { return files_.load(why); }

  // Quick answer from the cache (allowed with `user`), or nullopt: call check() (slow:
  // it hashes the password, so run it off the event loop).
  std::optional<Verdict> cached(std::string_view authorization, int64_t now_ms, std::string& user);
  Verdict check(std::string_view authorization, int64_t now_ms, std::string& user);

 private:
  AreaRules rules_;
  CredentialFiles files_;
  FailureLimiter limiter_;
  std::mutex mu_;
  std::shared_ptr<const Credentials> cache_table_;        // the cache is for this table
  std::unordered_map<std::string, std::string> cache_;  // sha256(Authorization) -> user
};

std::string sha256(std::string_view s);

}  // namespace cutover::auth
