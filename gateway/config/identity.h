// server.user / group as this machine knows them (checked by `cutover check`, switched to
// by `cutover serve`: control/privileges.h).
#pragma once
#include <sys/types.h>

#include <string>

namespace cutover {

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user, group;  // names, for the log line
};

// The identity `user`/`group` name on this machine (an empty one: the process's own), or
// the error ("server.user: no user \"x\" on this machine").
std::string resolve_identity(const std::string& user, const std::string& group, Identity& out);

}  // namespace cutover
