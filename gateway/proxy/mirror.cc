#include "proxy/mirror.h"

#include <algorithm>
#include <chrono>

#include "core/log.h"

namespace cutover {

void CaptureSink::start(const ResponseStart& r) {
  started_ = true;
  cap_.status = r.status;
  if (r.fields) {
    cap_.headers.reserve(r.fields->size());
    for (auto& f : *r.fields) cap_.headers.emplace_back(std::string(f.name), std::string(f.value));
  }
  if (next_) next_->start(r);
}

awaitable<bool> CaptureSink::body(std::string_view data) {
  if (!cap_.truncated) {
    if (cap_.body.size() + data.size() > limit_) cap_.truncated = true;
    else cap_.body.append(data);
  }
  if (next_) co_return co_await next_->body(data);
  co_return true;
}

awaitable<bool> CaptureSink::finish() {
  if (next_) co_return co_await next_->finish();
  co_return true;
}

awaitable<void> CaptureSink::tunnel(UpSocket& up, std::string_view up_leftover) {
  cap_.truncated = true;  // an upgraded connection is not compared
  if (next_) co_await next_->tunnel(up, up_leftover);
}

awaitable<std::string_view> CapturingBody::read(error_code& ec) {
  std::string_view piece = co_await inner_.read(ec);
  if (!over_) {
    if (bytes_.size() + piece.size() > limit_) over_ = true, bytes_.clear();
    else bytes_.append(piece);
  }
  co_return piece;
}

namespace {

// The copy's request body: the captured bytes, once.
class ReplayBody final : public BodySource {
 public:
  ReplayBody(const std::string& bytes, bool has) : bytes_(bytes), has_(has) {}
  bool has_body() const override { return has_; }
  std::optional<uint64_t> length() const override { return bytes_.size(); }
  awaitable<std::string_view> read(error_code&) override {
    std::string_view v = done_ ? std::string_view() : std::string_view(bytes_);
    done_ = true;
    co_return v;
  }
  bool replayable() const override { return true; }
  void rewind() override { done_ = false; }

 private:
  const std::string& bytes_;
  bool has_;
  bool done_ = false;
};

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One exchange with some backend of `pool` (no queueing, one retry on another backend when
// the connect fails), captured in memory.
awaitable<stage::Captured> ask(ThreadContext& tc, PoolRuntime& pool, MirrorJob& job, const std::string& target,
                               const std::vector<http1::Field>* extra, uint64_t limit, int64_t& ms) {
  const PoolSpec& spec = *pool.spec;
  Upstream* up = find_upstream(spec.protocol);
  const RouteSpec& route = job.snap->config->routes[job.route_index];
  ForwardRequest req;
  req.head = &job.head;
  req.route = &route;
  req.target = target;
  req.original_target = job.head.target;
  req.rewritten = target != job.head.target;
  req.server_addr = job.server_ip;
  req.server_port = job.server_port;
  req.client_ip = job.client_ip;
  req.client_port = job.client_port;
  req.idempotent = true;
  req.extra_fields = extra;
  req.timeouts = route.limits.upstream(spec.timeouts);
  Tried tried;
  std::vector<BackendLoad> loads(pool.backends.size());
  BalanceState state;
  stage::Captured out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    int64_t now = tc.rt.clock();
    for (size_t i = 0; i < loads.size(); ++i) {
      const BackendRuntime& b = *pool.backends[i];
      uint32_t busy = b.in_flight.load(std::memory_order_relaxed);
      loads[i] = {b.spec.weight, busy, b.available(now) && (spec.max_conns == 0 || busy < spec.max_conns), b.identity};
    }
    auto pick = pick_backend(BalancerKind::least_conn, loads, 0, tried, state, tc.rng);
    if (!pick) {
      out.failed = true;
      out.error = "no backend available in pool " + spec.name;
      co_return out;
    }
    tried.add(*pick);
    BackendRuntime& backend = *pool.backends[*pick];
    InFlight counted(backend);
    if (!counted.acquire(spec.max_conns)) continue;
    ReplayBody body(job.body, job.head.framing != http1::Framing::none);
    CaptureSink sink(limit);
    int64_t t0 = tc.rt.clock();
    Failure f = co_await up->exchange(ExchangeContext(tc), spec, backend, req, body, sink);
    ms = tc.rt.clock() - t0;
    counted.release();
    serve_queue(tc, pool);  // a request of this pool waiting for max_conns may go on
    if (!f) {
      out = std::move(sink.captured());
      co_return out;
    }
    out.failed = true;
    out.error = backend.spec.address + ": " + f.name() + ": " + f.detail;
    if (f.request_sent || sink.started()) break;
  }
  co_return out;
}

awaitable<void> run_mirror(ThreadContext& tc, std::unique_ptr<MirrorJob> job) {
  const RouteSpec& route = job->snap->config->routes[job->route_index];
  const RolloutSpec& ro = *route.rollout;
  RolloutRuntime& rr = job->snap->routes[job->route_index]->rollout;
  // Bounded: `concurrency` copies at once, `queue` waiting; the rest are dropped and counted.
  if (rr.compare_in_flight.load() >= ro.compare_concurrency) {
    if (rr.compare_queued.fetch_add(1) >= ro.compare_queue) {
      rr.compare_queued.fetch_sub(1);
      bump(rr.dropped);
      co_return;
    }
    int64_t give_up = tc.rt.clock() + 10000;
    asio::steady_timer t(tc.io);
    while (rr.compare_in_flight.load() >= ro.compare_concurrency && tc.rt.clock() < give_up) {
      // Woken by a copy of this thread that ends; the timer covers copies of other threads.
      t.expires_after(std::chrono::milliseconds(50));
      tc.mirror_waiters.push_back(&t);
      error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      auto it = std::find(tc.mirror_waiters.begin(), tc.mirror_waiters.end(), &t);
      if (it != tc.mirror_waiters.end()) tc.mirror_waiters.erase(it);
    }
    rr.compare_queued.fetch_sub(1);
    if (rr.compare_in_flight.load() >= ro.compare_concurrency) {
      bump(rr.dropped);
      co_return;
    }
  }
  rr.compare_in_flight.fetch_add(1);
  struct Release {
    std::atomic<uint32_t>& n;
    Runtime& rt;  // outlives the threads' contexts: checked before touching tc
    ThreadContext& tc;
    ~Release() {
      n.fetch_sub(1);
      if (!rt.stopped.load() && !tc.mirror_waiters.empty()) {
        tc.mirror_waiters.front()->cancel();
        tc.mirror_waiters.pop_front();
      }
    }
  } release{rr.compare_in_flight, tc.rt, tc};

  int64_t cand_ms = 0;
  stage::Captured cand = co_await ask(tc, *job->snap->pools[ro.to_index], *job, job->target, &job->extra_fields,
                                      ro.compare_max_body, cand_ms);
  bump(rr.new_answers);
  if (cand.failed || cand.status >= 500) bump(rr.new_5xx);
  rr.new_side_answered(cand.failed || cand.status >= 500);
  if (!cand.failed) rr.new_latency.observe(cand_ms);
  if (cand.failed) {
    bump(rr.candidate_errors);
    log::warn("compare " + route.name + ": candidate pool " + ro.to + " failed " + std::string(job->head.method) + " " +
              job->target + ": " + cand.error);
    co_return;
  }
  if (cand.truncated) {
    bump(rr.skipped);
    co_return;
  }
  std::vector<stage::Difference> diffs = stage::compare_answers(job->primary, cand, ro.compare_spec);
  if (!diffs.empty() && (!ro.secondary.empty() || job->head.method == "GET" || job->head.method == "HEAD")) {
    // Noise: what differs between two calls of the legacy side is not the candidate's fault.
    // Asked of the secondary when there is one, else of the legacy pool once more.
    int64_t sec_ms = 0;
    size_t reference = ro.secondary.empty() ? route.pool_index : ro.secondary_index;
    stage::Captured second = co_await ask(tc, *job->snap->pools[reference], *job, job->primary_target, nullptr,
                                          ro.compare_max_body, sec_ms);
    if (!second.failed && !second.truncated) {
      std::vector<stage::Difference> noise = stage::compare_answers(job->primary, second, ro.compare_spec);
      diffs = stage::without_noise(std::move(diffs), noise);
      if (!noise.empty()) {
        std::lock_guard<std::mutex> g(rr.mu);
        for (auto& n : noise) ++rr.noise_fields[n.field];
      }
    }
  }
  bump(rr.compared);
  if (diffs.empty()) {
    bump(rr.equal);
    co_return;
  }
  bump(rr.different);
  DiffSample s;
  s.wall_ms = wall_ms();
  s.method = std::string(job->head.method);
  s.target = std::string(job->head.target);
  s.status_a = job->primary.status;
  s.status_b = cand.status;
  s.body_a = job->primary.body.substr(0, 4096);
  s.body_b = cand.body.substr(0, 4096);
  std::lock_guard<std::mutex> g(rr.mu);
  for (auto& d : diffs) ++rr.diff_fields[d.field];
  s.diffs = std::move(diffs);
  rr.add_sample_locked(std::move(s), ro.samples);
}

}  // namespace

void spawn_mirror(ThreadContext& tc, std::unique_ptr<MirrorJob> job) {
  asio::co_spawn(tc.io, run_mirror(tc, std::move(job)), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      log::error(std::string("compare task ended by an internal error: ") + x.what());
    }
  });
}

}  // namespace cutover
