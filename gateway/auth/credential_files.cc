#include "auth/credential_files.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "auth/basic.h"

namespace cutover::auth {
namespace {

bool slurp(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

const char* file_format_name(FileFormat f) {
  switch (f) {
    case FileFormat::htpasswd: return "htpasswd";
    case FileFormat::plain: return "plain";
    case FileFormat::htdigest: return "htdigest";
  }
  return "?";
}

CredentialFiles::CredentialFiles(std::string file, std::string groups, Logger warn, FileFormat format, std::string realm)
    : htpasswd_(std::move(file)), groups_(std::move(groups)), warn_(std::move(warn)), format_(format), realm_(std::move(realm)) {}

CredentialFiles::Signature CredentialFiles::signature(const std::string& path) const {
  struct stat st;
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return {};
  return {uint64_t(st.st_ino), uint64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::string cost_class(std::string_view h) {
  if (h.substr(0, 5) == "{SHA}") return "{SHA}";
  if (h.empty() || h[0] != '$') return "des";
  size_t second = h.find('$', 1);
  if (second == std::string_view::npos) return std::string(h);
  std::string_view scheme = h.substr(0, second + 1);  // "$2y$", "$6$", "$apr1$"
  if (scheme.size() == 4 && scheme[1] == '2') return std::string(h.substr(0, 6));  // "$2y$05": the cost
  std::string_view rest = h.substr(second + 1);
  if (rest.substr(0, 7) == "rounds=") return std::string(scheme) + std::string(rest.substr(0, rest.find('$')));
  return std::string(scheme);
}

std::string stand_in_hash(const std::map<std::string, std::string>& users) {
  std::map<std::string, std::pair<int, const std::string*>> classes;
  for (auto& [user, hash] : users) {
    auto& c = classes[cost_class(hash)];
    if (++c.first == 1) c.second = &hash;
  }
  const std::pair<int, const std::string*>* best = nullptr;
  for (auto& [k, c] : classes)
    if (!best || c.first > best->first) best = &c;
  return best ? *best->second : std::string();
}

bool CredentialFiles::read(std::shared_ptr<Credentials>& out, std::string& why) {
  std::string text;
  if (!slurp(htpasswd_, text)) {
    why = std::string("cannot read ") + file_format_name(format_) + " file " + htpasswd_;
    return false;
  }
  out = std::make_shared<Credentials>();
  out->format = format_;
  std::vector<FileProblem> problems;
  if (format_ == FileFormat::htpasswd) {
    out->users = parse_htpasswd(text, &problems);
    out->stand_in = stand_in_hash(out->users);
  } else if (format_ == FileFormat::plain) {
    out->users = parse_plain_users(text, &problems);
  } else {
    out->users = parse_htdigest(text, realm_, &problems);
  }
  for (auto& p : problems) warn_(htpasswd_ + ":" + std::to_string(p.line) + ": " + p.what);
  if (!groups_.empty()) {
    std::string gtext;
    if (!slurp(groups_, gtext)) {
      why = "cannot read group file " + groups_;
      return false;
    }
    problems.clear();
    out->groups = parse_groups(gtext, &problems);
    for (auto& p : problems) warn_(groups_ + ":" + std::to_string(p.line) + ": " + p.what);
  }
  return true;
}

bool CredentialFiles::load(std::string& why) {
  std::shared_ptr<Credentials> t;
  Signature a = signature(htpasswd_), b = signature(groups_);
  if (!read(t, why)) return false;
  std::lock_guard lock(mu_);
  table_ = std::move(t);
  sig_pw_ = a;
  sig_gr_ = b;
  return true;
}

std::shared_ptr<const Credentials> CredentialFiles::current(int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (now_ms - checked_ms_ < 1000 && table_) return table_;
  checked_ms_ = now_ms;
  Signature a = signature(htpasswd_), b = signature(groups_);
  if (a == sig_pw_ && b == sig_gr_ && table_) return table_;
  std::shared_ptr<Credentials> t;
  std::string why;
  if (!read(t, why)) {
    warn_(why + "; keeping the users read before");
    sig_pw_ = a;  // said once per change, not every second
    sig_gr_ = b;
    return table_;
  }
  if (t->users.empty() && table_ && !table_->users.empty())
    warn_(htpasswd_ + " now has no users: every login to this area fails");
  table_ = std::move(t);
  sig_pw_ = a;
  sig_gr_ = b;
  warn_("re-read " + htpasswd_ + " (" + std::to_string(table_->users.size()) + " users)");
  return table_;
}

}  // namespace cutover::auth
