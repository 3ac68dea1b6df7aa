#include "explain.h"

#include <sys/stat.h>

#include "fcgi_adapter/mount.h"
#include "rewrite/rewriter.h"
#include "rewrite/url.h"
#include "static/path.h"
#include "route/rollout_shape.h"
#include "route/router.h"

namespace cutover {
namespace {

void backend_view(const Config& cfg, const RouteSpec& r, const PoolSpec& pool, const std::string& method,
                  const std::string& host, const std::string& original, const std::string& target, bool rewritten,
                  const std::vector<std::pair<std::string, std::string>>& fields, std::ostream& out) {
  out << "    pool:       " << pool.name << " (" << pool.protocol << ", " << balancer_name(pool.balancer) << ", "
      << pool.backends.size() << " backends)\n";
  if (pool.protocol != "fastcgi") {
    out << "    request:    " << method << " " << target << "  Host: " << host << "\n";
    for (auto& [k, v] : fields) out << "                " << k << ": " << v << "\n";
    return;
  }
  fcgi::Mount m = fcgi::mount_for(r);
  fcgi::CgiRequest req;
  req.method = method;
  req.original_target = original;
  req.target = target;
  req.rewritten = rewritten;
  req.server_name = host;
  if (!cfg.server.listen.empty()) req.server_addr = cfg.server.listen[0].host;  // a view: no temporary
  req.server_port = cfg.server.listen.empty() ? 0 : cfg.server.listen[0].port;
  req.remote_addr = "127.0.0.1";
  fcgi::CgiParams p = fcgi::cgi_params(m, req, fcgi::stat_path);
  if (p.status) {
    out << "    answer:     " << p.status << " (check_local: the script does not exist; the app is not called)\n";
    return;
  }
  for (const char* name : {"SCRIPT_NAME", "PATH_INFO", "SCRIPT_FILENAME", "PATH_TRANSLATED", "DOCUMENT_ROOT", "REQUEST_URI",
                           "QUERY_STRING", "REDIRECT_URI"}) {
    std::optional<std::string_view> v = p.get(name);
    out << "    " << name << std::string(name == std::string("PATH_TRANSLATED") ? 1 : 16 - std::string(name).size(), ' ')
        << (v ? "\"" + std::string(*v) + "\"" : "(unset)") << "\n";
  }
}

}  // namespace

int explain(const Config& cfg, const std::string& method, const std::string& host, const std::string& url,
            std::ostream& out) {
  out << method << " " << url << "  Host: " << host << "\n";
  std::string norm;
  if (!url::normalize_target(url, norm)) {
    out << "  400: not a valid request target\n";
    return 1;
  }
  if (norm != url) out << "  normalised: " << norm << "\n";
  std::string target = norm;
  if (!cfg.rewrites.empty()) {
    std::string host_field = lighttpd_host(host);
    UrlParts parts{"http", host, norm, host_field};
    const std::string& root = cfg.server.document_root;
    auto is_file = [&root](std::string_view t) {
      if (root.empty()) return false;
      std::string p = root + url::decode(url::path_of(t));
      struct stat st;
      return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    };
    RewriteResult r = apply_rewrites(cfg.rewrites, norm, parts, is_file);
    if (r.status) {
      out << "  rewrite: " << r.status << " " << r.error << "\n";
      return 1;
    }
    target = r.target;
    out << "  rewrites:   " << (target == norm ? "target unchanged" : norm + " -> " + target) << "\n";
  }
  std::string path = url::decode(url::path_of(target));
  Captures caps;
  const RouteSpec* r = match_route(cfg, RouteInput{path, host, method, target, {}}, &caps);
  if (!r) {
    out << "  route:      none matches: 404\n";
    return 0;
  }
  out << "  route:      " << r->name << "  (" << r->origin << ")\n";
  for (const AuthSpec& a : cfg.auth)
    if (path.compare(0, a.prefix.size(), a.prefix) == 0 && route_matches(a.when, RouteInput{path, host, method, target, {}}, nullptr)) {
      out << "  auth:       " << (a.scheme == auth::Scheme::digest ? "Digest" : "Basic") << ", realm \"" << a.realm << "\", require "
          << a.require_text << "  (" << a.origin << ")\n";
      break;  // the first area that applies decides
    }
  switch (r->action) {
    case RouteSpec::Action::static_files:
    {
      const StaticSpec& s = r->static_files;
      std::string rel, why;
      bool dir = false;
      statics::PathRules rules{s.alias ? std::string_view(s.alias_prefix) : std::string_view(), s.dotfiles};
      if (!statics::resolve(path, rules, rel, dir, why)) out << "  static:     refused (" << why << "): 404\n";
      else out << "  static:     " << s.root << "/" << rel << (s.alias ? "  (alias of " + s.alias_prefix + ")" : "") << "\n";
      return 0;
    }
    case RouteSpec::Action::redirect: {
      UrlParts u{"http", host, target, {}};
      out << "  redirect:   " << r->redirect_code << " " << r->redirect_to.expand(caps, nullptr, u) << "\n";
      return 0;
    }
    case RouteSpec::Action::status_page:
      out << "  status page: " << (r->status_page == RouteSpec::StatusPage::config ? "config" : "status") << " (200)\n";
      return 0;
    case RouteSpec::Action::forward: break;
  }
  std::string legacy_target = target;
  if (r->uri_match) {
    Captures c;
    if (r->uri_match->match(target, &c)) {
      UrlParts u{"http", host, target, {}};
      legacy_target = r->uri_to.expand(c, nullptr, u);
      if (legacy_target.empty() || legacy_target.front() != '/') legacy_target.insert(0, "/");
      out << "  rewrite_request: " << target << " -> " << legacy_target << "\n";
    }
  }
  bool rewritten = legacy_target != url;
  if (!r->rollout) {
    backend_view(cfg, *r, cfg.pools[r->pool_index], method, host, url, legacy_target, rewritten, {}, out);
    return 0;
  }
  const RolloutSpec& ro = *r->rollout;
  out << "  rollout:    " << r->pool << " -> " << ro.to << ", configured stage " << stage::describe(ro.initial)
      << " (the live stage: cutover route status)\n";
  out << "  legacy side:\n";
  backend_view(cfg, *r, cfg.pools[r->pool_index], method, host, url, legacy_target, rewritten, {}, out);
  std::vector<std::pair<std::string, std::string>> fields;
  std::string shaped = new_side_target(ro, url, legacy_target, fields);
  out << "  new side:\n";
  backend_view(cfg, *r, cfg.pools[ro.to_index], method, host, url, shaped, shaped != url, fields, out);
  return 0;
}

}  // namespace cutover
