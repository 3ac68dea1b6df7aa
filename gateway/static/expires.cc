#include "static/expires.h"

#include <cstdlib>

#include "static/validators.h"

namespace cutover::statics {

std::optional<ExpireSpec> parse_expire(std::string_view t, std::string& why) {
  ExpireSpec e;
  if (t.substr(0, 7) == "access ") t.remove_prefix(7);
  else if (t.substr(0, 4) == "now ") t.remove_prefix(4);
  else if (t.substr(0, 13) == "modification ") {
    e.modification = true;
    t.remove_prefix(13);
  } else {
    why = "expected \"access\", \"now\" or \"modification\" first, found \"" + std::string(t) + "\"";
    return std::nullopt;
  }
  if (t.substr(0, 5) == "plus ") t.remove_prefix(5);
  if (t.empty()) {
    why = "expected <number> <unit> after the base";
    return std::nullopt;
  }
  while (!t.empty()) {
    size_t sp = t.find(' ');
    if (sp == std::string_view::npos) {
      why = "a unit after \"" + std::string(t) + "\"";
      return std::nullopt;
    }
    std::string num(t.substr(0, sp));
    char* end = nullptr;
    long n = std::strtol(num.c_str(), &end, 10);
    if (num.empty() || *end != '\0') {
      why = "expected a number, found \"" + num + "\"";
      return std::nullopt;
    }
    t.remove_prefix(sp + 1);
    size_t next = t.find(' ');
    std::string_view unit = t.substr(0, next);
    if (!unit.empty() && unit.back() == 's') unit.remove_suffix(1);  // plural
    int64_t mult = unit == "year" ? 60LL * 60 * 24 * 30 * 12 : unit == "month" ? 60LL * 60 * 24 * 30
                   : unit == "week" ? 60LL * 60 * 24 * 7 : unit == "day" ? 60LL * 60 * 24 : unit == "hour" ? 3600
                   : unit == "minute" ? 60 : unit == "second" ? 1 : 0;
    if (!mult) {
      why = "unknown unit \"" + std::string(t.substr(0, next)) + "\" (years, months, weeks, days, hours, minutes, seconds)";
      return std::nullopt;
    }
    e.seconds += int64_t(n) * mult;
    if (next == std::string_view::npos) break;
    t.remove_prefix(next + 1);
  }
  return e;
}

const ExpireSpec* pick_expire(const ExpireList& urls, const ExpireList& mimetypes, std::string_view path,
                              std::string_view content_type) {
  for (auto& [prefix, spec] : urls)
    if (path.substr(0, prefix.size()) == prefix) return &spec;
  const ExpireSpec* any = nullptr;
  for (auto& [prefix, spec] : mimetypes) {
    if (prefix.empty()) {
      if (!any) any = &spec;
      continue;
    }
    if (!content_type.empty() && content_type.substr(0, prefix.size()) == prefix) return &spec;
  }
  return any;
}

std::optional<std::pair<std::string, std::string>> expire_field(const ExpireSpec& e, int64_t now_s, std::optional<int64_t> mtime_s,
                                                                bool http10) {
  int64_t at = e.seconds;
  if (!e.modification) at += now_s;
  else if (mtime_s) at += *mtime_s;
  else return std::nullopt;
  if (at < now_s) at = now_s;  // never in the past
  if (!http10) return std::pair<std::string, std::string>{"Cache-Control", "max-age=" + std::to_string(at - now_s)};
  return std::pair<std::string, std::string>{"Expires", http_date(time_t(at))};
}

}  // namespace cutover::statics
