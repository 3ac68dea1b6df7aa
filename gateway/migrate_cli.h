// `cutover migrate`: a lighttpd config to a cutover config and a report (migrate_tool), the
// result checked by loading it as `cutover check` would.
#pragma once
#include <string>

namespace cutover {

struct MigrateOptions {
  std::string input, output;  // output "" = stdout
  bool strict = false, allow_partial = false, allow_shell = false, explain = false, quiet = false, general = false;
};

// 0 complete (caveats allowed), 3 partial unless --allow-partial (1 with --strict unless exact), 1 on a config lighttpd
// would reject, that cannot be read, or whose translation does not load.
int run_migrate(const MigrateOptions& o);

}  // namespace cutover
