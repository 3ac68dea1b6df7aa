// One protected area at run time: its credential files, its failed-login limiter and a
// cache of Authorization values already checked (by SHA-256, never the password), so a
// logged-in client does not pay for bcrypt on every request. No I/O besides the files.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/basic.h"
#include "auth/credential_files.h"
#include "auth/digest.h"

namespace cutover::auth {

enum class Scheme { basic, digest };

struct AreaRules {
  std::string prefix, realm, htpasswd, groups;  // htpasswd: the user file, in `format`
  Requirement require;
  uint32_t max_failures = 10;
  int64_t failure_window_ms = 60000, block_ms = 60000;
  Scheme scheme = Scheme::basic;
  FileFormat format = FileFormat::htpasswd;
  uint8_t algorithms = uint8_t(DigestAlgorithm::md5);  // digest: those offered and accepted
  std::string nonce_secret;  // digest: keys the nonces ("": a random one per process)
};

// malformed: 400 (what lighttpd refuses as a bad request); stale: 401 with stale=true.
enum class Verdict { allowed, no_credentials, unknown_user, wrong_password, not_permitted, malformed, stale };

// One request's credentials as the area needs them.
struct Attempt {
  std::string_view authorization;   // "" when the request has none
  std::string_view method, target;  // the request line as sent (Digest signs them)
  int64_t now_ms = 0;
};
const char* verdict_text(Verdict v);

class Area {
 public:
  Area(AreaRules rules, CredentialFiles::Logger log);
  const AreaRules& rules() const { return rules_; }
  FailureLimiter& limiter() { return limiter_; }
  bool load(std::string& why) { return files_.load(why); }

  // Quick answer from the cache (allowed with `user`), or nullopt: call check() (slow:
  // it hashes the password, so run it off the event loop). Digest answers are never
  // cached (each carries its nonce, whose age is checked every time; MD5 is cheap).
  std::optional<Verdict> cached(const Attempt& a, std::string& user);
  Verdict check(const Attempt& a, std::string& user);
  // The WWW-Authenticate values of a 401 (Digest: one per algorithm, with a fresh nonce).
  std::vector<std::string> challenges(int64_t now_ms, bool stale);
  // "Basic" or "Digest" (AUTH_TYPE).
  const char* scheme_name() const { return rules_.scheme == Scheme::digest ? "Digest" : "Basic"; }

 private:
  Verdict check_basic(const Attempt& a, std::string& user);
  Verdict check_digest(const Attempt& a, std::string& user);
  AreaRules rules_;
  std::string secret_;  // digest nonces
  CredentialFiles files_;
  FailureLimiter limiter_;
  std::mutex mu_;
  std::shared_ptr<const Credentials> cache_table_;        // the cache is for this table
  std::unordered_map<std::string, std::string> cache_;  // sha256(Authorization) -> user
};

std::string sha256(std::string_view s);

}  // namespace cutover::auth
