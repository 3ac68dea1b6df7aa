#include "control/privileges.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "config/config.h"
#include "config/identity.h"

namespace cutover {

std::string drop_privileges(const ServerSpec& s, std::string& did) {
  did.clear();
  bool root = ::geteuid() == 0;
  if (s.user.empty() && s.group.empty()) {
    if (root && !s.allow_root)
      return "running as root without server.user: set user = \"www-data\" (or another unprivileged user) in [server] "
             "— cutover binds its ports and opens its logs first, then switches to it — or allow_root = true to keep root";
    return "";
  }
  Identity id;
  if (std::string err = resolve_identity(s.user, s.group, id); !err.empty()) return err;
  if (!root) {  // as lighttpd: only root switches; anyone else runs as who started it
    if (id.uid != ::getuid() || id.gid != ::getgid())
      did = "not started as root: server.user/group ignored, running as uid " + std::to_string(::getuid());
    return "";
  }
  if (id.uid == 0 && !s.allow_root) return "server.user = \"" + s.user + "\" is root: name an unprivileged user, or set allow_root = true";
  // Supplementary groups first (the user's own, or none), then the group, then the user: once
  // the uid is not 0 the others can no longer be changed.
  int rc = s.user.empty() ? ::setgroups(1, &id.gid) : ::initgroups(s.user.c_str(), id.gid);
  if (rc != 0) return std::string("cannot set the supplementary groups: ") + std::strerror(errno);
  if (::setresgid(id.gid, id.gid, id.gid) != 0) return "cannot switch to gid " + std::to_string(id.gid) + ": " + std::strerror(errno);
  if (::setresuid(id.uid, id.uid, id.uid) != 0) return "cannot switch to uid " + std::to_string(id.uid) + ": " + std::strerror(errno);
  if (id.uid != 0 && (::setuid(0) == 0 || ::geteuid() == 0)) return "the switch away from root did not stick";
  did = "running as user " + (id.user.empty() ? std::to_string(id.uid) : id.user) + " (uid " + std::to_string(id.uid) +
        "), group " + (id.group.empty() ? std::to_string(id.gid) : id.group) + " (gid " + std::to_string(id.gid) + ")";
  return "";
}

}  // namespace cutover
