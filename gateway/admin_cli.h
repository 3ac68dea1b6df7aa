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
  bool json = false;
};

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
