#include "control/server.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <functional>
#include <mutex>
#include <thread>

#include <boost/asio/post.hpp>

#include "core/inq_read.h"
#include "core/deadline.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/upstream.h"
#include "config/control_path.h"
#include "control/admin.h"
#include "control/health.h"
#include "control/privileges.h"
#include "control/rollout_control.h"
#include "proxy/http1_connection.h"
#include "supervise/system_process_ops.h"

namespace cutover {
namespace {

using asio::redirect_error;
using asio::use_awaitable;

// One event-loop thread (not a supervised worker process).
struct EventLoop {
  // One thread runs each loop and only it touches the loop's sockets (other threads post to
  // it), so the per-socket locks in Asio's reactor are left out; posting stays locked.
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  Watchdog watchdog{io};
  std::unique_ptr<ThreadContext> tc;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::thread thread;
};

// Once a second, the loop's idle upstream connections past their keepalive_timeout close.
awaitable<void> sweep_loop(ThreadContext& tc) {
  asio::steady_timer t(tc.io);
  while (!tc.rt.stopped.load(std::memory_order_relaxed)) {
    t.expires_after(std::chrono::seconds(1));
    error_code ec;
    co_await t.async_wait(redirect_error(use_awaitable, ec));
    if (ec) co_return;
    tc.sweep_idle_upstream(tc.rt.clock());
  }
}

awaitable<void> accept_loop(ThreadContext& tc, tcp::acceptor& acc) {
  while (acc.is_open()) {
    error_code ec;
    tcp::socket s = co_await acc.async_accept(redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acc.is_open()) co_return;
      log::error(std::string("accept: ") + ec.message() + " (raise the open-files limit with ulimit -n if this is 'Too many open files')");
      asio::steady_timer t(tc.io, std::chrono::milliseconds(100));
      co_await t.async_wait(redirect_error(use_awaitable, ec));
      continue;
    }
    s.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(tc.io, run_session(tc, std::move(s)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        log::error(std::string("session ended by an internal error: ") + x.what());
      }
    });
  }
}

// SO_REUSEPORT would let this process share a port another process already listens on
// (the kernel then splits connections between the two). So the first socket for an
// address is bound once without it: a listener anywhere else makes that fail with
// EADDRINUSE. Only then are the threads' SO_REUSEPORT sockets bound.
void refuse_if_taken(const tcp::endpoint& ep) {
  if (ep.port() == 0) return;  // a free port is picked
  int fd = ::socket(ep.address().is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // TIME_WAIT is no listener
  if (ep.address().is_v6()) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  int rc = ::bind(fd, ep.data(), socklen_t(ep.size()));
  int err = errno;
  ::close(fd);
  if (rc != 0 && err == EADDRINUSE) throw boost::system::system_error(error_code(err, boost::system::system_category()));
}

std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& io, const tcp::endpoint& ep, bool first = true) {
  if (first) refuse_if_taken(ep);
  auto acc = std::make_unique<tcp::acceptor>(io);
  acc->open(ep.protocol());
  acc->set_option(asio::socket_base::reuse_address(true));
  int one = 1;
  ::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  enable_inq(acc->native_handle());  // inherited by accepted sockets (core/inq_read.h)
  if (ep.address().is_v6()) acc->set_option(asio::ip::v6_only(true));
  acc->bind(ep);
  acc->listen(asio::socket_base::max_listen_connections);
  return acc;
}

}  // namespace

int serve(std::shared_ptr<const Config> cfg, ConfigSource source) {
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGHUP);
  sigaddset(&sigs, SIGUSR1);
  sigaddset(&sigs, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);  // threads inherit; main waits below
  int sigfd = ::signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);

  for (const PoolSpec& p : cfg->pools) {
    if (!find_upstream(p.protocol)) {
      log::error("pool " + p.name + ": protocol \"" + p.protocol + "\" is not built into this binary");
      return 1;
    }
  }
  log::set_level(log::Level(cfg->server.log_level));
  Runtime rt(cfg);
  if (!cfg->server.access_log.empty())
    rt.access_log = std::make_unique<AccessLog>(
        cfg->server.access_log, cfg->server.access_log_format);
  int n = cfg->server.threads > 0 ? cfg->server.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  rt.threads = n;
  std::vector<std::unique_ptr<EventLoop>> loops;
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<EventLoop>();
    w->tc = std::make_unique<ThreadContext>(w->io, rt, 0x5eed0000ull + uint64_t(i) * 7919 + uint64_t(getpid()));
    loops.push_back(std::move(w));
  }
  // Port 0 means "any free port": the first thread's bind picks it, the others share it.
  for (const ListenSpec& l : cfg->server.listen) {
    tcp::endpoint ep(asio::ip::make_address(l.host), l.port);
    try {
      for (auto& w : loops) {
        auto acc = open_acceptor(w->io, ep, w == loops.front());
        ep.port(acc->local_endpoint().port());
        w->acceptors.push_back(std::move(acc));
      }
    } catch (const boost::system::system_error& e) {
      log::error("cannot listen on " + l.text + ": " + e.code().message());
      return 1;
    }
    std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    log::info("listening on http://" + host + ":" + std::to_string(ep.port()) + " (" + std::to_string(n) + " threads)");
  }
  // The admin listener lives on the first thread; it only reads atomics.
  std::unique_ptr<tcp::acceptor> admin;  // bound here, with the others, before root is dropped
  if (cfg->server.admin) {
    const ListenSpec& l = *cfg->server.admin;
    if (cfg->server.admin_token.empty() && !is_loopback_address(l.host)) {
      log::error("refusing to start: server.admin = \"" + l.text +
                 "\" is reachable from other machines and has no admin_token (set admin_token, or listen on 127.0.0.1)");
      return 1;
    }
    try {
      admin = open_acceptor(loops[0]->io, tcp::endpoint(asio::ip::make_address(l.host), l.port));
    } catch (const boost::system::system_error& e) {
      log::error("cannot listen on " + l.text + " (admin): " + e.code().message());
      return 1;
    }
  }
  // The control socket: the local admin API the CLI finds from the config (on unless
  // server.control = "off"). Bound before root is dropped, like the ports.
  std::unique_ptr<local_acceptor> control;
  std::string control_path = control_socket_path(*cfg);
  if (!control_path.empty()) {
    control = std::make_unique<local_acceptor>(loops[0]->io);
    bool in_use = false;
    if (std::string err = open_control_socket(*control, control_path, in_use); !err.empty()) {
      if (in_use) {
        log::error("refusing to start: the control socket " + control_path + " is in use: " + err +
                   " (is this config served already? set server.control to another path, or \"off\")");
        return 1;
      }
      log::warn("no control socket at " + control_path + ": " + err + " (the CLI needs server.admin then)");
      control.reset();
    }
  }
  struct Unlink {  // the socket file goes with the process (a killed one is replaced at the next start)
    const std::unique_ptr<local_acceptor>& acc;
    std::string path;
    ~Unlink() {
      if (acc) ::unlink(path.c_str());
    }
  } unlink_control{control, control_path};
  // Every port is bound and the access log open: root is no longer needed. The workers
  // start after this, as the same user.
  {
    std::string did;
    if (std::string err = drop_privileges(cfg->server, did); !err.empty()) {
      log::error("refusing to start: " + err);
      return 1;
    }
    if (!did.empty()) log::info(did);
  }
  // Workers first: the listeners are bound (connections wait in their backlog) but nothing
  // is accepted until every supervised instance is ready or has failed.
  SystemProcessOps ops;
  // Orphans of our workers (php-cgi's children when their parent died) come to us to be
  // reaped instead of lingering as zombies.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  Supervisor sup(rt, ops, steady_now_ms);
  auto reap = [&] {
    int status;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) sup.on_exit(pid, status);
  };
  // The control loop's one wait: signals, worker output to relay, or 50ms for the next tick.
  auto control_wait = [&](int timeout_ms) -> int {
    std::vector<pollfd> fds{{sigfd, POLLIN, 0}};
    for (int fd : ops.output_fds()) fds.push_back({fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), timeout_ms);
    for (size_t i = 1; i < fds.size(); ++i)
      if (fds[i].revents) ops.relay(fds[i].fd);
    reap();
    sup.tick();
    signalfd_siginfo si;
    if (fds[0].revents && ::read(sigfd, &si, sizeof si) == ssize_t(sizeof si)) return int(si.ssi_signo);
    return 0;
  };
  sup.apply(*cfg);
  if (!sup.settled()) log::info("waiting for workers to be ready");
  bool reload_when_started = false;  // a SIGHUP while the workers start is not lost
  while (!sup.settled()) {
    int s = control_wait(20);
    if (s == SIGINT || s == SIGTERM) {
      sup.stop_all(reap, [](int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); });
      return 1;
    }
    if (s == SIGUSR1) {  // logrotate does not wait for our workers
      if (rt.access_log) rt.access_log->reopen();
      ops.reopen_logs();
    }
    if (s == SIGHUP) {
      reload_when_started = true;
      log::info("SIGHUP: reloading once the workers are ready");
    }
  }
  rt.drop_idle_upstreams = [&](size_t id) {
    for (auto& w : loops) asio::post(w->io, [w = w.get(), id] { w->tc->conns.drop(id); });
  };
  rt.hand_idle_upstream = [&](size_t id, void* to_ptr, size_t max_idle) {
    auto* to = static_cast<ThreadContext*>(to_ptr);
    for (auto& w : loops)
      if (w->tc.get() != to)
        asio::post(w->io, [from = w->tc.get(), to, id, max_idle] {
          std::unique_ptr<UpConn> c = from->conns.take(id, from->rt.clock(), Duration::max());
          if (!c) return;
          HandedConn h = detach(std::move(c));
          if (!h) return;
          asio::post(to->io, [to, id, max_idle, h = std::move(h)]() mutable {
            if (auto c = adopt(to->io.get_executor(), std::move(h))) to->conns.put(id, std::move(c), max_idle, to->rt.clock());
          });
        });
  };
  RolloutControl rollout(rt);
  rollout.load_state();
  rt.move_route = [&](const std::string& route, const std::string& action, const std::string& value,
                      const std::string& who) { return rollout.move(route, action, value, who); };
  rt.workers_status = [&] { return sup.status_json(); };
  rt.workers_restart = [&](const std::string& pool) { return sup.restart_pool(pool); };

  if (control) {
    log::info("control socket at " + control_path + " (cutover status/workers/route/reload -c " +
              (cfg->file.empty() || cfg->file.front() == '<' ? std::string("...") : cfg->file) + ")");
    asio::co_spawn(loops[0]->io, control_accept_loop(*loops[0]->tc, *control), asio::detached);
  }
  if (admin) {  // served from here on (connections made before wait in its backlog)
    log::info("admin API on http://" + cfg->server.admin->host + ":" + std::to_string(admin->local_endpoint().port()));
    asio::co_spawn(loops[0]->io, admin_accept_loop(*loops[0]->tc, *admin), asio::detached);
  }
  // Reload: parse and validate fully first; a broken file changes nothing. Each thread
  // switches to the new snapshot between requests; requests in flight finish on the old.
  std::mutex reload_mu;
  rt.reload = [&]() -> std::string {
    std::lock_guard<std::mutex> g(reload_mu);
    std::shared_ptr<const Config> next;
    try {
      next = source();
      for (const PoolSpec& p : next->pools)
        if (!find_upstream(p.protocol))
          throw ConfigError(next->file + ": pool " + p.name + ": protocol \"" + p.protocol + "\" is not built in");
    } catch (const ConfigError& e) {
      log::error(std::string("reload refused, still serving the previous config: ") + e.what());
      return e.what();
    }
    const ServerSpec& was = rt.current()->config->server;
    bool same_listen = next->server.listen.size() == was.listen.size();
    for (size_t i = 0; same_listen && i < was.listen.size(); ++i) same_listen = next->server.listen[i].text == was.listen[i].text;
    if (!same_listen || next->server.threads != was.threads)
      log::warn("reload: server.listen and server.threads take effect at the next restart");
    if (next->server.user != was.user || next->server.group != was.group || next->server.allow_root != was.allow_root)
      log::warn("reload: server.user, group and allow_root take effect at the next restart");
    auto snap = rt.install(next);
    sup.request_apply(next);
    auto adopted = std::make_shared<std::atomic<size_t>>(0);
    for (auto& w : loops) {
      bool first = w == loops[0];
      asio::post(w->io, [w = w.get(), snap, first, adopted, n = loops.size()] {
        w->tc->adopt(snap);
        if (first) start_health_checks(*w->tc);
        if (++*adopted == n)  // from here every new request sees it: tests and operators wait on this line
          log::info("generation " + std::to_string(snap->generation) + " is served by every thread");
      });
    }
    log::info("reloaded " + next->file + ": " + std::to_string(next->routes.size()) + " routes, " +
              std::to_string(next->pools.size()) + " pools (generation " + std::to_string(snap->generation) + ")");
    log::set_level(log::Level(next->server.log_level));  // after the line above, at the level before
    return "";
  };
  start_health_checks(*loops[0]->tc);
  if (reload_when_started) rt.reload();
  for (auto& w : loops) {
    for (auto& acc : w->acceptors) asio::co_spawn(w->io, accept_loop(*w->tc, *acc), asio::detached);
    asio::co_spawn(w->io, sweep_loop(*w->tc), asio::detached);
  }
  // With one event loop, it runs on this thread and the control work becomes a timer on it:
  // a process with a single thread takes the kernel's cheaper paths (no shared file table to
  // reference-count on every socket call, no atomics in malloc).
  const bool single = loops.size() == 1;
  asio::io_context& io0 = loops[0]->io;
  int64_t next_guard_tick = steady_now_ms() + 1000;
  auto on_control = [&](int sig) {  // true: stop
    if (steady_now_ms() >= next_guard_tick || rollout.failing_in_a_row()) {  // failures in a row: at once
      if (steady_now_ms() >= next_guard_tick) next_guard_tick += 1000;
      rollout.tick(steady_now_ms());
    }
    if (sig == SIGHUP) rt.reload();
    if (sig == SIGUSR1) {
      if (rt.access_log) rt.access_log->reopen();
      ops.reopen_logs();
    }
    return sig == SIGINT || sig == SIGTERM;
  };
  // Waits up to ms for the control loop; in single mode the event loop runs meanwhile.
  auto pump = [&](int ms) {
    if (!single) return control_wait(ms);
    io0.restart();
    if (ms > 0)
      io0.run_for(std::chrono::milliseconds(ms));
    else
      io0.poll();
    return control_wait(0);
  };
  int sig = 0;
  auto keep_running = asio::make_work_guard(io0);  // single mode: pump() waits, not spins
  if (single) {
    asio::steady_timer tick(io0);
    std::function<void()> arm = [&] {
      tick.expires_after(std::chrono::milliseconds(50));
      tick.async_wait([&](error_code ec) {
        if (ec) return;
        sig = control_wait(0);
        if (on_control(sig)) return io0.stop();
        arm();
      });
    };
    arm();
    loops[0]->watchdog.start();
    io0.run();
  } else {
    for (auto& w : loops)
      w->thread = std::thread([w = w.get()] {
        auto guard = asio::make_work_guard(w->io);
        w->watchdog.start();
        w->io.run();
      });
    do sig = control_wait(50);
    while (!on_control(sig));
  }
  // Drain: close the listeners and the idle client connections, let requests in flight
  // finish (their answers carry Connection: close), then stop.
  log::info(std::string(strsignal(sig)) + ": draining " + std::to_string(rt.sessions.load()) +
            " client connections (up to " + std::to_string(cfg->server.drain_timeout.count()) + "ms)");
  rt.draining = true;
  auto closed = std::make_shared<std::atomic<size_t>>(0);
  for (auto& w : loops) {
    asio::post(w->io, [w = w.get(), &admin, &control, &loops, closed] {
      if (admin && w->acceptors.size() && admin->get_executor() == w->acceptors[0]->get_executor()) {
        error_code ignored;
        admin->close(ignored);
      }
      if (control && w == loops.front().get()) {
        error_code ignored;
        control->close(ignored);
      }
      for (auto& acc : w->acceptors) {
        error_code ignored;
        acc->close(ignored);
      }
      w->tc->close_idle_clients();
      if (++*closed == loops.size()) log::info("listeners closed; idle client connections closed");
    });
  }
  int64_t give_up = steady_now_ms() + cfg->server.drain_timeout.count();
  while (rt.sessions.load() > 0 && steady_now_ms() < give_up) {
    pump(20);
    // A connection that went idle after the first pass is closed on the next one.
    for (auto& w : loops) asio::post(w->io, [w = w.get()] { w->tc->close_idle_clients(); });
  }
  int left = rt.sessions.load();
  if (left > 0) log::warn("drain_timeout passed with " + std::to_string(left) + " connections still open; closing them");
  for (auto& w : loops) asio::post(w->io, [w = w.get()] { w->tc->conns.clear(); });
  sup.stop_all(reap, [&](int ms) { pump(ms); });
  // A password check or a cold file read still on the blocking pool resumes its session on
  // an event loop: let it, before the loops stop and go away.
  file_io::finish_blocking();
  if (single) pump(0);
  log::info("stopped");
  for (auto& w : loops) w->io.stop();
  for (auto& w : loops)
    if (w->thread.joinable()) w->thread.join();
  rt.stopped = true;
  return 0;
}

}  // namespace cutover
