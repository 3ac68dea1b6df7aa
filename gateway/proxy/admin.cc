#include "proxy/admin.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/log.h"
#include "http1/parser.h"
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
                      : r.action == RouteSpec::Action::static_files ? "static" : "redirect";
    if (r.action == RouteSpec::Action::forward) route["pool"] = r.pool;
    nlohmann::json counts;
    for (int c = 1; c < 6; ++c) counts[kClasses[c]] = sn.routes[i]->by_class[c].load();
    route["answers"] = counts;
    j["routes"].push_back(route);
  }
  j["pools"] = nlohmann::json::array();
  for (const auto& p : sn.pools) {
    nlohmann::json pool{{"name", p->spec->name}, {"protocol", p->spec->protocol},
                        {"balancer", balancer_name(p->spec->balancer)}, {"queue_depth", p->queued.load()},
                        {"retries", p->retries.load()}, {"shed", p->shed.load()}};
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
           [](const PoolRuntime& p) { return uint64_t(p.queued.load()); });
  per_pool("cutover_pool_retries_total", "counter", "Requests moved to another backend after a failure.",
           [](const PoolRuntime& p) { return p.retries.load(); });
  per_pool("cutover_pool_shed_total", "counter", "Requests refused with 503 because the queue was full or too slow.",
           [](const PoolRuntime& p) { return p.shed.load(); });
  o << "# HELP cutover_upstream_latency_seconds Time of one exchange with a backend.\n"
       "# TYPE cutover_upstream_latency_seconds histogram\n";
  for (const auto& p : sn.pools) {
    uint64_t cumulative = 0;
    std::string pool = label(p->spec->name);
    for (size_t i = 0; i <= kLatencyBuckets; ++i) {
      cumulative += p->latency_buckets[i].load();
      o << "cutover_upstream_latency_seconds_bucket{pool=\"" << pool << "\",le=\"";
      if (i < kLatencyBuckets) o << double(kLatencyBucketsMs[i]) / 1000.0;
      else o << "+Inf";
      o << "\"} " << cumulative << "\n";
    }
    o << "cutover_upstream_latency_seconds_sum{pool=\"" << pool << "\"} " << double(p->latency_sum_ms.load()) / 1000.0 << "\n";
    o << "cutover_upstream_latency_seconds_count{pool=\"" << pool << "\"} " << cumulative << "\n";
  }
  return o.str();
}

namespace {

awaitable<void> admin_session(ThreadContext& tc, tcp::socket sock) {
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
  if (!cfg.server.admin_token.empty()) {
    bool ok = false;
    for (auto& f : head.fields)
      if (http1::iequals(f.name, "authorization") && f.value == "Bearer " + cfg.server.admin_token) ok = true;
    if (!ok) {
      co_await reply(401, "admin token required (Authorization: Bearer ...)\n", "text/plain");
      co_return;
    }
  }
  std::string path(head.target.substr(0, head.target.find('?')));
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
    co_await reply(404, "admin endpoints: GET /api/status, GET /metrics, GET /api/workers, POST /api/reload, POST /api/workers/POOL/restart, POST /api/pools/NAME/backends/ADDR/{drain,enable,disable}\n",
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

}  // namespace cutover
