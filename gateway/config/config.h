// The validated, immutable configuration. Parsed once (config_load.cc), then shared
// read-only by every thread as a snapshot.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rewrite/regex.h"
#include "rewrite/replacement.h"
#include "rewrite/rewriter.h"
#include "stage/compare.h"
#include "stage/split.h"
#include "auth/area.h"
#include "access_format/access_format.h"
#include "balance/kind.h"
#include "static/expires.h"
#include "static/mime.h"

namespace cutover {

using Duration = std::chrono::milliseconds;

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;  // message: "file:line:column: what"
};

struct ListenSpec {
  std::string host;  // numeric address
  uint16_t port = 0;
  std::string text;
};

struct BackendSpec {
  std::string address;  // as written: "127.0.0.1:3001" or "unix:/run/app.sock"
  bool is_unix = false;
  std::string host;
  uint16_t port = 0;
  std::string path;
  uint32_t weight = 1;
  int worker_index = -1;  // the supervised worker instance behind it; -1: not supervised
};


// What the hash balancer hashes: the path (default), the client IP, a header or a cookie.
struct HashKeySpec {
  enum class Kind { path, path_host, ip, header, cookie } kind = Kind::path;  // path_host: lighttpd's "hash"
  std::string name;  // header or cookie name
};

// Active health checks of a pool's backends (off unless `health` is set).
struct HealthSpec {
  bool enabled = false;
  std::string path = "/health";
  Duration interval{2000};
  Duration timeout{1000};
  int rise = 2;        // passing checks to come back
  int fall = 3;        // failing checks to go down
  int expect = 200;    // expected status
};

// Processes cutover starts and watches for a pool (lighttpd's bin-path/max-procs, or the
// start script of the classic setup). See docs/config.md, [pools.NAME.workers].
struct WorkerSpec {
  std::vector<std::string> command;  // argv; {port} {index} {socket} are filled in
  std::string host = "127.0.0.1";    // where the instances listen
  std::vector<uint16_t> ports;       // one instance per port (HTTP; FastCGI over TCP)
  std::string socket;                // FastCGI unix socket; with {index}: one per instance
  int count = 0;                     // instances (for a socket; with ports: ports.size())
  std::string cwd;                   // default: cutover's working directory
  std::vector<std::pair<std::string, std::string>> env;  // set in the child
  std::vector<std::string> copy_env;  // when non-empty: only these of cutover's variables pass
  bool clear_env = false;             // start from an empty environment
  std::string stdout_path;            // templates; empty: cutover's own stdout/stderr
  std::string stderr_path;
  std::string pid_file;               // template; written on start, removed on exit
  std::string adopt_pid_file;         // template: processes started by someone else
  std::string user, group;            // when cutover runs as root
  int stop_signal = 15;               // SIGTERM
  Duration stop_timeout{10000};       // then SIGKILL
  Duration start_timeout{15000};      // ready within this, or the start failed
  Duration ready_after{200};          // FastCGI: alive this long on cutover's socket = ready
  Duration drain_timeout{30000};      // rolling restart: wait this long for in-flight requests
  Duration backoff{500};              // first restart delay after a crash; doubles to backoff_max
  Duration backoff_max{30000};
  int max_restarts = 5;               // crashes within restart_window before "failed"
  Duration restart_window{60000};
  bool surge = false;                 // shared socket: start the replacement before stopping
  std::string origin;

  bool shared_socket() const { return !socket.empty() && socket.find("{index}") == std::string::npos; }
  // The process gets its listening socket, made by cutover, on fd 0 (the FastCGI way), and
  // is ready once it has run ready_after; otherwise it binds its port itself and is ready
  // when the port accepts. Set by the pool's protocol.
  bool listener_on_fd0 = false;
  bool operator==(const WorkerSpec&) const = default;
};

// The timeouts of one exchange with a backend: the pool's, with the route's overrides.
struct UpstreamTimeouts {
  Duration connect{5000};
  Duration read{60000};           // upstream silent this long -> 504
  Duration first_byte{0};         // no response byte this long after the request -> 504; 0: read
  Duration write{60000};
  // The timeout that applies to a wait for the backend's answer, and its name for the log.
  bool first_byte_limited(bool got_bytes) const { return !got_bytes && first_byte.count() > 0; }
  Duration silence_limit(bool got_bytes) const { return first_byte_limited(got_bytes) ? first_byte : read; }
  const char* silence_limit_name(bool got_bytes) const {
    return first_byte_limited(got_bytes) ? "no response within first_byte_timeout" : "no response within read_timeout";
  }
  bool operator==(const UpstreamTimeouts&) const = default;
};

struct PoolSpec {
  std::string name;
  std::string protocol = "http";
  BalancerKind balancer = BalancerKind::sqf;
  HashKeySpec hash_key;
  HealthSpec health;
  int max_fails = 5;              // consecutive failed exchanges that eject a backend
  std::vector<BackendSpec> backends;
  UpstreamTimeouts timeouts;
  Duration disable_time{2000};    // a backend that refused a connect is skipped this long
  int retries = 2;                // further backends tried after a failure
  // Idle connections kept per backend per thread. Never more are kept than were in use at
  // once, and none past keepalive_timeout (ThreadContext::sweep_idle_upstream), so the
  // cap only bounds what a burst leaves behind: a low one (nginx-style 32) makes every
  // request beyond it open and close a connection under load (bench/scale.sh).
  int keepalive_idle = 1024;
  bool request_trailers = false;  // HTTP: a client's trailers go on in the last chunk (some servers refuse any)
  uint32_t max_conns = 0;         // in-flight requests per backend; 0: no cap
  uint32_t queue_size = 1000;     // requests that may wait for a free backend (with max_conns)
  Duration queue_timeout{10000};  // how long one may wait, then 503
  Duration keepalive_timeout{60000};
  // FastCGI: connections per backend kept open with KEEP_CONN (idle or busy, all threads).
  // Each one holds an app process, so it stays below the processes behind the address:
  // default count - 1 for supervised workers sharing a socket, else 0 (one connection per
  // request). See docs/config.md, "The keep-conn trap".
  int keep_conn = 0;
  // FastCGI: X-Sendfile (and lighttpd's X-LIGHTTPD-send-file) honoured for files under
  // these directories; empty: off (the header is passed on like any other).
  std::vector<std::string> x_sendfile;
  std::optional<WorkerSpec> workers;  // set: cutover runs the backends itself
  std::string origin;
};

// Header fields cutover adds to requests (before any backend or handler sees them) or to
// responses (lighttpd's setenv.add-/set-request-header, -response-header). `add` appends a
// field; `set` replaces every field of that name.
struct HeaderEdits {
  std::vector<std::pair<std::string, std::string>> add, set;
  bool empty() const { return add.empty() && set.empty(); }
};

// A field's value replaced when its regex matches (lighttpd 1.5 proxy-core.rewrite-request
// and rewrite-response header keys): the whole value becomes the expanded replacement.
struct FieldRewrite {
  std::string name;
  Regex match;
  Replacement to;
};

// lighttpd 1.4's proxy.header maps for an HTTP route: the target's path prefix and the Host
// on the way in, Location, Content-Location and Set-Cookie (Path, Domain) on the way out.
// Pairs in list order; "-" as a host key or value has lighttpd's meaning.
struct ProxyMap {
  std::vector<std::pair<std::string, std::string>> urlpath, host_request, host_response;
  bool empty() const { return urlpath.empty() && host_request.empty() && host_response.empty(); }
};

// How a FastCGI app is mounted on a route (lighttpd's fastcgi.server key and options).
struct FastcgiMountSpec {
  std::string key;                 // "/app", "/", "" or ".php"; default: the route's prefix
  std::string docroot;             // default: server.document_root
  std::string check_root;          // where check_local looks for the script; default: docroot
  bool check_local = false;
  bool fix_root_scriptname = false;
  bool broken_scriptfilename = false;
  std::string strip_request_uri;
  std::vector<std::pair<std::string, std::string>> params;  // extra CGI variables
  // rewrite_request.cgi: SCRIPT_NAME / PATH_INFO / DOCUMENT_ROOT replaced by a regex, in
  // order (lighttpd 1.5's "_scriptname", "_pathinfo", "_docroot").
  struct CgiRewrite {
    std::string var;
    Regex match;
    Replacement to;
  };
  std::vector<CgiRewrite> rewrites;
};

// Staged cutover of a route from its pool (`forward`, the legacy side) to another (`to`).
struct RolloutSpec {
  std::string to;                  // the new pool
  size_t to_index = 0;
  stage::StagePoint initial;       // the stage when no state file says otherwise
  std::vector<double> steps{1, 10, 50};  // canary shares (percent) between shadow and new
  enum class Sticky { cookie, ip, header } sticky = Sticky::cookie;
  std::string sticky_header;
  std::string cookie_name;         // default "cutover_<route>"
  uint8_t cookie_key[16] = {};     // from `secret`
  bool secret_set = false;
  // What the new side receives: the rewritten path (as the legacy side), the path with the
  // FastCGI mount stripped (`X-Forwarded-Prefix`/`X-Script-Name` carry it), or the original.
  enum class PathShape { rewritten, stripped, original } path = PathShape::rewritten;
  std::string strip_prefix;        // default: the route's fastcgi key or prefix
  // Compare (A/B), in shadow stage, and in canary/new too with compare_always.
  bool compare = true;
  bool compare_always = false;
  stage::CompareSpec compare_spec;
  uint32_t compare_max_rate = 1000;  // copies per second per route (0: no limit); the rest are counted, not copied
  uint32_t compare_concurrency = 16;
  uint32_t compare_queue = 64;
  uint64_t compare_max_body = 1 << 20;
  std::vector<std::string> compare_methods{"GET", "HEAD"};
  std::string secondary;           // a pool asked a second time to learn noise; "" = off
  size_t secondary_index = 0;
  size_t samples = 50;             // sample differences kept
  // Guards: when one trips the route goes back to safety at once (shadow when compare is on,
  // else legacy; on_trip = "step": one stage back) and stays there until a person moves it.
  bool guarded = false;            // a guards table is given
  bool trip_steps = false;         // on_trip = "step"
  uint32_t max_consecutive_errors = 5;  // candidate 5xx (or no answer) in a row, at any share; 0: off
  double max_error_rate = -1;      // candidate 5xx share (0..1); <0: off
  double max_p99_ratio = -1;       // candidate p99 / primary p99
  double max_diff_rate = -1;       // share of compared answers that differ
  Duration window{60000};
  uint64_t min_requests = 20;      // fewer candidate answers in the window: no verdict
  bool auto_promote = false;       // a clean window moves it a step forward
};

// Files served from disk (lighttpd's own static serving, nginx's root/alias).
struct StaticSpec {
  std::string root;                // the directory; no trailing '/'
  std::string root_at;             // file:line:column of root/alias, for errors found later
  bool alias = false;              // file = root + (path after the route's prefix), else root + path
  std::string alias_prefix;        // the prefix removed when `alias`
  std::vector<std::string> index_files;
  bool listing = false;            // directory listing when no index file
  bool listing_json = false;       // ?format=json or Accept: application/json gives JSON
  bool follow_symlinks = false;    // else a symlink anywhere under root is refused
  bool dotfiles = false;           // names starting with '.' are served
  bool pathinfo = false;           // "/file.html/extra" serves file.html (lighttpd's default)
  std::vector<std::string> exclude_extensions;  // lower-case, with dot (".php"): never served
  std::string cache_control;       // Cache-Control value; "" none
  std::optional<Duration> expires; // Expires: now + this (and max-age when no cache_control)
  bool precompressed = false;      // serve file.br / file.gz when the client accepts them
  bool etag = true;
  bool ranges = true;              // off: Range ignored, no Accept-Ranges (lighttpd's server.range-requests)
  // Methods as lighttpd's mod_staticfile takes them: POST serves the file, OPTIONS is 200
  // with Allow, any other 501; off, as nginx: 405 with Allow: GET, HEAD.
  bool lighttpd_methods = false;
  std::shared_ptr<const statics::MimeTable> mime;  // the server's types + this route's overrides
};

// Basic auth on a path prefix, checked before any route acts (lighttpd's auth.require).

struct RouteSpec {
  std::string name;
  std::string prefix;             // matched against the decoded, normalised path
  std::optional<Regex> regex;
  std::optional<Regex> target_regex;  // against the target as sent on (path?query, encoded), like lighttpd's url.redirect
  std::vector<std::string> hosts;  // lowercase; "*.example.org" matches subdomains
  std::optional<Regex> host_regex;  // the Host (lowercased, port included) must match; its captures are %N of a redirect
  std::vector<Regex> unless_hosts;  // never for a Host (lowercased, port included) matching one
  std::vector<Regex> unless_regexes;  // never for a path matching one
  struct Exclusion {                  // never when the Host, the path and every `when` match
    std::optional<Regex> host, path;
    std::vector<FieldCondition> when;
  };
  std::vector<FieldCondition> when;   // every one must hold
  std::vector<Exclusion> unless;
  std::vector<std::string> methods;
  // Per-route request rewrite (lighttpd 1.5 proxy-core.rewrite-request "_uri"): whole-string
  // replacement of path?query when `uri_match` matches.
  std::optional<Regex> uri_match;
  Replacement uri_to;
  // rewrite_request.headers / rewrite_response.headers: fields of the request a backend
  // gets, and of the backend's answer.
  std::vector<FieldRewrite> request_field_rewrites, response_field_rewrites;
  ProxyMap map;  // HTTP pools: lighttpd's proxy.header map-urlpath / map-host-*

  enum class Action { forward, static_files, redirect, status_page } action = Action::forward;
  enum class StatusPage { status, config } status_page = StatusPage::status;  // lighttpd's mod_status pages
  std::string pool;               // forward
  // Retries (and the fresh-connection retry of a kept connection that died) may repeat a
  // request that reached a backend only when its method is idempotent (RFC 9110 9.2.2),
  // unless the route says its POSTs and PATCHes are safe to repeat.
  bool retry_non_idempotent = false;
  size_t pool_index = 0;
  FastcgiMountSpec fastcgi;       // forward to a fastcgi pool
  StaticSpec static_files;        // static
  Replacement redirect_to;        // redirect: expanded with the route regex's captures
  int redirect_code = 301;
  std::optional<RolloutSpec> rollout;
  // The server's header edits, with each of this route's keys (request add/set, response
  // add/set) replacing the server's of the same key, as lighttpd's last matching block does.
  HeaderEdits request_headers, response_headers;
  // Per-route limits (nginx's per-location client_max_body_size, proxy_*_timeout...);
  // unset: the server's or the pool's.
  struct Limits {
    std::optional<uint64_t> max_body_bytes;
    std::optional<size_t> max_header_bytes, max_header_count;  // only below the server's
    std::optional<Duration> body_timeout, send_timeout, keepalive_timeout;
    std::optional<Duration> connect_timeout, first_byte_timeout, read_timeout, write_timeout;
    UpstreamTimeouts upstream(UpstreamTimeouts t) const {
      if (connect_timeout) t.connect = *connect_timeout;
      if (first_byte_timeout) t.first_byte = *first_byte_timeout;
      if (read_timeout) t.read = *read_timeout;
      if (write_timeout) t.write = *write_timeout;
      return t;
    }
  } limits;
  std::string origin;
};

struct AuthSpec {
  std::string prefix;              // matched on the decoded path, before and after rewrites
  std::string realm = "Restricted";
  std::string htpasswd, groups;    // files (htpasswd: the user file, whatever its format); groups optional
  auth::FileFormat format = auth::FileFormat::htpasswd;  // which key named it: htpasswd, plain, htdigest
  auth::Scheme scheme = auth::Scheme::basic;
  uint8_t algorithms = uint8_t(auth::DigestAlgorithm::md5);  // digest
  std::string nonce_secret;                                  // digest; "" a random one
  bool ignore_case = false;  // the prefix compared without case (lighttpd with server.force-lowercase-filenames)
  // Admits nobody: 403 before any route (what migrate writes where lighttpd's auth cannot
  // check anyone and answers 500: no backend or user file in effect, digest over htpasswd).
  bool refuse = false;
  std::string require_text = "valid-user";
  auth::Requirement require;
  uint32_t max_failures = 10;      // failed logins per client IP within failure_window...
  Duration failure_window{60000};
  Duration block_time{60000};      // ...refuse it with 429 for this long
  std::string origin;
  std::string problem;             // a file unreadable when the config was loaded (a warning)
  // Only its match conditions: the area applies where they hold (lighttpd's auth.require
  // inside $HTTP[...] blocks).
  RouteSpec when;
};

// Header edits for the requests a rule's conditions match, whatever their route (lighttpd's
// setenv.* inside a $HTTP[...] block). Each key it gives replaces the route's and the
// server's; of several matching rules, the last one that gives a key wins (lighttpd's last
// matching block).
struct HeaderRule {
  RouteSpec when;  // only its match conditions (prefix, regex, host, methods, unless...)
  HeaderEdits request, response;
  bool request_add = false, request_set = false, response_add = false, response_set = false;
  HeaderEdits fastcgi_env;  // FastCGI params (lighttpd's setenv.*-environment in a block)
  bool env_add = false, env_set = false;
  std::optional<std::string> server_tag;  // replaces server.server_tag (lighttpd's server.tag in a block)
  // replace server.error_handler_404 / error_handler (lighttpd's server.error-handler* in a block)
  std::optional<std::string> error_handler_404, error_handler;
  // replace server.expire_urls / expire_mimetypes (lighttpd's expire.* in a block), per key
  statics::ExpireTable expires;
  bool expire_urls = false, expire_mimetypes = false;
  std::string origin;
};

// lighttpd's url.access-deny inside a $HTTP[...] block: for the requests the conditions
// match, these suffixes replace the server's deny_suffixes (the last matching rule wins).
struct DenyRule {
  RouteSpec when;  // only its match conditions
  std::vector<std::string> suffixes;  // "" denies every path
  // Denies on its own: neither replaces the other rules' suffixes nor is replaced by them
  // (what `cutover migrate` writes for a restriction it could not translate: fail closed).
  bool independent = false;
  std::string origin;
};

// lighttpd's server.max-request-size inside a $HTTP[...] block: for the requests the
// conditions match, this body limit replaces the route's or the server's (the last matching
// rule wins).
struct LimitRule {
  RouteSpec when;  // only its match conditions
  uint64_t max_body_bytes = 0;  // 0: unlimited
  std::string origin;
};

struct ServerSpec {
  std::vector<ListenSpec> listen;
  int threads = 0;                // 0: one per core
  std::string document_root;      // for *-if-not-file rewrites
  size_t max_header_bytes = 64 * 1024;
  size_t max_header_count = 100;  // header fields in a request head; more: 431
  // Request fields whose name has '_' are dropped unless this is set (nginx's
  // underscores_in_headers): WSGI, PHP and CGI read X_Remote_User as HTTP_X_REMOTE_USER,
  // the same as X-Remote-User, so such a name can pass for a field cutover filters.
  bool underscores_in_headers = false;
  // Addresses of proxies in front of cutover (a TLS terminator, a load balancer): from them
  // only, X-Forwarded-For / Forwarded / X-Real-IP give the client's address and
  // X-Forwarded-Proto / Forwarded proto= the scheme (lighttpd's mod_extforward, nginx's
  // realip). Empty: every peer is the client.
  std::vector<FieldCondition::Cidr> trusted_proxies;
  // Where a trusted proxy names the client, lower-case, in order of preference: the first
  // the request carries decides ("forwarded" is RFC 7239's for=, any other a comma list of
  // addresses, like x-forwarded-for and x-real-ip). lighttpd's extforward.headers.
  std::vector<std::string> trusted_proxy_headers = {"x-forwarded-for", "forwarded", "x-real-ip"};
  uint64_t max_body_bytes = 0;    // 0: unlimited
  Duration header_timeout{10000};
  Duration keepalive_timeout{60000};
  Duration body_timeout{60000};
  Duration send_timeout{60000};
  Duration drain_timeout{30000};  // SIGTERM: how long in-flight requests may take to finish
  std::string server_name = "cutover";
  std::optional<ListenSpec> admin;    // the admin listener, off when unset
  std::string admin_token;           // bearer token for the admin API; empty: none
  std::string control;               // the control socket's path; "" the default (config/control_path.h), "off" none
  // Host values the admin listener answers besides its own address and localhost (a DNS
  // name operators use for it); any other Host is refused (DNS rebinding).
  std::vector<std::string> admin_hosts;
  // Started as root (to bind port 80), cutover switches to this user (and its group, or
  // `group`) once its listeners are bound and its logs opened; as root without a user it
  // refuses to start unless allow_root (lighttpd's server.username / groupname).
  std::string user, group;
  bool allow_root = false;
  // The Server field of answers that have none (lighttpd's server.tag); "": none.
  std::string server_tag;
  // A redirect route answers before the deny rules are consulted (lighttpd, when mod_redirect
  // comes before mod_access in server.modules); otherwise a denied path gets 403 first.
  bool redirects_before_deny = false;
  // Answers cutover makes itself without response_headers (lighttpd: mod_redirect or
  // mod_access listed before mod_setenv answers before mod_setenv adds its fields).
  bool plain_redirects = false, plain_denials = false, plain_auth = false;
  statics::ExpireTable expires;  // expire_urls, expire_mimetypes (lighttpd's mod_expire)
  std::string access_log;            // path; empty: no access log
  AccessFormat access_log_format = AccessFormat::combined();
  std::string state_file;            // route stages kept across restarts; empty: not kept
  std::string mime_types = "/etc/mime.types";  // content types for static files
  Duration file_cache{1000};         // static files: open fds and stats kept this long; 0 off
  std::string remote_user_header;    // HTTP backends: the authenticated user; client's copy dropped
  int log_level = 1;                 // error log: 0 debug, 1 info, 2 warn, 3 error (log::Level)
  HeaderEdits request_headers, response_headers;  // for every request (routes may replace them)
  // lighttpd's setenv.add-/set-environment: params every FastCGI app gets, after a route's
  // own fastcgi.params (add appends, set replaces a param of the same name).
  HeaderEdits fastcgi_env;
  // lighttpd's server.error-handler-404 / server.error-handler: a 403 or 404 (or any error)
  // that cutover answers itself after routing is answered by this path instead, internally.
  std::string error_handler_404, error_handler;
  // lighttpd's url.access-deny: a request whose path (decoded, after the rewrites) ends in one
  // of these gets 403, whatever its route. "" denies every path.
  std::vector<std::string> deny_suffixes;
};

struct Config {
  std::string file;
  ServerSpec server;
  std::vector<RewriteRule> rewrites;
  bool rewrite_conditions = false;  // a rule has when/unless_when: requests' fields are read while rewriting
  std::vector<PoolSpec> pools;
  std::vector<RouteSpec> routes;
  std::vector<AuthSpec> auth;
  std::vector<HeaderRule> header_rules;
  std::vector<DenyRule> deny_rules;
  std::vector<LimitRule> limit_rules;

  const PoolSpec* find_pool(std::string_view name) const;
};

// Parses and validates; throws ConfigError naming file:line:column.
std::shared_ptr<const Config> load_config_file(const std::string& path);
std::shared_ptr<const Config> load_config_text(std::string_view text, const std::string& name);

// "2s", "500ms", "1m", "1h" / "10MiB", "64KiB", "1GB", "512"; false on bad input.
bool parse_duration(std::string_view s, Duration& out);
bool parse_size(std::string_view s, uint64_t& out);

// Human-readable summary of routes and pools (for `cutover check`).
std::string describe(const Config& c);
// Whether an admin listener on this address is reachable from this machine only.
bool is_loopback_address(const std::string& host);
// What a valid config still does that an operator should know (cutover check prints it).
std::vector<std::string> config_warnings(const Config& c);
// What this machine says against the config (a static root or alias that is not a
// directory, a server.user or group it does not have), as "file:line:column: …: reason";
// `check` and `serve` refuse such a config.
std::vector<std::string> config_path_errors(const Config& c);

}  // namespace cutover
