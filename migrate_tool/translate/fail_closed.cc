#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

// Fail closed: a restriction (or a handler that runs what the path names) that was not
// translated must not leave its paths served more openly than lighttpd would. For each,
// an independent [[deny]] rule refuses (403) what it governed, in the scope of its block's
// conditions; a condition that cannot be said is left out, which widens the denial.
void Translator::fail_closed() {
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
        d_.closed_rules += "[[deny]]  # " + origin + "\n" + (m.empty() ? "" : "match = { " + m + " }\n") +
                         "suffixes = [\"\"]\nindependent = true\n\n";
      }
      if (!suffixes.empty())
        d_.closed_rules += "[[deny]]  # " + origin + "\n" + (scope.empty() ? "" : "match = { " + scope + " }\n") +
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
void Translator::lowercase_closed() {
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
        d_.closed_rules += "[[deny]]  # " + where(lc->pos) + " server.force-lowercase-filenames (every spelling)\nmatch = { " + *scope +
                         " }\nsuffixes = [\"\"]\nindependent = true\n\n";
    add(lc->pos, Verdict::caveat, lc->key, "cutover does not lower-case paths: this block's denials and auth areas deny every spelling (403) instead");
  }
}

// Whether the report says `directive` (the setting's key, or one entry: `key "entry"`)
// of this setting was not translated.
bool Translator::untranslated_at(const Setting& st, const std::string& directive) const {
  for (const ReportLine& l : t_.report)
    if (l.verdict == Verdict::untranslated && l.directive == directive && l.pos.file == st.pos.file &&
        (directive != st.key || l.pos.line == st.pos.line))
      return true;
  return false;
}

// The match of a block's condition chain that cutover can say (host, path, request
// fields); what it cannot (else links, scheme, socket) is left out: wider, never narrower.
// nullopt: the chain can never hold (a scheme of https on plain-HTTP listeners).
std::optional<std::string> Translator::deny_scope(size_t bi, const std::string& also_path) const {
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

}  // namespace cutover::migrate::tr
