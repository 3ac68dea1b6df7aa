#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

void Translator::fastcgi(const Setting& s, const std::string& host_cond) {
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
    d_.pools += "[pools." + pool + "]  # " + where(entry.second.pos.line ? entry.second.pos : s.pos) + " fastcgi.server \"" + key + "\"\nprotocol = \"fastcgi\"\nbalancer = \"@FCGI_BALANCE@\"\n";
    if (!hosts.empty()) {
      std::vector<std::string> addrs;
      for (auto& h : hosts) addrs.push_back(h.address);
      d_.pools += "backends = " + tlist(addrs) + "\n";
    }
    d_.pools += pool_options(entry.second, s, "fastcgi.server \"" + key + "\"", true);
    if (o) d_.pools += x_sendfile(*o, s);
    d_.pools += workers + "\n";
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
    d_.routes.push_back({r, where(s.pos), (check_local ? 20 : 10) - (host_cond.empty() ? 0 : 1) - extra_depth_,
                       host_cond.empty() ? s.key : "", s.key, cur_block_});
    if (!prefix && !key.empty() && !check_local) {
      // After the file check lighttpd matches a suffix key against the file found, so
      // "/x.php/extra" goes to this entry when x.php exists (PATH_INFO "/extra"), else 404.
      std::string pcond = host_cond;
      std::string pmatch = suffix_match(regex_escape(key) + "/", pcond);
      if (!pcond.empty()) pmatch += ", " + pcond;
      std::string r2 = "[[routes]]  # " + where(s.pos) + " fastcgi.server \"" + key + "\" (with path info, after the file check)\nname = \"" +
                       pool + "_pathinfo\"\nmatch = { " + pmatch + " }\nforward = \"" + pool + "\"\nfastcgi = { " + fc + ", check_local = true }\n";
      d_.routes.push_back({r2, where(s.pos), 20 - (host_cond.empty() ? 0 : 1) - extra_depth_, host_cond.empty() ? s.key : "", s.key, cur_block_});
    }
    if (first_key.empty()) first_key = key;
    if (const Setting* me = c_.blocks[0].find("fastcgi.map-extensions"); me && host_cond.empty())
      for (auto& m : me->value.items)
        if (m.first && m.second.str == key) {
          std::string r2 = "[[routes]]  # " + where(me->pos) + " fastcgi.map-extensions \"" + *m.first + "\"\nname = \"" + pool + "_" +
                           slug(*m.first) + "\"\nmatch = { regex = " + tq(regex_escape(*m.first) + tail) + " }\nforward = \"" + pool +
                           "\"\nfastcgi = { " + fc + " }\n";
          d_.routes.push_back({r2, where(me->pos), check_local ? 20 : 10, s.key});
        }
    std::string what = prefix ? "prefix " + key : (key.empty() ? "every path" : "paths ending in " + key);
    add(entry.second.pos.line ? entry.second.pos : s.pos, check_local ? Verdict::caveat : Verdict::exact, "fastcgi.server \"" + key + "\"",
        "pool " + pool + " and a route for " + what + " with lighttpd's CGI variables" +
            (check_local ? "; check-local (the default) is kept: the script must exist under the docroot, else 404 — "
                           "lighttpd checks after alias and rewrite-if-not-file, cutover when the route matches"
                         : ""));
  }
}

}  // namespace cutover::migrate::tr
