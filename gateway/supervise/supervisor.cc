#include "supervise/supervisor.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "config/worker_template.h"
#include "core/log.h"

namespace cutover {

const char* instance_state_name(InstanceState s) {
  switch (s) {
    case InstanceState::stopped: return "stopped";
    case InstanceState::starting: return "starting";
    case InstanceState::up: return "up";
    case InstanceState::draining: return "draining";
    case InstanceState::stopping: return "stopping";
    case InstanceState::backoff: return "backoff";
    case InstanceState::failed: return "failed";
  }
  return "?";
}

namespace {

std::string exit_text(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  // "signal 9 (SIGKILL)": the number and name operators grep for, not strsignal's "Killed".
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return "killed by signal " + std::to_string(sig) + (name ? std::string(" (SIG") + name + ")" : std::string());
  }
  return "ended";
}

// The first settle time after a backend leaves the balancer: a thread may have picked it a
// moment before and not yet counted itself in flight.
constexpr int64_t kDrainSettleMs = 100;

bool same_spec(WorkerSpec a, const WorkerSpec& b) {
  a.origin = b.origin;  // where it is written does not change what runs
  return a == b;
}

}  // namespace

Supervisor::Supervisor(Runtime& rt, ProcessOps& ops, Clock clock) : rt_(rt), ops_(ops), clock_(std::move(clock)) {}

Supervisor::~Supervisor() = default;

Supervisor::Pool* Supervisor::find(const std::string& name) {
  for (auto& p : pools_)
    if (p->name == name) return p.get();
  return nullptr;
}

void Supervisor::enter(Instance& in, InstanceState s) {
  in.state = s;
  in.since = clock_();
}

void Supervisor::set_gate(const Pool& p, const Instance& in, bool up) {
  auto snap = rt_.current();
  for (auto& pr : snap->pools) {
    if (pr->spec->name != p.name) continue;
    for (auto& b : pr->backends) {
      if (b->spec.address != in.address) continue;
      if (up) {  // a fresh process: forget the old one's connect failures
        b->disabled_until_ms = 0;
        b->consecutive_failures = 0;
        b->ejections = 0;
      }
      b->process_up = up;
      if (!up && rt_.drop_idle_upstreams) rt_.drop_idle_upstreams(b->id);
    }
  }
}

uint32_t Supervisor::in_flight(const Pool& p, const Instance& in) const {
  auto snap = rt_.current();
  uint32_t n = 0;
  for (auto& pr : snap->pools)
    if (pr->spec->name == p.name)
      for (auto& b : pr->backends)
        if (b->spec.address == in.address) n += b->in_flight.load();
  return n;
}

void Supervisor::request_apply(std::shared_ptr<const Config> cfg) {
  std::lock_guard<std::mutex> g(mu_);
  pending_ = std::move(cfg);
}

void Supervisor::apply(const Config& cfg) {
  std::lock_guard<std::mutex> g(mu_);
  apply_locked(cfg);
}

void Supervisor::apply_locked(const Config& cfg) {
  for (auto& p : pools_) p->removed = true;
  for (const PoolSpec& ps : cfg.pools) {
    if (!ps.workers) continue;
    Pool* p = find(ps.name);
    bool fresh = !p;
    if (fresh) {
      pools_.push_back(std::make_unique<Pool>());
      p = pools_.back().get();
      p->name = ps.name;
    } else if (same_spec(p->spec, *ps.workers) && p->protocol == ps.protocol) {
      p->removed = false;
      continue;  // unchanged: keep running as is
    }
    bool changed = !fresh;
    p->removed = false;
    p->spec = *ps.workers;
    p->protocol = ps.protocol;
    const WorkerSpec& w = p->spec;
    if (changed) {
      log::info("workers " + p->name + ": spec changed in the config; rolling restart");
      if (p->shared_fd >= 0) {
        // A new shared socket path is picked up by instances as they are replaced.
        ops_.close_listener(p->shared_fd, "");
        p->shared_fd = -1;
      }
    }
    std::vector<Instance> next(size_t(w.count));
    for (int i = 0; i < w.count; ++i) {
      Instance& in = next[size_t(i)];
      if (size_t(i) < p->instances.size()) in = p->instances[size_t(i)];  // keep the process
      in.info.pool = p->name;
      in.info.index = i;
      in.info.port = w.ports.empty() ? 0 : w.ports[size_t(i)];
      std::string sock = w.socket.empty() ? "" : expand_worker_template(w.socket, i, in.info.port, w.socket);
      if (in.info.socket != sock && in.info.listen_fd >= 0 && !w.shared_socket()) {
        // The socket moves: the running process keeps its copy until it is replaced.
        ops_.close_listener(in.info.listen_fd, in.info.socket);
        in.info.listen_fd = -1;
      }
      in.info.socket = sock;
      in.address = !w.ports.empty()
                       ? (w.host.find(':') != std::string::npos ? "[" + w.host + "]" : w.host) + ":" + std::to_string(in.info.port)
                       : "unix:" + sock;
    }
    // Instances beyond the new count are stopped.
    for (size_t i = next.size(); i < p->instances.size(); ++i) {
      Instance& old = p->instances[i];
      if (old.pid) ops_.signal(old.pid, w.stop_signal);
    }
    p->instances = std::move(next);
    if (changed) {
      p->roll.clear();
      for (auto& in : p->instances)
        if (in.pid) p->roll.push_back(in.info.index);
    }
    for (auto& in : p->instances)
      if (!in.pid && in.state != InstanceState::failed) {
        // First start (or a new index): adopt a running process when asked to.
        if (!w.adopt_pid_file.empty()) {
          if (pid_t pid = ops_.adopt(w, in.info)) {
            in.pid = pid;
            in.adopted = true;
            in.started = clock_();
            enter(in, InstanceState::starting);
            in.deadline = clock_() + w.start_timeout.count();
            log::info("workers " + p->name + "[" + std::to_string(in.info.index) + "]: adopted pid " + std::to_string(pid));
            continue;
          }
        }
        if (w.socket.empty() && ops_.port_taken(w, in.info)) {
          in.last_error_at = clock_();
          in.last_error = "port " + std::to_string(in.info.port) + " is already in use by another process";
          log::error("workers " + p->name + "[" + std::to_string(in.info.index) + "]: cannot start: " + in.last_error);
          enter(in, InstanceState::failed);
          continue;
        }
        start_instance(*p, in);
      }
  }
  for (auto& p : pools_) {
    if (!p->removed) continue;
    log::info("workers " + p->name + ": pool removed from the config; stopping its workers");
    p->roll.clear();
    for (auto& in : p->instances) {
      set_gate(*p, in, false);
      if (in.pid) {
        ops_.signal(in.pid, p->spec.stop_signal);
        enter(in, InstanceState::stopping);
        in.deadline = clock_() + p->spec.stop_timeout.count();
        in.restart_after_stop = false;
      }
    }
  }
}

void Supervisor::start_instance(Pool& p, Instance& in) {
  const WorkerSpec& w = p.spec;
  std::string err;
  if (w.listener_on_fd0) {
    // cutover owns the listening socket: it outlives each process, so requests wait in its
    // backlog while an instance restarts instead of failing.
    int& fd = w.shared_socket() ? p.shared_fd : in.info.listen_fd;
    if (fd < 0) fd = ops_.open_listener(w, in.info, err);
    if (fd < 0) {
      in.last_error = err;
      in.last_error_at = clock_();
      log::error("workers " + p.name + "[" + std::to_string(in.info.index) + "]: " + err);
      enter(in, InstanceState::failed);
      return;
    }
    in.info.listen_fd = fd;
  }
  pid_t pid = ops_.start(w, in.info, err);
  if (pid < 0) {
    in.last_error = err;
    in.last_error_at = clock_();
    log::error("workers " + p.name + "[" + std::to_string(in.info.index) + "]: cannot start: " + err);
    enter(in, InstanceState::failed);
    return;
  }
  in.pid = pid;
  in.adopted = false;
  in.started = clock_();
  in.deadline = in.started + w.start_timeout.count();
  enter(in, InstanceState::starting);
  log::info("workers " + p.name + "[" + std::to_string(in.info.index) + "]: started pid " + std::to_string(pid) +
            " for " + in.address);
}

void Supervisor::crashed(Pool& p, Instance& in, const std::string& why) {
  const WorkerSpec& w = p.spec;
  int64_t now = clock_();
  set_gate(p, in, false);
  in.pid = 0;
  in.last_error = why;
  in.last_error_at = now;
  in.crashes.push_back(now);
  while (!in.crashes.empty() && in.crashes.front() < now - w.restart_window.count()) in.crashes.pop_front();
  std::string who = "workers " + p.name + "[" + std::to_string(in.info.index) + "]";
  if (int(in.crashes.size()) > w.max_restarts) {
    log::error(who + ": " + why + "; " + std::to_string(in.crashes.size()) + " crashes within " +
               std::to_string(w.restart_window.count() / 1000) + "s: marked failed, not restarting (fix it, then `cutover workers restart " +
               p.name + "`)");
    enter(in, InstanceState::failed);
    if (p.rolling_now == in.info.index) p.rolling_now = -1;
    return;
  }
  int64_t delay = w.backoff.count();
  for (size_t i = 1; i < in.crashes.size() && delay < w.backoff_max.count(); ++i) delay *= 2;
  delay = std::min<int64_t>(delay, w.backoff_max.count());
  log::warn(who + ": " + why + "; restarting in " + std::to_string(delay) + "ms");
  in.next_start = now + delay;
  enter(in, InstanceState::backoff);
}

void Supervisor::on_exit(pid_t pid, int status) {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& p : pools_)
    for (auto& in : p->instances) {
      if (in.retiring == pid) {
        in.retiring = 0;
        in.retiring_deadline = 0;
        ops_.exited(p->spec, in.info, pid);
        return;
      }
      if (in.pid != pid) continue;
      ops_.exited(p->spec, in.info, pid);
      std::string who = "workers " + p->name + "[" + std::to_string(in.info.index) + "]";
      if (in.state == InstanceState::stopping) {
        in.pid = 0;
        log::info(who + ": pid " + std::to_string(pid) + " stopped (" + exit_text(status) + ")");
        if (in.restart_after_stop && !p->removed) {
          in.restart_after_stop = false;
          ++in.replaced;
          start_instance(*p, in);
        } else {
          enter(in, InstanceState::stopped);
        }
        return;
      }
      crashed(*p, in, "pid " + std::to_string(pid) + " " + exit_text(status));
      return;
    }
}

void Supervisor::tick_instance(Pool& p, Instance& in, int64_t now) {
  const WorkerSpec& w = p.spec;
  std::string who = "workers " + p.name + "[" + std::to_string(in.info.index) + "]";
  if (in.adopted && in.pid && !ops_.alive(in.pid)) {
    pid_t pid = in.pid;
    if (in.state == InstanceState::stopping) {
      // Not our child: no exit status; its end is seen by polling.
      on_exit_locked_adopted(p, in, pid);
    } else {
      in.adopted = false;
      crashed(p, in, "adopted pid " + std::to_string(pid) + " is gone");
    }
    return;
  }
  // A surged-away process that ignores its stop signal (a stuck app) is killed like any other.
  if (in.retiring && in.retiring_deadline && now >= in.retiring_deadline) {
    log::warn(who + ": old pid " + std::to_string(in.retiring) + " did not stop within stop_timeout; SIGKILL");
    ops_.signal(in.retiring, SIGKILL);
    in.retiring_deadline = now + 60000;
  }
  switch (in.state) {
    case InstanceState::starting: {
      bool ready = w.listener_on_fd0 ? now - in.started >= w.ready_after.count() : ops_.accepts(w, in.info);
      if (ready) {
        enter(in, InstanceState::up);
        set_gate(p, in, true);
        log::info(who + ": ready (" + in.address + ", pid " + std::to_string(in.pid) + ")");
        if (in.retiring) {  // surge: the replacement serves; now the old one may go
          ops_.signal(in.retiring, w.stop_signal);
          in.retiring_deadline = now + w.stop_timeout.count();
        }
        if (p.rolling_now == in.info.index) p.rolling_now = -1;
      } else if (now >= in.deadline) {
        ops_.signal(in.pid, SIGKILL);
        log::error(who + ": not ready within " + std::to_string(w.start_timeout.count()) + "ms; killed");
        in.deadline = now + 60000;  // its exit is then handled as a crash (backoff, failed)
      }
      break;
    }
    case InstanceState::draining:
      if ((now - in.since >= kDrainSettleMs && in_flight(p, in) == 0) || now >= in.deadline) {
        if (now >= in.deadline)
          log::warn(who + ": drain_timeout passed with " + std::to_string(in_flight(p, in)) + " requests in flight");
        ops_.signal(in.pid, w.stop_signal);
        enter(in, InstanceState::stopping);
        in.deadline = now + w.stop_timeout.count();
      }
      break;
    case InstanceState::stopping:
      if (in.pid && now >= in.deadline) {
        log::warn(who + ": pid " + std::to_string(in.pid) + " did not stop within stop_timeout; SIGKILL");
        ops_.signal(in.pid, SIGKILL);
        in.deadline = now + 60000;
      }
      break;
    case InstanceState::backoff:
      if (now >= in.next_start) {
        ++in.restarts;
        start_instance(p, in);
      }
      break;
    default:
      break;
  }
}

void Supervisor::on_exit_locked_adopted(Pool& p, Instance& in, pid_t pid) {
  ops_.exited(p.spec, in.info, pid);
  in.pid = 0;
  in.adopted = false;
  log::info("workers " + p.name + "[" + std::to_string(in.info.index) + "]: adopted pid " + std::to_string(pid) + " stopped");
  if (in.restart_after_stop && !p.removed) {
    in.restart_after_stop = false;
    ++in.replaced;
    start_instance(p, in);
  } else {
    enter(in, InstanceState::stopped);
  }
}

void Supervisor::step_roll(Pool& p) {
  if (p.rolling_now >= 0 || p.roll.empty()) return;
  int idx = p.roll.front();
  p.roll.pop_front();
  if (size_t(idx) >= p.instances.size()) return;
  Instance& in = p.instances[size_t(idx)];
  const WorkerSpec& w = p.spec;
  std::string who = "workers " + p.name + "[" + std::to_string(idx) + "]";
  p.rolling_now = idx;
  if (in.state == InstanceState::failed || in.state == InstanceState::stopped || in.state == InstanceState::backoff ||
      !in.pid) {
    log::info(who + ": rolling restart: starting it afresh");
    in.crashes.clear();
    start_instance(p, in);
    if (in.state == InstanceState::failed) p.rolling_now = -1;
    return;
  }
  if (w.shared_socket()) {
    // N processes on one socket owned by cutover: nothing to drain per process. The old one
    // finishes the request it has (stop_signal) while the others, or the replacement
    // (surge), take the backlog.
    if (w.surge) {
      in.retiring = in.pid;
      log::info(who + ": rolling restart (surge): starting the replacement of pid " + std::to_string(in.pid));
      ++in.replaced;
      start_instance(p, in);
      return;
    }
    log::info(who + ": rolling restart: stopping pid " + std::to_string(in.pid));
    ops_.signal(in.pid, w.stop_signal);
    enter(in, InstanceState::stopping);
    in.deadline = clock_() + w.stop_timeout.count();
    in.restart_after_stop = true;
    return;
  }
  log::info(who + ": rolling restart: draining " + in.address);
  set_gate(p, in, false);
  enter(in, InstanceState::draining);
  in.deadline = clock_() + w.drain_timeout.count();
  in.restart_after_stop = true;
}

void Supervisor::tick() {
  std::lock_guard<std::mutex> g(mu_);
  if (pending_) {
    auto cfg = std::move(pending_);
    pending_.reset();
    apply_locked(*cfg);
  }
  int64_t now = clock_();
  for (auto& p : pools_) {
    for (auto& in : p->instances) tick_instance(*p, in, now);
    if (p->rolling_now >= 0) {
      Instance& in = p->instances[size_t(p->rolling_now)];
      if (in.state == InstanceState::failed || in.state == InstanceState::backoff) {
        log::error("workers " + p->name + ": rolling restart stopped: instance " + std::to_string(p->rolling_now) +
                   " did not come back (" + in.last_error + ")");
        p->roll.clear();
        p->rolling_now = -1;
      }
    }
    step_roll(*p);
    if (p->removed) {
      bool all_gone = std::all_of(p->instances.begin(), p->instances.end(), [](const Instance& i) { return !i.pid; });
      if (all_gone) close_listeners(*p);
    }
  }
  std::erase_if(pools_, [](const std::unique_ptr<Pool>& p) {
    return p->removed && std::all_of(p->instances.begin(), p->instances.end(), [](const Instance& i) { return !i.pid; });
  });
}

void Supervisor::close_listeners(Pool& p) {
  if (p.shared_fd >= 0) ops_.close_listener(p.shared_fd, p.instances.empty() ? "" : p.instances[0].info.socket);
  p.shared_fd = -1;
  for (auto& in : p.instances) {
    if (in.info.listen_fd >= 0 && !p.spec.shared_socket()) ops_.close_listener(in.info.listen_fd, in.info.socket);
    in.info.listen_fd = -1;
  }
}

std::string Supervisor::restart_pool(const std::string& pool) {
  std::lock_guard<std::mutex> g(mu_);
  Pool* p = find(pool);
  if (!p) return "no pool \"" + pool + "\" with [workers]";
  if (p->rolling_now >= 0 || !p->roll.empty()) return "a rolling restart of " + pool + " is already running";
  for (auto& in : p->instances) p->roll.push_back(in.info.index);
  log::info("workers " + pool + ": rolling restart of " + std::to_string(p->instances.size()) + " instances");
  return "";
}

std::vector<std::string> Supervisor::pool_names() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<std::string> out;
  for (auto& p : pools_) out.push_back(p->name);
  return out;
}

bool Supervisor::settled() const {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& p : pools_)
    for (auto& in : p->instances)
      if (in.state == InstanceState::starting) return false;
  return true;
}

bool Supervisor::rolling() const {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& p : pools_)
    if (p->rolling_now >= 0 || !p->roll.empty()) return true;
  return false;
}

size_t Supervisor::count_in(InstanceState s) const {
  std::lock_guard<std::mutex> g(mu_);
  size_t n = 0;
  for (auto& p : pools_)
    for (auto& in : p->instances) n += in.state == s;
  return n;
}

void Supervisor::stop_all(const std::function<void()>& reap, const std::function<void(int)>& sleep_ms) {
  int64_t give_up = 0;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& p : pools_) {
      p->roll.clear();
      p->rolling_now = -1;
      for (auto& in : p->instances) {
        set_gate(*p, in, false);
        for (pid_t pid : {in.pid, in.retiring})
          if (pid) ops_.signal(pid, p->spec.stop_signal);
        // Every worker gets its stop_timeout from this TERM: the deadline it had (to start,
        // to drain) would have the tick kill it at once.
        if (in.pid) {
          enter(in, InstanceState::stopping);
          in.restart_after_stop = false;
          in.deadline = clock_() + p->spec.stop_timeout.count();
        }
        if (in.retiring) in.retiring_deadline = clock_() + p->spec.stop_timeout.count();
        give_up = std::max<int64_t>(give_up, clock_() + p->spec.stop_timeout.count());
      }
    }
  }
  auto any_left = [&] {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& p : pools_)
      for (auto& in : p->instances) {
        if (in.adopted && in.pid && !ops_.alive(in.pid)) in.pid = 0;
        if (in.pid || in.retiring) return true;
      }
    return false;
  };
  while (any_left() && clock_() < give_up) {
    reap();
    sleep_ms(20);
  }
  std::lock_guard<std::mutex> g(mu_);
  for (auto& p : pools_) {
    for (auto& in : p->instances)
      for (pid_t pid : {in.pid, in.retiring})
        if (pid) {
          log::warn("workers " + p->name + "[" + std::to_string(in.info.index) + "]: pid " + std::to_string(pid) +
                    " still running after stop_timeout; SIGKILL");
          ops_.signal(pid, SIGKILL);
        }
    close_listeners(*p);
  }
}

}  // namespace cutover
