#include "route/forwarded_client.h"

#include <arpa/inet.h>

namespace cutover {
namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

bool numeric_ip(std::string_view s) {
  if (s.empty() || s.size() >= 64 || s.find('\0') != std::string_view::npos) return false;  // inet_pton would stop at a NUL
  std::string c(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, c.c_str(), buf) == 1 || inet_pton(AF_INET6, c.c_str(), buf) == 1;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

std::string scheme_of(std::string_view proto) {
  proto = trim(proto);
  if (proto.size() >= 2 && proto.front() == '"' && proto.back() == '"') proto = proto.substr(1, proto.size() - 2);
  if (ieq(proto, "https")) return "https";
  if (ieq(proto, "http")) return "http";
  return "";  // a list ("https, http") or anything else: not taken
}

// An address list: the runs of hex digits, ':' and '.' (what lighttpd takes as addresses).
std::vector<std::string_view> address_runs(std::string_view v) {
  std::vector<std::string_view> out;
  size_t start = std::string_view::npos;
  for (size_t i = 0; i <= v.size(); ++i) {
    char c = i < v.size() ? v[i] : ' ';
    bool in = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') || c == ':' || c == '.';
    if (in && start == std::string_view::npos) start = i;
    if (!in && start != std::string_view::npos) out.push_back(v.substr(start, i - start)), start = std::string_view::npos;
  }
  return out;
}

struct Param {
  std::string_view key, value;
};

// Forwarded (RFC 7239): elements separated by ',', params by ';'. false on a broken quote.
bool forwarded_elements(std::string_view s, std::vector<std::vector<Param>>& out) {
  out.emplace_back();
  size_t i = 0;
  auto skip_quoted = [&](size_t& k) {  // at '"': to the closing quote (backslash escapes kept)
    for (++k; k < s.size() && s[k] != '"'; ++k)
      if (s[k] == '\\' && ++k >= s.size()) return false;
    return k < s.size();
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == ';') { ++i; continue; }
    if (c == ',') { out.emplace_back(); ++i; continue; }
    size_t k = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';' && s[i] != ',') {
      if (s[i] == '"' && !skip_quoted(i)) return false;
      ++i;
    }
    if (i >= s.size() || s[i] != '=') continue;  // a token without '=': skipped
    std::string_view key = s.substr(k, i - k);
    size_t v = ++i;
    while (i < s.size() && s[i] != ';' && s[i] != ',') {
      if (s[i] == '"' && !skip_quoted(i)) return false;
      ++i;
    }
    if (!key.empty()) out.back().push_back({key, s.substr(v, i - v)});
  }
  return true;
}

// A for= node as an address: quotes, IPv6 brackets and an IPv4 port removed.
std::string_view node_address(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
    if (!v.empty() && v.front() == '[') return v.substr(1, v.find(']') == std::string_view::npos ? 0 : v.find(']') - 1);
    if (!v.empty() && v.front() != '_' && v.front() != '/' && v.front() != 'u') return v.substr(0, v.find(':'));
  }
  return v;
}

ForwardedClient from_forwarded(std::string_view value, const std::function<bool(std::string_view)>& trusted, bool& bad) {
  std::vector<std::vector<Param>> elements;
  if (!forwarded_elements(value, elements)) {
    bad = true;
    return {};
  }
  // From the right: the nearest element whose for= is not a trusted proxy. Like lighttpd
  // 1.4.69 we stop there, remembering the last real address seen on the way.
  const std::vector<Param>* chosen = nullptr;
  std::string_view addr;
  for (size_t e = elements.size(); e-- > 0;) {
    const std::vector<Param>& params = elements[e];
    const Param* node = nullptr;
    for (auto it = params.rbegin(); it != params.rend() && !node; ++it)
      if (ieq(it->key, "for")) node = &*it;
    if (!node) continue;
    std::string_view a = node_address(node->value);
    if (a.empty()) continue;
    if (a.front() != '_' && a.front() != '/' && a != "unknown") addr = a, chosen = &params;  // obfuscated ones pass by
    if (!trusted(a)) break;
  }
  if (!chosen || !numeric_ip(addr)) return {};
  ForwardedClient out{std::string(addr), ""};
  for (const Param& p : *chosen)
    if (ieq(p.key, "proto")) out.scheme = scheme_of(p.value);
  return out;
}

}  // namespace

ForwardedClient client_from_proxy(const std::vector<std::pair<std::string_view, std::string_view>>& fields,
                                  const std::vector<std::string>& headers,
                                  const std::function<bool(std::string_view)>& trusted, bool& bad) {
  bad = false;
  for (const std::string& name : headers) {
    std::string joined;  // repeated fields are one list, as lighttpd joins them
    bool seen = false;
    for (auto& f : fields)
      if (ieq(f.first, name)) {
        if (seen) joined += ", ";
        joined += f.second;
        seen = true;
      }
    if (!seen) continue;
    if (name == "forwarded") return from_forwarded(joined, trusted, bad);
    std::vector<std::string_view> hops = address_runs(joined);
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
      if (trusted(*it)) continue;
      if (!numeric_ip(*it)) return {};
      ForwardedClient out{std::string(*it), ""};
      for (auto& f : fields)
        if (ieq(f.first, "x-forwarded-proto")) {
          out.scheme = scheme_of(f.second);
          break;
        }
      return out;
    }
    return {};  // every hop is a trusted proxy: the peer stays the client
  }
  return {};
}

}  // namespace cutover
