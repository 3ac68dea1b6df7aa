// Worker supervision: starts the processes of pools that have [workers], gates their
// backends until they are ready, restarts crashed ones with backoff, marks crash loops as
// failed, and replaces instances one at a time (rolling restart) without failing requests.
// Runs on the control thread: tick() is called every few tens of milliseconds and never
// blocks; process operations go through ProcessOps so tests can use fakes and a fake clock.
#pragma once
#include <sys/types.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/runtime.h"

namespace cutover {

// One process slot of a pool, as ProcessOps sees it.
struct InstanceInfo {
  std::string pool;
  int index = 0;
  int port = 0;              // HTTP / FastCGI over TCP
  std::string socket;        // FastCGI unix socket path
  int listen_fd = -1;        // FastCGI: cutover's listening socket, passed on fd 0
};

class ProcessOps {
 public:
  virtual ~ProcessOps() = default;
  // Starts one process; -1 with `err` on failure (command missing, log file unwritable...).
  virtual pid_t start(const WorkerSpec& w, const InstanceInfo& i, std::string& err) = 0;
  virtual void signal(pid_t pid, int sig) = 0;
  // Something other than our process already listens there (checked before a first start).
  virtual bool port_taken(const WorkerSpec& w, const InstanceInfo& i) = 0;
  // HTTP: the port accepts connections.
  virtual bool accepts(const WorkerSpec& w, const InstanceInfo& i) = 0;
  // FastCGI: cutover's listening socket for an instance (or the shared one); -1 + err.
  virtual int open_listener(const WorkerSpec& w, const InstanceInfo& i, std::string& err) = 0;
  virtual void close_listener(int fd, const std::string& unix_path) = 0;
  // Adoption: the pid in the instance's pid file, if that process is alive; else 0.
  virtual pid_t adopt(const WorkerSpec& w, const InstanceInfo& i) = 0;
  virtual bool alive(pid_t pid) = 0;  // for adopted processes (not our children)
  virtual void exited(const WorkerSpec& w, const InstanceInfo& i, pid_t pid) = 0;  // pid file cleanup
};

enum class InstanceState { stopped, starting, up, draining, stopping, backoff, failed };
const char* instance_state_name(InstanceState s);

class Supervisor {
 public:
  Supervisor(Runtime& rt, ProcessOps& ops, Clock clock);
  ~Supervisor();

  // Takes the pools with [workers] from `cfg` and starts their instances. On reload, a pool
  // whose spec changed is rolled, new pools start, removed pools stop.
  void apply(const Config& cfg);
  // The same from another thread (a reload from the admin API): done by the next tick(), so
  // processes are always forked by the control thread (PR_SET_PDEATHSIG follows the thread).
  void request_apply(std::shared_ptr<const Config> cfg);
  void tick();
  // A child exited (from waitpid). `status` as waitpid reports it.
  void on_exit(pid_t pid, int status);

  // Rolling restart of one pool; "" when queued, else why not.
  std::string restart_pool(const std::string& pool);
  // Every pool that has workers, for a rolling restart of all.
  std::vector<std::string> pool_names() const;

  // Stop everything: stop signal, then SIGKILL after stop_timeout. Returns when all exited
  // or `give_up_ms` (absolute, clock) passed. `reap` collects exits while waiting.
  void stop_all(const std::function<void()>& reap, const std::function<void(int)>& sleep_ms);

  // True when every instance is up or failed (the initial start is over).
  bool settled() const;
  bool rolling() const;
  std::string status_json() const;
  size_t count_in(InstanceState s) const;

 private:
  struct Instance {
    InstanceInfo info;
    std::string address;      // the backend address it serves
    InstanceState state = InstanceState::stopped;
    pid_t pid = 0;
    pid_t retiring = 0;       // surge: the old process, stopped once the new one is ready
    int64_t retiring_deadline = 0;  // when the old process gets SIGKILL if still there (0: not signalled)
    bool adopted = false;
    bool restart_after_stop = false;
    int64_t since = 0;        // when the current state began
    int64_t started = 0;      // when the current process started
    int64_t deadline = 0;     // starting/draining/stopping: when to give up
    int64_t next_start = 0;   // backoff
    int restarts = 0;         // after a crash (or a failed start): what an operator looks into
    int replaced = 0;         // planned: rolling restarts, a reload's new command
    std::deque<int64_t> crashes;
    std::string last_error;
    int64_t last_error_at = 0;
  };
  struct Pool {
    std::string name;
    WorkerSpec spec;
    std::string protocol;
    std::vector<Instance> instances;
    int shared_fd = -1;
    std::deque<int> roll;     // instance indices still to replace
    int rolling_now = -1;     // the one being replaced
    bool removed = false;
  };

  void apply_locked(const Config& cfg);
  void start_instance(Pool& p, Instance& in);
  void set_gate(const Pool& p, const Instance& in, bool up);
  uint32_t in_flight(const Pool& p, const Instance& in) const;
  void crashed(Pool& p, Instance& in, const std::string& why);
  void step_roll(Pool& p);
  void tick_instance(Pool& p, Instance& in, int64_t now);
  void on_exit_locked_adopted(Pool& p, Instance& in, pid_t pid);
  Pool* find(const std::string& name);
  void close_listeners(Pool& p);
  void enter(Instance& in, InstanceState s);

  Runtime& rt_;
  ProcessOps& ops_;
  Clock clock_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Pool>> pools_;
  std::shared_ptr<const Config> pending_;
};

}  // namespace cutover
