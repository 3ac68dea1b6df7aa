#include "supervise/spawn.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cutover {

namespace {

[[noreturn]] void child_fail(int pipe_fd, int stage) {
  int msg[2] = {stage, errno};
  ssize_t ignored = ::write(pipe_fd, msg, sizeof msg);
  (void)ignored;
  _exit(127);
}

socklen_t make_sockaddr(const std::string& host, int port, sockaddr_storage& ss) {
  if (host.find(':') != std::string::npos) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(uint16_t(port));
    ::inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr);
    return sizeof *s6;
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(uint16_t(port));
  ::inet_pton(AF_INET, host.c_str(), &s4->sin_addr);
  return sizeof *s4;
}

const char* kStages[] = {"exec", "chdir", "setgid", "setuid", "dup2", "open /dev/null"};

}  // namespace

pid_t spawn_process(const SpawnRequest& req, std::string& err) {
  if (req.argv.empty()) {
    err = "empty command";
    return -1;
  }
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv, envp;
  for (auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : req.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    err = std::string("pipe: ") + std::strerror(errno);
    return -1;
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    err = std::string("fork: ") + std::strerror(errno);
    ::close(report[0]);
    ::close(report[1]);
    return -1;
  }
  if (pid == 0) {
    ::close(report[0]);
    // Die with cutover, even on SIGKILL; and if it already died between fork and here.
    ::prctl(PR_SET_PDEATHSIG, req.death_signal);
    if (::getppid() != parent) _exit(1);
    ::setpgid(0, 0);  // its own group: a Ctrl-C in cutover's terminal goes to cutover only
    // Signal state is inherited through exec: give the program a clean one.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGCHLD}) ::signal(s, SIG_DFL);
    int in = req.stdin_fd;
    if (in < 0 && (in = ::open("/dev/null", O_RDONLY)) < 0) child_fail(report[1], 5);
    if (::dup2(in, 0) < 0) child_fail(report[1], 4);
    if (req.stdout_fd >= 0 && ::dup2(req.stdout_fd, 1) < 0) child_fail(report[1], 4);
    if (req.stderr_fd >= 0 && ::dup2(req.stderr_fd, 2) < 0) child_fail(report[1], 4);
    // Only 0-2 and the report pipe survive exec.
    if (report[1] > 3) ::close_range(3, unsigned(report[1]) - 1, 0);
    ::close_range(unsigned(report[1]) + 1, ~0U, 0);
    if (!req.cwd.empty() && ::chdir(req.cwd.c_str()) != 0) child_fail(report[1], 1);
    if (req.gid != gid_t(-1) && (::setgroups(0, nullptr) != 0 || ::setgid(req.gid) != 0)) child_fail(report[1], 2);
    if (req.uid != uid_t(-1) && ::setuid(req.uid) != 0) child_fail(report[1], 3);
    ::execve(argv[0], argv.data(), envp.data());
    if (errno == ENOENT && !std::strchr(argv[0], '/')) {
      // No slash: look it up on PATH, like a shell.
      const char* path = nullptr;
      for (char** e = envp.data(); *e; ++e)
        if (std::strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
      if (!path) path = "/usr/local/bin:/usr/bin:/bin";
      char buf[4096];
      while (*path) {
        const char* colon = std::strchr(path, ':');
        size_t n = colon ? size_t(colon - path) : std::strlen(path);
        size_t a = std::strlen(argv[0]);
        if (n + 1 + a < sizeof buf) {
          std::memcpy(buf, path, n);
          buf[n] = '/';
          std::memcpy(buf + n + 1, argv[0], a + 1);
          ::execve(buf, argv.data(), envp.data());
        }
        if (!colon) break;
        path = colon + 1;
      }
      errno = ENOENT;
    }
    child_fail(report[1], 0);
  }
  ::close(report[1]);
  int msg[2];
  ssize_t n;
  do n = ::read(report[0], msg, sizeof msg);
  while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == ssize_t(sizeof msg)) {
    int st;
    ::waitpid(pid, &st, 0);
    err = std::string(kStages[msg[0]]) + " " + (msg[0] == 1 ? req.cwd : req.argv[0]) + ": " + std::strerror(msg[1]);
    return -1;
  }
  return pid;
}

std::vector<std::string> worker_environment(const std::vector<std::string>& copy, bool clear,
                                            const std::vector<std::pair<std::string, std::string>>& set,
                                            char** environ_in) {
  std::vector<std::string> out;
  auto name_of = [](const std::string& e) { return e.substr(0, e.find('=')); };
  if (!clear && environ_in) {
    for (char** e = environ_in; *e; ++e) {
      std::string entry = *e;
      if (!copy.empty()) {
        std::string name = name_of(entry);
        bool keep = false;
        for (auto& c : copy) keep = keep || c == name;
        if (!keep) continue;
      }
      out.push_back(entry);
    }
  }
  for (auto& [k, v] : set) {
    std::erase_if(out, [&](const std::string& e) { return name_of(e) == k; });
    out.push_back(k + "=" + v);
  }
  return out;
}

int open_worker_listener(const std::string& unix_path, const std::string& host, int port, std::string& err) {
  int fd = -1;
  if (!unix_path.empty()) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (unix_path.size() >= sizeof sa.sun_path) {
      err = "socket path too long: " + unix_path;
      return -1;
    }
    std::memcpy(sa.sun_path, unix_path.c_str(), unix_path.size() + 1);
    struct stat st;
    if (::lstat(unix_path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        err = unix_path + " exists and is not a socket";
        return -1;
      }
      ::unlink(unix_path.c_str());  // stale, from an earlier run
    }
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 1024) != 0) {
      err = "listen on unix:" + unix_path + ": " + std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return -1;
    }
    return fd;
  }
  sockaddr_storage ss{};
  socklen_t len = make_sockaddr(host, port, ss);
  fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 1024) != 0) {
    err = "listen on " + host + ":" + std::to_string(port) + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

bool port_accepts(const std::string& host, int port) {
  sockaddr_storage ss{};
  socklen_t len = make_sockaddr(host, port, ss);
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  ::close(fd);
  return ok;
}

}  // namespace cutover
