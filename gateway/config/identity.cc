#include "config/identity.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace cutover {

std::string resolve_identity(const std::string& user, const std::string& group, Identity& out) {
  std::vector<char> buf(16384);
  if (!user.empty()) {
    passwd pw{}, *found = nullptr;
    int e = ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
    if (!found) return "server.user: no user \"" + user + "\" on this machine" + (e ? std::string(": ") + std::strerror(e) : "");
    out.uid = pw.pw_uid;
    out.gid = pw.pw_gid;  // its primary group, unless `group` says otherwise
    out.user = user;
    struct group gr {}, *g = nullptr;
    if (::getgrgid_r(out.gid, &gr, buf.data(), buf.size(), &g) == 0 && g) out.group = gr.gr_name;
  } else {
    out.uid = ::getuid();
    out.gid = ::getgid();
  }
  if (!group.empty()) {
    struct group gr {}, *g = nullptr;
    int e = ::getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &g);
    if (!g) return "server.group: no group \"" + group + "\" on this machine" + (e ? std::string(": ") + std::strerror(e) : "");
    out.gid = gr.gr_gid;
    out.group = group;
  }
  return "";
}

}  // namespace cutover
