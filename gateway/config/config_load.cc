// TOML -> Config. Every key is checked: unknown keys, wrong types, bad values and broken
// references are errors naming file:line:column and what was expected.
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "config/config.h"
#include "config/identity.h"
#include "config/nearest.h"
#include "config/worker_template.h"

namespace cutover {
namespace {

std::string where(const std::string& file, const toml::source_region& r, size_t col_offset = 0) {
  std::ostringstream o;
  o << file << ':' << r.begin.line << ':' << (r.begin.column + col_offset);
  return o.str();
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}

// Reads one TOML table, remembering which keys were consumed so that leftovers are errors.
class Reader {
 public:
  Reader(const std::string& file, const toml::table& t, std::string ctx)
      : file_(file), t_(t), ctx_(std::move(ctx)) {}

  const toml::node* get(std::string_view key) {
    allowed_.insert(std::string(key));
    return t_.get(key);
  }

  [[noreturn]] void fail(const toml::node& n, const std::string& msg, size_t off = 0) const {
    throw ConfigError(where(file_, n.source(), off) + ": " + msg);
  }
  [[noreturn]] void fail_here(const std::string& msg) const {
    throw ConfigError(where(file_, t_.source()) + ": " + msg);
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(*n, ctx_ + "." + std::string(key) + ": expected true or false, found " + type_name(*n));
    return n->as_boolean()->get();
  }
  std::optional<std::string> str(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_string())
      fail(*n, std::string(ctx_) + "." + std::string(key) + ": expected a string, found " + type_name(*n));
    return n->as_string()->get();
  }
  std::optional<int64_t> integer(std::string_view key, int64_t lo, int64_t hi) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer())
      fail(*n, ctx_ + "." + std::string(key) + ": expected an integer, found " + type_name(*n));
    int64_t v = n->as_integer()->get();
    if (v < lo || v > hi)
      fail(*n, ctx_ + "." + std::string(key) + ": expected a value from " + std::to_string(lo) +
                   " to " + std::to_string(hi));
    return v;
  }
  void duration(std::string_view key, Duration& out) {
    const toml::node* n = get(key);
    if (!n) return;
    if (!n->is_string() || !parse_duration(n->as_string()->get(), out))
      fail(*n, ctx_ + "." + std::string(key) + ": expected a duration such as \"500ms\", \"2s\", \"1m\"");
  }
  void size(std::string_view key, uint64_t& out) {
    const toml::node* n = get(key);
    if (!n) return;
    if (n->is_integer() && n->as_integer()->get() >= 0) {
      out = uint64_t(n->as_integer()->get());
      return;
    }
    if (!n->is_string() || !parse_size(n->as_string()->get(), out))
      fail(*n, ctx_ + "." + std::string(key) + ": expected a size such as \"64KiB\", \"10MiB\"");
  }
  std::vector<std::pair<std::string, const toml::node*>> str_list(std::string_view key) {
    std::vector<std::pair<std::string, const toml::node*>> out;
    const toml::node* n = get(key);
    if (!n) return out;
    if (n->is_string()) {
      out.emplace_back(n->as_string()->get(), n);
      return out;
    }
    if (!n->is_array()) fail(*n, ctx_ + "." + std::string(key) + ": expected a list of strings");
    for (const toml::node& e : *n->as_array()) {
      if (!e.is_string()) fail(e, ctx_ + "." + std::string(key) + ": expected a list of strings, found " + type_name(e));
      out.emplace_back(e.as_string()->get(), &e);
    }
    return out;
  }
  const toml::table* table(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(*n, ctx_ + "." + std::string(key) + ": expected a table, found " + type_name(*n));
    return n->as_table();
  }

  // Every key not asked for is unknown.
  void finish() const {
    for (auto&& [k, v] : t_) {
      if (allowed_.count(std::string(k.str()))) continue;
      std::string expected;
      for (auto& a : allowed_) expected += (expected.empty() ? "" : ", ") + a;
      std::string near = nearest_name(std::string(k.str()), {allowed_.begin(), allowed_.end()});
      throw ConfigError(where(file_, k.source()) + ": unknown key '" + std::string(k.str()) + "' in " + ctx_ +
                        (near.empty() ? "" : "; did you mean '" + near + "'?") + " (expected one of: " + expected + ")");
    }
  }

  const std::string& file() const { return file_; }
  const std::string& ctx() const { return ctx_; }

 private:
  const std::string& file_;
  const toml::table& t_;
  std::string ctx_;
  std::set<std::string> allowed_;
};

// A string value's first character is one column after where the value starts (its
// quote); positions inside a multi-line string are counted from there too.
constexpr size_t kAfterQuote = 1;

Regex compile_regex(Reader& r, const std::string& pattern, const toml::node& n) {
  std::string err;
  size_t off = 0;
  auto re = Regex::compile(pattern, err, off);
  if (!re) r.fail(n, "invalid regex \"" + pattern + "\": " + err + " at offset " + std::to_string(off), kAfterQuote + off);
  return std::move(*re);
}

Replacement parse_replacement(Reader& r, const std::string& text, const toml::node& n) {
  Replacement rep;
  std::string err;
  size_t off = 0;
  if (!rep.parse(text, err, off)) r.fail(n, "invalid replacement \"" + text + "\": " + err, kAfterQuote + off);
  return rep;
}

ListenSpec parse_listen(Reader& r, const std::string& text, const toml::node& n, const char* what = "listen") {
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
void parse_header_edits(Reader& r, const char* key, bool request, HeaderEdits& out, bool* gave_add = nullptr, bool* gave_set = nullptr) {
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

int signal_number(std::string_view name) {
  static const struct { const char* n; int s; } kSigs[] = {
      {"TERM", 15}, {"INT", 2}, {"QUIT", 3}, {"HUP", 1}, {"KILL", 9}, {"USR1", 10}, {"USR2", 12}};
  if (name.rfind("SIG", 0) == 0) name.remove_prefix(3);
  for (auto& k : kSigs)
    if (name == k.n) return k.s;
  return 0;
}

void parse_workers(Reader& pr, const toml::table& t, PoolSpec& p) {
  Reader r(pr.file(), t, "pools." + p.name + ".workers");
  WorkerSpec w;
  w.origin = where(pr.file(), t.source());
  const toml::node* cmd = r.get("command");
  if (!cmd) r.fail_here("workers.command is required, e.g. [\"build/example-worker\", \"--port\", \"{port}\"]");
  if (cmd->is_string()) {
    w.command.push_back(cmd->as_string()->get());
  } else if (cmd->is_array() && !cmd->as_array()->empty()) {
    for (const toml::node& e : *cmd->as_array()) {
      if (!e.is_string()) r.fail(e, "workers.command: expected a list of strings");
      w.command.push_back(e.as_string()->get());
    }
  } else {
    r.fail(*cmd, "workers.command: expected a non-empty list of strings (program and arguments)");
  }
  if (auto v = r.str("host")) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, v->c_str(), buf) != 1 && inet_pton(AF_INET6, v->c_str(), buf) != 1)
      r.fail(*r.get("host"), "workers.host: expected a numeric IP address");
    w.host = *v;
  }
  if (const toml::node* ports = r.get("ports")) {
    // [3001, 3002] or "3001-3005"
    auto bad = [&] { r.fail(*ports, "workers.ports: expected a list of ports or a range \"3001-3005\""); };
    if (ports->is_string()) {
      std::string s = ports->as_string()->get();
      size_t dash = s.find('-');
      if (dash == std::string::npos) bad();
      char* e1 = nullptr;
      char* e2 = nullptr;
      long a = std::strtol(s.c_str(), &e1, 10), b = std::strtol(s.c_str() + dash + 1, &e2, 10);
      if (e1 != s.c_str() + dash || *e2 || a < 1 || b > 65535 || a > b || b - a >= 1024) bad();
      for (long i = a; i <= b; ++i) w.ports.push_back(uint16_t(i));
    } else if (ports->is_array()) {
      for (const toml::node& e : *ports->as_array()) {
        if (!e.is_integer() || e.as_integer()->get() < 1 || e.as_integer()->get() > 65535) bad();
        w.ports.push_back(uint16_t(e.as_integer()->get()));
      }
      if (w.ports.empty()) bad();
    } else {
      bad();
    }
  }
  if (auto v = r.str("socket")) {
    if (v->empty()) r.fail(*r.get("socket"), "workers.socket: expected a path");
    w.socket = *v;
  }
  if (auto v = r.integer("count", 1, 1024)) w.count = int(*v);
  if (!w.ports.empty() && !w.socket.empty())
    r.fail(*r.get("socket"), "workers: give either ports (TCP) or socket (unix), not both");
  if (w.ports.empty() && w.socket.empty())
    r.fail_here("workers: give ports = \"3001-3005\" (one instance per port) or socket = \"tmp/app.sock\" (FastCGI)");
  if (!w.socket.empty() && p.protocol != "fastcgi")
    r.fail(*r.get("socket"), "workers.socket: only for protocol = \"fastcgi\" (HTTP workers listen on ports)");
  if (!w.ports.empty()) {
    if (w.count && w.count != int(w.ports.size()))
      r.fail(*r.get("count"), "workers.count: " + std::to_string(w.count) + " differs from the " +
                                  std::to_string(w.ports.size()) + " ports listed; leave count out");
    w.count = int(w.ports.size());
  }
  if (!w.count) w.count = 1;
  if (auto v = r.str("cwd")) w.cwd = *v;
  if (const toml::table* env = r.table("env"))
    for (auto&& [k, v] : *env) {
      if (!v.is_string()) r.fail(v, "workers.env: expected string values");
      w.env.emplace_back(std::string(k.str()), v.as_string()->get());
    }
  for (auto& [name, node] : r.str_list("copy_env")) w.copy_env.push_back(name);
  if (const toml::node* n = r.get("clear_env")) {
    if (!n->is_boolean()) r.fail(*n, "workers.clear_env: expected true or false");
    w.clear_env = n->as_boolean()->get();
  }
  if (auto v = r.str("stdout")) w.stdout_path = *v;
  if (auto v = r.str("stderr")) w.stderr_path = *v;
  if (auto v = r.str("pid_file")) w.pid_file = *v;
  if (auto v = r.str("adopt_pid_file")) w.adopt_pid_file = *v;
  if (auto v = r.str("user")) w.user = *v;
  if (auto v = r.str("group")) w.group = *v;
  if (auto v = r.str("stop_signal")) {
    w.stop_signal = signal_number(*v);
    if (!w.stop_signal) r.fail(*r.get("stop_signal"), "workers.stop_signal: expected TERM, INT, QUIT, HUP, KILL, USR1 or USR2");
  }
  r.duration("stop_timeout", w.stop_timeout);
  r.duration("start_timeout", w.start_timeout);
  r.duration("ready_after", w.ready_after);
  r.duration("drain_timeout", w.drain_timeout);
  r.duration("backoff", w.backoff);
  r.duration("backoff_max", w.backoff_max);
  if (auto v = r.integer("max_restarts", 0, 1000)) w.max_restarts = int(*v);
  r.duration("restart_window", w.restart_window);
  if (const toml::node* n = r.get("surge")) {
    if (!n->is_boolean()) r.fail(*n, "workers.surge: expected true or false");
    w.surge = n->as_boolean()->get();
    if (w.surge && !w.shared_socket())
      r.fail(*n, "workers.surge: only for FastCGI workers sharing one socket (socket without {index})");
  }
  r.finish();
  p.workers = std::move(w);
}

// FastCGI keep-conn: a libfcgi or php-fpm process serves one connection at a time, so a
// kept connection holds a process. Keeping as many as there are processes would leave none
// to accept the next new connection (it would wait in the listen backlog, forever).
void load_keep_conn(Reader& r, PoolSpec& p) {
  // Processes behind one backend address: known for supervised workers (N on a shared
  // socket, else one per socket or port), unknown (0) for listed backends.
  int processes = !p.workers ? 0 : p.workers->shared_socket() ? p.workers->count : 1;
  if (p.protocol == "fastcgi" && processes > 1) {
    // Every process kept and no more requests in flight than processes: each request rides
    // a kept connection and the others wait in cutover's queue, in order. With a higher
    // max_conns given, one process stays unkept for the requests beyond.
    if (!r.get("max_conns")) p.max_conns = uint32_t(processes);
    p.keep_conn = p.max_conns != 0 && p.max_conns <= uint32_t(processes) ? processes : processes - 1;
  }
  auto v = r.integer("keep_conn", 0, 100000);
  if (!v) return;
  if (p.protocol != "fastcgi")
    r.fail(*r.get("keep_conn"), "keep_conn: only for protocol = \"fastcgi\" (HTTP pools use keepalive)");
  // As many as the processes only when every request rides a kept connection (max_conns
  // no higher): cutover then never opens one that would wait behind the kept ones.
  bool rides_kept = p.max_conns > 0 && p.max_conns <= uint32_t(*v);  // given, or the default above
  if (processes > 0 && (*v > processes || (*v == processes && !rides_kept)))
    r.fail(*r.get("keep_conn"), "keep_conn: " + std::to_string(*v) + " kept connections would hold all " +
                                    std::to_string(processes) + " process(es) behind each backend; at most " +
                                    std::to_string(processes - 1) + ", or " + std::to_string(processes) +
                                    " with max_conns = " + std::to_string(processes) + " or less");
  p.keep_conn = int(*v);
}

void parse_pool(Reader& r, PoolSpec& p) {
  if (auto v = r.str("protocol")) {
    if (*v != "http" && *v != "fastcgi") r.fail(*r.get("protocol"), "protocol: expected \"http\" or \"fastcgi\"");
    p.protocol = *v;
  }
  if (auto v = r.str("balancer")) {
    // lighttpd's names map on: fair/least-connection -> least-conn, carp -> hash, static -> first.
    static const struct {
      const char* name;
      BalancerKind kind;
    } kNames[] = {{"sqf", BalancerKind::sqf},          {"round-robin", BalancerKind::round_robin},
                  {"least-conn", BalancerKind::least_conn}, {"fair", BalancerKind::least_conn},
                  {"least-connection", BalancerKind::least_conn}, {"hash", BalancerKind::hash},
                  {"carp", BalancerKind::hash},        {"sticky", BalancerKind::sticky},
                  {"first", BalancerKind::first},      {"static", BalancerKind::first}};
    bool found = false;
    for (auto& n : kNames)
      if (*v == n.name) p.balancer = n.kind, found = true;
    if (!found)
      r.fail(*r.get("balancer"), "balancer: expected \"sqf\", \"round-robin\", \"least-conn\", \"hash\", \"sticky\" or \"first\" (or lighttpd's fair, least-connection, carp, static), found \"" + *v + "\"");
  }
  if (auto v = r.str("hash_key")) {
    if (*v == "path") p.hash_key.kind = HashKeySpec::Kind::path;
    else if (*v == "path+host") p.hash_key.kind = HashKeySpec::Kind::path_host;
    else if (*v == "ip") p.hash_key.kind = HashKeySpec::Kind::ip;
    else if (v->rfind("header:", 0) == 0 && v->size() > 7) p.hash_key = {HashKeySpec::Kind::header, v->substr(7)};
    else if (v->rfind("cookie:", 0) == 0 && v->size() > 7) p.hash_key = {HashKeySpec::Kind::cookie, v->substr(7)};
    else r.fail(*r.get("hash_key"), "hash_key: expected \"path\", \"path+host\", \"ip\", \"header:NAME\" or \"cookie:NAME\"");
  }
  if (p.balancer == BalancerKind::sticky) p.hash_key.kind = HashKeySpec::Kind::ip;
  if (const toml::table* w = r.table("workers")) parse_workers(r, *w, p);
  const toml::node* backends = r.get("backends");  // presence checked by the caller
  if (p.workers && backends)
    r.fail(*backends, "backends: a pool with [workers] gets its backends from the workers' ports or sockets; remove \"backends\"");
  if (p.workers) {
    const WorkerSpec& w = *p.workers;
    for (int i = 0; i < w.count; ++i) {
      BackendSpec b;
      if (!w.ports.empty()) {
        b.host = w.host;
        b.port = w.ports[size_t(i)];
        b.address = (w.host.find(':') != std::string::npos ? "[" + w.host + "]" : w.host) + ":" + std::to_string(b.port);
      } else {
        b.is_unix = true;
        b.path = expand_worker_template(w.socket, i, 0, w.socket);
        b.address = "unix:" + b.path;
        if (b.path.size() >= 108) r.fail(*r.get("workers"), "workers.socket: unix socket path too long (max 107 bytes)");
      }
      b.worker_index = i;
      if (w.shared_socket() && i > 0) continue;  // N processes behind one socket: one backend
      p.backends.push_back(b);
    }
  }
  static const toml::array kNone;
  for (const toml::node& e : backends ? *backends->as_array() : kNone) {  // by reference: a copy loses positions
    if (e.is_string()) {
      p.backends.push_back(parse_backend(r, e.as_string()->get(), e));
    } else if (e.is_table()) {
      Reader br(r.file(), *e.as_table(), "pools." + p.name + ".backends");
      auto addr = br.str("address");
      if (!addr) br.fail_here("backend: \"address\" is required");
      BackendSpec b = parse_backend(br, *addr, *br.get("address"));
      if (auto w = br.integer("weight", 1, 1000)) b.weight = uint32_t(*w);
      br.finish();
      p.backends.push_back(b);
    } else {
      r.fail(e, "backends: expected \"host:port\", \"unix:/path\" or { address = ..., weight = N }");
    }
  }
  const toml::node& where_backends = backends ? *backends : *r.get("workers");
  if (p.backends.size() > 1024) r.fail(where_backends, "backends: at most 1024 per pool");
  std::set<std::string> seen;
  for (auto& b : p.backends)
    if (!seen.insert(b.address).second) r.fail(where_backends, "backends: \"" + b.address + "\" is listed twice");
  r.duration("connect_timeout", p.timeouts.connect);
  r.duration("read_timeout", p.timeouts.read);
  r.duration("first_byte_timeout", p.timeouts.first_byte);
  r.duration("write_timeout", p.timeouts.write);
  r.duration("disable_time", p.disable_time);
  if (auto v = r.integer("retries", 0, 10)) p.retries = int(*v);
  if (auto v = r.integer("keepalive", 0, 10000)) p.keepalive_idle = int(*v);
  r.duration("keepalive_timeout", p.keepalive_timeout);
  if (auto v = r.integer("max_conns", 0, 1000000)) p.max_conns = uint32_t(*v);
  load_keep_conn(r, p);
  for (auto& [dir, node] : r.str_list("x_sendfile")) {
    if (p.protocol != "fastcgi") r.fail(*node, "x_sendfile: only for protocol = \"fastcgi\"");
    if (dir.empty() || dir.front() != '/')
      r.fail(*node, "x_sendfile: expected absolute directories the app may name files in, e.g. [\"/srv/app/files\"]");
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    p.x_sendfile.push_back(d);
  }
  if (auto v = r.integer("max_fails", 0, 1000)) p.max_fails = int(*v);
  if (const toml::table* h = r.table("health")) {
    Reader hr(r.file(), *h, "pools." + p.name + ".health");
    p.health.enabled = true;
    if (auto v = hr.str("path")) {
      if (v->empty() || v->front() != '/') hr.fail(*hr.get("path"), "health.path: expected a path starting with '/'");
      p.health.path = *v;
    }
    hr.duration("interval", p.health.interval);
    hr.duration("timeout", p.health.timeout);
    if (auto v = hr.integer("rise", 1, 100)) p.health.rise = int(*v);
    if (auto v = hr.integer("fall", 1, 100)) p.health.fall = int(*v);
    if (auto v = hr.integer("expect", 100, 599)) p.health.expect = int(*v);
    hr.finish();
  }
  if (auto v = r.integer("queue", 0, 1000000)) p.queue_size = uint32_t(*v);
  r.duration("queue_timeout", p.queue_timeout);
  r.finish();
}

size_t pool_index_of(Reader& r, const toml::node& n, const std::string& key, const std::string& name, const Config& c) {
  for (size_t i = 0; i < c.pools.size(); ++i)
    if (c.pools[i].name == name) return i;
  std::string names;
  for (auto& p : c.pools) names += (names.empty() ? "" : ", ") + p.name;
  r.fail(n, key + ": unknown pool \"" + name + "\" (defined pools: " + (names.empty() ? "none" : names) + ")");
}

void parse_rollout(Reader& pr, const toml::table& t, RouteSpec& rt, const Config& c) {
  Reader r(pr.file(), t, "routes." + rt.name + ".rollout");
  RolloutSpec ro;
  if (rt.action != RouteSpec::Action::forward) r.fail_here("rollout: only for a route that forwards to a pool");
  auto to = r.str("to");
  if (!to) r.fail_here("rollout.to is required: the pool the route moves to");
  ro.to = *to;
  ro.to_index = pool_index_of(r, *r.get("to"), "rollout.to", *to, c);
  if (ro.to_index == rt.pool_index) r.fail(*r.get("to"), "rollout.to: the route already forwards to \"" + *to + "\"");
  if (const toml::node* steps = r.get("steps")) {
    ro.steps.clear();
    if (!steps->is_array()) r.fail(*steps, "rollout.steps: expected a list of percentages, e.g. [1, 10, 50]");
    double last = 0;
    for (const toml::node& e : *steps->as_array()) {
      double v = e.is_integer() ? double(e.as_integer()->get()) : e.is_floating_point() ? e.as_floating_point()->get() : -1;
      if (v <= last || v >= 100) r.fail(e, "rollout.steps: expected ascending percentages above 0 and below 100");
      ro.steps.push_back(v);
      last = v;
    }
  }
  if (auto v = r.str("stage")) {
    auto st = stage::parse_stage(*v);
    if (!st) r.fail(*r.get("stage"), "rollout.stage: expected \"legacy\", \"shadow\", \"canary\" or \"new\"");
    ro.initial.stage = *st;
    if (*st == stage::Stage::new_) ro.initial.share_bp = stage::kBuckets;
  }
  if (const toml::node* pct = r.get("percent")) {
    double v = pct->is_integer() ? double(pct->as_integer()->get()) : pct->is_floating_point() ? pct->as_floating_point()->get() : -1;
    if (v <= 0 || v >= 100) r.fail(*pct, "rollout.percent: expected a percentage above 0 and below 100");
    if (ro.initial.stage != stage::Stage::canary) r.fail(*pct, "rollout.percent: only with stage = \"canary\"");
    ro.initial.share_bp = stage::percent_to_bp(v);
  } else if (ro.initial.stage == stage::Stage::canary) {
    ro.initial.share_bp = stage::percent_to_bp(ro.steps.empty() ? 10 : ro.steps.front());
  }
  if (const toml::table* split = r.table("split")) {
    // split = { legacy = 90, warp = 10 }: the same as stage = "canary", percent = 10.
    if (r.get("stage") || r.get("percent")) r.fail(*r.get("split"), "rollout.split: give either split or stage/percent");
    int64_t old_w = -1, new_w = -1;
    for (auto&& [k, v] : *split) {
      if (!v.is_integer() || v.as_integer()->get() < 0) r.fail(v, "rollout.split: expected weights such as { " + rt.pool + " = 90, " + ro.to + " = 10 }");
      std::string pool(k.str());
      if (pool == rt.pool) old_w = v.as_integer()->get();
      else if (pool == ro.to) new_w = v.as_integer()->get();
      else r.fail(v, "rollout.split: \"" + pool + "\" is neither the route's pool (\"" + rt.pool + "\") nor rollout.to (\"" + ro.to + "\")");
    }
    if (old_w < 0 || new_w < 0 || old_w + new_w == 0)
      r.fail(*r.get("split"), "rollout.split: expected a weight for both \"" + rt.pool + "\" and \"" + ro.to + "\"");
    uint32_t bp = uint32_t((new_w * int64_t(stage::kBuckets) + (old_w + new_w) / 2) / (old_w + new_w));
    if (bp == 0) ro.initial = {stage::Stage::legacy, 0};
    else if (bp >= stage::kBuckets) ro.initial = {stage::Stage::new_, stage::kBuckets};
    else ro.initial = {stage::Stage::canary, bp};
  }
  if (auto v = r.str("sticky")) {
    if (*v == "cookie") ro.sticky = RolloutSpec::Sticky::cookie;
    else if (*v == "ip") ro.sticky = RolloutSpec::Sticky::ip;
    else if (v->rfind("header:", 0) == 0 && v->size() > 7) ro.sticky = RolloutSpec::Sticky::header, ro.sticky_header = v->substr(7);
    else r.fail(*r.get("sticky"), "rollout.sticky: expected \"cookie\", \"ip\" or \"header:NAME\"");
  }
  ro.cookie_name = "cutover_" + rt.name;
  if (auto v = r.str("cookie")) ro.cookie_name = *v;
  if (auto v = r.str("secret")) {
    if (v->size() < 16) r.fail(*r.get("secret"), "rollout.secret: use at least 16 characters");
    stage::key_from_secret(*v, ro.cookie_key);
    ro.secret_set = true;
  } else {
    // Stable across reloads and instances, but guessable: set `secret` so users cannot
    // forge a cookie that picks their side.
    stage::key_from_secret("cutover-default-key:" + rt.name, ro.cookie_key);
  }
  if (auto v = r.str("path")) {
    if (*v == "rewritten") ro.path = RolloutSpec::PathShape::rewritten;
    else if (*v == "stripped") ro.path = RolloutSpec::PathShape::stripped;
    else if (*v == "original") ro.path = RolloutSpec::PathShape::original;
    else r.fail(*r.get("path"), "rollout.path: expected \"rewritten\", \"stripped\" or \"original\"");
  }
  ro.strip_prefix = rt.fastcgi.key.empty() || rt.fastcgi.key.front() != '/' ? rt.prefix : rt.fastcgi.key;
  if (auto v = r.str("strip_prefix")) ro.strip_prefix = *v;
  while (!ro.strip_prefix.empty() && ro.strip_prefix.back() == '/') ro.strip_prefix.pop_back();
  auto flag = [&](Reader& rr, const char* k, bool& out) {
    if (const toml::node* n = rr.get(k)) {
      if (!n->is_boolean()) rr.fail(*n, std::string(k) + ": expected true or false");
      out = n->as_boolean()->get();
    }
  };
  if (const toml::table* cmp = r.table("compare")) {
    Reader cr(r.file(), *cmp, "routes." + rt.name + ".rollout.compare");
    flag(cr, "enabled", ro.compare);
    flag(cr, "always", ro.compare_always);
    if (auto v = cr.str("body")) {
      if (*v == "auto") ro.compare_spec.mode = stage::BodyMode::auto_;
      else if (*v == "exact") ro.compare_spec.mode = stage::BodyMode::exact;
      else if (*v == "json") ro.compare_spec.mode = stage::BodyMode::json;
      else if (*v == "text") ro.compare_spec.mode = stage::BodyMode::text;
      else cr.fail(*cr.get("body"), "compare.body: expected \"auto\", \"exact\", \"json\" or \"text\"");
    }
    flag(cr, "headers", ro.compare_spec.compare_headers);
    for (auto& [h, n] : cr.str_list("ignore_headers")) {
      std::string l = h;
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      ro.compare_spec.ignore_headers.push_back(l);
    }
    for (auto& [p, n] : cr.str_list("ignore_paths")) {
      if (!p.empty() && p.front() != '/') cr.fail(*n, "compare.ignore_paths: expected JSON pointers such as \"/meta/time\"");
      ro.compare_spec.ignore_paths.push_back(p);
    }
    if (const toml::node* norm = cr.get("normalize")) {
      if (!norm->is_array()) cr.fail(*norm, "compare.normalize: expected a list of names (\"uuid\", \"iso-time\", \"epoch\", \"hex-id\") or [regex, replacement] pairs");
      for (const toml::node& e : *norm->as_array()) {
        stage::Normalizer nz;
        if (e.is_string()) {
          if (!stage::builtin_normalizer(e.as_string()->get(), nz))
            cr.fail(e, "compare.normalize: unknown normalizer \"" + e.as_string()->get() + "\" (built in: uuid, iso-time, epoch, hex-id)");
        } else if (e.is_array() && e.as_array()->size() == 2 && (*e.as_array())[0].is_string() && (*e.as_array())[1].is_string()) {
          nz.pattern = compile_regex(cr, (*e.as_array())[0].as_string()->get(), (*e.as_array())[0]);
          nz.replacement = (*e.as_array())[1].as_string()->get();
        } else {
          cr.fail(e, "compare.normalize: expected a name or [\"regex\", \"replacement\"]");
        }
        ro.compare_spec.normalizers.push_back(std::move(nz));
      }
    }
    flag(cr, "collapse_whitespace", ro.compare_spec.collapse_whitespace);
    if (auto v = cr.integer("concurrency", 1, 10000)) ro.compare_concurrency = uint32_t(*v);
    if (auto v = cr.integer("max_rate", 0, 10000000)) ro.compare_max_rate = uint32_t(*v);
    if (auto v = cr.integer("queue", 0, 100000)) ro.compare_queue = uint32_t(*v);
    cr.size("max_body", ro.compare_max_body);
    if (cr.get("methods")) {
      ro.compare_methods.clear();
      for (auto& [m, n] : cr.str_list("methods")) ro.compare_methods.push_back(m);
    }
    if (auto v = cr.str("secondary")) {
      ro.secondary = *v;
      ro.secondary_index = pool_index_of(cr, *cr.get("secondary"), "compare.secondary", *v, c);
    }
    if (auto v = cr.integer("samples", 0, 10000)) ro.samples = size_t(*v);
    cr.finish();
  }
  if (const toml::table* g = r.table("guards")) {
    Reader gr(r.file(), *g, "routes." + rt.name + ".rollout.guards");
    ro.guarded = true;
    if (auto v = gr.str("on_trip")) {
      if (*v != "safe" && *v != "step") gr.fail(*gr.get("on_trip"), "guards.on_trip: expected \"safe\" (the default) or \"step\"");
      ro.trip_steps = *v == "step";
    }
    if (auto v = gr.integer("max_consecutive_errors", 0, 1000000)) ro.max_consecutive_errors = uint32_t(*v);
    auto rate = [&](const char* k, double& out, double hi) {
      if (const toml::node* n = gr.get(k)) {
        double v = n->is_floating_point() ? n->as_floating_point()->get() : n->is_integer() ? double(n->as_integer()->get()) : -1;
        if (v < 0 || v > hi) gr.fail(*n, std::string("guards.") + k + ": expected a number from 0 to " + std::to_string(int(hi)));
        out = v;
      }
    };
    rate("max_error_rate", ro.max_error_rate, 1);
    rate("max_p99_ratio", ro.max_p99_ratio, 1000);
    rate("max_diff_rate", ro.max_diff_rate, 1);
    gr.duration("window", ro.window);
    if (auto v = gr.integer("min_requests", 1, 1000000)) ro.min_requests = uint64_t(*v);
    flag(gr, "auto_promote", ro.auto_promote);
    gr.finish();
  }
  r.finish();
  rt.rollout = std::move(ro);
}

void parse_static(Reader& sr, RouteSpec& rt, const Config& c) {
  StaticSpec& s = rt.static_files;
  auto root = sr.str("root");
  auto alias = sr.str("alias");
  if (root && alias) sr.fail(*sr.get("alias"), "static: give either root (file = root + path) or alias (file = alias + path after the prefix), not both");
  if (!root && !alias) sr.fail_here("static: root or alias is required");
  s.root = root ? *root : *alias;
  s.alias = bool(alias);
  s.root_at = where(sr.file(), sr.get(root ? "root" : "alias")->source());
  while (s.root.size() > 1 && s.root.back() == '/') s.root.pop_back();
  if (s.alias) {
    if (rt.prefix.empty()) sr.fail(*sr.get("alias"), "static.alias needs the route to match a prefix (it is what the alias replaces)");
    s.alias_prefix = rt.prefix;
  }
  for (auto& [f, node] : sr.str_list("index")) {
    if (f.empty() || f.find('/') != std::string::npos) sr.fail(*node, "static.index: expected file names such as \"index.html\"");
    s.index_files.push_back(f);
  }
  if (const toml::node* n = sr.get("listing")) {
    if (n->is_boolean()) s.listing = n->as_boolean()->get();
    else if (n->is_string() && n->as_string()->get() == "json") s.listing = s.listing_json = true;
    else sr.fail(*n, "static.listing: expected true, false or \"json\" (HTML, and JSON on ?format=json)");
  }
  if (auto v = sr.boolean("follow_symlinks")) s.follow_symlinks = *v;
  if (auto v = sr.boolean("dotfiles")) s.dotfiles = *v;
  if (auto v = sr.boolean("pathinfo")) s.pathinfo = *v;
  if (auto v = sr.boolean("precompressed")) s.precompressed = *v;
  if (auto v = sr.boolean("etag")) s.etag = *v;
  if (auto v = sr.boolean("ranges")) s.ranges = *v;
  for (auto& [e, node] : sr.str_list("exclude_extensions")) {
    std::string ext = e;  // a suffix, as lighttpd's (".php", "~", ".inc")
    if (ext.empty()) sr.fail(*node, "static.exclude_extensions: empty suffix");
    for (char& ch : ext) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    s.exclude_extensions.push_back(ext);
  }
  if (auto v = sr.str("cache_control")) s.cache_control = *v;
  if (sr.get("expires")) {
    Duration d{0};
    sr.duration("expires", d);
    s.expires = d;
  }
  auto mime = std::make_shared<statics::MimeTable>();
  if (!c.server.mime_types.empty() && !mime->load(c.server.mime_types) && c.server.mime_types != "/etc/mime.types")
    sr.fail_here("server.mime_types: cannot read " + c.server.mime_types);
  if (const toml::table* m = sr.table("mime")) {
    for (auto&& [k, v] : *m) {
      if (!v.is_string()) sr.fail(v, "static.mime." + std::string(k.str()) + ": expected a content type string");
      mime->set(k.str(), v.as_string()->get());
    }
  }
  if (const toml::node* n = sr.get("mime_assign")) {
    // lighttpd's mimetype.assign: ordered pairs, since the order decides which suffix wins
    const char* shape = "static.mime_assign: expected a list of [suffix, type] pairs, e.g. [[\".html\", \"text/html\"]]";
    if (!n->is_array()) sr.fail(*n, shape);
    std::vector<std::pair<std::string, std::string>> table;
    for (const toml::node& e : *n->as_array()) {
      const toml::array* p = e.as_array();
      if (!p || p->size() != 2 || !(*p)[0].is_string() || !(*p)[1].is_string()) sr.fail(e, shape);
      table.emplace_back((*p)[0].as_string()->get(), (*p)[1].as_string()->get());
    }
    if (sr.get("mime")) sr.fail(*sr.get("mime"), "static.mime and static.mime_assign: give one (mime_assign is the whole table)");
    mime->assign_lighttpd(std::move(table));
  }
  s.mime = std::move(mime);
  sr.finish();
}

void parse_match(Reader& r, const toml::table& m, const std::string& ctx, RouteSpec& rt);

void parse_auth(Reader& r, AuthSpec& a) {
  auto prefix = r.str("prefix");
  if (!prefix || prefix->empty() || prefix->front() != '/') r.fail_here("auth.prefix: expected a path prefix such as \"/static/private\"");
  a.prefix = *prefix;
  if (auto v = r.str("realm")) {
    if (v->find('"') != std::string::npos || v->find('\\') != std::string::npos)
      r.fail(*r.get("realm"), "auth.realm: quotes and backslashes are not allowed");
    a.realm = *v;
  }
  if (auto v = r.boolean("refuse")) a.refuse = *v;
  // The user file, by its format: htpasswd hashes, lighttpd's plain "user:password", or
  // htdigest "user:realm:md5".
  const char* file_key = nullptr;
  for (auto [key, format] : {std::pair{"htpasswd", auth::FileFormat::htpasswd}, std::pair{"plain", auth::FileFormat::plain},
                             std::pair{"htdigest", auth::FileFormat::htdigest}})
    if (auto f = r.str(key)) {
      if (file_key) r.fail(*r.get(key), std::string("auth.") + key + ": give one user file (" + file_key + " is given too)");
      file_key = key;
      a.htpasswd = *f;
      a.format = format;
    }
  if (!file_key && !a.refuse)
    r.fail_here("auth.htpasswd: the password file is required (make one with `htpasswd -B -c FILE USER`; or plain, htdigest; or refuse = true)");
  // Unreadable files do not stop the config (the area then refuses every login and says so):
  // relative paths depend on the working directory, which `check` may not share with `serve`.
  if (file_key && ::access(a.htpasswd.c_str(), R_OK) != 0)
    a.problem = where(r.file(), r.get(file_key)->source()) + ": auth." + file_key + ": cannot read " + a.htpasswd + " (from here)";
  if (auto v = r.str("scheme")) {
    if (*v == "basic") a.scheme = auth::Scheme::basic;
    else if (*v == "digest") a.scheme = auth::Scheme::digest;
    else r.fail(*r.get("scheme"), "auth.scheme: expected \"basic\" or \"digest\"");
  }
  if (a.scheme == auth::Scheme::digest && a.format == auth::FileFormat::htpasswd)
    r.fail(*r.get("scheme"), "auth.scheme: digest needs the password (plain) or its MD5 (htdigest): an htpasswd hash cannot check a digest");
  if (const toml::node* n = r.get("algorithm")) {
    if (a.scheme != auth::Scheme::digest) r.fail(*n, "auth.algorithm: only for scheme = \"digest\"");
    a.algorithms = 0;
    std::vector<std::pair<std::string, const toml::node*>> names;
    if (n->is_string()) names.push_back({*r.str("algorithm"), n});
    else names = r.str_list("algorithm");
    for (auto& [name, node] : names) {
      if (name == "MD5") a.algorithms |= uint8_t(auth::DigestAlgorithm::md5);
      else if (name == "SHA-256") a.algorithms |= uint8_t(auth::DigestAlgorithm::sha256);
      else r.fail(*node, "auth.algorithm: expected \"MD5\" or \"SHA-256\" (or a list of them)");
    }
    if (!a.algorithms) r.fail(*n, "auth.algorithm: give at least one");
    if (a.format == auth::FileFormat::htdigest && (a.algorithms & uint8_t(auth::DigestAlgorithm::sha256)))
      r.fail(*n, "auth.algorithm: an htdigest file holds MD5 only: SHA-256 needs a plain file");
  }
  if (auto v = r.str("nonce_secret")) a.nonce_secret = *v;
  if (auto v = r.boolean("ignore_case")) a.ignore_case = *v;
  if (const toml::table* m = r.table("match")) parse_match(r, *m, "auth.match", a.when);
  if (auto v = r.str("groups")) {
    a.groups = *v;
    if (::access(a.groups.c_str(), R_OK) != 0 && a.problem.empty())
      a.problem = where(r.file(), r.get("groups")->source()) + ": auth.groups: cannot read " + a.groups + " (from here)";
  }
  if (auto v = r.str("require")) a.require_text = *v;
  std::string why;
  if (!auth::parse_requirement(a.require_text, a.require, why)) r.fail(r.get("require") ? *r.get("require") : *r.get("prefix"), "auth." + why);
  if (!a.require.groups.empty() && a.groups.empty()) r.fail(*r.get("require"), "auth.require names a group: set auth.groups to the group file");
  if (auto v = r.integer("max_failures", 0, 1000000)) a.max_failures = uint32_t(*v);
  r.duration("failure_window", a.failure_window);
  r.duration("block_time", a.block_time);
  r.finish();
}

// The server's and pools' limits, overridden for one route. The head is read before the
// route is known, so header_timeout stays server-wide and a route's head limits can only be
// lower than the server's (an API that takes small heads, say).
void parse_route_limits(Reader& r, RouteSpec& rt, const ServerSpec& s) {
  RouteSpec::Limits& l = rt.limits;
  if (const toml::node* n = r.get("max_header_bytes")) {
    uint64_t v = 0;
    r.size("max_header_bytes", v);
    if (v < 1024 || v > s.max_header_bytes)
      r.fail(*n, "max_header_bytes: expected 1KiB up to the server's max_header_bytes (" + std::to_string(s.max_header_bytes) +
                     "): the head is read before the route is known");
    l.max_header_bytes = size_t(v);
  }
  if (auto v = r.integer("max_header_count", 1, int64_t(s.max_header_count))) l.max_header_count = size_t(*v);
  auto duration = [&](const char* key, std::optional<Duration>& out) {
    if (!r.get(key)) return;
    Duration d{0};
    r.duration(key, d);
    out = d;
  };
  if (r.get("max_body_bytes")) {
    uint64_t v = 0;
    r.size("max_body_bytes", v);
    l.max_body_bytes = v;
  }
  duration("body_timeout", l.body_timeout);
  duration("send_timeout", l.send_timeout);
  duration("keepalive_timeout", l.keepalive_timeout);
  for (const char* key : {"connect_timeout", "first_byte_timeout", "read_timeout", "write_timeout"}) {
    const toml::node* n = r.get(key);
    if (n && rt.action != RouteSpec::Action::forward)
      r.fail(*n, std::string(key) + ": only for a route that forwards to a pool (it overrides the pool's)");
  }
  duration("connect_timeout", l.connect_timeout);
  duration("first_byte_timeout", l.first_byte_timeout);
  duration("read_timeout", l.read_timeout);
  duration("write_timeout", l.write_timeout);
}

// "10.0.0.0/8", "::1", "2001:db8::/32": lighttpd's remoteip == / != operand.
FieldCondition::Cidr parse_cidr(Reader& r, const std::string& text, const toml::node& at) {
  FieldCondition::Cidr c;
  size_t slash = text.find('/');
  std::string ip = text.substr(0, slash);
  in_addr v4;
  bool is4 = inet_pton(AF_INET, ip.c_str(), &v4) == 1;
  if (is4) {
    c.addr[10] = c.addr[11] = 0xff;
    std::memcpy(c.addr + 12, &v4, 4);
  } else if (inet_pton(AF_INET6, ip.c_str(), c.addr) != 1) {
    r.fail(at, "client_ip: \"" + text + "\" is not an address or a CIDR block (\"10.0.0.0/8\", \"::1\")");
  }
  int max = is4 ? 32 : 128;
  int bits = max;
  if (slash != std::string::npos) {
    std::string b = text.substr(slash + 1);
    if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos || std::stoi(b) > max)
      r.fail(at, "client_ip: \"" + text + "\": the prefix length must be 0 to " + std::to_string(max));
    bits = std::stoi(b);
  }
  c.bits = is4 ? 96 + bits : bits;
  return c;
}

// match.when / unless.when: [{ header = "User-Agent", regex = "bot" }, { query = "re" },
// { method = "re" }, { client_ip = ["10.0.0.0/8"] }, { client_ip_regex = "re" },
// { host_regex = "re" } (the Host lowercased, port included)], each with an optional
// negate = true.
std::vector<FieldCondition> parse_when(Reader& r, const toml::node& n, const std::string& ctx) {
  std::vector<FieldCondition> out;
  const char* shape = ": expected a list of { header = \"Name\", regex = \"re\" }, { query = \"re\" }, { method = \"re\" }, "
                      "{ client_ip = [\"CIDR\"] }, { client_ip_regex = \"re\" } or { host_regex = \"re\" } (each may add negate = true)";
  if (!n.is_array()) r.fail(n, ctx + shape);
  for (const toml::node& e : *n.as_array()) {
    if (!e.is_table()) r.fail(e, ctx + shape);
    Reader cr(r.file(), *e.as_table(), ctx);
    FieldCondition c;
    int kinds = 0;
    if (auto h = cr.str("header")) {
      ++kinds;
      c.source = FieldCondition::Source::header;
      c.header = *h;
      auto re = cr.str("regex");
      if (!re) cr.fail_here(ctx + ": a header condition needs regex");
      c.regex = compile_regex(cr, *re, *cr.get("regex"));
    }
    for (auto [key, src] : {std::pair{"query", FieldCondition::Source::query}, std::pair{"method", FieldCondition::Source::method},
                            std::pair{"client_ip_regex", FieldCondition::Source::client_ip},
                            std::pair{"host_regex", FieldCondition::Source::host}})
      if (auto v = cr.str(key)) {
        ++kinds;
        c.source = src;
        c.regex = compile_regex(cr, *v, *cr.get(key));
      }
    if (cr.get("client_ip")) {
      ++kinds;
      c.source = FieldCondition::Source::client_ip;
      for (auto& [text, node] : cr.str_list("client_ip")) c.cidrs.push_back(parse_cidr(cr, text, *node));
      if (c.cidrs.empty()) cr.fail(*cr.get("client_ip"), ctx + ": client_ip: give at least one address or block");
    }
    if (kinds != 1) cr.fail_here(ctx + shape);
    if (auto neg = cr.boolean("negate")) c.negate = *neg;
    cr.finish();
    out.push_back(std::move(c));
  }
  return out;
}

// A route's conditions (match.*), also used by [[headers]] rules.
void parse_match(Reader& r, const toml::table& m, const std::string& ctx, RouteSpec& rt) {
    Reader mr(r.file(), m, ctx);
    if (auto v = mr.str("prefix")) {
      if (v->empty() || v->front() != '/') mr.fail(*mr.get("prefix"), "match.prefix: expected a path starting with '/'");
      rt.prefix = *v;
    }
    if (auto v = mr.str("regex")) rt.regex = compile_regex(mr, *v, *mr.get("regex"));
    if (auto v = mr.str("target")) rt.target_regex = compile_regex(mr, *v, *mr.get("target"));
    for (auto& [h, node] : mr.str_list("host")) {
      std::string lower = h;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      rt.hosts.push_back(lower);
    }
    for (auto& [m2, node] : mr.str_list("methods")) rt.methods.push_back(m2);
    if (auto v = mr.str("host_regex")) rt.host_regex = compile_regex(mr, *v, *mr.get("host_regex"));
    for (auto& [h, node] : mr.str_list("unless_host")) rt.unless_hosts.push_back(compile_regex(mr, h, *node));
    for (auto& [h, node] : mr.str_list("unless_regex")) rt.unless_regexes.push_back(compile_regex(mr, h, *node));
    if (const toml::node* w = mr.get("when")) rt.when = parse_when(mr, *w, ctx + ".when");
    if (const toml::node* u = mr.get("unless")) {
      if (!u->is_array()) mr.fail(*u, "match.unless: expected a list of { host = \"regex\", regex = \"regex\" }");
      for (const toml::node& e : *u->as_array()) {
        if (!e.is_table()) mr.fail(e, "match.unless: expected { host = \"regex\", regex = \"regex\" }");
        Reader er(r.file(), *e.as_table(), ctx + ".unless");
        RouteSpec::Exclusion x;
        if (auto h = er.str("host")) x.host = compile_regex(er, *h, *er.get("host"));
        if (auto p = er.str("regex")) x.path = compile_regex(er, *p, *er.get("regex"));
        if (const toml::node* w = er.get("when")) x.when = parse_when(er, *w, ctx + ".unless.when");
        if (!x.host && !x.path && x.when.empty()) er.fail_here("match.unless: give host, regex, when or several");
        er.finish();
        rt.unless.push_back(std::move(x));
      }
    }
    mr.finish();
}

void parse_route(Reader& r, RouteSpec& rt, const Config& c) {
  auto name = r.str("name");
  if (!name || name->empty()) r.fail_here("routes: every route needs a \"name\"");
  rt.name = *name;
  if (const toml::table* m = r.table("match")) parse_match(r, *m, "routes." + rt.name + ".match", rt);
  // ["regex", "replacement"] pairs, for the target and for header fields.
  auto pair_of = [](Reader& rr, const toml::node& n, const std::string& what, Regex& re, Replacement& to) {
    const toml::array* a = n.as_array();
    if (!a || a->size() != 2 || !(*a)[0].is_string() || !(*a)[1].is_string())
      rr.fail(n, what + ": expected [\"regex\", \"replacement\"]");
    re = compile_regex(rr, (*a)[0].as_string()->get(), (*a)[0]);
    to = parse_replacement(rr, (*a)[1].as_string()->get(), (*a)[1]);
  };
  auto field_rewrites = [&](Reader& rr, const std::string& what, std::vector<FieldRewrite>& out) {
    const toml::table* fields = rr.table("headers");
    if (!fields) return;
    for (auto&& [k, v] : *fields) {
      std::string name(k.str());
      if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos)
        throw ConfigError(where(r.file(), k.source()) + ": " + what + ".headers: \"" + name + "\" is not a header field name");
      // One ["regex", "replacement"], or a list of them: the first that matches applies.
      const toml::array* a = v.as_array();
      bool list = a && !a->empty() && (*a)[0].is_array();
      if (!list) {
        FieldRewrite fr;
        fr.name = name;
        pair_of(rr, v, what + ".headers." + name, fr.match, fr.to);
        out.push_back(std::move(fr));
        continue;
      }
      for (const toml::node& e : *a) {
        FieldRewrite fr;
        fr.name = name;
        pair_of(rr, e, what + ".headers." + name, fr.match, fr.to);
        out.push_back(std::move(fr));
      }
    }
  };
  if (const toml::table* rw = r.table("rewrite_request")) {
    Reader rr(r.file(), *rw, "routes." + rt.name + ".rewrite_request");
    if (const toml::node* uri = rr.get("uri")) {
      Regex re;
      pair_of(rr, *uri, "rewrite_request.uri", re, rt.uri_to);
      rt.uri_match = std::move(re);
    }
    field_rewrites(rr, "rewrite_request", rt.request_field_rewrites);
    // ["VARIABLE", "regex", "replacement"] entries, applied in order (a TOML table has none).
    if (const toml::node* cgi = rr.get("cgi")) {
      const toml::array* list = cgi->as_array();
      if (!list) rr.fail(*cgi, "rewrite_request.cgi: expected a list of [\"VARIABLE\", \"regex\", \"replacement\"]");
      for (const toml::node& e : *list) {
        const toml::array* a = e.as_array();
        if (!a || a->size() != 3 || !(*a)[0].is_string() || !(*a)[1].is_string() || !(*a)[2].is_string())
          rr.fail(e, "rewrite_request.cgi: expected [\"VARIABLE\", \"regex\", \"replacement\"]");
        FastcgiMountSpec::CgiRewrite rw;
        rw.var = (*a)[0].as_string()->get();
        if (rw.var != "SCRIPT_NAME" && rw.var != "PATH_INFO" && rw.var != "DOCUMENT_ROOT")
          rr.fail((*a)[0], "rewrite_request.cgi: \"" + rw.var + "\": expected SCRIPT_NAME, PATH_INFO or DOCUMENT_ROOT");
        rw.match = compile_regex(rr, (*a)[1].as_string()->get(), (*a)[1]);
        rw.to = parse_replacement(rr, (*a)[2].as_string()->get(), (*a)[2]);
        rt.fastcgi.rewrites.push_back(std::move(rw));
      }
    }
    rr.finish();
  }
  if (const toml::table* mp = r.table("map")) {
    Reader mr(r.file(), *mp, "routes." + rt.name + ".map");
    auto pairs = [&](const char* key, std::vector<std::pair<std::string, std::string>>& out) {
      const toml::node* n = mr.get(key);
      if (!n) return;
      const toml::array* a = n->as_array();
      if (!a) mr.fail(*n, std::string("map.") + key + ": expected a list of [\"from\", \"to\"]");
      for (const toml::node& e : *a) {
        const toml::array* p = e.as_array();
        if (!p || p->size() != 2 || !(*p)[0].is_string() || !(*p)[1].is_string())
          mr.fail(e, std::string("map.") + key + ": expected [\"from\", \"to\"]");
        out.emplace_back((*p)[0].as_string()->get(), (*p)[1].as_string()->get());
      }
    };
    pairs("urlpath", rt.map.urlpath);
    pairs("host_request", rt.map.host_request);
    pairs("host_response", rt.map.host_response);
    mr.finish();
  }
  if (const toml::table* rw = r.table("rewrite_response")) {
    Reader rr(r.file(), *rw, "routes." + rt.name + ".rewrite_response");
    field_rewrites(rr, "rewrite_response", rt.response_field_rewrites);
    rr.finish();
  }
  if (auto v = r.boolean("retry_non_idempotent")) rt.retry_non_idempotent = *v;
  int actions = 0;
  if (auto v = r.str("forward")) {
    ++actions;
    rt.action = RouteSpec::Action::forward;
    rt.pool = *v;
    auto it = std::find_if(c.pools.begin(), c.pools.end(), [&](const PoolSpec& p) { return p.name == *v; });
    if (it == c.pools.end()) {
      std::string names;
      for (auto& p : c.pools) names += (names.empty() ? "" : ", ") + p.name;
      r.fail(*r.get("forward"), "forward: unknown pool \"" + *v + "\" (defined pools: " + (names.empty() ? "none" : names) + ")");
    }
    rt.pool_index = size_t(it - c.pools.begin());
  }
  if (const toml::table* st = r.table("static")) {
    ++actions;
    rt.action = RouteSpec::Action::static_files;
    Reader sr(r.file(), *st, "routes." + rt.name + ".static");
    parse_static(sr, rt, c);
  }
  if (const toml::table* rd = r.table("redirect")) {
    ++actions;
    rt.action = RouteSpec::Action::redirect;
    Reader dr(r.file(), *rd, "routes." + rt.name + ".redirect");
    auto to = dr.str("to");
    if (!to) dr.fail_here("redirect.to is required");
    rt.redirect_to = parse_replacement(dr, *to, *dr.get("to"));
    if (auto code = dr.integer("code", 300, 399)) rt.redirect_code = int(*code);
    dr.finish();
  }
  if (auto v = r.str("status_page")) {
    ++actions;
    rt.action = RouteSpec::Action::status_page;
    if (*v == "status") rt.status_page = RouteSpec::StatusPage::status;
    else if (*v == "config") rt.status_page = RouteSpec::StatusPage::config;
    else r.fail(*r.get("status_page"), "status_page: expected \"status\" (counters; ?auto and ?json as lighttpd's mod_status) or \"config\"");
  }
  // Whether the route forwards to a pool of that protocol (no action yet, or an unknown
  // pool, is reported below: found by the config fuzzer, which indexed an empty list).
  auto forwards_to = [&](std::string_view protocol) {
    return actions > 0 && rt.action == RouteSpec::Action::forward && rt.pool_index < c.pools.size() &&
           c.pools[rt.pool_index].protocol == protocol;
  };
  rt.fastcgi.key = rt.prefix;
  rt.fastcgi.docroot = c.server.document_root;
  if (const toml::table* fc = r.table("fastcgi")) {
    if (!forwards_to("fastcgi"))
      r.fail(*r.get("fastcgi"), "fastcgi: only for a route that forwards to a pool with protocol = \"fastcgi\"");
    Reader fr(r.file(), *fc, "routes." + rt.name + ".fastcgi");
    if (auto v = fr.str("key")) rt.fastcgi.key = *v;
    if (auto v = fr.str("docroot")) rt.fastcgi.docroot = *v;
    if (auto v = fr.str("check_root")) rt.fastcgi.check_root = *v;
    if (auto v = fr.str("strip_request_uri")) rt.fastcgi.strip_request_uri = *v;
    auto flag = [&](const char* k, bool& out) {
      if (const toml::node* n = fr.get(k)) {
        if (!n->is_boolean()) fr.fail(*n, std::string("fastcgi.") + k + ": expected true or false");
        out = n->as_boolean()->get();
      }
    };
    flag("check_local", rt.fastcgi.check_local);
    flag("fix_root_scriptname", rt.fastcgi.fix_root_scriptname);
    flag("broken_scriptfilename", rt.fastcgi.broken_scriptfilename);
    if (const toml::table* ps = fr.table("params"))
      for (auto&& [k, v] : *ps) {
        if (!v.is_string()) fr.fail(v, "fastcgi.params: expected string values");
        rt.fastcgi.params.emplace_back(std::string(k.str()), v.as_string()->get());
      }
    fr.finish();
  }
  if (actions != 1) r.fail_here("route \"" + rt.name + "\": expected exactly one action: forward, static or redirect");
  if (!rt.map.empty() && !forwards_to("http"))
    r.fail(*r.get("map"), "map: only for a route that forwards to an HTTP pool");
  if (!rt.fastcgi.rewrites.empty() && !forwards_to("fastcgi"))
    r.fail(*r.table("rewrite_request")->get("cgi"), "rewrite_request.cgi: only for a route that forwards to a pool with protocol = \"fastcgi\"");
  if (const toml::table* ro = r.table("rollout")) parse_rollout(r, *ro, rt, c);
  parse_route_limits(r, rt, c.server);
  rt.request_headers = c.server.request_headers;
  rt.response_headers = c.server.response_headers;
  parse_header_edits(r, "request_headers", true, rt.request_headers);
  parse_header_edits(r, "response_headers", false, rt.response_headers);
  r.finish();
}

std::shared_ptr<const Config> parse(const toml::table& root, const std::string& file) {
  auto c = std::make_shared<Config>();
  c->file = file;
  Reader top(file, root, "the top level");
  const toml::table* server = top.table("server");
  if (!server) throw ConfigError(file + ":1:1: missing [server] table");
  Reader sr(file, *server, "server");
  parse_server(sr, c->server);

  if (const toml::node* rw = top.get("rewrite")) {
    if (!rw->is_array_of_tables()) top.fail(*rw, "rewrite: expected [[rewrite]] tables");
    for (const toml::node& e : *rw->as_array()) {
      Reader rr(file, *e.as_table(), "rewrite");
      RewriteRule rule;
      auto m = rr.str("match");
      auto to = rr.str("to");
      if (!m || !to) rr.fail_here("rewrite: \"match\" and \"to\" are required");
      rule.match = compile_regex(rr, *m, *rr.get("match"));
      rule.to = parse_replacement(rr, *to, *rr.get("to"));
      if (auto h = rr.str("host")) rule.host = compile_regex(rr, *h, *rr.get("host"));
      for (auto& [h, node] : rr.str_list("unless_host")) rule.unless_host.push_back(compile_regex(rr, h, *node));
      if (const toml::node* w = rr.get("when")) rule.when = parse_when(rr, *w, "rewrite.when");
      if (const toml::node* u = rr.get("unless_when")) {
        if (!u->is_array()) rr.fail(*u, "rewrite.unless_when: expected a list of condition lists");
        for (const toml::node& w : *u->as_array()) rule.unless_when.push_back(parse_when(rr, w, "rewrite.unless_when"));
      }
      if (auto k = rr.str("kind")) {
        if (*k == "once") rule.kind = RewriteKind::once;
        else if (*k == "repeat") rule.kind = RewriteKind::repeat;
        else if (*k == "if-not-file") rule.kind = RewriteKind::if_not_file;
        else if (*k == "repeat-if-not-file") rule.kind = RewriteKind::repeat_if_not_file;
        else rr.fail(*rr.get("kind"), "rewrite.kind: expected \"once\", \"repeat\", \"if-not-file\" or \"repeat-if-not-file\"");
      }
      rule.origin = where(file, e.source());
      rr.finish();
      c->rewrite_conditions = c->rewrite_conditions || !rule.when.empty() || !rule.unless_when.empty();
      c->rewrites.push_back(std::move(rule));
    }
  }
  if (const toml::table* pools = top.table("pools")) {
    for (auto&& [k, v] : *pools) {
      if (!v.is_table()) throw ConfigError(where(file, v.source()) + ": pools." + std::string(k.str()) + ": expected a table");
      PoolSpec p;
      p.name = std::string(k.str());
      p.origin = where(file, v.source());
      Reader pr(file, *v.as_table(), "pools." + p.name);
      const toml::node* b = v.as_table()->get("backends");
      if (b ? (!b->is_array() || b->as_array()->empty()) : !v.as_table()->get("workers"))
        throw ConfigError(where(file, b ? b->source() : v.source()) + ": pools." + p.name + ".backends: expected a non-empty list of backends");
      parse_pool(pr, p);
      c->pools.push_back(std::move(p));
    }
  }
  if (const toml::node* routes = top.get("routes")) {
    if (!routes->is_array_of_tables()) top.fail(*routes, "routes: expected [[routes]] tables");
    std::set<std::string> names;
    for (const toml::node& e : *routes->as_array()) {
      Reader rr(file, *e.as_table(), "routes");
      RouteSpec rt;
      rt.origin = where(file, e.source());
      parse_route(rr, rt, *c);
      if (!names.insert(rt.name).second)
        throw ConfigError(where(file, e.source()) + ": duplicate route name \"" + rt.name + "\"");
      c->routes.push_back(std::move(rt));
    }
  }
  // [[headers]], [[deny]], [[limits]]: each a `match` of route conditions plus what it sets.
  auto rules = [&](const char* name, auto& into, auto&& body) {
    const toml::node* n = top.get(name);
    if (!n) return;
    if (!n->is_array_of_tables()) top.fail(*n, std::string(name) + ": expected [[" + name + "]] tables");
    for (const toml::node& e : *n->as_array()) {
      Reader rr(file, *e.as_table(), name);
      typename std::decay_t<decltype(into)>::value_type rule;
      rule.origin = where(file, e.source());
      if (const toml::table* m = rr.table("match")) parse_match(rr, *m, std::string(name) + ".match", rule.when);
      body(rr, rule);
      rr.finish();
      into.push_back(std::move(rule));
    }
  };
  rules("headers", c->header_rules, [](Reader& hr, HeaderRule& rule) {
    parse_header_edits(hr, "request_headers", true, rule.request, &rule.request_add, &rule.request_set);
    parse_header_edits(hr, "response_headers", false, rule.response, &rule.response_add, &rule.response_set);
    parse_header_edits(hr, "fastcgi_env", true, rule.fastcgi_env, &rule.env_add, &rule.env_set);
    if (auto v = hr.str("server_tag")) rule.server_tag = *v;
    for (auto [key, into] : {std::pair{"error_handler_404", &rule.error_handler_404}, std::pair{"error_handler", &rule.error_handler}})
      if (auto v = hr.str(key)) {
        if (!v->empty() && v->front() != '/') hr.fail(*hr.get(key), std::string("headers.") + key + ": expected a local path (\"/404.html\") or \"\" (off)");
        *into = *v;
      }
    rule.expire_urls = parse_expire_list(hr, "expire_urls", rule.expires.urls);
    rule.expire_mimetypes = parse_expire_list(hr, "expire_mimetypes", rule.expires.mimetypes);
    if (!rule.request_add && !rule.request_set && !rule.response_add && !rule.response_set && !rule.env_add && !rule.env_set &&
        !rule.server_tag && !rule.error_handler_404 && !rule.error_handler && !rule.expire_urls && !rule.expire_mimetypes)
      hr.fail_here("headers: give request_headers, response_headers, fastcgi_env, server_tag, an error handler or expire_*");
  });
  rules("deny", c->deny_rules, [](Reader& dr, DenyRule& rule) {
    if (!dr.get("suffixes")) dr.fail_here("deny: give suffixes (\"\" denies every path, [] none)");
    for (auto& [suffix, node] : dr.str_list("suffixes")) rule.suffixes.push_back(suffix);
    if (auto v = dr.boolean("independent")) rule.independent = *v;
  });
  rules("limits", c->limit_rules, [](Reader& lr, LimitRule& rule) {
    if (!lr.get("max_body_bytes")) lr.fail_here("limits: give max_body_bytes (0: unlimited)");
    lr.size("max_body_bytes", rule.max_body_bytes);
  });
  if (const toml::node* au = top.get("auth")) {
    if (!au->is_array_of_tables()) top.fail(*au, "auth: expected [[auth]] tables");
    for (const toml::node& e : *au->as_array()) {
      Reader ar(file, *e.as_table(), "auth");
      AuthSpec a;
      a.origin = where(file, e.source());
      parse_auth(ar, a);
      c->auth.push_back(std::move(a));
    }
  }
  top.finish();
  return c;
}

}  // namespace

const PoolSpec* Config::find_pool(std::string_view name) const {
  for (auto& p : pools)
    if (p.name == name) return &p;
  return nullptr;
}

std::shared_ptr<const Config> load_config_text(std::string_view text, const std::string& name) {
  try {
    toml::table t = toml::parse(text, name);
    return parse(t, name);
  } catch (const toml::parse_error& e) {
    throw ConfigError(where(name, e.source()) + ": " + std::string(e.description()));
  }
}

std::shared_ptr<const Config> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read file: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_text(ss.str(), path);
}

bool parse_duration(std::string_view s, Duration& out) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + uint64_t(s[i] - '0');
    if (n > 1000000000ull) return false;
    ++i;
  }
  if (i == 0) return false;
  std::string_view unit = s.substr(i);
  uint64_t ms;
  if (unit == "ms") ms = n;
  else if (unit == "s") ms = n * 1000;
  else if (unit == "m") ms = n * 60000;
  else if (unit == "h") ms = n * 3600000;
  else return false;
  out = Duration(int64_t(ms));
  return true;
}

bool parse_size(std::string_view s, uint64_t& out) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + uint64_t(s[i] - '0');
    if (n > (1ull << 40)) return false;
    ++i;
  }
  if (i == 0) return false;
  std::string_view unit = s.substr(i);
  uint64_t mul;
  if (unit.empty() || unit == "B") mul = 1;
  else if (unit == "KiB") mul = 1ull << 10;
  else if (unit == "MiB") mul = 1ull << 20;
  else if (unit == "GiB") mul = 1ull << 30;
  else if (unit == "KB" || unit == "kB") mul = 1000;
  else if (unit == "MB") mul = 1000000;
  else if (unit == "GB") mul = 1000000000;
  else return false;
  out = n * mul;
  return true;
}

bool is_loopback_address(const std::string& host) {
  return host.rfind("127.", 0) == 0 || host == "::1" || host == "localhost";
}

std::vector<std::string> config_warnings(const Config& c) {
  std::vector<std::string> w;
  if (c.server.admin && c.server.admin_token.empty() && !is_loopback_address(c.server.admin->host))
    w.push_back(c.file + ": server.admin = \"" + c.server.admin->text +
                "\" is reachable from other machines and has no admin_token: anyone who reaches it can promote, "
                "roll back, drain and reload; `cutover serve` refuses to start it (set admin_token, or listen on 127.0.0.1)");
  return w;
}

std::vector<std::string> config_path_errors(const Config& c) {
  std::vector<std::string> errs;
  Identity id;  // the user and the group each on its own, so that both are named
  if (std::string e = resolve_identity(c.server.user, "", id); !e.empty()) errs.push_back(c.file + ": " + e);
  if (std::string e = resolve_identity("", c.server.group, id); !e.empty()) errs.push_back(c.file + ": " + e);
  for (const RouteSpec& r : c.routes) {
    if (r.action != RouteSpec::Action::static_files) continue;
    const StaticSpec& s = r.static_files;
    struct stat st {};
    std::string key = std::string("static.") + (s.alias ? "alias" : "root");
    if (::stat(s.root.c_str(), &st) != 0) {
      std::string why = std::strerror(errno);
      char cwd[4096];
      if (s.root[0] != '/' && ::getcwd(cwd, sizeof cwd)) why += std::string(" (relative to the working directory ") + cwd + ")";
      errs.push_back(s.root_at + ": " + key + " \"" + s.root + "\" of route " + r.name + ": " + why);
    }
    else if (!S_ISDIR(st.st_mode))
      errs.push_back(s.root_at + ": " + key + " \"" + s.root + "\" of route " + r.name + " is not a directory");
  }
  return errs;
}

std::string describe(const Config& c) {
  std::ostringstream o;
  o << "config " << c.file << ": OK\n\nlisten:";
  for (auto& l : c.server.listen) o << ' ' << l.text;
  o << "\n\nrewrites (" << c.rewrites.size() << "):\n";
  for (auto& r : c.rewrites) {
    const char* k = r.kind == RewriteKind::once ? "once" : r.kind == RewriteKind::repeat ? "repeat"
                  : r.kind == RewriteKind::if_not_file ? "if-not-file" : "repeat-if-not-file";
    o << "  " << k << "  \"" << r.match.pattern() << "\" -> \"" << r.to.text() << "\"   (" << r.origin << ")\n";
  }
  o << "\npools (" << c.pools.size() << "):\n";
  for (auto& p : c.pools) {
    o << "  " << p.name << "  protocol=" << p.protocol
      << " balancer=" << balancer_name(p.balancer) << "\n";
    for (auto& b : p.backends) o << "    " << b.address << " weight=" << b.weight << "\n";
  }
  o << "\nroutes (first match wins):\n";
  int i = 1;
  for (auto& r : c.routes) {
    o << "  " << i++ << ". " << r.name << "  match:";
    if (!r.prefix.empty()) o << " prefix=" << r.prefix;
    if (r.regex) o << " regex=\"" << r.regex->pattern() << "\"";
    for (auto& h : r.hosts) o << " host=" << h;
    for (auto& m : r.methods) o << " method=" << m;
    if (r.prefix.empty() && !r.regex && r.hosts.empty() && r.methods.empty()) o << " (everything)";
    o << "  ->  ";
    switch (r.action) {
      case RouteSpec::Action::forward: o << "forward " << r.pool; break;
      case RouteSpec::Action::static_files:
        o << "static " << (r.static_files.alias ? "alias " : "") << r.static_files.root;
        if (r.static_files.listing) o << " (listing)";
        break;
      case RouteSpec::Action::redirect: o << "redirect " << r.redirect_code << " " << r.redirect_to.text(); break;
      case RouteSpec::Action::status_page: o << "status page (" << (r.status_page == RouteSpec::StatusPage::config ? "config" : "status") << ")"; break;
    }
    if (r.uri_match) o << "  (rewrite_request \"" << r.uri_match->pattern() << "\" -> \"" << r.uri_to.text() << "\")";
    if (r.rollout) o << "  (rollout to " << r.rollout->to << ", starting at " << stage::describe(r.rollout->initial) << ")";
    o << "\n";
  }
  if (!c.auth.empty()) {
    o << "\nauth (checked before every route, on the path before and after rewrites):\n";
    for (const AuthSpec& a : c.auth)
      o << "  " << a.prefix << "  " << (a.scheme == auth::Scheme::digest ? "Digest" : "Basic") << ", realm \"" << a.realm
        << "\", require " << a.require_text << ", users from " << a.htpasswd << " (" << auth::file_format_name(a.format) << ")"
        << (a.when.hosts.empty() && !a.when.host_regex && a.when.when.empty() && !a.when.regex && a.when.unless.empty() ? "" : " where its match holds")
        << (a.problem.empty() ? "" : "\n    WARNING " + a.problem + ": every login there will fail") << "\n";
  }
  return o.str();
}

}  // namespace cutover
