#include "route/router.h"

namespace cutover {

std::string normalize_host(std::string_view host) {
  std::string h;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    h.assign(host.substr(0, close == std::string_view::npos ? host.size() : close + 1));
  } else {
    h.assign(host.substr(0, host.find(':')));
  }
  for (char& c : h)
    if (c >= 'A' && c <= 'Z') c = char(c | 0x20);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

namespace {

bool host_matches(const std::vector<std::string>& patterns, std::string_view raw) {
  if (patterns.empty()) return true;
  std::string h = normalize_host(raw);
  for (const std::string& p : patterns) {
    if (p == h) return true;
    // "*.example.org" matches any subdomain, not the bare domain.
    if (p.size() > 2 && p[0] == '*' && p[1] == '.' && h.size() > p.size() - 1 &&
        h.compare(h.size() - (p.size() - 1), p.size() - 1, p, 1) == 0)
      return true;
  }
  return false;
}

}  // namespace

bool route_matches(const RouteSpec& r, const RouteInput& in, Captures* caps) {
  if (!r.prefix.empty() && in.path.compare(0, r.prefix.size(), r.prefix) != 0) return false;
  if (!r.methods.empty()) {
    bool ok = false;
    for (auto& m : r.methods) ok = ok || m == in.method;
    if (!ok) return false;
  }
  if (!host_matches(r.hosts, in.host)) return false;
  if (!r.unless.empty() || !r.unless_hosts.empty()) {
    // Host conditions from lighttpd's $HTTP["host"] see the field lowercased, port included.
    std::string h(in.host);
    for (char& ch : h) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    bool excluded = false;
    for (const RouteSpec::Exclusion& x : r.unless)
      excluded = excluded || ((!x.host || x.host->match(h, nullptr)) && (!x.path || x.path->match(in.path, nullptr)));
    for (const Regex& re : r.unless_hosts) excluded = excluded || re.match(h, nullptr);
    if (excluded) return false;
  }
  if (r.regex && !r.regex->match(in.path, caps)) return false;
  if (r.target_regex && !r.target_regex->match(in.target, caps)) return false;
  for (const Regex& re : r.unless_regexes)
    if (re.match(in.path, nullptr)) return false;
  return true;
}

const RouteSpec* match_route(const Config& c, const RouteInput& in, Captures* caps) {
  for (const RouteSpec& r : c.routes)
    if (route_matches(r, in, caps)) return &r;
  return nullptr;
}

}  // namespace cutover
