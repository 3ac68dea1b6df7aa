#define PCRE2_CODE_UNIT_WIDTH 8
#include "rewrite/regex.h"

#include <pcre2.h>

#include <utility>

namespace cutover {
namespace {

// Enough backtracking for any sane rewrite rule, little enough to fail in microseconds.
constexpr uint32_t kMatchLimit = 100000;
constexpr uint32_t kDepthLimit = 10000;

struct ThreadMatchState {
  pcre2_match_data* data = pcre2_match_data_create(Captures::kMax, nullptr);
  pcre2_match_context* ctx = [] {
    pcre2_match_context* c = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(c, kMatchLimit);
    pcre2_set_depth_limit(c, kDepthLimit);
    return c;
  }();
  ~ThreadMatchState() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(ctx);
  }
};

ThreadMatchState& state() {
  thread_local ThreadMatchState s;
  return s;
}

thread_local int t_errors = 0;

}  // namespace

int Regex::take_errors() { return std::exchange(t_errors, 0); }

std::string_view Captures::group(int i) const {
  if (i < 0 || i >= count) return {};
  size_t b = ov[2 * i], e = ov[2 * i + 1];
  if (b == PCRE2_UNSET || e < b) return {};
  return subject.substr(b, e - b);
}

std::optional<Regex> Regex::compile(std::string_view pattern, std::string& error,
                                    size_t& error_offset) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 0, &code, &offset, nullptr);
  if (re == nullptr) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(code, buf, sizeof buf);
    error = reinterpret_cast<char*>(buf);
    error_offset = offset;
    return std::nullopt;
  }
  uint32_t caps = 0;
  pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &caps);
  if (caps + 1 > uint32_t(Captures::kMax)) {
    pcre2_code_free(re);
    error = "too many capture groups (at most 19)";
    error_offset = 0;
    return std::nullopt;
  }
  pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if unavailable
  Regex r;
  r.code_ = std::shared_ptr<void>(re, [](void* p) { pcre2_code_free(static_cast<pcre2_code*>(p)); });
  r.pattern_ = std::string(pattern);
  r.captures_ = int(caps);
  return r;
}

bool Regex::match(std::string_view subject, Captures* caps) const {
  auto& st = state();
  auto* re = static_cast<pcre2_code*>(code_.get());
  int rc = pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                       st.data, st.ctx);
  if (rc <= 0) {  // no match, or an error such as the match limit
    if (rc != PCRE2_ERROR_NOMATCH) ++t_errors;
    return false;
  }
  if (caps) {
    caps->subject = subject;
    caps->count = rc;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.data);
    for (int i = 0; i < rc * 2 && i < Captures::kMax * 2; ++i) caps->ov[i] = ov[i];
  }
  return true;
}

}  // namespace cutover
