#include "proxy/admin.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/log.h"
#include "http1/parser.h"
#include "proxy/dashboard.h"
#include "proxy/downstream.h"

namespace cutover {
namespace {

const char* state_name(const BackendRuntime& b, int64_t now) {
  switch (b.admin.load()) {
    case AdminState::draining: return "draining";
    case AdminState::disabled: return "disabled";
    case AdminState::active: break;
  }
  if (!b.process_up.load()) return "worker-not-ready";
  return b.disabled_until_ms.load() > now ? "down" : "up";
}

std::string label(std::string_view v) {  // Prometheus label value escaping
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

const char* kClasses[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};

}  // namespace

std::string render_status(const Runtime& rt, int64_t now) {
  auto snap = rt.current();
  const Snapshot& sn = *snap;
  nlohmann::json j;
  j["routes"] = nlohmann::json::array();
  for (size_t i = 0; i < sn.config->routes.size(); ++i) {
    const RouteSpec& r = sn.config->routes[i];
    nlohmann::json route{{"name", r.name}};
    route["action"] = r.action == RouteSpec::Action::forward ? "forward"
                      : r.action == RouteSpec::Action::static_files ? "static"
                      : r.action == RouteSpec::Action::status_page  ? "status_page"
                                                                     : "redirect";
    if (r.action == RouteSpec::Action::forward) route["pool"] = r.pool;
    nlohmann::json counts;
    for (int c = 1; c < 6; ++c) counts[kClasses[c]] = sn.routes[i]->by_class[c].load();
    route["answers"] = counts;
    j["routes"].push_back(route);
  }
  j["pools"] = nlohmann::json::array();
  for (const auto& p : sn.pools) {
    nlohmann::json pool{{"name", p->spec->name}, {"protocol", p->spec->protocol},
                        {"balancer", balancer_name(p->spec->balancer)}, {"queue_depth", p->queue.size()},
                        {"retries", p->retries.load()}, {"shed", p->shed.load()}};
    uint64_t h[kLatencyBuckets + 1];
    p->latency.read(h);
    pool["p50_ms"] = histogram_quantile(h, 0.5);
    pool["p99_ms"] = histogram_quantile(h, 0.99);
    // Cumulative bucket counts: the dashboard turns deltas into per-interval p50/p99.
    pool["latency_buckets"] = std::vector<uint64_t>(h, h + kLatencyBuckets + 1);
    pool["latency_bounds_ms"] = std::vector<int64_t>(std::begin(kLatencyBucketsMs), std::end(kLatencyBucketsMs));
    pool["backends"] = nlohmann::json::array();
    for (const auto& b : p->backends) {
      pool["backends"].push_back({{"address", b->spec.address}, {"weight", b->spec.weight},
                                  {"state", state_name(*b, now)}, {"in_flight", b->in_flight.load()},
                                  {"requests", b->requests.load()}, {"failures", b->failures.load()}});
    }
    j["pools"].push_back(pool);
  }
  return j.dump(2) + "\n";
}

std::string render_routes(const Runtime& rt) {
  auto snap = rt.current();
  const Snapshot& sn = *snap;
  nlohmann::json j;
  j["routes"] = nlohmann::json::array();
  std::vector<double> bounds(std::begin(kLatencyBucketsMs), std::end(kLatencyBucketsMs));
  for (size_t i = 0; i < sn.config->routes.size(); ++i) {
    const RouteSpec& r = sn.config->routes[i];
    nlohmann::json route;
    route["name"] = r.name;
    if (r.action == RouteSpec::Action::forward) route["pool"] = r.pool;
    nlohmann::json counts;
    for (int c = 1; c < 6; ++c) counts[kClasses[c]] = sn.routes[i]->by_class[c].load();
    route["answers"] = counts;
    if (r.rollout) {
      const RolloutSpec& ro = *r.rollout;
      RolloutRuntime& rr = sn.routes[i]->rollout;
      stage::StagePoint p = rr.load_point();
      nlohmann::json o;
      o["from"] = r.pool;
      o["to"] = ro.to;
      o["stage"] = stage::stage_name(p.stage);
      o["percent"] = p.share_bp / 100.0;
      o["describe"] = stage::describe(p);
      o["steps"] = ro.steps;
      o["sticky"] = ro.sticky == RolloutSpec::Sticky::cookie ? "cookie" : ro.sticky == RolloutSpec::Sticky::ip ? "ip" : "header:" + ro.sticky_header;
      uint64_t a[kLatencyBuckets + 1], b[kLatencyBuckets + 1];
      rr.primary_latency.read(a);
      rr.new_latency.read(b);
      auto side = [&](uint64_t answers, uint64_t errors, const uint64_t* h) {
        nlohmann::json x;
        x["answers"] = answers;
        x["5xx"] = errors;
        x["p50_ms"] = histogram_quantile(h, 0.5);
        x["p99_ms"] = histogram_quantile(h, 0.99);
        return x;
      };
      o["legacy"] = side(rr.primary_answers.load(), rr.primary_5xx.load(), a);
      o["new"] = side(rr.new_answers.load(), rr.new_5xx.load(), b);
      nlohmann::json cmp;
      cmp["compared"] = rr.compared.load();
      cmp["equal"] = rr.equal.load();
      cmp["different"] = rr.different.load();
      cmp["candidate_errors"] = rr.candidate_errors.load();
      cmp["dropped"] = rr.dropped.load();
      cmp["skipped"] = rr.skipped.load();
      cmp["over_rate"] = rr.over_rate.load();
      cmp["max_rate"] = ro.compare_max_rate;
      cmp["in_flight"] = rr.compare_in_flight.load();
      nlohmann::json guards;
      guards["max_error_rate"] = ro.max_error_rate;
      guards["max_p99_ratio"] = ro.max_p99_ratio;
      guards["max_diff_rate"] = ro.max_diff_rate;
      guards["window_s"] = ro.window.count() / 1000.0;
      guards["min_requests"] = ro.min_requests;
      guards["auto_promote"] = ro.auto_promote;
      o["guards"] = guards;
      std::lock_guard<std::mutex> g(rr.mu);
      nlohmann::json by_field = nlohmann::json::object();
      for (auto& [f, n] : rr.diff_fields) by_field[f] = n;
      cmp["by_field"] = by_field;
      nlohmann::json noise = nlohmann::json::object();
      for (auto& [f, n] : rr.noise_fields) noise[f] = n;
      cmp["noise_by_field"] = noise;
      o["compare"] = cmp;
      o["samples"] = nlohmann::json::array();
      for (auto it = rr.samples.rbegin(); it != rr.samples.rend(); ++it) {
        nlohmann::json smp;
        smp["time_ms"] = it->wall_ms;
        smp["method"] = it->method;
        smp["target"] = it->target;
        smp["status_legacy"] = it->status_a;
        smp["status_new"] = it->status_b;
        smp["body_legacy"] = it->body_a;
        smp["body_new"] = it->body_b;
        smp["count"] = it->count;
        smp["targets"] = it->targets;
        smp["differences"] = nlohmann::json::array();
        for (auto& d : it->diffs) {
          nlohmann::json dj;
          dj["field"] = d.field;
          dj["legacy"] = d.a;
          dj["new"] = d.b;
          smp["differences"].push_back(dj);
        }
        o["samples"].push_back(smp);
      }
      o["tripped"] = rr.tripped.load();  // back after a guard tripped, until a person moves it
      o["errors_in_a_row"] = rr.new_errors_in_a_row.load();
      o["events"] = nlohmann::json::array();
      for (auto& e : rr.events) {
        nlohmann::json ej;
        ej["time_ms"] = e.wall_ms;
        ej["what"] = e.what;
        ej["actor"] = e.actor;
        o["events"].push_back(ej);
      }
      route["rollout"] = o;
    }
    j["routes"].push_back(route);
  }
  return j.dump(2) + "\n";
}

std::string render_metrics(const Runtime& rt, int64_t now) {
  auto snap = rt.current();
  const Snapshot& sn = *snap;
  std::ostringstream o;
  o << "# HELP cutover_requests_total Requests answered, by route and status class.\n"
       "# TYPE cutover_requests_total counter\n";
  for (size_t i = 0; i < sn.config->routes.size(); ++i)
    for (int c = 0; c < 6; ++c)
      o << "cutover_requests_total{route=\"" << label(sn.config->routes[i].name) << "\",class=\"" << kClasses[c]
        << "\"} " << sn.routes[i]->by_class[c].load() << "\n";
  for (int c = 0; c < 6; ++c)
    o << "cutover_requests_total{route=\"\",class=\"" << kClasses[c] << "\"} " << rt.unrouted[c].load() << "\n";
  auto per_backend = [&](const char* name, const char* type, const char* help, auto value) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
    for (const auto& p : sn.pools)
      for (const auto& b : p->backends)
        o << name << "{pool=\"" << label(p->spec->name) << "\",backend=\"" << label(b->spec.address) << "\"} "
          << value(*b) << "\n";
  };
  per_backend("cutover_backend_up", "gauge", "1 if the backend takes requests (not down, drained or disabled).",
              [&](const BackendRuntime& b) { return std::string_view(state_name(b, now)) == "up" ? 1 : 0; });
  per_backend("cutover_backend_in_flight", "gauge", "Requests in flight to the backend.",
              [](const BackendRuntime& b) { return uint64_t(b.in_flight.load()); });
  per_backend("cutover_backend_requests_total", "counter", "Exchanges started with the backend.",
              [](const BackendRuntime& b) { return b.requests.load(); });
  per_backend("cutover_backend_failures_total", "counter", "Exchanges that failed on the backend's side.",
              [](const BackendRuntime& b) { return b.failures.load(); });
  auto per_pool = [&](const char* name, const char* type, const char* help, auto value) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
    for (const auto& p : sn.pools) o << name << "{pool=\"" << label(p->spec->name) << "\"} " << value(*p) << "\n";
  };
  per_pool("cutover_pool_queue_depth", "gauge", "Requests waiting for a backend under max_conns.",
           [](const PoolRuntime& p) { return uint64_t(p.queue.size()); });
  per_pool("cutover_pool_retries_total", "counter", "Requests moved to another backend after a failure.",
           [](const PoolRuntime& p) { return p.retries.load(); });
  per_pool("cutover_pool_shed_total", "counter", "Requests refused with 503 because the queue was full or too slow.",
           [](const PoolRuntime& p) { return p.shed.load(); });
  // A Prometheus histogram per pool from ms buckets (kLatencyBucketsMs, last +Inf).
  auto histogram = [&](const char* name, const char* help, auto counts_of) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
    for (const auto& p : sn.pools) {
      uint64_t counts[kLatencyBuckets + 1], sum_ms = 0, cumulative = 0;
      counts_of(*p, counts, sum_ms);
      std::string pool = label(p->spec->name);
      for (size_t i = 0; i <= kLatencyBuckets; ++i) {
        cumulative += counts[i];
        o << name << "_bucket{pool=\"" << pool << "\",le=\"";
        if (i < kLatencyBuckets) o << double(kLatencyBucketsMs[i]) / 1000.0;
        else o << "+Inf";
        o << "\"} " << cumulative << "\n";
      }
      o << name << "_sum{pool=\"" << pool << "\"} " << double(sum_ms) / 1000.0 << "\n";
      o << name << "_count{pool=\"" << pool << "\"} " << cumulative << "\n";
    }
  };
  histogram("cutover_upstream_latency_seconds", "Time of one exchange with a backend.",
            [](const PoolRuntime& p, uint64_t* counts, uint64_t& sum_ms) {
              p.latency.read(counts);
              sum_ms = p.latency.sum_ms.load();
            });
  histogram("cutover_pool_queue_wait_seconds", "Time requests waited in the pool's queue under max_conns (only those that waited).",
            [](const PoolRuntime& p, uint64_t* counts, uint64_t& sum_ms) {
              p.queue_wait.read(counts);
              sum_ms = p.queue_wait.sum_ms.load();
            });
  return o.str();
}

namespace {

std::string lower(std::string_view v) {
  std::string l(v);
  for (char& ch : l) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return l;
}

// A browser on another site must not drive the admin API: a page the operator visits could
// POST to it (cross-site request) or, through a DNS name that resolves to 127.0.0.1, read
// it (DNS rebinding). So the Host must be one of the listener's own names, and a state
// change must not come from another origin. "" when allowed, else why not.
std::string cross_site_refusal(const ServerSpec& server, tcp::socket& sock, const http1::RequestHead& head) {
  error_code ec;
  auto local = sock.local_endpoint(ec);
  std::string port = std::to_string(local.port());
  std::string ip = local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string();
  std::string host = lower(head.host);
  bool known = host == ip + ":" + port || host == "localhost:" + port || host == ip || host == "localhost" ||
               (server.admin && host == lower(server.admin->text));
  for (const std::string& h : server.admin_hosts) known = known || host == h || host == h + ":" + port;
  if (!known) return "Host \"" + std::string(head.host) + "\" is not a name of this admin listener (server.admin_hosts)";
  if (head.method == "GET" || head.method == "HEAD") return "";
  for (auto& f : head.fields) {
    if (http1::iequals(f.name, "sec-fetch-site") && f.value != "same-origin" && f.value != "none")
      return "cross-site request (Sec-Fetch-Site: " + std::string(f.value) + ")";
    if (http1::iequals(f.name, "origin") && lower(f.value) != "http://" + host)
      return "request from another origin (" + std::string(f.value) + ")";
  }
  return "";
}

// Who moves a stage, for the route's events: what the client says it is (the CLI and the
// dashboard send X-Cutover-Actor) and, always, the address it came from.
std::string actor_of(const http1::RequestHead& head, const tcp::socket& sock) {
  error_code ec;
  auto peer = sock.remote_endpoint(ec);
  std::string from = ec ? std::string("?") : peer.address().to_string();
  for (auto& f : head.fields)
    if (http1::iequals(f.name, "x-cutover-actor")) {
      if (f.value == "cli") return "CLI from " + from;
      if (f.value == "dashboard") return "dashboard from " + from;
    }
  return "API client " + from;
}

awaitable<void> admin_session(ThreadContext& tc, tcp::socket sock, bool control = false) {
  auto snap = tc.rt.current();
  const Snapshot& sn = *snap;
  const Config& cfg = *sn.config;
  Downstream d(std::move(sock), cfg.server);
  http1::RequestHead head;
  http1::ParseError err;
  while (true) {
    auto st = http1::parse_request_head(d.buffered(), 16384, head, err);
    if (st == http1::ParseStatus::complete && http1::validate_request(head, err)) break;
    if (st != http1::ParseStatus::incomplete) co_return;
    error_code ec;
    if (co_await d.fill(std::chrono::seconds(10), ec) == 0) co_return;
  }
  ClientResponse out(d, head, false);
  auto reply = [&](int status, std::string body, std::string type) -> awaitable<void> {
    std::vector<http1::Field> fields{{"Content-Type", type}, {"Cache-Control", "no-store"}};
    ResponseStart rs;
    rs.status = status;
    rs.fields = &fields;
    rs.content_length = body.size();
    out.start(rs);
    if (co_await out.body(body)) co_await out.finish();
  };
  std::string path(head.target.substr(0, head.target.find('?')));
  if (std::string why = control ? "" : cross_site_refusal(cfg.server, d.socket(), head); !why.empty()) {
    log::warn("admin: refused " + std::string(head.method) + " " + path + ": " + why);
    co_await reply(403, why + "\n", "text/plain");
    co_return;
  }
  // The dashboard page itself holds no data: it asks for the token and sends it with its calls.
  bool page = head.method == "GET" && (path == "/" || path == "/dashboard");
  if (!cfg.server.admin_token.empty() && !page && !control) {
    bool ok = false;
    std::string want = "Bearer " + cfg.server.admin_token;
    for (auto& f : head.fields)
      if (http1::iequals(f.name, "authorization") && f.value.size() == want.size()) {
        unsigned char diff = 0;  // constant time: the token is not leaked by timing
        for (size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(f.value[i] ^ want[i]);
        ok = ok || diff == 0;
      }
    if (!ok) {
      co_await reply(401, "admin token required (Authorization: Bearer ...)\n", "text/plain");
      co_return;
    }
  }
  int64_t now = tc.rt.clock();
  if (head.method == "GET" && path == "/api/status") {
    co_await reply(200, render_status(tc.rt, now), "application/json");
  } else if (head.method == "GET" && path == "/metrics") {
    co_await reply(200, render_metrics(tc.rt, now), "text/plain; version=0.0.4");
  } else if (head.method == "POST" && path == "/api/reload") {
    std::string err = tc.rt.reload ? tc.rt.reload() : "reload not available";
    nlohmann::json j;
    j["reloaded"] = err.empty();
    if (!err.empty()) j["error"] = err;
    co_await reply(err.empty() ? 200 : 422, j.dump() + "\n", "application/json");
  } else if (head.method == "GET" && path == "/api/routes") {
    std::string body = render_routes(tc.rt);
    co_await reply(200, std::move(body), "application/json");
  } else if (head.method == "GET" && (path == "/" || path == "/dashboard")) {
    std::string body(dashboard_html());
    co_await reply(200, std::move(body), "text/html; charset=utf-8");
  } else if (head.method == "POST" && path.rfind("/api/routes/", 0) == 0) {
    // /api/routes/NAME/{promote,demote,rollback,set}; set takes ?stage=canary&percent=10
    std::string rest = path.substr(12);
    size_t slash = rest.rfind('/');
    std::string route = slash == std::string::npos ? rest : rest.substr(0, slash);
    std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    std::string query(head.target.find('?') == std::string_view::npos ? std::string_view() : head.target.substr(head.target.find('?') + 1));
    auto param = [&](const std::string& k) {
      size_t p = ("&" + query).find("&" + k + "=");
      if (p == std::string::npos) return std::string();
      std::string v = query.substr(p + k.size() + 1);
      return v.substr(0, v.find('&'));
    };
    std::string value = param("stage");
    if (!param("percent").empty()) value += " " + param("percent");
    std::string who = control ? "CLI on the control socket" : actor_of(head, d.socket());
    std::string err = tc.rt.move_route ? tc.rt.move_route(route, action, value, who) : "not available";
    nlohmann::json j;
    j["route"] = route;
    j["ok"] = err.empty();
    if (!err.empty()) j["error"] = err;
    std::string body = j.dump() + "\n";
    co_await reply(err.empty() ? 200 : 409, std::move(body), "application/json");
  } else if (head.method == "GET" && path == "/api/workers") {
    // Named first: g++ 12 destroys a ?: temporary twice inside co_await arguments.
    std::string body = tc.rt.workers_status ? tc.rt.workers_status() : std::string("{\"workers\":[]}\n");
    co_await reply(200, std::move(body), "application/json");
  } else if (head.method == "POST" && path.rfind("/api/workers/", 0) == 0 && path.size() > 21 &&
             path.compare(path.size() - 8, 8, "/restart") == 0) {
    std::string pool = path.substr(13, path.size() - 13 - 8);
    std::string err = tc.rt.workers_restart ? tc.rt.workers_restart(pool) : "no worker supervision";
    // Assigned, not brace-initialised: g++ 12 double-frees initializer lists in coroutines.
    nlohmann::json j;
    j["pool"] = pool;
    j["restarting"] = err.empty();
    if (!err.empty()) j["error"] = err;
    co_await reply(err.empty() ? 202 : 409, j.dump() + "\n", "application/json");
  } else if (head.method == "POST" && path.rfind("/api/pools/", 0) == 0) {
    // /api/pools/NAME/backends/ADDR/ACTION
    std::string rest = path.substr(11);
    size_t a = rest.find("/backends/");
    size_t b = rest.rfind('/');
    if (a == std::string::npos || b <= a + 10) {
      co_await reply(404, "expected /api/pools/NAME/backends/ADDR/{drain,enable,disable}\n", "text/plain");
      co_return;
    }
    std::string pool = rest.substr(0, a), addr = rest.substr(a + 10, b - a - 10), action = rest.substr(b + 1);
    BackendRuntime* target = nullptr;
    for (auto& p : sn.pools)
      if (p->spec->name == pool)
        for (auto& be : p->backends)
          if (be->spec.address == addr) target = be.get();
    if (!target) {
      co_await reply(404, "no backend " + addr + " in pool " + pool + "\n", "text/plain");
      co_return;
    }
    AdminState next;
    if (action == "drain") next = AdminState::draining;
    else if (action == "disable") next = AdminState::disabled;
    else if (action == "enable") next = AdminState::active;
    else {
      co_await reply(404, "unknown action " + action + " (drain, enable, disable)\n", "text/plain");
      co_return;
    }
    target->admin.store(next);
    log::info("admin: backend " + addr + " (pool " + pool + ") set to " + action);
    co_await reply(200, "{\"pool\":\"" + pool + "\",\"backend\":\"" + addr + "\",\"state\":\"" +
                            state_name(*target, now) + "\",\"in_flight\":" +
                            std::to_string(target->in_flight.load()) + "}\n",
                   "application/json");
  } else {
    co_await reply(404, "admin endpoints: GET /api/status, GET /metrics, GET /api/workers, GET /api/routes, GET / (dashboard), POST /api/reload, POST /api/workers/POOL/restart, POST /api/routes/NAME/{promote,demote,rollback,set?stage=S&percent=P}, POST /api/pools/NAME/backends/ADDR/{drain,enable,disable}\n",
                   "text/plain");
  }
}

}  // namespace

awaitable<void> admin_accept_loop(ThreadContext& tc, tcp::acceptor& acc) {
  while (acc.is_open()) {
    error_code ec;
    tcp::socket s = co_await acc.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acc.is_open()) co_return;
      continue;
    }
    asio::co_spawn(tc.io, admin_session(tc, std::move(s)), asio::detached);
  }
}

std::string open_control_socket(local_acceptor& acc, const std::string& path, bool& in_use) {
  in_use = false;
  std::string dir = path.substr(0, path.rfind('/'));
  if (!dir.empty() && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return "cannot make its directory " + dir + ": " + std::strerror(errno);
  if (path.size() >= sizeof(sockaddr_un::sun_path)) return "the path is longer than a unix socket's " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes";
  error_code ec;
  {  // a socket left by a cutover that was killed: replaced; one that answers: refused
    asio::local::stream_protocol::socket probe(acc.get_executor());
    probe.connect(asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) {
      in_use = true;
      return "another process answers on it";
    }
    ::unlink(path.c_str());
  }
  mode_t old = ::umask(0177);  // created 0600: only its owner (and root) may connect
  acc.open(asio::local::stream_protocol(), ec);
  if (!ec) acc.bind(asio::local::stream_protocol::endpoint(path), ec);
  ::umask(old);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec.message();
  return "";
}

awaitable<void> control_accept_loop(ThreadContext& tc, local_acceptor& acc) {
  while (acc.is_open()) {
    error_code ec;
    asio::local::stream_protocol::socket s = co_await acc.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acc.is_open()) co_return;
      continue;
    }
    // The admin session reads and writes through the same Downstream as a TCP client; for
    // those calls a unix stream socket is the same kind of descriptor (only its addresses
    // differ, and the control session asks for none).
    int fd = ::dup(s.native_handle());
    s.close(ec);
    if (fd < 0) continue;
    tcp::socket t(tc.io);
    t.assign(tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      continue;
    }
    asio::co_spawn(tc.io, admin_session(tc, std::move(t), true), asio::detached);
  }
}

}  // namespace cutover
