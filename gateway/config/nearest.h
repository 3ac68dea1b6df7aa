// "Did you mean …?": the closest of a few known names to a mistyped one.
#pragma once
#include <string>
#include <vector>

namespace cutover {

// The candidate within edit distance 2 of `s` (the closest; the first on a tie), or "".
std::string nearest_name(const std::string& s, const std::vector<std::string>& candidates);

}  // namespace cutover
