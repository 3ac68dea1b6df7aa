// The real ProcessOps (supervisor.h's seam): fork/exec, pid files, log files.
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "supervise/supervisor.h"

namespace cutover {

// The real ProcessOps: fork/exec (spawn.h), log files relayed from pipes, pid files.
class SystemProcessOps : public ProcessOps {
 public:
  pid_t start(const WorkerSpec& w, const InstanceInfo& i, std::string& err) override;
  void signal(pid_t pid, int sig) override;
  bool port_taken(const WorkerSpec& w, const InstanceInfo& i) override;
  bool accepts(const WorkerSpec& w, const InstanceInfo& i) override;
  int open_listener(const WorkerSpec& w, const InstanceInfo& i, std::string& err) override;
  void close_listener(int fd, const std::string& unix_path) override;
  pid_t adopt(const WorkerSpec& w, const InstanceInfo& i) override;
  bool alive(pid_t pid) override;
  void exited(const WorkerSpec& w, const InstanceInfo& i, pid_t pid) override;

  // The control loop polls these and calls relay() when one is readable.
  std::vector<int> output_fds() const;
  void relay(int fd);
  void reopen_logs();  // SIGUSR1

 private:
  struct Output {
    int pipe_fd;
    std::string path;
    int file_fd;
  };
  std::vector<Output> outputs_;
  mutable std::mutex mu_;
};

}  // namespace cutover
