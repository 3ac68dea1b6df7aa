#include "core/runtime.h"

#include <algorithm>

#include "core/log.h"
#include "core/upstream.h"  // find_upstream: each backend gets its adapter's state

namespace cutover {

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Runtime::Runtime(std::shared_ptr<const Config> c) { install(std::move(c)); }

std::shared_ptr<const Snapshot> Runtime::current() const {
  std::lock_guard<std::mutex> g(mu_);
  return snap_;
}

std::shared_ptr<const Snapshot> Runtime::install(std::shared_ptr<const Config> c) {
  std::lock_guard<std::mutex> g(mu_);
  auto next = std::make_shared<Snapshot>();
  next->config = c;
  next->generation = snap_ ? snap_->generation + 1 : 1;
  auto find_backend = [&](const std::string& pool, const BackendSpec& b) -> std::shared_ptr<BackendRuntime> {
    if (!snap_) return nullptr;
    for (auto& p : snap_->pools) {
      if (p->spec->name != pool) continue;
      for (auto& old : p->backends)
        if (old->spec.address == b.address && old->spec.weight == b.weight) return old;
    }
    return nullptr;
  };
  for (const PoolSpec& p : c->pools) {
    auto pr = std::make_shared<PoolRuntime>();
    pr->spec = &p;
    for (const BackendSpec& b : p.backends) {
      std::shared_ptr<BackendRuntime> br = find_backend(p.name, b);
      if (!br) {
        br = std::make_shared<BackendRuntime>();
        br->spec = b;
        br->id = next_backend_id_++;
        br->identity = hash_key(b.address);
        br->healthy = !p.health.enabled;  // with checks on, a backend serves after its first pass
        br->process_up = b.worker_index < 0;  // the supervisor says when its process is ready
      } else if (!p.health.enabled) {
        br->healthy = true;  // checks turned off: nothing will ever mark it up again
      }
      // Its adapter's state, also for a backend kept from a pool whose protocol changed (no
      // thread of the old snapshot reads it: the old adapter made none).
      if (!br->adapter)
        if (Upstream* up = find_upstream(p.protocol)) br->adapter = up->backend_state();
      pr->backends.push_back(std::move(br));
    }
    next->pools.push_back(std::move(pr));
  }
  if (snap_)
    for (auto& p : snap_->pools)
      for (auto& old : p->backends) {
        bool kept = false;
        for (auto& np : next->pools)
          for (auto& b : np->backends) kept = kept || b == old;
        if (!kept) old->retired.store(true, std::memory_order_relaxed);
      }
  for (const RouteSpec& r : c->routes) {
    std::shared_ptr<RouteRuntime> rr;
    if (snap_)
      for (size_t i = 0; i < snap_->config->routes.size(); ++i)
        if (snap_->config->routes[i].name == r.name) rr = snap_->routes[i];
    if (!rr) rr = std::make_shared<RouteRuntime>();
    if (r.rollout && !rr->rollout.configured) {
      rr->rollout.store_point(r.rollout->initial);
      rr->rollout.configured = true;
    }
    next->routes.push_back(rr);
  }
  for (const AuthSpec& a : c->auth) {
    AuthRuntime ar;
    ar.spec = &a;
    // An area whose rules and files are unchanged keeps its limiter and login cache.
    if (snap_)
      for (const AuthRuntime& old : snap_->auth)
        if (old.spec->prefix == a.prefix && old.spec->htpasswd == a.htpasswd && old.spec->groups == a.groups &&
            old.spec->require_text == a.require_text && old.spec->realm == a.realm &&
            old.spec->max_failures == a.max_failures && old.spec->failure_window == a.failure_window &&
            old.spec->block_time == a.block_time && old.spec->format == a.format && old.spec->scheme == a.scheme &&
            old.spec->algorithms == a.algorithms && old.spec->nonce_secret == a.nonce_secret)
          ar.area = old.area;
    if (!ar.area) {
      auth::AreaRules rules{a.prefix, a.realm, a.htpasswd, a.groups, a.require, a.max_failures,
                            a.failure_window.count(), a.block_time.count(), a.scheme, a.format, a.algorithms, a.nonce_secret};
      ar.area = std::make_shared<auth::Area>(rules, [](const std::string& m) { log::warn("auth: " + m); });
      std::string why;
      if (!a.refuse && !ar.area->load(why)) log::error("auth " + a.prefix + ": " + why + "; every login there fails until it can be read");
    }
    next->auth.push_back(std::move(ar));
  }
  snap_ = next;
  return next;
}

}  // namespace cutover

namespace cutover {

int64_t histogram_quantile(const uint64_t counts[kLatencyBuckets + 1], double q) {
  uint64_t total = 0;
  for (size_t i = 0; i <= kLatencyBuckets; ++i) total += counts[i];
  if (total == 0) return -1;
  uint64_t want = uint64_t(double(total) * q + 0.999999);
  uint64_t seen = 0;
  for (size_t i = 0; i <= kLatencyBuckets; ++i) {
    seen += counts[i];
    if (seen >= want) return i < kLatencyBuckets ? kLatencyBucketsMs[i] : kLatencyBucketsMs[kLatencyBuckets - 1] * 2;
  }
  return kLatencyBucketsMs[kLatencyBuckets - 1] * 2;
}

void RolloutRuntime::add_event(std::string what, std::string actor) {
  std::lock_guard<std::mutex> g(mu);
  events.push_back({std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count(),
                    std::move(what), std::move(actor)});
  while (events.size() > 200) events.pop_front();
}

bool DiffSample::same_difference(const DiffSample& o) const {
  if (status_a != o.status_a || status_b != o.status_b || diffs.size() != o.diffs.size()) return false;
  for (size_t i = 0; i < diffs.size(); ++i)
    if (diffs[i].field != o.diffs[i].field || diffs[i].a != o.diffs[i].a || diffs[i].b != o.diffs[i].b) return false;
  return true;
}

void RolloutRuntime::add_sample_locked(DiffSample s, size_t keep) {
  if (keep == 0) return;
  std::string target = s.method + " " + s.target;
  for (auto it = samples.begin(); it != samples.end(); ++it) {
    if (!it->same_difference(s)) continue;
    s.count = it->count + 1;
    s.targets = std::move(it->targets);
    if (s.targets.size() < DiffSample::kTargets && std::find(s.targets.begin(), s.targets.end(), target) == s.targets.end())
      s.targets.push_back(target);
    samples.erase(it);
    samples.push_back(std::move(s));
    return;
  }
  s.targets = {target};
  samples.push_back(std::move(s));
  while (samples.size() > keep) samples.pop_front();
}

}  // namespace cutover
