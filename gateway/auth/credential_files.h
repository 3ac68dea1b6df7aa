// The htpasswd (and group) file of one protected area, re-read when it changes: at most
// one stat per second, a new table swapped in whole; a file that turns unreadable or empty
// of users keeps the last good table (and says so).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cutover::auth {

struct Credentials {
  std::map<std::string, std::string> users;                // user -> hash
  std::map<std::string, std::vector<std::string>> groups;  // user -> groups
};

class CredentialFiles {
 public:
  using Logger = std::function<void(const std::string&)>;
  CredentialFiles(std::string htpasswd, std::string groups, Logger warn);
  // Loads now; false with `why` if the htpasswd file cannot be read (config check).
  bool load(std::string& why);
  // The current table, re-read first if a second has passed and a file changed.
  std::shared_ptr<const Credentials> current(int64_t now_ms);
  const std::string& htpasswd_path() const { return htpasswd_; }

 private:
  struct Signature {
    uint64_t ino = 0, size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const Signature&) const = default;
  };
  bool read(std::shared_ptr<Credentials>& out, std::string& why);
  Signature signature(const std::string& path) const;
  std::string htpasswd_, groups_;
  Logger warn_;
  std::mutex mu_;
  std::shared_ptr<const Credentials> table_;
  Signature sig_pw_, sig_gr_;
  int64_t checked_ms_ = 0;
};

}  // namespace cutover::auth
