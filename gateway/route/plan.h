// The decisions of one request, pure (no sockets, no clock): the rewrites with their
// conditions, the route, the auth area, the deny rules, the body limit, the answer's rules
// (header edits, Server, error handlers, expiry) and the action's details (a redirect's
// Location, the target a backend gets). `Session` calls each at its phase; `explain` calls
// plan_request(), which chains the same functions, and prints the Plan. One implementation.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "route/proxy_map.h"
#include "route/router.h"

namespace cutover {

// The request as the client sent it (views, alive for the call).
struct RequestFacts {
  std::string_view method, target, host;  // host: the settled authority (Host or the absolute form's)
  std::string_view client_ip;
  std::string_view (*field)(const void* ctx, std::string_view name) = nullptr;
  const void* field_ctx = nullptr;
  // What routes and rules match: `path` decoded (after the rewrites), `target` path?query.
  RouteInput input(std::string_view path, std::string_view at) const {
    RouteInput in{path, host, method, at, client_ip};
    in.field = field;
    in.field_ctx = field_ctx;
    return in;
  }
};

// Whether the rewritten target names a regular file (the *-if-not-file rewrites).
using FileTest = std::function<bool(std::string_view target)>;
FileTest docroot_file_test(const Config& c);  // under server.document_root (stat)

// Phase 2: normalise the target, then the global rewrites (lighttpd semantics; a rule's
// `when` reads the fields as sent). status != 0: the answer instead (`why` its body,
// `log` what to log).
struct Rewritten {
  int status = 0;
  std::string why, log;
  std::string target;         // path?query after the rewrites
  std::string original_path;  // decoded, before them (auth checks both)
};
Rewritten plan_rewrites(const Config& c, const RequestFacts& r, const FileTest& is_file);

// Phase 3b: the [[auth]] area that decides: the first whose conditions hold and whose
// prefix the decoded path starts with, after (in.path) or before the rewrites.
const AuthSpec* plan_auth_area(const Config& c, const RouteInput& in, std::string_view original_path);

// Deny: server.deny_suffixes, replaced by the last matching [[deny]] rule; independent
// rules deny on their own. A rule whose regex fails to decide counts as matching (fail
// closed; `regex_failed` says it happened).
bool plan_denied(const Config& c, const RouteInput& in, bool* regex_failed = nullptr);

// The request body limit: the route's or the server's, replaced by the last matching [[limits]] rule.
uint64_t plan_body_limit(const Config& c, const RouteSpec* route, const RouteInput& in);

// What the answer gets: the route's (or the server's) header edits, with each key of the
// last matching [[headers]] rule that gives it; its Server, error handlers and expiry
// tables. Pointers into the config or into `own` (reused from request to request).
struct AnswerRules {
  const HeaderEdits* request = nullptr;
  const HeaderEdits* response = nullptr;
  const HeaderEdits* backend_env = nullptr;  // fastcgi_env of the server or a rule; nullptr: none
  const std::string* server_tag = nullptr;   // nullptr: the server's
  const std::string* error_handler_404 = nullptr;
  const std::string* error_handler = nullptr;
  const std::vector<std::pair<std::string, statics::ExpireSpec>>* expire_urls = nullptr;
  const std::vector<std::pair<std::string, statics::ExpireSpec>>* expire_types = nullptr;
  struct Own {
    HeaderEdits request, response, env;
  } own;
};
void plan_answer_rules(const Config& c, const RouteSpec* route, const RouteInput& in, AnswerRules& out);

// A redirect route's Location (a host regex's captures are %N); "" with the route not a redirect.
std::string plan_redirect(const RouteSpec& r, const Captures& caps, std::string_view host, std::string_view target);

// The target a forward route's backend gets: rewrite_request, then proxy.header's
// map-urlpath. nullopt: the rewrite gave CR, LF or NUL (400).
std::optional<std::string> plan_backend_target(const RouteSpec& r, std::string_view host, const std::string& rewritten,
                                               ProxyMapState& map_state);

// A rolled-out route's user: the bucket of its sticky key — the header's value (absent: the
// client's address), the address, or the cookie's id. nullopt: a cookie is the key and the
// request has none that is valid (the session issues one).
std::optional<uint32_t> plan_user_bucket(const RolloutSpec& ro, std::string_view client_ip, std::string_view header_value,
                                         bool has_header, std::string_view cookie_value);
// Which side serves that user at `point`, and whether a copy of the request goes to the
// new side for comparison (before the copy budget, which is counted at run time).
struct SideChoice {
  bool new_side = false, compare = false;
};
SideChoice plan_rollout_side(const RolloutSpec& ro, stage::StagePoint point, uint32_t bucket, std::string_view method);

// Every decision at once, for `explain` (and tests): what Session does phase by phase.
struct Plan {
  Rewritten rewritten;
  std::string path;  // decoded, after the rewrites (the captures view it: a Plan is not copied)
  const RouteSpec* route = nullptr;
  Captures caps;
  bool route_regex_failed = false;
  const AuthSpec* auth = nullptr;
  uint64_t body_limit = 0;
  bool denied = false;       // 403 (after a redirect first when server.redirects_before_deny)
  AnswerRules answer;
  std::string location;      // a redirect route's
  std::optional<std::string> backend_target;  // a forward route's (nullopt: 400)
  ProxyMapState map_state;
  Plan() = default;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;
};
void plan_request(const Config& c, const RequestFacts& r, const FileTest& is_file, Plan& out);

}  // namespace cutover
