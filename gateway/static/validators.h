// Conditional requests and ranges for a file (RFC 9110 §13 and §14), as pure functions of
// the request's fields and the file's size and mtime. Fuzzed (tests/fuzz/static_range_fuzz).
#pragma once
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cutover::statics {

std::string http_date(time_t t);
// IMF-fixdate, RFC 850 and asctime forms; nullopt when none parses.
std::optional<time_t> parse_http_date(std::string_view s);

// A strong validator from what changes when the file does: inode, size, mtime (ns).
std::string make_etag(uint64_t inode, uint64_t size, int64_t mtime_sec, int64_t mtime_nsec);

// The request fields that matter here (absent: empty).
struct Conditions {
  std::string_view if_match = {}, if_none_match = {}, if_modified_since = {}, if_unmodified_since = {}, if_range = {}, range = {};
};

struct FileFacts {
  std::string_view etag;
  time_t mtime = 0;
  uint64_t size = 0;
};

// 0: go on; 304 (Not Modified) or 412 (Precondition Failed). `safe`: GET or HEAD.
int evaluate_preconditions(const Conditions& c, const FileFacts& f, bool safe);

struct ByteRange {
  uint64_t first = 0, last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

enum class RangeOutcome { full, partial, unsatisfiable };

// Decides what a GET with these fields gets: the whole file (no Range, a Range this
// ignores, an If-Range that does not match), the ranges, or 416. Overlapping or too many
// ranges (more than `max_ranges`) are answered with the whole file, as RFC 9110 allows,
// so a client cannot make one small file cost many times its size.
RangeOutcome evaluate_range(const Conditions& c, const FileFacts& f, std::vector<ByteRange>& out,
                            size_t max_ranges = 16);

// "bytes=0-99,-5": the ranges against `size`. False: not a byte range we understand
// (ignore it). `satisfiable` is false when no range falls inside the file.
bool parse_range(std::string_view v, uint64_t size, std::vector<ByteRange>& out, bool& satisfiable);

}  // namespace cutover::statics
