// Starting one child process: fork + exec with the descriptors, environment, working
// directory and user it should have. The child dies with cutover (PR_SET_PDEATHSIG).
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace cutover {

struct SpawnRequest {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value", complete
  std::string cwd;               // empty: inherit
  int stdin_fd = -1;             // -1: /dev/null
  int stdout_fd = -1;            // -1: inherit
  int stderr_fd = -1;
  uid_t uid = uid_t(-1);         // -1: keep
  gid_t gid = gid_t(-1);
  // Sent to the child when cutover dies, even by SIGKILL. The worker's own stop signal
  // (SIGTERM) rather than SIGKILL: a forking worker (php-cgi with PHP_FCGI_CHILDREN, any
  // prefork server) then stops its children too, where SIGKILL would orphan them.
  int death_signal = 15;
};

// The pid, or -1 with `err` saying why (the exec failure is reported by the child through
// a close-on-exec pipe, so "no such file" is an error here, not a mysterious exit).
pid_t spawn_process(const SpawnRequest& req, std::string& err);

// The environment for a worker: cutover's own (all, only `copy`, or none when `clear`),
// then `set` on top. Pure apart from reading `environ`.
std::vector<std::string> worker_environment(const std::vector<std::string>& copy, bool clear,
                                            const std::vector<std::pair<std::string, std::string>>& set,
                                            char** environ_in);

// A listening socket for FastCGI workers (passed on their fd 0): "unix:PATH" or host:port.
// -1 with `err` on failure. A stale unix socket file is replaced.
int open_worker_listener(const std::string& unix_path, const std::string& host, int port, std::string& err);

// True when something accepts connections on host:port (a loopback connect; no data sent).
bool port_accepts(const std::string& host, int port);

}  // namespace cutover
