#include "control/rollout_control.h"

#include <cstdlib>

#include "core/log.h"
#include "stage/state_file.h"

namespace cutover {

void RolloutControl::load_state() {
  auto snap = rt_.current();
  const std::string& path = snap->config->server.state_file;
  if (path.empty()) return;
  stage::StageMap m;
  std::string err = stage::load_state(path, m);
  if (!err.empty()) {
    log::error("state file unusable, using the stages of the config: " + err);
    return;
  }
  for (size_t i = 0; i < snap->config->routes.size(); ++i) {
    const RouteSpec& r = snap->config->routes[i];
    auto it = m.find(r.name);
    if (!r.rollout || it == m.end()) continue;
    snap->routes[i]->rollout.store_point(it->second);
    log::info("route " + r.name + ": stage " + stage::describe(it->second) + " (from " + path + ")");
  }
}

std::string RolloutControl::save_locked() {
  auto snap = rt_.current();
  const std::string& path = snap->config->server.state_file;
  if (path.empty()) return "";
  stage::StageMap m;
  for (size_t i = 0; i < snap->config->routes.size(); ++i)
    if (snap->config->routes[i].rollout) m[snap->config->routes[i].name] = snap->routes[i]->rollout.load_point();
  return stage::save_state(path, m);
}

std::string RolloutControl::move(const std::string& route, const std::string& action, const std::string& value,
                                 const std::string& who) {
  std::lock_guard<std::mutex> g(mu_);
  auto snap = rt_.current();
  for (size_t i = 0; i < snap->config->routes.size(); ++i) {
    const RouteSpec& r = snap->config->routes[i];
    if (r.name != route) continue;
    if (!r.rollout) return "route \"" + route + "\" has no [routes.rollout]";
    RolloutRuntime& rr = snap->routes[i]->rollout;
    stage::StagePoint from = rr.load_point(), to;
    if (action == "promote") {
      to = stage::promote(from, r.rollout->steps);
    } else if (action == "demote") {
      to = stage::demote(from, r.rollout->steps);
    } else if (action == "rollback") {
      to = {stage::Stage::legacy, 0};
    } else if (action == "set") {
      std::string name = value.substr(0, value.find(' '));
      auto st = stage::parse_stage(name);
      if (!st) return "unknown stage \"" + name + "\" (legacy, shadow, canary PERCENT, new)";
      to = {*st, *st == stage::Stage::new_ ? stage::kBuckets : 0};
      if (*st == stage::Stage::canary) {
        double pct = value.find(' ') == std::string::npos ? -1 : std::atof(value.c_str() + value.find(' ') + 1);
        if (pct <= 0 || pct >= 100) return "canary needs a percentage above 0 and below 100, e.g. \"canary 10\"";
        to.share_bp = stage::percent_to_bp(pct);
      }
    } else {
      return "unknown action \"" + action + "\" (promote, demote, rollback, set)";
    }
    bool by_guard = who.rfind("guard: ", 0) == 0, automatic = by_guard || who.rfind("auto-promote", 0) == 0;
    if (!automatic) rr.tripped.store(false);  // a person took over again
    if (to == from) return "";
    rr.store_point(to);
    rr.new_errors_in_a_row.store(0);
    std::string what = stage::describe(from) + " -> " + stage::describe(to) + " (" + who + ")";
    rr.add_event(what, who);
    windows_.erase(route);  // a new stage is judged on its own evidence
    log::info("route " + route + ": " + what);
    std::string err = save_locked();
    if (!err.empty()) log::error("route " + route + ": stage changed but not saved: " + err);
    return "";
  }
  return "no route \"" + route + "\"";
}

bool RolloutControl::failing_in_a_row() const {
  auto snap = rt_.current();
  for (size_t i = 0; i < snap->config->routes.size(); ++i) {
    const RouteSpec& r = snap->config->routes[i];
    if (!r.rollout || !r.rollout->guarded || !r.rollout->max_consecutive_errors) continue;
    const RolloutRuntime& rr = snap->routes[i]->rollout;
    if (rr.load_point().stage != stage::Stage::legacy && !rr.tripped.load() &&  // the first trip; later ones at the tick's pace
        rr.new_errors_in_a_row.load() >= r.rollout->max_consecutive_errors)
      return true;
  }
  return false;
}

void RolloutControl::tick(int64_t now_ms) {
  auto snap = rt_.current();
  struct Trip {
    std::string route, why, to;  // to: "" one stage back (on_trip = "step"), else the safe stage
  };
  std::vector<Trip> trips;
  std::vector<std::pair<std::string, std::string>> promotions;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (size_t i = 0; i < snap->config->routes.size(); ++i) {
      const RouteSpec& r = snap->config->routes[i];
      if (!r.rollout) continue;
      const RolloutSpec& ro = *r.rollout;
      RolloutRuntime& rr = snap->routes[i]->rollout;
      stage::StagePoint p = rr.load_point();
      if (p.stage == stage::Stage::legacy) {
        windows_.erase(r.name);
        continue;
      }
      if (seen_point_[r.name] != rr.point.load()) windows_.erase(r.name);
      seen_point_[r.name] = rr.point.load();
      stage::GuardSample s;
      s.t_ms = now_ms;
      s.primary_answers = rr.primary_answers.load();
      s.new_answers = rr.new_answers.load();
      s.new_5xx = rr.new_5xx.load();
      s.compared = rr.compared.load();
      s.different = rr.different.load();
      uint64_t a[kLatencyBuckets + 1], b[kLatencyBuckets + 1];
      rr.primary_latency.read(a);
      rr.new_latency.read(b);
      s.primary_latency.assign(a, a + kLatencyBuckets + 1);
      s.new_latency.assign(b, b + kLatencyBuckets + 1);
      auto& w = windows_[r.name];
      w.add(std::move(s), ro.window.count());
      stage::GuardLimits l;
      l.max_error_rate = ro.max_error_rate;
      l.max_p99_ratio = ro.max_p99_ratio;
      l.max_diff_rate = ro.max_diff_rate;
      l.window_ms = ro.window.count();
      l.min_requests = ro.min_requests;
      l.bucket_bounds_ms.assign(std::begin(kLatencyBucketsMs), std::end(kLatencyBucketsMs));
      stage::Verdict v = w.judge(l);
      uint32_t in_a_row = rr.new_errors_in_a_row.load();
      if (ro.guarded && ro.max_consecutive_errors && in_a_row >= ro.max_consecutive_errors && v.kind != stage::Verdict::trip)
        v = {stage::Verdict::trip, std::to_string(in_a_row) + " candidate errors in a row (max_consecutive_errors " +
                                       std::to_string(ro.max_consecutive_errors) + ")"};
      if (v.kind == stage::Verdict::trip) {
        // Back to safety at once: shadow keeps evidence coming when compare is on; from
        // shadow (or with on_trip = "step") one stage back.
        bool shadow = ro.compare && p.stage != stage::Stage::shadow;
        trips.push_back({r.name, v.why, ro.trip_steps ? "" : shadow ? "shadow" : "legacy"});
        rr.tripped.store(true);
      }
      else if (v.kind == stage::Verdict::clean && ro.auto_promote && p.stage != stage::Stage::new_ && !rr.tripped.load())
        promotions.emplace_back(r.name, "a clean " + std::to_string(ro.window.count() / 1000) + "s window");
    }
  }
  for (auto& t : trips) {
    log::error("route " + t.route + ": guard tripped: " + t.why + (t.to.empty() ? "; stepping back a stage" : "; back to " + t.to));
    if (t.to.empty()) move(t.route, "demote", "", "guard: " + t.why);
    else move(t.route, "set", t.to, "guard: " + t.why);
  }
  for (auto& [route, why] : promotions) move(route, "promote", "", "auto-promote after " + why);
}

}  // namespace cutover
