#include "route/rollout_shape.h"

namespace cutover {

std::string new_side_target(const RolloutSpec& ro, std::string_view original, const std::string& rewritten,
                            std::vector<std::pair<std::string, std::string>>& fields) {
  switch (ro.path) {
    case RolloutSpec::PathShape::rewritten: return rewritten;
    case RolloutSpec::PathShape::original: return std::string(original);
    case RolloutSpec::PathShape::stripped: break;
  }
  const std::string& p = ro.strip_prefix;
  // Only at a segment boundary: /app strips /app/x and /app?q, not /apple.
  if (p.empty() || rewritten.compare(0, p.size(), p) != 0 ||
      (rewritten.size() > p.size() && rewritten[p.size()] != '/' && rewritten[p.size()] != '?'))
    return rewritten;
  std::string_view tail = std::string_view(rewritten).substr(p.size());
  std::string rest = tail.empty() || tail.front() == '?' ? "/" : "";
  rest += tail;
  fields.emplace_back("X-Forwarded-Prefix", p);
  fields.emplace_back("X-Script-Name", p);
  return rest;
}

}  // namespace cutover
