#include "config/nearest.h"

#include <algorithm>

namespace cutover {

std::string nearest_name(const std::string& s, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 3;  // farther than two edits is not a typo
  for (const std::string& c : candidates) {
    std::vector<size_t> row(c.size() + 1);  // Levenshtein, one row at a time
    for (size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= s.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (s[i - 1] == c[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    if (row[c.size()] < best_d) best_d = row[c.size()], best = c;
  }
  return best;
}

}  // namespace cutover
