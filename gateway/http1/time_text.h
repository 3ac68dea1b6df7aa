// UTC time as text (Date headers, access logs), formatted at most once per second per
// thread and format: a busy thread does not call strftime per request.
#pragma once
#include <ctime>
#include <string_view>

namespace cutover {

template <const char* Format>
std::string_view utc_text(time_t secs) {
  thread_local time_t last = -1;
  thread_local char buf[48];
  if (secs != last) {
    tm t;
    gmtime_r(&secs, &t);
    strftime(buf, sizeof buf, Format, &t);
    last = secs;
  }
  return buf;
}

inline constexpr char kHttpDate[] = "%a, %d %b %Y %H:%M:%S GMT";      // RFC 9110
inline constexpr char kCommonLogTime[] = "%d/%b/%Y:%H:%M:%S +0000";  // access logs

}  // namespace cutover
