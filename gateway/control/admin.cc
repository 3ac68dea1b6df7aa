#include "control/admin.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/log.h"
#include "core/report.h"
#include "http1/parser.h"
#include "control/dashboard.h"
#include "proxy/http1_stream.h"

namespace cutover {

namespace {

std::string lower(std::string_view v) {
  std::string l(v);
  for (char& ch : l) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return l;
}

// A browser on another site must not drive the admin API: a page the operator visits could
// POST to it (cross-site request) or, through a DNS name that resolves to 127.0.0.1, read
// it (DNS rebinding). So the Host must be one of the listener's own names, and a state
// change must not come from another origin. "" when allowed, else why not.
std::string cross_site_refusal(const ServerSpec& server, tcp::socket& sock, const http1::RequestHead& head) {
  error_code ec;
  auto local = sock.local_endpoint(ec);
  std::string port = std::to_string(local.port());
  std::string ip = local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string();
  std::string host = lower(head.host);
  bool known = host == ip + ":" + port || host == "localhost:" + port || host == ip || host == "localhost" ||
               (server.admin && host == lower(server.admin->text));
  for (const std::string& h : server.admin_hosts) known = known || host == h || host == h + ":" + port;
  if (!known) return "Host \"" + std::string(head.host) + "\" is not a name of this admin listener (server.admin_hosts)";
  if (head.method == "GET" || head.method == "HEAD") return "";
  for (auto& f : head.fields) {
    if (http1::iequals(f.name, "sec-fetch-site") && f.value != "same-origin" && f.value != "none")
      return "cross-site request (Sec-Fetch-Site: " + std::string(f.value) + ")";
    if (http1::iequals(f.name, "origin") && lower(f.value) != "http://" + host)
      return "request from another origin (" + std::string(f.value) + ")";
  }
  return "";
}

// Who moves a stage, for the route's events: what the client says it is (the CLI and the
// dashboard send X-Cutover-Actor) and, always, the address it came from.
std::string actor_of(const http1::RequestHead& head, const tcp::socket& sock) {
  error_code ec;
  auto peer = sock.remote_endpoint(ec);
  std::string from = ec ? std::string("?") : peer.address().to_string();
  for (auto& f : head.fields)
    if (http1::iequals(f.name, "x-cutover-actor")) {
      if (f.value == "cli") return "CLI from " + from;
      if (f.value == "dashboard") return "dashboard from " + from;
    }
  return "API client " + from;
}

awaitable<void> admin_session(ThreadContext& tc, tcp::socket sock, bool control = false) {
  auto snap = tc.rt.current();
  const Snapshot& sn = *snap;
  const Config& cfg = *sn.config;
  Downstream d(std::move(sock), cfg.server);
  http1::RequestHead head;
  http1::ParseError err;
  while (true) {
    auto st = http1::parse_request_head(d.buffered(), 16384, head, err);
    if (st == http1::ParseStatus::complete && http1::validate_request(head, err)) break;
    if (st != http1::ParseStatus::incomplete) co_return;
    error_code ec;
    if (co_await d.fill(std::chrono::seconds(10), ec) == 0) co_return;
  }
  Http1Response out(d, head, false);
  auto reply = [&](int status, std::string body, std::string type) -> awaitable<void> {
    std::vector<http1::Field> fields{{"Content-Type", type}, {"Cache-Control", "no-store"}};
    ResponseStart rs;
    rs.status = status;
    rs.fields = &fields;
    rs.content_length = body.size();
    out.start(rs);
    if (co_await out.body(body)) co_await out.finish();
  };
  std::string path(head.target.substr(0, head.target.find('?')));
  if (std::string why = control ? "" : cross_site_refusal(cfg.server, d.socket(), head); !why.empty()) {
    log::warn("admin: refused " + std::string(head.method) + " " + path + ": " + why);
    co_await reply(403, why + "\n", "text/plain");
    co_return;
  }
  // The dashboard page itself holds no data: it asks for the token and sends it with its calls.
  bool page = head.method == "GET" && (path == "/" || path == "/dashboard");
  if (!cfg.server.admin_token.empty() && !page && !control) {
    bool ok = false;
    std::string want = "Bearer " + cfg.server.admin_token;
    for (auto& f : head.fields)
      if (http1::iequals(f.name, "authorization") && f.value.size() == want.size()) {
        unsigned char diff = 0;  // constant time: the token is not leaked by timing
        for (size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(f.value[i] ^ want[i]);
        ok = ok || diff == 0;
      }
    if (!ok) {
      co_await reply(401, "admin token required (Authorization: Bearer ...)\n", "text/plain");
      co_return;
    }
  }
  int64_t now = tc.rt.clock();
  if (head.method == "GET" && path == "/api/status") {
    co_await reply(200, render_status(tc.rt, now), "application/json");
  } else if (head.method == "GET" && path == "/metrics") {
    co_await reply(200, render_metrics(tc.rt, now), "text/plain; version=0.0.4");
  } else if (head.method == "POST" && path == "/api/reload") {
    std::string err = tc.rt.reload ? tc.rt.reload() : "reload not available";
    nlohmann::json j;
    j["reloaded"] = err.empty();
    if (!err.empty()) j["error"] = err;
    co_await reply(err.empty() ? 200 : 422, j.dump() + "\n", "application/json");
  } else if (head.method == "GET" && path == "/api/routes") {
    std::string body = render_routes(tc.rt);
    co_await reply(200, std::move(body), "application/json");
  } else if (head.method == "GET" && (path == "/" || path == "/dashboard")) {
    std::string body(dashboard_html());
    co_await reply(200, std::move(body), "text/html; charset=utf-8");
  } else if (head.method == "POST" && path.rfind("/api/routes/", 0) == 0) {
    // /api/routes/NAME/{promote,demote,rollback,set}; set takes ?stage=canary&percent=10
    std::string rest = path.substr(12);
    size_t slash = rest.rfind('/');
    std::string route = slash == std::string::npos ? rest : rest.substr(0, slash);
    std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    std::string query(head.target.find('?') == std::string_view::npos ? std::string_view() : head.target.substr(head.target.find('?') + 1));
    auto param = [&](const std::string& k) {
      size_t p = ("&" + query).find("&" + k + "=");
      if (p == std::string::npos) return std::string();
      std::string v = query.substr(p + k.size() + 1);
      return v.substr(0, v.find('&'));
    };
    std::string value = param("stage");
    if (!param("percent").empty()) value += " " + param("percent");
    std::string who = control ? "CLI on the control socket" : actor_of(head, d.socket());
    std::string err = tc.rt.move_route ? tc.rt.move_route(route, action, value, who) : "not available";
    nlohmann::json j;
    j["route"] = route;
    j["ok"] = err.empty();
    if (!err.empty()) j["error"] = err;
    std::string body = j.dump() + "\n";
    co_await reply(err.empty() ? 200 : 409, std::move(body), "application/json");
  } else if (head.method == "GET" && path == "/api/workers") {
    // Named first: g++ 12 destroys a ?: temporary twice inside co_await arguments.
    std::string body = tc.rt.workers_status ? tc.rt.workers_status() : std::string("{\"workers\":[]}\n");
    co_await reply(200, std::move(body), "application/json");
  } else if (head.method == "POST" && path.rfind("/api/workers/", 0) == 0 && path.size() > 21 &&
             path.compare(path.size() - 8, 8, "/restart") == 0) {
    std::string pool = path.substr(13, path.size() - 13 - 8);
    std::string err = tc.rt.workers_restart ? tc.rt.workers_restart(pool) : "no worker supervision";
    // Assigned, not brace-initialised: g++ 12 double-frees initializer lists in coroutines.
    nlohmann::json j;
    j["pool"] = pool;
    j["restarting"] = err.empty();
    if (!err.empty()) j["error"] = err;
    co_await reply(err.empty() ? 202 : 409, j.dump() + "\n", "application/json");
  } else if (head.method == "POST" && path.rfind("/api/pools/", 0) == 0) {
    // /api/pools/NAME/backends/ADDR/ACTION
    std::string rest = path.substr(11);
    size_t a = rest.find("/backends/");
    size_t b = rest.rfind('/');
    if (a == std::string::npos || b <= a + 10) {
      co_await reply(404, "expected /api/pools/NAME/backends/ADDR/{drain,enable,disable}\n", "text/plain");
      co_return;
    }
    std::string pool = rest.substr(0, a), addr = rest.substr(a + 10, b - a - 10), action = rest.substr(b + 1);
    BackendRuntime* target = nullptr;
    for (auto& p : sn.pools)
      if (p->spec->name == pool)
        for (auto& be : p->backends)
          if (be->spec.address == addr) target = be.get();
    if (!target) {
      co_await reply(404, "no backend " + addr + " in pool " + pool + "\n", "text/plain");
      co_return;
    }
    AdminState next;
    if (action == "drain") next = AdminState::draining;
    else if (action == "disable") next = AdminState::disabled;
    else if (action == "enable") next = AdminState::active;
    else {
      co_await reply(404, "unknown action " + action + " (drain, enable, disable)\n", "text/plain");
      co_return;
    }
    target->admin.store(next);
    log::info("admin: backend " + addr + " (pool " + pool + ") set to " + action);
    co_await reply(200, "{\"pool\":\"" + pool + "\",\"backend\":\"" + addr + "\",\"state\":\"" +
                            backend_state_name(*target, now) + "\",\"in_flight\":" +
                            std::to_string(target->in_flight.load()) + "}\n",
                   "application/json");
  } else {
    co_await reply(404, "admin endpoints: GET /api/status, GET /metrics, GET /api/workers, GET /api/routes, GET / (dashboard), POST /api/reload, POST /api/workers/POOL/restart, POST /api/routes/NAME/{promote,demote,rollback,set?stage=S&percent=P}, POST /api/pools/NAME/backends/ADDR/{drain,enable,disable}\n",
                   "text/plain");
  }
}

}  // namespace

awaitable<void> admin_accept_loop(ThreadContext& tc, tcp::acceptor& acc) {
  while (acc.is_open()) {
    error_code ec;
    tcp::socket s = co_await acc.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acc.is_open()) co_return;
      continue;
    }
    asio::co_spawn(tc.io, admin_session(tc, std::move(s)), asio::detached);
  }
}

std::string open_control_socket(local_acceptor& acc, const std::string& path, bool& in_use) {
  in_use = false;
  std::string dir = path.substr(0, path.rfind('/'));
  if (!dir.empty() && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return "cannot make its directory " + dir + ": " + std::strerror(errno);
  if (path.size() >= sizeof(sockaddr_un::sun_path)) return "the path is longer than a unix socket's " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes";
  error_code ec;
  {  // a socket left by a cutover that was killed: replaced; one that answers: refused
    asio::local::stream_protocol::socket probe(acc.get_executor());
    probe.connect(asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) {
      in_use = true;
      return "another process answers on it";
    }
    ::unlink(path.c_str());
  }
  mode_t old = ::umask(0177);  // created 0600: only its owner (and root) may connect
  acc.open(asio::local::stream_protocol(), ec);
  if (!ec) acc.bind(asio::local::stream_protocol::endpoint(path), ec);
  ::umask(old);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec.message();
  return "";
}

awaitable<void> control_accept_loop(ThreadContext& tc, local_acceptor& acc) {
  while (acc.is_open()) {
    error_code ec;
    asio::local::stream_protocol::socket s = co_await acc.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acc.is_open()) co_return;
      continue;
    }
    // The admin session reads and writes through the same Downstream as a TCP client; for
    // those calls a unix stream socket is the same kind of descriptor (only its addresses
    // differ, and the control session asks for none).
    int fd = ::dup(s.native_handle());
    s.close(ec);
    if (fd < 0) continue;
    tcp::socket t(tc.io);
    t.assign(tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      continue;
    }
    asio::co_spawn(tc.io, admin_session(tc, std::move(t), true), asio::detached);
  }
}

}  // namespace cutover
