#include "core/report.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace cutover {
const char* backend_state_name(const BackendRuntime& b, int64_t now) {
  switch (b.admin.load()) {
    case AdminState::draining: return "draining";
    case AdminState::disabled: return "disabled";
    case AdminState::active: break;
  }
  if (!b.process_up.load()) return "worker-not-ready";
  return b.disabled_until_ms.load() > now ? "down" : "up";
}

namespace {

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
                                  {"state", backend_state_name(*b, now)}, {"in_flight", b->in_flight.load()},
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
              [&](const BackendRuntime& b) { return std::string_view(backend_state_name(b, now)) == "up" ? 1 : 0; });
  per_backend("cutover_backend_in_flight", "gauge", "Requests in flight to the backend.",
              [](const BackendRuntime& b) { return uint64_t(b.in_flight.load()); });
  per_backend("cutover_backend_requests_total", "counter", "Exchanges started with the backend.",
              [](const BackendRuntime& b) { return b.requests.load(); });
  per_backend("cutover_backend_failures_total", "counter", "Exchanges that failed on the backend's side.",
              [](const BackendRuntime& b) { return b.failures.load(); });
  o << "# HELP cutover_client_connections Open client connections; state=\"parked\": idle between requests, holding no request state.\n"
       "# TYPE cutover_client_connections gauge\n"
       "cutover_client_connections{state=\"active\"} " << rt.sessions.load() - rt.parked.load() << "\n"
       "cutover_client_connections{state=\"parked\"} " << rt.parked.load() << "\n";
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

}  // namespace cutover
