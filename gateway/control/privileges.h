// Dropping root after start-up: cutover binds its ports (80, 443) and opens its logs as root,
// then runs as the configured user, as lighttpd does with server.username/groupname.
#pragma once
#include <string>
#include <sys/types.h>

namespace cutover {

struct ServerSpec;

// Switches the whole process (every thread) to server.user/group, or checks that it may
// stay as it is. Returns "" or why cutover must not start:
// - root without server.user and without allow_root;
// - a user that does not exist, or a switch that did not stick.
// Not started as root, the user and group are ignored (as lighttpd does).
// `did` is the log line to write on success ("" when nothing changed).
std::string drop_privileges(const ServerSpec& s, std::string& did);

}  // namespace cutover
