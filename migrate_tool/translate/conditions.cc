#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

// `==` tolerates a port; with %N inside, lighttpd turns it into an unescaped anchored
// regex (the §2 trap), which is what is copied then, with a caveat.
bool Translator::uses_percent(const Block& b) const {
  for (auto& s : b.settings)
    if (s.key.rfind("url.rewrite", 0) == 0 || s.key == "url.redirect")
      for (auto& it : s.value.items)
        if (has_percent_capture(it.second.str)) return true;
  return false;
}

std::string Translator::host_regex(const Block& b) const {
  if (b.cond->op == "=~") return b.cond->value;
  if (uses_percent(b)) return "^" + b.cond->value + "$";
  return "^" + regex_escape(b.cond->value) + "(:[0-9]+)?$";
}

// A top-level $HTTP["host"] == / =~ block, or a link of an else chain made of them (the
// last link may be a bare else); `earlier` receives the blocks before it in the chain.
bool Translator::host_chain(const Block& b, std::vector<const Block*>& earlier) const {
  auto is_host = [](const Block& x) {
    return x.parent <= 0 && x.cond && x.cond->object == "HTTP" && x.cond->field == "host" &&
           (x.cond->op == "==" || x.cond->op == "=~");
  };
  if (b.parent > 0) return false;
  if (!(is_host(b) || (b.is_else && !b.cond))) return false;
  for (int e = b.else_of; e >= 0; e = c_.blocks[size_t(e)].else_of) {
    if (!is_host(c_.blocks[size_t(e)])) return false;
    earlier.insert(earlier.begin(), &c_.blocks[size_t(e)]);
  }
  return !(b.is_else && !b.cond && earlier.empty());
}

// The path regex of a url condition (lighttpd's $HTTP["url"]: the decoded path, re-evaluated
// after rewrites).
std::string Translator::url_regex(const Condition& c) {
  const std::string& v = c.value;
  if (c.op == "=~") return v;
  if (c.op == "!~") return "^(?![\\s\\S]*?(?:" + v + "))";
  if (c.op == "=^") return "^" + regex_escape(v);
  if (c.op == "=$") return regex_escape(v) + "$";
  if (c.op == "==") return "^" + regex_escape(v) + "$";
  return "^(?!" + regex_escape(v) + "$)";
}

// A url block (or an else link of url blocks, or a bare else after one) inside a top-level
// `$HTTP["host"] ==` block: routes with that Host and the path regex, ahead of the outer
// ones, which step aside for exactly those requests (match.unless).
// Where a block is said to be: its condition, else its first setting, else (an empty bare
// else) the block it is an else of, or its parent.
Pos Translator::block_pos(const Block& b) const {
  if (b.cond) return b.cond->pos;
  if (!b.settings.empty()) return b.settings[0].pos;
  if (b.else_of >= 0) return block_pos(c_.blocks[size_t(b.else_of)]);
  if (b.parent > 0) return block_pos(c_.blocks[size_t(b.parent)]);
  return Pos{};
}

bool Translator::nested(const Block& b) {
  if (b.parent <= 0) return false;
  const Block& p = c_.blocks[size_t(b.parent)];
  std::string cond = b.cond ? b.cond->text() : "else";
  Pos at = block_pos(b);
  bool host_parent = p.parent <= 0 && p.cond && p.cond->object == "HTTP" && p.cond->field == "host" && p.cond->op == "==" &&
                     p.else_of < 0 && !p.is_else;
  std::string parent_when = p.parent <= 0 && p.cond && p.else_of < 0 && !p.is_else ? when_of(*p.cond) : "";
  // The chain of url conditions this link sits in.
  std::vector<const Block*> chain;
  bool urls = true;
  for (int e = b.else_of; e >= 0; e = c_.blocks[size_t(e)].else_of) {
    const Block& x = c_.blocks[size_t(e)];
    urls = urls && x.cond && x.cond->object == "HTTP" && x.cond->field == "url";
    chain.insert(chain.begin(), &x);
  }
  bool own_ok = b.cond ? (b.cond->object == "HTTP" && b.cond->field == "url") : (b.is_else && !chain.empty());
  if ((!host_parent && parent_when.empty()) || !urls || !own_ok) {
    if (general_block(b)) return true;
    add(at, Verdict::untranslated, cond,
        "nested block not translated (only url blocks, with their else links, inside a top-level $HTTP[\"host\"] == block or a block on "
        "another request field are)");
    for (auto& s : b.settings) add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
    return true;
  }
  std::string re = "^";
  for (const Block* x : chain) re += "(?![\\s\\S]*?(?:" + url_regex(*x->cond) + "))";
  if (b.cond) re += "(?=[\\s\\S]*?(?:" + url_regex(*b.cond) + "))";
  std::string host_re = host_parent ? "^" + regex_escape(p.cond->value) + "(:[0-9]+)?$" : "";
  std::string when = host_parent ? "" : "[" + parent_when + "]";
  add(at, Verdict::exact, cond, "inside " + p.cond->text() + (host_parent ? ": routes for that Host" : ": routes and rules with match.when " + parent_when) +
                                    " whose path matches " + re + ", ahead of the outer routes, which step aside for exactly those requests");
  std::string hc = (host_parent ? "host = " + tq(p.cond->value) : "when = " + when) + ", regex = " + tq(re);
  extra_depth_ = 1;
  HeaderEditMap block_edits;
  for (auto& s : b.settings) {
    block_path_re_ = re;
    if (s.key.rfind("setenv.", 0) == 0 && s.key.find("header") != std::string::npos && loaded("mod_setenv")) {
      setenv(s, &block_edits, cond);
    } else if (s.key == "fastcgi.server" && loaded("mod_fastcgi")) {
      d_.route_excl[s.key].push_back({host_re, re, cur_block_, when});
      fastcgi(s, hc);
    } else if (s.key == "proxy.server" && loaded("mod_proxy")) {
      d_.route_excl[s.key].push_back({host_re, re, cur_block_, when});
      proxy(s, hc);
    } else if (server_key_rule(s, hc, p.cond->text() + " and " + cond)) {
    } else if (s.key == "alias.url" && loaded("mod_alias")) {
      d_.route_excl[s.key].push_back({host_re, re, cur_block_, when});
      aliases(s, &b, hc);
    } else if (s.key == "url.access-deny" && loaded("mod_access")) {
      deny_rule(s, hc, p.cond->text() + " and " + cond);
    } else if (s.key == "server.max-request-size") {
      limit_rule(s, hc, p.cond->text() + " and " + cond);
    } else {
      add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
    }
  }
  header_rule(block_edits, hc, where(at) + " " + p.cond->text() + " and " + cond);
  extra_depth_ = 0;
  block_path_re_.clear();
  return true;
}

// A condition on a field other than the path and Host (lighttpd-semantics.md §1.5) as a
// match.when entry: a regex over the field (a missing header reads as ""), or CIDR blocks
// for remoteip == / !=. "": not a field cutover can match on.
std::string Translator::when_of(const Condition& c, bool flip) {
  std::string source;
  static const std::map<std::string, std::string> headers = {{"useragent", "User-Agent"}, {"user-agent", "User-Agent"},
                                                             {"referer", "Referer"},      {"cookie", "Cookie"},
                                                             {"language", "Accept-Language"}};
  bool negate = (c.op == "!=" || c.op == "!~") != flip;  // flip: the condition is false
  std::string neg = negate ? ", negate = true" : "";
  if (c.object == "REQUEST_HEADER") source = "header = " + tq(c.field) + ", regex";
  else if (c.object != "HTTP") return "";
  else if (auto h = headers.find(c.field); h != headers.end()) source = "header = " + tq(h->second) + ", regex";
  else if (c.field == "querystring" || c.field == "query-string") source = "query";
  else if (c.field == "request-method") source = "method";
  else if (c.field == "remoteip" || c.field == "remote-ip") {
    if (c.op == "==" || c.op == "!=") return "{ client_ip = [" + tq(c.value) + "]" + neg + " }";
    source = "client_ip_regex";
  } else {
    return "";
  }
  std::string re = c.op == "=~" || c.op == "!~" ? c.value
                   : c.op == "=^"               ? "^" + regex_escape(c.value)
                   : c.op == "=$"               ? regex_escape(c.value) + "$"
                                                : "^" + regex_escape(c.value) + "$";
  return "{ " + source + " = " + tq(re) + neg + " }";
}

std::vector<Translator::Literal> Translator::chain_literals(size_t bi) const {
  std::vector<Literal> literals;
  for (int b = int(bi); b > 0; b = c_.blocks[size_t(b)].parent) {
    const Block& x = c_.blocks[size_t(b)];
    if (x.cond) literals.push_back({&*x.cond, false});
    for (int e = x.else_of; e >= 0; e = c_.blocks[size_t(e)].else_of)
      if (c_.blocks[size_t(e)].cond) literals.push_back({&*c_.blocks[size_t(e)].cond, true});
  }
  return literals;
}

// A scheme literal on cutover's plain-HTTP listeners: always http, unless trusted proxies
// may say https (then, and for any other literal, nullopt: not decided here).
std::optional<bool> Translator::scheme_holds(const Condition& c, bool flip) const {
  if (c.object != "HTTP" || c.field != "scheme" || (c.op != "==" && c.op != "!=")) return std::nullopt;
  if (c_.blocks[0].find("extforward.forwarder") && loaded("mod_extforward")) return std::nullopt;
  return ((c.value == "http") == (c.op == "==")) != flip;
}

// A url literal as a lookahead on the path (negative for a failed link).
std::string Translator::path_lookahead(const Condition& c, bool flip) {
  return std::string(flip ? "(?![\\s\\S]*?(?:" : "(?=[\\s\\S]*?(?:") + url_regex(c) + "))";
}

// A host literal as a Host field condition, any case, an optional port after the name.
std::string Translator::host_literal(const Condition& c, bool flip) {
  bool neg = (c.op == "!=" || c.op == "!~") != flip;
  std::string re = c.op == "=~" || c.op == "!~" ? c.value
                   : c.op == "=^"               ? "^" + regex_escape(c.value)
                   : c.op == "=$"               ? regex_escape(c.value) + "(:[0-9]+)?$"
                                                : "^" + regex_escape(c.value) + "(:[0-9]+)?$";
  return "{ header = \"Host\", regex = " + tq("(?i)" + re) + (neg ? ", negate = true" : "") + " }";
}

std::optional<Translator::ChainMatch> Translator::chain_match(size_t bi) const { return chain_match_of(chain_literals(bi), bi); }

// The same for any list of literals (several blocks' chains at once: they must all hold).
std::optional<Translator::ChainMatch> Translator::chain_match_of(const std::vector<Literal>& literals, size_t bi) const {
  std::string path_re, when, host_eq;
  bool one_host = true;
  for (auto [cp, flip] : literals)
    if (cp->object == "HTTP" && cp->field == "host" && cp->op == "==" && !flip) {
      if (!host_eq.empty() && host_eq != cp->value) one_host = false;
      host_eq = cp->value;
    }
  if (!one_host) host_eq.clear();
  ChainMatch m;
  auto join = [](std::string& into, const std::string& part) { into += (into.empty() ? "" : ", ") + part; };
  for (auto [cp, flip] : literals) {
    const Condition& c = *cp;
    if (std::optional<bool> holds = scheme_holds(c, flip)) {
      m.never = m.never || !*holds;
    } else if (c.object == "HTTP" && c.field == "url") {
      path_re = path_lookahead(c, flip) + path_re;
      m.has_path = true;
    } else if (c.object == "HTTP" && c.field == "host") {
      m.has_host = true;
      if (!host_eq.empty() && c.op == "==" && !flip && c.value == host_eq) continue;  // said by `host`
      if (c.op == "=~" || c.op == "!~")  // on the Host as lighttpd sees it: lowercased, port included
        join(when, "{ host_regex = " + tq(c.value) + ((c.op == "!~") != flip ? ", negate = true" : "") + " }");
      else
        join(when, host_literal(c, flip));
    } else if (std::string w = when_of(c, flip); !w.empty()) {
      join(when, w);
    } else {
      return std::nullopt;
    }
  }
  if (!host_eq.empty()) join(m.match, "host = " + tq(host_eq));
  if (!path_re.empty()) join(m.match, "regex = " + tq("^" + path_re));
  if (!path_re.empty()) m.path_re = "^" + path_re;
  if (!when.empty()) join(m.match, "when = [" + when + "]");
  m.excl = {host_eq.empty() ? "" : "^" + regex_escape(host_eq) + "(:[0-9]+)?$", path_re.empty() ? "" : "^" + path_re, int(bi),
            when.empty() ? "" : "[" + when + "]"};
  return m;
}

int Translator::depth_of(size_t bi) const {
  int d = 0;
  for (int b = c_.blocks[bi].parent; b > 0; b = c_.blocks[size_t(b)].parent) ++d;
  return d;
}

// Any block the shapes above do not cover, at any depth, through chain_match(). False
// when its chain cannot be said (the caller reports it; fail_closed() guards it).
bool Translator::general_block(const Block& b) {
  size_t bi = size_t(&b - c_.blocks.data());
  std::optional<ChainMatch> cm = chain_match(bi);
  if (!cm) return false;
  std::string cond = b.cond ? b.cond->text() : "else";
  if (b.else_of >= 0 && b.cond) cond = "else " + cond;
  Pos at = block_pos(b);
  if (cm->never) {
    add(at, Verdict::exact, cond, "never holds on cutover's plain-HTTP listeners (every request has the scheme http): nothing to translate");
    for (auto& st : b.settings) add(st.pos, Verdict::exact, st.key, "inside " + cond + ": never in effect, as in lighttpd on plain HTTP");
    return true;
  }
  if (cm->match.empty()) return false;
  add(at, Verdict::exact, cond, "its whole condition chain (" + std::to_string(depth_of(bi) + 1) +
                                    " level(s), else links included) is the match of its routes and rules: " + cm->match +
                                    "; earlier blocks of the same directive step aside where it matches, as lighttpd's last matching block wins");
  cur_block_ = int(bi);
  extra_depth_ = depth_of(bi) + 1;
  HeaderEditMap block_edits;
  bool static_route_done = false;
  for (auto& st : b.settings) {
    if (st.key.rfind("var.", 0) == 0 || st.key.rfind("env.", 0) == 0 || st.key.find('.') == std::string::npos) {
      add(st.pos, Verdict::exact, st.key, "variable: its value is used where the config refers to it");
    } else if (!active(st)) {
      continue;
    } else if (st.key == "url.redirect") {
      bool pct = false;
      for (auto& it : st.value.items) pct = pct || (it.first && has_percent_capture(it.second.str));
      if (pct) {
        add(st.pos, Verdict::untranslated, st.key, "inside " + cond + ": a replacement uses %N, the captures of a condition, which this chain does not keep");
        continue;
      }
      std::string code = code_for(b);
      for (auto& it : st.value.items) {
        if (!it.first) continue;
        std::string r = "[[routes]]  # " + where(st.pos) + " url.redirect\nname = \"redirect_" + std::to_string(++route_seq_) +
                        "\"\nmatch = { target = " + tq(*it.first) + ", " + cm->match + " }\nredirect = { to = " + tq(it.second.str) +
                        ", code = " + code + " }\n";
        d_.routes.push_back({r, where(st.pos), -1 - extra_depth_, "", st.key, int(bi)});
      }
      d_.route_excl[st.key].push_back(cm->excl);
      add(st.pos, Verdict::exact, st.key, "redirect routes with the block's match, ahead of the outer ones, which step aside for those requests");
    } else if (server_key_rule(st, cm->match, cond)) {
    } else if (st.key == "alias.url") {
      d_.route_excl[st.key].push_back(cm->excl);
      aliases(st, &b, cm->match);
    } else if (st.key == "url.access-deny") {
      deny_rule(st, cm->match, cond);
    } else if (st.key == "server.max-request-size") {
      limit_rule(st, cm->match, cond);
    } else if (st.key.rfind("setenv.", 0) == 0 && st.key.find("header") != std::string::npos) {
      setenv(st, &block_edits, cond);
    } else if (static_key(st.key) && st.key != "server.document-root" && sole_static_block(bi)) {
      if (!static_route_done) block_static(b, cm->match, cond);
      static_route_done = true;
      add(st.pos, Verdict::exact, st.key, "the block's static route (its match, with this block's options over the global ones)");
    } else if (st.key == "fastcgi.server" || st.key == "proxy.server") {
      d_.route_excl[st.key].push_back(cm->excl);
      block_path_re_ = cm->path_re;  // a suffix key's regex goes inside the chain's path regex
      if (st.key == "fastcgi.server") fastcgi(st, cm->match);
      else proxy(st, cm->match);
      block_path_re_.clear();
    } else {
      add(st.pos, Verdict::untranslated, st.key, "inside " + cond + ": not translated");
    }
  }
  header_rule(block_edits, cm->match, where(at) + " " + cond);
  extra_depth_ = 0;
  return true;
}

std::vector<Translator::Ctx> Translator::contexts(const std::string& key) {
  std::vector<Ctx> out;
  for (size_t bi = 0; bi < c_.blocks.size(); ++bi)
    if (const Setting* st = c_.blocks[bi].find(key))
      if (active(*st)) out.push_back({bi, st});
  return out;
}

std::vector<Translator::Choice> Translator::choices(const std::vector<Ctx>& ctxs) {
  std::vector<Choice> out;
  bool global = !ctxs.empty() && ctxs.front().block == 0;
  if (!global) {
    Choice none;
    for (const Ctx& c : ctxs) none.later.push_back(c.block);
    out.push_back(none);
  }
  for (size_t i = 0; i < ctxs.size(); ++i) {
    Choice ch{&ctxs[i], {}};
    for (size_t j = i + 1; j < ctxs.size(); ++j) ch.later.push_back(ctxs[j].block);
    out.push_back(ch);
  }
  return out;
}

// The match of requests for which every choice holds; nullopt when a chain cannot be said,
// "never" when they cannot all hold on cutover's listeners.
std::optional<std::string> Translator::choices_match(const std::vector<const Choice*>& cs, const std::string& extra) const {
  std::vector<Literal> lits;
  std::vector<size_t> later;
  for (const Choice* c : cs) {
    if (c->ctx)
      for (const Literal& l : chain_literals(c->ctx->block))
        if (std::find(lits.begin(), lits.end(), l) == lits.end()) lits.push_back(l);  // a block around several is said once
    later.insert(later.end(), c->later.begin(), c->later.end());
  }
  // Chains that cannot hold together are left out (two Hosts, a Host and its negation).
  std::optional<std::string> host;
  if (!one_host(lits, host)) return std::string("never");
  std::optional<ChainMatch> m = chain_match_of(lits, 0);
  if (!m) return std::nullopt;
  if (m->never) return std::string("never");
  std::string unless;
  for (size_t bi : later) {
    std::vector<Literal> xl = chain_literals(bi);
    std::optional<std::string> xhost;
    if (host && (!one_host(xl, xhost) || (xhost && *xhost != *host))) continue;  // cannot hold with ours: takes nothing away
    bool implied = std::all_of(xl.begin(), xl.end(), [&](const Literal& l) { return std::find(lits.begin(), lits.end(), l) != lits.end(); });
    if (implied) return std::string("never");  // it holds wherever ours do (the same block, or one around it)
    std::optional<ChainMatch> x = chain_match(bi);
    if (!x) return std::nullopt;
    if (x->never) continue;  // a block that never holds takes nothing away
    std::string one;
    for (auto [k, v] : {std::pair{"host", x->excl.host.empty() ? "" : tq(x->excl.host)},
                        std::pair{"regex", x->excl.path.empty() ? "" : tq(x->excl.path)}, std::pair{"when", x->excl.when}})
      if (!v.empty()) one += (one.empty() ? "" : ", ") + std::string(k) + " = " + v;
    if (one.empty()) return std::string("never");  // a later block that always holds (its value wins everywhere)
    unless += std::string(unless.empty() ? "" : ", ") + "{ " + one + " }";
  }
  std::string out = extra;
  if (!m->match.empty()) out += (out.empty() ? "" : ", ") + m->match;
  if (!unless.empty()) out += (out.empty() ? "" : ", ") + std::string("unless = [") + unless + "]";
  return out;
}

// The one Host positive == literals name (lowercased) in `host`; false when they name two,
// or a != / failed == names that Host.
bool Translator::one_host(const std::vector<Literal>& lits, std::optional<std::string>& host) {
  auto lower = [](std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), ::tolower);
    return v;
  };
  for (auto [cp, flip] : lits)
    if (cp->object == "HTTP" && cp->field == "host" && ((cp->op == "==" && !flip) || (cp->op == "!=" && flip))) {
      if (host && *host != lower(cp->value)) return false;
      host = lower(cp->value);
    }
  if (host)
    for (auto [cp, flip] : lits)
      if (cp->object == "HTTP" && cp->field == "host" && ((cp->op == "==" && flip) || (cp->op == "!=" && !flip)) &&
          lower(cp->value) == *host)
        return false;
  return true;
}

std::string Translator::where_ctx(const Choice& c, const Pos& near) const {
  if (!c.ctx) return "none";
  const Pos& p = c.ctx->s->pos;
  return p.file == near.file ? "line " + std::to_string(p.line) : where(p);
}

// Server keys a block may set for the requests it matches (lighttpd's last matching block
// wins per key): server.tag and the error handlers, as a [[headers]] rule. False: not one.
bool Translator::server_key_rule(const Setting& st, const std::string& match, const std::string& cond) {
  const char* key = st.key == "server.tag"                 ? "server_tag"
                    : st.key == "server.error-handler-404" ? "error_handler_404"
                    : st.key == "server.error-handler"     ? "error_handler"
                    : st.key == "expire.url"               ? "expire_urls"
                    : st.key == "expire.mimetypes"         ? "expire_mimetypes"
                                                           : nullptr;
  if (!key) return false;
  if (match.empty()) {
    add(st.pos, Verdict::untranslated, st.key, "inside " + cond + ": its conditions cannot be said here");
    return true;
  }
  if (st.key.rfind("expire.", 0) == 0) {
    if (!active(st)) return true;
    std::string v = expire_list(st, " in the block's [[headers]] rule");
    if (!v.empty()) d_.header_rules += "[[headers]]  # " + where(st.pos) + " " + cond + "\nmatch = { " + match + " }\n" + key + " = " + v + "\n\n";
    return true;
  }
  if (st.key != "server.tag" && !st.value.str.empty() && st.value.str.front() != '/') {
    add(st.pos, Verdict::untranslated, st.key, "\"" + st.value.str + "\": only a local path is translated");
    return true;
  }
  d_.header_rules += "[[headers]]  # " + where(st.pos) + " " + cond + "\nmatch = { " + match + " }\n" + key + " = " + tq(st.value.str) + "\n\n";
  add(st.pos, Verdict::exact, st.key,
      std::string("a [[headers]] rule: ") +
          (st.key == "server.tag" ? "the Server field of answers without one"
                                  : st.key == "server.error-handler" ? "the handler of errors cutover answers itself (but 401)"
                                                                     : "the handler of the 403s and 404s cutover answers itself") +
          ", where the block matches (the last matching block's, as lighttpd)");
  return true;
}

// lighttpd's url.access-deny inside a block: a [[deny]] rule for what the block matches.
void Translator::deny_rule(const Setting& s, const std::string& match, const std::string& cond) {
  d_.deny_rules += "[[deny]]  # " + where(s.pos) + " " + cond + "\nmatch = { " + match + " }\nsuffixes = " + tlist(strings_of(s.value)) + "\n\n";
  add(s.pos, Verdict::exact, s.key, "a [[deny]] rule: for requests " + cond + " matches, these suffixes replace the global ones (403)");
}

// server.max-request-size inside a block: a [[limits]] rule for what the block matches.
void Translator::limit_rule(const Setting& s, const std::string& match, const std::string& cond) {
  d_.limit_rules += "[[limits]]  # " + where(s.pos) + " " + cond + (match.empty() ? "" : "\nmatch = { " + match + " }") +
                  "\nmax_body_bytes = " + std::to_string(s.value.num * 1024) + "  # " + std::to_string(s.value.num) + " KB\n\n";
  add(s.pos, Verdict::exact, s.key, "a [[limits]] rule: for requests " + cond + " matches, the body limit is " + std::to_string(s.value.num) + " KiB (413 beyond)");
}

// A top-level block on another request field: its routes carry match.when; the global
// routes of the same directive step aside for the requests it matches (match.unless).
bool Translator::field_block(const Block& b) {
  if (b.parent > 0 || (!b.cond && !b.is_else)) return false;
  // An else link holds when every earlier link of its chain is false (and its own is true).
  std::string w;
  for (int e = b.else_of; e >= 0; e = c_.blocks[size_t(e)].else_of) {
    const Block& x = c_.blocks[size_t(e)];
    std::string n = x.cond ? when_of(*x.cond, true) : "";
    if (n.empty()) return false;
    w = n + (w.empty() ? "" : ", ") + w;
  }
  if (b.cond) {
    std::string own = when_of(*b.cond);
    if (own.empty()) return false;
    w += (w.empty() ? "" : ", ") + own;
  }
  if (w.empty()) return false;
  std::string cond = b.cond ? b.cond->text() : "else";
  if (b.else_of >= 0 && b.cond) cond = "else " + cond;
  std::string when = "[" + w + "]";
  std::string hc = "when = " + when;
  Pos at = block_pos(b);
  add(at, Verdict::exact, cond, "routes and rules of this block carry match.when " + w + "; the global routes of the same directive step aside for those requests");
  HeaderEditMap block_edits;
  for (auto& s : b.settings) {
    if (s.key.rfind("setenv.", 0) == 0 && loaded("mod_setenv")) {
      setenv(s, &block_edits, cond);
    } else if (server_key_rule(s, hc, cond)) {
    } else if (s.key == "alias.url" && loaded("mod_alias")) {
      d_.route_excl[s.key].push_back({"", "", cur_block_, when});
      aliases(s, &b, hc);
    } else if (s.key == "url.access-deny" && loaded("mod_access")) {
      deny_rule(s, hc, cond);
    } else if (s.key == "server.max-request-size") {
      limit_rule(s, hc, cond);
    } else if (rule_list(s.key) && loaded("mod_rewrite")) {
      bool pct = false;
      for (auto& it : s.value.items) pct = pct || (it.first && has_percent_capture(it.second.str));
      if (pct) {
        add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": a replacement uses %N, the captures of this condition, which cutover does not keep");
        continue;
      }
      for (auto& it : s.value.items)
        if (it.first) rule_list(s.key)->push_back({*it.first, it.second.str, where(it.second.pos.line ? it.second.pos : s.pos), s.key, "", {}, when});
      d_.overridden_when[s.key].push_back(when);
      add(s.pos, Verdict::exact, s.key, std::to_string(s.value.items.size()) + " [[rewrite]] rule(s) with when = " + when +
                                            ", replacing the global " + s.key + " list for those requests as lighttpd does");
    } else if (s.key == "fastcgi.server" && loaded("mod_fastcgi")) {
      d_.route_excl[s.key].push_back({"", "", cur_block_, when});
      fastcgi(s, hc);
    } else if (s.key == "proxy.server" && loaded("mod_proxy")) {
      d_.route_excl[s.key].push_back({"", "", cur_block_, when});
      proxy(s, hc);
    } else if (s.key == "url.redirect" && loaded("mod_redirect")) {
      d_.route_excl[s.key].push_back({"", "", cur_block_, when});
      redirects(s, &b, ", " + hc);
    } else {
      add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
    }
  }
  header_rule(block_edits, hc, where(at) + " " + cond);
  return true;
}

void Translator::conditional(const Block& b) {
  cur_block_ = int(&b - c_.blocks.data());
  extra_depth_ = 0;
  block_path_re_.clear();
  if (opts_.general_only && general_block(b)) return;
  if (nested(b)) return;
  std::string cond = b.cond ? b.cond->text() : (b.is_else ? "else" : "?");
  Pos at = block_pos(b);
  if (b.cond && b.cond->object == "SERVER" && b.cond->field == "socket" && b.cond->op == "==" && !b.is_else) {
    std::string v = b.cond->value;
    if (!v.empty() && v.front() == ':') v = "0.0.0.0" + v;
    bool tls = false;
    for (auto& s : b.settings)
      if (s.key.rfind("ssl.", 0) == 0) tls = true;
    if (tls) {
      add(at, Verdict::untranslated, cond, "a TLS listener: terminate TLS in front of cutover (it speaks plain HTTP)");
    } else {
      d_.extra_listen.push_back(v);
      add(at, Verdict::exact, cond, "an extra listener " + v);
    }
    for (auto& s : b.settings) add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": per-listener settings are not translated");
    return;
  }
  std::vector<const Block*> earlier;
  if (host_chain(b, earlier)) {
    bool bare_else = !b.cond;
    bool regex = !bare_else && b.cond->op == "=~";
    // Blocks earlier in an else chain matched first: this one applies only to the rest.
    std::vector<std::string> negs;
    for (const Block* e : earlier) negs.push_back(host_regex(*e));
    std::string host_re = bare_else ? "" : host_regex(b);
    if (!bare_else && !regex && uses_percent(b))
      add(at, Verdict::caveat, cond, "%N inside an == block: lighttpd matches it as the regex " + host_re +
                                         " (a port no longer matches, '.' matches any character); copied as such");
    std::string hc = bare_else ? "" : regex ? "host_regex = " + tq(b.cond->value) : "host = " + tq(b.cond->value);
    if (!negs.empty()) hc += (hc.empty() ? "" : ", ") + std::string("unless_host = ") + tlist(negs);
    std::string what = bare_else ? "else: applies to the hosts the earlier blocks of its chain did not match"
                       : regex   ? "routes and rules of this block match a Host the regex matches (lowercased, port included); its captures are %N in rewrites and redirects"
                                 : "routes of this block match that Host; fastcgi.server, proxy.server, url.redirect, url.rewrite* and setenv.*-header inside it are translated";
    if (!earlier.empty() && !bare_else) what += " (and none of the earlier blocks of its else chain)";
    add(at, Verdict::exact, bare_else ? "else" : cond, what);
    auto caveat_if_partial = [&](const Setting& s) {
      if (bare_else)
        for (const Block* e : earlier)
          if (!e->find(s.key))
            add(s.pos, Verdict::caveat, s.key, "set in a bare else whose chain has a block without it: the global " + s.key +
                                                   " is not kept for " + e->cond->text());
    };
    // The same for the routes of earlier blocks (any shape) of the directive: this later
    // block replaces them where it matches, as lighttpd's last matching block wins.
    std::string negs_when;
    for (const std::string& n : negs)
      negs_when += std::string(negs_when.empty() ? "[" : ", ") + "{ header = \"Host\", regex = " + tq("(?i)" + n) + ", negate = true }";
    if (!negs_when.empty()) negs_when += "]";
    auto overrides = [&](const Setting& s, std::map<std::string, std::vector<std::string>>& into) {
      if (!bare_else) into[s.key].push_back(host_re);  // a bare else: only where the earlier links fail (below)
      d_.route_excl[s.key].push_back({bare_else ? "" : host_re, "", cur_block_, negs_when});
      caveat_if_partial(s);
    };
    HeaderEditMap block_edits;
    for (auto& s : b.settings) {
      if (s.key.rfind("setenv.", 0) == 0 && loaded("mod_setenv")) {
        caveat_if_partial(s);
        setenv(s, &block_edits, cond);
      } else if (rule_list(s.key) && loaded("mod_rewrite")) {
        rules(s, *rule_list(s.key), host_re, negs, true);
        if (bare_else) {
          d_.overridden[s.key].pop_back();  // not ".*": the global list keeps these hosts
          for (const Block* e : earlier)
            if (!e->find(s.key)) d_.global_only_hosts[s.key].push_back(host_regex(*e));
          if (d_.global_only_hosts[s.key].empty()) d_.overridden[s.key].push_back(".*");
        }
      } else if (s.key == "server.max-request-size") {
        caveat_if_partial(s);
        limit_rule(s, hc, bare_else ? "else" : cond);
      } else if (server_key_rule(s, hc, bare_else ? "else" : cond)) {
      } else if (s.key == "alias.url" && loaded("mod_alias") && !hc.empty()) {
        overrides(s, d_.route_overrides);
        aliases(s, &b, hc);
      } else if (s.key == "url.access-deny" && loaded("mod_access")) {
        caveat_if_partial(s);
        deny_rule(s, hc, bare_else ? "else" : cond);
      } else if (s.key == "fastcgi.server" && loaded("mod_fastcgi")) {
        overrides(s, d_.route_overrides);
        fastcgi(s, hc.empty() ? "" : hc);
      } else if (s.key == "proxy.server" && loaded("mod_proxy")) {
        overrides(s, d_.route_overrides);
        proxy(s, hc);
      } else if (s.key == "url.redirect" && loaded("mod_redirect")) {
        overrides(s, d_.route_overrides);
        redirects(s, &b, negs.empty() ? "" : ", unless_host = " + tlist(negs));
      } else if (static_key(s.key) && !hc.empty()) {
        continue;  // host_static() below
      } else if (s.key == "server.force-lowercase-filenames") {
        continue;  // lowercase_closed()
      } else {
        add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
      }
    }
    if (!hc.empty()) host_static(b, hc, cond);
    header_rule(block_edits, hc, where(at) + " " + cond);
    return;
  }
  if (b.cond && b.cond->object == "HTTP" && b.cond->field == "url" && (b.cond->op == "=~" || b.cond->op == "=^") &&
      b.parent <= 0 && b.else_of < 0 && b.find("proxy-core.backends")) {
    std::string m = b.cond->op == "=~" ? "regex = " + tq(b.cond->value) : "prefix = " + tq(b.cond->value);
    add(at, Verdict::exact, cond, "the route of this block matches the path after the rewrites, as lighttpd re-evaluates it");
    if (loaded("mod_proxy_core")) proxy_core(b, m, cond);
    for (auto& s : b.settings)
      if (s.key.rfind("proxy-core.", 0) != 0) add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
    return;
  }
  if (b.cond && b.cond->object == "HTTP" && b.cond->field == "url" && b.parent <= 0 && b.else_of < 0 && !b.is_else &&
      !b.find("proxy-core.backends")) {
    // lighttpd's $HTTP["url"] is the decoded path (no query), re-evaluated after rewrites:
    // what a route's regex sees.
    std::string re = url_regex(*b.cond);
    add(at, Verdict::exact, cond, "routes of this block match the path (after the rewrites, as lighttpd re-evaluates it) with the regex " + re +
                                      "; global routes of the same directive step aside for those paths");
    std::string rc = "regex = " + tq(re);
    HeaderEditMap block_edits;
    bool static_route_done = false;
    for (auto& s : b.settings) {
      if (s.key.rfind("setenv.", 0) == 0 && loaded("mod_setenv")) {
        setenv(s, &block_edits, cond);
      } else if (static_key(s.key) && s.key != "server.document-root" && sole_static_block(size_t(&b - c_.blocks.data()))) {
        if (!static_route_done) block_static(b, rc, cond);
        static_route_done = true;
        add(s.pos, Verdict::exact, s.key, "the block's static route (its path, with this block's options over the global ones)");
      } else if (s.key == "fastcgi.server" && loaded("mod_fastcgi")) {
        d_.route_excl[s.key].push_back({"", re, cur_block_, ""});  // the global routes of it and earlier blocks' step aside
        block_path_re_ = re;
        fastcgi(s, rc);
      } else if (s.key == "proxy.server" && loaded("mod_proxy")) {
        d_.route_excl[s.key].push_back({"", re, cur_block_, ""});
        block_path_re_ = re;
        proxy(s, rc);
      } else if (server_key_rule(s, rc, cond)) {
      } else if (s.key == "alias.url" && loaded("mod_alias")) {
        d_.route_excl[s.key].push_back({"", re, cur_block_, ""});
        aliases(s, &b, rc);
      } else if (s.key == "url.access-deny" && loaded("mod_access")) {
        deny_rule(s, rc, cond);
      } else if (s.key == "server.max-request-size") {
        limit_rule(s, rc, cond);
      } else {
        add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
      }
    }
    block_path_re_.clear();
    header_rule(block_edits, rc, where(at) + " " + cond);
    return;
  }
  if (field_block(b)) return;
  if (general_block(b)) return;
  if (b.cond && b.cond->object == "HTTP" && b.cond->field == "scheme") {
    add(at, Verdict::untranslated, cond,
        "cutover's listeners speak plain HTTP, so every request has the scheme http — a TLS terminator in front included; "
        "put an http-to-https redirect in the terminator");
    for (auto& s : b.settings) add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
    return;
  }
  add(at, Verdict::untranslated, cond, "conditional block not translated: cutover translates top-level blocks on the url, the host and the other request fields, else chains of host blocks, and url blocks nested in a host or field block; this block's condition or shape is none of these");
  for (auto& s : b.settings) add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
}

}  // namespace cutover::migrate::tr
