#include "migrate_tool/translate.h"
#include "migrate_tool/lighttpd_keys.h"

#include <strings.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "migrate_tool/log_format.h"

namespace cutover::migrate {
namespace {

constexpr const char* kLighttpdDefaultLogFormat = "%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"";

// A TOML string: literal ('...') when possible, so regexes keep their backslashes as written.
std::string tq(const std::string& s) {
  bool literal_ok = s.find('\'') == std::string::npos;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) literal_ok = false;
  if (literal_ok) return "'" + s + "'";
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += char(c);
    else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else o += char(c);
  }
  return o + "\"";
}

std::string tlist(const std::vector<std::string>& v) {
  std::string o = "[";
  for (size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + tq(v[i]);
  return o + "]";
}

std::string where(const Pos& p) { return p.file + ":" + std::to_string(p.line); }

std::string regex_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) o += '\\';
    o += c;
  }
  return o;
}

std::string slug(const std::string& s) {
  std::string o;
  for (char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) o += c;
    else if (c >= 'A' && c <= 'Z') o += char(c - 'A' + 'a');
    else if (!o.empty() && o.back() != '_') o += '_';
  }
  while (!o.empty() && o.back() == '_') o.pop_back();
  return o.empty() ? "root" : o;
}

std::vector<std::string> strings_of(const Value& v) {
  std::vector<std::string> out;
  if (v.kind == Value::Kind::string) out.push_back(v.str);
  for (auto& it : v.items)
    if (it.second.kind == Value::Kind::string) out.push_back(it.second.str);
  return out;
}

bool has_percent_capture(const std::string& s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '%' && s[i + 1] == '%') {
      ++i;
      continue;
    }
    if (s[i] == '%' && (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '{')) return true;
  }
  return false;
}

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

class Translator {
 public:
  explicit Translator(const LighttpdConfig& c) : c_(c) {}

  Translation run(const TranslateOptions& o) {
    opts_ = o;
    const Block& g = c_.blocks[0];
    if (const Setting* m = g.find("server.modules")) modules_ = strings_of(m->value);
    load_implied_modules(g);
    for (const Setting& s : g.settings) global(s);
    for (size_t i = 1; i < c_.blocks.size(); ++i) conditional(c_.blocks[i]);
    for (const Warning& w : c_.warnings) add(w.pos, Verdict::caveat, "parser", w.text);
    finish_static(g);
    compiling_ = true;  // the passes below report the keys they compile, wherever they are set
    compile_auth();
    compile_status_pages();
    fail_closed();
    compiling_ = false;
    lowercase_closed();
    emit(o);
    return std::move(t_);
  }

 private:
  const LighttpdConfig& c_;
  TranslateOptions opts_;
  Translation t_;
  std::vector<std::string> modules_;
  std::string listen_host_ = "0.0.0.0";
  int64_t listen_port_ = 80;
  std::vector<std::string> extra_listen_;
  std::string server_lines_;
  std::map<std::string, std::string> spawned_;
  std::set<std::pair<const Setting*, std::string>> untranslated_entries_;  // handler entries left out (fail_closed denies them)  // "address bin-path" -> the pool whose workers run it
  bool has_user_ = false;  // server.username given
  // setenv.*: header edits for [server], and the environment for FastCGI routes' params.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> header_edits_;  // "request_headers.add" -> fields
  std::string header_rules_;  // [[headers]] tables from setenv.* in conditional blocks
  struct Rule {
    std::string match, to, origin;
    std::string key;   // the directive (lighttpd replaces each key's list per block)
    std::string host;  // a host block's condition as a regex; "" for the global scope
    std::vector<std::string> unless;  // earlier blocks of an else chain
    std::string when;  // a block on another request field: "[{ ... }]"
  };
  std::map<std::string, std::vector<std::string>> overridden_when_;  // key -> when lists of field blocks that set it
  std::vector<Rule> once_, repeat_, inf_once_, inf_repeat_;
  std::map<std::string, std::vector<std::string>> overridden_;  // key -> host regexes of blocks that set it
  std::map<std::string, std::vector<std::string>> route_overrides_;  // same, for route-making keys
  struct Exclusion {
    std::string host, path;
    int block;
    std::string when;  // "[{ ... }]" for a field condition block
  };
  std::map<std::string, std::vector<Exclusion>> route_excl_;  // key -> nested blocks that replace it
  int cur_block_ = -1;    // the block whose directives are being translated
  int extra_depth_ = 0;   // 1 inside a nested block: its routes go before the outer ones
  // A bare else that sets a rewrite key leaves the global list only to the hosts of the
  // earlier blocks of its chain that do not set it.
  std::map<std::string, std::vector<std::string>> global_only_hosts_;
  std::string pools_;
  std::string deny_rules_;  // [[deny]] tables
  std::string closed_rules_;  // independent [[deny]] tables for what was not translated
  std::string limit_rules_;  // [[limits]] tables
  std::vector<Route> routes_;
  std::string auth_;
  std::set<std::string> pool_names_;
  std::string balance_fcgi_ = "least-conn", balance_proxy_ = "least-conn";
  std::vector<std::pair<std::string, std::string>> pending_fcgi_, pending_proxy_;  // pool name -> balancer slot
  int route_seq_ = 0;

  void add(const Pos& p, Verdict v, const std::string& d, const std::string& text) {
    if (compiled_key(d) && !compiling_) return;  // compile_auth() / compile_status_pages() report these
    t_.report.push_back({p, v, d, text});
  }
  // Keys compiled over the whole condition tree at once (their value in every block and the
  // global one combine per request), not block by block.
  static bool compiled_key(const std::string& k) {
    return k == "auth.require" || k.rfind("auth.backend", 0) == 0 || k == "status.status-url" || k == "status.config-url" ||
           k == "status.statistics-url" || k == "status.enable-sort";
  }
  bool compiling_ = false;
  bool loaded(const std::string& m) const {
    return std::find(modules_.begin(), modules_.end(), m) != modules_.end();
  }
  void load_implied_modules(const Block& g) {
    // lighttpd 1.4.69 loads these by itself (§1.7).
    if (g.find("index-file.names") && !loaded("mod_indexfile")) modules_.insert(modules_.begin(), "mod_indexfile");
    if (!loaded("mod_dirlisting")) modules_.push_back("mod_dirlisting");
    if (!loaded("mod_staticfile")) modules_.push_back("mod_staticfile");
    if (const Setting* b = g.find("auth.backend"))
      if (!loaded("mod_authn_file") && (b->value.str == "htpasswd" || b->value.str == "plain")) modules_.push_back("mod_authn_file");
  }
  // The module that owns a directive, "" for core keys.
  static std::string module_of(const std::string& key) {
    static const std::pair<const char*, const char*> kPrefixes[] = {
        {"url.rewrite", "mod_rewrite"}, {"url.redirect", "mod_redirect"}, {"alias.url", "mod_alias"},
        {"fastcgi.", "mod_fastcgi"},    {"proxy.", "mod_proxy"},          {"proxy-core.", "mod_proxy_core"},          {"auth.", "mod_auth"},
        {"setenv.", "mod_setenv"},      {"accesslog.", "mod_accesslog"},  {"url.access-deny", "mod_access"},
        {"expire.", "mod_expire"},      {"deflate.", "mod_deflate"},      {"status.", "mod_status"},
        {"extforward.", "mod_extforward"}, {"cgi.", "mod_cgi"},         {"scgi.", "mod_scgi"},
        {"secdownload.", "mod_secdownload"}, {"ssi.", "mod_ssi"}};
    for (auto& [p, m] : kPrefixes)
      if (key.rfind(p, 0) == 0) return m;
    return "";
  }
  bool active(const Setting& s) {
    std::string m = module_of(s.key);
    if (m.empty() || loaded(m)) return true;
    add(s.pos, Verdict::exact, s.key, m + " is not in server.modules: no effect in lighttpd, none here");
    return false;
  }

  void global(const Setting& s) {
    const std::string& k = s.key;
    if (k.rfind("var.", 0) == 0 || k.rfind("env.", 0) == 0) {
      if (s.pos.line == 0) return;  // lighttpd's predefined var.CWD / var.PID
      add(s.pos, Verdict::exact, k, "variable: its value is used where the config refers to it");
      return;
    }
    if (!active(s)) return;
    if (k == "server.modules") {
      std::string list;
      for (auto& m : modules_) list += (list.empty() ? "" : ", ") + m;
      add(s.pos, Verdict::exact, k, "modules in effect (with lighttpd's implied ones): " + list);
      quirk_auth_order(s);
      quirk_dirlisting_order(s);
      quirk_setenv_order(s);
    } else if (k == "server.port") {
      listen_port_ = s.value.num;
      add(s.pos, Verdict::exact, k, "server.listen port " + std::to_string(s.value.num));
    } else if (k == "server.bind") {
      if (!s.value.str.empty() && s.value.str.front() == '/') {
        add(s.pos, Verdict::untranslated, k, "a unix socket listener: cutover listens on TCP only");
        return;
      }
      listen_host_ = s.value.str;
      add(s.pos, Verdict::exact, k, "server.listen address " + s.value.str);
    } else if (k == "server.document-root") {
      server_lines_ += "document_root = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
      add(s.pos, Verdict::exact, k, "server.document_root (for *-if-not-file) and the static route's root");
    } else if (rule_list(k)) {
      rules(s, *rule_list(k));
    } else if (k == "url.redirect") {
      redirects(s, nullptr);
    } else if (k == "url.redirect-code") {
      add(s.pos, Verdict::exact, k, "the code of every redirect route");
    } else if (k == "alias.url") {
      aliases(s);
    } else if (k == "index-file.names" || k == "server.indexfiles") {
      for (auto& n : strings_of(s.value))
        if (!n.empty() && n.front() == '/') {
          add(s.pos, Verdict::untranslated, k, "\"" + n + "\": an index that replaces the URL path (front controller) is not translated; use a rewrite-if-not-file rule");
          return;
        }
      add(s.pos, Verdict::exact, k, "static.index of the static routes");
    } else if (k == "static-file.exclude-extensions") {
      add(s.pos, Verdict::exact, k, "static.exclude_extensions of the static routes (403, never the source)");
    } else if (k == "url.access-deny") {
      server_lines_ += "deny_suffixes = " + tlist(strings_of(s.value)) + "  # " + where(s.pos) + "\n";
      add(s.pos, Verdict::exact, k, "server.deny_suffixes: 403 for every request whose path ends so, whatever serves it (and static.exclude_extensions)");
    } else if (k == "dir-listing.activate" || k == "server.dir-listing") {
      add(s.pos, Verdict::exact, k, "static.listing of the static routes");
    } else if (k == "dir-listing.hide-dotfiles") {
      add(s.pos, Verdict::exact, k, "cutover's listing hides dotfiles unless static.dotfiles = true");
    } else if (k == "static-file.disable-pathinfo") {
      add(s.pos, Verdict::exact, k, "static.pathinfo");
    } else if (k == "server.follow-symlink") {
      add(s.pos, Verdict::exact, k, "static.follow_symlinks");
    } else if (k == "server.range-requests") {
      add(s.pos, Verdict::exact, k, "static.ranges of the static routes (lighttpd also answers ranges of backend answers; cutover passes those on as the backend sent them)");
    } else if (k == "server.max-request-size") {
      server_lines_ += "max_body_bytes = " + std::to_string(s.value.num * 1024) + "  # " + where(s.pos) + " (KB)\n";
      add(s.pos, Verdict::exact, k, "server.max_body_bytes = " + std::to_string(s.value.num) + " KiB");
    } else if (k == "accesslog.filename") {
      if (!s.value.str.empty() && s.value.str.front() == '|') {
        add(s.pos, Verdict::untranslated, k, "a piped access log: cutover writes files (reopened on SIGUSR1)");
        return;
      }
      server_lines_ += "access_log = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
      if (!c_.blocks[0].find("accesslog.format")) {
        // lighttpd's default is not the combined format: the Host stands where "-" would.
        LogFormatTranslation f = translate_log_format(kLighttpdDefaultLogFormat);
        server_lines_ += "access_log_format = " + tq(f.template_text) + "  # lighttpd's default accesslog.format\n";
        add(s.pos, Verdict::exact, k, "server.access_log (reopened on SIGUSR1), with lighttpd's default format as server.access_log_format so that existing log "
                                          "readers keep working (without it cutover writes the combined format plus the route, backend and upstream times)");
      } else {
        add(s.pos, Verdict::exact, k, "server.access_log (reopened on SIGUSR1)");
      }
    } else if (k == "accesslog.format") {
      LogFormatTranslation f = translate_log_format(s.value.str);
      server_lines_ += "access_log_format = " + tq(f.template_text) + "  # " + where(s.pos) + "\n";
      std::string why = "server.access_log_format, the same fields as a template";
      for (auto& x : f.inexact) why += "; " + x;
      add(s.pos, f.inexact.empty() ? Verdict::exact : Verdict::caveat, k, why);
    } else if (k == "server.error-handler-404" || k == "server.error-handler") {
      bool any = k == "server.error-handler";
      if (s.value.str.empty() || s.value.str.front() != '/') {
        add(s.pos, Verdict::untranslated, k, "\"" + s.value.str + "\": only a local path is translated");
        return;
      }
      server_lines_ += std::string(any ? "error_handler" : "error_handler_404") + " = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
      add(s.pos, Verdict::exact, k, std::string("server.") + (any ? "error_handler" : "error_handler_404") + ": " +
                                        (any ? "an error cutover answers itself (403, 404, 405, …)" : "a 403 or 404 cutover answers itself (no file, no route, a denied file)") +
                                        " is answered by " + s.value.str + " instead, with the client's REQUEST_URI and REDIRECT_STATUS set to the error");
    } else if (k.rfind("setenv.", 0) == 0) {
      setenv(s);
    } else if (k == "server.errorlog") {
      add(s.pos, Verdict::caveat, k, "cutover logs to stderr: redirect it to " + s.value.str + " (or let systemd/journald keep it)");
    } else if (k == "fastcgi.server") {
      fastcgi(s, "");
    } else if (k == "fastcgi.balance") {
      balance_fcgi_ = balancer(s);
    } else if (k == "fastcgi.map-extensions") {
      add(s.pos, Verdict::exact, k, "each mapped extension gets a route to the same pool");
    } else if (k == "fastcgi.debug" || k == "proxy.debug") {
      add(s.pos, Verdict::exact, k, "debug logging: cutover logs every backend failure with its cause already");
    } else if (k == "proxy.server") {
      proxy(s, "");
    } else if (k == "proxy.balance") {
      balance_proxy_ = balancer(s);
    } else if (k == "proxy.header") {
      proxy_header(s);
    } else if (k == "proxy.forwarded") {
      add(s.pos, Verdict::caveat, k, "cutover always sends X-Forwarded-For/-Proto/-Host and Forwarded to HTTP backends");
    } else if (k.rfind("proxy-core.", 0) == 0) {
      if (k == "proxy-core.backends") proxy_core(c_.blocks[0], "", "everything");
      else if (!c_.blocks[0].find("proxy-core.backends")) add(s.pos, Verdict::exact, k, "no proxy-core.backends in this block: no effect");
    } else if (compiled_key(k)) {
      // compile_auth(), compile_status_pages()
    } else if (k == "mimetype.assign") {
      if (mime_table(s.value).empty())
        add(s.pos, Verdict::untranslated, k, "expected a list of \"suffix\" => \"type\" pairs");
      else
        add(s.pos, Verdict::exact, k, "static.mime_assign of the static routes: this table alone, in its order, types as given (lighttpd's suffix matching)");
    } else if (k == "server.http-parseopts") {
      bool defaults = true;
      for (auto& it : s.value.items) {
        bool on = false;
        if (!it.first || !parse_bool(it.second, on)) continue;
        static const std::set<std::string> kOn = {"header-strict", "host-strict", "host-normalize", "url-normalize-unreserved",
                                                  "url-normalize-required", "url-ctrls-reject", "url-path-2f-decode",
                                                  "url-path-dotseg-remove", "url-normalize"};
        if (on != (kOn.count(*it.first) > 0)) defaults = false;
      }
      add(s.pos, defaults ? Verdict::exact : Verdict::caveat, k,
          defaults ? "cutover normalises request targets exactly like these settings (decode unreserved and %2F, remove dot segments, reject controls)"
                   : "cutover always normalises like lighttpd's defaults; options that differ from them are not translated");
    } else if (k == "server.username" || k == "server.groupname") {
      bool user = k == "server.username";
      std::string key = user ? "user" : "group";
      server_lines_ += key + " = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
      if (user) has_user_ = true;
      add(s.pos, Verdict::exact, k, "server." + key + ": started as root, cutover binds its ports and opens its logs, then runs as this " +
                                        key + " (started as anyone else: ignored, as lighttpd does)");
    } else if (k == "ssl.engine") {
      bool on = false;
      if (parse_bool(s.value, on) && on) {
        t_.refusal = where(s.pos) + ": ssl.engine = \"enable\": the main listener speaks TLS, and cutover has no TLS yet; "
                     "written as plain HTTP it would answer in clear on that port. "
                     "Terminate TLS in front of cutover and translate the config without ssl.* (or move them into a $SERVER[\"socket\"] block)";
        add(s.pos, Verdict::untranslated, k, "a TLS main listener: refused (see below)");
      } else {
        add(s.pos, Verdict::exact, k, "TLS off: plain HTTP, as cutover speaks");
      }
    } else if (k == "expire.url" || k == "expire.mimetypes") {
      std::string v = expire_list(s);
      if (v.empty()) return;
      server_lines_ += std::string(k == "expire.url" ? "expire_urls" : "expire_mimetypes") + " = " + v + "  # " + where(s.pos) + "\n";
    } else if (k == "server.tag") {
      server_lines_ += "server_tag = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
      add(s.pos, Verdict::exact, k, "server.server_tag: the Server field of every answer that has none");
    } else if (k == "extforward.forwarder") {
      extforward(s);
    } else if (k == "extforward.headers") {
      server_lines_ += "trusted_proxy_headers = " + tlist(strings_of(s.value)) + "  # " + where(s.pos) + "\n";
      bool forwarded = false;
      for (auto& h : strings_of(s.value)) forwarded = forwarded || strcasecmp(h.c_str(), "forwarded") == 0;
      if (forwarded)  // route/forwarded_client.h; tests/unit/route/forwarded_client_test.cc
        add(s.pos, Verdict::caveat, k, "server.trusted_proxy_headers: the first of these a trusted proxy's request carries names the client; "
                                       "one difference: lighttpd 1.4.69 never reads the leftmost element of a Forwarded field when it has a single "
                                       "parameter (\"Forwarded: for=192.0.2.1\" from a lone proxy changes nothing there), cutover does");
      else
        add(s.pos, Verdict::exact, k, "server.trusted_proxy_headers: the first of these a trusted proxy's request carries names the client");
    } else if (k == "extforward.params") {
      add(s.pos, Verdict::caveat, k, "Forwarded parameters other than for= and proto= (host, by, remote_user) are not applied: cutover keeps the request's Host");
    } else if (k == "extforward.hap-PROXY" || k == "extforward.hap-PROXY-ssl-client-verify") {
      add(s.pos, Verdict::untranslated, k, "the HAProxy PROXY protocol is not supported: a proxy in front must send X-Forwarded-For or Forwarded instead");
    } else if (k == "server.pid-file" || k == "server.event-handler" ||
               k == "server.network-backend" || k == "server.max-fds" || k == "server.stat-cache-engine" ||
               k == "server.upload-dirs" || k == "server.name" || k == "mimetype.use-xattr" ||
               k == "server.max-connections" || k == "server.max-keep-alive-requests" || k == "server.max-keep-alive-idle" ||
               k == "server.max-read-idle" || k == "server.max-write-idle" || k == "server.feature-flags") {
      add(s.pos, Verdict::caveat, k, "process and tuning setting with no cutover key: run cutover under systemd with the same user, limits and pid handling (server.keepalive_timeout, header_timeout and send_timeout cover the idle limits)");
    } else if (!is_lighttpd_key(k) && k.rfind("proxy-core.", 0) != 0) {
      // lighttpd starts anyway and ignores it ("WARNING: unknown config-key"): so does the translation.
      std::string near = opts_.suggest ? opts_.suggest(k, lighttpd_keys()) : "";
      add(s.pos, Verdict::caveat, k, "unknown config-key: lighttpd 1.4.69 ignores it (with a warning at start), and so does this translation" +
                                         (near.empty() ? std::string() : "; did you mean " + near + "?"));
    } else {
      add(s.pos, Verdict::untranslated, k, "not translated: cutover has no equivalent (value " + s.value.describe() + ")");
    }
  }

  // extforward.forwarder → server.trusted_proxies. Only "trust" entries mean anything (an
  // address not listed is not trusted; "all" trusts everyone, whatever else is listed).
  void extforward(const Setting& s) {
    std::vector<std::string> trusted;
    bool all = false;
    for (auto& it : s.value.items) {
      if (!it.first) continue;
      std::string level = it.second.str;
      for (char& c : level) c = char(std::tolower(static_cast<unsigned char>(c)));
      if (level != "trust") continue;
      if (*it.first == "all") all = true;
      else trusted.push_back(*it.first);
    }
    if (all) trusted = {"0.0.0.0/0", "::/0"};
    server_lines_ += "trusted_proxies = " + tlist(trusted) + "  # " + where(s.pos) + "\n";
    if (!c_.blocks[0].find("extforward.headers"))
      server_lines_ += "trusted_proxy_headers = [\"X-Forwarded-For\", \"Forwarded-For\"]  # lighttpd's default extforward.headers\n";
    add(s.pos, Verdict::exact, s.key,
        std::string("server.trusted_proxies") + (all ? " (everyone: \"all\")" : "") +
            ": from these peers the client's address (REMOTE_ADDR, remoteip conditions, the access log) and scheme "
            "(X-Forwarded-Proto, Forwarded proto=) come from extforward.headers");
  }

  // setenv.{add,set}-{request,response}-header → [server] request_headers / response_headers;
  // setenv.{add,set}-environment → the params of every FastCGI route (lighttpd gives the
  // environment to CGI, FastCGI and SCGI only, never to mod_proxy backends).
  // `block`: the header edits of a conditional block's [[headers]] rule ("" for global), and
  // where they go.
  using HeaderEditMap = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;
  void setenv(const Setting& s, HeaderEditMap* block = nullptr, const std::string& cond = "") {
    static const std::map<std::string, std::string> kHeaderKeys = {
        {"setenv.add-request-header", "request_headers.add"},   {"setenv.set-request-header", "request_headers.set"},
        {"setenv.add-response-header", "response_headers.add"}, {"setenv.set-response-header", "response_headers.set"}};
    const std::string& k = s.key;
    bool env = k == "setenv.add-environment" || k == "setenv.set-environment";
    auto it = kHeaderKeys.find(k);
    if (!env && it == kHeaderKeys.end()) {
      add(s.pos, Verdict::untranslated, k, "not a mod_setenv directive lighttpd knows");
      return;
    }
    static const std::set<std::string> kFraming = {"content-length", "transfer-encoding", "connection", "keep-alive",
                                                   "upgrade", "te", "trailer"};
    std::vector<std::pair<std::string, std::string>> fields;
    for (auto& item : s.value.items) {
      if (!item.first) continue;
      std::string lower = *item.first;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      bool token = !lower.empty() && lower.find_first_not_of("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") == std::string::npos;
      const Pos& at = item.second.pos.line ? item.second.pos : s.pos;
      if (!env && (!token || kFraming.count(lower) || (lower == "host" && k.find("response") != std::string::npos))) {
        add(at, Verdict::untranslated, k, "\"" + *item.first + "\": " + (token ? "a field that frames the message, which cutover sets itself" : "not a header field name"));
        continue;
      }
      if (item.second.str.find_first_of("\r\n") != std::string::npos) {
        add(at, Verdict::untranslated, k, "\"" + *item.first + "\": a value with a line break");
        continue;
      }
      // Several values for one name: lighttpd appends them to one field, "a, b".
      auto same = std::find_if(fields.begin(), fields.end(), [&](auto& f) { return f.first == *item.first; });
      if (same != fields.end() && !env) same->second += ", " + item.second.str;
      else if (same != fields.end()) same->second = item.second.str;
      else fields.emplace_back(*item.first, item.second.str);
    }
    std::string into = env ? (k == "setenv.add-environment" ? "fastcgi_env.add" : "fastcgi_env.set") : it->second;
    if (block) {
      (*block)[into] = fields;
      add(s.pos, Verdict::exact, k, "a [[headers]] rule for " + cond + ": " + into + " replaced for those requests, as lighttpd's last matching block does per key");
      return;
    }
    if (env) {
      header_edits_[into] = fields;
      add(s.pos, Verdict::exact, k, "server." + into + ": params of every FastCGI app (lighttpd gives the environment to FastCGI, CGI and SCGI apps only, not to proxy.server backends)");
      return;
    }
    header_edits_[it->second] = fields;
    bool request = it->second.rfind("request", 0) == 0;
    bool add_op = it->second.find(".add") != std::string::npos;
    add(s.pos, Verdict::exact, k,
        "server." + it->second + ": " +
            (request ? (add_op ? "appended to each request's fields before any backend sees them (a FastCGI app sees \"client, ours\", as with lighttpd)"
                               : "replaces the client's fields of these names on every request")
                     : (add_op ? "appended to every answer, cutover's own included"
                               : "replaces the backend's fields of these names on every answer")));
  }

  // { 'A' = 'x', 'B' = 'y' }
  static std::string inline_table(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string t;
    for (auto& [n, v] : fields) t += (t.empty() ? "" : ", ") + tq(n) + " = " + tq(v);
    return "{ " + t + " }";
  }
  // request_headers / response_headers lines for header edits ("request_headers.add" -> ...);
  // `keep_empty`: an empty list is written too (a block's empty list replaces the global one).
  static std::string header_tables(const HeaderEditMap& edits, bool keep_empty, const std::string& comment) {
    std::string lines;
    for (const char* table : {"request_headers", "response_headers", "fastcgi_env"}) {
      std::string ops;
      for (const char* op : {"add", "set"}) {
        auto e = edits.find(std::string(table) + "." + op);
        if (e == edits.end() || (e->second.empty() && !keep_empty)) continue;
        ops += (ops.empty() ? "" : ", ") + std::string(op) + " = " + inline_table(e->second);
      }
      if (!ops.empty()) lines += std::string(table) + " = { " + ops + " }" + comment + "\n";
    }
    return lines;
  }

  // A [[headers]] rule for a block's setenv.*-header keys, matched by `match`.
  void header_rule(const HeaderEditMap& edits, const std::string& match, const std::string& origin) {
    if (edits.empty()) return;
    std::string t = "[[headers]]  # " + origin + "\n";
    if (!match.empty()) t += "match = { " + match + " }\n";
    header_rules_ += t + header_tables(edits, true, "") + "\n";
  }

  void quirk_auth_order(const Setting& s) {
    auto pos = [&](const char* m) {
      auto it = std::find(modules_.begin(), modules_.end(), m);
      return it == modules_.end() ? -1 : int(it - modules_.begin());
    };
    int a = pos("mod_auth");
    for (const char* dyn : {"mod_fastcgi", "mod_proxy", "mod_scgi"})
      if (a >= 0 && pos(dyn) >= 0 && pos(dyn) < a)
        add(s.pos, Verdict::caveat, "server.modules",
            std::string("mod_auth is listed after ") + dyn +
                ": lighttpd skips auth for requests that module claims (the auth bypass); cutover checks auth on the full path before any route");
  }
  // mod_setenv applies its answer fields in its own uri_clean step: a redirect or a 403 that a
  // module listed before it answers never gets them. cutover adds them to every answer.
  void quirk_setenv_order(const Setting& s) {
    auto setenv_at = std::find(modules_.begin(), modules_.end(), "mod_setenv");
    if (setenv_at == modules_.end()) return;
    bool answer_fields = false;
    for (auto& b : c_.blocks)
      for (auto& x : b.settings) answer_fields = answer_fields || x.key == "setenv.add-response-header" || x.key == "setenv.set-response-header";
    if (!answer_fields) return;
    auto before = [&](const char* m) { return std::find(modules_.begin(), setenv_at, m) != setenv_at; };
    std::vector<std::string> skip;
    if (before("mod_redirect")) skip.push_back("redirect");
    if (before("mod_access")) skip.push_back("deny");
    if (before("mod_auth")) skip.push_back("auth");
    if (!skip.empty()) {
      server_lines_ += "response_headers_skip = " + tlist(skip) + "  # listed before mod_setenv in server.modules\n";
      std::string which;
      for (const std::string& k : skip)
        which += (which.empty() ? "" : ", ") + std::string(k == "redirect" ? "mod_redirect (redirects)" : k == "deny" ? "mod_access (403s)" : "mod_auth (401s)");
      add(s.pos, Verdict::exact, "server.modules",
          which + " before mod_setenv: those answers go without the setenv.*-response-header fields, as lighttpd sends them "
                  "(server.response_headers_skip)");
    }
  }
  void quirk_dirlisting_order(const Setting& s) {
    auto a = std::find(modules_.begin(), modules_.end(), "mod_staticfile"), b = std::find(modules_.begin(), modules_.end(), "mod_dirlisting");
    if (a != modules_.end() && b != modules_.end() && a < b)
      add(s.pos, Verdict::caveat, "server.modules", "mod_staticfile before mod_dirlisting: lighttpd answers 403 where a listing was meant; cutover shows the listing when it is enabled");
  }

  std::string balancer(const Setting& s) {
    static const std::map<std::string, std::string> kMap = {
        {"fair", "least-conn"}, {"least-connection", "least-conn"}, {"round-robin", "round-robin"},
        {"hash", "hash"},       {"carp", "hash"},                   {"sticky", "sticky"},
        {"sqf", "sqf"},         {"static", "first"}};
    auto it = kMap.find(s.value.str);
    if (it == kMap.end()) {
      add(s.pos, Verdict::untranslated, s.key, "unknown balancer \"" + s.value.str + "\"; sqf is used");
      return "sqf";
    }
    bool v15 = s.key.rfind("proxy-core.", 0) == 0;
    if (it->second == "hash" && v15)
      add(s.pos, Verdict::caveat, s.key, "\"" + s.value.str + "\" → hash with hash_key = \"path+host\": lighttpd 1.5 hashed the path, the backend and the Host, so each URL of a Host still sticks to one backend, maybe another one");
    else if (it->second == "hash")
      add(s.pos, Verdict::caveat, s.key, "\"" + s.value.str + "\" → hash with hash_key = \"path+host\" (the key lighttpd 1.4.69 hashes): each URL of a Host sticks to one backend, "
          "maybe another one than lighttpd picks; lighttpd mixes in each backend's host without its port, so backends that differ only by port tie and its first one takes every request");
    else if (it->second == "round-robin" && v15)
      add(s.pos, Verdict::caveat, s.key, "\"round-robin\" → round-robin: lighttpd 1.5 picked at random, cutover rotates (the same share over time)");
    else add(s.pos, Verdict::exact, s.key, "\"" + s.value.str + "\" → " + it->second);
    return it->second;
  }

  std::vector<Rule>* rule_list(const std::string& k) {
    if (k == "url.rewrite-once" || k == "url.rewrite" || k == "url.rewrite-final") return &once_;
    if (k == "url.rewrite-repeat") return &repeat_;
    if (k == "url.rewrite-if-not-file") return &inf_once_;
    if (k == "url.rewrite-repeat-if-not-file") return &inf_repeat_;
    return nullptr;
  }

  void rules(const Setting& s, std::vector<Rule>& into, const std::string& host = "",
             const std::vector<std::string>& unless = {}, bool in_block = false) {
    bool pct = false;
    for (auto& it : s.value.items) {
      if (!it.first) continue;
      into.push_back({*it.first, it.second.str, where(it.second.pos.line ? it.second.pos : s.pos), s.key, host, unless, ""});
      pct = pct || has_percent_capture(it.second.str);
    }
    if (in_block) {
      overridden_[s.key].push_back(host.empty() ? ".*" : host);
      add(s.pos, Verdict::exact, s.key, std::to_string(s.value.items.size()) + " [[rewrite]] rule(s) for " +
                                            (host.empty() ? "the hosts the chain's earlier blocks missed" : "that Host (host = " + host + ")") +
                                            ", replacing the global " + s.key + " list there as lighttpd does; %N are the host's captures");
      return;
    }
    if (pct)
      add(s.pos, Verdict::caveat, s.key, "a replacement uses %N/%{...}: outside a conditional block it is empty (also in cutover); a literal %XX must be written %%XX");
    else add(s.pos, Verdict::exact, s.key, std::to_string(s.value.items.size()) + " [[rewrite]] rule(s), same matching and substitution");
  }

  std::string code_for(const Block& b) {
    if (const Setting* c = b.find("url.redirect-code")) return std::to_string(c->value.num);
    if (const Setting* c = c_.blocks[0].find("url.redirect-code")) return std::to_string(c->value.num);
    return "301";
  }

  void redirects(const Setting& s, const Block* in, const std::string& extra_match = "") {
    std::string code = code_for(in ? *in : c_.blocks[0]);
    bool caveat = false;
    for (auto& it : s.value.items) {
      if (!it.first) continue;
      const std::string& re = *it.first;
      caveat = caveat || (has_percent_capture(it.second.str) && host_match(in).rfind(", host_regex", 0) != 0);
      std::string r = "[[routes]]  # " + where(s.pos) + " url.redirect\nname = \"redirect_" + std::to_string(++route_seq_) +
                      "\"\nmatch = { target = " + tq(re) + host_match(in) + extra_match + " }\nredirect = { to = " + tq(it.second.str) +
                      ", code = " + code + " }\n";
      routes_.push_back({r, where(s.pos), in ? -1 : 0, in ? "" : s.key, s.key, in ? cur_block_ : -1});
    }
    add(s.pos, caveat ? Verdict::caveat : Verdict::exact, s.key,
        caveat ? "redirect routes (match.target: the path and query, as lighttpd); a replacement uses %N, which needs a regex block around it"
               : "redirect routes matched first, on the path and query after the rewrites, as lighttpd");
  }

  std::string host_match(const Block* b) {
    if (!b || !b->cond || b->cond->object != "HTTP" || b->cond->field != "host") return "";
    // A regex block, or an == block using %N (which lighttpd then matches as a regex).
    if (b->cond->op == "=~" || uses_percent(*b)) return ", host_regex = " + tq(host_regex(*b));
    return ", host = " + tq(b->cond->value);
  }

  // alias.url: static routes with alias, in list order. In a block (`b`, its `match`): the
  // block's routes go ahead of the outer ones, which step aside where it matches (the caller
  // registers that), with the block's static options.
  void aliases(const Setting& s, const Block* b = nullptr, const std::string& match = "") {
    for (auto& it : s.value.items) {
      if (!it.first) continue;
      std::string r = "[[routes]]  # " + where(s.pos) + " alias.url\nname = \"alias_" + slug(*it.first) +
                      (b ? "_" + std::to_string(++route_seq_) : "") + "\"\nmatch = { prefix = " + tq(*it.first) +
                      (match.empty() ? "" : ", " + match) + " }\nstatic = { alias = " + tq(it.second.str) +
                      (b ? static_options(b) : "STATIC_OPTIONS") + " }\n";
      if (b) routes_.push_back({r, where(s.pos), 30 - 1 - extra_depth_, "", s.key, cur_block_});
      else routes_.push_back({r, where(s.pos), 30, s.key, s.key, -1});
    }
    add(s.pos, Verdict::exact, s.key,
        std::string("static routes with alias, first match in list order (prefix without segment boundary, as lighttpd)") +
            (b ? "; for the requests its block matches, ahead of the outer ones, which step aside there" : ""));
  }

  // One host entry of fastcgi.server / proxy.server: an address, or a worker spec.
  struct Host {
    std::string address;
    const Value* opts = nullptr;
  };

  // The per-host options of one fastcgi.server / proxy.server entry that become pool keys
  // (lighttpd sets them per host; a cutover pool has one value): the timeouts, reported one
  // by one; every option cutover does not know is reported, never dropped.
  std::string pool_options(const Value& list, const Setting& s, const std::string& what, bool fcgi) {
    static const std::set<std::string> kKnown = {
        "host", "port", "socket", "bin-path", "max-procs", "bin-environment", "bin-copy-environment", "check-local",
        "docroot", "fix-root-scriptname", "broken-scriptfilename", "strip-request-uri", "disable-time", "connect-timeout",
        "read-timeout", "write-timeout", "x-sendfile", "x-sendfile-docroot", "allow-x-send-file", "mode",
        "max-load-per-proc", "idle-timeout", "listen-backlog", "kill-signal", "min-procs"};
    static const std::vector<std::pair<const char*, const char*>> kTimes = {
        {"disable-time", "disable_time"}, {"connect-timeout", "connect_timeout"}, {"read-timeout", "read_timeout"}, {"write-timeout", "write_timeout"}};
    std::string lines;
    std::map<std::string, int64_t> first;
    bool first_host = true;
    for (auto& h : list.items) {
      const Value& o = h.second;
      if (o.kind != Value::Kind::array) continue;
      for (auto& [k, v] : o.items) {
        if (!k) continue;
        const Pos& at = v.pos.line ? v.pos : s.pos;
        if (!kKnown.count(*k) || (!fcgi && (*k == "bin-path" || *k == "check-local" || k->rfind("x-sendfile", 0) == 0 || *k == "mode"))) {
          add(at, Verdict::untranslated, what + " " + *k, "not a host option cutover translates; lighttpd's value is not kept");
          continue;
        }
        for (auto [opt, key] : kTimes) {
          if (*k != opt) continue;
          if (first_host) {
            first[opt] = v.num;
            // 0 means "no timeout" for lighttpd's read/write timeouts.
            if (v.num > 0 || *k == "disable-time") lines += std::string(key) + " = \"" + std::to_string(v.num) + "s\"\n";
            if (v.num > 0 || *k == "disable-time")
              add(at, Verdict::exact, what + " " + *k, std::string("pool ") + key + " = " + std::to_string(v.num) + " s");
            else
              add(at, Verdict::caveat, what + " " + *k, std::string("0 is no timeout in lighttpd; cutover keeps its default ") + key + " (set a large one)");
          } else if (first.count(opt) == 0 || first[opt] != v.num) {
            add(at, Verdict::caveat, what + " " + *k, "differs between the hosts of one entry: a cutover pool has one value, the first host's");
          }
        }
      }
      first_host = false;
    }
    return lines;
  }

  std::vector<Host> hosts_of(const Value& list, const Setting& s, bool fcgi, std::string& workers, const std::string& pool) {
    std::vector<Host> out;
    for (auto& h : list.items) {
      const Value& o = h.second;
      if (o.kind != Value::Kind::array) continue;
      Host host;
      host.opts = &o;
      const Value* sock = o.get("socket");
      const Value* hst = o.get("host");
      const Value* port = o.get("port");
      const Value* bin = o.get("bin-path");
      int64_t port_num = port ? number_of(*port) : 80;
      std::string spawned_at = sock ? "unix:" + sock->str : (hst ? hst->str : "127.0.0.1") + ":" + std::to_string(port_num);
      if (bin && fcgi) {
        // lighttpd runs one set of processes per bin-path and address, whichever entries name them.
        if (auto it = spawned_.find(spawned_at + " " + bin->str); it != spawned_.end()) {
          host.address = sock ? spawned_at + "-0" : spawned_at;
          out.push_back(host);
          add(bin->pos, Verdict::exact, "bin-path", "the processes pool " + it->second + " runs (same bin-path and address): one set, as lighttpd");
          continue;
        }
        spawned_[spawned_at + " " + bin->str] = pool;
        if (!workers.empty()) {
          add(s.pos, Verdict::caveat, s.key, "a second bin-path for pool " + pool + " is not supervised; only the first is");
          continue;
        }
        std::istringstream words(bin->str);
        std::vector<std::string> argv;
        for (std::string w; words >> w;) argv.push_back(w);
        int64_t procs = 4;
        if (const Value* m = o.get("max-procs")) procs = std::max<int64_t>(1, m->num);
        workers = "[pools." + pool + ".workers]  # " + where(bin->pos) + " bin-path\ncommand = " + tlist(argv) + "\n";
        if (sock) workers += "socket = " + tq(sock->str + "-{index}") + "\ncount = " + std::to_string(procs) + "\n";
        else if (port) {
          workers += "host = " + tq(hst ? hst->str : "127.0.0.1") + "\nports = [";
          for (int64_t i = 0; i < procs; ++i) workers += (i ? ", " : "") + std::to_string(port_num + i);
          workers += "]\n";
        }
        std::string dir = argv.empty() ? "" : argv[0].substr(0, argv[0].rfind('/'));
        if (!dir.empty() && argv[0].find('/') != std::string::npos) workers += "cwd = " + tq(dir) + "\n";
        if (const Value* env = o.get("bin-environment")) {
          workers += "env = {";
          bool first = true;
          for (auto& e : env->items)
            if (e.first) workers += std::string(first ? " " : ", ") + tq(*e.first) + " = " + tq(e.second.str), first = false;
          workers += " }\n";
        }
        if (const Value* ce = o.get("bin-copy-environment")) workers += "copy_env = " + tlist(strings_of(*ce)) + "\n";
        add(bin->pos, Verdict::exact, "bin-path", "supervised workers of pool " + pool + ": " + std::to_string(procs) +
                                                      " process(es), restarted on exit, rolling restarts");
        continue;
      }
      if (sock) host.address = "unix:" + sock->str;
      else if (hst && !hst->str.empty() && hst->str.front() == '/') host.address = "unix:" + hst->str;
      else host.address = (hst ? hst->str : "127.0.0.1") + ":" + std::to_string(port_num);
      out.push_back(host);
    }
    return out;
  }

  // A number lighttpd reads from a string too ("port" => env.PORT, whose value is text).
  static int64_t number_of(const Value& v) {
    if (v.kind == Value::Kind::integer) return v.num;
    char* end = nullptr;
    long long n = std::strtoll(v.str.c_str(), &end, 10);
    return !v.str.empty() && end && *end == '\0' ? int64_t(n) : 0;
  }

  // x-sendfile / allow-x-send-file with x-sendfile-docroot: the pool's x_sendfile. Without a
  // docroot lighttpd sends any file the app names; cutover needs directories, so it gets
  // the document root.
  std::string x_sendfile(const Value& o, const Setting& s) {
    bool on = false, b;
    const Value* at = nullptr;
    for (const char* k : {"x-sendfile", "allow-x-send-file"})
      if (const Value* v = o.get(k); v && parse_bool(*v, b)) on = on || b, at = v;
    if (!on) return "";
    Pos pos = at->pos.line ? at->pos : s.pos;
    std::vector<std::string> roots;
    if (const Value* d = o.get("x-sendfile-docroot")) roots = strings_of(*d);
    if (!roots.empty()) {
      add(pos, Verdict::exact, "fastcgi x-sendfile", "x_sendfile: X-Sendfile and X-LIGHTTPD-send-file for files under " +
                                                        std::to_string(roots.size()) + " director" + (roots.size() == 1 ? "y" : "ies") +
                                                        " (X-Sendfile2 is not honoured)");
      return "x_sendfile = " + tlist(roots) + "\n";
    }
    const Setting* root = c_.blocks[0].find("server.document-root");
    if (!root) {
      add(pos, Verdict::untranslated, "fastcgi x-sendfile", "without x-sendfile-docroot or server.document-root there is no directory to allow");
      return "";
    }
    add(pos, Verdict::caveat, "fastcgi x-sendfile", "no x-sendfile-docroot: lighttpd sends any file the app names; cutover only files under server.document-root " +
                                                     root->value.str + " (add directories to x_sendfile)");
    return "x_sendfile = " + tlist({root->value.str}) + "\n";
  }

  // Once per config: lighttpd answers a Range out of a backend's complete answer.
  void note_backend_ranges(const Setting& s) {
    if (backend_ranges_noted_) return;
    backend_ranges_noted_ = true;
    bool on = true;
    if (const Setting* rr = c_.blocks[0].find("server.range-requests")) parse_bool(rr->value, on);
    if (on)
      add(s.pos, Verdict::caveat, "server.range-requests",
          "lighttpd answers a Range request with 206 out of a backend's complete 200 answer too; cutover passes the backend's answer on as sent (ranges are cutover's for static files)");
  }
  bool backend_ranges_noted_ = false;

  void fastcgi(const Setting& s, const std::string& host_cond) {
    note_backend_ranges(s);
    std::string first_key;
    // lighttpd takes the first entry in order whose key matches (gw_check_extension), also when
    // that entry's check-local defers it to after the file check. A check-local entry's route
    // sorts after the routes of entries without it, so those step aside where it came first.
    std::vector<std::string> earlier_checked;  // patterns of the check-local entries so far
    for (auto& entry : s.value.items) {
      if (!entry.first) continue;
      const std::string& key = *entry.first;
      if (const Value* mode = entry_option(entry.second, "mode"); mode && mode->str != "responder") {
        // An authorizer decides who may see what something else serves: without it those
        // paths are denied (fail_closed), never served to everyone.
        add(mode->pos.line ? mode->pos : s.pos, Verdict::untranslated, "fastcgi.server \"" + key + "\"",
            "\"mode\" => \"" + mode->str + "\": only responders are translated");
        untranslated_entries_.insert({&s, key});
        continue;
      }
      std::string pool = "fcgi_" + slug(key);
      while (pool_names_.count(pool)) pool += "_2";
      pool_names_.insert(pool);
      std::string workers;
      std::vector<Host> hosts = hosts_of(entry.second, s, true, workers, pool);
      const Value* o = hosts.empty() ? nullptr : hosts[0].opts;
      if (!o)
        for (auto& h : entry.second.items)
          if (h.second.kind == Value::Kind::array) o = &h.second;
      pools_ += "[pools." + pool + "]  # " + where(entry.second.pos.line ? entry.second.pos : s.pos) + " fastcgi.server \"" + key + "\"\nprotocol = \"fastcgi\"\nbalancer = \"@FCGI_BALANCE@\"\n";
      if (!hosts.empty()) {
        std::vector<std::string> addrs;
        for (auto& h : hosts) addrs.push_back(h.address);
        pools_ += "backends = " + tlist(addrs) + "\n";
      }
      pools_ += pool_options(entry.second, s, "fastcgi.server \"" + key + "\"", true);
      if (o) pools_ += x_sendfile(*o, s);
      pools_ += workers + "\n";
      // The route: a prefix key or a suffix key.
      bool check_local = true;
      std::string fc = "key = " + tq(key);
      if (o) {
        bool b;
        if (const Value* v = o->get("check-local"); v && parse_bool(*v, b)) check_local = b;
        if (const Value* v = o->get("docroot")) {
          fc += ", docroot = " + tq(v->str);
          // lighttpd's file check stays under the request's own document root
          const Setting* dr = cur_block_ > 0 ? c_.blocks[size_t(cur_block_)].find("server.document-root") : nullptr;
          if (!dr) dr = c_.blocks[0].find("server.document-root");
          bool looks = check_local || (!key.empty() && key.front() != '/');  // a suffix key's path-info route looks too
          if (looks && dr && dr->value.str != v->str) fc += ", check_root = " + tq(dr->value.str);
        }
        if (const Value* v = o->get("fix-root-scriptname"); v && parse_bool(*v, b) && b) fc += ", fix_root_scriptname = true";
        if (const Value* v = o->get("broken-scriptfilename"); v && parse_bool(*v, b) && b) fc += ", broken_scriptfilename = true";
        if (const Value* v = o->get("strip-request-uri")) fc += ", strip_request_uri = " + tq(v->str);
        for (const char* ignored : {"max-load-per-proc", "idle-timeout", "listen-backlog", "kill-signal", "min-procs"})
          if (const Value* v = o->get(ignored))
            add(v->pos.line ? v->pos : s.pos, Verdict::caveat, std::string("fastcgi ") + ignored,
                "process tuning without an equivalent; the supervisor keeps max-procs processes");
      }
      if (check_local) fc += ", check_local = true";
      bool prefix = !key.empty() && key.front() == '/';
      // A suffix key with check-local matches the script found on disk, so "/index.php/x"
      // goes to PHP (PATH_INFO "/x"); without check-local the path itself must end in it.
      std::string tail = check_local ? "($|/)" : "$";
      std::string cond = host_cond;
      std::string match;
      if (!check_local && !earlier_checked.empty()) {
        std::string alts;
        for (auto& e : earlier_checked) alts += (alts.empty() ? "" : "|") + e;
        std::string own = "(?![\\s\\S]*?(?:" + alts + "))" +
                          (prefix ? regex_escape(key) : key.empty() ? "" : "[\\s\\S]*?" + regex_escape(key) + tail);
        match = anchored_match(own, cond);
      } else {
        match = prefix ? "prefix = " + tq(key) : (key.empty() ? "" : suffix_match(regex_escape(key) + tail, cond));
      }
      // (the first match is taken on the URL path: a suffix key must end it)
      if (check_local) earlier_checked.push_back(prefix ? "^" + regex_escape(key) : key.empty() ? "" : regex_escape(key) + "$");
      if (!cond.empty()) match += std::string(match.empty() ? "" : ", ") + cond;
      std::string r = "[[routes]]  # " + where(s.pos) + " fastcgi.server \"" + key + "\"\nname = \"" + pool + "\"\n" +
                      (match.empty() ? "" : "match = { " + match + " }\n") + "forward = \"" + pool + "\"\nfastcgi = { " + fc + " }\n";
      // Stage order (§1.7): check-local disabled claims at uri_clean, before alias/static;
      // check-local enabled runs after the file check, still before static files.
      routes_.push_back({r, where(s.pos), (check_local ? 20 : 10) - (host_cond.empty() ? 0 : 1) - extra_depth_,
                         host_cond.empty() ? s.key : "", s.key, cur_block_});
      if (!prefix && !key.empty() && !check_local) {
        // After the file check lighttpd matches a suffix key against the file found, so
        // "/x.php/extra" goes to this entry when x.php exists (PATH_INFO "/extra"), else 404.
        std::string pcond = host_cond;
        std::string pmatch = suffix_match(regex_escape(key) + "/", pcond);
        if (!pcond.empty()) pmatch += ", " + pcond;
        std::string r2 = "[[routes]]  # " + where(s.pos) + " fastcgi.server \"" + key + "\" (with path info, after the file check)\nname = \"" +
                         pool + "_pathinfo\"\nmatch = { " + pmatch + " }\nforward = \"" + pool + "\"\nfastcgi = { " + fc + ", check_local = true }\n";
        routes_.push_back({r2, where(s.pos), 20 - (host_cond.empty() ? 0 : 1) - extra_depth_, host_cond.empty() ? s.key : "", s.key, cur_block_});
      }
      if (first_key.empty()) first_key = key;
      if (const Setting* me = c_.blocks[0].find("fastcgi.map-extensions"); me && host_cond.empty())
        for (auto& m : me->value.items)
          if (m.first && m.second.str == key) {
            std::string r2 = "[[routes]]  # " + where(me->pos) + " fastcgi.map-extensions \"" + *m.first + "\"\nname = \"" + pool + "_" +
                             slug(*m.first) + "\"\nmatch = { regex = " + tq(regex_escape(*m.first) + tail) + " }\nforward = \"" + pool +
                             "\"\nfastcgi = { " + fc + " }\n";
            routes_.push_back({r2, where(me->pos), check_local ? 20 : 10, s.key});
          }
      std::string what = prefix ? "prefix " + key : (key.empty() ? "every path" : "paths ending in " + key);
      add(entry.second.pos.line ? entry.second.pos : s.pos, check_local ? Verdict::caveat : Verdict::exact, "fastcgi.server \"" + key + "\"",
          "pool " + pool + " and a route for " + what + " with lighttpd's CGI variables" +
              (check_local ? "; check-local (the default) is kept: the script must exist under the docroot, else 404 — "
                             "lighttpd checks after alias and rewrite-if-not-file, cutover when the route matches"
                           : ""));
    }
  }

  // An option of a fastcgi.server entry: its hosts are arrays of options (or one array).
  static const Value* entry_option(const Value& entry, const std::string& name) {
    if (const Value* v = entry.get(name)) return v;
    for (auto& h : entry.items)
      if (h.second.kind == Value::Kind::array)
        if (const Value* v = h.second.get(name)) return v;
    return nullptr;
  }

  // A suffix key (".php") inside a url block: one regex for both, the block's path regex as
  // a lookahead; `cond` loses its "regex = ..." part, which the combined regex replaces.
  std::string suffix_match(const std::string& suffix_re, std::string& cond) const {
    if (block_path_re_.empty()) return "regex = " + tq(suffix_re);
    std::string own = "regex = " + tq(block_path_re_);
    if (size_t at = cond.find(own); at != std::string::npos) {
      cond.erase(at, own.size());
      if (cond.rfind(", ", 0) == 0) cond.erase(0, 2);
      if (size_t c = cond.find(", , "); c != std::string::npos) cond.erase(c, 2);
      if (cond.size() >= 2 && cond.compare(cond.size() - 2, 2, ", ") == 0) cond.erase(cond.size() - 2);
    }
    return "regex = " + tq("^(?=[\\s\\S]*?(?:" + block_path_re_ + "))[\\s\\S]*?" + suffix_re);
  }
  // "regex = ^" + `own` (a pattern that matches from the path's start), inside the url block's
  // path regex when there is one (taken out of `cond`, as suffix_match does).
  std::string anchored_match(const std::string& own, std::string& cond) const {
    if (block_path_re_.empty()) return "regex = " + tq("^" + own);
    suffix_match("", cond);  // drops the block's own regex from cond
    return "regex = " + tq("^(?=[\\s\\S]*?(?:" + block_path_re_ + "))" + own);
  }
  std::string block_path_re_;  // set while a url block's fastcgi.server/proxy.server is translated

  void proxy(const Setting& s, const std::string& host_cond) {
    note_backend_ranges(s);
    for (auto& entry : s.value.items) {
      if (!entry.first) continue;
      const std::string& key = *entry.first;
      std::string pool = "proxy_" + slug(key);
      while (pool_names_.count(pool)) pool += "_2";
      pool_names_.insert(pool);
      std::string workers;
      std::vector<Host> hosts = hosts_of(entry.second, s, false, workers, pool);
      std::vector<std::string> addrs;
      for (auto& h : hosts) addrs.push_back(h.address);
      pools_ += "[pools." + pool + "]  # " + where(s.pos) + " proxy.server \"" + key + "\"\nbalancer = \"@PROXY_BALANCE@\"\nbackends = " + tlist(addrs) + "\n" +
                pool_options(entry.second, s, "proxy.server \"" + key + "\"", false) + "\n";
      bool prefix = !key.empty() && key.front() == '/';
      std::string cond = host_cond;
      std::string match = prefix ? "prefix = " + tq(key) : (key.empty() ? "" : suffix_match(regex_escape(key) + "$", cond));
      if (!cond.empty()) match += std::string(match.empty() ? "" : ", ") + cond;
      std::string r = "[[routes]]  # " + where(s.pos) + " proxy.server \"" + key + "\"\nname = \"" + pool + "\"\n" +
                      (match.empty() ? "" : "match = { " + match + " }\n") + "forward = \"" + pool + "\"\nPROXY_REWRITE";
      routes_.push_back({r, where(s.pos), (host_cond.empty() ? 10 : 9) - extra_depth_, host_cond.empty() ? s.key : "", s.key, cur_block_});
      add(entry.second.pos.line ? entry.second.pos : s.pos, Verdict::exact, "proxy.server \"" + key + "\"",
          "pool " + pool + " (HTTP/1.1, keep-alive) and a route; the backend gets the rewritten target, as mod_proxy sends it");
    }
  }

  // proxy.header, for every proxy route: the route's `map` (lighttpd's own mapping of the
  // target, the Host, and Location / Content-Location / Set-Cookie in answers).
  std::string proxy_map_;  // "urlpath = [...], host_request = [...]"
  std::string proxy_rewrite() const { return proxy_map_.empty() ? "" : "map = { " + proxy_map_ + " }\n"; }
  // A 1.5 rewrite-request/-response replacement knows only $0-$9; any other '$' and every
  // '%' is literal there, and must be escaped for cutover's lighttpd 1.4 replacement language.
  static std::string repl_15(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      bool digit_next = i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9';
      if (c == '%' || (c == '$' && !digit_next)) out += c;
      out += c;
    }
    return out;
  }

  void proxy_header(const Setting& s) {
    auto pairs = [&](const Value& v) {
      std::string list;
      for (auto& m : v.items)
        if (m.first) list += (list.empty() ? "" : ", ") + std::string("[") + tq(*m.first) + ", " + tq(m.second.str) + "]";
      return "[" + list + "]";
    };
    for (auto& it : s.value.items) {
      if (!it.first) continue;
      const std::string what = "proxy.header " + *it.first;
      if (*it.first == "map-urlpath" || *it.first == "map-host-request" || *it.first == "map-host-response") {
        std::string key = *it.first == "map-urlpath" ? "urlpath" : *it.first == "map-host-request" ? "host_request" : "host_response";
        proxy_map_ += (proxy_map_.empty() ? "" : ", ") + key + " = " + pairs(it.second);
        if (key == "urlpath") {
          bool empty_to = false;
          for (auto& m : it.second.items) empty_to = empty_to || (m.first && m.second.str.empty());
          add(s.pos, empty_to ? Verdict::caveat : Verdict::exact, what,
              std::string("map.urlpath on the proxy routes: the first key that is a byte prefix of the target is replaced; ") +
                  "Location, Content-Location and the Path of a Set-Cookie are mapped back (any host, as 1.4.69 does)" +
                  (empty_to ? "; where the mapped path is empty lighttpd sent an empty request target, cutover sends \"/\"" : ""));
        } else if (key == "host_request") {
          add(s.pos, Verdict::exact, what, "map.host_request on the proxy routes: the Host the backend gets (\"-\" key: any other Host)");
        } else {
          add(s.pos, Verdict::exact, what,
              "map.host_response on the proxy routes: hosts in Location, Content-Location and the Domain of a Set-Cookie (\"-\" value: the client's Host)");
        }
      } else if (*it.first == "upgrade") {
        add(s.pos, Verdict::exact, what, "cutover passes Upgrade (WebSocket) through always");
      } else if (*it.first == "https-remap") {
        add(s.pos, Verdict::caveat, what,
            "no effect: cutover's clients speak plain HTTP, so no http:// Location is turned into https:// (a TLS terminator in front must do it)");
      } else if (*it.first == "force-http10") {
        add(s.pos, Verdict::caveat, what, "cutover speaks HTTP/1.1 to backends, with keep-alive");
      } else {
        add(s.pos, Verdict::untranslated, what, "not supported");
      }
    }
  }

  // lighttpd 1.5 mod_proxy_core (§6): one pool and one route for a block with backends.
  void proxy_core(const Block& b, const std::string& match, const std::string& what) {
    const Setting* backends = b.find("proxy-core.backends");
    std::string protocol = "http";
    if (const Setting* p = b.find("proxy-core.protocol")) {
      protocol = p->value.str;
      if (protocol != "http" && protocol != "fastcgi") {
        add(p->pos, Verdict::untranslated, p->key, "protocol \"" + protocol + "\": cutover speaks http and fastcgi");
        return;
      }
      add(p->pos, Verdict::exact, p->key, protocol);
    } else {
      add(backends->pos, Verdict::caveat, "proxy-core.protocol", "missing (lighttpd 1.5 answers 500); http assumed");
    }
    std::string pool = "core_" + std::to_string(pool_names_.size() + 1);
    pool_names_.insert(pool);
    std::string balance = "round-robin";
    if (const Setting* bl = b.find("proxy-core.balancer")) balance = balancer(*bl);
    else add(backends->pos, Verdict::caveat, "proxy-core.balancer", "unset: lighttpd 1.5 picks at random (its \"round-robin\"); cutover uses round-robin");
    std::vector<std::string> addrs;
    for (auto& a : strings_of(backends->value)) addrs.push_back(a.find(':') == std::string::npos || (a.front() == '[' && a.back() == ']') ? a + ":80" : a);
    pools_ += "[pools." + pool + "]  # " + where(backends->pos) + " proxy-core.backends\n" +
              (protocol == "fastcgi" ? "protocol = \"fastcgi\"\n" : "") + "balancer = \"" + balance + "\"\n" + (balance == "hash" ? "hash_key = \"path+host\"\n" : "") + "backends = " + tlist(addrs) + "\n";
    add(backends->pos, Verdict::exact, "proxy-core.backends", std::to_string(addrs.size()) + " backend(s) in pool " + pool + " for " + what);
    if (const Setting* m = b.find("proxy-core.max-pool-size")) {
      pools_ += "max_conns = " + std::to_string(m->value.num) + "\n";
      add(m->pos, Verdict::exact, m->key, "max_conns = " + std::to_string(m->value.num) + " per backend (requests beyond wait in the queue)");
    } else {
      add(backends->pos, Verdict::caveat, "proxy-core.max-pool-size",
          "unset: lighttpd 1.5 allowed 1 connection per backend and no keep-alive; cutover keeps connections alive without a cap (add max_conns = 1 to copy the old limit)");
    }
    if (const Setting* m = b.find("proxy-core.max-backlog-size")) add(m->pos, Verdict::caveat, m->key, "requeues have no equivalent; cutover's bounded queue (queue, queue_timeout) answers 503 when full");
    if (const Setting* m = b.find("proxy-core.max-keep-alive-requests")) add(m->pos, Verdict::caveat, m->key, "cutover reuses backend connections while they stay healthy (pool keepalive)");
    if (const Setting* m = b.find("proxy-core.disable-time")) {
      pools_ += "disable_time = \"" + std::to_string(m->value.num) + "s\"\n";
      add(m->pos, Verdict::exact, m->key, "disable_time");
    }
    if (const Setting* m = b.find("proxy-core.allow-x-sendfile")) {
      bool on = false;
      parse_bool(m->value, on);
      const Setting* root = b.find("server.document-root");
      if (!root) root = c_.blocks[0].find("server.document-root");
      if (!on) {
        add(m->pos, Verdict::exact, m->key, "off: X-Sendfile is passed on like any other field");
      } else if (protocol != "fastcgi") {
        add(m->pos, Verdict::untranslated, m->key, "X-Sendfile from an HTTP backend is not honoured (only FastCGI pools have x_sendfile)");
      } else if (!root) {
        add(m->pos, Verdict::untranslated, m->key, "no server.document-root to allow files under");
      } else {
        pools_ += "x_sendfile = " + tlist({root->value.str}) + "\n";
        add(m->pos, Verdict::caveat, m->key, "x_sendfile: lighttpd 1.5 sends any file the app names; cutover only files under server.document-root " +
                                                 root->value.str + " (add directories to x_sendfile); X-LIGHTTPD-send-tempfile is not honoured");
      }
    }
    pools_ += "\n";
    // rewrite-request / rewrite-response (§6.3): one regex => replacement per key; the whole
    // value becomes the replacement. Header keys match the field name exactly in 1.5.
    std::string rewrite;
    auto pair_of = [](const ValueItem& it) -> const ValueItem* {
      const ValueItem* pair = nullptr;
      for (auto& x : it.second.items) pair = &x;
      return pair && pair->first ? pair : nullptr;
    };
    if (const Setting* rr = b.find("proxy-core.rewrite-request")) {
      std::string uri, fields, cgi;
      for (auto& it : rr->value.items) {
        if (!it.first) continue;
        const ValueItem* pair = pair_of(it);
        const std::string what = "proxy-core.rewrite-request " + *it.first;
        if (!pair) {
          add(rr->pos, Verdict::untranslated, what, "expected ( \"regex\" => \"replacement\" )");
        } else if (*it.first == "_uri") {
          uri = "uri = [" + tq(*pair->first) + ", " + tq(repl_15(pair->second.str)) + "]";
          add(rr->pos, Verdict::exact, what, "rewrite_request.uri: the whole target becomes the replacement, as in 1.5");
        } else if (*it.first == "_scriptname" || *it.first == "_pathinfo" || *it.first == "_docroot") {
          const char* var = *it.first == "_scriptname" ? "SCRIPT_NAME" : *it.first == "_pathinfo" ? "PATH_INFO" : "DOCUMENT_ROOT";
          if (protocol != "fastcgi") {
            add(rr->pos, Verdict::caveat, what, std::string("dropped: ") + var + " exists only for a FastCGI backend; this one speaks " + protocol);
            continue;
          }
          cgi += (cgi.empty() ? "" : ", ") + std::string("['") + var + "', " + tq(*pair->first) + ", " + tq(repl_15(pair->second.str)) + "]";
          add(rr->pos, Verdict::exact, what,
              std::string("rewrite_request.cgi ") + var + ": the whole value becomes the replacement, in the order written" +
                  (*it.first == "_docroot" ? "; SCRIPT_FILENAME follows the new docroot" : "; a SCRIPT_NAME rewrite is the path later entries read"));
        } else if (!it.first->empty() && it.first->front() == '_') {
          add(rr->pos, Verdict::untranslated, what, "not a rewrite-request key of 1.5 (_uri, _docroot, _pathinfo, _scriptname or a header name)");
        } else {
          fields += (fields.empty() ? "" : ", ") + tq(*it.first) + " = [" + tq(*pair->first) + ", " + tq(repl_15(pair->second.str)) + "]";
          add(rr->pos, Verdict::caveat, what, "rewrite_request.headers: a present field's whole value becomes the replacement, as in 1.5; the name matches without case (1.5 compared it exactly)");
        }
      }
      std::string parts = uri;
      if (!fields.empty()) parts += (parts.empty() ? "" : ", ") + std::string("headers = { ") + fields + " }";
      if (!cgi.empty()) parts += (parts.empty() ? "" : ", ") + std::string("cgi = [") + cgi + "]";
      if (!parts.empty()) rewrite += "rewrite_request = { " + parts + " }\n";
    }
    if (const Setting* rr = b.find("proxy-core.rewrite-response")) {
      std::string fields;
      for (auto& it : rr->value.items) {
        if (!it.first) continue;
        const ValueItem* pair = pair_of(it);
        const std::string what = "proxy-core.rewrite-response " + *it.first;
        if (!pair) {
          add(rr->pos, Verdict::untranslated, what, "expected ( \"regex\" => \"replacement\" )");
          continue;
        }
        fields += (fields.empty() ? "" : ", ") + tq(*it.first) + " = [" + tq(*pair->first) + ", " + tq(repl_15(pair->second.str)) + "]";
        add(rr->pos, Verdict::caveat, what, "rewrite_response.headers: the backend's field gets the replacement as its whole value, as in 1.5; the name matches without case (1.5 compared it exactly)");
      }
      if (!fields.empty()) rewrite += "rewrite_response = { headers = { " + fields + " } }\n";
    }
    if (const Setting* m = b.find("proxy-core.allow-x-rewrite"))
      add(m->pos, Verdict::untranslated, m->key, "X-Rewrite-URI/-Host/-Backend from the backend are not honoured");
    for (const char* k : {"proxy-core.check-local", "proxy-core.split-hostnames", "proxy-core.debug"})
      if (const Setting* m = b.find(k)) add(m->pos, Verdict::exact, m->key, "no effect (ignored by 1.5's final trunk, or addresses are given directly)");
    std::string r = "[[routes]]  # " + where(b.cond ? b.cond->pos : backends->pos) + " proxy-core\nname = \"" + pool + "\"\n" +
                    (match.empty() ? "" : "match = { " + match + " }\n") + "forward = \"" + pool + "\"\n" + rewrite;
    routes_.push_back({r, where(backends->pos), 10});
  }

  // `==` tolerates a port; with %N inside, lighttpd turns it into an unescaped anchored
  // regex (the §2 trap), which is what is copied then, with a caveat.
  bool uses_percent(const Block& b) const {
    for (auto& s : b.settings)
      if (s.key.rfind("url.rewrite", 0) == 0 || s.key == "url.redirect")
        for (auto& it : s.value.items)
          if (has_percent_capture(it.second.str)) return true;
    return false;
  }
  std::string host_regex(const Block& b) const {
    if (b.cond->op == "=~") return b.cond->value;
    if (uses_percent(b)) return "^" + b.cond->value + "$";
    return "^" + regex_escape(b.cond->value) + "(:[0-9]+)?$";
  }
  // A top-level $HTTP["host"] == / =~ block, or a link of an else chain made of them (the
  // last link may be a bare else); `earlier` receives the blocks before it in the chain.
  bool host_chain(const Block& b, std::vector<const Block*>& earlier) const {
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
  static std::string url_regex(const Condition& c) {
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
  Pos block_pos(const Block& b) const {
    if (b.cond) return b.cond->pos;
    if (!b.settings.empty()) return b.settings[0].pos;
    if (b.else_of >= 0) return block_pos(c_.blocks[size_t(b.else_of)]);
    if (b.parent > 0) return block_pos(c_.blocks[size_t(b.parent)]);
    return Pos{};
  }

  bool nested(const Block& b) {
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
        route_excl_[s.key].push_back({host_re, re, cur_block_, when});
        fastcgi(s, hc);
      } else if (s.key == "proxy.server" && loaded("mod_proxy")) {
        route_excl_[s.key].push_back({host_re, re, cur_block_, when});
        proxy(s, hc);
      } else if (server_key_rule(s, hc, p.cond->text() + " and " + cond)) {
      } else if (s.key == "alias.url" && loaded("mod_alias")) {
        route_excl_[s.key].push_back({host_re, re, cur_block_, when});
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
  static std::string when_of(const Condition& c, bool flip = false) {
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

  // The condition chain of a block at any depth — each ancestor's condition, and the
  // negation of every earlier link of each one's else chain — as a route's match: the Host
  // (`host` for one ==, else Host field conditions), the path (lookaheads, negative for a
  // failed link), the other request fields (`when`). nullopt when a link cannot be said.
  // A block's condition chain as literals: each block of it holds, and every earlier link of
  // each one's else chain fails.
  using Literal = std::pair<const Condition*, bool>;  // (condition, must be false)
  std::vector<Literal> chain_literals(size_t bi) const {
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
  std::optional<bool> scheme_holds(const Condition& c, bool flip) const {
    if (c.object != "HTTP" || c.field != "scheme" || (c.op != "==" && c.op != "!=")) return std::nullopt;
    if (c_.blocks[0].find("extforward.forwarder") && loaded("mod_extforward")) return std::nullopt;
    return ((c.value == "http") == (c.op == "==")) != flip;
  }
  // A url literal as a lookahead on the path (negative for a failed link).
  static std::string path_lookahead(const Condition& c, bool flip) {
    return std::string(flip ? "(?![\\s\\S]*?(?:" : "(?=[\\s\\S]*?(?:") + url_regex(c) + "))";
  }
  // A host literal as a Host field condition, any case, an optional port after the name.
  static std::string host_literal(const Condition& c, bool flip) {
    bool neg = (c.op == "!=" || c.op == "!~") != flip;
    std::string re = c.op == "=~" || c.op == "!~" ? c.value
                     : c.op == "=^"               ? "^" + regex_escape(c.value)
                     : c.op == "=$"               ? regex_escape(c.value) + "(:[0-9]+)?$"
                                                  : "^" + regex_escape(c.value) + "(:[0-9]+)?$";
    return "{ header = \"Host\", regex = " + tq("(?i)" + re) + (neg ? ", negate = true" : "") + " }";
  }

  struct ChainMatch {
    std::string match;      // "host = …, regex = …, when = [...]"
    Exclusion excl;         // the same, as an exclusion for earlier blocks of the same key
    bool has_path = false, has_host = false;
    bool never = false;     // the chain cannot hold on cutover's listeners
    std::string path_re;    // the path part of `match` ("" none): the regex handlers combine with their keys
  };
  std::optional<ChainMatch> chain_match(size_t bi) const { return chain_match_of(chain_literals(bi), bi); }
  // The same for any list of literals (several blocks' chains at once: they must all hold).
  std::optional<ChainMatch> chain_match_of(const std::vector<Literal>& literals, size_t bi) const {
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
  int depth_of(size_t bi) const {
    int d = 0;
    for (int b = c_.blocks[bi].parent; b > 0; b = c_.blocks[size_t(b)].parent) ++d;
    return d;
  }

  // Any block the shapes above do not cover, at any depth, through chain_match(). False
  // when its chain cannot be said (the caller reports it; fail_closed() guards it).
  bool general_block(const Block& b) {
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
          routes_.push_back({r, where(st.pos), -1 - extra_depth_, "", st.key, int(bi)});
        }
        route_excl_[st.key].push_back(cm->excl);
        add(st.pos, Verdict::exact, st.key, "redirect routes with the block's match, ahead of the outer ones, which step aside for those requests");
      } else if (server_key_rule(st, cm->match, cond)) {
      } else if (st.key == "alias.url") {
        route_excl_[st.key].push_back(cm->excl);
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
        route_excl_[st.key].push_back(cm->excl);
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

  // ---- keys compiled over the whole tree ----
  // Every block (0: the global one) that sets `key`, in lighttpd's context order.
  struct Ctx {
    size_t block;
    const Setting* s;
  };
  std::vector<Ctx> contexts(const std::string& key) {
    std::vector<Ctx> out;
    for (size_t bi = 0; bi < c_.blocks.size(); ++bi)
      if (const Setting* st = c_.blocks[bi].find(key))
        if (active(*st)) out.push_back({bi, st});
    return out;
  }
  // Where one value of a key is in effect: its block's chain holds and no later block of the
  // same key holds (lighttpd's last matching block wins). `none`: no block of it holds.
  struct Choice {
    const Ctx* ctx = nullptr;  // nullptr: the key is unset for these requests
    std::vector<size_t> later;  // blocks whose chain must not hold
  };
  static std::vector<Choice> choices(const std::vector<Ctx>& ctxs) {
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
  std::optional<std::string> choices_match(const std::vector<const Choice*>& cs, const std::string& extra = "") const {
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
  static bool one_host(const std::vector<Literal>& lits, std::optional<std::string>& host) {
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
  std::string where_ctx(const Choice& c, const Pos& near) const {
    if (!c.ctx) return "none";
    const Pos& p = c.ctx->s->pos;
    return p.file == near.file ? "line " + std::to_string(p.line) : where(p);
  }

  // mod_auth: auth.require, auth.backend and the backend's user file are three keys, each
  // with the value of its last matching block. Each combination of their blocks is an
  // [[auth]] area per auth.require entry, whose match is all three chains, less the later
  // blocks of each key. A combination lighttpd answers 500 for (no backend, a backend that
  // cannot check the method) or that cutover cannot check is denied (403).
  void compile_auth() {
    if (!loaded("mod_auth")) {
      for (const Block& b : c_.blocks)
        for (const Setting& st : b.settings)
          if (st.key == "auth.require" || st.key.rfind("auth.backend", 0) == 0)
            add(st.pos, Verdict::exact, st.key, "mod_auth is not in server.modules: no effect in lighttpd, none here");
      return;
    }
    std::vector<Ctx> reqs = contexts("auth.require"), backends = contexts("auth.backend");
    if (reqs.empty()) return;
    std::vector<Choice> rchoices = choices(reqs), bchoices = choices(backends);
    std::set<const Setting*> used;
    for (const Choice& rc : rchoices) {
      if (!rc.ctx) continue;  // no auth.require: nothing to check
      const Setting& rs = *rc.ctx->s;
      bool said = true;
      std::map<std::string, std::set<std::string>> problems;  // entry -> why some combinations are denied
      for (const Choice& bc : bchoices) {
        std::string backend = bc.ctx ? bc.ctx->s->value.str : "";
        std::string file_key = "auth.backend." + backend + ".userfile";
        std::vector<Ctx> files = backend.empty() ? std::vector<Ctx>{} : contexts(file_key);
        std::vector<Choice> fchoices = choices(files);
        for (const Choice& fc : fchoices) {
          std::optional<std::string> m = choices_match({&rc, &bc, &fc});
          if (!m) {
            said = false;
            continue;
          }
          if (*m == "never") continue;
          if (bc.ctx) used.insert(bc.ctx->s);
          if (fc.ctx) used.insert(fc.ctx->s);
          for (auto& it : rs.value.items) {
            if (!it.first) continue;
            std::string origin = where(rs.pos) + " auth.require \"" + *it.first + "\" (backend " + where_ctx(bc, rs.pos) + ", file " + where_ctx(fc, rs.pos) + ")";
            std::string problem = auth_area(*it.first, it.second, backend, fc.ctx ? fc.ctx->s : nullptr, *m, origin, rc.ctx->block);
            if (!problem.empty()) {  // an area that admits nobody, checked where lighttpd's auth is
              auth_ += "[[auth]]  # " + origin + ": " + problem + "\nprefix = " + tq(it.first->empty() ? "/" : *it.first) +
                       "\nrefuse = true\n" + (m->empty() ? "" : "match = { " + *m + " }\n") + "\n";
              problems[*it.first].insert(problem);
            }
          }
        }
      }
      if (!said) {
        add(rs.pos, Verdict::untranslated, rs.key, "a condition of its block, or of an auth.backend block, cannot be said in cutover's match");
        continue;
      }
      for (auto& [entry, why] : problems) {
        std::string list;
        for (const std::string& w : why) list += (list.empty() ? "" : "; ") + w;
        add(rs.pos, Verdict::caveat, "auth.require \"" + entry + "\"",
            "for the requests where " + list + ": denied (403) there (the [[auth]] areas with refuse = true say where)");
      }
      add(rs.pos, Verdict::exact, rs.key,
          "[[auth]] areas for its entries, one per combination of the auth.backend and user-file blocks that can be in effect with it "
          "(each key the value of its last matching block, as lighttpd); checked before every route, on the path before and after the rewrites");
    }
    for (const Block& b : c_.blocks)
      for (const Setting& st : b.settings)
        if (st.key.rfind("auth.backend", 0) == 0 && st.key != "auth.backend.plain.groupfile" && st.key != "auth.backend.htpasswd.groupfile")
          add(st.pos, used.count(&st) ? Verdict::exact : Verdict::caveat, st.key,
              used.count(&st) ? "the user file of the [[auth]] areas where it is in effect"
                              : "in effect for no auth.require (a backend or file no protected path uses)");
        else if (st.key.rfind("auth.backend", 0) == 0)
          add(st.pos, Verdict::exact, st.key, "lighttpd 1.4's file backends never admit by group (group= in require admits nobody); nothing to read");
  }
  // One [[auth]] area; "" written, else why lighttpd (or cutover) cannot check it here.
  std::string auth_area(const std::string& key, const Value& o, const std::string& backend, const Setting* file,
                        const std::string& match, const std::string& origin, size_t req_block) {
    const Value* method = o.get("method");
    std::string m = method ? method->str : "basic";
    if (m != "basic" && m != "digest") return "method \"" + m + "\" is not supported";
    if (backend.empty()) return "no auth.backend is in effect (lighttpd answers 500)";
    if (backend != "htpasswd" && backend != "plain" && backend != "htdigest") return "auth.backend \"" + backend + "\" is not supported";
    if (!file || file->value.str.empty()) return "no auth.backend." + backend + ".userfile is in effect (lighttpd answers 500)";
    if (m == "digest" && backend == "htpasswd") return "an htpasswd backend cannot check a digest (lighttpd answers 500)";
    std::string kept;
    bool dropped = false;
    for (const std::string& part : split_bars(o.get("require") ? o.get("require")->str : "valid-user")) {
      if (part.rfind("group=", 0) == 0) dropped = true;  // group= admits nobody with lighttpd 1.4's file backends
      else if (!part.empty()) kept += (kept.empty() ? "" : "|") + part;
    }
    if (kept.empty()) kept = "host=-";  // admits nobody, as lighttpd's group= alone
    std::string t = "[[auth]]  # " + origin + "\nprefix = " + tq(key.empty() ? "/" : key) + "\n" + backend + " = " + tq(file->value.str) + "\n";
    if (m == "digest") t += "scheme = \"digest\"\n";
    if (const Value* r = o.get("realm")) t += "realm = " + tq(r->str) + "\n";
    if (dropped) t += "# group= left out: lighttpd 1.4's file backends admit nobody by group\n";
    t += "require = " + tq(kept) + "\n";
    if (const Value* a = o.get("algorithm"); a && m == "digest") {
      std::vector<std::string> algs;
      for (std::string x : split_bars(a->str)) {
        std::transform(x.begin(), x.end(), x.begin(), ::toupper);
        if (x == "MD5" || x == "SHA-256") algs.push_back(x);
        else return "digest algorithm \"" + x + "\" is not supported";
      }
      if (backend == "htdigest" && std::find(algs.begin(), algs.end(), "SHA-256") != algs.end())
        return "an htdigest file holds MD5 only (SHA-256 asked)";
      t += "algorithm = " + tlist(algs) + "\n";
    }
    if (const Value* n = o.get("nonce_secret") ? o.get("nonce_secret") : o.get("nonce-secret")) t += "nonce_secret = " + tq(n->str) + "\n";
    if (force_lowercase_in(req_block)) t += "ignore_case = true\n";  // lighttpd then compares the prefix without case
    if (!match.empty()) t += "match = { " + match + " }\n";
    auth_ += t + "\n";
    return "";
  }
  // lighttpd's "a|b|c" lists (auth.require's require and algorithm).
  static std::vector<std::string> split_bars(const std::string& v) {
    std::vector<std::string> out;
    for (size_t pos = 0;;) {
      size_t bar = v.find('|', pos);
      out.push_back(v.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos));
      if (bar == std::string::npos) return out;
      pos = bar + 1;
    }
  }
  bool force_lowercase_in(size_t bi) const {
    const Setting* lc = c_.blocks[bi].find("server.force-lowercase-filenames");
    bool on = false;
    return lc && parse_bool(lc->value, on) && on;
  }

  // mod_status: status.status-url / config-url / statistics-url, each the value of its last
  // matching block: a route that answers that exact path with cutover's page, ahead of the
  // others (lighttpd answers them before any handler).
  void compile_status_pages() {
    for (const char* key : {"status.status-url", "status.config-url", "status.statistics-url", "status.enable-sort"}) {
      std::vector<Ctx> ctxs = contexts(key);
      std::vector<Choice> cs = choices(ctxs);
      for (const Choice& c : cs) {
        if (!c.ctx) continue;
        const Setting& st = *c.ctx->s;
        if (std::string(key) == "status.enable-sort") {
          add(st.pos, Verdict::exact, key, "the status page's tables are not sortable: presentation only");
          continue;
        }
        if (!loaded("mod_status")) {
          add(st.pos, Verdict::exact, key, "mod_status is not loaded: no effect, as in lighttpd");
          continue;
        }
        if (std::string(key) == "status.statistics-url") {
          add(st.pos, Verdict::untranslated, key, "lighttpd's module counters have no cutover equivalent");
          continue;
        }
        if (st.value.str.empty()) continue;
        std::optional<std::string> m = choices_match({&c}, "regex = " + tq("^" + regex_escape(st.value.str) + "$"));
        if (!m) {
          add(st.pos, Verdict::untranslated, key, "a condition of its block cannot be said in cutover's match");
          continue;
        }
        if (*m == "never") continue;
        std::string page = std::string(key) == "status.config-url" ? "config" : "status";
        std::string r = "[[routes]]  # " + where(st.pos) + " " + key + "\nname = \"status_" + std::to_string(++route_seq_) +
                        "\"\nmatch = { " + *m + " }\nstatus_page = \"" + page + "\"\n";
        routes_.push_back({r, where(st.pos), -1000, "", key, int(c.ctx->block)});
        add(st.pos, Verdict::caveat, key,
            "a route answering cutover's " + page + " page on that path" +
                (page == "status" ? " (HTML; ?auto and ?json with lighttpd's names: Total Accesses, Uptime, BusyServers, IdleServers; no Total kBytes)"
                                  : " (the configuration in effect, as `cutover check` prints it)") +
                ": the same URL and the same use, not lighttpd's page");
      }
    }
  }

  // Fail closed: a restriction (or a handler that runs what the path names) that was not
  // translated must not leave its paths served more openly than lighttpd would. For each,
  // an independent [[deny]] rule refuses (403) what it governed, in the scope of its block's
  // conditions; a condition that cannot be said is left out, which widens the denial.
  void fail_closed() {
    for (size_t bi = 0; bi < c_.blocks.size(); ++bi)
      for (const Setting& st : c_.blocks[bi].settings) {
        static const std::set<std::string> kGuards = {"auth.require", "url.access-deny", "cgi.assign", "scgi.server",
                                                      "fastcgi.server", "proxy.server", "secdownload.uri-prefix",
                                                      "ssi.extension", "mod_magnet"};
        if (!kGuards.count(st.key)) continue;
        if (std::string m = module_of(st.key); !m.empty() && !loaded(m)) continue;  // no effect in lighttpd either
        bool whole = untranslated_at(st, st.key);
        std::optional<std::string> in_scope = deny_scope(bi);
        if (!in_scope) continue;  // its block never applies to cutover's listeners
        const std::string& scope = *in_scope;
        std::vector<std::string> prefixes, suffixes;
        if (!whole && (st.key == "url.access-deny" || st.key == "secdownload.uri-prefix" || st.key == "ssi.extension")) continue;
        if (st.key == "url.access-deny") suffixes = strings_of(st.value);
        else if (st.key == "secdownload.uri-prefix") prefixes.push_back(st.value.str);
        else if (st.key == "ssi.extension") suffixes = strings_of(st.value);
        else
          for (auto& it : st.value.items) {
            if (!it.first || (!whole && !untranslated_entries_.count({&st, *it.first}))) continue;
            if (st.key == "auth.require" || (!it.first->empty() && it.first->front() == '/')) prefixes.push_back(*it.first);
            else suffixes.push_back(*it.first);  // an extension key (".pl", ".php"); "" is every path
          }
        std::string origin = where(st.pos) + " " + st.key + " (not translated: denied)";
        for (const std::string& px : prefixes) {
          std::string m = px.empty() || px == "/" ? scope : "prefix = " + tq(px) + (scope.empty() ? "" : ", " + scope);  // "": every path
          closed_rules_ += "[[deny]]  # " + origin + "\n" + (m.empty() ? "" : "match = { " + m + " }\n") +
                           "suffixes = [\"\"]\nindependent = true\n\n";
        }
        if (!suffixes.empty())
          closed_rules_ += "[[deny]]  # " + origin + "\n" + (scope.empty() ? "" : "match = { " + scope + " }\n") +
                           "suffixes = " + tlist(suffixes) + "\nindependent = true\n\n";
        if (prefixes.empty() && suffixes.empty()) continue;
        std::string what;
        for (auto& x : prefixes) what += (what.empty() ? "" : ", ") + x + "…";
        for (auto& x : suffixes) what += (what.empty() ? "" : ", ") + std::string("*") + x;
        add(st.pos, Verdict::untranslated, st.key, "fail closed: what it governed (" + what + ")" +
                                                        (scope.empty() ? "" : " where its block's conditions hold") +
                                                        " is denied (403) rather than served without it");
      }
  }
  // server.force-lowercase-filenames: lighttpd matches a lower-cased path, so /IMAGE.JPG meets
  // the block's ".jpg" denial and "/image.jpg" auth. cutover does not lower-case; those
  // restrictions also deny every other spelling (case-insensitive, 403).
  void lowercase_closed() {
    for (size_t bi = 0; bi < c_.blocks.size(); ++bi) {
      const Block& b = c_.blocks[bi];
      const Setting* lc = b.find("server.force-lowercase-filenames");
      bool on = false;
      if (!lc || !parse_bool(lc->value, on) || !on) continue;
      std::vector<std::string> res;
      for (const char* k : {"url.access-deny", "static-file.exclude-extensions"})
        if (const Setting* st = b.find(k))
          for (auto& x : strings_of(st->value))
            if (!x.empty()) res.push_back("(?i)" + regex_escape(x) + "$");
      if (const Setting* st = b.find("auth.require"); st && untranslated_at(*st, st->key))  // else its areas ignore case
        for (auto& it : st->value.items)
          if (it.first && !it.first->empty()) res.push_back("(?i)^" + regex_escape(*it.first));
      for (const std::string& re : res)
        if (std::optional<std::string> scope = deny_scope(bi, re))
          closed_rules_ += "[[deny]]  # " + where(lc->pos) + " server.force-lowercase-filenames (every spelling)\nmatch = { " + *scope +
                           " }\nsuffixes = [\"\"]\nindependent = true\n\n";
      add(lc->pos, Verdict::caveat, lc->key, "cutover does not lower-case paths: this block's denials and auth areas deny every spelling (403) instead");
    }
  }

  // Whether the report says `directive` (the setting's key, or one entry: `key "entry"`)
  // of this setting was not translated.
  bool untranslated_at(const Setting& st, const std::string& directive) const {
    for (const ReportLine& l : t_.report)
      if (l.verdict == Verdict::untranslated && l.directive == directive && l.pos.file == st.pos.file &&
          (directive != st.key || l.pos.line == st.pos.line))
        return true;
    return false;
  }
  // The match of a block's condition chain that cutover can say (host, path, request
  // fields); what it cannot (else links, scheme, socket) is left out: wider, never narrower.
  // nullopt: the chain can never hold (a scheme of https on plain-HTTP listeners).
  std::optional<std::string> deny_scope(size_t bi, const std::string& also_path = "") const {
    std::string path_re = also_path.empty() ? "" : "(?=[\\s\\S]*?(?:" + also_path + "))", when;
    for (auto [cp, flip] : chain_literals(bi)) {
      const Condition& c = *cp;
      std::string w;
      if (std::optional<bool> holds = scheme_holds(c, flip)) {
        if (!*holds) return std::nullopt;
      } else if (c.object == "HTTP" && c.field == "url") {
        path_re = path_lookahead(c, flip) + path_re;
      } else if (c.object == "HTTP" && c.field == "host") {
        w = host_literal(c, flip);
      } else {
        w = when_of(c, flip);
      }
      if (!w.empty()) when += std::string(when.empty() ? "" : ", ") + w;
    }
    std::string out;
    if (!path_re.empty()) out = "regex = " + tq("^" + path_re);
    if (!when.empty()) out += std::string(out.empty() ? "" : ", ") + "when = [" + when + "]";
    return out;
  }

  // Server keys a block may set for the requests it matches (lighttpd's last matching block
  // wins per key): server.tag and the error handlers, as a [[headers]] rule. False: not one.
  bool server_key_rule(const Setting& st, const std::string& match, const std::string& cond) {
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
      if (!v.empty()) header_rules_ += "[[headers]]  # " + where(st.pos) + " " + cond + "\nmatch = { " + match + " }\n" + key + " = " + v + "\n\n";
      return true;
    }
    if (st.key != "server.tag" && !st.value.str.empty() && st.value.str.front() != '/') {
      add(st.pos, Verdict::untranslated, st.key, "\"" + st.value.str + "\": only a local path is translated");
      return true;
    }
    header_rules_ += "[[headers]]  # " + where(st.pos) + " " + cond + "\nmatch = { " + match + " }\n" + key + " = " + tq(st.value.str) + "\n\n";
    add(st.pos, Verdict::exact, st.key,
        std::string("a [[headers]] rule: ") +
            (st.key == "server.tag" ? "the Server field of answers without one"
                                    : st.key == "server.error-handler" ? "the handler of errors cutover answers itself (but 401)"
                                                                       : "the handler of the 403s and 404s cutover answers itself") +
            ", where the block matches (the last matching block's, as lighttpd)");
    return true;
  }

  // expire.url / expire.mimetypes as [["prefix", "spec"], ...] (reported here); "" when not a
  // list of pairs.
  std::string expire_list(const Setting& s, const std::string& where_to = "") {
    std::string out;
    bool modification = false;
    for (auto& it : s.value.items) {
      if (!it.first) {
        add(s.pos, Verdict::untranslated, s.key, "expected \"prefix\" => \"access plus 1 hours\" pairs");
        return "";
      }
      modification = modification || it.second.str.rfind("modification", 0) == 0;
      out += std::string(out.empty() ? "" : ", ") + "[" + tq(*it.first) + ", " + tq(it.second.str) + "]";
    }
    std::string what = std::string(s.key == "expire.url" ? "server.expire_urls" : "server.expire_mimetypes") + where_to +
                       ": 200/204/206 answers to GET and HEAD without a Cache-Control get max-age (HTTP/1.1) or Expires (HTTP/1.0), as mod_expire";
    if (modification)
      add(s.pos, Verdict::caveat, s.key, what + "; a modification-based entry counts from a static file's mtime: a backend's answer gets "
                                               "nothing (lighttpd looks for a file at the path under the docroot)");
    else
      add(s.pos, Verdict::exact, s.key, what);
    return "[" + out + "]";
  }

  // lighttpd's url.access-deny inside a block: a [[deny]] rule for what the block matches.
  void deny_rule(const Setting& s, const std::string& match, const std::string& cond) {
    deny_rules_ += "[[deny]]  # " + where(s.pos) + " " + cond + "\nmatch = { " + match + " }\nsuffixes = " + tlist(strings_of(s.value)) + "\n\n";
    add(s.pos, Verdict::exact, s.key, "a [[deny]] rule: for requests " + cond + " matches, these suffixes replace the global ones (403)");
  }

  // server.max-request-size inside a block: a [[limits]] rule for what the block matches.
  void limit_rule(const Setting& s, const std::string& match, const std::string& cond) {
    limit_rules_ += "[[limits]]  # " + where(s.pos) + " " + cond + (match.empty() ? "" : "\nmatch = { " + match + " }") +
                    "\nmax_body_bytes = " + std::to_string(s.value.num * 1024) + "  # " + std::to_string(s.value.num) + " KB\n\n";
    add(s.pos, Verdict::exact, s.key, "a [[limits]] rule: for requests " + cond + " matches, the body limit is " + std::to_string(s.value.num) + " KiB (413 beyond)");
  }

  // A top-level block on another request field: its routes carry match.when; the global
  // routes of the same directive step aside for the requests it matches (match.unless).
  bool field_block(const Block& b) {
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
        route_excl_[s.key].push_back({"", "", cur_block_, when});
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
        overridden_when_[s.key].push_back(when);
        add(s.pos, Verdict::exact, s.key, std::to_string(s.value.items.size()) + " [[rewrite]] rule(s) with when = " + when +
                                              ", replacing the global " + s.key + " list for those requests as lighttpd does");
      } else if (s.key == "fastcgi.server" && loaded("mod_fastcgi")) {
        route_excl_[s.key].push_back({"", "", cur_block_, when});
        fastcgi(s, hc);
      } else if (s.key == "proxy.server" && loaded("mod_proxy")) {
        route_excl_[s.key].push_back({"", "", cur_block_, when});
        proxy(s, hc);
      } else if (s.key == "url.redirect" && loaded("mod_redirect")) {
        route_excl_[s.key].push_back({"", "", cur_block_, when});
        redirects(s, &b, ", " + hc);
      } else {
        add(s.pos, Verdict::untranslated, s.key, "inside " + cond + ": not translated");
      }
    }
    header_rule(block_edits, hc, where(at) + " " + cond);
    return true;
  }

  void conditional(const Block& b) {
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
        extra_listen_.push_back(v);
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
        route_excl_[s.key].push_back({bare_else ? "" : host_re, "", cur_block_, negs_when});
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
            overridden_[s.key].pop_back();  // not ".*": the global list keeps these hosts
            for (const Block* e : earlier)
              if (!e->find(s.key)) global_only_hosts_[s.key].push_back(host_regex(*e));
            if (global_only_hosts_[s.key].empty()) overridden_[s.key].push_back(".*");
          }
        } else if (s.key == "server.max-request-size") {
          caveat_if_partial(s);
          limit_rule(s, hc, bare_else ? "else" : cond);
        } else if (server_key_rule(s, hc, bare_else ? "else" : cond)) {
        } else if (s.key == "alias.url" && loaded("mod_alias") && !hc.empty()) {
          overrides(s, route_overrides_);
          aliases(s, &b, hc);
        } else if (s.key == "url.access-deny" && loaded("mod_access")) {
          caveat_if_partial(s);
          deny_rule(s, hc, bare_else ? "else" : cond);
        } else if (s.key == "fastcgi.server" && loaded("mod_fastcgi")) {
          overrides(s, route_overrides_);
          fastcgi(s, hc.empty() ? "" : hc);
        } else if (s.key == "proxy.server" && loaded("mod_proxy")) {
          overrides(s, route_overrides_);
          proxy(s, hc);
        } else if (s.key == "url.redirect" && loaded("mod_redirect")) {
          overrides(s, route_overrides_);
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
          route_excl_[s.key].push_back({"", re, cur_block_, ""});  // the global routes of it and earlier blocks' step aside
          block_path_re_ = re;
          fastcgi(s, rc);
        } else if (s.key == "proxy.server" && loaded("mod_proxy")) {
          route_excl_[s.key].push_back({"", re, cur_block_, ""});
          block_path_re_ = re;
          proxy(s, rc);
        } else if (server_key_rule(s, rc, cond)) {
        } else if (s.key == "alias.url" && loaded("mod_alias")) {
          route_excl_[s.key].push_back({"", re, cur_block_, ""});
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

  // The static options in effect in block `b` (its own keys over the global ones).
  std::string static_options(const Block* b) {
    const Block& g = c_.blocks[0];
    auto find = [&](const char* k) -> const Setting* {
      if (b)
        if (const Setting* s = b->find(k)) return s;
      return g.find(k);
    };
    std::string opts;
    if (const Setting* i = find("index-file.names"); i && loaded("mod_indexfile")) opts += ", index = " + tlist(strings_of(i->value));
    std::vector<std::string> ex;
    if (const Setting* e = find("static-file.exclude-extensions")) ex = strings_of(e->value);
    if (const Setting* d = find("url.access-deny"); d && loaded("mod_access"))
      for (auto& x : strings_of(d->value)) ex.push_back(x);
    if (!ex.empty()) opts += ", exclude_extensions = " + tlist(ex);
    bool on = false;
    const Setting* dl = find("dir-listing.activate");
    if (!dl) dl = find("server.dir-listing");
    if (dl && parse_bool(dl->value, on) && on) opts += ", listing = true";
    bool follow = true;
    if (const Setting* f = find("server.follow-symlink")) parse_bool(f->value, follow);
    if (follow) opts += ", follow_symlinks = true";
    bool no_pathinfo = false;
    if (const Setting* f = find("static-file.disable-pathinfo")) parse_bool(f->value, no_pathinfo);
    if (!no_pathinfo) opts += ", pathinfo = true";
    bool ranges = true;
    if (const Setting* rr = find("server.range-requests")) parse_bool(rr->value, ranges);
    if (!ranges) opts += ", ranges = false";
    if (const Setting* m = find("mimetype.assign")) {
      std::string t = mime_table(m->value);
      if (!t.empty()) opts += ", mime_assign = " + t;
    }
    return opts;
  }
  // mimetype.assign as static.mime_assign's ordered [suffix, type] pairs ("": not a table).
  static std::string mime_table(const Value& v) {
    if (v.kind != Value::Kind::array || v.items.empty()) return "";
    std::string t = "[";
    for (auto& it : v.items) {
      if (!it.first || it.second.kind != Value::Kind::string) return "";
      t += (t.size() > 1 ? ", [" : "[") + tq(*it.first) + ", " + tq(it.second.str) + "]";
    }
    return t + "]";
  }
  static bool static_key(const std::string& k) {
    return k == "server.document-root" || k == "server.follow-symlink" || k == "dir-listing.activate" || k == "server.dir-listing" ||
           k == "index-file.names" || k == "static-file.exclude-extensions" || k == "static-file.disable-pathinfo" ||
           k == "mimetype.assign" || k == "server.range-requests";
  }
  // Only this block (besides the global one) sets static options: its static route holds its
  // options over the global ones exactly (two such blocks would merge per key in lighttpd).
  bool sole_static_block(size_t bi) const {
    for (size_t o = 1; o < c_.blocks.size(); ++o)
      if (o != bi)
        for (auto& st : c_.blocks[o].settings)
          if (static_key(st.key)) return false;
    return c_.blocks[0].find("server.document-root") != nullptr;
  }
  void block_static(const Block& b, const std::string& match, const std::string& cond) {
    const Setting* root = c_.blocks[0].find("server.document-root");
    std::string r = "[[routes]]  # " + where(block_pos(b)) + " " + cond + " static files\nname = \"docroot_" + std::to_string(++route_seq_) +
                    "\"\nmatch = { prefix = \"/\", " + match + " }\nstatic = { root = " + tq(root->value.str) + static_options(&b) + " }\n";
    routes_.push_back({r, where(root->pos), 39 - extra_depth_});
  }
  // A host block's own static files: a static route for its Host with its document root and
  // options (lighttpd's vhost by conditional), ahead of the global docroot route.
  void host_static(const Block& b, const std::string& hc, const std::string& cond) {
    bool any = false;
    for (auto& st : b.settings) any = any || static_key(st.key);
    if (!any) return;
    const Setting* root = b.find("server.document-root");
    if (!root) root = c_.blocks[0].find("server.document-root");
    for (auto& st : b.settings)
      if (root && st.key == "mimetype.assign")
        add(st.pos, Verdict::caveat, st.key,
            "the static route of " + cond + " uses this table; lighttpd's stat cache keeps a file's type from the first request "
            "that asked for it, so lighttpd itself sends this block's type only while the file is not cached from another block");
      else if (static_key(st.key))
        add(st.pos, root ? Verdict::exact : Verdict::untranslated, st.key,
            root ? "the static route of " + cond + " (its Host's files, with this block's options over the global ones)"
                 : "inside " + cond + ": no document root to serve from");
    if (!root) return;
    std::string r = "[[routes]]  # " + where(root->pos) + " " + cond + " static files\nname = \"docroot_" + std::to_string(++route_seq_) +
                    "\"\nmatch = { prefix = \"/\", " + hc + " }\nstatic = { root = " + tq(root->value.str) + static_options(&b) + " }\n";
    routes_.push_back({r, where(root->pos), 39});
  }

  void finish_static(const Block& g) {
    std::string opts = static_options(nullptr);
    for (auto& r : routes_) {
      size_t p = r.text.find("STATIC_OPTIONS");
      if (p != std::string::npos) r.text.replace(p, 14, opts);
    }
    if (const Setting* root = g.find("server.document-root")) {
      std::string r = "[[routes]]  # " + where(root->pos) + " server.document-root\nname = \"docroot\"\nmatch = { prefix = \"/\" }\nstatic = { root = " +
                      tq(root->value.str) + opts + " }\n";
      routes_.push_back({r, where(root->pos), 40});
      add(root->pos, Verdict::caveat, "static files",
          std::string("served from the docroot; dotfiles are hidden (lighttpd serves them: set static.dotfiles = true)") +
              (g.find("mimetype.assign") ? ""
                                         : "; no mimetype.assign: lighttpd sends every file as application/octet-stream, cutover "
                                           "names types from server.mime_types (/etc/mime.types)"));
    }
  }

  void emit(const TranslateOptions& o) {
    std::ostringstream out;
    out << "# cutover config translated by `cutover migrate` from " << (o.source_name.empty() ? "lighttpd.conf" : o.source_name)
        << ".\n# Every table names the lighttpd line it came from; the report lists every directive.\n\n";
    out << "[server]\nlisten = [" << tq(listen_host_ + ":" + std::to_string(listen_port_));
    for (auto& l : extra_listen_) out << ", " << tq(l);
    out << "]\n" << server_lines_;
    {  // mod_redirect answers in uri_clean before mod_access when it is listed first
      auto at = [&](const char* m) { return std::find(modules_.begin(), modules_.end(), m) - modules_.begin(); };
      if (loaded("mod_redirect") && loaded("mod_access") && at("mod_redirect") < at("mod_access"))
        out << "redirects_before_deny = true  # mod_redirect is listed before mod_access\n";
    }
    if (!has_user_)  // lighttpd keeps running as whoever started it, root included
      out << "allow_root = true  # no server.username: like lighttpd, keep the user cutover is started as (set user = \"...\" to drop root)\n";
    out << header_tables(header_edits_, false, "  # setenv.*") << "\n";
    // lighttpd's order within a block: once rules, then repeat rules; the if-not-file pair
    // is a separate list (§2). Host-block rules and the global rules they replace exclude
    // each other by Host, so their relative order does not matter.
    for (auto [l, kind] : {std::pair{&once_, "once"}, std::pair{&repeat_, "repeat"}, std::pair{&inf_once_, "if-not-file"},
                           std::pair{&inf_repeat_, "repeat-if-not-file"}}) {
      for (const Rule& r : *l) {
        out << "[[rewrite]]  # " << r.origin << "\nmatch = " << tq(r.match) << "\nto = " << tq(r.to) << "\nkind = \"" << kind << "\"\n";
        std::string host = r.host;
        if (auto g = global_only_hosts_.find(r.key); host.empty() && r.unless.empty() && g != global_only_hosts_.end()) {
          for (auto& h : g->second) host += (host.empty() ? "" : "|") + ("(?:" + h + ")");
        }
        if (!host.empty()) out << "host = " << tq(host) << "\n";
        if (!r.when.empty()) out << "when = " << r.when << "\n";
        if (auto w = overridden_when_.find(r.key); r.host.empty() && r.when.empty() && r.unless.empty() && w != overridden_when_.end()) {
          std::string list;
          for (auto& x : w->second) list += (list.empty() ? "" : ", ") + x;
          out << "unless_when = [" << list << "]\n";
        }
        if (!r.unless.empty()) out << "unless_host = " << tlist(r.unless) << "\n";
        else if (auto o = overridden_.find(r.key); r.host.empty() && o != overridden_.end() && !o->second.empty())
          out << "unless_host = " << tlist(o->second) << "\n";
        out << "\n";
      }
    }
    std::string pools = pools_;
    for (auto [marker, value] : {std::pair{std::string("@FCGI_BALANCE@"), balance_fcgi_}, std::pair{std::string("@PROXY_BALANCE@"), balance_proxy_}})
      for (size_t p; (p = pools.find(marker)) != std::string::npos;)  // lighttpd's hash keys on the path and the Host
        pools.replace(p, marker.size(), value == "hash" ? "hash\"\nhash_key = \"path+host" : value);
    out << pools;
    std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) { return a.order < b.order; });
    for (auto& r : routes_) {
      std::string text = r.text;
      // A host block that sets this route's directive replaces it for that Host.
      std::string unless;
      if (auto o = route_overrides_.find(r.key); !r.key.empty() && o != route_overrides_.end())
        unless = "unless_host = " + tlist(o->second);
      if (auto x = route_excl_.find(r.directive); !r.directive.empty() && x != route_excl_.end()) {
        std::string list;
        for (const Exclusion& e : x->second) {
          if (r.block >= 0 && e.block <= r.block) continue;  // lighttpd: the last matching block wins, so only later ones replace
          std::string one;
          for (auto [k, v] : {std::pair{"host", e.host.empty() ? "" : tq(e.host)}, std::pair{"regex", e.path.empty() ? "" : tq(e.path)},
                              std::pair{"when", e.when}})
            if (!v.empty()) one += (one.empty() ? "" : ", ") + std::string(k) + " = " + v;
          list += std::string(list.empty() ? "" : ", ") + "{ " + one + " }";
        }
        if (!list.empty()) unless += (unless.empty() ? "" : ", ") + std::string("unless = [") + list + "]";
      }
      if (!unless.empty()) {
        size_t m = text.find("match = { ");
        if (m != std::string::npos) text.insert(m + 10, unless + ", ");
        else text.insert(text.find('\n', text.find("name = ")) + 1, "match = { " + unless + " }\n");
      }
      size_t p = text.find("PROXY_REWRITE");
      if (p != std::string::npos) text.replace(p, 13, proxy_rewrite());
      out << text << "\n";
    }
    out << header_rules_ << deny_rules_ << closed_rules_ << limit_rules_ << auth_;
    t_.toml = out.str();
    // --explain: every table (a route with its name) and every server key with the
    // lighttpd line it came from.
    std::istringstream lines(t_.toml);
    std::string table, origin;
    auto names_origin = [](const std::string& comment) {  // "file:line ..."
      size_t colon = comment.find(':');
      return colon != std::string::npos && colon + 1 < comment.size() && std::isdigit(static_cast<unsigned char>(comment[colon + 1]));
    };
    for (std::string l; std::getline(lines, l);) {
      if (l.empty() || l[0] == '#') continue;
      size_t hash = l.find("  # ");
      std::string comment = hash == std::string::npos ? "" : l.substr(hash + 4);
      if (l[0] == '[') {
        table = l.substr(0, std::min(l.find("  #"), l.size()));
        origin = names_origin(comment) ? comment : "";
        if (!origin.empty() && table != "[[routes]]" && table != "[[rewrite]]") t_.explain.push_back(table + "  <- " + origin);
      } else if ((table == "[[routes]]" && l.rfind("name = ", 0) == 0) || (table == "[[rewrite]]" && l.rfind("match = ", 0) == 0)) {
        if (!origin.empty()) t_.explain.push_back(table + " " + l.substr(l.find(" = ") + 3) + "  <- " + origin);
      } else if (names_origin(comment)) {
        t_.explain.push_back(table + " " + l.substr(0, l.find(' ')) + "  <- " + comment);
      }
    }
  }
};

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::exact: return "exact";
    case Verdict::caveat: return "caveat";
    case Verdict::untranslated: return "not translated";
  }
  return "?";
}

bool Translation::exact() const {
  return std::all_of(report.begin(), report.end(), [](const ReportLine& l) { return l.verdict == Verdict::exact; });
}

bool Translation::complete() const {
  return std::none_of(report.begin(), report.end(), [](const ReportLine& l) { return l.verdict == Verdict::untranslated; });
}

int Translation::exit_code(bool strict, bool allow_partial) const {
  if (strict) return exact() ? 0 : 1;
  return complete() || allow_partial ? 0 : 3;  // 3: partial (2 is a usage error)
}

std::string Translation::report_text() const {
  std::ostringstream o;
  size_t n[3] = {};
  for (auto& l : report) {
    ++n[int(l.verdict)];
    o << l.pos.file << ":" << l.pos.line << ": " << verdict_name(l.verdict) << ": " << l.directive << ": " << l.text << "\n";
  }
  o << n[0] << " exact, " << n[1] << " with a caveat, " << n[2] << " not translated\n";
  return o.str();
}

Translation translate(const LighttpdConfig& cfg, const TranslateOptions& opts) { return Translator(cfg).run(opts); }

}  // namespace cutover::migrate
