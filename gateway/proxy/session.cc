// A request's life, top to bottom (charted in gateway/README.md), whatever framing carried
// it (proxy/stream.h): Session::serve takes each request through
//   settle_host/settle_client -> rewrite (plan) -> route -> authorize -> act (forward |
//   serve_static | redirect | status page) -> respond (ResponseStream::start) -> log_access
#include "proxy/session.h"

#include <arpa/inet.h>

#include "proxy/mirror.h"

#include <sys/stat.h>

#include <algorithm>

#include "core/deadline.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/passive_health.h"
#include "proxy/static_files.h"
#include "static/path.h"
#include "proxy/status_page.h"
#include "rewrite/rewriter.h"
#include "rewrite/url.h"
#include "route/rollout_shape.h"
#include "route/forwarded_client.h"
#include "route/plan.h"
#include "route/router.h"

namespace cutover {
namespace {

constexpr int kMaxLocalRedirects = 5;  // a CGI local redirect chain longer than this is a loop: 500

bool idempotent(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" || m == "TRACE";
}

}  // namespace

// One connection's requests, each through the phases of its life, whatever framing carried
// it (proxy/stream.h); the per-request state is kept here so that its buffers are reused.
class Session {
 public:
  Session(ThreadContext& tc, const ConnFacts& facts) : tc_(tc), snap_(tc.snap) {
    client_ip_ = peer_ip_ = facts.peer_ip;
    client_port_ = facts.peer_port;
    server_ip_ = facts.server_ip;
    server_port_ = facts.server_port;
  }

  // One request: settle its identity, then plan → route → authorize → act → respond → log.
  awaitable<void> serve(http1::RequestHead& head, RequestStream& body, ResponseStream& out) {
    snap_ = tc_.snap;  // a reload applies from the next request on
    int64_t started = tc_.rt.clock();
    stats_ = {};
    use_limits(nullptr, body, out);
    remote_user_.clear();
    request_uri_.clear();
    redirect_status_ = 200;
    settle_host(head);
    if (!settle_client(head)) {  // a trusted proxy's Forwarded that cannot be read: not guessed at
      log::info("refused request from " + client_ip_ + ": 400 invalid Forwarded field from a trusted proxy");
      out.force_close();
      co_await send_simple(out, 400, "invalid Forwarded field from a trusted proxy\n");
      co_return;
    }
    out.edit_fields(&cfg().server.response_headers);
    out.server_tag(cfg().server.server_tag);
    std::string target, why;
    if (int status = rewrite(head, out, target, why)) {
      keep_alive_if_body_skippable(head, out);
      co_await send_simple(out, status, why);
    } else {
      Captures caps;
      const RouteSpec* route = this->route(head, target, caps);
      if (snap_->auth.empty() || co_await authorize(route, head, head, out)) co_await act(route, caps, head, target, body, out);
      if (std::optional<Handoff> h = out.take_handoff()) co_await follow_handoff(std::move(*h), head, out);
    }
    count_answer(out.status());
    if (tc_.rt.access_log) log_access(head, out, started);
  }

  // How long the connection waits for its next request, when the last route set it.
  std::optional<Duration> idle_after() const { return idle_after_; }

 private:
  // Per-request facts for the access log, filled in by the phases.
  struct Stats {
    const RouteSpec* route = nullptr;
    const BackendRuntime* backend = nullptr;
    int upstream_status = 0;
    int64_t upstream_connect_ms = -1, upstream_header_ms = -1;
    int64_t upstream_ms = -1;
    int retries = 0;
    int64_t queue_ms = 0;
  };

  void count_answer(int status) {
    size_t cls = status >= 100 && status < 600 ? size_t(status / 100) : 0;
    if (stats_.route) bump(snap_->routes[size_t(stats_.route - cfg().routes.data())]->by_class[cls]);
    else bump(tc_.rt.unrouted[cls]);
  }

  void log_access(const http1::RequestHead& head, const ResponseStream& out, int64_t started) {
    AccessRecord r;
    r.client_ip = client_ip_;
    r.remote_user = remote_user_;
    r.fields = &head.fields;
    r.wall_time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count() -
                     (tc_.rt.clock() - started);
    r.method = head.method;
    r.target = head.target;
    r.version_minor = head.version_minor;
    r.status = out.status();
    r.bytes = out.body_bytes();
    for (auto& f : head.fields) {
      if (http1::iequals(f.name, "referer")) r.referer = f.value;
      else if (http1::iequals(f.name, "user-agent")) r.user_agent = f.value;
    }
    if (stats_.route) {
      r.route = stats_.route->name;
      if (stats_.route->action == RouteSpec::Action::forward) r.pool = stats_.route->pool;
    }
    if (stats_.backend) r.backend = stats_.backend->spec.address;
    r.upstream_status = stats_.upstream_status;
    r.upstream_connect_ms = stats_.upstream_connect_ms;
    r.upstream_header_ms = stats_.upstream_header_ms;
    r.upstream_ms = stats_.upstream_ms;
    r.retries = stats_.retries;
    r.queue_ms = stats_.queue_ms;
    r.total_ms = tc_.rt.clock() - started;
    tc_.rt.access_log->write(r);
  }

  // One request identity: the authority cutover routes and authorizes on is the one every
  // backend gets. An absolute-form target's authority wins over Host (RFC 9112 3.2.2), and
  // it is normalised once (lowercase, no trailing dot, no :80, as lighttpd does), so host
  // and host_regex rules see exactly the Host, HTTP_HOST and SERVER_NAME sent on.
  void settle_host(http1::RequestHead& head) {
    // Most requests carry a Host that is normal already: then only an absolute-form
    // target (whose authority is not the field's) needs the field set.
    if (!head.host_normal) {
      host_ = http1::normalized_host(head.host);
      head.host = host_;
      head.host_token = false;  // not known for the new text
    }
    bool has_field = false, underscore = false;
    for (http1::Field& f : head.fields) {
      if (http1::kind_of(f) == http1::FieldKind::host) {
        has_field = true;
        if (f.value.data() != head.host.data() || f.value.size() != head.host.size()) f.value = head.host;
      }
      underscore = underscore || std::memchr(f.name.data(), '_', f.name.size());
    }
    if (!has_field && !head.host.empty()) head.fields.push_back({"Host", head.host, http1::FieldKind::host});
    // Names with '_' are dropped (server.underscores_in_headers keeps them): backends'
    // frameworks read X_Remote_User as X-Remote-User, past the fields cutover filters.
    if (underscore && !cfg().server.underscores_in_headers)
      std::erase_if(head.fields, [](const http1::Field& f) { return f.name.find('_') != std::string_view::npos; });
  }

  // The client as a trusted proxy in front reports it (server.trusted_proxies, lighttpd's
  // mod_extforward; the rules are route/forwarded_client.h's). Anyone else is the client.
  // Returns false when the proxy's Forwarded field cannot be parsed (400).
  bool settle_client(const http1::RequestHead& head) {
    if (client_from_proxy_) {  // the last request's: not a copy per request where none is set
      client_ip_ = peer_ip_;
      scheme_ = "http";
      client_from_proxy_ = false;
    }
    const ServerSpec& server = cfg().server;
    if (server.trusted_proxies.empty() || !ip_in_any(server.trusted_proxies, peer_ip_)) return true;
    client_from_proxy_ = true;
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    fields.reserve(head.fields.size());
    for (const http1::Field& f : head.fields) fields.emplace_back(f.name, f.value);
    bool bad = false;
    ForwardedClient c = client_from_proxy(fields, server.trusted_proxy_headers,
                                          [&](std::string_view ip) { return ip_in_any(server.trusted_proxies, ip); }, bad);
    if (!c.addr.empty()) client_ip_ = std::move(c.addr);
    if (!c.scheme.empty()) scheme_ = c.scheme == "https" ? "https" : "http";  // literals: scheme_ is a view
    return !bad;
  }

  // Phase 2: normalise the target and apply the global rewrites (lighttpd semantics).
  // Returns 0, or the status of the error answer (with `why` for its body).
  int rewrite(const http1::RequestHead& head, ResponseStream& out, std::string& target, std::string& why) {
    Rewritten rw = plan_rewrites(cfg(), facts(head), docroot_file_test(cfg()));
    if (rw.status) {
      if (rw.status == 400 && rw.log.empty()) out.force_close();  // not a request target at all
      if (!rw.log.empty()) log::error("rewrite of " + std::string(head.target) + ": " + rw.log);
      why = std::move(rw.why);
      return rw.status;
    }
    original_path_ = std::move(rw.original_path);
    target = std::move(rw.target);
    return 0;
  }

  // What an app handed over, after act(): a file to send (X-Sendfile), or a local redirect
  // (RFC 3875 6.2.2, or an error handler) answered as a GET of the new path, without a
  // body, through the rewrites and routes again (as lighttpd and Apache do), at most
  // kMaxLocalRedirects times. Its own coroutine: most requests never get here.
  awaitable<void> follow_handoff(Handoff first, const http1::RequestHead& head, ResponseStream& out) {
    Captures caps;
    const RouteSpec* route = nullptr;
    http1::RequestHead again;
    std::string again_target, why;
    std::optional<Handoff> h = std::move(first);
    for (int hop = 1; h; ++hop, h = out.take_handoff()) {
      if (h->kind == Handoff::Kind::send_file) {
        co_await serve_sent_file(*h, head, out);
        co_return;
      }
      if (hop > kMaxLocalRedirects) {
        log::error("route " + (stats_.route ? stats_.route->name : std::string("-")) + ": more than " +
                   std::to_string(kMaxLocalRedirects) + " local redirects for " + std::string(head.method) + " " +
                   std::string(head.target) + " (last to " + h->target + "); answering 500");
        co_await send_simple(out, 500, "too many local redirects\n");
        co_return;
      }
      if (h->error_status) {
        // An error handler: the app sees the request as the client made it (REQUEST_URI)
        // and the status it stands in for (REDIRECT_STATUS), as with lighttpd.
        request_uri_ = head.target;
        redirect_status_ = h->error_status;
      }
      redirect_target_ = std::move(h->target);
      again = head;
      again.method = head.method == "HEAD" ? "HEAD" : "GET";
      again.target = redirect_target_;
      again.framing = http1::Framing::none;
      again.content_length = 0;
      std::erase_if(again.fields, [](const http1::Field& f) {
        return http1::iequals(f.name, "content-length") || http1::iequals(f.name, "transfer-encoding") ||
               http1::iequals(f.name, "content-type");
      });
      if (int status = rewrite(again, out, again_target, why)) {
        co_await send_simple(out, status, why);
        co_return;
      }
      NoBody none;
      route = this->route(again, again_target, caps);
      if (snap_->auth.empty() || co_await authorize(route, again, head, out))
        co_await act(route, caps, again, again_target, none, out);
    }
  }

  // Phase 3: first matching route.
  const RouteSpec* route(const http1::RequestHead& head, const std::string& target, Captures& caps) {
    decoded_path_ = url::decode(url::path_of(target));
    Regex::take_errors();
    const RouteSpec* r = match_route(cfg(), route_input(head, target), &caps);
    route_regex_failed_ = Regex::take_errors() > 0;  // act() answers 500: which route is not known
    return r;
  }

  // Phase 3b: auth (Basic or Digest), before any action, on the decoded path both as the
  // client sent it and after the rewrites (no module order can skip it, unlike lighttpd's).
  // The first [[auth]] area whose conditions hold and whose prefix either path starts with
  // decides. `client` is the request as the client sent it (Digest signs its method and
  // target). False: answered here.
  awaitable<bool> authorize(const RouteSpec* route, const http1::RequestHead& head, const http1::RequestHead& client,
                            ResponseStream& out) {
    remote_user_.clear();
    const AuthRuntime* ar = auth_area(head);
    if (!ar) co_return true;
    auth::Area& area = *ar->area;
    int64_t now = tc_.rt.clock();
    stats_.route = route;
    keep_alive_if_body_skippable(head, out);
    // A refusal carries what any answer here would (only a refusal: act() settles them for the rest).
    auto refusal_fields = [&] {
      answer_edits(route, head, head.target, out);
      if (cfg().server.plain_auth) out.edit_fields(nullptr);
    };
    if (ar->spec->refuse) {
      refusal_fields();  // an area that admits nobody (where lighttpd answers 500: no error handler runs)
      out.catch_errors(nullptr, nullptr);
      co_await send_simple(out, 403, "forbidden\n");
      co_return false;
    }
    if (int64_t ms = area.limiter().blocked_for(client_ip_, now)) {
      refusal_fields();
      std::string secs = std::to_string((ms + 999) / 1000);
      std::vector<http1::Field> extra{http1::Field{"Retry-After", secs}};  // named: g++ 12 rejects brace temporaries in co_await
      co_await send_simple(out, 429, "too many failed logins, try again later\n", std::move(extra));
      co_return false;
    }
    auth::Attempt attempt = attempt_of(head, client, now);
    std::string user;
    std::optional<auth::Verdict> v = area.cached(attempt, user);
    if (!v) {
      // Hashing (bcrypt: milliseconds) runs off the event loop.
      std::string given(attempt.authorization), method(attempt.method), target(attempt.target);
      auto check = [&area, &given, &method, &target, now, &user] { return area.check({given, method, target, now}, user); };
      v = co_await run_blocking(check);
    }
    if (*v == auth::Verdict::allowed) {
      remote_user_ = std::move(user);
      auth_type_ = area.scheme_name();
      co_return true;
    }
    refusal_fields();
    if (*v != auth::Verdict::no_credentials) failed_login(*ar, head, user, *v, now);
    if (*v == auth::Verdict::malformed) {  // as lighttpd: a broken Authorization is a bad request
      co_await send_simple(out, 400, "malformed Authorization\n");
      co_return false;
    }
    std::vector<std::string> challenges = area.challenges(now, *v == auth::Verdict::stale);  // the fields view them
    std::vector<http1::Field> extra;
    for (const std::string& c : challenges) extra.push_back(http1::Field{"WWW-Authenticate", c});
    co_await send_simple(out, 401, "authentication required\n", std::move(extra));
    co_return false;
  }

  // What the area checks: the Authorization field, and for Digest the method and target as
  // the client sent them.
  static auth::Attempt attempt_of(const http1::RequestHead& head, const http1::RequestHead& client, int64_t now) {
    auth::Attempt attempt;
    for (auto& f : head.fields)
      if (http1::iequals(f.name, "authorization")) attempt.authorization = f.value;
    attempt.method = client.method;
    attempt.target = client.target;
    attempt.now_ms = now;
    return attempt;
  }

  // A failed login: logged, and counted against the client by the area's limiter.
  void failed_login(const AuthRuntime& ar, const http1::RequestHead& head, const std::string& user, auth::Verdict v,
                    int64_t now) {
    log::warn("auth: failed login to " + ar.spec->prefix + " (realm \"" + ar.spec->realm + "\") from " + client_ip_ +
              " user \"" + user + "\": " + auth::verdict_text(v) + " for " + std::string(head.method) + " " +
              std::string(head.target));
    if (ar.area->limiter().failed(client_ip_, now))
      log::warn("auth: " + client_ip_ + " refused for " + std::to_string(ar.spec->block_time.count()) + "ms after " +
                std::to_string(ar.spec->max_failures) + " failed logins");
  }

  // The [[auth]] area of this request (route/plan.h).
  const AuthRuntime* auth_area(const http1::RequestHead& head) {
    const AuthSpec* spec = plan_auth_area(cfg(), route_input(head, head.target), original_path_);
    if (!spec) return nullptr;
    for (const AuthRuntime& a : snap_->auth)
      if (a.spec == spec) return &a;
    return nullptr;
  }

  // The limits of this request: the server's (no route), else with the route's overrides.
  // Returns 0, or the refusal: 431 for a head over the route's limits, 413 for an announced
  // body over its max_body_bytes.
  int use_limits(const RouteSpec* route, RequestStream& body, ResponseStream& out,
                 const http1::RequestHead* head = nullptr, std::string_view target = {}) {
    static const RouteSpec::Limits kNone;
    const RouteSpec::Limits& l = route ? route->limits : kNone;
    const ServerSpec& s = cfg().server;
    uint64_t max_body = l.max_body_bytes.value_or(s.max_body_bytes);
    if (head && !cfg().limit_rules.empty()) max_body = plan_body_limit(cfg(), route, route_input(*head, target));
    body.set_max_bytes(max_body);
    body.set_body_timeout(l.body_timeout.value_or(s.body_timeout));
    out.set_send_timeout(l.send_timeout.value_or(s.send_timeout));
    idle_after_ = l.keepalive_timeout;  // the wait for the next request on this connection
    if (!head) return 0;
    if ((l.max_header_bytes && head->head_bytes > *l.max_header_bytes) ||
        (l.max_header_count && head->fields.size() > *l.max_header_count))
      return 431;
    if (head->framing == http1::Framing::length && max_body && head->content_length > max_body) return 413;
    return 0;
  }

  // A copy of `head` with the route's request_headers and rewrite_request.headers applied
  // (the views point into the config, which the request's snapshot keeps alive, or into
  // `values`).
  const http1::RequestHead& edit_request(const HeaderEdits& e, const RouteSpec& route, const http1::RequestHead& head,
                                         const std::string& target, http1::RequestHead& out, std::vector<std::string>& values) {
    out = head;
    values.reserve(out.fields.size() + 1);  // views into it must not move
    UrlParts u{"http", head.host, target, {}};
    if (!route.map.host_request.empty())
      if (auto h = map_request_host(route.map, head.host, map_state_))
        for (http1::Field& f : out.fields)
          if (http1::iequals(f.name, "host")) {
            values.push_back(std::move(*h));
            f.value = out.host = values.back();
            break;
          }
    for (http1::Field& f : out.fields)
      for (const FieldRewrite& rw : route.request_field_rewrites) {
        Captures c;
        if (!http1::iequals(f.name, rw.name) || !rw.match.match(f.value, &c)) continue;
        std::string v = rw.to.expand(c, nullptr, u);
        if (!http1::safe_in_message(v)) {  // never split the request: the field stays as it came
          log::warn("rewrite_request of " + std::string(f.name) + " gave a value with CR, LF or NUL; not applied");
          break;
        }
        values.push_back(std::move(v));
        f.value = values.back();
        if (http1::iequals(f.name, "host")) out.host = f.value;
        break;
      }
    for (auto& [name, value] : e.set) {
      std::erase_if(out.fields, [&name](const http1::Field& f) { return http1::iequals(f.name, name); });
      if (value.empty()) continue;  // set to "": removed, as lighttpd does
      out.fields.push_back({name, value});
      if (http1::iequals(name, "host")) out.host = value;
    }
    for (auto& [name, value] : e.add) out.fields.push_back({name, value});
    return out;
  }

  // What routes and rules match on; field conditions read the head's fields.
  RequestFacts facts(const http1::RequestHead& head) const {
    RequestFacts f{head.method, head.target, head.host, client_ip_};
    f.field = [](const void* ctx, std::string_view name) -> std::string_view {
      for (const http1::Field& fl : static_cast<const http1::RequestHead*>(ctx)->fields)
        if (http1::iequals(fl.name, name)) return fl.value;
      return {};
    };
    f.field_ctx = &head;
    return f;
  }
  RouteInput route_input(const http1::RequestHead& head, std::string_view target) const {
    return facts(head).input(decoded_path_, target);
  }


  // server.deny_suffixes (lighttpd's url.access-deny), compared with case as lighttpd does.
  // A rule whose regex fails to decide (its match limit) counts as matching: fail closed.
  bool denied(const http1::RequestHead& head, std::string_view target) const {
    bool regex_failed = false;
    bool d = plan_denied(cfg(), route_input(head, target), &regex_failed);
    if (regex_failed) log::warn("deny rule: a regex hit its match limit for " + std::string(head.target) + "; counted as a match");
    return d;
  }

  // What this request's answer gets (the route's or the server's response_headers, with the
  // [[headers]] rules that match: their fields, Server and error handlers); returns the
  // request edits that go with them. Before any answer: an auth area's 401 gets them too.
  const HeaderEdits* answer_edits(const RouteSpec* route, const http1::RequestHead& head, std::string_view target,
                                  ResponseStream& out) {
    plan_answer_rules(cfg(), route, route_input(head, target), answer_);
    out.catch_errors(answer_.error_handler_404, answer_.error_handler);  // a [[headers]] rule's handlers replace the server's
    out.expires(answer_.expire_urls, answer_.expire_types, decoded_path_);
    out.edit_fields(answer_.response);
    if (answer_.server_tag) out.server_tag(*answer_.server_tag);
    return answer_.request;
  }

  // Phase 4: the route's action.
  awaitable<void> act(const RouteSpec* route, const Captures& caps, const http1::RequestHead& head,
                      const std::string& target, RequestStream& body, ResponseStream& out) {
    stats_.route = route;
    out.catch_errors(&cfg().server.error_handler_404, &cfg().server.error_handler);
    if (route_regex_failed_) {
      log::error("route matching for " + std::string(head.method) + " " + std::string(head.target) +
                 ": a route's regex hit its match limit; answering 500");
      keep_alive_if_body_skippable(head, out);
      co_await send_simple(out, 500, "internal error\n");
      co_return;
    }
    if (!route || route->action != RouteSpec::Action::forward) keep_alive_if_body_skippable(head, out);
    const HeaderEdits* request_edits = answer_edits(route, head, target, out);
    // Limits first: lighttpd answers 413 as soon as it has the head, before any module runs.
    if (int status = use_limits(route, body, out, &head, target)) {
      out.force_close();  // the body stays unread
      co_await send_simple(out, status, status == 413 ? "request body too large\n" : "request header fields too large\n");
      co_return;
    }
    bool redirect_first = route && route->action == RouteSpec::Action::redirect && cfg().server.redirects_before_deny;
    if (!redirect_first && denied(head, target)) {
      keep_alive_if_body_skippable(head, out);
      if (cfg().server.plain_denials) out.edit_fields(nullptr);
      co_await send_simple(out, 403, "forbidden\n");
      co_return;
    }
    if (!route && statics::server_options(head.method, head.target)) {  // the server as a whole, where no route takes it
      co_await answer_options(out);
      co_return;
    }
    if (!route) {
      co_await send_simple(out, 404, "no route for this URL\n");
      co_return;
    }
    // request_headers: what the backends and handlers see from here on (lighttpd's setenv
    // runs before the handlers too); rewrite_request.headers: what a backend sees.
    http1::RequestHead edited;
    std::vector<std::string> values;  // rewritten field values, alive while the request is
    map_state_ = {};
    if (!route->map.empty()) map_state_.client_host = std::string(head.host);
    const http1::RequestHead& h = request_edits->empty() && route->request_field_rewrites.empty() && route->map.host_request.empty()
                                      ? head
                                      : edit_request(*request_edits, *route, head, target, edited, values);
    if (route->action == RouteSpec::Action::forward) {
      out.rewrite_fields(&route->response_field_rewrites);
      out.map_fields(&route->map, &map_state_);
    }
    switch (route->action) {
      case RouteSpec::Action::forward:
        co_await forward(*route, h, target, body, out);
        break;
      case RouteSpec::Action::static_files:
        co_await serve_static(*route, h, target, decoded_path_, cfg().server.file_cache.count(), out);
        break;
      case RouteSpec::Action::redirect:
        co_await answer_redirect(*route, caps, head, target, out);
        break;
      case RouteSpec::Action::status_page:
        co_await answer_status_page(*route, target, out);
        break;
    }
  }

  // Phase 4, a redirect route: Location from the route's replacement and the regex's captures.
  awaitable<void> answer_redirect(const RouteSpec& route, const Captures& caps, const http1::RequestHead& head,
                                  const std::string& target, ResponseStream& out) {
    std::string loc = plan_redirect(route, caps, head.host, target);
    if (!http1::safe_in_message(loc)) {  // a decoded CR LF would add fields to the answer
      log::warn("redirect of " + std::string(head.target) + " (route " + route.name +
                ") would carry CR, LF or NUL in Location; answering 400");
      co_await send_simple(out, 400, "invalid redirect target\n");
      co_return;
    }
    if (cfg().server.plain_redirects) out.edit_fields(nullptr);
    std::vector<http1::Field> extra{http1::Field{"Location", loc}};  // named: g++ 12 rejects brace temporaries in co_await
    co_await send_simple(out, route.redirect_code, "redirect to " + loc + "\n", std::move(extra));
  }

  // Phase 4, a status page route (lighttpd's mod_status).
  awaitable<void> answer_status_page(const RouteSpec& route, const std::string& target, ResponseStream& out) {
    size_t q = target.find('?');
    StatusPage page = render_status_page(tc_.rt, tc_.rt.clock(), route.status_page,
                                         q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1));
    std::vector<http1::Field> extra{http1::Field{"Content-Type", page.content_type}};
    co_await send_simple(out, 200, page.body, std::move(extra));
  }

  // Waits in the pool's queue, one arrival order for every thread, until a backend's slot
  // is handed to this request: returns that backend, its in-flight slot held for us. Null
  // when refused: the queue is full at once, or queue_timeout passed (`why` says which).
  awaitable<BackendRuntime*> wait_for_capacity(PoolRuntime& pool, const Tried& tried, int64_t& queued_ms, std::string& why) {
    const PoolSpec& spec = *pool.spec;
    // One per session, made at its first wait: making a timer per wait looked up Asio's
    // timer service each time.
    if (!queue_wake_) queue_wake_ = std::make_unique<Wake>(tc_.io);
    PoolQueue::Waiter w;  // the queue points at it while it waits; it leaves when it goes
    w.wake = queue_wake_->remote();
    w.tried = tried;
    if (!pool.queue.join(w, spec.queue_size)) {
      why = "queue full (" + std::to_string(spec.queue_size) + " waiting)";
      co_return nullptr;
    }
    int64_t start = tc_.rt.clock();
    serve_queue(tc_, pool, &w);  // a slot given back before this request joined
    // The re-check catches room that comes with nobody giving a slot back: a backend back up
    // (health, admin, its process restarted) or a reload.
    constexpr int64_t kRecheckMs = 50;
    while (pool.queue.waiting(w)) {
      int64_t waited = tc_.rt.clock() - start;
      if (waited >= spec.queue_timeout.count()) {
        pool.queue.leave(w);
        break;  // (granted all the same if a slot came in this last moment)
      }
      if (!co_await queue_wake_->wait(std::chrono::milliseconds(std::min(kRecheckMs, spec.queue_timeout.count() - waited))))
        serve_queue(tc_, pool, &w);
    }
    queued_ms += std::max<int64_t>(1, tc_.rt.clock() - start);
    BackendRuntime* b = PoolQueue::take_grant(w);
    if (!b) {
      why = "waited " + std::to_string(queued_ms) + "ms in the queue (queue_timeout)";
      co_return nullptr;
    }
    // A kept connection that came with the slot from another thread: this one's now.
    if (w.conn)
      if (auto c = adopt(tc_.io.get_executor(), std::move(w.conn)))
        tc_.conns.put(b->id, std::move(c), size_t(std::max(1, spec.keepalive_idle)), tc_.rt.clock());
    co_return b;
  }

  // The request's key for the hash and sticky balancers.
  std::string_view balance_key(const HashKeySpec& k, const http1::RequestHead& head) const {
    switch (k.kind) {
      case HashKeySpec::Kind::path:
      case HashKeySpec::Kind::path_host: return decoded_path_;  // the Host is mixed in by the caller
      case HashKeySpec::Kind::ip: return client_ip_;
      case HashKeySpec::Kind::header:
        for (auto& f : head.fields)
          if (http1::iequals(f.name, k.name)) return f.value;
        return {};
      case HashKeySpec::Kind::cookie:
        for (auto& f : head.fields) {
          if (!http1::iequals(f.name, "cookie")) continue;
          std::string_view c = f.value;
          while (!c.empty()) {
            size_t semi = c.find(';');
            std::string_view pair = c.substr(0, semi);
            while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
            if (pair.size() > k.name.size() && pair.compare(0, k.name.size(), k.name) == 0 && pair[k.name.size()] == '=')
              return pair.substr(k.name.size() + 1);
            if (semi == std::string_view::npos) break;
            c.remove_prefix(semi + 1);
          }
        }
        return {};
    }
    return {};
  }

  // A response that leaves the request body unread can keep the connection only if the
  // body can be skipped afterwards: not one held back for 100 Continue, not a huge one.
  static void keep_alive_if_body_skippable(const http1::RequestHead& head, ResponseStream& out) {
    if (head.framing == http1::Framing::none) return;
    if (head.expect_continue || head.framing == http1::Framing::chunked ||
        head.content_length > kMaxSkippedBody)
      out.force_close();
  }

  // The side of a staged route that serves this request, and what the candidate is asked.
  struct Side {
    size_t pool_index = 0;
    RolloutRuntime* rollout = nullptr;
    bool new_side = false, compare = false;
    std::vector<std::pair<std::string, std::string>> shaped_fields;  // owns the text of new_side_fields
    std::vector<http1::Field> new_side_fields;
  };

  // One request's attempts across the pool's backends (forward's loop).
  struct Attempts {
    uint64_t key = 0;  // the hash and sticky balancers' request key
    Tried tried;
    int retries = 0;
    bool same_backend_retried = false;
    int64_t queued_ms = 0;
    bool full = false;  // the last pick found no room (queue), rather than no backend
    // Backends that could not take the request (no connection), and why, for the one 503
    // answered when none could; `reached`: some backend got (part of) the request, and
    // `reached_status` is what the last one failed with.
    std::string refused_by;
    bool reached = false;
    int reached_status = 502;
  };

  // A backend for the next attempt, with its slot: picked, or handed over by the queue.
  struct Pick {
    std::optional<size_t> index;
    BackendRuntime* granted = nullptr;  // the queue's grant: the slot is held already
    bool answered = false;              // none: the client has its 503/502 already
  };

  // Phase 4, forward: choose the side → the request every protocol gets → per attempt,
  // pick a backend (balancer, else the pool's queue) → take its slot → exchange → on
  // failure, one place decides: the same backend again, another backend, or the answer.
  awaitable<void> forward(const RouteSpec& route, const http1::RequestHead& head,
                          const std::string& rewritten, RequestStream& body, ResponseStream& out) {
    std::optional<std::string> planned = plan_backend_target(route, head.host, rewritten, map_state_);
    if (!planned) {
      log::warn("rewrite_request of " + rewritten + " (route " + route.name + ") gave CR, LF or NUL; answering 400");
      co_await send_simple(out, 400, "invalid rewritten URL\n");
      co_return;
    }
    std::string target = std::move(*planned);
    Side side;
    choose_side(route, head, out, target, side);
    PoolRuntime& pool = *snap_->pools[side.pool_index];
    const PoolSpec& spec = *pool.spec;
    // With a compare, the answer and the body are recorded on their way through.
    std::optional<CapturingBody> captured_body;
    std::optional<CaptureSink> captured_answer;
    if (side.compare) {
      captured_body.emplace(body, route.rollout->compare_max_body);
      captured_answer.emplace(route.rollout->compare_max_body, &out);
    }
    BodySource& body_in = captured_body ? static_cast<BodySource&>(*captured_body) : body;
    ResponseSink& answer_out = captured_answer ? static_cast<ResponseSink&>(*captured_answer) : out;
    ForwardRequest req = forward_request(route, head, rewritten, target, spec, side);
    Attempts at;
    at.key = request_key(spec, head);
    Upstream& up = *find_upstream(spec.protocol);
    while (true) {
      // (The common case costs no coroutine frame: only a wait or an answer awaits.)
      Pick pick = pick_now(pool, side.pool_index, at);
      if (!pick.index) pick = co_await queue_or_answer(pool, at, head, target, body, out);
      if (pick.answered) co_return;
      BackendRuntime& backend = *pool.backends[*pick.index];
      Failure f;
      {
        InFlight slot(backend);
        if (!take_slot(slot, pool, pick, at)) continue;  // another thread took the last slot: pick again
        ExchangeTimes times;
        int64_t t0 = before_exchange(backend, req, times, at);
        f = co_await up.exchange(ExchangeContext(tc_), spec, backend, req, body_in, answer_out);
        after_exchange(f, pool, backend, times, t0, side, out);
      }
      // Nothing of the exchange is held any more: the oldest waiter takes the slot (and a
      // kept FastCGI connection its process) right now, ahead of the loop's other work.
      serve_queue(tc_, pool);
      if (!f) {
        note_success(backend);
        if (side.compare) start_mirror(route, head, target, side.new_side_fields, *captured_body, *captured_answer);  // the legacy side got `target`
        co_return;
      }
      if (!co_await after_failure(f, pool, backend, *pick.index, req, at, head, target, body, answer_out, out)) co_return;
    }
  }

  // forward, step 1: which side of a staged route serves, and whether a copy goes to the
  // candidate (within compare.max_rate and its queue); the new side's target and fields.
  void choose_side(const RouteSpec& route, const http1::RequestHead& head, ResponseStream& out, std::string& target,
                   Side& side) {
    side.pool_index = route.pool_index;
    if (!route.rollout) return;
    const RolloutSpec& ro = *route.rollout;
    side.rollout = &snap_->routes[size_t(&route - cfg().routes.data())]->rollout;
    RolloutRuntime& rr = *side.rollout;
    stage::StagePoint point = rr.load_point();
    SideChoice choice = plan_rollout_side(ro, point, point.stage == stage::Stage::canary ? user_bucket(ro, head, out) : 0, head.method);
    side.new_side = choice.new_side;
    side.compare = choice.compare;
    if (side.compare && !rr.take_rate(ro.compare_max_rate, tc_.rt.clock())) {
      bump(rr.over_rate);  // past compare.max_rate this second: a sample is enough
      side.compare = false;
    }
    if (side.compare && rr.compare_in_flight.load(std::memory_order_relaxed) >= ro.compare_concurrency &&
        rr.compare_queued.load(std::memory_order_relaxed) >= ro.compare_queue) {
      bump(rr.dropped);  // no room for a copy: decided before capturing anything
      side.compare = false;
    }
    if (!side.new_side && !side.compare) return;  // only then is the new side asked anything
    std::string shaped = new_side_target(ro, head.target, target, side.shaped_fields);
    for (auto& [n, v] : side.shaped_fields) side.new_side_fields.push_back({n, v});
    if (side.new_side) {
      side.pool_index = ro.to_index;
      target = std::move(shaped);
    } else {
      mirror_target_ = std::move(shaped);
    }
  }

  // forward, step 2: the request as every backend protocol gets it (each maps it its way).
  ForwardRequest forward_request(const RouteSpec& route, const http1::RequestHead& head, const std::string& rewritten,
                                 const std::string& target, const PoolSpec& spec, const Side& side) const {
    ForwardRequest req;
    req.head = &head;
    req.target = target;
    req.original_target = request_uri_.empty() ? head.target : std::string_view(request_uri_);
    req.redirect_status = redirect_status_;
    req.route = &route;
    req.rewritten = rewritten != req.original_target;
    req.server_addr = server_ip_;
    req.server_port = server_port_;
    req.client_ip = client_ip_;
    req.peer_ip = peer_ip_;
    req.scheme = scheme_;
    req.client_port = client_port_;
    req.idempotent = idempotent(head.method) || route.retry_non_idempotent;
    req.remote_user = remote_user_;
    req.auth_type = auth_type_;
    req.backend_env = answer_.backend_env;
    req.user_header = cfg().server.remote_user_header;
    req.timeouts = route.limits.upstream(spec.timeouts);
    if (side.new_side && !side.new_side_fields.empty()) req.extra_fields = &side.new_side_fields;
    return req;
  }

  uint64_t request_key(const PoolSpec& spec, const http1::RequestHead& head) const {
    uint64_t key = 0;
    if (spec.balancer == BalancerKind::hash || spec.balancer == BalancerKind::sticky)
      key = hash_key(balance_key(spec.hash_key, head));
    if (spec.hash_key.kind == HashKeySpec::Kind::path_host) key ^= hash_key(head.host) * 0x9e3779b97f4a7c15ull;
    return key;
  }

  // forward, step 3: a backend with room, from the balancer; none when every untried one
  // is at max_conns, or others wait in the pool's queue already (first come, first served).
  Pick pick_now(PoolRuntime& pool, size_t pool_index, Attempts& at) {
    const PoolSpec& spec = *pool.spec;
    // The thread's scratch vector: other requests on this thread use it (for pools of other
    // sizes) while this one waits, so it is sized again on every pass.
    std::vector<BackendLoad>& loads = tc_.loads;
    loads.resize(pool.backends.size());
    int64_t now = tc_.rt.clock();
    at.full = false;  // some untried, healthy backend is only at its max_conns
    for (size_t i = 0; i < loads.size(); ++i) {
      const BackendRuntime& b = *pool.backends[i];
      uint32_t busy = b.in_flight.load(std::memory_order_relaxed);
      bool alive = b.available(now);
      bool room = spec.max_conns == 0 || busy < spec.max_conns;
      at.full = at.full || (alive && !room && !at.tried.has(i));
      loads[i] = {b.spec.weight, busy, alive && room, b.identity};
    }
    Pick pick;
    if (spec.max_conns && pool.queue.size() > 0) {  // behind others: queue after them
      at.full = true;
      return pick;
    }
    // After a reload the thread's balancer state belongs to the new snapshot.
    BalanceState stale_balance;
    BalanceState& bstate = snap_ == tc_.snap ? tc_.balance[pool_index] : stale_balance;
    pick.index = pick_backend(spec.balancer, loads, at.key, at.tried, bstate, tc_.rng);
    return pick;
  }

  // forward, step 3 when no backend had room: the pool's queue hands one over, or the
  // client gets its answer (503 when shed or none could take it, else the last failure's).
  awaitable<Pick> queue_or_answer(PoolRuntime& pool, Attempts& at, const http1::RequestHead& head,
                                  const std::string& target, RequestStream& body, ResponseStream& out) {
    const PoolSpec& spec = *pool.spec;
    Pick pick;
    if (at.full) {
      std::string why;
      pick.granted = co_await wait_for_capacity(pool, at.tried, at.queued_ms, why);
      if (!pick.granted) {
        if (at.queued_ms) pool.queue_wait.observe(at.queued_ms);
        bump(pool.shed);
        log::warn("pool " + spec.name + ": " + why + " for " + std::string(head.method) + " " + target +
                  "; answering 503 (raise max_conns, queue or queue_timeout if the backends can take more)");
        if (!body.complete()) keep_alive_if_body_skippable(head, out);
        std::vector<http1::Field> extra{http1::Field{"Retry-After", "1"}};
        co_await send_simple(out, 503, "server busy, try again\n", std::move(extra));
        pick.answered = true;
        co_return pick;
      }
      for (size_t i = 0; i < pool.backends.size(); ++i)
        if (pool.backends[i].get() == pick.granted) pick.index = i;
      co_return pick;
    }
    pick.answered = true;
    if (at.reached) {
      // Tried everywhere it could go, and a backend got it and failed: that failure is
      // the answer (a bad response is 502, not "no backend").
      log::error("pool " + spec.name + ": no other backend to try for " + std::string(head.method) + " " + target +
                 "; answering " + std::to_string(at.reached_status));
      co_await answer_failure(at.reached_status, head, body, out);
      co_return pick;
    }
    log::error("pool " + spec.name + ": no backend available for " + std::string(head.method) + " " + target +
               (at.refused_by.empty() ? " (all down or tried)" : " (tried: " + at.refused_by + ")") + "; answering 503");
    co_await answer_no_backend(spec, head, body, out);
    co_return pick;
  }

  // forward, step 4: the backend's in-flight slot (a queue's grant holds it already).
  bool take_slot(InFlight& slot, PoolRuntime& pool, const Pick& pick, Attempts& at) {
    if (pick.granted) {
      slot.adopt();
      pool.queue_wait.observe(at.queued_ms);
    } else if (!slot.acquire(pool.spec->max_conns)) {
      return false;
    }
    at.tried.add(*pick.index);
    return true;
  }

  // forward, step 4: what the access log and the histograms learn of one exchange, before
  // and after it; the rollout guards' evidence.
  int64_t before_exchange(BackendRuntime& backend, ForwardRequest& req, ExchangeTimes& times, const Attempts& at) {
    stats_.backend = &backend;
    stats_.queue_ms = at.queued_ms;
    stats_.retries = at.retries;
    bump(backend.requests);
    req.times = &times;
    return tc_.rt.clock();
  }

  void after_exchange(const Failure& f, PoolRuntime& pool, BackendRuntime& backend, const ExchangeTimes& times,
                      int64_t t0, const Side& side, const ResponseStream& out) {
    stats_.upstream_ms = tc_.rt.clock() - t0;
    stats_.upstream_connect_ms = times.connected >= 0 ? times.connected - t0 : -1;
    stats_.upstream_header_ms = times.head >= 0 ? times.head - t0 : -1;
    pool.observe_latency(stats_.upstream_ms);
    if (side.rollout && (!f || out.started())) {
      RolloutRuntime& rr = *side.rollout;
      bool bad = f || out.status() >= 500;
      if (side.new_side) bump(rr.new_answers), rr.new_latency.observe(stats_.upstream_ms);
      else bump(rr.primary_answers), rr.primary_latency.observe(stats_.upstream_ms);
      if (bad) bump(side.new_side ? rr.new_5xx : rr.primary_5xx);
      if (side.new_side) rr.new_side_answered(bad);
    }
    if (f && f.origin() == FailureOrigin::backend) bump(backend.failures);
    if (!f || out.started()) stats_.upstream_status = out.status();
  }

  // forward, step 5, the one place that decides what a failure leads to: true, try again
  // (the same backend once more on a new connection, or another one); false, answered.
  awaitable<bool> after_failure(const Failure& f, PoolRuntime& pool, BackendRuntime& backend, size_t index,
                                const ForwardRequest& req, Attempts& at, const http1::RequestHead& head,
                                const std::string& target, RequestStream& body, ResponseSink& answer_out,
                                ResponseStream& out) {
    const PoolSpec& spec = *pool.spec;
    if (f.kind == FailureKind::client_gone) {
      out.force_close();
      co_return false;
    }
    if (f.origin() == FailureOrigin::client) {
      // The client's body is at fault: answer it, and close (its stream cannot be trusted).
      out.force_close();
      if (!out.started()) co_await send_simple(out, f.status(), std::string(f.name()) + "\n");
      co_return false;
    }
    if (int64_t ms = note_failure(backend, spec, f, tc_.rt.clock()))
      log::error("backend " + backend.spec.address + " (pool " + spec.name + ") ejected for " + std::to_string(ms) +
                 "ms after " + std::to_string(spec.max_fails) + " failures in a row (last: " + f.name() + ")");
    // A head that waited for body bytes which never came reached no one: the request
    // can still go to another backend, or be answered with a 502 rather than a cut.
    if (out.started()) answer_out.retract();
    bool retry = at.retries < spec.retries && !out.started() && body.replayable() && f.may_repeat(req.idempotent);
    // Closed before any answer on a connection that did reach it: when that backend is a
    // socket several processes share (supervised FastCGI workers, spawn-fcgi -F N), the one
    // that took it was stopping (a rolling restart); its siblings still accept. So the same
    // backend once more, on a new connection, before it counts as tried.
    if (retry && !at.same_backend_retried && f.kind == FailureKind::reset_before_response && req.idempotent) {
      at.same_backend_retried = true;
      at.tried.remove(index);
    }
    log::error("backend " + backend.spec.address + " (pool " + spec.name + "): " + f.name() + ": " + f.detail +
               " for " + std::string(head.method) + " " + target +
               (f.disables_backend() ? "; disabled for " + std::to_string(spec.disable_time.count()) + "ms" : "") +
               (retry ? "; retrying on another backend" : ""));
    if (f.disables_backend()) {
      at.refused_by += (at.refused_by.empty() ? "" : "; ") + backend.spec.address + ": " + f.name() + " (" + f.detail + ")";
    } else {
      at.reached = true;
      at.reached_status = f.status();
    }
    if (retry) {
      ++at.retries;
      bump(pool.retries);
      body.rewind();
      co_return true;
    }
    if (!at.reached && !out.started()) {
      // No backend could take it (every one tried refused or timed out connecting): the
      // same answer as when they were known to be down before it came.
      log::error("pool " + spec.name + ": no backend could take " + std::string(head.method) + " " + target +
                 " (tried: " + at.refused_by + "); answering 503");
      co_await answer_no_backend(spec, head, body, out);
      co_return false;
    }
    co_await answer_failure(f.status(), head, body, out);
    co_return false;
  }

  // 502 or 504 for a failed exchange; a client that got part of an answer has it cut, so
  // that it sees the error.
  awaitable<void> answer_failure(int status, const http1::RequestHead& head, RequestStream& body, ResponseStream& out) {
    if (!body.complete()) keep_alive_if_body_skippable(head, out);
    if (out.started()) {
      out.force_close();
      co_return;
    }
    co_await send_simple(out, status, status == 504 ? "backend timed out\n" : "bad gateway\n");
  }

  // 503 with Retry-After (the pool's disable_time): no backend of the pool could take the
  // request, whether they were known to be down or found so while it was tried.
  awaitable<void> answer_no_backend(const PoolSpec& spec, const http1::RequestHead& head, RequestStream& body,
                                    ResponseStream& out) {
    if (!body.complete()) keep_alive_if_body_skippable(head, out);
    if (out.started()) {
      out.force_close();
      co_return;
    }
    std::string retry = std::to_string(std::max<int64_t>(1, spec.disable_time.count() / 1000));
    std::vector<http1::Field> extra{http1::Field{"Retry-After", retry}};  // named: g++ 12 rejects brace temporaries in co_await
    co_await send_simple(out, 503, "no backend available\n", std::move(extra));
  }

  // The rollout's user bucket: from the signed sticky cookie (set here when missing), the
  // client IP or a header. The same user gets the same bucket on every cutover instance.
  uint32_t user_bucket(const RolloutSpec& ro, const http1::RequestHead& head, ResponseStream& out) {
    std::string_view header;
    bool has_header = false;
    if (ro.sticky == RolloutSpec::Sticky::header)
      for (auto& f : head.fields)
        if (http1::iequals(f.name, ro.sticky_header)) {
          header = f.value;
          has_header = true;
          break;
        }
    std::string_view cookie;
    if (ro.sticky == RolloutSpec::Sticky::cookie) cookie = balance_key(HashKeySpec{HashKeySpec::Kind::cookie, ro.cookie_name}, head);
    if (std::optional<uint32_t> b = plan_user_bucket(ro, client_ip_, header, has_header, cookie)) return *b;
    uint64_t id = tc_.rng.next();  // a new user: a cookie of its own
    out.add_field("Set-Cookie", ro.cookie_name + "=" + stage::make_cookie_value(id, ro.cookie_key) +
                                    "; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax");
    return stage::bucket_of_id(id);
  }

  void start_mirror(const RouteSpec& route, const http1::RequestHead& head, const std::string& primary_target,
                    const std::vector<http1::Field>& fields, CapturingBody& body, CaptureSink& answer) {
    RolloutRuntime& rr = snap_->routes[size_t(&route - cfg().routes.data())]->rollout;
    if (body.over_limit() || answer.captured().truncated) {
      bump(rr.skipped);  // too large to compare in memory
      return;
    }
    auto job = std::make_unique<MirrorJob>();
    job->snap = snap_;
    job->route_index = size_t(&route - cfg().routes.data());
    // The head as the primary got it (request_headers, rules and field rewrites applied), so
    // that both sides are asked the same thing, and the new side's extra fields. Their views
    // point into the client's buffer (reused at once) and the session's strings: the text is
    // copied into the job and the views moved onto it.
    job->head = head;
    job->extra_fields = fields;
    size_t bytes = 0;
    auto count = [&bytes](std::string_view& v) { bytes += v.size(); };
    http1::for_each_view(job->head, count);
    for (http1::Field& f : job->extra_fields) count(f.name), count(f.value);
    std::string& b = job->text;
    b.reserve(bytes);  // exactly: the views taken below stay valid
    auto own = [&b](std::string_view& v) {
      std::string_view copy(b.data() + b.size(), v.size());
      b.append(v);
      v = copy;
    };
    http1::for_each_view(job->head, own);
    for (http1::Field& f : job->extra_fields) own(f.name), own(f.value);
    job->target = mirror_target_;
    job->primary_target = primary_target;
    job->body = std::move(body.bytes());
    job->client_ip = client_ip_;
    job->server_ip = server_ip_;
    job->client_port = client_port_;
    job->server_port = server_port_;
    job->primary = std::move(answer.captured());
    job->primary_ms = stats_.upstream_ms;
    spawn_mirror(tc_, std::move(job));
  }

  const Config& cfg() const { return *snap_->config; }

  ThreadContext& tc_;
  std::shared_ptr<const Snapshot> snap_;       // the current request's config and pools
  std::unique_ptr<Wake> queue_wake_;  // wait_for_capacity's
  std::string host_;  // the request's authority, normalised (settle_host)
  bool route_regex_failed_ = false;  // a route's regex errored while routing this request
  std::string client_ip_, server_ip_;
  std::string peer_ip_;          // the socket's peer; client_ip_ differs behind a trusted proxy
  std::string_view scheme_ = "http";  // "https" when a trusted proxy says so
  AnswerRules answer_;                 // this request's (route/plan.h), its copies reused
  bool client_from_proxy_ = false;    // client_ip_ and scheme_ were set from a trusted proxy's fields
  uint16_t client_port_ = 0, server_port_ = 0;
  std::string decoded_path_;
  std::string original_path_;  // decoded, before rewrites (for auth)
  std::string redirect_target_;  // a local redirect's path, while it is answered
  std::string request_uri_;      // an error handler's request: the client's target; else ""
  int redirect_status_ = 200;    // an error handler's request: the status it stands in for
  ProxyMapState map_state_;  // what the route's proxy.header maps chose for this request
  std::string remote_user_;    // auth passed this request as this user
  const char* auth_type_ = "Basic";  // by this scheme
  std::string mirror_target_;  // what the candidate is asked for, when comparing
  std::optional<Duration> idle_after_;  // the last route's keepalive_timeout, if it set one
  Stats stats_;
};

ConnFacts::ConnFacts(tcp::socket& sock) {
  error_code ec;
  auto ep = sock.remote_endpoint(ec);
  if (!ec) {
    auto addr = ep.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    peer_ip = addr.to_string();
    peer_port = ep.port();
  }
  auto local = sock.local_endpoint(ec);
  if (!ec) {
    server_ip = local.address().to_string();
    server_port = local.port();
  }
}

void SessionDeleter::operator()(Session* s) const { delete s; }

SessionPtr make_session(ThreadContext& tc, const ConnFacts& facts) { return SessionPtr(new Session(tc, facts)); }

awaitable<void> serve(Session& s, http1::RequestHead& head, RequestStream& body, ResponseStream& out) {
  return s.serve(head, body, out);
}

std::optional<Duration> idle_after(const Session& s) { return s.idle_after(); }


}  // namespace cutover
