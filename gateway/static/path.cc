#include "static/path.h"

#include <algorithm>
#include <cctype>

namespace cutover::statics {

bool resolve(std::string_view p, const PathRules& rules, std::string& rel, bool& dir_hint, std::string& why) {
  rel.clear();
  if (p.empty() || p.front() != '/') {
    why = "path does not start with /";
    return false;
  }
  if (!rules.strip_prefix.empty()) {
    std::string_view pre = rules.strip_prefix;
    while (!pre.empty() && pre.back() == '/') pre.remove_suffix(1);
    if (p.substr(0, pre.size()) != pre || (p.size() > pre.size() && p[pre.size()] != '/')) {
      why = "path outside the alias prefix";
      return false;
    }
    p.remove_prefix(pre.size());
    if (p.empty()) p = "/";
  }
  dir_hint = p.back() == '/';
  // Segment by segment: nothing that a file system could read as "up" or as a different
  // name than the one checked (backslash, NUL), and no hidden names unless allowed.
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view seg = p.substr(i, j - i);
    if (seg.empty()) break;
    for (char c : seg) {
      if (c == '\0' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        why = "control character or backslash in path";
        return false;
      }
    }
    if (seg == "." || seg == "..") {
      why = "dot segment in path";
      return false;
    }
    if (seg.front() == '.' && !rules.dotfiles) {
      why = "hidden name in path";
      return false;
    }
    if (!rel.empty()) rel.push_back('/');
    rel.append(seg);
    i = j;
  }
  return true;
}

std::string extension_of(std::string_view name) {
  size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string e(name.substr(dot));
  for (char& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

bool excluded_name(const std::vector<std::string>& suffixes, std::string_view name) {
  for (auto& e : suffixes) {
    if (name.size() < e.size()) continue;
    std::string_view tail = name.substr(name.size() - e.size());
    if (std::equal(tail.begin(), tail.end(), e.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        }))
      return true;
  }
  return false;
}

int unhandled_answer(std::string_view method) {
  if (method == "OPTIONS") return 200;
  return method == "GET" || method == "HEAD" || method == "POST" ? 403 : 501;
}

int method_answer(bool lighttpd_methods, std::string_view method) {
  if (method == "GET" || method == "HEAD" || (lighttpd_methods && method == "POST")) return 0;
  if (!lighttpd_methods) return 405;
  return method == "OPTIONS" ? 200 : 501;
}

}  // namespace cutover::statics
