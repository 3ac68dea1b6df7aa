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

CredentialFiles::CredentialFiles(std::string htpasswd, std::string groups, Logger warn)
    : htpasswd_(std::move(htpasswd)), groups_(std::move(groups)), warn_(std::move(warn)) {}

CredentialFiles::Signature CredentialFiles::signature(const std::string& path) const {
  struct stat st;
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return {};
  return {uint64_t(st.st_ino), uint64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

bool CredentialFiles::read(std::shared_ptr<Credentials>& out, std::string& why) {
  std::string text;
  if (!slurp(htpasswd_, text)) {
    why = "cannot read htpasswd file " + htpasswd_;
    return false;
  }
  out = std::make_shared<Credentials>();
  std::vector<FileProblem> problems;
  out->users = parse_htpasswd(text, &problems);
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
