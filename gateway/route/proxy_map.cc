#include "route/proxy_map.h"

#include <strings.h>

namespace cutover {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || strncasecmp(a.data(), b.data(), a.size()) == 0);
}

// The host that replaces `authority` (compared without case, port included), or nullopt.
// A key "-" stands for the client's Host on the way in and for the mapped Host on the way
// out; a value "-" for the client's Host; an empty value ends the search unchanged.
std::optional<std::string> map_host(const std::vector<std::pair<std::string, std::string>>& pairs, std::string_view authority,
                                    const ProxyMapState& st, bool request) {
  for (auto& [key, value] : pairs) {
    std::string_view k = key;
    if (k == "-") {
      k = request ? std::string_view(st.client_host) : std::string_view(st.forwarded_host);
      if (k.empty()) continue;
    }
    if (!iequal(k, authority)) continue;
    if (value == "-") return st.client_host;
    if (value.empty()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

// A path mapped back: the pair the request used, else the first whose value is a prefix.
std::optional<std::string> unmap_path(const ProxyMap& m, std::string_view path, const ProxyMapState& st) {
  auto try_pair = [&](const std::pair<std::string, std::string>& p) -> std::optional<std::string> {
    if (path.substr(0, p.second.size()) != p.second) return std::nullopt;
    return p.first + std::string(path.substr(p.second.size()));
  };
  if (st.urlpath >= 0) return try_pair(m.urlpath[size_t(st.urlpath)]);
  for (auto& p : m.urlpath)
    if (auto r = try_pair(p)) return r;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> map_request_target(const ProxyMap& m, std::string_view target, ProxyMapState& st) {
  for (size_t i = 0; i < m.urlpath.size(); ++i) {
    auto& [key, value] = m.urlpath[i];
    if (target.substr(0, key.size()) != key) continue;
    st.urlpath = int(i);
    return value + std::string(target.substr(key.size()));
  }
  return std::nullopt;
}

std::optional<std::string> map_request_host(const ProxyMap& m, std::string_view host, ProxyMapState& st) {
  st.client_host = std::string(host);
  auto h = map_host(m.host_request, host, st, true);
  if (h) st.forwarded_host = *h;
  return h;
}

std::optional<std::string> map_response_uri(const ProxyMap& m, std::string_view value, const ProxyMapState& st) {
  if (!value.empty() && value.front() == '/') return unmap_path(m, value, st);
  size_t scheme = value.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  size_t a = scheme + 3;
  size_t slash = value.find('/', a);
  std::string_view authority = value.substr(a, slash == std::string_view::npos ? std::string_view::npos : slash - a);
  std::string out(value.substr(0, a));
  bool changed = false;
  if (auto h = map_host(m.host_response, authority, st, false)) {
    out += *h;
    changed = true;
  } else {
    out += authority;
  }
  // lighttpd 1.4.69 maps the path back whatever the host (even an external one).
  if (slash != std::string_view::npos) {
    std::string_view path = value.substr(slash);
    if (auto p = unmap_path(m, path, st)) {
      out += *p;
      changed = true;
    } else {
      out += path;
    }
  }
  if (!changed) return std::nullopt;
  return out;
}

std::optional<std::string> map_set_cookie(const ProxyMap& m, std::string_view value, const ProxyMapState& st) {
  // name=value; Attr=...; Attr: the first pair is the cookie itself.
  size_t semi = value.find(';');
  if (semi == std::string_view::npos) return std::nullopt;
  std::string out(value.substr(0, semi));
  bool changed = false;
  while (semi != std::string_view::npos) {
    size_t start = semi + 1;
    semi = value.find(';', start);
    std::string_view attr = value.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
    out += ';';
    size_t ws = attr.find_first_not_of(" \t");
    size_t eq = attr.find('=');
    if (ws == std::string_view::npos || eq == std::string_view::npos || eq < ws) {
      out += attr;
      continue;
    }
    std::string_view name = attr.substr(ws, eq - ws);
    std::string_view v = attr.substr(eq + 1);
    std::optional<std::string> mapped;
    if (iequal(name, "path")) {
      mapped = unmap_path(m, v, st);
    } else if (iequal(name, "domain")) {
      bool dot = !v.empty() && v.front() == '.';
      if (auto h = map_host(m.host_response, v.substr(dot ? 1 : 0), st, false)) mapped = (dot ? "." : "") + *h;
    }
    if (mapped) {
      out += attr.substr(0, eq + 1);
      out += *mapped;
      changed = true;
    } else {
      out += attr;
    }
  }
  if (!changed) return std::nullopt;
  return out;
}

}  // namespace cutover
