#include "rewrite/rewriter.h"

namespace cutover {
namespace {

enum class Pass { stop, restart, finished };

bool in_phase(RewriteKind k, bool if_not_file) {
  bool inf = k == RewriteKind::if_not_file || k == RewriteKind::repeat_if_not_file;
  return inf == if_not_file;
}

}  // namespace

RewriteResult apply_rewrites(const std::vector<RewriteRule>& rules, std::string target,
                             const UrlParts& base, const IsRegularFile& is_file, const ConditionCheck& holds) {
  RewriteResult res;
  int count = 0;
  bool any_if_not_file = false;
  for (auto& r : rules) any_if_not_file |= in_phase(r.kind, true);

  // One pass over one phase's rules: the first matching rule decides.
  auto run_phase = [&](bool if_not_file) -> Pass {
    for (const RewriteRule& r : rules) {
      if (!in_phase(r.kind, if_not_file)) continue;
      Captures host_caps;
      if (r.host && !r.host->match(base.host, &host_caps)) continue;
      bool excluded = false;
      for (const Regex& h : r.unless_host) excluded = excluded || h.match(base.host, nullptr);
      if (excluded) continue;
      if (!r.when.empty() && !(holds && holds(r.when))) continue;
      for (auto& w : r.unless_when) excluded = excluded || (holds && holds(w));
      if (excluded) continue;
      Captures caps;
      if (!r.match.match(target, &caps)) continue;
      if (r.to.empty()) return Pass::stop;  // lighttpd's "exclude" idiom
      UrlParts u = base;
      u.target = target;
      std::string next = r.to.expand(caps, r.host ? &host_caps : nullptr, u);
      res.applied.push_back(r.origin);
      if (next.empty() || next.front() != '/') {
        res.status = 500;
        res.error = "rewrite result does not start with '/': " + next + " (rule " + r.origin + ")";
        return Pass::finished;
      }
      std::string norm;
      if (!url::normalize_target(next, norm)) {
        res.status = 400;
        res.error = "rewrite result is not a valid URL: " + next;
        return Pass::finished;
      }
      target = std::move(norm);
      if (++count > kMaxRewrites) {
        res.status = 500;
        res.error = "more than 100 rewrites (loop?), last rule " + r.origin;
        return Pass::finished;
      }
      bool once = r.kind == RewriteKind::once || r.kind == RewriteKind::if_not_file;
      return once ? Pass::finished : Pass::restart;
    }
    return Pass::stop;
  };

  while (true) {
    Pass p;
    while ((p = run_phase(false)) == Pass::restart) {
    }
    if (p == Pass::finished || !any_if_not_file) break;
    if (is_file && is_file(target)) break;
    p = run_phase(true);
    if (p != Pass::restart) break;  // repeat-if-not-file restarts the whole request
  }
  res.target = std::move(target);
  return res;
}

}  // namespace cutover
