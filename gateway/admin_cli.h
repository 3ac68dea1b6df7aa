// The commands that talk to a running cutover's admin API: status, reload, workers, route.
// Each prints a table for people or, with --json, the admin API's JSON for machines.
// Exit codes (docs/operations.md): 0 done, 1 refused or unreachable, 3 done but degraded.
#pragma once
#include <string>
#include <vector>

namespace cutover {

struct AdminTarget {
  std::string addr = "127.0.0.1:9090";  // server.admin
  std::string token;                    // server.admin_token
  std::string control;                  // the control socket's path; when set, used instead of addr
  bool json = false;
  std::string where() const {  // for errors: what was tried
    return control.empty() ? "the admin API at " + addr : "the control socket " + control;
  }
};

// Which running cutover the command talks to: --admin ADDR as given; else the control
// socket of `-c config` (or its server.admin when the socket is off); else the only control
// socket in the default directory; else 127.0.0.1:9090. "" done, else why not, with the
// exit code in `code` (1 nothing to reach, 2 ambiguous or a bad config).
std::string resolve_admin_target(AdminTarget& t, bool admin_given, const std::string& config_path, int& code);

// Exit codes every command shares (usage errors are 2, from main).
enum ExitCode { kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitDegraded = 3 };

int request_reload(const AdminTarget& t);
int print_status(const AdminTarget& t);
int print_workers(const AdminTarget& t, const std::string& only_pool);
int restart_workers(const AdminTarget& t, const std::string& pool, bool wait);
int route_command(const AdminTarget& t, const std::string& action, const std::string& route,
                  const std::vector<std::string>& args);

// "3s", "4m", "2h", "5d": an age for a table cell.
std::string short_age(int64_t ms);

}  // namespace cutover
