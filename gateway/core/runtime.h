// Shared runtime state: the config snapshot plus, per backend, the few atomics the request
// path shares between threads (in-flight count, disabled-until time).
#pragma once
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <vector>

#include "auth/area.h"
#include "balance/balancer.h"
#include "config/config.h"
#include "core/access_log.h"
#include "core/pool_queue.h"
#include "stage/compare.h"
#include "stage/split.h"

namespace cutover {

// Injected time source (milliseconds on a monotonic clock); tests pass a fake.
using Clock = std::function<int64_t()>;
int64_t steady_now_ms();

// Upstream latency buckets (ms) for the per-pool histogram.
inline constexpr int64_t kLatencyBucketsMs[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
constexpr size_t kLatencyBuckets = sizeof(kLatencyBucketsMs) / sizeof(kLatencyBucketsMs[0]);

using Counter = std::atomic<uint64_t>;
inline void bump(Counter& c, uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }

// Set from the admin API: a drained or disabled backend takes no new requests.
enum class AdminState : int { active, draining, disabled };

// Per-backend state of a backend adapter, made by its Upstream (core/upstream.h).
struct BackendState {
  virtual ~BackendState() = default;
};

struct BackendRuntime {
  BackendSpec spec;
  std::atomic<AdminState> admin{AdminState::active};
  std::atomic<bool> healthy{true};         // active health checks (false until the first pass)
  std::atomic<int> consecutive_failures{0};
  std::atomic<int> ejections{0};           // passive: times ejected in a row, for backoff
  Counter requests{0};   // exchanges started
  Counter failures{0};   // exchanges that failed on the backend's side
  size_t id = 0;  // unique across all pools; keys the per-thread connection cache
  uint64_t identity = 0;  // hash of the address, for consistent hashing
  std::atomic<uint32_t> in_flight{0};
  std::atomic<int64_t> disabled_until_ms{0};
  // Supervised workers: false while the process behind it starts, drains or is down.
  std::atomic<bool> process_up{true};
  // What the pool's backend adapter keeps for this backend across requests and threads
  // (Upstream::backend_state: the FastCGI adapter's kept connections); opaque to the core.
  std::unique_ptr<BackendState> adapter;
  // Not carried over by a reload (a new address or weight): its connections are closed
  // when their request ends instead of cached where nothing would take them again.
  std::atomic<bool> retired{false};

  bool available(int64_t now) const {
    return disabled_until_ms.load(std::memory_order_relaxed) <= now &&
           process_up.load(std::memory_order_relaxed) &&
           admin.load(std::memory_order_relaxed) == AdminState::active &&
           healthy.load(std::memory_order_relaxed);
  }
};

// A latency histogram (ms buckets above) that many threads add to.
struct LatencyHistogram {
  Counter buckets[kLatencyBuckets + 1] = {};  // last: +Inf
  Counter sum_ms{0};
  void observe(int64_t ms) {
    size_t i = 0;
    while (i < kLatencyBuckets && ms > kLatencyBucketsMs[i]) ++i;
    bump(buckets[i]);
    bump(sum_ms, uint64_t(ms < 0 ? 0 : ms));
  }
  void read(uint64_t out[kLatencyBuckets + 1]) const {
    for (size_t i = 0; i <= kLatencyBuckets; ++i) out[i] = buckets[i].load(std::memory_order_relaxed);
  }
};

struct PoolRuntime {
  const PoolSpec* spec = nullptr;
  std::vector<std::shared_ptr<BackendRuntime>> backends;  // shared with later snapshots
  PoolQueue queue;                   // requests waiting for a backend under max_conns
  Counter retries{0};                // exchanges repeated on another backend
  Counter shed{0};                   // 503s for a full queue or queue_timeout
  LatencyHistogram queue_wait;       // time in the queue, of requests that waited in it
  LatencyHistogram latency;          // of the exchanges with its backends
  void observe_latency(int64_t ms) { latency.observe(ms); }
};

// The upper bound (ms) of the bucket holding quantile q of a histogram's counts; -1 if empty.
int64_t histogram_quantile(const uint64_t counts[kLatencyBuckets + 1], double q);

// One kind of difference between the legacy answer and the candidate's, for the dashboard:
// answers that differ identically (same statuses, same fields with the same values) are
// one sample with a count, so one repeated difference does not hide the others.
struct DiffSample {
  int64_t wall_ms = 0;              // the latest
  std::string method, target;       // the latest
  int status_a = 0, status_b = 0;
  std::vector<stage::Difference> diffs;
  std::string body_a, body_b;       // excerpts, of the latest
  uint64_t count = 1;
  std::vector<std::string> targets;  // distinct "METHOD target"s, the first few
  static constexpr size_t kTargets = 5;
  bool same_difference(const DiffSample& o) const;
};

struct RolloutEvent {
  int64_t wall_ms = 0;
  std::string what;   // "shadow -> canary 1% (dashboard from 127.0.0.1)"
  std::string actor;  // "dashboard from 127.0.0.1", "CLI from …", "API client …", "guard: …", "auto-promote …"
};

// The staged-cutover state of a route: its stage (changed at runtime by the admin API and
// the guards, without a reload) and what the guards and the dashboard read.
struct RolloutRuntime {
  std::atomic<uint32_t> point{0};  // (stage << 16) | share_bp
  stage::StagePoint load_point() const {
    uint32_t v = point.load(std::memory_order_relaxed);
    return {stage::Stage(v >> 16), v & 0xffff};
  }
  void store_point(stage::StagePoint p) { point.store((uint32_t(p.stage) << 16) | p.share_bp, std::memory_order_relaxed); }
  bool configured = false;  // the stage was taken from a config or state file once

  Counter primary_answers{0}, primary_5xx{0}, new_answers{0}, new_5xx{0};
  // The candidate's failures in a row (served canary answers and compare copies alike): a
  // guard's verdict at any share. A good answer sets it back to 0.
  std::atomic<uint32_t> new_errors_in_a_row{0};
  void new_side_answered(bool bad) {
    if (bad) new_errors_in_a_row.fetch_add(1, std::memory_order_relaxed);
    else if (new_errors_in_a_row.load(std::memory_order_relaxed)) new_errors_in_a_row.store(0, std::memory_order_relaxed);
  }
  // A tripped guard keeps the route back until a person moves it (auto_promote waits too).
  std::atomic<bool> tripped{false};
  LatencyHistogram primary_latency, new_latency;
  Counter compared{0}, equal{0}, different{0}, candidate_errors{0}, dropped{0}, skipped{0}, over_rate{0};
  // compare.max_rate as a smooth rate (GCRA, all threads): one copy per 1/max_rate s under
  // sustained load; after a quiet spell up to 100 ms worth at once, so a short series of
  // requests on an idle route is still compared in full.
  std::atomic<int64_t> rate_tat_us{0};  // the theoretical arrival time of the next copy
  bool take_rate(uint32_t max_rate, int64_t now_ms) {
    if (max_rate == 0) return true;
    int64_t interval = 1000000 / int64_t(max_rate), now = now_ms * 1000, burst = std::max<int64_t>(interval, 100000);
    int64_t tat = rate_tat_us.load(std::memory_order_relaxed);
    while (true) {
      int64_t t = std::max(tat, now);
      if (t - now > burst) return false;
      if (rate_tat_us.compare_exchange_weak(tat, t + interval, std::memory_order_relaxed)) return true;
    }
  }
  std::atomic<uint32_t> compare_in_flight{0}, compare_queued{0};

  std::mutex mu;  // guards the four below
  std::map<std::string, uint64_t> diff_fields;  // how often each field differed
  std::map<std::string, uint64_t> noise_fields;  // how often each field was noise (differed between two legacy answers)
  std::deque<DiffSample> samples;
  std::deque<RolloutEvent> events;
  void add_event(std::string what, std::string actor = "");
  // Counts `s` into the sample of the same difference (moved to the newest end), or keeps it
  // as a new one; at most `keep` samples, the oldest dropped. Caller holds `mu`.
  void add_sample_locked(DiffSample s, size_t keep);
};

// A protected area ([[auth]]) of one snapshot.
struct AuthRuntime {
  const AuthSpec* spec = nullptr;
  std::shared_ptr<auth::Area> area;
};

struct RouteRuntime {
  Counter by_class[6] = {};  // answers by status class: [1]=1xx ... [5]=5xx
  RolloutRuntime rollout;    // used when the route has [routes.rollout]
};

// One immutable config with the runtime state of its pools and routes. A request uses the
// snapshot that was current when it started; a reload installs a new one, and a backend or
// route that is unchanged keeps its state (in-flight count, health, counters, idle
// connections) because the new snapshot shares its runtime object.
struct Snapshot {
  std::shared_ptr<const Config> config;
  std::vector<std::shared_ptr<PoolRuntime>> pools;    // same order as config->pools
  std::vector<std::shared_ptr<RouteRuntime>> routes;  // same order as config->routes
  std::vector<AuthRuntime> auth;                      // same order as config->auth
  uint64_t generation = 0;
};

struct Runtime {
  explicit Runtime(std::shared_ptr<const Config> c);
  std::shared_ptr<const Snapshot> current() const;
  // Builds and installs the snapshot for `c`, reusing the runtime of backends (same pool,
  // address and weight) and routes (same name) that it keeps.
  std::shared_ptr<const Snapshot> install(std::shared_ptr<const Config> c);

  Counter unrouted[6] = {};            // answers to requests no route took
  Clock clock = steady_now_ms;
  int64_t started_ms = steady_now_ms();  // on `clock`'s scale: the status page's uptime
  std::atomic<bool> draining{false};   // SIGTERM: finish what is in flight, accept nothing new
  // The event loops are gone: coroutines destroyed unfinished (a compare copy waiting on a
  // slow candidate) must not touch their thread's context any more.
  std::atomic<bool> stopped{false};
  std::atomic<int> sessions{0};        // open client connections, all threads
  std::atomic<int> parked{0};          // of those, idle between requests (no Session held)
  int threads = 0;                     // event-loop threads (set by the server before they run)
  std::unique_ptr<AccessLog> access_log;  // null when off
  // Re-reads the config and installs it; "" on success, else why it was refused (set by
  // the server; used by SIGHUP and the admin API).
  std::function<std::string()> reload;
  // Worker supervision, for the admin API (set by the server): JSON status; a rolling
  // restart of one pool ("" when started, else why not).
  std::function<std::string()> workers_status;
  std::function<std::string(const std::string&)> workers_restart;
  // Asks every thread to close its idle connections to a backend (by id), so a worker being
  // stopped is not kept waiting by connections nobody will use (set by the server).
  std::function<void(size_t)> drop_idle_upstreams;
  // Asks every thread but `to`'s to hand one of its idle connections to a backend (by id)
  // over to `to` (ThreadContext*, kept as void* here): a FastCGI request that needs a kept
  // connection takes the one idle on another thread instead of waiting for it there
  // (set by the server). `max_idle`: how many `to` may keep idle.
  std::function<void(size_t, void* to, size_t max_idle)> hand_idle_upstream;
  // Route stages: moves one route (promote, demote, set) and persists the stages; returns
  // "" or why not. Set by the server; used by the admin API and the guards.
  std::function<std::string(const std::string& route, const std::string& action, const std::string& value,
                            const std::string& who)>
      move_route;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snap_;
  size_t next_backend_id_ = 0;
};

// Counts a request against a backend for as long as it lives. With a cap, acquire() fails
// when another thread took the last slot first (the cap is exact, not approximate).
// The count is sequentially consistent (on x86 the same locked instruction as relaxed): a
// request that gives a slot back and then looks at the pool's queue, and a waiter that
// joins it and then looks at the slots, cannot both miss each other (core/pool_queue.h).
class InFlight {
 public:
  explicit InFlight(BackendRuntime& b) : b_(b) {}
  bool acquire(uint32_t cap) {
    uint32_t before = b_.in_flight.fetch_add(1);
    if (cap != 0 && before >= cap) {
      b_.in_flight.fetch_sub(1);
      return false;
    }
    held_ = true;
    return true;
  }
  // Takes over a slot acquired for this request already (a grant of the pool's queue).
  void adopt() { held_ = true; }
  // Lets go of the slot without giving it back: someone else holds it now.
  void forget() { held_ = false; }
  ~InFlight() { release(); }
  void release() {
    if (held_) b_.in_flight.fetch_sub(1);
    held_ = false;
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  BackendRuntime& b_;
  bool held_ = false;
};

}  // namespace cutover
