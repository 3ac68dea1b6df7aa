// What the new side of a rollout is asked for (rollout.path) and the fields that tell it
// where the app was mounted. Pure; used by the session and by `cutover explain`.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"

namespace cutover {

// `rewritten`: the target as the legacy side gets it; `original`: as the client sent it.
// `fields` receives X-Forwarded-Prefix / X-Script-Name when the mount is stripped.
std::string new_side_target(const RolloutSpec& ro, std::string_view original, const std::string& rewritten,
                            std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace cutover
