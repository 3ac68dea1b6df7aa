#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

// The per-host options of one fastcgi.server / proxy.server entry that become pool keys
// (lighttpd sets them per host; a cutover pool has one value): the timeouts, reported one
// by one; every option cutover does not know is reported, never dropped.
std::string Translator::pool_options(const Value& list, const Setting& s, const std::string& what, bool fcgi) {
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

std::vector<Translator::Host> Translator::hosts_of(const Value& list, const Setting& s, bool fcgi, std::string& workers, const std::string& pool) {
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

// x-sendfile / allow-x-send-file with x-sendfile-docroot: the pool's x_sendfile. Without a
// docroot lighttpd sends any file the app names; cutover needs directories, so it gets
// the document root.
std::string Translator::x_sendfile(const Value& o, const Setting& s) {
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
void Translator::note_backend_ranges(const Setting& s) {
  if (backend_ranges_noted_) return;
  backend_ranges_noted_ = true;
  bool on = true;
  if (const Setting* rr = c_.blocks[0].find("server.range-requests")) parse_bool(rr->value, on);
  if (on)
    add(s.pos, Verdict::caveat, "server.range-requests",
        "lighttpd answers a Range request with 206 out of a backend's complete 200 answer too; cutover passes the backend's answer on as sent (ranges are cutover's for static files)");
}

// A suffix key (".php") inside a url block: one regex for both, the block's path regex as
// a lookahead; `cond` loses its "regex = ..." part, which the combined regex replaces.
std::string Translator::suffix_match(const std::string& suffix_re, std::string& cond) const {
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
std::string Translator::anchored_match(const std::string& own, std::string& cond) const {
  if (block_path_re_.empty()) return "regex = " + tq("^" + own);
  suffix_match("", cond);  // drops the block's own regex from cond
  return "regex = " + tq("^(?=[\\s\\S]*?(?:" + block_path_re_ + "))" + own);
}

}  // namespace cutover::migrate::tr
