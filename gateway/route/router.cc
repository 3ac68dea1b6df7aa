#include "route/router.h"

#include <arpa/inet.h>

#include <cstring>

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

std::string lighttpd_host(std::string_view host) {
  std::string h(host);
  for (char& ch : h) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return h;
}

namespace {

bool ip_in(const FieldCondition::Cidr& c, const uint8_t (&a)[16]) {
  int full = c.bits / 8, rest = c.bits % 8;
  if (std::memcmp(a, c.addr, size_t(full)) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = uint8_t(0xff << (8 - rest));
  return (a[full] & mask) == (c.addr[full] & mask);
}

bool all_hold(const std::vector<FieldCondition>& when, const RouteInput& in) {
  for (const FieldCondition& c : when)
    if (!condition_holds(c, in)) return false;
  return true;
}

}  // namespace

bool ip_in_any(const std::vector<FieldCondition::Cidr>& blocks, std::string_view text) {
  uint8_t a[16] = {};
  std::string ip(text);
  in_addr v4;
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) {
    a[10] = a[11] = 0xff;
    std::memcpy(a + 12, &v4, 4);
  } else if (inet_pton(AF_INET6, ip.c_str(), a) != 1) {
    return false;  // no address: in no block
  }
  for (const FieldCondition::Cidr& b : blocks)
    if (ip_in(b, a)) return true;
  return false;
}

bool condition_holds(const FieldCondition& c, const RouteInput& in) {
  bool hit = false;
  if (c.source == FieldCondition::Source::client_ip && !c.regex) {
    hit = ip_in_any(c.cidrs, in.client_ip);
  } else {
    std::string_view text;
    switch (c.source) {
      case FieldCondition::Source::header: text = in.field ? in.field(in.field_ctx, c.header) : std::string_view(); break;
      case FieldCondition::Source::query: {
        size_t q = in.target.find('?');
        text = q == std::string_view::npos ? std::string_view() : in.target.substr(q + 1);
        break;
      }
      case FieldCondition::Source::method: text = in.method; break;
      case FieldCondition::Source::client_ip: text = in.client_ip; break;
      case FieldCondition::Source::host: {
        std::string h = lighttpd_host(in.host);  // as $HTTP["host"] sees it
        return c.regex->match(h, nullptr) != c.negate;
      }
    }
    hit = c.regex->match(text, nullptr);
  }
  return hit != c.negate;
}

bool route_matches(const RouteSpec& r, const RouteInput& in, Captures* caps) {
  if (!r.prefix.empty() && in.path.compare(0, r.prefix.size(), r.prefix) != 0) return false;
  if (!r.methods.empty()) {
    bool ok = false;
    for (auto& m : r.methods) ok = ok || m == in.method;
    if (!ok) return false;
  }
  if (!host_matches(r.hosts, in.host)) return false;
  if (!r.unless.empty() || !r.unless_hosts.empty() || r.host_regex) {
    // Host conditions from lighttpd's $HTTP["host"] see the field lowercased, port included.
    std::string h = lighttpd_host(in.host);
    if (r.host_regex && !r.host_regex->match(h, nullptr)) return false;
    bool excluded = false;
    for (const RouteSpec::Exclusion& x : r.unless)
      excluded = excluded || ((!x.host || x.host->match(h, nullptr)) && (!x.path || x.path->match(in.path, nullptr)) &&
                              all_hold(x.when, in));
    for (const Regex& re : r.unless_hosts) excluded = excluded || re.match(h, nullptr);
    if (excluded) return false;
  }
  if (!all_hold(r.when, in)) return false;
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
