#include "static/validators.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace cutover::statics {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int month_index(std::string_view m) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (m == kMonths[i]) return i;
  return -1;
}

bool digits(std::string_view s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool parse_clock(std::string_view s, tm& t) {
  int h, m, sec;
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return false;
  if (!digits(s.substr(0, 2), h) || !digits(s.substr(3, 2), m) || !digits(s.substr(6, 2), sec)) return false;
  if (h > 23 || m > 59 || sec > 60) return false;
  t.tm_hour = h, t.tm_min = m, t.tm_sec = sec;
  return true;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> w;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) w.push_back(s.substr(i, j - i));
    i = j;
  }
  return w;
}

// Weak comparison (If-None-Match): W/ prefixes ignored.
std::string_view opaque(std::string_view tag) {
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

// Does a list of entity tags ("*" or "a", W/"b") contain `etag`?
bool list_matches(std::string_view list, std::string_view etag, bool weak) {
  list = trim(list);
  if (list == "*") return true;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == ',' || list[i] == '\t')) ++i;
    if (i >= list.size()) break;
    size_t start = i;
    if (list.compare(i, 2, "W/") == 0) i += 2;
    if (i >= list.size() || list[i] != '"') return false;  // malformed: nothing matches
    size_t end = list.find('"', i + 1);
    if (end == std::string_view::npos) return false;
    std::string_view tag = list.substr(start, end + 1 - start);
    if (weak ? opaque(tag) == opaque(etag) : (tag.substr(0, 2) != "W/" && tag == etag)) return true;
    i = end + 1;
  }
  return false;
}

}  // namespace

std::string http_date(time_t t) {
  tm g;
  gmtime_r(&t, &g);
  char buf[40];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &g);
  return buf;
}

std::optional<time_t> parse_http_date(std::string_view s) {
  s = trim(s);
  auto w = words(s);
  tm t{};
  int day, year;
  if (w.size() == 6 && w[0].size() == 4 && w[0][3] == ',' && w[5] == "GMT") {
    // Sun, 06 Nov 1994 08:49:37 GMT
    if (!digits(w[1], day) || w[1].size() != 2) return std::nullopt;
    t.tm_mon = month_index(w[2]);
    if (!digits(w[3], year) || w[3].size() != 4 || !parse_clock(w[4], t)) return std::nullopt;
  } else if (w.size() == 4 && w[0].size() > 1 && w[0].back() == ',' && w[3] == "GMT" && w[1].size() == 9) {
    // Sunday, 06-Nov-94 08:49:37 GMT
    std::string_view d = w[1];
    if (d[2] != '-' || d[6] != '-' || !digits(d.substr(0, 2), day) || !digits(d.substr(7, 2), year)) return std::nullopt;
    t.tm_mon = month_index(d.substr(3, 3));
    year += year < 70 ? 2000 : 1900;
    if (!parse_clock(w[2], t)) return std::nullopt;
  } else if (w.size() == 5) {
    // Sun Nov  6 08:49:37 1994
    t.tm_mon = month_index(w[1]);
    if (!digits(w[2], day) || w[2].size() > 2 || !parse_clock(w[3], t) || !digits(w[4], year) || w[4].size() != 4)
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (t.tm_mon < 0 || day < 1 || day > 31 || year < 1900) return std::nullopt;
  t.tm_mday = day;
  t.tm_year = year - 1900;
  return timegm(&t);
}

std::string make_etag(uint64_t inode, uint64_t size, int64_t mtime_sec, int64_t mtime_nsec) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx-%llx.%llx\"", (unsigned long long)inode, (unsigned long long)size,
                (unsigned long long)mtime_sec, (unsigned long long)mtime_nsec);
  return buf;
}

int evaluate_preconditions(const Conditions& c, const FileFacts& f, bool safe) {
  // RFC 9110 §13.2.2, in its order.
  if (!c.if_match.empty()) {
    if (!list_matches(c.if_match, f.etag, false)) return 412;
  } else if (!c.if_unmodified_since.empty()) {
    auto d = parse_http_date(c.if_unmodified_since);
    if (d && f.mtime > *d) return 412;
  }
  if (!c.if_none_match.empty()) {
    if (list_matches(c.if_none_match, f.etag, true)) return safe ? 304 : 412;
  } else if (safe && !c.if_modified_since.empty()) {
    auto d = parse_http_date(c.if_modified_since);
    if (d && f.mtime <= *d) return 304;
  }
  return 0;
}

bool parse_range(std::string_view v, uint64_t size, std::vector<ByteRange>& out, bool& satisfiable) {
  out.clear();
  satisfiable = false;
  v = trim(v);
  if (v.substr(0, 6) != "bytes=") return false;
  v.remove_prefix(6);
  size_t specs = 0;
  auto number = [](std::string_view s, uint64_t& n) {
    if (s.empty() || s.size() > 19) return false;
    n = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return false;
      n = n * 10 + uint64_t(ch - '0');
    }
    return true;
  };
  while (true) {
    size_t comma = v.find(',');
    std::string_view spec = trim(v.substr(0, comma));
    if (!spec.empty()) {
      ++specs;
      size_t dash = spec.find('-');
      if (dash == std::string_view::npos) return false;
      std::string_view a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
      uint64_t first = 0, last = 0;
      if (a.empty()) {  // suffix: the last b bytes
        if (!number(b, last)) return false;
        if (last > 0 && size > 0) out.push_back({size - std::min(last, size), size - 1});
      } else {
        if (!number(a, first)) return false;
        if (b.empty()) last = size ? size - 1 : 0;
        else if (!number(b, last) || last < first) return false;
        if (first < size) out.push_back({first, std::min(last, size - 1)});
      }
    }
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  if (specs == 0) return false;
  satisfiable = !out.empty();
  return true;
}

RangeOutcome evaluate_range(const Conditions& c, const FileFacts& f, std::vector<ByteRange>& out, size_t max_ranges) {
  out.clear();
  if (c.range.empty()) return RangeOutcome::full;
  if (!c.if_range.empty()) {
    std::string_view ir = trim(c.if_range);
    if (!ir.empty() && (ir.front() == '"' || ir.substr(0, 2) == "W/")) {
      if (ir != f.etag) return RangeOutcome::full;  // strong comparison only
    } else {
      auto d = parse_http_date(ir);
      if (!d || *d != f.mtime) return RangeOutcome::full;
    }
  }
  bool satisfiable;
  if (!parse_range(c.range, f.size, out, satisfiable)) {
    out.clear();
    return RangeOutcome::full;
  }
  if (!satisfiable) return RangeOutcome::unsatisfiable;
  if (out.size() > max_ranges) {
    out.clear();
    return RangeOutcome::full;
  }
  if (out.size() > 1) {
    std::vector<ByteRange> sorted = out;
    std::sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) { return x.first < y.first; });
    for (size_t i = 1; i < sorted.size(); ++i)
      if (sorted[i].first <= sorted[i - 1].last) {
        out.clear();
        return RangeOutcome::full;
      }
  }
  return RangeOutcome::partial;
}

}  // namespace cutover::statics
