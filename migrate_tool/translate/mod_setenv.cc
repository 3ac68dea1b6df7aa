#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

void Translator::setenv(const Setting& s, HeaderEditMap* block, const std::string& cond) {
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
    d_.header_edits[into] = fields;
    add(s.pos, Verdict::exact, k, "server." + into + ": params of every FastCGI app (lighttpd gives the environment to FastCGI, CGI and SCGI apps only, not to proxy.server backends)");
    return;
  }
  d_.header_edits[it->second] = fields;
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
std::string inline_table(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string t;
  for (auto& [n, v] : fields) t += (t.empty() ? "" : ", ") + tq(n) + " = " + tq(v);
  return "{ " + t + " }";
}

// request_headers / response_headers lines for header edits ("request_headers.add" -> ...);
// `keep_empty`: an empty list is written too (a block's empty list replaces the global one).
std::string header_tables(const HeaderEditMap& edits, bool keep_empty, const std::string& comment) {
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
void Translator::header_rule(const HeaderEditMap& edits, const std::string& match, const std::string& origin) {
  if (edits.empty()) return;
  std::string t = "[[headers]]  # " + origin + "\n";
  if (!match.empty()) t += "match = { " + match + " }\n";
  d_.header_rules += t + header_tables(edits, true, "") + "\n";
}

}  // namespace cutover::migrate::tr
