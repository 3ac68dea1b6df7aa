// Where a running cutover's control socket is: the local admin API, on by default, that
// `cutover status/reload/workers/route` use when no TCP admin listener is named. The server
// and the CLI compute the same path from the same config file.
#pragma once
#include <string>

#include "config/config.h"

namespace cutover {

// /run/cutover as root, else $XDG_RUNTIME_DIR/cutover, else /tmp/cutover-UID.
std::string default_control_dir();

// server.control when set ("" when it says "off"), else the default directory and a name
// from the config file's absolute path ("demo.sock" for the built-in demo config).
std::string control_socket_path(const Config& c);

}  // namespace cutover
