#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

std::string emit_toml(Draft& d, const std::string& source_name) {
  std::ostringstream out;
  out << "# cutover config translated by `cutover migrate` from " << (source_name.empty() ? "lighttpd.conf" : source_name)
      << ".\n# Every table names the lighttpd line it came from; the report lists every directive.\n\n";
  out << "[server]\nlisten = [" << tq(d.listen_host + ":" + std::to_string(d.listen_port));
  for (auto& l : d.extra_listen) out << ", " << tq(l);
  out << "]\n" << d.server_lines;
  if (d.redirects_before_deny)  // mod_redirect answers in uri_clean before mod_access when it is listed first
    out << "redirects_before_deny = true  # mod_redirect is listed before mod_access\n";
  if (!d.has_user)  // lighttpd keeps running as whoever started it, root included
    out << "allow_root = true  # no server.username: like lighttpd, keep the user cutover is started as (set user = \"...\" to drop root)\n";
  out << header_tables(d.header_edits, false, "  # setenv.*") << "\n";
  // lighttpd's order within a block: once rules, then repeat rules; the if-not-file pair
  // is a separate list (§2). Host-block rules and the global rules they replace exclude
  // each other by Host, so their relative order does not matter.
  for (auto [l, kind] : {std::pair{&d.once, "once"}, std::pair{&d.repeat, "repeat"}, std::pair{&d.inf_once, "if-not-file"},
                         std::pair{&d.inf_repeat, "repeat-if-not-file"}}) {
    for (const Rule& r : *l) {
      out << "[[rewrite]]  # " << r.origin << "\nmatch = " << tq(r.match) << "\nto = " << tq(r.to) << "\nkind = \"" << kind << "\"\n";
      std::string host = r.host;
      if (auto g = d.global_only_hosts.find(r.key); host.empty() && r.unless.empty() && g != d.global_only_hosts.end()) {
        for (auto& h : g->second) host += (host.empty() ? "" : "|") + ("(?:" + h + ")");
      }
      if (!host.empty()) out << "host = " << tq(host) << "\n";
      if (!r.when.empty()) out << "when = " << r.when << "\n";
      if (auto w = d.overridden_when.find(r.key); r.host.empty() && r.when.empty() && r.unless.empty() && w != d.overridden_when.end()) {
        std::string list;
        for (auto& x : w->second) list += (list.empty() ? "" : ", ") + x;
        out << "unless_when = [" << list << "]\n";
      }
      if (!r.unless.empty()) out << "unless_host = " << tlist(r.unless) << "\n";
      else if (auto o = d.overridden.find(r.key); r.host.empty() && o != d.overridden.end() && !o->second.empty())
        out << "unless_host = " << tlist(o->second) << "\n";
      out << "\n";
    }
  }
  std::string pools = d.pools;
  for (auto [marker, value] : {std::pair{std::string("@FCGI_BALANCE@"), d.balance_fcgi}, std::pair{std::string("@PROXY_BALANCE@"), d.balance_proxy}})
    for (size_t p; (p = pools.find(marker)) != std::string::npos;)  // lighttpd's hash keys on the path and the Host
      pools.replace(p, marker.size(), value == "hash" ? "hash\"\nhash_key = \"path+host" : value);
  out << pools;
  std::stable_sort(d.routes.begin(), d.routes.end(), [](const Route& a, const Route& b) { return a.order < b.order; });
  for (auto& r : d.routes) {
    std::string text = r.text;
    // A host block that sets this route's directive replaces it for that Host.
    std::string unless;
    if (auto o = d.route_overrides.find(r.key); !r.key.empty() && o != d.route_overrides.end())
      unless = "unless_host = " + tlist(o->second);
    if (auto x = d.route_excl.find(r.directive); !r.directive.empty() && x != d.route_excl.end()) {
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
    if (p != std::string::npos) text.replace(p, 13, d.proxy_rewrite);
    out << text << "\n";
  }
  out << d.header_rules << d.deny_rules << d.closed_rules << d.limit_rules << d.auth;
  return out.str();
}

std::vector<std::string> explain_lines(const std::string& toml) {
  std::vector<std::string> explain;
  std::istringstream lines(toml);
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
      if (!origin.empty() && table != "[[routes]]" && table != "[[rewrite]]") explain.push_back(table + "  <- " + origin);
    } else if ((table == "[[routes]]" && l.rfind("name = ", 0) == 0) || (table == "[[rewrite]]" && l.rfind("match = ", 0) == 0)) {
      if (!origin.empty()) explain.push_back(table + " " + l.substr(l.find(" = ") + 3) + "  <- " + origin);
    } else if (names_origin(comment)) {
      explain.push_back(table + " " + l.substr(0, l.find(' ')) + "  <- " + comment);
    }
  }
  return explain;
}

}  // namespace cutover::migrate::tr
