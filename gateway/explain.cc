#include "explain.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fcgi_adapter/mount.h"
#include "http1/message.h"
#include "rewrite/rewriter.h"
#include "rewrite/url.h"
#include "static/path.h"
#include "route/plan.h"
#include "route/rollout_shape.h"
#include "route/router.h"

namespace cutover {
namespace {

void backend_view(const Config& cfg, const RouteSpec& r, const PoolSpec& pool, const std::string& method,
                  const std::string& host, const std::string& original, const std::string& target, bool rewritten,
                  const std::vector<std::pair<std::string, std::string>>& fields, std::ostream& out, int redirect_status = 200) {
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
  req.redirect_status = redirect_status;
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

// A static route's answer as the file system gives it, in serve_static's order: the path's
// text, then the file (path info: the first leading part that is a file), a directory's
// slash, index or listing, the excluded extensions.
void static_view(const StaticSpec& s, const std::string& method, const std::string& path, std::ostream& out) {
  std::string rel, why;
  bool dir = false;
  statics::PathRules rules{s.alias ? std::string_view(s.alias_prefix) : std::string_view(), s.dotfiles};
  if (!statics::resolve(path, rules, rel, dir, why)) {
    out << "  static:     refused (" << why << "): 404\n  expect:     404\n";
  } else {
    // What the file system says, in serve's order: a missing file is 404 (unless path
    // info finds a leading one), an existing one with an excluded extension 403.
    std::string full = s.root + "/" + rel;
    struct stat st;
    bool exists = ::stat(full.c_str(), &st) == 0;
    std::string info;  // path info: the first leading part that is a regular file is served
    if (!exists && s.pathinfo)
      for (size_t cut = rel.find('/'); cut != std::string::npos; cut = rel.find('/', cut + 1)) {
        std::string lead = s.root + "/" + rel.substr(0, cut);
        if (::stat(lead.c_str(), &st) != 0) break;
        if (S_ISREG(st.st_mode)) {
          info = rel.substr(cut);
          full = lead;
          rel = rel.substr(0, cut);
          exists = true;
          break;
        }
      }
    if (exists && S_ISDIR(st.st_mode)) {
      if (!dir && !rel.empty()) {  // as serve_static: relative links inside need the slash
        out << "  static:     " << full << ": a directory, asked without its slash\n  expect:     301 (to the path with a slash)\n";
        return;
      }
      std::string index;
      for (const std::string& idx : s.index_files) {
        struct stat ist;
        if (::stat((full + "/" + idx).c_str(), &ist) == 0 && S_ISREG(ist.st_mode)) {
          index = full + "/" + idx;
          rel = idx;  // its name decides the exclusions
          break;
        }
      }
      if (index.empty() && s.lighttpd_methods && method != "GET" && method != "HEAD") {
        int status = statics::unhandled_answer(method);
        out << "  static:     " << full << ": a directory without an index file, asked with " << method << " (" << status
            << ")\n  expect:     " << status << "\n";
        return;
      }
      if (index.empty()) {
        out << "  static:     " << full << ": a directory without an index file, "
            << (s.listing ? "listed (200)\n  expect:     200\n" : "no listing (403)\n  expect:     403\n");
        return;
      }
      full = index;
      exists = true;
      ::stat(full.c_str(), &st);
    }
    if (!exists) {
      out << "  static:     " << full << ": no such file (404)\n  expect:     404\n";
    } else if (exists && S_ISREG(st.st_mode) && statics::excluded_name(s.exclude_extensions, rel)) {
      out << "  static:     " << full << ": an excluded extension (403)\n  expect:     403\n";
    } else {
      out << "  static:     " << full << (s.alias ? "  (alias of " + s.alias_prefix + ")" : "") << "\n";
      if (int status = statics::method_answer(s.lighttpd_methods, method)) {
        out << "  method:     " << method << (status == 200 ? ": OPTIONS, answered with Allow" : ": not one files take")
            << " (" << status << ")\n  expect:     " << status << "\n";
        return;
      }
      if (!info.empty()) out << "  pathinfo:   " << info << "\n";
      if (!s.ranges) out << "  ranges:     off (a Range field is ignored: 200)\n";
      out << "  expect:     file\n";
    }
  }
}

}  // namespace

// One pass: the request `url` (for an error handler's, `original` is the client's target
// and `redirect_status` the error it stands in for).
int explain_pass(const Config& cfg, const std::string& method, const std::string& host, const std::string& url,
                 std::ostream& out, const std::vector<std::string>& fields, const std::string& client_ip,
                 const std::string& original, int redirect_status) {
  out << method << " " << url << "  Host: " << host << "\n";
  // The same decisions, by the same functions, as `serve` makes them (route/plan.h).
  RequestFacts facts{method, url, host, client_ip};
  facts.field = [](const void* ctx, std::string_view name) -> std::string_view {
    for (const std::string& f : *static_cast<const std::vector<std::string>*>(ctx)) {
      size_t colon = f.find(':');
      if (colon != std::string::npos && http1::iequals(std::string_view(f).substr(0, colon), name)) {
        std::string_view v = std::string_view(f).substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        return v;
      }
    }
    return {};
  };
  facts.field_ctx = &fields;
  bool has_authorization = facts.field(&fields, "authorization").data() != nullptr;
  Plan p;
  plan_request(cfg, facts, docroot_file_test(cfg), p);
  const Rewritten& rw = p.rewritten;
  if (rw.status) {
    out << "  answer:     " << rw.status << " (" << (rw.log.empty() ? std::string("not a valid request target") : rw.log) << ")\n";
    out << "  expect:     " << rw.status << "\n";
    return 1;
  }
  std::string norm;
  url::normalize_target(url, norm);
  if (norm != url) out << "  normalised: " << norm << "\n";
  const std::string& target = rw.target;
  if (!cfg.rewrites.empty()) out << "  rewrites:   " << (target == norm ? "target unchanged" : norm + " -> " + target) << "\n";
  if (p.route_regex_failed) {
    out << "  answer:     500 (a route's regex hit its match limit)\n  expect:     500\n";
    return 0;
  }
  if (p.route) out << "  route:      " << p.route->name << "  (" << p.route->origin << ")\n";
  if (p.auth)
    out << "  auth:       " << (p.auth->refuse ? "refused (403: the area admits nobody)"
                                : std::string(p.auth->scheme == auth::Scheme::digest ? "Digest" : "Basic") + ", realm \"" +
                                      p.auth->realm + "\", require " + p.auth->require_text)
        << "  (" << p.auth->origin << ")\n";
  if (p.auth && p.auth->refuse) {
    out << "  expect:     403\n";
    return 0;
  }
  if (p.auth && !has_authorization) {
    out << "  expect:     401 (no Authorization)\n";
    return 0;
  }
  if (p.body_limit) out << "  body limit: " << p.body_limit << " bytes (413 beyond)\n";
  for (auto* list : {&p.answer.response->set, &p.answer.response->add})
    for (auto& [n, v] : *list) out << "  answer gets " << n << ": " << (v.empty() ? "(removed)" : v) << "\n";
  if (p.denied) {
    out << "  answer:     403 (a deny rule or deny_suffixes)\n  expect:     403\n";
    return 0;
  }
  if (!p.route && statics::server_options(method, url)) {
    out << "  route:      none takes OPTIONS *: the server answers, Allow: OPTIONS, GET, HEAD, POST\n  expect:     200\n";
    return 0;
  }
  if (!p.route) {
    out << "  route:      none matches: 404\n  expect:     404\n";
    return 0;
  }
  const RouteSpec* r = p.route;
  const std::string& path = p.path;
  switch (r->action) {
    case RouteSpec::Action::static_files:
      static_view(r->static_files, method, path, out);
      return 0;
    case RouteSpec::Action::redirect:
      out << "  redirect:   " << r->redirect_code << " " << p.location << "\n  expect:     " << r->redirect_code << " " << p.location << "\n";
      return 0;
    case RouteSpec::Action::status_page:
      out << "  status page: " << (r->status_page == RouteSpec::StatusPage::config ? "config" : "status") << " (200)\n  expect:     200\n";
      return 0;
    case RouteSpec::Action::forward: break;
  }
  if (!p.backend_target) {
    out << "  answer:     400 (rewrite_request gave CR, LF or NUL)\n  expect:     400\n";
    return 0;
  }
  const std::string& legacy_target = *p.backend_target;
  if (legacy_target != target) out << "  rewrite_request: " << target << " -> " << legacy_target << "\n";
  bool rewritten = legacy_target != original;
  if (!r->rollout) {
    backend_view(cfg, *r, cfg.pools[r->pool_index], method, host, original, legacy_target, rewritten, {}, out, redirect_status);
    out << "  expect:     backend\n";
    return 0;
  }
  const RolloutSpec& ro = *r->rollout;
  out << "  rollout:    " << r->pool << " -> " << ro.to << ", configured stage " << stage::describe(ro.initial)
      << " (the live stage: cutover route status)\n";
  {  // this user at the configured stage, by the session's own choice (route/plan.h)
    std::string_view header = ro.sticky == RolloutSpec::Sticky::header ? facts.field(&fields, ro.sticky_header) : std::string_view();
    std::string_view cookie;
    std::string key = ro.cookie_name + "=";
    for (std::string_view rest = facts.field(&fields, "cookie"); !rest.empty();) {
      size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      if (pair.substr(0, key.size()) == key) {
        cookie = pair.substr(key.size());
        break;
      }
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
    std::optional<uint32_t> bucket = plan_user_bucket(ro, client_ip, header, header.data() != nullptr, cookie);
    if (ro.initial.stage == stage::Stage::canary && !bucket) {
      out << "  this user:  new (no " << ro.cookie_name << " cookie): a fresh cookie puts it on the new side with "
          << ro.initial.share_bp / 100.0 << "% chance\n";
    } else {
      SideChoice side = plan_rollout_side(ro, ro.initial, bucket.value_or(0), method);
      out << "  this user:  " << (side.new_side ? "the new side" : "the legacy side")
          << (side.compare ? ", and a copy to the new side for comparison" : "") << "\n";
    }
  }
  out << "  legacy side:\n";
  backend_view(cfg, *r, cfg.pools[r->pool_index], method, host, original, legacy_target, rewritten, {}, out, redirect_status);
  std::vector<std::pair<std::string, std::string>> shaped_fields;
  std::string shaped = new_side_target(ro, url, legacy_target, shaped_fields);
  out << "  new side:\n";
  backend_view(cfg, *r, cfg.pools[ro.to_index], method, host, original, shaped, shaped != original, shaped_fields, out, redirect_status);
  out << "  expect:     backend\n";
  return 0;
}

int explain(const Config& cfg, const std::string& method, const std::string& host, const std::string& url,
            std::ostream& out, const std::vector<std::string>& fields, const std::string& client_ip) {
  std::ostringstream first;
  int rc = explain_pass(cfg, method, host, url, first, fields, client_ip, url, 200);
  std::string text = first.str();
  out << text;
  // An error cutover answers itself goes to the error handler in effect, as serve does it:
  // once, as a GET of the handler's path (401 never; an area that admits nobody never).
  size_t e = text.rfind("  expect:     ");
  int status = e == std::string::npos ? 0 : std::atoi(text.c_str() + e + 14);
  if (status < 400 || status == 401 || text.find("refused (403: the area admits nobody)") != std::string::npos) return rc;
  RequestFacts facts{method, url, host, client_ip};
  Plan p;
  plan_request(cfg, facts, docroot_file_test(cfg), p);
  const std::string* h = p.answer.error_handler && !p.answer.error_handler->empty() ? p.answer.error_handler
                         : (status == 403 || status == 404) && p.answer.error_handler_404 ? p.answer.error_handler_404
                                                                                        : nullptr;
  if (!h || h->empty()) return rc;
  out << "  error handler: " << *h << " answers instead (REDIRECT_STATUS " << status << "):\n";
  return explain_pass(cfg, method == "HEAD" ? "HEAD" : "GET", host, *h, out, fields, client_ip, url, status);
}

int explain_file(const Config& cfg, const std::string& path, std::ostream& out, const std::string& client_ip) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cutover explain: cannot read " << path << ": " << std::strerror(errno) << "\n";
    return 2;
  }
  int rc = 0;
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      parts.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (parts.size() < 3) {
      std::cerr << "cutover explain: " << path << ":" << n << ": expected METHOD<tab>TARGET<tab>HOST\n";
      return 2;
    }
    std::vector<std::string> fields(parts.begin() + 3, parts.end());
    rc = std::max(rc, explain(cfg, parts[0], parts[2], parts[1], out, fields, client_ip));
    out << "---\n";
  }
  return rc;
}

}  // namespace cutover
