// HTTP Basic authentication, the pure parts: the Authorization field, htpasswd and group
// files, the `require` rule, and the failed-attempt limiter (time injected).
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cutover::auth {

struct BasicCredentials {
  std::string user, password;
};
// "Basic dXNlcjpwYXNz" (scheme case-insensitive); nullopt when not Basic or malformed.
std::optional<BasicCredentials> parse_basic(std::string_view authorization);
// The same, telling the two apart as lighttpd does: another scheme (401) from a Basic
// field whose base64 or "user:password" is broken (400).
enum class BasicField { ok, not_basic, malformed };
BasicField read_basic(std::string_view authorization, BasicCredentials& out);

struct FileProblem {
  size_t line = 0;
  std::string what;
};

// user -> hash. Blank lines and '#' comments skipped; anything else without "user:hash"
// is a problem (reported, the line ignored).
std::map<std::string, std::string> parse_htpasswd(std::string_view text, std::vector<FileProblem>* problems = nullptr);
// lighttpd's plain user file: "user:password" in clear (the password may hold ':').
std::map<std::string, std::string> parse_plain_users(std::string_view text, std::vector<FileProblem>* problems = nullptr);
// An htdigest file: "user:realm:hex MD5(user:realm:password)"; only `realm`'s lines are kept.
std::map<std::string, std::string> parse_htdigest(std::string_view text, std::string_view realm,
                                                  std::vector<FileProblem>* problems = nullptr);
// Apache group file: "group: user1 user2". Returns user -> groups.
std::map<std::string, std::vector<std::string>> parse_groups(std::string_view text,
                                                             std::vector<FileProblem>* problems = nullptr);

// lighttpd's `require`: "valid-user", or "user=a|user=b|group=g" (any one suffices).
// lighttpd 1.4 parses "host=" and never lets it admit anyone ("not implemented"): kept as
// `hosts`, which satisfies() ignores the same way.
struct Requirement {
  bool valid_user = false;
  std::vector<std::string> users, groups, hosts;
};
bool parse_requirement(std::string_view text, Requirement& out, std::string& why);
bool satisfies(const Requirement& r, const std::string& user,
               const std::map<std::string, std::vector<std::string>>& groups);

// Failed attempts per client IP: after `max_failures` within `window_ms`, the IP is
// refused (429) for `block_ms` without its password being checked.
class FailureLimiter {
 public:
  FailureLimiter(uint32_t max_failures, int64_t window_ms, int64_t block_ms)
      : max_(max_failures), window_(window_ms), block_(block_ms) {}
  // 0: may try; otherwise the milliseconds left in its block.
  int64_t blocked_for(const std::string& ip, int64_t now) const;
  // True when this failure started a block.
  bool failed(const std::string& ip, int64_t now);
  void succeeded(const std::string& ip);
  size_t tracked() const;

 private:
  struct Entry {
    uint32_t count = 0;
    int64_t window_start = 0, blocked_until = 0;
  };
  void prune(int64_t now);
  uint32_t max_;
  int64_t window_, block_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace cutover::auth
