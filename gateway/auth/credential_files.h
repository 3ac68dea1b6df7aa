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
#include <string_view>
#include <vector>

namespace cutover::auth {

// What a password file holds (lighttpd's auth.backend "htpasswd", "plain", "htdigest").
enum class FileFormat { htpasswd, plain, htdigest };
const char* file_format_name(FileFormat f);

struct Credentials {
  FileFormat format = FileFormat::htpasswd;
  // user -> its htpasswd hash, its password in clear (plain), or hex MD5(user:realm:password)
  // of the area's realm (htdigest; lines of other realms are skipped).
  std::map<std::string, std::string> users;
  std::map<std::string, std::vector<std::string>> groups;  // user -> groups
  // Checked for a user the file does not have, so that a wrong name costs what a wrong
  // password of the file's usual kind costs (no user enumeration by timing): a hash of
  // the scheme and cost most of the file's entries use. Empty: the file has no users.
  std::string stand_in;
};

// The scheme and cost of a hash, as far as they set its price: "$2y$05", "$6$rounds=5000",
// "$apr1$", "{SHA}", "des"...
std::string cost_class(std::string_view hash);
// One of `users`' hashes of the cost class most of them share ("" for none).
std::string stand_in_hash(const std::map<std::string, std::string>& users);

class CredentialFiles {
 public:
  using Logger = std::function<void(const std::string&)>;
  CredentialFiles(std::string file, std::string groups, Logger warn, FileFormat format = FileFormat::htpasswd,
                  std::string realm = "");
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
  FileFormat format_;
  std::string realm_;
  std::mutex mu_;
  std::shared_ptr<const Credentials> table_;
  Signature sig_pw_, sig_gr_;
  int64_t checked_ms_ = 0;
};

}  // namespace cutover::auth
