// The translator's private parts: the Translator (lighttpd's config, read once, compiled
// into cutover's tables), split by lighttpd module into the files beside this one, and the
// TOML text helpers they share. Only migrate_tool/translate.cc's translate() is public.
//   translator.cc      run(): the order of the passes; server.* and the module list
//   conditions.cc      the condition tree: $HTTP blocks, else chains, nesting → match/when
//   mod_rewrite.cc     url.rewrite-*, url.redirect      mod_alias.cc      alias.url
//   mod_fastcgi.cc     fastcgi.server                   mod_proxy.cc      proxy.server, proxy.header
//   backends.cc        what fastcgi.server and proxy.server share: pools, hosts, X-Sendfile
//   mod_setenv.cc      setenv.*                         mod_extforward.cc extforward.*
//   mod_auth.cc        auth.require, auth.backend.*     mod_status.cc     status.*
//   mod_staticfile.cc  static-file.*, dir-listing.*, index-file.names, expire.*
//   fail_closed.cc     what was not translated is denied, never served more openly
//   emit.cc            the tables in lighttpd's order, as TOML, and --explain
#pragma once
#include <strings.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "migrate_tool/lighttpd_config.h"
#include "migrate_tool/lighttpd_keys.h"
#include "migrate_tool/log_format.h"
#include "migrate_tool/translate.h"
#include "migrate_tool/translate/draft.h"

namespace cutover::migrate::tr {

inline constexpr const char* kLighttpdDefaultLogFormat = "%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"";

// A TOML string: literal ('...') when possible, so regexes keep their backslashes as written.
// A TOML string: literal ('...') when possible, so regexes keep their backslashes as written.
std::string tq(const std::string& s);
std::string tlist(const std::vector<std::string>& v);
std::string where(const Pos& p);
std::string regex_escape(const std::string& s);
std::string slug(const std::string& s);
std::vector<std::string> strings_of(const Value& v);
bool has_percent_capture(const std::string& s);
// fields as a TOML inline table's list: [["name", "value"], ...]
std::string inline_table(const std::vector<std::pair<std::string, std::string>>& fields);


class Translator {
 public:
  explicit Translator(const LighttpdConfig& c);

  Translation run(const TranslateOptions& o);

 private:
  const LighttpdConfig& c_;
  TranslateOptions opts_;
  Translation t_;
  Draft d_;  // what the passes compiled (draft.h), written by emit_toml()
  std::vector<std::string> modules_;
  std::map<std::string, std::string> spawned_;
  std::set<std::pair<const Setting*, std::string>> untranslated_entries_;  // handler entries left out (fail_closed denies them)  // "address bin-path" -> the pool whose workers run it
  // setenv.*: header edits for [server], and the environment for FastCGI routes' params.
  int cur_block_ = -1;    // the block whose directives are being translated
  int extra_depth_ = 0;   // 1 inside a nested block: its routes go before the outer ones
  std::set<std::string> pool_names_;
  std::vector<std::pair<std::string, std::string>> pending_fcgi_, pending_proxy_;  // pool name -> balancer slot
  int route_seq_ = 0;

  void add(const Pos& p, Verdict v, const std::string& d, const std::string& text);
  // Keys compiled over the whole condition tree at once (their value in every block and the
  // global one combine per request), not block by block.
  static bool compiled_key(const std::string& k);
  bool compiling_ = false;
  bool loaded(const std::string& m) const;
  void load_implied_modules(const Block& g);
  // The module that owns a directive, "" for core keys.
  static std::string module_of(const std::string& key);
  bool active(const Setting& s);

  void global(const Setting& s);

  // extforward.forwarder → server.trusted_proxies. Only "trust" entries mean anything (an
  // address not listed is not trusted; "all" trusts everyone, whatever else is listed).
  void extforward(const Setting& s);

  // setenv.{add,set}-{request,response}-header → [server] request_headers / response_headers;
  // setenv.{add,set}-environment → the params of every FastCGI route (lighttpd gives the
  // environment to CGI, FastCGI and SCGI only, never to mod_proxy backends).
  // `block`: the header edits of a conditional block's [[headers]] rule ("" for global), and
  // where they go.
  void setenv(const Setting& s, HeaderEditMap* block = nullptr, const std::string& cond = "");

  // { 'A' = 'x', 'B' = 'y' }
  // request_headers / response_headers lines for header edits ("request_headers.add" -> ...);
  // `keep_empty`: an empty list is written too (a block's empty list replaces the global one).

  // A [[headers]] rule for a block's setenv.*-header keys, matched by `match`.
  void header_rule(const HeaderEditMap& edits, const std::string& match, const std::string& origin);

  void quirk_auth_order(const Setting& s);
  // mod_setenv applies its answer fields in its own uri_clean step: a redirect or a 403 that a
  // module listed before it answers never gets them. cutover adds them to every answer.
  void quirk_setenv_order(const Setting& s);
  void quirk_dirlisting_order(const Setting& s);

  std::string balancer(const Setting& s);

  std::vector<Rule>* rule_list(const std::string& k);

  void rules(const Setting& s, std::vector<Rule>& into, const std::string& host = "",
             const std::vector<std::string>& unless = {}, bool in_block = false);

  std::string code_for(const Block& b);

  void redirects(const Setting& s, const Block* in, const std::string& extra_match = "");

  std::string host_match(const Block* b);

  // alias.url: static routes with alias, in list order. In a block (`b`, its `match`): the
  // block's routes go ahead of the outer ones, which step aside where it matches (the caller
  // registers that), with the block's static options.
  void aliases(const Setting& s, const Block* b = nullptr, const std::string& match = "");

  // One host entry of fastcgi.server / proxy.server: an address, or a worker spec.
  struct Host {
    std::string address;
    const Value* opts = nullptr;
  };

  // The per-host options of one fastcgi.server / proxy.server entry that become pool keys
  // (lighttpd sets them per host; a cutover pool has one value): the timeouts, reported one
  // by one; every option cutover does not know is reported, never dropped.
  std::string pool_options(const Value& list, const Setting& s, const std::string& what, bool fcgi);

  std::vector<Host> hosts_of(const Value& list, const Setting& s, bool fcgi, std::string& workers, const std::string& pool);

  // A number lighttpd reads from a string too ("port" => env.PORT, whose value is text).
  static int64_t number_of(const Value& v);

  // x-sendfile / allow-x-send-file with x-sendfile-docroot: the pool's x_sendfile. Without a
  // docroot lighttpd sends any file the app names; cutover needs directories, so it gets
  // the document root.
  std::string x_sendfile(const Value& o, const Setting& s);

  // Once per config: lighttpd answers a Range out of a backend's complete answer.
  void note_backend_ranges(const Setting& s);
  bool backend_ranges_noted_ = false;

  void fastcgi(const Setting& s, const std::string& host_cond);

  // An option of a fastcgi.server entry: its hosts are arrays of options (or one array).
  static const Value* entry_option(const Value& entry, const std::string& name);

  // A suffix key (".php") inside a url block: one regex for both, the block's path regex as
  // a lookahead; `cond` loses its "regex = ..." part, which the combined regex replaces.
  std::string suffix_match(const std::string& suffix_re, std::string& cond) const;
  // "regex = ^" + `own` (a pattern that matches from the path's start), inside the url block's
  // path regex when there is one (taken out of `cond`, as suffix_match does).
  std::string anchored_match(const std::string& own, std::string& cond) const;
  std::string block_path_re_;  // set while a url block's fastcgi.server/proxy.server is translated

  void proxy(const Setting& s, const std::string& host_cond);

  // proxy.header, for every proxy route: the route's `map` (lighttpd's own mapping of the
  // target, the Host, and Location / Content-Location / Set-Cookie in answers).
  std::string proxy_map_;  // "urlpath = [...], host_request = [...]"
  std::string proxy_rewrite() const;
  // A 1.5 rewrite-request/-response replacement knows only $0-$9; any other '$' and every
  // '%' is literal there, and must be escaped for cutover's lighttpd 1.4 replacement language.
  static std::string repl_15(const std::string& s);

  void proxy_header(const Setting& s);

  // lighttpd 1.5 mod_proxy_core (§6): one pool and one route for a block with backends.
  void proxy_core(const Block& b, const std::string& match, const std::string& what);

  // `==` tolerates a port; with %N inside, lighttpd turns it into an unescaped anchored
  // regex (the §2 trap), which is what is copied then, with a caveat.
  bool uses_percent(const Block& b) const;
  std::string host_regex(const Block& b) const;
  // A top-level $HTTP["host"] == / =~ block, or a link of an else chain made of them (the
  // last link may be a bare else); `earlier` receives the blocks before it in the chain.
  bool host_chain(const Block& b, std::vector<const Block*>& earlier) const;


  // The path regex of a url condition (lighttpd's $HTTP["url"]: the decoded path, re-evaluated
  // after rewrites).
  static std::string url_regex(const Condition& c);

  // A url block (or an else link of url blocks, or a bare else after one) inside a top-level
  // `$HTTP["host"] ==` block: routes with that Host and the path regex, ahead of the outer
  // ones, which step aside for exactly those requests (match.unless).
  // Where a block is said to be: its condition, else its first setting, else (an empty bare
  // else) the block it is an else of, or its parent.
  Pos block_pos(const Block& b) const;

  bool nested(const Block& b);

  // A condition on a field other than the path and Host (lighttpd-semantics.md §1.5) as a
  // match.when entry: a regex over the field (a missing header reads as ""), or CIDR blocks
  // for remoteip == / !=. "": not a field cutover can match on.
  static std::string when_of(const Condition& c, bool flip = false);

  // The condition chain of a block at any depth — each ancestor's condition, and the
  // negation of every earlier link of each one's else chain — as a route's match: the Host
  // (`host` for one ==, else Host field conditions), the path (lookaheads, negative for a
  // failed link), the other request fields (`when`). nullopt when a link cannot be said.
  // A block's condition chain as literals: each block of it holds, and every earlier link of
  // each one's else chain fails.
  using Literal = std::pair<const Condition*, bool>;  // (condition, must be false)
  std::vector<Literal> chain_literals(size_t bi) const;
  // A scheme literal on cutover's plain-HTTP listeners: always http, unless trusted proxies
  // may say https (then, and for any other literal, nullopt: not decided here).
  std::optional<bool> scheme_holds(const Condition& c, bool flip) const;
  // A url literal as a lookahead on the path (negative for a failed link).
  static std::string path_lookahead(const Condition& c, bool flip);
  // A host literal as a Host field condition, any case, an optional port after the name.
  static std::string host_literal(const Condition& c, bool flip);

  struct ChainMatch {
    std::string match;      // "host = …, regex = …, when = [...]"
    Exclusion excl;         // the same, as an exclusion for earlier blocks of the same key
    bool has_path = false, has_host = false;
    bool never = false;     // the chain cannot hold on cutover's listeners
    std::string path_re;    // the path part of `match` ("" none): the regex handlers combine with their keys
  };
  std::optional<ChainMatch> chain_match(size_t bi) const;
  // The same for any list of literals (several blocks' chains at once: they must all hold).
  std::optional<ChainMatch> chain_match_of(const std::vector<Literal>& literals, size_t bi) const;
  int depth_of(size_t bi) const;

  // Any block the shapes above do not cover, at any depth, through chain_match(). False
  // when its chain cannot be said (the caller reports it; fail_closed() guards it).
  bool general_block(const Block& b);

  // ---- keys compiled over the whole tree ----
  // Every block (0: the global one) that sets `key`, in lighttpd's context order.
  struct Ctx {
    size_t block;
    const Setting* s;
  };
  std::vector<Ctx> contexts(const std::string& key);
  // Where one value of a key is in effect: its block's chain holds and no later block of the
  // same key holds (lighttpd's last matching block wins). `none`: no block of it holds.
  struct Choice {
    const Ctx* ctx = nullptr;  // nullptr: the key is unset for these requests
    std::vector<size_t> later;  // blocks whose chain must not hold
  };
  static std::vector<Choice> choices(const std::vector<Ctx>& ctxs);
  // The match of requests for which every choice holds; nullopt when a chain cannot be said,
  // "never" when they cannot all hold on cutover's listeners.
  std::optional<std::string> choices_match(const std::vector<const Choice*>& cs, const std::string& extra = "") const;
  // The one Host positive == literals name (lowercased) in `host`; false when they name two,
  // or a != / failed == names that Host.
  static bool one_host(const std::vector<Literal>& lits, std::optional<std::string>& host);
  std::string where_ctx(const Choice& c, const Pos& near) const;

  // mod_auth: auth.require, auth.backend and the backend's user file are three keys, each
  // with the value of its last matching block. Each combination of their blocks is an
  // [[auth]] area per auth.require entry, whose match is all three chains, less the later
  // blocks of each key. A combination lighttpd answers 500 for (no backend, a backend that
  // cannot check the method) or that cutover cannot check is denied (403).
  void compile_auth();
  // One [[auth]] area; "" written, else why lighttpd (or cutover) cannot check it here.
  std::string auth_area(const std::string& key, const Value& o, const std::string& backend, const Setting* file,
                        const std::string& match, const std::string& origin, size_t req_block);
  // lighttpd's "a|b|c" lists (auth.require's require and algorithm).
  static std::vector<std::string> split_bars(const std::string& v);
  bool force_lowercase_in(size_t bi) const;

  // mod_status: status.status-url / config-url / statistics-url, each the value of its last
  // matching block: a route that answers that exact path with cutover's page, ahead of the
  // others (lighttpd answers them before any handler).
  void compile_status_pages();

  // Fail closed: a restriction (or a handler that runs what the path names) that was not
  // translated must not leave its paths served more openly than lighttpd would. For each,
  // an independent [[deny]] rule refuses (403) what it governed, in the scope of its block's
  // conditions; a condition that cannot be said is left out, which widens the denial.
  void fail_closed();
  // server.force-lowercase-filenames: lighttpd matches a lower-cased path, so /IMAGE.JPG meets
  // the block's ".jpg" denial and "/image.jpg" auth. cutover does not lower-case; those
  // restrictions also deny every other spelling (case-insensitive, 403).
  void lowercase_closed();

  // Whether the report says `directive` (the setting's key, or one entry: `key "entry"`)
  // of this setting was not translated.
  bool untranslated_at(const Setting& st, const std::string& directive) const;
  // The match of a block's condition chain that cutover can say (host, path, request
  // fields); what it cannot (else links, scheme, socket) is left out: wider, never narrower.
  // nullopt: the chain can never hold (a scheme of https on plain-HTTP listeners).
  std::optional<std::string> deny_scope(size_t bi, const std::string& also_path = "") const;

  // Server keys a block may set for the requests it matches (lighttpd's last matching block
  // wins per key): server.tag and the error handlers, as a [[headers]] rule. False: not one.
  bool server_key_rule(const Setting& st, const std::string& match, const std::string& cond);

  // expire.url / expire.mimetypes as [["prefix", "spec"], ...] (reported here); "" when not a
  // list of pairs.
  std::string expire_list(const Setting& s, const std::string& where_to = "");

  // lighttpd's url.access-deny inside a block: a [[deny]] rule for what the block matches.
  void deny_rule(const Setting& s, const std::string& match, const std::string& cond);

  // server.max-request-size inside a block: a [[limits]] rule for what the block matches.
  void limit_rule(const Setting& s, const std::string& match, const std::string& cond);

  // A top-level block on another request field: its routes carry match.when; the global
  // routes of the same directive step aside for the requests it matches (match.unless).
  bool field_block(const Block& b);

  void conditional(const Block& b);

  // The static options in effect in block `b` (its own keys over the global ones).
  std::string static_options(const Block* b);
  // mimetype.assign as static.mime_assign's ordered [suffix, type] pairs ("": not a table).
  static std::string mime_table(const Value& v);
  static bool static_key(const std::string& k);
  // Only this block (besides the global one) sets static options: its static route holds its
  // options over the global ones exactly (two such blocks would merge per key in lighttpd).
  bool sole_static_block(size_t bi) const;
  void block_static(const Block& b, const std::string& match, const std::string& cond);
  // A host block's own static files: a static route for its Host with its document root and
  // options (lighttpd's vhost by conditional), ahead of the global docroot route.
  void host_static(const Block& b, const std::string& hc, const std::string& cond);

  void finish_static(const Block& g);

};

}  // namespace cutover::migrate::tr
