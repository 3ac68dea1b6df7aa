// The real ProcessOps: fork/exec (spawn.h), pid files, worker output relayed from pipes to
// log files. The Supervisor's state machine (supervisor.cc) is tested with a fake instead.
#include "supervise/system_process_ops.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "config/worker_template.h"
#include "core/log.h"
#include "supervise/spawn.h"

extern char** environ;

namespace cutover {


namespace {

void make_parent_dirs(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
}

int open_log(const std::string& path, std::string& err) {
  make_parent_dirs(path);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) err = "cannot open log file " + path + ": " + std::strerror(errno);
  return fd;
}

}  // namespace

pid_t SystemProcessOps::start(const WorkerSpec& w, const InstanceInfo& i, std::string& err) {
  SpawnRequest req;
  for (auto& a : w.command) req.argv.push_back(expand_worker_template(a, i.index, i.port, i.socket));
  std::vector<std::pair<std::string, std::string>> set = w.env;
  for (auto& [k, v] : set) v = expand_worker_template(v, i.index, i.port, i.socket);
  req.env = worker_environment(w.copy_env, w.clear_env, set, environ);
  req.cwd = w.cwd;
  req.stdin_fd = i.listen_fd;
  req.death_signal = w.stop_signal;
  passwd* pw = w.user.empty() ? nullptr : ::getpwnam(w.user.c_str());
  group* gr = w.group.empty() ? nullptr : ::getgrnam(w.group.c_str());
  if ((!w.user.empty() && !pw) || (!w.group.empty() && !gr)) {
    err = !w.user.empty() && !pw ? "no such user: " + w.user : "no such group: " + w.group;
    return -1;
  }
  if (pw) req.uid = pw->pw_uid, req.gid = pw->pw_gid;
  if (gr) req.gid = gr->gr_gid;
  // stdout/stderr go through pipes that cutover copies to the log files, so SIGUSR1 can
  // reopen them (logrotate) without touching the worker.
  int pipes[2][2] = {{-1, -1}, {-1, -1}};
  std::string paths[2] = {w.stdout_path.empty() ? "" : expand_worker_template(w.stdout_path, i.index, i.port, i.socket),
                          w.stderr_path.empty() ? "" : expand_worker_template(w.stderr_path, i.index, i.port, i.socket)};
  int files[2] = {-1, -1};
  auto cleanup = [&] {
    for (auto& p : pipes)
      for (int fd : p)
        if (fd >= 0) ::close(fd);
    for (int fd : files)
      if (fd >= 0) ::close(fd);
  };
  for (int k = 0; k < 2; ++k) {
    if (paths[k].empty()) continue;
    if ((files[k] = open_log(paths[k], err)) < 0 || ::pipe2(pipes[k], O_CLOEXEC) != 0) {
      if (err.empty()) err = std::string("pipe: ") + std::strerror(errno);
      cleanup();
      return -1;
    }
  }
  req.stdout_fd = pipes[0][1];
  req.stderr_fd = pipes[1][1];
  pid_t pid = spawn_process(req, err);
  for (int k = 0; k < 2; ++k)
    if (pipes[k][1] >= 0) ::close(pipes[k][1]), pipes[k][1] = -1;
  if (pid < 0) {
    cleanup();
    return -1;
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    for (int k = 0; k < 2; ++k)
      if (pipes[k][0] >= 0) {
        ::fcntl(pipes[k][0], F_SETFL, O_NONBLOCK);
        outputs_.push_back({pipes[k][0], paths[k], files[k]});
      }
  }
  if (!w.pid_file.empty()) {
    std::string path = expand_worker_template(w.pid_file, i.index, i.port, i.socket);
    make_parent_dirs(path);
    std::ofstream f(path, std::ios::trunc);
    if (!(f << pid << "\n"))  // the worker runs; only its pid file is missing
      log::error("workers: cannot write the pid file " + path + ": " + std::strerror(errno));
  }
  return pid;
}

void SystemProcessOps::signal(pid_t pid, int sig) {
  if (pid <= 0) return;
  // The worker leads its own process group (spawn.cc): the signal reaches what it forked
  // too (php-cgi's children, a shell wrapper's program). An adopted process is not a
  // group leader of ours; it gets the signal alone.
  if (::getpgid(pid) == pid) ::kill(-pid, sig);
  else ::kill(pid, sig);
}

bool SystemProcessOps::port_taken(const WorkerSpec& w, const InstanceInfo& i) {
  return i.port > 0 && port_accepts(w.host, i.port);
}

bool SystemProcessOps::accepts(const WorkerSpec& w, const InstanceInfo& i) { return port_accepts(w.host, i.port); }

int SystemProcessOps::open_listener(const WorkerSpec& w, const InstanceInfo& i, std::string& err) {
  if (!i.socket.empty()) make_parent_dirs(i.socket);
  return open_worker_listener(i.socket, w.host, i.port, err);
}

void SystemProcessOps::close_listener(int fd, const std::string& unix_path) {
  if (fd >= 0) ::close(fd);
  if (!unix_path.empty()) ::unlink(unix_path.c_str());
}

pid_t SystemProcessOps::adopt(const WorkerSpec& w, const InstanceInfo& i) {
  std::ifstream in(expand_worker_template(w.adopt_pid_file, i.index, i.port, i.socket));
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return 0;
  return alive(pid_t(pid)) ? pid_t(pid) : 0;
}

bool SystemProcessOps::alive(pid_t pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
  // A zombie has stopped; its parent (not us, for an adopted process) just has not reaped it.
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

void SystemProcessOps::exited(const WorkerSpec& w, const InstanceInfo& i, pid_t pid) {
  if (w.pid_file.empty()) return;
  std::string path = expand_worker_template(w.pid_file, i.index, i.port, i.socket);
  std::ifstream in(path);
  long written = 0;
  if (in >> written && written == pid) ::unlink(path.c_str());  // not a newer process's file
}

std::vector<int> SystemProcessOps::output_fds() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<int> out;
  for (auto& o : outputs_) out.push_back(o.pipe_fd);
  return out;
}

void SystemProcessOps::relay(int fd) {
  std::lock_guard<std::mutex> g(mu_);
  for (auto it = outputs_.begin(); it != outputs_.end(); ++it) {
    if (it->pipe_fd != fd) continue;
    char buf[65536];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        ssize_t off = 0;
        while (off < n) {
          ssize_t w = ::write(it->file_fd, buf + off, size_t(n - off));
          if (w <= 0) break;
          off += w;
        }
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      // EOF: every writer (the process and its children) is gone.
      ::close(it->pipe_fd);
      ::close(it->file_fd);
      outputs_.erase(it);
      return;
    }
  }
}

void SystemProcessOps::reopen_logs() {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& o : outputs_) {
    std::string err;
    int fd = open_log(o.path, err);
    if (fd < 0) {
      log::error("workers: " + err);
      continue;
    }
    ::close(o.file_fd);
    o.file_fd = fd;
  }
}

}  // namespace cutover
