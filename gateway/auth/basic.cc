#include "auth/basic.h"

#include <algorithm>
#include <sstream>

#include "auth/password.h"

namespace cutover::auth {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

template <class F>
void each_line(std::string_view text, F f) {
  size_t line = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    ++line;
    std::string_view l = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    if (l.empty() || l.front() == '#') continue;
    f(line, l);
  }
}

}  // namespace

BasicField read_basic(std::string_view v, BasicCredentials& out) {
  v = trim(v);
  if (v.size() < 6) return BasicField::not_basic;
  std::string scheme(v.substr(0, 5));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  if (scheme != "basic" || v[5] != ' ') return BasicField::not_basic;
  std::string decoded;
  if (!base64_decode(trim(v.substr(6)), decoded) || decoded.empty()) return BasicField::malformed;
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return BasicField::malformed;
  out = BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
  return BasicField::ok;
}

std::optional<BasicCredentials> parse_basic(std::string_view v) {
  BasicCredentials c;
  if (read_basic(v, c) != BasicField::ok || c.user.empty()) return std::nullopt;
  return c;
}

std::map<std::string, std::string> parse_htpasswd(std::string_view text, std::vector<FileProblem>* problems) {
  std::map<std::string, std::string> users;
  each_line(text, [&](size_t line, std::string_view l) {
    size_t colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == l.size()) {
      if (problems) problems->push_back({line, "expected user:hash"});
      return;
    }
    std::string_view hash = l.substr(colon + 1);
    // A trailing ":comment" field (some tools write one) is not part of the hash.
    if (hash.front() != '{' && hash.find(':') != std::string_view::npos) hash = hash.substr(0, hash.find(':'));
    if (hash.empty()) {
      if (problems) problems->push_back({line, "expected user:hash"});
      return;
    }
    if (hash_kind(hash) == HashKind::unknown && problems)
      problems->push_back({line, "user \"" + std::string(l.substr(0, colon)) + "\": unsupported hash (use htpasswd -B, -2, -5, -m or -s)"});
    users[std::string(l.substr(0, colon))] = std::string(hash);
  });
  return users;
}

std::map<std::string, std::string> parse_plain_users(std::string_view text, std::vector<FileProblem>* problems) {
  std::map<std::string, std::string> users;
  each_line(text, [&](size_t line, std::string_view l) {
    size_t colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      if (problems) problems->push_back({line, "expected user:password"});
      return;
    }
    users[std::string(l.substr(0, colon))] = std::string(l.substr(colon + 1));
  });
  return users;
}

std::map<std::string, std::string> parse_htdigest(std::string_view text, std::string_view realm, std::vector<FileProblem>* problems) {
  std::map<std::string, std::string> users;
  each_line(text, [&](size_t line, std::string_view l) {
    size_t c1 = l.find(':'), c2 = c1 == std::string_view::npos ? c1 : l.find(':', c1 + 1);
    if (c1 == 0 || c2 == std::string_view::npos || l.size() - c2 - 1 != 32) {
      if (problems) problems->push_back({line, "expected user:realm:md5 (htdigest)"});
      return;
    }
    if (l.substr(c1 + 1, c2 - c1 - 1) != realm) return;
    std::string ha1(l.substr(c2 + 1));
    for (char& c : ha1) c = char(std::tolower(static_cast<unsigned char>(c)));
    users[std::string(l.substr(0, c1))] = ha1;
  });
  return users;
}

std::map<std::string, std::vector<std::string>> parse_groups(std::string_view text, std::vector<FileProblem>* problems) {
  std::map<std::string, std::vector<std::string>> by_user;
  each_line(text, [&](size_t line, std::string_view l) {
    size_t colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      if (problems) problems->push_back({line, "expected group: user user ..."});
      return;
    }
    std::string group(trim(l.substr(0, colon)));
    std::istringstream users{std::string(l.substr(colon + 1))};
    std::string u;
    while (users >> u) by_user[u].push_back(group);
  });
  return by_user;
}

bool parse_requirement(std::string_view text, Requirement& out, std::string& why) {
  out = {};
  text = trim(text);
  if (text == "valid-user") {
    out.valid_user = true;
    return true;
  }
  while (!text.empty()) {
    size_t bar = text.find('|');
    std::string_view part = trim(text.substr(0, bar));
    if (part.substr(0, 5) == "user=" && part.size() > 5) out.users.emplace_back(part.substr(5));
    else if (part.substr(0, 6) == "group=" && part.size() > 6) out.groups.emplace_back(part.substr(6));
    else if (part.substr(0, 5) == "host=" && part.size() > 5) out.hosts.emplace_back(part.substr(5));
    else if (part == "valid-user") out.valid_user = true;
    else {
      why = "require: expected \"valid-user\" or \"user=NAME|group=NAME|...\", found \"" + std::string(part) + "\"";
      return false;
    }
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  if (!out.valid_user && out.users.empty() && out.groups.empty() && out.hosts.empty()) {
    why = "require: empty";
    return false;
  }
  return true;
}

bool satisfies(const Requirement& r, const std::string& user, const std::map<std::string, std::vector<std::string>>& groups) {
  if (r.valid_user) return true;
  if (std::find(r.users.begin(), r.users.end(), user) != r.users.end()) return true;
  auto it = groups.find(user);
  if (it == groups.end()) return false;
  for (auto& g : it->second)
    if (std::find(r.groups.begin(), r.groups.end(), g) != r.groups.end()) return true;
  return false;
}

int64_t FailureLimiter::blocked_for(const std::string& ip, int64_t now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(ip);
  if (it == entries_.end() || it->second.blocked_until <= now) return 0;
  return it->second.blocked_until - now;
}

bool FailureLimiter::failed(const std::string& ip, int64_t now) {
  std::lock_guard lock(mu_);
  if (entries_.size() > 100000) prune(now);  // bounded: a scan of many IPs cannot grow it forever
  Entry& e = entries_[ip];
  if (now - e.window_start > window_) {
    e.window_start = now;
    e.count = 0;
  }
  if (++e.count >= max_ && max_ > 0) {
    e.blocked_until = now + block_;
    e.count = 0;
    e.window_start = now;
    return true;
  }
  return false;
}

void FailureLimiter::succeeded(const std::string& ip) {
  std::lock_guard lock(mu_);
  entries_.erase(ip);
}

size_t FailureLimiter::tracked() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void FailureLimiter::prune(int64_t now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.blocked_until <= now && now - it->second.window_start > window_) it = entries_.erase(it);
    else ++it;
  }
}

}  // namespace cutover::auth
