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
  // True when the pattern matches; fills `caps` when given. A match that fails with an
  // error (the match or depth limit: a pathological pattern or subject) returns false and
  // is counted on this thread; callers that must fail closed read take_errors().
  bool match(std::string_view subject, Captures* caps = nullptr) const;
  // Matches on this thread that ended in an error since the last call; resets the count.
  // Deny and auth rules count an error as a match, rewrites and routes answer 500.
  static int take_errors();
  const std::string& pattern() const { return pattern_; }
  int capture_count() const { return captures_; }

 private:
  std::shared_ptr<void> code_;
  std::string pattern_;
  int captures_ = 0;
};

}  // namespace cutover
