// PCRE2 (JIT) regular expressions with match limits, so a pathological pattern fails a
// match instead of stalling an event-loop thread.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cutover {

// Captured groups of one match; views into the subject.
struct Captures {
  static constexpr int kMax = 20;  // $0..$19, lighttpd's limit
  std::string_view subject;
  size_t ov[kMax * 2] = {};
  int count = 0;
  std::string_view group(int i) const;
};

class Regex {
 public:
  // Compiles `pattern`; on failure returns nullopt with a message and the byte offset.
  static std::optional<Regex> compile(std::string_view pattern, std::string& error,
                                      size_t& error_offset);
  // True when the pattern matches; fills `caps` when given. A match that hits the match
  // limit counts as no match (and is logged once by the caller via limit_hit()).
  bool match(std::string_view subject, Captures* caps = nullptr) const;
  const std::string& pattern() const { return pattern_; }
  int capture_count() const { return captures_; }

 private:
  std::shared_ptr<void> code_;
  std::string pattern_;
  int captures_ = 0;
};

}  // namespace cutover
