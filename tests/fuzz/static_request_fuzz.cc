// libFuzzer target: the static-file parsers that read request text — path resolution,
// Range, HTTP dates, entity-tag lists, listing order, expiry specs. Checks their promises, not just
// that they return.
#include <cstddef>
#include <cstdint>
#include <string>

#include "static/expires.h"
#include "static/listing.h"
#include "static/path.h"
#include "static/validators.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::statics;
  std::string in(reinterpret_cast<const char*>(data), size);
  std::string rel, why;
  bool dir = false;
  // An expiry spec (lighttpd's mod_expire syntax) that parses is never negative and never
  // dates an answer before now.
  if (auto e = parse_expire(in, why)) {
    if (auto f = expire_field(*e, 1'000'000, 500'000, false); f && f->second.find("max-age=-") != std::string::npos) __builtin_trap();
  }
  if (resolve(in, PathRules{}, rel, dir, why)) {
    // Nothing that leaves the root or hides: no empty, "." or ".." segment, no NUL/backslash.
    if (!rel.empty() && (rel.front() == '/' || rel.back() == '/')) __builtin_trap();
    if (rel.find('\0') != std::string::npos || rel.find('\\') != std::string::npos) __builtin_trap();
    if (rel == ".." || rel.rfind("../", 0) == 0 || rel.find("/../") != std::string::npos ||
        (rel.size() >= 3 && rel.compare(rel.size() - 3, 3, "/..") == 0) || rel.find("//") != std::string::npos)
      __builtin_trap();
    if (rel.front() == '.' || rel.find("/.") != std::string::npos) __builtin_trap();
  }
  for (uint64_t file_size : {uint64_t(0), uint64_t(1), uint64_t(1000)}) {
    std::vector<ByteRange> ranges;
    bool sat = false;
    if (parse_range(in, file_size, ranges, sat))
      for (auto& r : ranges)
        if (r.first > r.last || r.last >= file_size) __builtin_trap();
    Conditions c;
    c.range = in;
    c.if_none_match = in;
    c.if_range = in;
    FileFacts f{"\"e\"", 1000, file_size};
    (void)evaluate_preconditions(c, f, true);
    if (evaluate_range(c, f, ranges) == RangeOutcome::partial && ranges.empty()) __builtin_trap();
  }
  if (auto t = parse_http_date(in)) {
    auto again = parse_http_date(http_date(*t));
    if (!again || *again != *t) __builtin_trap();
  }
  (void)listing_order(in);
  return 0;
}
