// [server]: listeners, limits, logs, header edits, expiry; backend addresses.
#include "config/load_parts.h"

namespace cutover::config_load {

ListenSpec parse_listen(Reader& r, const std::string& text, const toml::node& n, const char* what) {
  ListenSpec l;
  l.text = text;
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      r.fail(n, std::string(what) + ": expected \"[v6addr]:port\"");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) r.fail(n, std::string(what) + ": expected \"address:port\", e.g. \"127.0.0.1:8080\"");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) host = "0.0.0.0";
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) != 1 && inet_pton(AF_INET6, host.c_str(), buf) != 1)
    r.fail(n, std::string(what) + ": \"" + host + "\" is not a numeric IP address");
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) r.fail(n, std::string(what) + ": invalid port \"" + port + "\"");
  l.host = host;
  l.port = uint16_t(p);
  return l;
}

BackendSpec parse_backend(Reader& r, const std::string& text, const toml::node& n) {
  BackendSpec b;
  b.address = text;
  if (text.rfind("unix:", 0) == 0) {
    b.is_unix = true;
    b.path = text.substr(5);
    if (b.path.empty()) r.fail(n, "backend: expected \"unix:/path/to.sock\"");
    if (b.path.size() >= 108) r.fail(n, "backend: unix socket path too long (max 107 bytes)");
    return b;
  }
  ListenSpec l = parse_listen(r, text, n, "backend");
  if (l.port == 0) r.fail(n, "backend: port 0 is not a valid backend port");
  b.host = l.host;
  b.port = l.port;
  return b;
}

// request_headers / response_headers = { add = { NAME = "value" }, set = { ... } }. Each of
// add and set, when given, replaces the `base` one (a route's replace the server's).
void parse_header_edits(Reader& r, const char* key, bool request, HeaderEdits& out, bool* gave_add, bool* gave_set) {
  const toml::table* t = r.table(key);
  if (!t) return;
  Reader er(r.file(), *t, r.ctx() + "." + key);
  // Fields that frame the message or the connection are cutover's to decide.
  static const char* kRequestOnly[] = {"host"};
  static const char* kNever[] = {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer"};
  for (const char* op : {"add", "set"}) {
    const toml::table* list = er.table(op);
    if (!list) continue;
    bool add_op = std::string_view(op) == "add";
    auto& into = add_op ? out.add : out.set;
    into.clear();
    if (bool* gave = add_op ? gave_add : gave_set) *gave = true;
    for (auto&& [k, v] : *list) {
      std::string name(k.str());
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      bool token = !name.empty() && name.find_first_not_of("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == std::string::npos;
      if (!token) throw ConfigError(where(r.file(), k.source()) + ": " + er.ctx() + "." + op + ": \"" + name + "\" is not a header field name");
      bool framing = std::find(std::begin(kNever), std::end(kNever), lower) != std::end(kNever) ||
                     (!request && std::find(std::begin(kRequestOnly), std::end(kRequestOnly), lower) != std::end(kRequestOnly));
      if (framing) throw ConfigError(where(r.file(), k.source()) + ": " + er.ctx() + "." + op + ": " + name + " frames the message; cutover sets it");
      if (!v.is_string()) er.fail(v, er.ctx() + "." + op + "." + name + ": expected a string");
      const std::string& value = v.as_string()->get();
      if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
        er.fail(v, er.ctx() + "." + op + "." + name + ": a header value cannot hold CR, LF or NUL");
      into.emplace_back(name, value);
    }
  }
  er.finish();
}

FieldCondition::Cidr parse_cidr(Reader& r, const std::string& text, const toml::node& at);

// expire_urls / expire_mimetypes: [["/prefix", "access plus 1 hours"], ...] in order (the
// first prefix that matches wins). False: the key is absent.
bool parse_expire_list(Reader& r, const char* key, std::vector<std::pair<std::string, statics::ExpireSpec>>& out) {
  const toml::node* n = r.get(key);
  if (!n) return false;
  std::string shape = std::string(key) + ": expected a list of [\"prefix\", \"access plus 1 hours\"] pairs";
  if (!n->is_array()) r.fail(*n, shape);
  for (const toml::node& e : *n->as_array()) {
    const toml::array* pair = e.as_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_string() || !(*pair)[1].is_string()) r.fail(e, shape);
    std::string why;
    std::optional<statics::ExpireSpec> spec = statics::parse_expire(**(*pair)[1].as_string(), why);
    if (!spec) r.fail((*pair)[1], std::string(key) + ": " + why);
    out.push_back({**(*pair)[0].as_string(), *spec});
  }
  return true;
}

void parse_server(Reader& r, ServerSpec& s) {
  for (auto& [text, node] : r.str_list("listen")) s.listen.push_back(parse_listen(r, text, *node));
  if (auto v = r.integer("threads", 0, 256)) s.threads = int(*v);
  if (auto v = r.str("document_root")) s.document_root = *v;
  if (auto v = r.str("name")) s.server_name = *v;
  if (auto v = r.str("admin")) s.admin = parse_listen(r, *v, *r.get("admin"), "admin");
  if (auto v = r.str("admin_token")) s.admin_token = *v;
  if (auto v = r.str("control")) {
    if (v->empty() || (*v != "off" && v->front() != '/'))
      r.fail(*r.get("control"), "server.control: expected an absolute socket path or \"off\"");
    s.control = *v;
  }
  if (r.get("admin_hosts"))
    for (auto& [h, node] : r.str_list("admin_hosts")) {
      std::string l = h;
      for (char& ch : l) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      s.admin_hosts.push_back(l);
    }
  if (auto v = r.str("server_tag")) s.server_tag = *v;
  parse_expire_list(r, "expire_urls", s.expires.urls);
  parse_expire_list(r, "expire_mimetypes", s.expires.mimetypes);
  if (auto v = r.boolean("redirects_before_deny")) s.redirects_before_deny = *v;
  for (auto& [what, node] : r.str_list("response_headers_skip")) {
    if (what == "redirect") s.plain_redirects = true;
    else if (what == "deny") s.plain_denials = true;
    else if (what == "auth") s.plain_auth = true;
    else r.fail(*node, "server.response_headers_skip: expected \"redirect\", \"deny\" and/or \"auth\"");
  }
  if (auto v = r.str("user")) s.user = *v;
  if (auto v = r.str("group")) s.group = *v;
  if (auto v = r.boolean("allow_root")) s.allow_root = *v;
  if (r.get("user") && s.user.empty()) r.fail(*r.get("user"), "server.user: expected a user name such as \"www-data\"");
  if (r.get("group") && s.group.empty()) r.fail(*r.get("group"), "server.group: expected a group name such as \"www-data\"");
  if (auto v = r.str("access_log")) s.access_log = *v;
  if (auto v = r.str("state_file")) s.state_file = *v;
  if (auto v = r.str("mime_types")) s.mime_types = *v;
  r.duration("file_cache", s.file_cache);
  if (auto v = r.str("log_level")) {
    static const char* kLevels[] = {"debug", "info", "warn", "error"};
    auto it = std::find(std::begin(kLevels), std::end(kLevels), *v);
    if (it == std::end(kLevels)) r.fail(*r.get("log_level"), "server.log_level: expected \"debug\", \"info\", \"warn\" or \"error\"");
    s.log_level = int(it - std::begin(kLevels));
  }
  if (auto v = r.str("remote_user_header")) {
    if (v->empty() || v->find_first_of(" :\r\n") != std::string::npos) r.fail(*r.get("remote_user_header"), "server.remote_user_header: expected a header name such as \"X-Remote-User\"");
    s.remote_user_header = *v;
  }
  if (auto v = r.str("access_log_format")) {
    std::string error;
    size_t offset = 0;
    std::optional<AccessFormat> f = AccessFormat::parse(*v, error, offset);
    // The column points at the variable, when the string has no escapes before it.
    if (!f) r.fail(*r.get("access_log_format"), "server.access_log_format: " + error, kAfterQuote + offset);
    s.access_log_format = std::move(*f);
  }
  uint64_t hb = s.max_header_bytes;
  r.size("max_header_bytes", hb);
  if (hb < 1024 || hb > 1024 * 1024) r.fail_here("server.max_header_bytes: expected 1KiB to 1MiB");
  s.max_header_bytes = size_t(hb);
  if (auto v = r.integer("max_header_count", 1, 10000)) s.max_header_count = size_t(*v);
  if (auto v = r.boolean("underscores_in_headers")) s.underscores_in_headers = *v;
  if (r.get("trusted_proxies"))
    for (auto& [text, node] : r.str_list("trusted_proxies")) s.trusted_proxies.push_back(parse_cidr(r, text, *node));
  if (r.get("trusted_proxy_headers")) {
    s.trusted_proxy_headers.clear();
    for (auto& [text, node] : r.str_list("trusted_proxy_headers")) {
      std::string l = text;
      for (char& ch : l) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      if (l.empty() || l.find_first_of(" \t:\r\n") != std::string::npos)
        r.fail(*node, "server.trusted_proxy_headers: \"" + text + "\" is not a header name");
      s.trusted_proxy_headers.push_back(l);
    }
    if (s.trusted_proxy_headers.empty())
      r.fail(*r.get("trusted_proxy_headers"), "server.trusted_proxy_headers: expected at least one header name");
  }
  r.size("max_body_bytes", s.max_body_bytes);
  r.duration("header_timeout", s.header_timeout);
  r.duration("keepalive_timeout", s.keepalive_timeout);
  r.duration("body_timeout", s.body_timeout);
  r.duration("send_timeout", s.send_timeout);
  r.duration("drain_timeout", s.drain_timeout);
  for (auto [key, into] : {std::pair{"error_handler_404", &s.error_handler_404}, std::pair{"error_handler", &s.error_handler}})
    if (auto v = r.str(key)) {
      if (v->empty() || v->front() != '/') r.fail(*r.get(key), std::string("server.") + key + ": expected a path such as \"/index.php\"");
      *into = *v;
    }
  for (auto& [suffix, node] : r.str_list("deny_suffixes")) s.deny_suffixes.push_back(suffix);
  parse_header_edits(r, "request_headers", true, s.request_headers);
  parse_header_edits(r, "response_headers", false, s.response_headers);
  parse_header_edits(r, "fastcgi_env", true, s.fastcgi_env);
  r.finish();
  if (s.listen.empty()) r.fail_here("server.listen: at least one address is required");
}

}  // namespace cutover::config_load
