#include "route/plan.h"

#include <sys/stat.h>

#include <algorithm>

#include "http1/message.h"
#include "rewrite/rewriter.h"
#include "rewrite/url.h"

namespace cutover {
namespace {

bool ends_with_any(std::string_view path, const std::vector<std::string>& suffixes) {
  for (const std::string& s : suffixes)
    if (path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0) return true;
  return false;
}

}  // namespace

FileTest docroot_file_test(const Config& c) {
  const std::string& root = c.server.document_root;
  return [&root](std::string_view t) {
    if (root.empty()) return false;
    std::string p = root + url::decode(url::path_of(t));
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  };
}

Rewritten plan_rewrites(const Config& c, const RequestFacts& r, const FileTest& is_file) {
  Rewritten out;
  std::string norm;
  if (!url::normalize_target(r.target, norm)) {
    out.status = 400;
    out.why = "invalid request target\n";
    return out;
  }
  if (!c.auth.empty()) out.original_path = url::decode(url::path_of(norm));
  if (c.rewrites.empty()) {
    out.target = std::move(norm);
    return out;
  }
  std::string authority = normalize_host(r.host);
  std::string host_field = lighttpd_host(r.host);
  UrlParts parts{"http", authority, norm, host_field};
  // Rules from lighttpd blocks on other request fields: the fields as the request came.
  std::string before, before_path;
  ConditionCheck holds;
  if (c.rewrite_conditions) {
    before = norm;
    before_path = url::decode(url::path_of(before));
    holds = [&r, &before, &before_path](const std::vector<FieldCondition>& w) {
      RouteInput in = r.input(before_path, before);
      return std::all_of(w.begin(), w.end(), [&in](const FieldCondition& fc) { return condition_holds(fc, in); });
    };
  }
  Regex::take_errors();
  RewriteResult rr = apply_rewrites(c.rewrites, std::move(norm), parts, is_file, holds);
  if (Regex::take_errors()) {  // fail closed: "no match" is not known, so no guess
    out.status = 500;
    out.why = "rewrite failed\n";
    out.log = "a rule's regex hit its match limit; answering 500";
    return out;
  }
  if (rr.status) {
    out.status = rr.status;
    out.why = rr.status == 500 ? "rewrite failed\n" : "invalid rewritten URL\n";
    out.log = rr.error;
    return out;
  }
  if (!http1::safe_in_message(rr.target)) {
    out.status = 400;
    out.why = "invalid rewritten URL\n";
    out.log = "gave a target with CR, LF or NUL; answering 400";
    return out;
  }
  out.target = std::move(rr.target);
  return out;
}

const AuthSpec* plan_auth_area(const Config& c, const RouteInput& in, std::string_view original_path) {
  for (const AuthSpec& a : c.auth) {
    const std::string& p = a.prefix;
    auto starts = [&](std::string_view path) {
      if (!a.ignore_case) return path.substr(0, p.size()) == p;
      return path.size() >= p.size() && http1::iequals(path.substr(0, p.size()), p);
    };
    if (!starts(in.path) && !starts(original_path)) continue;
    if (route_matches(a.when, in, nullptr)) return &a;
  }
  return nullptr;
}

bool plan_denied(const Config& c, const RouteInput& in, bool* regex_failed) {
  const std::vector<std::string>* suffixes = &c.server.deny_suffixes;
  for (const DenyRule& r : c.deny_rules) {
    Regex::take_errors();
    bool hit = route_matches(r.when, in, nullptr);
    if (!hit && Regex::take_errors()) {
      if (regex_failed) *regex_failed = true;
      hit = true;
    }
    if (!hit) continue;
    if (!r.independent) suffixes = &r.suffixes;
    else if (ends_with_any(in.path, r.suffixes)) return true;
  }
  return ends_with_any(in.path, *suffixes);
}

uint64_t plan_body_limit(const Config& c, const RouteSpec* route, const RouteInput& in) {
  uint64_t max_body = route && route->limits.max_body_bytes ? *route->limits.max_body_bytes : c.server.max_body_bytes;
  for (const LimitRule& r : c.limit_rules)
    if (route_matches(r.when, in, nullptr)) max_body = r.max_body_bytes;
  return max_body;
}

void plan_answer_rules(const Config& c, const RouteSpec* route, const RouteInput& in, AnswerRules& out) {
  out.request = route ? &route->request_headers : &c.server.request_headers;
  out.response = route ? &route->response_headers : &c.server.response_headers;
  out.backend_env = c.server.fastcgi_env.empty() ? nullptr : &c.server.fastcgi_env;
  out.server_tag = nullptr;
  out.error_handler_404 = &c.server.error_handler_404;
  out.error_handler = &c.server.error_handler;
  out.expire_urls = &c.server.expires.urls;
  out.expire_types = &c.server.expires.mimetypes;
  bool copied = false;
  for (const HeaderRule& r : c.header_rules) {
    if (!route_matches(r.when, in, nullptr)) continue;
    if (r.env_add || r.env_set) {
      if (out.backend_env != &out.own.env) out.own.env = c.server.fastcgi_env;
      out.backend_env = &out.own.env;
      if (r.env_add) out.own.env.add = r.fastcgi_env.add;
      if (r.env_set) out.own.env.set = r.fastcgi_env.set;
    }
    if (!copied && (r.request_add || r.request_set || r.response_add || r.response_set)) {
      out.own.request = *out.request;
      out.own.response = *out.response;
      out.request = &out.own.request;
      out.response = &out.own.response;
      copied = true;
    }
    if (r.request_add) out.own.request.add = r.request.add;
    if (r.request_set) out.own.request.set = r.request.set;
    if (r.response_add) out.own.response.add = r.response.add;
    if (r.response_set) out.own.response.set = r.response.set;
    if (r.server_tag) out.server_tag = &*r.server_tag;
    if (r.error_handler_404) out.error_handler_404 = &*r.error_handler_404;
    if (r.error_handler) out.error_handler = &*r.error_handler;
    if (r.expire_urls) out.expire_urls = &r.expires.urls;
    if (r.expire_mimetypes) out.expire_types = &r.expires.mimetypes;
  }
}

std::string plan_redirect(const RouteSpec& r, const Captures& caps, std::string_view host, std::string_view target) {
  if (r.action != RouteSpec::Action::redirect) return "";
  UrlParts u{"http", host, target, {}};
  // A route from a $HTTP["host"] =~ block: %N are the Host regex's captures.
  Captures host_caps;  // views into `h`
  std::string h = lighttpd_host(host);
  bool with_host = r.host_regex && r.host_regex->match(h, &host_caps);
  return r.redirect_to.expand(caps, with_host ? &host_caps : nullptr, u);
}

std::optional<std::string> plan_backend_target(const RouteSpec& r, std::string_view host, const std::string& rewritten,
                                               ProxyMapState& map_state) {
  std::string target = rewritten;
  if (r.uri_match) {
    Captures c;
    if (r.uri_match->match(rewritten, &c)) {
      UrlParts u{"http", host, rewritten, {}};
      target = r.uri_to.expand(c, nullptr, u);
      if (!http1::safe_in_message(target)) return std::nullopt;
      if (target.empty() || (target.front() != '/' && target != "*")) target.insert(0, "/");
    }
  }
  // proxy.header map-urlpath. lighttpd sends an empty path as it is ("GET  HTTP/1.1");
  // cutover sends "/" there.
  if (!r.map.urlpath.empty())
    if (auto m = map_request_target(r.map, target, map_state)) {
      target = std::move(*m);
      if (target.empty() || target.front() == '?') target.insert(0, "/");
    }
  return target;
}

std::optional<uint32_t> plan_user_bucket(const RolloutSpec& ro, std::string_view client_ip, std::string_view header_value,
                                         bool has_header, std::string_view cookie_value) {
  if (ro.sticky == RolloutSpec::Sticky::ip) return stage::bucket_of_key(client_ip);
  if (ro.sticky == RolloutSpec::Sticky::header) return stage::bucket_of_key(has_header ? header_value : client_ip);
  if (auto id = stage::parse_cookie_value(cookie_value, ro.cookie_key)) return stage::bucket_of_id(*id);
  return std::nullopt;
}

SideChoice plan_rollout_side(const RolloutSpec& ro, stage::StagePoint point, uint32_t bucket, std::string_view method) {
  SideChoice c;
  if (point.stage == stage::Stage::canary) c.new_side = stage::on_new_side(bucket, point.share_bp);
  else c.new_side = point.stage == stage::Stage::new_;
  bool safe = std::find(ro.compare_methods.begin(), ro.compare_methods.end(), method) != ro.compare_methods.end();
  c.compare = ro.compare && safe && !c.new_side &&
              (point.stage == stage::Stage::shadow || (ro.compare_always && point.stage != stage::Stage::legacy));
  return c;
}

void plan_request(const Config& c, const RequestFacts& r, const FileTest& is_file, Plan& p) {
  p.rewritten = plan_rewrites(c, r, is_file);
  if (p.rewritten.status) return;
  const std::string& target = p.rewritten.target;
  p.path = url::decode(url::path_of(target));
  RouteInput in = r.input(p.path, target);
  Regex::take_errors();
  p.route = match_route(c, in, &p.caps);
  p.route_regex_failed = Regex::take_errors() > 0;
  p.auth = plan_auth_area(c, in, p.rewritten.original_path.empty() ? std::string_view(p.path) : p.rewritten.original_path);
  p.body_limit = plan_body_limit(c, p.route, in);
  plan_answer_rules(c, p.route, in, p.answer);
  bool redirect_first = p.route && p.route->action == RouteSpec::Action::redirect && c.server.redirects_before_deny;
  p.denied = !redirect_first && plan_denied(c, in);
  if (!p.route) return;
  if (p.route->action == RouteSpec::Action::redirect) p.location = plan_redirect(*p.route, p.caps, r.host, target);
  if (p.route->action == RouteSpec::Action::forward) {
    p.map_state.client_host = std::string(r.host);
    p.backend_target = plan_backend_target(*p.route, r.host, target, p.map_state);
  }
}

}  // namespace cutover
