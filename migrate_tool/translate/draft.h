// What the translator has compiled so far, before any TOML is written: the server's keys,
// the rewrite rules with their scopes, the pools, the routes with what replaces them where,
// and the rule tables. The passes (translator.cc and the mod_*.cc beside it) fill it in;
// emit_toml() (emit.cc) writes it in lighttpd's order. Rules, routes, header edits and the
// scopes that exclude them are records; pool, deny, limit, auth and [[headers]] tables are
// kept as their TOML text with its "# from file:line" comment.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cutover::migrate::tr {

// name -> fields, as "request_headers.add" -> [(field, value)]
using HeaderEditMap = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

// One [[rewrite]] rule (url.rewrite-*), and where it applies.
struct Rule {
  std::string match, to, origin;
  std::string key;   // the directive (lighttpd replaces each key's list per block)
  std::string host;  // a host block's condition as a regex; "" for the global scope
  std::vector<std::string> unless;  // earlier blocks of an else chain
  std::string when;  // a block on another request field: "[{ ... }]"
};

// A nested block that replaces a route-making directive for its requests.
struct Exclusion {
  std::string host, path;
  int block;
  std::string when;  // "[{ ... }]" for a field condition block
};

struct Route {
  Route(std::string text, std::string origin, int order, std::string key = "", std::string directive = "", int block = -1)
      : text(std::move(text)), origin(std::move(origin)), order(order), key(std::move(key)), directive(std::move(directive)), block(block) {}
  std::string text;   // the [[routes]] table
  std::string origin; // file:line
  int order;          // sort key: lighttpd's stage order (a host block's routes just before)
  std::string key;    // the directive a global route came from ("" for a host block's)
  std::string directive;  // the directive any route came from
  int block;              // the conditional block it came from (-1: global)
};

struct Draft {
  // [server]
  std::string listen_host = "0.0.0.0";
  int64_t listen_port = 80;
  std::vector<std::string> extra_listen;
  std::string server_lines;        // its other keys, each with its origin
  bool has_user = false;           // server.username given (else allow_root: lighttpd keeps the user it runs as)
  bool redirects_before_deny = false;  // mod_redirect is listed before mod_access
  HeaderEditMap header_edits;      // setenv.* at the global scope: [server] request_headers / response_headers
  // [[rewrite]], in lighttpd's order: once, repeat, then the if-not-file pair
  std::vector<Rule> once, repeat, inf_once, inf_repeat;
  std::map<std::string, std::vector<std::string>> overridden;       // key -> host regexes of blocks that set it
  std::map<std::string, std::vector<std::string>> overridden_when;  // key -> when lists of field blocks that set it
  // A bare else that sets a rewrite key leaves the global list only to the hosts of the
  // earlier blocks of its chain that do not set it.
  std::map<std::string, std::vector<std::string>> global_only_hosts;
  // [pools.*]: @FCGI_BALANCE@ / @PROXY_BALANCE@ stand for the balancer decided at the end
  std::string pools;
  std::string balance_fcgi = "least-conn", balance_proxy = "least-conn";
  // [[routes]], sorted by order when written; what replaces a global one where
  std::vector<Route> routes;
  std::map<std::string, std::vector<std::string>> route_overrides;  // key -> host regexes of blocks that set it
  std::map<std::string, std::vector<Exclusion>> route_excl;        // directive -> nested blocks that replace it
  std::string proxy_rewrite;  // what a PROXY_REWRITE mark in a route's text stands for
  // the rule tables
  std::string header_rules;  // [[headers]] from setenv.* in conditional blocks
  std::string deny_rules;    // [[deny]]
  std::string closed_rules;  // independent [[deny]] for what was not translated
  std::string limit_rules;   // [[limits]]
  std::string auth;          // [[auth]]
};

// The config text, in lighttpd's order ([server], [[rewrite]], pools, routes, rules).
std::string emit_toml(Draft& d, const std::string& source_name);
// --explain: every table (a route with its name) and every server key with the lighttpd
// line it came from, read back from the text.
std::vector<std::string> explain_lines(const std::string& toml);
// The [server] header_edits tables (and a [[headers]] rule's), as TOML lines.
std::string header_tables(const HeaderEditMap& edits, bool keep_empty, const std::string& comment);

}  // namespace cutover::migrate::tr
