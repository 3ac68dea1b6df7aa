// TOML -> Config. Every key is checked: unknown keys, wrong types, bad values and broken
// references are errors naming file:line:column and what was expected.
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "config/config.h"
#include "config/identity.h"
#include "config/nearest.h"
#include "config/worker_template.h"
#include "config/load_parts.h"

namespace cutover {
namespace {

using namespace config_load;

std::shared_ptr<const Config> parse(const toml::table& root, const std::string& file) {
  auto c = std::make_shared<Config>();
  c->file = file;
  Reader top(file, root, "the top level");
  const toml::table* server = top.table("server");
  if (!server) throw ConfigError(file + ":1:1: missing [server] table");
  Reader sr(file, *server, "server");
  parse_server(sr, c->server);

  if (const toml::node* rw = top.get("rewrite")) {
    if (!rw->is_array_of_tables()) top.fail(*rw, "rewrite: expected [[rewrite]] tables");
    for (const toml::node& e : *rw->as_array()) {
      Reader rr(file, *e.as_table(), "rewrite");
      RewriteRule rule;
      auto m = rr.str("match");
      auto to = rr.str("to");
      if (!m || !to) rr.fail_here("rewrite: \"match\" and \"to\" are required");
      rule.match = compile_regex(rr, *m, *rr.get("match"));
      rule.to = parse_replacement(rr, *to, *rr.get("to"));
      if (auto h = rr.str("host")) rule.host = compile_regex(rr, *h, *rr.get("host"));
      for (auto& [h, node] : rr.str_list("unless_host")) rule.unless_host.push_back(compile_regex(rr, h, *node));
      if (const toml::node* w = rr.get("when")) rule.when = parse_when(rr, *w, "rewrite.when");
      if (const toml::node* u = rr.get("unless_when")) {
        if (!u->is_array()) rr.fail(*u, "rewrite.unless_when: expected a list of condition lists");
        for (const toml::node& w : *u->as_array()) rule.unless_when.push_back(parse_when(rr, w, "rewrite.unless_when"));
      }
      if (auto k = rr.str("kind")) {
        if (*k == "once") rule.kind = RewriteKind::once;
        else if (*k == "repeat") rule.kind = RewriteKind::repeat;
        else if (*k == "if-not-file") rule.kind = RewriteKind::if_not_file;
        else if (*k == "repeat-if-not-file") rule.kind = RewriteKind::repeat_if_not_file;
        else rr.fail(*rr.get("kind"), "rewrite.kind: expected \"once\", \"repeat\", \"if-not-file\" or \"repeat-if-not-file\"");
      }
      rule.origin = where(file, e.source());
      rr.finish();
      c->rewrite_conditions = c->rewrite_conditions || !rule.when.empty() || !rule.unless_when.empty();
      c->rewrites.push_back(std::move(rule));
    }
  }
  if (const toml::table* pools = top.table("pools")) {
    for (auto&& [k, v] : *pools) {
      if (!v.is_table()) throw ConfigError(where(file, v.source()) + ": pools." + std::string(k.str()) + ": expected a table");
      PoolSpec p;
      p.name = std::string(k.str());
      p.origin = where(file, v.source());
      Reader pr(file, *v.as_table(), "pools." + p.name);
      const toml::node* b = v.as_table()->get("backends");
      if (b ? (!b->is_array() || b->as_array()->empty()) : !v.as_table()->get("workers"))
        throw ConfigError(where(file, b ? b->source() : v.source()) + ": pools." + p.name + ".backends: expected a non-empty list of backends");
      parse_pool(pr, p);
      c->pools.push_back(std::move(p));
    }
  }
  if (const toml::node* routes = top.get("routes")) {
    if (!routes->is_array_of_tables()) top.fail(*routes, "routes: expected [[routes]] tables");
    std::set<std::string> names;
    for (const toml::node& e : *routes->as_array()) {
      Reader rr(file, *e.as_table(), "routes");
      RouteSpec rt;
      rt.origin = where(file, e.source());
      parse_route(rr, rt, *c);
      if (!names.insert(rt.name).second)
        throw ConfigError(where(file, e.source()) + ": duplicate route name \"" + rt.name + "\"");
      c->routes.push_back(std::move(rt));
    }
  }
  // [[headers]], [[deny]], [[limits]]: each a `match` of route conditions plus what it sets.
  auto rules = [&](const char* name, auto& into, auto&& body) {
    const toml::node* n = top.get(name);
    if (!n) return;
    if (!n->is_array_of_tables()) top.fail(*n, std::string(name) + ": expected [[" + name + "]] tables");
    for (const toml::node& e : *n->as_array()) {
      Reader rr(file, *e.as_table(), name);
      typename std::decay_t<decltype(into)>::value_type rule;
      rule.origin = where(file, e.source());
      if (const toml::table* m = rr.table("match")) parse_match(rr, *m, std::string(name) + ".match", rule.when);
      body(rr, rule);
      rr.finish();
      into.push_back(std::move(rule));
    }
  };
  rules("headers", c->header_rules, [](Reader& hr, HeaderRule& rule) {
    parse_header_edits(hr, "request_headers", true, rule.request, &rule.request_add, &rule.request_set);
    parse_header_edits(hr, "response_headers", false, rule.response, &rule.response_add, &rule.response_set);
    parse_header_edits(hr, "fastcgi_env", true, rule.fastcgi_env, &rule.env_add, &rule.env_set);
    if (auto v = hr.str("server_tag")) rule.server_tag = *v;
    for (auto [key, into] : {std::pair{"error_handler_404", &rule.error_handler_404}, std::pair{"error_handler", &rule.error_handler}})
      if (auto v = hr.str(key)) {
        if (!v->empty() && v->front() != '/') hr.fail(*hr.get(key), std::string("headers.") + key + ": expected a local path (\"/404.html\") or \"\" (off)");
        *into = *v;
      }
    rule.expire_urls = parse_expire_list(hr, "expire_urls", rule.expires.urls);
    rule.expire_mimetypes = parse_expire_list(hr, "expire_mimetypes", rule.expires.mimetypes);
    if (!rule.request_add && !rule.request_set && !rule.response_add && !rule.response_set && !rule.env_add && !rule.env_set &&
        !rule.server_tag && !rule.error_handler_404 && !rule.error_handler && !rule.expire_urls && !rule.expire_mimetypes)
      hr.fail_here("headers: give request_headers, response_headers, fastcgi_env, server_tag, an error handler or expire_*");
  });
  rules("deny", c->deny_rules, [](Reader& dr, DenyRule& rule) {
    if (!dr.get("suffixes")) dr.fail_here("deny: give suffixes (\"\" denies every path, [] none)");
    for (auto& [suffix, node] : dr.str_list("suffixes")) rule.suffixes.push_back(suffix);
    if (auto v = dr.boolean("independent")) rule.independent = *v;
  });
  rules("limits", c->limit_rules, [](Reader& lr, LimitRule& rule) {
    if (!lr.get("max_body_bytes")) lr.fail_here("limits: give max_body_bytes (0: unlimited)");
    lr.size("max_body_bytes", rule.max_body_bytes);
  });
  if (const toml::node* au = top.get("auth")) {
    if (!au->is_array_of_tables()) top.fail(*au, "auth: expected [[auth]] tables");
    for (const toml::node& e : *au->as_array()) {
      Reader ar(file, *e.as_table(), "auth");
      AuthSpec a;
      a.origin = where(file, e.source());
      parse_auth(ar, a);
      c->auth.push_back(std::move(a));
    }
  }
  top.finish();
  return c;
}


}  // namespace

const PoolSpec* Config::find_pool(std::string_view name) const {
  for (auto& p : pools)
    if (p.name == name) return &p;
  return nullptr;
}

std::shared_ptr<const Config> load_config_text(std::string_view text, const std::string& name) {
  try {
    toml::table t = toml::parse(text, name);
    return parse(t, name);
  } catch (const toml::parse_error& e) {
    throw ConfigError(where(name, e.source()) + ": " + std::string(e.description()));
  }
}

std::shared_ptr<const Config> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read file: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_text(ss.str(), path);
}

bool parse_duration(std::string_view s, Duration& out) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + uint64_t(s[i] - '0');
    if (n > 1000000000ull) return false;
    ++i;
  }
  if (i == 0) return false;
  std::string_view unit = s.substr(i);
  uint64_t ms;
  if (unit == "ms") ms = n;
  else if (unit == "s") ms = n * 1000;
  else if (unit == "m") ms = n * 60000;
  else if (unit == "h") ms = n * 3600000;
  else return false;
  out = Duration(int64_t(ms));
  return true;
}

bool parse_size(std::string_view s, uint64_t& out) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + uint64_t(s[i] - '0');
    if (n > (1ull << 40)) return false;
    ++i;
  }
  if (i == 0) return false;
  std::string_view unit = s.substr(i);
  uint64_t mul;
  if (unit.empty() || unit == "B") mul = 1;
  else if (unit == "KiB") mul = 1ull << 10;
  else if (unit == "MiB") mul = 1ull << 20;
  else if (unit == "GiB") mul = 1ull << 30;
  else if (unit == "KB" || unit == "kB") mul = 1000;
  else if (unit == "MB") mul = 1000000;
  else if (unit == "GB") mul = 1000000000;
  else return false;
  out = n * mul;
  return true;
}

bool is_loopback_address(const std::string& host) {
  return host.rfind("127.", 0) == 0 || host == "::1" || host == "localhost";
}

std::vector<std::string> config_warnings(const Config& c) {
  std::vector<std::string> w;
  if (c.server.admin && c.server.admin_token.empty() && !is_loopback_address(c.server.admin->host))
    w.push_back(c.file + ": server.admin = \"" + c.server.admin->text +
                "\" is reachable from other machines and has no admin_token: anyone who reaches it can promote, "
                "roll back, drain and reload; `cutover serve` refuses to start it (set admin_token, or listen on 127.0.0.1)");
  return w;
}

std::vector<std::string> config_path_errors(const Config& c) {
  std::vector<std::string> errs;
  Identity id;  // the user and the group each on its own, so that both are named
  if (std::string e = resolve_identity(c.server.user, "", id); !e.empty()) errs.push_back(c.file + ": " + e);
  if (std::string e = resolve_identity("", c.server.group, id); !e.empty()) errs.push_back(c.file + ": " + e);
  for (const RouteSpec& r : c.routes) {
    if (r.action != RouteSpec::Action::static_files) continue;
    const StaticSpec& s = r.static_files;
    struct stat st {};
    std::string key = std::string("static.") + (s.alias ? "alias" : "root");
    if (::stat(s.root.c_str(), &st) != 0) {
      std::string why = std::strerror(errno);
      char cwd[4096];
      if (s.root[0] != '/' && ::getcwd(cwd, sizeof cwd)) why += std::string(" (relative to the working directory ") + cwd + ")";
      errs.push_back(s.root_at + ": " + key + " \"" + s.root + "\" of route " + r.name + ": " + why);
    }
    else if (!S_ISDIR(st.st_mode))
      errs.push_back(s.root_at + ": " + key + " \"" + s.root + "\" of route " + r.name + " is not a directory");
  }
  return errs;
}

std::string describe(const Config& c) {
  std::ostringstream o;
  o << "config " << c.file << ": OK\n\nlisten:";
  for (auto& l : c.server.listen) o << ' ' << l.text;
  o << "\n\nrewrites (" << c.rewrites.size() << "):\n";
  for (auto& r : c.rewrites) {
    const char* k = r.kind == RewriteKind::once ? "once" : r.kind == RewriteKind::repeat ? "repeat"
                  : r.kind == RewriteKind::if_not_file ? "if-not-file" : "repeat-if-not-file";
    o << "  " << k << "  \"" << r.match.pattern() << "\" -> \"" << r.to.text() << "\"   (" << r.origin << ")\n";
  }
  o << "\npools (" << c.pools.size() << "):\n";
  for (auto& p : c.pools) {
    o << "  " << p.name << "  protocol=" << p.protocol
      << " balancer=" << balancer_name(p.balancer) << "\n";
    for (auto& b : p.backends) o << "    " << b.address << " weight=" << b.weight << "\n";
  }
  o << "\nroutes (first match wins):\n";
  int i = 1;
  for (auto& r : c.routes) {
    o << "  " << i++ << ". " << r.name << "  match:";
    if (!r.prefix.empty()) o << " prefix=" << r.prefix;
    if (r.regex) o << " regex=\"" << r.regex->pattern() << "\"";
    for (auto& h : r.hosts) o << " host=" << h;
    for (auto& m : r.methods) o << " method=" << m;
    if (r.prefix.empty() && !r.regex && r.hosts.empty() && r.methods.empty()) o << " (everything)";
    o << "  ->  ";
    switch (r.action) {
      case RouteSpec::Action::forward: o << "forward " << r.pool; break;
      case RouteSpec::Action::static_files:
        o << "static " << (r.static_files.alias ? "alias " : "") << r.static_files.root;
        if (r.static_files.listing) o << " (listing)";
        break;
      case RouteSpec::Action::redirect: o << "redirect " << r.redirect_code << " " << r.redirect_to.text(); break;
      case RouteSpec::Action::status_page: o << "status page (" << (r.status_page == RouteSpec::StatusPage::config ? "config" : "status") << ")"; break;
    }
    if (r.uri_match) o << "  (rewrite_request \"" << r.uri_match->pattern() << "\" -> \"" << r.uri_to.text() << "\")";
    if (r.rollout) o << "  (rollout to " << r.rollout->to << ", starting at " << stage::describe(r.rollout->initial) << ")";
    o << "\n";
  }
  if (!c.auth.empty()) {
    o << "\nauth (checked before every route, on the path before and after rewrites):\n";
    for (const AuthSpec& a : c.auth)
      o << "  " << a.prefix << "  " << (a.scheme == auth::Scheme::digest ? "Digest" : "Basic") << ", realm \"" << a.realm
        << "\", require " << a.require_text << ", users from " << a.htpasswd << " (" << auth::file_format_name(a.format) << ")"
        << (a.when.hosts.empty() && !a.when.host_regex && a.when.when.empty() && !a.when.regex && a.when.unless.empty() ? "" : " where its match holds")
        << (a.problem.empty() ? "" : "\n    WARNING " + a.problem + ": every login there will fail") << "\n";
  }
  return o.str();
}

}  // namespace cutover
