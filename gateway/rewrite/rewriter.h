// Global URL rewrites with lighttpd mod_rewrite semantics (lighttpd-semantics.md §2).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rewrite/field_condition.h"
#include "rewrite/regex.h"
#include "rewrite/replacement.h"

namespace cutover {

enum class RewriteKind { once, repeat, if_not_file, repeat_if_not_file };

struct RewriteRule {
  Regex match;
  Replacement to;
  RewriteKind kind = RewriteKind::once;
  // lighttpd's $HTTP["host"] blocks: the rule applies only when the Host matches `host`
  // (whose captures are %1..%9 in `to`), and never when it matches one of `unless_host`
  // (a host block that replaces this rule's list, as lighttpd's last matching block does).
  std::optional<Regex> host;
  std::vector<Regex> unless_host;
  // Blocks on other request fields: every `when` must hold, and no set of `unless_when`.
  std::vector<FieldCondition> when;
  std::vector<std::vector<FieldCondition>> unless_when;
  std::string origin;  // "file:line" of the rule, for explain and logs
};

struct RewriteResult {
  std::string target;     // the final (normalised) target
  int status = 0;         // 0, or 500 for an invalid result / loop, 400 for a bad result URL
  std::string error;      // why, when status != 0
  std::vector<std::string> applied;  // origins of the rules that fired, in order
};

// Answers whether the target's physical path is a regular file (for *-if-not-file).
using IsRegularFile = std::function<bool(std::string_view target)>;

constexpr int kMaxRewrites = 100;  // lighttpd's loop limit

// Applies `rules` to `target` (already normalised). Rules are tried in the order written;
// a `once` match ends all rewriting, a `repeat` match restarts the rules on the new target,
// an empty replacement stops without rewriting, `*-if-not-file` rules run afterwards only
// when no `once` rule fired and the target is not a regular file.
// Whether all the conditions hold for the request (the router evaluates them).
using ConditionCheck = std::function<bool(const std::vector<FieldCondition>&)>;

RewriteResult apply_rewrites(const std::vector<RewriteRule>& rules, std::string target,
                             const UrlParts& url, const IsRegularFile& is_file, const ConditionCheck& holds = {});

}  // namespace cutover
