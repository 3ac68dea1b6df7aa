#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

void Translator::proxy(const Setting& s, const std::string& host_cond) {
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
    d_.pools += "[pools." + pool + "]  # " + where(s.pos) + " proxy.server \"" + key + "\"\nbalancer = \"@PROXY_BALANCE@\"\nbackends = " + tlist(addrs) + "\n" +
              pool_options(entry.second, s, "proxy.server \"" + key + "\"", false) + "\n";
    bool prefix = !key.empty() && key.front() == '/';
    std::string cond = host_cond;
    std::string match = prefix ? "prefix = " + tq(key) : (key.empty() ? "" : suffix_match(regex_escape(key) + "$", cond));
    if (!cond.empty()) match += std::string(match.empty() ? "" : ", ") + cond;
    std::string r = "[[routes]]  # " + where(s.pos) + " proxy.server \"" + key + "\"\nname = \"" + pool + "\"\n" +
                    (match.empty() ? "" : "match = { " + match + " }\n") + "forward = \"" + pool + "\"\nPROXY_REWRITE";
    d_.routes.push_back({r, where(s.pos), (host_cond.empty() ? 10 : 9) - extra_depth_, host_cond.empty() ? s.key : "", s.key, cur_block_});
    add(entry.second.pos.line ? entry.second.pos : s.pos, Verdict::exact, "proxy.server \"" + key + "\"",
        "pool " + pool + " (HTTP/1.1, keep-alive) and a route; the backend gets the rewritten target, as mod_proxy sends it");
  }
}

std::string Translator::proxy_rewrite() const { return proxy_map_.empty() ? "" : "map = { " + proxy_map_ + " }\n"; }

// A 1.5 rewrite-request/-response replacement knows only $0-$9; any other '$' and every
// '%' is literal there, and must be escaped for cutover's lighttpd 1.4 replacement language.
std::string Translator::repl_15(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool digit_next = i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9';
    if (c == '%' || (c == '$' && !digit_next)) out += c;
    out += c;
  }
  return out;
}

void Translator::proxy_header(const Setting& s) {
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
void Translator::proxy_core(const Block& b, const std::string& match, const std::string& what) {
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
  d_.pools += "[pools." + pool + "]  # " + where(backends->pos) + " proxy-core.backends\n" +
            (protocol == "fastcgi" ? "protocol = \"fastcgi\"\n" : "") + "balancer = \"" + balance + "\"\n" + (balance == "hash" ? "hash_key = \"path+host\"\n" : "") + "backends = " + tlist(addrs) + "\n";
  add(backends->pos, Verdict::exact, "proxy-core.backends", std::to_string(addrs.size()) + " backend(s) in pool " + pool + " for " + what);
  if (const Setting* m = b.find("proxy-core.max-pool-size")) {
    d_.pools += "max_conns = " + std::to_string(m->value.num) + "\n";
    add(m->pos, Verdict::exact, m->key, "max_conns = " + std::to_string(m->value.num) + " per backend (requests beyond wait in the queue)");
  } else {
    add(backends->pos, Verdict::caveat, "proxy-core.max-pool-size",
        "unset: lighttpd 1.5 allowed 1 connection per backend and no keep-alive; cutover keeps connections alive without a cap (add max_conns = 1 to copy the old limit)");
  }
  if (const Setting* m = b.find("proxy-core.max-backlog-size")) add(m->pos, Verdict::caveat, m->key, "requeues have no equivalent; cutover's bounded queue (queue, queue_timeout) answers 503 when full");
  if (const Setting* m = b.find("proxy-core.max-keep-alive-requests")) add(m->pos, Verdict::caveat, m->key, "cutover reuses backend connections while they stay healthy (pool keepalive)");
  if (const Setting* m = b.find("proxy-core.disable-time")) {
    d_.pools += "disable_time = \"" + std::to_string(m->value.num) + "s\"\n";
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
      d_.pools += "x_sendfile = " + tlist({root->value.str}) + "\n";
      add(m->pos, Verdict::caveat, m->key, "x_sendfile: lighttpd 1.5 sends any file the app names; cutover only files under server.document-root " +
                                               root->value.str + " (add directories to x_sendfile); X-LIGHTTPD-send-tempfile is not honoured");
    }
  }
  d_.pools += "\n";
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
  d_.routes.push_back({r, where(backends->pos), 10});
}

}  // namespace cutover::migrate::tr
