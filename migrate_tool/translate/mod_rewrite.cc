#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

std::vector<Rule>* Translator::rule_list(const std::string& k) {
  if (k == "url.rewrite-once" || k == "url.rewrite" || k == "url.rewrite-final") return &d_.once;
  if (k == "url.rewrite-repeat") return &d_.repeat;
  if (k == "url.rewrite-if-not-file") return &d_.inf_once;
  if (k == "url.rewrite-repeat-if-not-file") return &d_.inf_repeat;
  return nullptr;
}

void Translator::rules(const Setting& s, std::vector<Rule>& into, const std::string& host, const std::vector<std::string>& unless, bool in_block) {
  bool pct = false;
  for (auto& it : s.value.items) {
    if (!it.first) continue;
    into.push_back({*it.first, it.second.str, where(it.second.pos.line ? it.second.pos : s.pos), s.key, host, unless, ""});
    pct = pct || has_percent_capture(it.second.str);
  }
  if (in_block) {
    d_.overridden[s.key].push_back(host.empty() ? ".*" : host);
    add(s.pos, Verdict::exact, s.key, std::to_string(s.value.items.size()) + " [[rewrite]] rule(s) for " +
                                          (host.empty() ? "the hosts the chain's earlier blocks missed" : "that Host (host = " + host + ")") +
                                          ", replacing the global " + s.key + " list there as lighttpd does; %N are the host's captures");
    return;
  }
  if (pct)
    add(s.pos, Verdict::caveat, s.key, "a replacement uses %N/%{...}: outside a conditional block it is empty (also in cutover); a literal %XX must be written %%XX");
  else add(s.pos, Verdict::exact, s.key, std::to_string(s.value.items.size()) + " [[rewrite]] rule(s), same matching and substitution");
}

std::string Translator::code_for(const Block& b) {
  if (const Setting* c = b.find("url.redirect-code")) return std::to_string(c->value.num);
  if (const Setting* c = c_.blocks[0].find("url.redirect-code")) return std::to_string(c->value.num);
  return "301";
}

void Translator::redirects(const Setting& s, const Block* in, const std::string& extra_match) {
  std::string code = code_for(in ? *in : c_.blocks[0]);
  bool caveat = false;
  for (auto& it : s.value.items) {
    if (!it.first) continue;
    const std::string& re = *it.first;
    caveat = caveat || (has_percent_capture(it.second.str) && host_match(in).rfind(", host_regex", 0) != 0);
    std::string r = "[[routes]]  # " + where(s.pos) + " url.redirect\nname = \"redirect_" + std::to_string(++route_seq_) +
                    "\"\nmatch = { target = " + tq(re) + host_match(in) + extra_match + " }\nredirect = { to = " + tq(it.second.str) +
                    ", code = " + code + " }\n";
    d_.routes.push_back({r, where(s.pos), in ? -1 : 0, in ? "" : s.key, s.key, in ? cur_block_ : -1});
  }
  add(s.pos, caveat ? Verdict::caveat : Verdict::exact, s.key,
      caveat ? "redirect routes (match.target: the path and query, as lighttpd); a replacement uses %N, which needs a regex block around it"
             : "redirect routes matched first, on the path and query after the rewrites, as lighttpd");
}

std::string Translator::host_match(const Block* b) {
  if (!b || !b->cond || b->cond->object != "HTTP" || b->cond->field != "host") return "";
  // A regex block, or an == block using %N (which lighttpd then matches as a regex).
  if (b->cond->op == "=~" || uses_percent(*b)) return ", host_regex = " + tq(host_regex(*b));
  return ", host = " + tq(b->cond->value);
}

}  // namespace cutover::migrate::tr
