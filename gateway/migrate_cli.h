// `cutover migrate`: a lighttpd config to a cutover config and a report (migrate_tool), the
// result checked by loading it as `cutover check` would.
#pragma once
#include <string>

namespace cutover {

struct MigrateOptions {
  std::string input, output;  // output "" = stdout
  bool strict = false, allow_shell = false, explain = false, quiet = false;
};

// 0 exact, 2 caveats or untranslated directives (1 with --strict), 1 on a config lighttpd
// would reject, that cannot be read, or whose translation does not load.
int run_migrate(const MigrateOptions& o);

}  // namespace cutover
