#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

Translator::Translator(const LighttpdConfig& c) : c_(c) {}

Translation Translator::run(const TranslateOptions& o) {
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
  auto at = [&](const char* m) { return std::find(modules_.begin(), modules_.end(), m) - modules_.begin(); };
  d_.redirects_before_deny = loaded("mod_redirect") && loaded("mod_access") && at("mod_redirect") < at("mod_access");
  d_.proxy_rewrite = proxy_rewrite();
  t_.toml = emit_toml(d_, o.source_name);
  t_.explain = explain_lines(t_.toml);
  return std::move(t_);
}

void Translator::add(const Pos& p, Verdict v, const std::string& d, const std::string& text) {
  if (compiled_key(d) && !compiling_) return;  // compile_auth() / compile_status_pages() report these
  t_.report.push_back({p, v, d, text});
}

// Keys compiled over the whole condition tree at once (their value in every block and the
// global one combine per request), not block by block.
bool Translator::compiled_key(const std::string& k) {
  return k == "auth.require" || k.rfind("auth.backend", 0) == 0 || k == "status.status-url" || k == "status.config-url" ||
         k == "status.statistics-url" || k == "status.enable-sort";
}

bool Translator::loaded(const std::string& m) const {
  return std::find(modules_.begin(), modules_.end(), m) != modules_.end();
}

void Translator::load_implied_modules(const Block& g) {
  // lighttpd 1.4.69 loads these by itself (§1.7).
  if (g.find("index-file.names") && !loaded("mod_indexfile")) modules_.insert(modules_.begin(), "mod_indexfile");
  if (!loaded("mod_dirlisting")) modules_.push_back("mod_dirlisting");
  if (!loaded("mod_staticfile")) modules_.push_back("mod_staticfile");
  if (const Setting* b = g.find("auth.backend"))
    if (!loaded("mod_authn_file") && (b->value.str == "htpasswd" || b->value.str == "plain")) modules_.push_back("mod_authn_file");
}

// The module that owns a directive, "" for core keys.
std::string Translator::module_of(const std::string& key) {
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

bool Translator::active(const Setting& s) {
  std::string m = module_of(s.key);
  if (m.empty() || loaded(m)) return true;
  add(s.pos, Verdict::exact, s.key, m + " is not in server.modules: no effect in lighttpd, none here");
  return false;
}

void Translator::global(const Setting& s) {
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
    d_.listen_port = s.value.num;
    add(s.pos, Verdict::exact, k, "server.listen port " + std::to_string(s.value.num));
  } else if (k == "server.bind") {
    if (!s.value.str.empty() && s.value.str.front() == '/') {
      add(s.pos, Verdict::untranslated, k, "a unix socket listener: cutover listens on TCP only");
      return;
    }
    d_.listen_host = s.value.str;
    add(s.pos, Verdict::exact, k, "server.listen address " + s.value.str);
  } else if (k == "server.document-root") {
    d_.server_lines += "document_root = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
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
    d_.server_lines += "deny_suffixes = " + tlist(strings_of(s.value)) + "  # " + where(s.pos) + "\n";
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
    d_.server_lines += "max_body_bytes = " + std::to_string(s.value.num * 1024) + "  # " + where(s.pos) + " (KB)\n";
    add(s.pos, Verdict::exact, k, "server.max_body_bytes = " + std::to_string(s.value.num) + " KiB");
  } else if (k == "accesslog.filename") {
    if (!s.value.str.empty() && s.value.str.front() == '|') {
      add(s.pos, Verdict::untranslated, k, "a piped access log: cutover writes files (reopened on SIGUSR1)");
      return;
    }
    d_.server_lines += "access_log = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
    if (!c_.blocks[0].find("accesslog.format")) {
      // lighttpd's default is not the combined format: the Host stands where "-" would.
      LogFormatTranslation f = translate_log_format(kLighttpdDefaultLogFormat);
      d_.server_lines += "access_log_format = " + tq(f.template_text) + "  # lighttpd's default accesslog.format\n";
      add(s.pos, Verdict::exact, k, "server.access_log (reopened on SIGUSR1), with lighttpd's default format as server.access_log_format so that existing log "
                                        "readers keep working (without it cutover writes the combined format plus the route, backend and upstream times)");
    } else {
      add(s.pos, Verdict::exact, k, "server.access_log (reopened on SIGUSR1)");
    }
  } else if (k == "accesslog.format") {
    LogFormatTranslation f = translate_log_format(s.value.str);
    d_.server_lines += "access_log_format = " + tq(f.template_text) + "  # " + where(s.pos) + "\n";
    std::string why = "server.access_log_format, the same fields as a template";
    for (auto& x : f.inexact) why += "; " + x;
    add(s.pos, f.inexact.empty() ? Verdict::exact : Verdict::caveat, k, why);
  } else if (k == "server.error-handler-404" || k == "server.error-handler") {
    bool any = k == "server.error-handler";
    if (s.value.str.empty() || s.value.str.front() != '/') {
      add(s.pos, Verdict::untranslated, k, "\"" + s.value.str + "\": only a local path is translated");
      return;
    }
    d_.server_lines += std::string(any ? "error_handler" : "error_handler_404") + " = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
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
    d_.balance_fcgi = balancer(s);
  } else if (k == "fastcgi.map-extensions") {
    add(s.pos, Verdict::exact, k, "each mapped extension gets a route to the same pool");
  } else if (k == "fastcgi.debug" || k == "proxy.debug") {
    add(s.pos, Verdict::exact, k, "debug logging: cutover logs every backend failure with its cause already");
  } else if (k == "proxy.server") {
    proxy(s, "");
  } else if (k == "proxy.balance") {
    d_.balance_proxy = balancer(s);
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
    d_.server_lines += key + " = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
    if (user) d_.has_user = true;
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
    d_.server_lines += std::string(k == "expire.url" ? "expire_urls" : "expire_mimetypes") + " = " + v + "  # " + where(s.pos) + "\n";
  } else if (k == "server.tag") {
    d_.server_lines += "server_tag = " + tq(s.value.str) + "  # " + where(s.pos) + "\n";
    add(s.pos, Verdict::exact, k, "server.server_tag: the Server field of every answer that has none");
  } else if (k == "extforward.forwarder") {
    extforward(s);
  } else if (k == "extforward.headers") {
    d_.server_lines += "trusted_proxy_headers = " + tlist(strings_of(s.value)) + "  # " + where(s.pos) + "\n";
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

void Translator::quirk_auth_order(const Setting& s) {
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
void Translator::quirk_setenv_order(const Setting& s) {
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
    d_.server_lines += "response_headers_skip = " + tlist(skip) + "  # listed before mod_setenv in server.modules\n";
    std::string which;
    for (const std::string& k : skip)
      which += (which.empty() ? "" : ", ") + std::string(k == "redirect" ? "mod_redirect (redirects)" : k == "deny" ? "mod_access (403s)" : "mod_auth (401s)");
    add(s.pos, Verdict::exact, "server.modules",
        which + " before mod_setenv: those answers go without the setenv.*-response-header fields, as lighttpd sends them "
                "(server.response_headers_skip)");
  }
}

void Translator::quirk_dirlisting_order(const Setting& s) {
  auto a = std::find(modules_.begin(), modules_.end(), "mod_staticfile"), b = std::find(modules_.begin(), modules_.end(), "mod_dirlisting");
  if (a != modules_.end() && b != modules_.end() && a < b)
    add(s.pos, Verdict::caveat, "server.modules", "mod_staticfile before mod_dirlisting: lighttpd answers 403 where a listing was meant; cutover shows the listing when it is enabled");
}

std::string Translator::balancer(const Setting& s) {
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

// A number lighttpd reads from a string too ("port" => env.PORT, whose value is text).
int64_t Translator::number_of(const Value& v) {
  if (v.kind == Value::Kind::integer) return v.num;
  char* end = nullptr;
  long long n = std::strtoll(v.str.c_str(), &end, 10);
  return !v.str.empty() && end && *end == '\0' ? int64_t(n) : 0;
}

// An option of a fastcgi.server entry: its hosts are arrays of options (or one array).
const Value* Translator::entry_option(const Value& entry, const std::string& name) {
  if (const Value* v = entry.get(name)) return v;
  for (auto& h : entry.items)
    if (h.second.kind == Value::Kind::array)
      if (const Value* v = h.second.get(name)) return v;
  return nullptr;
}

}  // namespace cutover::migrate::tr
