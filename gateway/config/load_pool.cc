// [pools.NAME] and their [pools.NAME.workers]: backends, balancing, health, kept FastCGI connections, supervision.
#include "config/load_parts.h"

namespace cutover::config_load {

int signal_number(std::string_view name) {
  static const struct { const char* n; int s; } kSigs[] = {
      {"TERM", 15}, {"INT", 2}, {"QUIT", 3}, {"HUP", 1}, {"KILL", 9}, {"USR1", 10}, {"USR2", 12}};
  if (name.rfind("SIG", 0) == 0) name.remove_prefix(3);
  for (auto& k : kSigs)
    if (name == k.n) return k.s;
  return 0;
}

void parse_workers(Reader& pr, const toml::table& t, PoolSpec& p) {
  Reader r(pr.file(), t, "pools." + p.name + ".workers");
  WorkerSpec w;
  w.origin = where(pr.file(), t.source());
  const toml::node* cmd = r.get("command");
  if (!cmd) r.fail_here("workers.command is required, e.g. [\"build/example-worker\", \"--port\", \"{port}\"]");
  if (cmd->is_string()) {
    w.command.push_back(cmd->as_string()->get());
  } else if (cmd->is_array() && !cmd->as_array()->empty()) {
    for (const toml::node& e : *cmd->as_array()) {
      if (!e.is_string()) r.fail(e, "workers.command: expected a list of strings");
      w.command.push_back(e.as_string()->get());
    }
  } else {
    r.fail(*cmd, "workers.command: expected a non-empty list of strings (program and arguments)");
  }
  if (auto v = r.str("host")) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, v->c_str(), buf) != 1 && inet_pton(AF_INET6, v->c_str(), buf) != 1)
      r.fail(*r.get("host"), "workers.host: expected a numeric IP address");
    w.host = *v;
  }
  if (const toml::node* ports = r.get("ports")) {
    // [3001, 3002] or "3001-3005"
    auto bad = [&] { r.fail(*ports, "workers.ports: expected a list of ports or a range \"3001-3005\""); };
    if (ports->is_string()) {
      std::string s = ports->as_string()->get();
      size_t dash = s.find('-');
      if (dash == std::string::npos) bad();
      char* e1 = nullptr;
      char* e2 = nullptr;
      long a = std::strtol(s.c_str(), &e1, 10), b = std::strtol(s.c_str() + dash + 1, &e2, 10);
      if (e1 != s.c_str() + dash || *e2 || a < 1 || b > 65535 || a > b || b - a >= 1024) bad();
      for (long i = a; i <= b; ++i) w.ports.push_back(uint16_t(i));
    } else if (ports->is_array()) {
      for (const toml::node& e : *ports->as_array()) {
        if (!e.is_integer() || e.as_integer()->get() < 1 || e.as_integer()->get() > 65535) bad();
        w.ports.push_back(uint16_t(e.as_integer()->get()));
      }
      if (w.ports.empty()) bad();
    } else {
      bad();
    }
  }
  if (auto v = r.str("socket")) {
    if (v->empty()) r.fail(*r.get("socket"), "workers.socket: expected a path");
    w.socket = *v;
  }
  if (auto v = r.integer("count", 1, 1024)) w.count = int(*v);
  if (!w.ports.empty() && !w.socket.empty())
    r.fail(*r.get("socket"), "workers: give either ports (TCP) or socket (unix), not both");
  if (w.ports.empty() && w.socket.empty())
    r.fail_here("workers: give ports = \"3001-3005\" (one instance per port) or socket = \"tmp/app.sock\" (FastCGI)");
  if (!w.socket.empty() && p.protocol != "fastcgi")
    r.fail(*r.get("socket"), "workers.socket: only for protocol = \"fastcgi\" (HTTP workers listen on ports)");
  if (!w.ports.empty()) {
    if (w.count && w.count != int(w.ports.size()))
      r.fail(*r.get("count"), "workers.count: " + std::to_string(w.count) + " differs from the " +
                                  std::to_string(w.ports.size()) + " ports listed; leave count out");
    w.count = int(w.ports.size());
  }
  if (!w.count) w.count = 1;
  if (auto v = r.str("cwd")) w.cwd = *v;
  if (const toml::table* env = r.table("env"))
    for (auto&& [k, v] : *env) {
      if (!v.is_string()) r.fail(v, "workers.env: expected string values");
      w.env.emplace_back(std::string(k.str()), v.as_string()->get());
    }
  for (auto& [name, node] : r.str_list("copy_env")) w.copy_env.push_back(name);
  if (const toml::node* n = r.get("clear_env")) {
    if (!n->is_boolean()) r.fail(*n, "workers.clear_env: expected true or false");
    w.clear_env = n->as_boolean()->get();
  }
  if (auto v = r.str("stdout")) w.stdout_path = *v;
  if (auto v = r.str("stderr")) w.stderr_path = *v;
  if (auto v = r.str("pid_file")) w.pid_file = *v;
  if (auto v = r.str("adopt_pid_file")) w.adopt_pid_file = *v;
  if (auto v = r.str("user")) w.user = *v;
  if (auto v = r.str("group")) w.group = *v;
  if (auto v = r.str("stop_signal")) {
    w.stop_signal = signal_number(*v);
    if (!w.stop_signal) r.fail(*r.get("stop_signal"), "workers.stop_signal: expected TERM, INT, QUIT, HUP, KILL, USR1 or USR2");
  }
  r.duration("stop_timeout", w.stop_timeout);
  r.duration("start_timeout", w.start_timeout);
  r.duration("ready_after", w.ready_after);
  w.listener_on_fd0 = p.protocol == "fastcgi";
  r.duration("drain_timeout", w.drain_timeout);
  r.duration("backoff", w.backoff);
  r.duration("backoff_max", w.backoff_max);
  if (auto v = r.integer("max_restarts", 0, 1000)) w.max_restarts = int(*v);
  r.duration("restart_window", w.restart_window);
  if (const toml::node* n = r.get("surge")) {
    if (!n->is_boolean()) r.fail(*n, "workers.surge: expected true or false");
    w.surge = n->as_boolean()->get();
    if (w.surge && !w.shared_socket())
      r.fail(*n, "workers.surge: only for FastCGI workers sharing one socket (socket without {index})");
  }
  r.finish();
  p.workers = std::move(w);
}

// FastCGI keep-conn: a libfcgi or php-fpm process serves one connection at a time, so a
// kept connection holds a process. Keeping as many as there are processes would leave none
// to accept the next new connection (it would wait in the listen backlog, forever).
void load_keep_conn(Reader& r, PoolSpec& p) {
  // Processes behind one backend address: known for supervised workers (N on a shared
  // socket, else one per socket or port), unknown (0) for listed backends.
  int processes = !p.workers ? 0 : p.workers->shared_socket() ? p.workers->count : 1;
  if (p.protocol == "fastcgi" && processes > 1) {
    // Every process kept and no more requests in flight than processes: each request rides
    // a kept connection and the others wait in cutover's queue, in order. With a higher
    // max_conns given, one process stays unkept for the requests beyond.
    if (!r.get("max_conns")) p.max_conns = uint32_t(processes);
    p.keep_conn = p.max_conns != 0 && p.max_conns <= uint32_t(processes) ? processes : processes - 1;
  }
  auto v = r.integer("keep_conn", 0, 100000);
  if (!v) return;
  if (p.protocol != "fastcgi")
    r.fail(*r.get("keep_conn"), "keep_conn: only for protocol = \"fastcgi\" (HTTP pools use keepalive)");
  // As many as the processes only when every request rides a kept connection (max_conns
  // no higher): cutover then never opens one that would wait behind the kept ones.
  bool rides_kept = p.max_conns > 0 && p.max_conns <= uint32_t(*v);  // given, or the default above
  if (processes > 0 && (*v > processes || (*v == processes && !rides_kept)))
    r.fail(*r.get("keep_conn"), "keep_conn: " + std::to_string(*v) + " kept connections would hold all " +
                                    std::to_string(processes) + " process(es) behind each backend; at most " +
                                    std::to_string(processes - 1) + ", or " + std::to_string(processes) +
                                    " with max_conns = " + std::to_string(processes) + " or less");
  p.keep_conn = int(*v);
}

void parse_pool(Reader& r, PoolSpec& p) {
  if (auto v = r.str("protocol")) {
    if (*v != "http" && *v != "fastcgi") r.fail(*r.get("protocol"), "protocol: expected \"http\" or \"fastcgi\"");
    p.protocol = *v;
  }
  if (auto v = r.str("balancer")) {
    // lighttpd's names map on: fair/least-connection -> least-conn, carp -> hash, static -> first.
    static const struct {
      const char* name;
      BalancerKind kind;
    } kNames[] = {{"sqf", BalancerKind::sqf},          {"round-robin", BalancerKind::round_robin},
                  {"least-conn", BalancerKind::least_conn}, {"fair", BalancerKind::least_conn},
                  {"least-connection", BalancerKind::least_conn}, {"hash", BalancerKind::hash},
                  {"carp", BalancerKind::hash},        {"sticky", BalancerKind::sticky},
                  {"first", BalancerKind::first},      {"static", BalancerKind::first}};
    bool found = false;
    for (auto& n : kNames)
      if (*v == n.name) p.balancer = n.kind, found = true;
    if (!found)
      r.fail(*r.get("balancer"), "balancer: expected \"sqf\", \"round-robin\", \"least-conn\", \"hash\", \"sticky\" or \"first\" (or lighttpd's fair, least-connection, carp, static), found \"" + *v + "\"");
  }
  if (auto v = r.str("hash_key")) {
    if (*v == "path") p.hash_key.kind = HashKeySpec::Kind::path;
    else if (*v == "path+host") p.hash_key.kind = HashKeySpec::Kind::path_host;
    else if (*v == "ip") p.hash_key.kind = HashKeySpec::Kind::ip;
    else if (v->rfind("header:", 0) == 0 && v->size() > 7) p.hash_key = {HashKeySpec::Kind::header, v->substr(7)};
    else if (v->rfind("cookie:", 0) == 0 && v->size() > 7) p.hash_key = {HashKeySpec::Kind::cookie, v->substr(7)};
    else r.fail(*r.get("hash_key"), "hash_key: expected \"path\", \"path+host\", \"ip\", \"header:NAME\" or \"cookie:NAME\"");
  }
  if (p.balancer == BalancerKind::sticky) p.hash_key.kind = HashKeySpec::Kind::ip;
  if (const toml::table* w = r.table("workers")) parse_workers(r, *w, p);
  const toml::node* backends = r.get("backends");  // presence checked by the caller
  if (p.workers && backends)
    r.fail(*backends, "backends: a pool with [workers] gets its backends from the workers' ports or sockets; remove \"backends\"");
  if (p.workers) {
    const WorkerSpec& w = *p.workers;
    for (int i = 0; i < w.count; ++i) {
      BackendSpec b;
      if (!w.ports.empty()) {
        b.host = w.host;
        b.port = w.ports[size_t(i)];
        b.address = (w.host.find(':') != std::string::npos ? "[" + w.host + "]" : w.host) + ":" + std::to_string(b.port);
      } else {
        b.is_unix = true;
        b.path = expand_worker_template(w.socket, i, 0, w.socket);
        b.address = "unix:" + b.path;
        if (b.path.size() >= 108) r.fail(*r.get("workers"), "workers.socket: unix socket path too long (max 107 bytes)");
      }
      b.worker_index = i;
      if (w.shared_socket() && i > 0) continue;  // N processes behind one socket: one backend
      p.backends.push_back(b);
    }
  }
  static const toml::array kNone;
  for (const toml::node& e : backends ? *backends->as_array() : kNone) {  // by reference: a copy loses positions
    if (e.is_string()) {
      p.backends.push_back(parse_backend(r, e.as_string()->get(), e));
    } else if (e.is_table()) {
      Reader br(r.file(), *e.as_table(), "pools." + p.name + ".backends");
      auto addr = br.str("address");
      if (!addr) br.fail_here("backend: \"address\" is required");
      BackendSpec b = parse_backend(br, *addr, *br.get("address"));
      if (auto w = br.integer("weight", 1, 1000)) b.weight = uint32_t(*w);
      br.finish();
      p.backends.push_back(b);
    } else {
      r.fail(e, "backends: expected \"host:port\", \"unix:/path\" or { address = ..., weight = N }");
    }
  }
  const toml::node& where_backends = backends ? *backends : *r.get("workers");
  if (p.backends.size() > 1024) r.fail(where_backends, "backends: at most 1024 per pool");
  std::set<std::string> seen;
  for (auto& b : p.backends)
    if (!seen.insert(b.address).second) r.fail(where_backends, "backends: \"" + b.address + "\" is listed twice");
  r.duration("connect_timeout", p.timeouts.connect);
  r.duration("read_timeout", p.timeouts.read);
  r.duration("first_byte_timeout", p.timeouts.first_byte);
  r.duration("write_timeout", p.timeouts.write);
  r.duration("disable_time", p.disable_time);
  if (auto v = r.integer("retries", 0, 10)) p.retries = int(*v);
  if (auto v = r.integer("keepalive", 0, 10000)) p.keepalive_idle = int(*v);
  if (auto v = r.boolean("request_trailers")) {
    if (p.protocol != "http") r.fail(*r.get("request_trailers"), "request_trailers: only for protocol = \"http\" (CGI has no place for trailers)");
    p.request_trailers = *v;
  }
  r.duration("keepalive_timeout", p.keepalive_timeout);
  if (auto v = r.integer("max_conns", 0, 1000000)) p.max_conns = uint32_t(*v);
  load_keep_conn(r, p);
  for (auto& [dir, node] : r.str_list("x_sendfile")) {
    if (p.protocol != "fastcgi") r.fail(*node, "x_sendfile: only for protocol = \"fastcgi\"");
    if (dir.empty() || dir.front() != '/')
      r.fail(*node, "x_sendfile: expected absolute directories the app may name files in, e.g. [\"/srv/app/files\"]");
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    p.x_sendfile.push_back(d);
  }
  if (auto v = r.integer("max_fails", 0, 1000)) p.max_fails = int(*v);
  if (const toml::table* h = r.table("health")) {
    Reader hr(r.file(), *h, "pools." + p.name + ".health");
    p.health.enabled = true;
    if (auto v = hr.str("path")) {
      if (v->empty() || v->front() != '/') hr.fail(*hr.get("path"), "health.path: expected a path starting with '/'");
      p.health.path = *v;
    }
    hr.duration("interval", p.health.interval);
    hr.duration("timeout", p.health.timeout);
    if (auto v = hr.integer("rise", 1, 100)) p.health.rise = int(*v);
    if (auto v = hr.integer("fall", 1, 100)) p.health.fall = int(*v);
    if (auto v = hr.integer("expect", 100, 599)) p.health.expect = int(*v);
    hr.finish();
  }
  if (auto v = r.integer("queue", 0, 1000000)) p.queue_size = uint32_t(*v);
  r.duration("queue_timeout", p.queue_timeout);
  r.finish();
}

}  // namespace cutover::config_load
