// The stage of every route, kept across restarts: one small JSON file, replaced atomically
// (written to a temporary file, fsynced, renamed over the old one).
#pragma once
#include <map>
#include <string>

#include "stage/split.h"

namespace cutover::stage {

using StageMap = std::map<std::string, StagePoint>;  // route name -> stage

// "" on success (a missing file is an empty map); otherwise why the file was not usable.
std::string load_state(const std::string& path, StageMap& out);
// "" on success; otherwise why it could not be written.
std::string save_state(const std::string& path, const StageMap& m);

}  // namespace cutover::stage
