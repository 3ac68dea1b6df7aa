#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

// mod_auth: auth.require, auth.backend and the backend's user file are three keys, each
// with the value of its last matching block. Each combination of their blocks is an
// [[auth]] area per auth.require entry, whose match is all three chains, less the later
// blocks of each key. A combination lighttpd answers 500 for (no backend, a backend that
// cannot check the method) or that cutover cannot check is denied (403).
void Translator::compile_auth() {
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
            d_.auth += "[[auth]]  # " + origin + ": " + problem + "\nprefix = " + tq(it.first->empty() ? "/" : *it.first) +
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
std::string Translator::auth_area(const std::string& key, const Value& o, const std::string& backend, const Setting* file, const std::string& match, const std::string& origin, size_t req_block) {
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
  d_.auth += t + "\n";
  return "";
}

// lighttpd's "a|b|c" lists (auth.require's require and algorithm).
std::vector<std::string> Translator::split_bars(const std::string& v) {
  std::vector<std::string> out;
  for (size_t pos = 0;;) {
    size_t bar = v.find('|', pos);
    out.push_back(v.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos));
    if (bar == std::string::npos) return out;
    pos = bar + 1;
  }
}

bool Translator::force_lowercase_in(size_t bi) const {
  const Setting* lc = c_.blocks[bi].find("server.force-lowercase-filenames");
  bool on = false;
  return lc && parse_bool(lc->value, on) && on;
}

}  // namespace cutover::migrate::tr
